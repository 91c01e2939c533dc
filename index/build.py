"""Files -> clean -> chunk -> embed -> Chroma, incrementally.

An article whose content hash is already in the index is skipped; a changed one has its chunks
replaced; one that disappeared from an input folder (or JSONL file) is deleted. Embedding runs
over many articles at once, so that length-bucketed batches stay full.
"""

from __future__ import annotations

import hashlib
import sys
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, get_args

import numpy as np
from tqdm import tqdm

from backend.llm import LLMError, OpenAICompatibleLLM
from backend.prompts import render
from index import attribution, claims, claims_llm
from index.chunking import Chunker
from index.clean import clean, fallback_title
from index.embedder import Embedder, get_embedder
from index.loaders import TEXT_SUFFIXES, Skipped, load
from index.models import Article, Chunk, RawArticle
from index.sentences import mean_vector
from index.store import ArticleRecord, IndexStore
from settings import BUNDLED_CORPUS, Settings

GROUP = 64  # articles embedded together
GROUP_CHARS = 1_000_000  # ... or fewer, when they are long: memory stays bounded (offsets cost ~40 bytes a char)


Status = Literal["added", "updated", "unchanged", "removed", "skipped", "failed"]
STATUSES: tuple[Status, ...] = get_args(Status)


@dataclass
class Outcome:
    """What one build did with one input: a file, or one article (or line) of a JSONL file.

    ``skipped`` is input the index turns down (too large, binary, duplicate...); ``failed`` is an
    article that broke a step of the pipeline. Either way the reason is one line, and the rest of
    the build goes on.
    """

    status: Status
    path: str
    article_id: str = ""
    title: str = ""
    reason: str = ""

    def __str__(self) -> str:
        where = self.path + (f" (id {self.article_id})" if self.article_id and _is_container(self.path) else "")
        return f"{self.status} {where}" + (f": {self.reason}" if self.reason else "")


@dataclass
class BuildReport:
    outcomes: list[Outcome] = field(default_factory=list)
    chunks: int = 0
    claims: int = 0
    tokens: int = 0  # embedded (a sentence an updated article already had is not embedded again)
    reused: int = 0  # sentences whose stored vectors were kept
    seconds: float = 0.0
    embed_seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    dropped: dict[str, list[str]] = field(default_factory=dict)  # article id -> furniture lines cleaning removed

    def having(self, *statuses: Status) -> list[Outcome]:
        return [o for o in self.outcomes if o.status in statuses]

    @property
    def added(self) -> list[str]:
        return [o.article_id for o in self.having("added")]

    @property
    def updated(self) -> list[str]:
        return [o.article_id for o in self.having("updated")]

    @property
    def removed(self) -> list[str]:
        return [o.article_id for o in self.having("removed")]

    @property
    def unchanged(self) -> int:
        return len(self.having("unchanged"))

    @property
    def skipped(self) -> list[Outcome]:
        """Inputs that are not in the index as they are now: turned down or failed."""
        return self.having("skipped", "failed")

    def counts(self) -> dict[str, int]:
        return {status: len(self.having(status)) for status in STATUSES}

    def summary(self) -> str:
        rate = f", {self.tokens / self.embed_seconds:,.0f} tokens/s in the model" if self.tokens else ""
        counts = ", ".join(f"{n} {status}" for status, n in self.counts().items() if n or status != "failed")
        return (
            f"{counts}; {self.chunks} chunks ({self.tokens:,} tokens embedded{rate}"
            + (f", {self.reused:,} sentence vectors kept" if self.reused else "")
            + f"), {self.claims} claims, in {self.seconds:.1f}s\n"
            f"dropped {sum(map(len, self.dropped.values()))} furniture lines in {len(self.dropped)} articles"
        ) + "".join(f"\n{note}" for note in self.notes)


