"""The records that flow through ingestion: a loaded article and its chunks."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np

from index.dates import published_key

__all__ = ["PIPELINE_VERSION", "Article", "Chunk", "RawArticle", "published_key"]

# Bump when cleaning, chunking or embedding changes, so that `build` re-indexes everything.
PIPELINE_VERSION = "9"


@dataclass
class RawArticle:
    """An article as a loader found it, before cleaning."""

    id: str
    raw: str
    title: str = ""
    source: str = ""
    published: str = ""  # ISO date: YYYY-MM-DD, or YYYY-MM / YYYY if that is all the source says; or empty
    url: str = ""
    path: str = ""
    root: str = ""  # the input (folder or JSONL file) this article came from; used for pruning
    notes: list[str] = field(default_factory=list)  # problems that did not stop loading (an unreadable date)

    @property
    def content_hash(self) -> str:
        """Changes whenever anything that ends up in the index would change."""
        h = hashlib.sha256()
        for part in (PIPELINE_VERSION, self.raw, self.title, self.source, self.published, self.url):
            h.update(part.encode("utf-8", "surrogatepass"))
            h.update(b"\x00")
        return h.hexdigest()


@dataclass
class Article:
    """A cleaned article; ``offsets[i]`` is where character ``i`` of ``text`` sits in ``raw``."""

    id: str
    title: str
    source: str
    published: str
    url: str
    path: str
    root: str
    text: str
    raw: str
    offsets: list[int]
    content_hash: str
    dropped: list[str] = field(default_factory=list)  # furniture lines cleaning removed, for the build report

    @property
    def metadata(self) -> dict[str, str | int]:
        """What every chunk and the article record carry, for display and filtering."""
        return {
            "title": self.title,
            "source": self.source,
            "published": self.published,
            "published_key": published_key(self.published),
            "url": self.url,
            "path": self.path,
        }

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of the cleaned text back to the original file text."""
        if end <= start:
            pos = self.offsets[start] if start < len(self.offsets) else len(self.raw)
            return pos, pos
        return self.offsets[start], self.offsets[end - 1] + 1


@dataclass
class Chunk:
    """A passage of an article: ``article.text[start:end] == text``."""

    id: str
    article_id: str
    index: int
    text: str
    start: int
    end: int
    raw_start: int
    raw_end: int
    metadata: dict[str, str | int] = field(default_factory=dict)
    sentences: list[tuple[int, int, int]] = field(default_factory=list)  # (start, end, tokens) in the article
    sentence_vectors: np.ndarray | None = None  # one per sentence, set when embedded
