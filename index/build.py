"""Files -> clean -> chunk -> embed -> Chroma, incrementally.

An article whose content hash is already in the index is skipped; a changed one has its chunks
replaced; one that disappeared from an input folder (or JSONL file) is deleted. Embedding runs
over many articles at once, so that length-bucketed batches stay full.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tqdm import tqdm

from backend.llm import LLMError, OpenAICompatibleLLM
from backend.prompts import render
from index import attribution, claims, claims_llm
from index.chunking import Chunker
from index.clean import clean, fallback_title
from index.embedder import Embedder, get_embedder
from index.loaders import Skipped, load
from index.models import Article, Chunk, RawArticle
from index.store import IndexStore
from settings import BUNDLED_CORPUS, Settings

GROUP = 64  # articles embedded together


@dataclass
class BuildReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    chunks: int = 0
    claims: int = 0
    tokens: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        rate = f", {self.tokens / self.embed_seconds:,.0f} tokens/s in the model" if self.embed_seconds else ""
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, {self.unchanged} unchanged, "
            f"{len(self.removed)} removed, {len(self.skipped)} skipped; {self.chunks} chunks ({self.tokens:,} tokens"
            f"{rate}), {self.claims} claims, in {self.seconds:.1f}s"
        ) + "".join(f"\n{note}" for note in self.notes)


class Pipeline:
    """The parts of ingestion that hold models: embedder and chunker, built once."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.embedder = embedder or get_embedder(settings.embed_threads, settings.embed_batch_tokens,
                                                    settings.cache_dir)
        self.chunker = Chunker(self.embedder.tokens, settings.chunk_tokens, settings.chunk_overlap)
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
        )

    def open_store(self) -> IndexStore:
        return IndexStore(self.settings, self.embedder.name, self.embedder.dim)


def _where(item: RawArticle) -> str:
    """A file path, or for one article of a JSONL file, the file and the article's id."""
    return item.path if Path(item.path).suffix.lower() in {".txt", ".md", ".html", ".htm", ".markdown"} \
        else f"{item.path} (id {item.id})"


def text_hash(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).lower().encode()).hexdigest()


def build(
    paths: Iterable[Path] | None,
    settings: Settings,
    *,
    prune: bool = True,
    progress: bool = True,
    pipeline: Pipeline | None = None,
    on_skip: Callable[[Skipped], None] | None = None,
) -> BuildReport:
    """Bring the index in line with the articles under ``paths`` (default: the bundled corpus)."""
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

    def skip(s: Skipped) -> None:
        report.skipped.append(s)
        if on_skip:
            on_skip(s)
        else:
            tqdm.write(str(s))

    pending: list[Article] = []
    writer = _Writer(store, report, pipe)
    for item in load(roots, int(settings.max_file_mb * 1e6)):
        bar.update(1)
        if isinstance(item, Skipped):
            skip(item)
            continue
        if item.id in seen_ids:
            skip(Skipped(_where(item), f"duplicate article id {item.id!r} in this input"))
            continue
        seen_ids.add(item.id)
        old = existing.get(item.id)
        if old and old.content_hash == item.content_hash:
            report.unchanged += 1
            continue
        article = pipe.prepare(item)
        if not article.text.strip():
            skip(Skipped(_where(item), "no article text left after cleaning"))
            continue
        twin = seen_text.get(text_hash(article.text))
        if twin and twin != article.id:
            skip(Skipped(_where(item), f"duplicate of the already indexed article {twin!r}"))
            continue
        seen_text[text_hash(article.text)] = article.id
        (report.updated if old else report.added).append(article.id)
        pending.append(article)
        if len(pending) >= GROUP:
            _flush(pending, pipe, writer, report)
            pending = []
    try:
        _flush(pending, pipe, writer, report)
    finally:
        writer.close()
    bar.close()

    if prune:
        root_strs = {str(r.resolve()) for r in roots}
        for ident, rec in existing.items():
            if rec.root in root_strs and ident not in seen_ids:
                store.delete_article(ident)
                report.removed.append(ident)
    store.sweep_orphans()
    if pipe.llm is not None:
        report.notes.append(f"claims by {pipe.llm.name}: {pipe.claims_dropped} lines dropped (quote not in the "
                            f"article), {pipe.claims_fallbacks} articles given rule-based claims instead")
        if pipe.llm_failure:
            report.notes.append(f"  the LLM failed, so the rules were used from then on: {pipe.llm_failure}")
    report.seconds = time.perf_counter() - started
    return report


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

    def submit(self, articles: list[Article], per_article: list[list[Chunk]], vectors: np.ndarray) -> None:
        self.wait()
        self.pending = self.pool.submit(self._write, articles, per_article, vectors)

    def wait(self) -> None:
        if self.pending is not None:
            pending, self.pending = self.pending, None
            pending.result()

    def close(self) -> None:
        try:
            self.wait()
        finally:
            self.pool.shutdown()

    def _write(self, articles: list[Article], per_article: list[list[Chunk]], vectors: np.ndarray) -> None:
        batch, pos = [], 0
        for article, chunks in zip(articles, per_article, strict=True):
            found = self.pipe.extract_claims(article)
            self.report.claims += len(found)
            batch.append((article, chunks, vectors[pos : pos + len(chunks)], found))
            pos += len(chunks)
        self.store.write_articles(batch)


def _flush(articles: list[Article], pipe: Pipeline, writer: _Writer, report: BuildReport) -> None:
    if not articles:
        return
    per_article = [pipe.chunker.chunk(a) for a in articles]
    flat: list[Chunk] = [c for cs in per_article for c in cs]
    t = time.perf_counter()
    vectors = pipe.embedder.embed([c.text for c in flat])
    report.embed_seconds += time.perf_counter() - t
    report.chunks += len(flat)
    report.tokens += sum(c.tokens for c in flat)
    writer.submit(articles, per_article, vectors)


def add_files(files: Iterable[Path], settings: Settings, pipeline: Pipeline | None = None) -> BuildReport:
    """Index single files without pruning anything (the UI's upload path)."""
    return build(list(files), settings, prune=False, progress=False, pipeline=pipeline)