class Pipeline:
    """The parts of ingestion that hold models: embedder and chunker, built once."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.embedder = embedder or get_embedder(settings.embed_threads, settings.embed_batch_tokens,
                                                    settings.cache_dir)
        self.chunker = Chunker(self.embedder.tokens, settings.chunk_tokens, settings.chunk_overlap,
                              self.embedder.max_tokens - 2)  # [CLS] and [SEP]
        self.llm = OpenAICompatibleLLM(settings) if settings.claims_extractor == "llm" else None
        self.reset_claim_counts()

    def reset_claim_counts(self) -> None:
        self.claims_dropped = 0  # LLM claim lines whose quote is not in the article
        self.claims_fallbacks = 0  # articles given rule-based claims because the LLM failed
        self.llm_failure = ""  # after one failure the rest of the build uses the rules: no timeout per article

    def extract_claims(self, article: Article) -> list[claims.Claim]:
        """Who said what in one article: by the rules, or by the LLM with the rules as fallback.

        Figures always come from the parse, which reads numbers exactly.
        """
        by_rules = attribution.extract(article.id, article.text, published=article.published, title=article.title,
                                  source=article.source)
        if self.llm is None:
            return by_rules
        if not self.llm_failure:
            try:
                got = claims_llm.extract(article.id, article.text, self.llm.complete,
                                         lambda text: render("claims", text=text))
            except LLMError as exc:
                self.llm_failure = str(exc)
            else:
                self.claims_dropped += got.dropped
                for c in got.claims:
                    c.published, c.title, c.source = article.published, article.title, article.source
                return got.claims + [c for c in by_rules if c.kind == "figure"]
        self.claims_fallbacks += 1
        return by_rules

    def prepare(self, raw: RawArticle) -> Article:
        cleaned = clean(raw.raw, self.embedder.vocabulary)
        return Article(
            id=raw.id,
            title=raw.title or cleaned.title or fallback_title(cleaned.text),
            source=raw.source,
            published=raw.published,
            url=raw.url,
            path=raw.path,
            root=raw.root,
            text=cleaned.text,
            raw=raw.raw,
            offsets=cleaned.offsets,
            content_hash=raw.content_hash,
            dropped=cleaned.dropped,
        )

    def open_store(self) -> IndexStore:
        return IndexStore(self.settings, self.embedder.name, self.embedder.dim)


def _is_container(path: str) -> bool:
    """A JSONL(.gz) file holds many articles; its path alone does not name one."""
    return Path(path.split(":")[0]).suffix.lower() not in TEXT_SUFFIXES


def text_hash(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).lower().encode()).hexdigest()


def _why(exc: BaseException) -> str:
    """One line for a failed article: the exception's type and the start of its message."""
    first = (str(exc).strip().splitlines() or [""])[0]
    return f"{type(exc).__name__}: {first[:200]}" if first else type(exc).__name__


def build(
    paths: Iterable[Path] | None,
    settings: Settings,
    *,
    prune: bool = True,
    progress: bool = True,
    pipeline: Pipeline | None = None,
    on_skip: Callable[[Outcome], None] | None = None,
) -> BuildReport:
    """Bring the index in line with the articles under ``paths`` (default: the bundled corpus).

    Every input gets an ``Outcome`` in the report. Each article is prepared, chunked and embedded
    on its own terms: one that fails or is too long is reported and the rest is ingested.
    """
    started = time.perf_counter()
    roots = [Path(p) for p in (paths or [BUNDLED_CORPUS])]
    pipe = pipeline or Pipeline(settings)
    pipe.reset_claim_counts()
    store = pipe.open_store()
    report = BuildReport()
    existing = store.records(with_text=True)
    seen_text = {text_hash(r.text): r.id for r in existing.values()}
    seen_ids: set[str] = set()
    bar = tqdm(desc="indexing", unit="article", disable=not progress, dynamic_ncols=True)

    def turn_down(outcome: Outcome) -> None:
        report.outcomes.append(outcome)
        if on_skip:
            on_skip(outcome)
        else:
            bar.write(str(outcome), file=sys.stderr)

    pending: list[tuple[Article, Outcome]] = []
    writer = _Writer(store, report, pipe)
    try:
        for item in load(roots, int(settings.max_file_mb * 1e6)):
            bar.update(1)
            if isinstance(item, Skipped):
                turn_down(Outcome("skipped", item.path, reason=item.reason))
                continue
            prepared = _admit(item, pipe, settings, existing, seen_ids, seen_text)
            if isinstance(prepared, Outcome):
                (report.outcomes.append if prepared.status == "unchanged" else turn_down)(prepared)
                continue
            outcome = Outcome("updated" if item.id in existing else "added", item.path, item.id, prepared.title)
            report.outcomes.append(outcome)
            report.notes.extend(f"{item.path or item.id}: {note}" for note in item.notes)
            if prepared.dropped:
                report.dropped[prepared.id] = prepared.dropped
            pending.append((prepared, outcome))
            if len(pending) >= GROUP or sum(len(a.text) for a, _ in pending) >= GROUP_CHARS:
                _flush(pending, pipe, writer, report, turn_down, existing)
                pending = []
        _flush(pending, pipe, writer, report, turn_down, existing)
    finally:
        writer.close()
        bar.close()

    if prune:
        root_strs = {str(r.resolve()) for r in roots}
        for ident, rec in existing.items():
            if rec.root in root_strs and ident not in seen_ids:
                store.delete_article(ident)
                report.outcomes.append(Outcome("removed", rec.path, ident, rec.title, "gone from the input"))
    store.sweep_orphans()
    if pipe.llm is not None:
        report.notes.append(f"claims by {pipe.llm.name}: {pipe.claims_dropped} lines dropped (quote not in the "
                            f"article), {pipe.claims_fallbacks} articles given rule-based claims instead")
        if pipe.llm_failure:
            report.notes.append(f"  the LLM failed, so the rules were used from then on: {pipe.llm_failure}")
    report.seconds = time.perf_counter() - started
    return report


