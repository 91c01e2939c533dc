"""Ingestion: cleaning, spans, chunking, incremental builds, bad input, Chroma embedded and server."""

from __future__ import annotations

import gzip
import itertools
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from llama_index.core.vector_stores.types import FilterOperator, MetadataFilter, MetadataFilters, VectorStoreQuery

import settings as settings_module
from index import bm25
from index.build import Pipeline, build
from index.chunking import Chunker
from index.clean import QUOTES, clean
from index.embedder import Embedder
from index.loaders import load
from index.models import Article, Chunk, RawArticle
from index.store import IndexStore, open_client

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = ROOT / "data" / "articles"


def pipeline(home: Path, embedder: Embedder, **kw: object) -> tuple[settings_module.Settings, Pipeline]:
    s = settings_module.Settings(home=home, **kw)  # type: ignore[arg-type]
    return s, Pipeline(s, embedder)


def snapshot(store: IndexStore) -> dict[str, object]:
    """Everything an index holds that a rebuild must reproduce."""
    chunks = store.chunks.get(include=["documents"])
    claims = store.claims_col.get(include=[])
    return {
        "articles": {k: r.content_hash for k, r in store.records().items()},
        "chunks": dict(zip(chunks["ids"], chunks["documents"], strict=True)),
        "claims": sorted(claims["ids"]),
    }


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text.translate(QUOTES))


# --- cleaning and spans on the real sample articles -------------------------------------------

def test_cleaning_removes_site_furniture_and_repairs_text(embedder: Embedder) -> None:
    texts = {p.name: clean(p.read_text(), embedder.vocabulary) for p in ARTICLES.glob("*.txt")}
    joined = "\n".join(c.text for c in texts.values())
    for junk in ("spot_img", "Get in Touch", "Latest Posts", "Related Posts"):
        assert junk not in joined
    assert texts["troop-deployment-unconfirmed-by-pyongyang.txt"].dropped == [
        "spot_imgspot_img", "Get in Touch", "Latest Posts"]
    denies = texts["north-korea-denies-sending-troops.txt"]
    assert denies.dropped == ["Related Posts"]
    assert denies.text.startswith("North Korea Mobilizes Citizens\n\nNorth Korea has officially denied"), \
        "a header that is not the title stays, as a paragraph of its own"
    unconfirmed = texts["troop-deployment-unconfirmed-by-pyongyang.txt"]
    assert "deployment following the announcement" in unconfirmed.text, "follo/wing rejoined"
    assert "taking part in Russia's war of invasion" in unconfirmed.text, "Russia/'s rejoined"
    assert unconfirmed.title.startswith("North Korea's Troop Deployment")
    assert "\u201c" not in joined and "\u2019" not in joined, "quotes normalised"


def test_every_clean_character_maps_back_to_the_raw_file(embedder: Embedder) -> None:
    for path in ARTICLES.glob("*.txt"):
        raw = path.read_text()
        c = clean(raw, embedder.vocabulary)
        assert len(c.offsets) == len(c.text)
        for i, ch in enumerate(c.text):
            if not ch.isspace():
                assert raw[c.offsets[i]].translate(QUOTES) == ch, (path.name, i)


def test_chunks_are_exact_spans_whose_sentences_each_fit_the_model_window(
        sample_settings: settings_module.Settings, embedder: Embedder) -> None:
    store = Pipeline(sample_settings, embedder).open_store()
    records = store.records(with_text=True)
    got = store.chunks.get(include=["documents", "metadatas"])
    stored = store.sentence_vectors(got["ids"])
    covered: dict[str, set[int]] = {}
    longest = 0
    for ident, text, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True):
        article = records[meta["article_id"]]
        assert article.text[meta["start"] : meta["end"]] == text
        raw = Path(article.path).read_text()
        assert squash(raw[meta["raw_start"] : meta["raw_end"]]) == squash(text) or "follo" in raw
        tokens = len(embedder.tokens(text))
        assert tokens <= sample_settings.chunk_tokens
        longest = max(longest, tokens)
        # what is embedded is each sentence, and each fits the window whole, special tokens included
        sentences = [article.text[a:b] for a, b in stored[ident].spans]
        assert all(len(embedder.tokenizer.encode(x).ids) < embedder.max_tokens == 256 for x in sentences)
        assert all(len(embedder.tokens(x)) <= 254 for x in sentences)
        covered.setdefault(meta["article_id"], set()).update(range(meta["start"], meta["end"]))
    assert longest > embedder.max_tokens, "chunks larger than the window: their vector is their sentences' mean"
    for aid, rec in records.items():
        missing = [i for i, ch in enumerate(rec.text) if not ch.isspace() and i not in covered[aid]]
        assert not missing, f"{aid}: characters in no chunk"


