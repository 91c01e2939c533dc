"""Files -> clean -> chunk -> embed -> Chroma, incrementally.

An article whose content hash is already in the index is skipped; a changed one has its chunks
replaced; one that disappeared from an input folder (or JSONL file) is deleted. Embedding runs
over many articles at once, so that length-bucketed batches stay full.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from index import claims
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

    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, {self.unchanged} unchanged, "
            f"{len(self.removed)} removed, {len(self.skipped)} skipped; {self.chunks} chunks, {self.claims} claims "
            f"({self.tokens} tokens) embedded in {self.seconds:.1f}s"
        )


class Pipeline:
    """The parts of ingestion that hold models: embedder and chunker, built once."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.embedder = embedder or get_embedder(settings.embed_threads, settings.embed_batch_tokens)
        self.chunker = Chunker(self.embedder.token_ids, settings.chunk_tokens, settings.chunk_overlap)

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
    for item in load(roots, int(settings.max_file_mb * 1e6)):
        bar.update(1)
        if isinstance(item, Skipped):
            skip(item)
            continue
        if item.id in seen_ids:
            skip(Skipped(item.path, f"duplicate article id {item.id!r} in this input"))
            continue
        seen_ids.add(item.id)
        old = existing.get(item.id)
        if old and old.content_hash == item.content_hash:
            report.unchanged += 1
            continue
        article = pipe.prepare(item)
        if not article.text.strip():
            skip(Skipped(item.path, "no article text left after cleaning"))
            continue
        twin = seen_text.get(text_hash(article.text))
        if twin and twin != article.id:
            skip(Skipped(item.path, f"duplicate of the already indexed article {twin!r}"))
            continue
        seen_text[text_hash(article.text)] = article.id
        (report.updated if old else report.added).append(article.id)
        pending.append(article)
        if len(pending) >= GROUP:
            _flush(pending, pipe, store, report)
            pending = []
    _flush(pending, pipe, store, report)
    bar.close()

    if prune:
        root_strs = {str(r.resolve()) for r in roots}
        for ident, rec in existing.items():
            if rec.root in root_strs and ident not in seen_ids:
                store.delete_article(ident)
                report.removed.append(ident)
    store.sweep_orphans()
    report.seconds = time.perf_counter() - started
    return report


def _flush(articles: list[Article], pipe: Pipeline, store: IndexStore, report: BuildReport) -> None:
    if not articles:
        return
    per_article = [pipe.chunker.chunk(a) for a in articles]
    flat: list[Chunk] = [c for cs in per_article for c in cs]
    t = time.perf_counter()
    vectors = pipe.embedder.embed([c.text for c in flat])
    report.embed_seconds += time.perf_counter() - t
    report.chunks += len(flat)
    report.tokens += sum(c.tokens for c in flat)
    pos = 0
    for article, chunks in zip(articles, per_article, strict=True):
        found = claims.extract(article.id, article.text, published=article.published, title=article.title,
                               source=article.source)
        report.claims += len(found)
        store.write_article(article, chunks, vectors[pos : pos + len(chunks)], found)
        pos += len(chunks)


def add_files(files: Iterable[Path], settings: Settings, pipeline: Pipeline | None = None) -> BuildReport:
    """Index single files without pruning anything (the UI's upload path)."""
    return build(list(files), settings, prune=False, progress=False, pipeline=pipeline)