def _admit(
    item: RawArticle, pipe: Pipeline, settings: Settings, existing: dict[str, ArticleRecord],
    seen_ids: set[str], seen_text: dict[str, str],
) -> Article | Outcome:
    """The cleaned article to index, or why it is not indexed (unchanged, too long, duplicate, failed)."""
    if item.id in seen_ids:
        return Outcome("skipped", item.path, item.id, item.title, f"duplicate article id {item.id!r} in this input")
    seen_ids.add(item.id)
    old = existing.get(item.id)
    if old and old.content_hash == item.content_hash and old.chunking == settings.chunking:
        return Outcome("unchanged", item.path, item.id, old.title)
    if len(item.raw) > settings.max_article_chars:
        return Outcome("skipped", item.path, item.id, item.title,
                       f"too long ({len(item.raw):,} characters; the limit is {settings.max_article_chars:,}, "
                       "NEWSQA_MAX_ARTICLE_CHARS)")
    try:
        article = pipe.prepare(item)
    except Exception as exc:  # one article's bug must not sink the build
        return Outcome("failed", item.path, item.id, item.title, f"cleaning failed: {_why(exc)}")
    if not article.text.strip():
        return Outcome("skipped", item.path, item.id, article.title, "no article text left after cleaning")
    twin = seen_text.get(text_hash(article.text))
    if twin and twin != article.id:
        return Outcome("skipped", item.path, item.id, article.title,
                       f"duplicate of the already indexed article {twin!r}")
    seen_text[text_hash(article.text)] = article.id
    return article


class _Writer:
    """Writes one group of articles in the background while the next group is embedded.

    ONNX Runtime and Chroma both release the GIL, so writing (and claim extraction) overlaps
    embedding. At most one group is in flight, and groups are written in order, so an ingest
    killed at any point still leaves each article either committed or redone by the next build.
    """

    def __init__(self, store: IndexStore, report: BuildReport, pipe: Pipeline) -> None:
        self.store = store
        self.report = report
        self.pipe = pipe
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="index-writer")
        self.pending: Future[None] | None = None

    def submit(self, group: list[tuple[Article, Outcome, list[Chunk], np.ndarray]],
               kept_claims: dict[str, list[claims.Claim]]) -> None:
        self.wait()
        self.pending = self.pool.submit(self._write, group, kept_claims)

    def wait(self) -> None:
        if self.pending is not None:
            pending, self.pending = self.pending, None
            pending.result()

    def close(self) -> None:
        try:
            self.wait()
        finally:
            self.pool.shutdown()

    def _write(self, group: list[tuple[Article, Outcome, list[Chunk], np.ndarray]],
               kept_claims: dict[str, list[claims.Claim]]) -> None:
        batch, outcomes = [], []
        for article, outcome, chunks, vectors in group:
            try:
                found = kept_claims[article.id] if article.id in kept_claims else self.pipe.extract_claims(article)
            except Exception as exc:  # the article is not committed; an updated one keeps its old version
                outcome.status, outcome.reason = "failed", f"who-said-what failed: {_why(exc)}"
                continue
            batch.append((article, chunks, vectors, found))
            outcomes.append(outcome)
        try:
            self.store.write_articles(batch)
        except Exception:  # find the article Chroma refuses: each is written on its own
            for item, outcome in zip(batch, outcomes, strict=True):
                try:
                    self.store.write_articles([item])
                except Exception as exc:
                    outcome.status, outcome.reason = "failed", f"writing to the index failed: {_why(exc)}"
        self.report.claims += sum(len(found) for (*_, found), o in zip(batch, outcomes, strict=True)
                                  if o.status != "failed")