def test_sidecar_metadata_is_applied(sample_settings: settings_module.Settings, embedder: Embedder) -> None:
    records = Pipeline(sample_settings, embedder).open_store().records()
    by_name = {Path(r.path).name: r for r in records.values()}
    assert by_name["newsweek-north-korea-dismisses-troop-claims.txt"].source == "Newsweek"
    assert by_name["ap-south-korea-demands-pullout.txt"].source == "Associated Press"
    assert by_name["north-korea-sends-3000-soldiers.txt"].published == "2024-10-23"


# --- incremental builds -----------------------------------------------------------------------

def test_rebuilding_an_unchanged_corpus_changes_nothing(tmp_path: Path, embedder: Embedder) -> None:
    s, pipe = pipeline(tmp_path, embedder)
    first = build(None, s, progress=False, pipeline=pipe)
    before = snapshot(pipe.open_store())
    started = time.perf_counter()
    again = build(None, s, progress=False, pipeline=pipe)
    assert time.perf_counter() - started < 5
    assert (len(first.added), len(again.added), len(again.updated), again.unchanged) == (5, 0, 0, 5)
    assert snapshot(pipe.open_store()) == before


def test_statements_are_stored_without_their_chunks_vectors(sample_settings: settings_module.Settings,
                                                             embedder: Embedder) -> None:
    """Nothing searches statements by vector, so a one-number placeholder stands in for one (Chroma loads a
    collection's vector index on its first read: ~320 MB for the full RealTime QA corpus's statements)."""
    store = Pipeline(sample_settings, embedder).open_store()
    got = store.claims_col.get(limit=20, include=["embeddings"])
    assert len(got["ids"]) == 20 and {len(v) for v in got["embeddings"]} == {1}
    assert store.claims_col.metadata["dim"] == 1 and store.chunks.metadata["dim"] == embedder.dim
    assert len(store.claims()) == store.claims_col.count() > 100


def test_an_index_whose_statements_carry_chunk_vectors_takes_new_articles_the_same_way(
        tmp_path: Path, embedder: Embedder) -> None:
    """An index built before the placeholder keeps its format (a --reset rebuild moves it to the new one)."""
    s, pipe = pipeline(tmp_path, embedder)
    open_client(s).create_collection(f"{s.collection}_claims", embedding_function=None,
                                     metadata={"hnsw:space": "cosine", "dim": embedder.dim})
    build(None, s, progress=False, pipeline=pipe)
    store = pipe.open_store()
    got = store.claims_col.get(limit=5, include=["embeddings"])
    assert len(got["ids"]) == 5 and {len(v) for v in got["embeddings"]} == {embedder.dim}
    assert len(store.claims()) == store.claims_col.count() > 100


def test_a_new_chunk_size_rechunks_the_articles_already_indexed_without_embedding_them_again(
        tmp_path: Path, embedder: Embedder) -> None:
    s, pipe = pipeline(tmp_path, embedder)
    first = build(None, s, progress=False, pipeline=pipe)
    before = pipe.open_store().chunk_count()
    small, pipe_small = pipeline(tmp_path, embedder, chunk_tokens=120, chunk_overlap=16)

    def parsed_again(article: object) -> list:
        raise AssertionError("the same text's who-said-what is kept, not parsed again")

    pipe_small.extract_claims = parsed_again  # type: ignore[method-assign]
    again = build(None, small, progress=False, pipeline=pipe_small)
    assert (len(again.updated), again.unchanged) == (5, 0)
    store = pipe_small.open_store()
    assert store.chunk_count() > before
    # the sentences are the same: their stored vectors are kept (only pieces of sentences longer than
    # the new 120-token window are new), and they are what the model gives them
    assert again.reused > 100 and again.tokens < first.tokens / 10, again.summary()
    assert again.claims == first.claims
    chunk_id = store.chunks.get(limit=1, include=[])["ids"][0]
    kept = store.sentence_vectors([chunk_id])[chunk_id]
    text = store.record(chunk_id.split(":")[0]).text  # type: ignore[union-attr]
    fresh = embedder.embed([text[a:b] for a, b in kept.spans])
    assert min(float(x @ y) for x, y in zip(kept.vectors, fresh, strict=True)) > 0.98
    assert build(None, small, progress=False, pipeline=pipe_small).unchanged == 5


def test_a_rechunk_after_an_ingest_killed_while_rewriting_claims_parses_them_again(
        tmp_path: Path, embedder: Embedder) -> None:
    s, pipe = pipeline(tmp_path, embedder)
    first = build(None, s, progress=False, pipeline=pipe)
    store = pipe.open_store()
    counts = Counter(c.article_id for c in store.claims())
    victim = max(sorted(counts), key=counts.__getitem__)
    store.claims_col.delete(where={"article_id": victim})  # killed after deleting them, before writing them again
    small, pipe_small = pipeline(tmp_path, embedder, chunk_tokens=120, chunk_overlap=16)
    again = build(None, small, progress=False, pipeline=pipe_small)
    assert counts[victim] > 0 and again.claims == first.claims
    assert Counter(c.article_id for c in pipe_small.open_store().claims()) == counts


def test_changed_removed_and_new_articles(tmp_path: Path, corpus_copy: Path, embedder: Embedder) -> None:
    s, pipe = pipeline(tmp_path / "home", embedder)
    build([corpus_copy], s, progress=False, pipeline=pipe)
    store = pipe.open_store()
    old_ids = set(store.chunks.get(include=[])["ids"])

    changed = corpus_copy / "north-korea-sends-3000-soldiers.txt"
    changed.write_text(changed.read_text() + "\nThe Zorbian envoy called the deployment unprecedented.\n")
    (corpus_copy / "troop-deployment-unconfirmed-by-pyongyang.txt").unlink()
    (corpus_copy / "new.md").write_text("---\ntitle: Quokka report\nsource: Test Wire\n---\nQuokkas were seen.\n")
    report = build([corpus_copy], s, progress=False, pipeline=pipe)

    assert len(report.updated) == 1 and len(report.removed) == 1 and len(report.added) == 1
    assert report.unchanged == 3
    store = pipe.open_store()
    records = store.records()
    assert not any("unconfirmed" in k for k in records)
    new_ids = set(store.chunks.get(include=[])["ids"])
    changed_id = report.updated[0]
    assert not {i for i in old_ids if i.startswith(changed_id)} & new_ids, "old chunks of the changed article gone"
    assert not any(i.startswith(report.removed[0]) for i in new_ids), "removed article's chunks gone"
    assert not store.claims(where={"article_id": report.removed[0]})
    retriever = bm25.load_or_build(store, s, 3)
    assert retriever is not None
    top = retriever.retrieve("Zorbian envoy unprecedented")[0]
    assert "Zorbian" in top.node.get_content(), "BM25 rebuilt after the change"


def _make_corpus(folder: Path, n: int) -> None:
    sentences = [s for p in ARTICLES.glob("*.txt") for s in re.split(r"(?<=[.!?])\s+", p.read_text()) if len(s) > 40]
    rng = random.Random(7)
    folder.mkdir()
    for i in range(n):
        (folder / f"article-{i:03}.txt").write_text(f"Report number {i}.\n" + " ".join(rng.sample(sentences, 25)))


def _embedding_rows(home: Path) -> int:
    db = home / "chroma" / "chroma.sqlite3"
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return int(conn.execute("select count(*) from embeddings").fetchone()[0])
    except sqlite3.Error:
        return 0