def _flush(pending: list[tuple[Article, Outcome]], pipe: Pipeline, writer: _Writer, report: BuildReport,
           turn_down: Callable[[Outcome], None], existing: dict[str, ArticleRecord]) -> None:
    """Chunk and embed a group of articles; an article that fails either step is turned down alone."""
    chunked: list[tuple[Article, Outcome, list[Chunk]]] = []
    for article, outcome in pending:
        try:
            chunked.append((article, outcome, pipe.chunker.chunk(article)))
        except Exception as exc:
            _fail(report, outcome, f"chunking failed: {_why(exc)}", turn_down)
    if not chunked:
        return
    known, kept_claims = _kept(writer.store, [a for a, _, _ in chunked], existing)
    t = time.perf_counter()
    try:
        group = [(a, o, c, v) for (a, o, c), v in zip(chunked, _embed(pipe.embedder, chunked, known, report),
                                                      strict=True)]
    except Exception:  # find the article that breaks embedding: embed each on its own
        group = []
        for item in chunked:
            try:
                group.append((*item, _embed(pipe.embedder, [item], known, report)[0]))
            except Exception as exc:
                _fail(report, item[1], f"embedding failed: {_why(exc)}", turn_down)
    report.embed_seconds += time.perf_counter() - t
    report.chunks += sum(len(chunks) for _, _, chunks, _ in group)
    writer.submit(group, kept_claims)


def _kept(store: IndexStore, articles: list[Article], existing: dict[str, ArticleRecord]
          ) -> tuple[dict[str, np.ndarray], dict[str, list[claims.Claim]]]:
    """What re-indexing these articles need not compute again: the stored vectors of the sentences they
    already had, and, for an article only re-chunked (same content, same pipeline), its who-said-what.
    A new chunk size re-chunks an index without embedding or parsing it again."""
    old = {a.id: existing[a.id] for a in articles if a.id in existing}
    vectors = store.article_sentences({i: r.text for i, r in old.items() if r.text}) if old else {}
    rechunked = sorted(a.id for a in articles if a.id in old and old[a.id].content_hash == a.content_hash)
    kept: dict[str, list[claims.Claim]] = {i: [] for i in rechunked}
    if rechunked:
        for c in store.claims({"article_id": {"$in": rechunked}}):
            kept[c.article_id].append(c)
    # all of them, as the record counted them: an ingest killed while rewriting them parses again
    return vectors, {i: found for i, found in kept.items() if len(found) == old[i].claims}


def _unique_sentences(chunks: list[Chunk]) -> list[tuple[int, int, int]]:
    """An article's sentences once each (neighbouring chunks share the sentences of their overlap)."""
    return list(dict.fromkeys(s for c in chunks for s in c.sentences))


def _embed(embedder: Embedder, chunked: list[tuple[Article, Outcome, list[Chunk]]], known: dict[str, np.ndarray],
           report: BuildReport) -> list[np.ndarray]:
    """Embed every sentence once (those in ``known`` not at all); give each chunk its sentences' vectors,
    and return the chunk vectors (the mean of its sentences'), one array per article."""
    texts: list[str] = []
    rows: list[dict[tuple[int, int, int], int]] = []
    fresh: list[int] = []  # rows of ``texts`` to embed; the others are in ``known``
    tokens = 0
    for article, _, chunks in chunked:
        row = {}
        for span in _unique_sentences(chunks):
            row[span] = len(texts)
            text = article.text[span[0] : span[1]]
            if text not in known:
                fresh.append(len(texts))
                tokens += span[2] + 2  # [CLS] and [SEP]
            texts.append(text)
        rows.append(row)
    vectors = np.stack([known.get(t, np.zeros(embedder.dim, dtype=np.float32)) for t in texts]) if texts \
        else np.zeros((0, embedder.dim), dtype=np.float32)
    if fresh:
        vectors[fresh] = embedder.embed([texts[i] for i in fresh])
    report.tokens += tokens
    report.reused += len(texts) - len(fresh)
    out = []
    for (_, _, chunks), row in zip(chunked, rows, strict=True):
        for c in chunks:
            c.sentence_vectors = vectors[[row[s] for s in c.sentences]]
        out.append(np.stack([mean_vector(c.sentence_vectors) for c in chunks if c.sentence_vectors is not None])
                   if chunks else np.zeros((0, embedder.dim), dtype=np.float32))
    return out


def _fail(report: BuildReport, outcome: Outcome, reason: str, turn_down: Callable[[Outcome], None]) -> None:
    """An article counted as added/updated that a later step could not finish."""
    report.outcomes.remove(outcome)
    outcome.status, outcome.reason = "failed", reason
    turn_down(outcome)


def add_files(files: Iterable[Path], settings: Settings, pipeline: Pipeline | None = None) -> BuildReport:
    """Index single files without pruning anything (the UI's upload path)."""
    return build(list(files), settings, prune=False, progress=False, pipeline=pipeline)