def test_an_ingest_killed_half_way_and_rerun_equals_one_clean_run(tmp_path: Path, embedder: Embedder) -> None:
    corpus = tmp_path / "corpus"
    _make_corpus(corpus, 150)
    env = {**os.environ, "NEWSQA_HOME": str(tmp_path / "killed")}
    proc = subprocess.Popen([sys.executable, "-m", "index", "build", str(corpus), "--quiet"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 240
    while _embedding_rows(tmp_path / "killed") == 0 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    s_killed, pipe_killed = pipeline(tmp_path / "killed", embedder)
    partial = len(pipe_killed.open_store().records())
    assert 0 <= partial < 150, "the build was killed before it finished"

    resumed = build([corpus], s_killed, progress=False, pipeline=pipe_killed)
    assert len(resumed.added) == 150 - partial
    s_clean, pipe_clean = pipeline(tmp_path / "clean", embedder)
    build([corpus], s_clean, progress=False, pipeline=pipe_clean)
    assert snapshot(pipe_killed.open_store()) == snapshot(pipe_clean.open_store())


# --- bad input --------------------------------------------------------------------------------

def test_bad_files_are_skipped_with_a_reason_and_the_rest_is_ingested(tmp_path: Path, embedder: Embedder) -> None:
    s, pipe = pipeline(tmp_path / "home", embedder, max_file_mb=0.01)
    build(None, s, progress=False, pipeline=pipe)  # something already indexed, that must survive
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text("Officials in Oslo confirmed the fjord ferry schedule on Monday.")
    (folder / "empty.txt").write_text("")
    (folder / "blank.md").write_text("   \n\t\n")
    (folder / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (folder / "cp1252.txt").write_bytes("The mayor said \u201cno comment\u201d about the caf\u00e9.".encode("cp1252"))
    (folder / "latin1.txt").write_bytes("Le ministre a parl\u00e9 \u00e0 Gen\u00e8ve du budget.".encode("latin-1"))
    (folder / "utf16.txt").write_text("The harbour in Bergen reopened on Friday.", encoding="utf-16")
    (folder / "huge.txt").write_text("word " * 5000)
    (folder / "scan.pdf").write_bytes(b"%PDF-1.4")
    (folder / "copy.txt").write_text((folder / "good.txt").read_text())
    jsonl = folder / "feed.jsonl"
    jsonl.write_text('{"id": "j1", "title": "Fjords", "published": "2024-01-02", "text": "Fjords are deep."}\n'
                     "{not json\n"
                     '{"id": "j2", "title": "No text"}\n')
    with gzip.open(folder / "more.jsonl.gz", "wt") as fh:
        fh.write(json.dumps({"id": "g1", "url": "https://example.org/a", "title": "Glaciers",
                             "published": "2023/01/05", "text": "Glaciers retreated in Norway."}) + "\n")

    report = build([folder, tmp_path / "missing-folder"], s, progress=False, pipeline=pipe, prune=False)
    reasons = {Path(k.path.split(":")[0].split(" (")[0]).name: k.reason for k in report.skipped}
    assert reasons["empty.txt"] == "empty file" and reasons["blank.md"] == "empty file"
    assert reasons["binary.txt"] == "binary file, not text"
    assert reasons["huge.txt"] == "too large (25.0 kB; the limit is 10.0 kB, NEWSQA_MAX_FILE_MB)"
    assert reasons["scan.pdf"] == "unsupported file type"
    assert reasons["missing-folder"] == "no such file or folder"
    assert "duplicate" in reasons.get("copy.txt", reasons.get("good.txt", ""))
    jsonl_problems = sorted(k.reason for k in report.skipped if "feed.jsonl:" in k.path)
    assert jsonl_problems == ["no text", "not a JSON object"]
    assert all("\n" not in r for r in reasons.values()), "one line per problem"

    records = pipe.open_store().records(with_text=True)
    texts = {Path(r.path).name + ("#" + r.id if r.path.endswith(("jsonl", "gz")) else ""): r for r in records.values()}
    assert 'said "no comment" about the caf\u00e9' in texts["cp1252.txt"].text
    assert "parl\u00e9 \u00e0 Gen\u00e8ve" in texts["latin1.txt"].text
    assert "Bergen" in texts["utf16.txt"].text
    assert texts["feed.jsonl#j1"].title == "Fjords"
    assert texts["more.jsonl.gz#g1"].published == "2023-01-05" and texts["more.jsonl.gz#g1"].source == "example.org"
    assert sum(1 for r in records.values() if "data/articles" in r.path) == 5, "nothing already indexed was lost"


def test_pathological_articles_are_chunked_in_linear_time_within_the_window(embedder: Embedder) -> None:
    chunker = Chunker(embedder.tokens, 400, 32, 254)
    cases = {
        "one sentence repeated": "The harbour reopened on Monday after the storm. " * 6000,
        "no punctuation": "word " * 60000,
        "no spaces": "x" * 300_000,
        "one long paragraph of short lines": "Shares rose.\n" * 20000,
    }
    for name, text in cases.items():
        started = time.perf_counter()
        layout = chunker.layout(text)
        seconds = time.perf_counter() - started
        spans = [(a, b) for a, b, _ in layout]
        assert seconds < 10, f"{name}: {seconds:.1f}s"
        assert spans[0][0] == text.index(text.strip()[0]) and spans[-1][1] == len(text.rstrip()), name
        assert all(len(embedder.tokens(text[a:b])) <= 400 for a, b in spans), name
        assert all(b - a <= 400 * 10 for a, b in spans), name
        pieces = [p for *_, chunk_pieces in layout for p in chunk_pieces]  # what gets embedded, one by one
        assert all(len(embedder.tokens(text[a:b])) <= 254 and b - a <= 254 * 10 for a, b, _ in pieces), name
        assert not any(text[b1:a2].strip() for (_, b1), (a2, _) in itertools.pairwise(spans)), f"{name}: gaps"


class _BrokenChunker(Chunker):
    """Injects a fault no real article shows reliably: chunking one article raises."""

    def chunk(self, article: Article) -> list[Chunk]:
        if "Zorbian" in article.text:
            raise RecursionError("maximum recursion depth exceeded\nsecond line")
        return super().chunk(article)


def test_every_input_gets_an_outcome_and_one_failing_article_does_not_sink_the_build(
        tmp_path: Path, embedder: Embedder) -> None:
    s, pipe = pipeline(tmp_path / "home", embedder, max_article_chars=50_000)
    pipe.chunker = _BrokenChunker(embedder.tokens, s.chunk_tokens, s.chunk_overlap, 254)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text("Copper prices rose 4 percent on Tuesday as smelters cut output.")
    (folder / "breaks.txt").write_text("The Zorbian envoy called the deployment unprecedented.")
    (folder / "long.txt").write_text("The league extended the season by two weeks. " * 2000)
    (folder / "empty.md").write_text("")
    (folder / "feed.jsonl").write_text('{"id": "j1", "title": "Tides", "text": "Tides rose in the bay."}\n{bad\n')

    report = build([folder], s, progress=False, pipeline=pipe)
    by_name = {Path(o.path.split(":")[0]).name + (f"#{o.article_id}" if o.article_id.startswith("j") else ""): o
               for o in report.outcomes if ":2" not in o.path}
    assert {k: o.status for k, o in by_name.items()} == {
        "good.txt": "added", "breaks.txt": "failed", "long.txt": "skipped", "empty.md": "skipped",
        "feed.jsonl#j1": "added"}
    assert by_name["breaks.txt"].reason == "chunking failed: RecursionError: maximum recursion depth exceeded"
    long_chars = len((folder / "long.txt").read_text())
    assert by_name["long.txt"].reason.startswith(f"too long ({long_chars:,} characters; the limit is 50,000")
    assert by_name["good.txt"].article_id in pipe.open_store().records()
    assert by_name["good.txt"].title and by_name["good.txt"].path == str((folder / "good.txt").resolve())
    assert [o.reason for o in report.outcomes if ":2" in o.path] == ["not a JSON object"]
    assert report.counts() == {"added": 2, "updated": 0, "unchanged": 0, "removed": 0, "skipped": 3, "failed": 1}

    pipe.chunker = Chunker(embedder.tokens, s.chunk_tokens, s.chunk_overlap, 254)
    again = build([folder], s, progress=False, pipeline=pipe)
    assert {o.status for o in again.outcomes if o.article_id == by_name["good.txt"].article_id} == {"unchanged"}
    assert [o.path for o in again.having("added")] == [by_name["breaks.txt"].path], "the failed one is retried"


def _refuse_over(col: Any, limit: int) -> None:
    """Injects Chroma's batch-size refusal at a small size; the real call runs below the limit."""
    for name in ("add", "upsert"):
        real = getattr(col, name)

        def limited(*args: Any, _real: Any = real, **kw: Any) -> Any:
            if len(kw["ids"]) > limit:
                raise ValueError(f"Batch size of {len(kw['ids'])} is greater than max batch size of {limit}")
            return _real(*args, **kw)

        object.__setattr__(col, name, limited)


def test_writes_larger_than_chromas_batch_limit_are_split(tmp_path: Path, embedder: Embedder) -> None:
    _, pipe = pipeline(tmp_path, embedder)
    store = pipe.open_store()
    assert store.max_batch > 1000
    store.max_batch = 7  # Chroma refuses calls over 5,461 rows; one long article can hold more claims than that
    for col in (store.chunks, store.claims_col, store.articles_col):  # the same refusal, at 7 rows
        _refuse_over(col, store.max_batch)
    text = " ".join(f"Officials said on day {i} that {i * 3} ferries ran to the islands." for i in range(300))
    article = pipe.prepare(RawArticle(id="many", raw=text, path=str(tmp_path / "many.txt"), root=str(tmp_path)))
    chunks = pipe.chunker.chunk(article)
    found = pipe.extract_claims(article)
    assert len(chunks) > 7 and len(found) > 7
    store.write_articles([(article, chunks, embedder.embed([c.text for c in chunks]), found)])
    assert store.chunk_count() == len(chunks) and len(store.claims()) == len(found)
    assert list(store.records()) == ["many"]


def test_markdown_front_matter_and_html_metadata(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("---\ntitle: Talks resume\nsource: Wire\npublished: 2024-10-21\n---\nTalks resumed.")
    (tmp_path / "b.html").write_text(
        '<html><head><title>Ignored title</title><meta property="og:title" content="Ports reopen">'
        '<meta property="og:site_name" content="Harbour News">'
        '<meta property="article:published_time" content="2024-10-22T08:00:00Z"></head>'
        "<body><nav>Home | World</nav><p>The ports reopened &amp; ships sailed.</p>"
        "<script>alert('x')</script><footer>Copyright</footer></body></html>")
    arts = {Path(a.path).name: a for a in load([tmp_path], 10**6) if isinstance(a, RawArticle)}
    md, html = arts["a.md"], arts["b.html"]
    assert (md.title, md.source, md.published) == ("Talks resume", "Wire", "2024-10-21")
    assert md.raw.strip() == "Talks resumed."
    assert (html.title, html.source, html.published) == ("Ports reopen", "Harbour News", "2024-10-22")
    assert html.raw.strip() == "The ports reopened & ships sailed."


# --- Chroma: filters, CLI, the server path, offline -------------------------------------------

def test_metadata_filters_on_source_and_date(sample_settings: settings_module.Settings, embedder: Embedder) -> None:
    store = Pipeline(sample_settings, embedder).open_store()
    query = embedder.embed_query("troops in Russia").tolist()

    def sources(*filters: MetadataFilter) -> set[str]:
        result = store.vector_store.query(VectorStoreQuery(query_embedding=query, similarity_top_k=30,
                                                           filters=MetadataFilters(filters=list(filters))))
        return {str(n.metadata["published"]) + "/" + str(n.metadata["source"]) for n in result.nodes or []}

    assert sources(MetadataFilter(key="source", value="Newsweek")) == {"2024-10-21/Newsweek"}
    late = sources(MetadataFilter(key="published_key", value=20241022, operator=FilterOperator.GTE))
    assert late and all(s.split("/")[0] >= "2024-10-22" for s in late)


def test_info_and_list_commands(sample_settings: settings_module.Settings) -> None:
    env = {**os.environ, "NEWSQA_HOME": str(sample_settings.home)}
    info = json.loads(subprocess.run([sys.executable, "-m", "index", "info", "--json"], cwd=ROOT, env=env,
                                     capture_output=True, text=True, check=True, timeout=120).stdout)
    assert info["articles"] == 5 and info["chunks"] > 5 and info["claims"] > 20
    assert info["embedder"] == "all-MiniLM-L6-v2-onnx-int8-dynamic"
    listed = json.loads(subprocess.run([sys.executable, "-m", "index", "list", "--json"], cwd=ROOT, env=env,
                                       capture_output=True, text=True, check=True, timeout=120).stdout)
    assert len(listed) == 5 and {"id", "title", "source", "published", "chunks"} <= set(listed[0])


def test_the_same_index_in_a_chroma_server(tmp_path: Path, chroma_server: tuple[str, int], embedder: Embedder,
                                           sample_settings: settings_module.Settings) -> None:
    host, port = chroma_server
    s, pipe = pipeline(tmp_path, embedder, chroma_host=host, chroma_port=port, collection="servertest")
    first = build(None, s, progress=False, pipeline=pipe)
    again = build(None, s, progress=False, pipeline=pipe)
    assert len(first.added) == 5 and again.unchanged == 5 and not again.added
    server = pipe.open_store()
    local = Pipeline(sample_settings, embedder).open_store()
    assert server.chunk_count() == local.chunk_count()
    assert sorted(r.content_hash for r in server.records().values()) == sorted(
        r.content_hash for r in local.records().values())
    assert not (tmp_path / "chroma").exists(), "nothing written to a local database"


def test_build_runs_with_no_network(tmp_path: Path) -> None:
    if subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode != 0:
        pytest.skip("unshare -n is not permitted here")
    env = {**os.environ, "NEWSQA_HOME": str(tmp_path), "NEWSQA_CACHE_DIR": str(tmp_path / "cache")}
    out = subprocess.run(["unshare", "-n", sys.executable, "-m", "index", "build", "--quiet"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "5 added" in out.stdout
    assert list((tmp_path / "cache").glob("minilm-l6-int8-dynamic-*.onnx")), "the int8 model was derived offline"


def test_int8_model_is_derived_once_and_stays_close_to_the_packaged_model(tmp_path: Path) -> None:
    import numpy as np

    from index.embedder import quantized_model

    first = quantized_model(tmp_path)
    stamp = first.stat().st_mtime_ns
    assert quantized_model(tmp_path) == first and first.stat().st_mtime_ns == stamp, "derived again"
    texts = [para for f in sorted(settings_module.BUNDLED_CORPUS.glob("*.txt"))
             for para in f.read_text().split("\n\n") if len(para) > 40]
    fast = Embedder(cache_dir=tmp_path).embed(texts)
    packaged = Embedder(quantize=False).embed(texts)
    cosine = (fast * packaged).sum(axis=1)
    assert cosine.min() > 0.95 and cosine.mean() > 0.99, (cosine.min(), cosine.mean())
    assert np.allclose(np.linalg.norm(fast, axis=1), 1, atol=1e-4)


# --- a damaged store ------------------------------------------------------------------------------

def _cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NEWSQA_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "index", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


@pytest.mark.parametrize("damage", ["malformed", "empty", "truncated", "foreign"])
def test_a_damaged_store_is_reported_with_the_way_out_and_reset_moves_it_aside(tmp_path: Path, damage: str) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "tides.txt").write_text("Harbour officials said the spring tide reached 4.2 metres on Sunday.")
    home = tmp_path / "home"
    assert _cli(home, "build", "--quiet", str(folder)).returncode == 0
    db = home / "chroma" / "chroma.sqlite3"
    data = db.read_bytes()
    damaged = {"malformed": data[:8192] + b"\xde\xad" * 20000 + data[48192:], "empty": b"",
               "truncated": data[: len(data) // 2], "foreign": b"name,date\nx,2024-01-01\n" * 100}[damage]
    db.write_bytes(damaged)

    info = _cli(home, "info")
    assert info.returncode == 2 and len(info.stderr.strip().splitlines()) == 1, info.stderr
    assert "--reset` moves a damaged index aside" in info.stderr
    expected = {"malformed": "malformed", "empty": "is empty (0 bytes)", "truncated": "is truncated",
                "foreign": "is not an SQLite database"}[damage]
    assert expected in info.stderr, info.stderr

    reset = _cli(home, "build", "--quiet", "--reset", str(folder))
    assert reset.returncode == 0, reset.stderr
    moved = [p for p in home.iterdir() if p.name.startswith("chroma.broken-")]
    assert len(moved) == 1 and f"it was moved to {moved[0]}" in reset.stderr
    assert (moved[0] / "chroma.sqlite3").read_bytes() == damaged, "the old database is kept as it was"
    assert "index: 1 articles" in reset.stdout, reset.stdout


# --- command-line hygiene -----------------------------------------------------------------------

@pytest.mark.parametrize("command", [["index", "list"], ["assistant", "claims"]])
def test_a_closed_pipe_ends_a_command_quietly(sample_settings: settings_module.Settings, command: list[str]) -> None:
    env = {**os.environ, "NEWSQA_HOME": str(sample_settings.home)}
    proc = subprocess.Popen([sys.executable, "-m", *command], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # like `| head` that has read enough, before the command writes anything
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == 0 and err == "", err


def test_skip_lines_and_the_progress_bar_do_not_share_a_line(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text("The regional airline added four routes to its winter schedule.")
    (folder / "empty.txt").write_text("")
    (folder / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    env = {**os.environ, "NEWSQA_HOME": str(tmp_path / "home")}
    out = subprocess.run([sys.executable, "-m", "index", "build", str(folder)], cwd=ROOT, env=env, timeout=300,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=True).stdout.decode()
    lines = re.split(r"[\r\n]+", out)
    skips = [line for line in lines if "skipped" in line and ":" in line and "added" not in line]
    assert len(skips) == 2 and all(line.startswith("skipped ") for line in skips), out
    assert "DEBUG" not in out and "Traceback" not in out, out


def test_bm25_finds_a_chunk_by_its_article_title(sample_settings: settings_module.Settings) -> None:
    """A passage deep in an article is found by a word of its title that the passage itself lacks."""
    from llama_index.core.schema import QueryBundle

    from index import bm25
    from index.reader import open_store

    store = open_store(sample_settings)
    retriever = bm25.load_or_build(store, sample_settings, top_k=store.chunk_count())
    assert retriever is not None
    picked = []
    for node in store.all_chunks():
        words = [w for w in re.findall(r"[A-Za-z]{6,}", str(node.metadata["title"]))
                 if w.lower() not in node.get_content().lower()]
        if words:
            picked.append((node.node_id, words[0]))
    assert picked, "some passage lacks a word of its title"
    node_id, word = picked[0]
    assert node_id in {h.node.node_id for h in retriever.retrieve(QueryBundle(word)) if (h.score or 0) > 0}


def test_bm25_is_read_from_disk_not_held_in_memory(sample_settings: settings_module.Settings, tmp_path: Path) -> None:
    """Built or loaded, the keyword index maps its corpus from disk (52k chunks: 16 MB resident, not 258 MB),
    and a process that mapped it keeps answering after a rebuild replaced the files."""
    import shutil

    from bm25s.utils.corpus import JsonlCorpus
    from llama_index.core.schema import QueryBundle

    from index.reader import open_store

    s = sample_settings.model_copy(update={"home": tmp_path / "home"})
    shutil.copytree(sample_settings.home, s.home)
    store = open_store(s)
    built = bm25.load_or_build(store, s, top_k=5)
    (bm25.bm25_dir(s) / "FINGERPRINT").unlink(missing_ok=True)
    rebuilt = bm25.load_or_build(store, s, top_k=5)  # a stale stamp: rebuilt over the files ``built`` maps
    for retriever in (built, rebuilt):
        assert retriever is not None and isinstance(retriever.corpus, JsonlCorpus)
        assert retriever.retrieve(QueryBundle("Peskov contradictory information"))


def test_a_question_is_embedded_once_for_the_retriever_and_the_sentence_scorer(embedder: Embedder) -> None:
    question = "Who denied sending troops to Russia?"
    vector = embedder.embed_query(question)
    assert embedder.embed_query(question) is vector  # cached: the second caller does not embed again
    np.testing.assert_allclose(vector, embedder.embed([question])[0], atol=1e-6)
    with pytest.raises(ValueError):
        vector[0] = 0.0  # shared by every caller: read-only


def test_sentence_vectors_pack_small_and_come_back_close() -> None:
    from index.sentences import pack, unpack

    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(7, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    spans = [(i * 100, i * 100 + 90) for i in range(7)]
    blob = pack(spans, vectors)
    back = unpack(blob)
    assert back.spans == spans
    assert np.min(np.sum(back.vectors * vectors, axis=1)) > 0.99
    assert len(blob) < vectors.nbytes / 2  # int8: well under the float32 size, even in base64
    with pytest.raises(ValueError):
        unpack(blob[:-8])


def test_each_chunk_stores_its_sentences_vectors_and_its_vector_is_their_mean(
        sample_settings: settings_module.Settings, embedder: Embedder) -> None:
    from index.reader import open_store
    from index.sentences import mean_vector

    store = open_store(sample_settings)
    got = store.chunks.get(include=["metadatas", "documents", "embeddings"])
    stored = store.sentence_vectors(got["ids"])
    assert set(stored) == set(got["ids"])
    records = store.records(with_text=True)
    for ident, meta, doc, vector in zip(got["ids"], got["metadatas"], got["documents"], got["embeddings"],
                                        strict=True):
        sv = stored[ident]
        start, end = int(meta["start"]), int(meta["end"])
        assert sv.spans[0][0] == start and sv.spans[-1][1] == end  # the sentences cover the chunk
        assert all(a < b <= c for (a, b), (c, _) in itertools.pairwise(sv.spans))
        text = records[str(meta["article_id"])].text
        assert " ".join(text[a:b] for a, b in sv.spans).split() == doc.split()
        fresh = embedder.embed([text[a:b] for a, b in sv.spans])
        # the same sentence embedded in another batch: the int8 model scales activations per batch, and
        # stays within cosine 0.97 of itself (0.977 at worst measured on an AVX2-only CPU without VNNI;
        # above 0.98 on the machines this test was first written on)
        assert np.min(np.sum(fresh * sv.vectors, axis=1)) > 0.97
        assert float(np.dot(mean_vector(sv.vectors), np.asarray(vector))) > 0.99


def test_a_span_two_overlapping_chunks_hold_is_found_in_the_earlier_one(
        sample_settings: settings_module.Settings) -> None:
    """The answerer fetches the chunk holding a statement by its span: where chunks overlap, the answer
    must not depend on the order Chroma returns them in."""
    from index.reader import open_store

    store = open_store(sample_settings)
    got = store.chunks.get(include=["metadatas"])
    chunks = sorted((str(m["article_id"]), int(m["start"]), int(m["end"]), ident)
                    for ident, m in zip(got["ids"], got["metadatas"], strict=True))
    pairs = [(a, b) for a, b in itertools.pairwise(chunks) if a[0] == b[0] and b[1] < a[2]]
    assert pairs, "the bundled corpus's chunks overlap (chunk_overlap tokens)"
    spans = [(first[0], second[1], second[1] + 1) for first, second in pairs]  # where the second one begins
    holders = [[c for c in chunks if c[0] == aid and c[1] <= start and end <= c[2]] for aid, start, end in spans]
    assert all(len(h) >= 2 for h in holders)
    found = store.chunks_at([*spans, ("no-such-article", 0, 1)])
    assert [f[0] if f else None for f in found] == [min(h)[3] for h in holders] + [None]


def test_answering_embeds_only_the_question(sample_settings: settings_module.Settings, embedder: Embedder) -> None:
    from assistant.service import Assistant

    assistant = Assistant(sample_settings, embedder)
    question = "How many troops did South Korea's spy agency say were in Russia's Far East?"
    answer = assistant.ask(question)
    assert not answer.abstained and answer.passages
    assert not assistant.scorer._cache  # every passage sentence's vector came from the index
    assert question in embedder._queries  # the question's, embedded once for retrieval and scoring
