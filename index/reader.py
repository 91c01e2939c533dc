"""The read side of the index: how the assistant, the UI and the CLI open it, and notice changes.

Answering needs the store and the embedder, not the ingestion pipeline (cleaning, chunking,
who-said-what, the LLM client), so it opens the index here.

Every write to the index (a build, an upload, a remove, a reset, in any process) rewrites the
small file ``<home>/index.generation`` (writer's pid and a random token) and the index's stamp in
Chroma itself (``IndexStore.stamp``), which processes on other homes sharing a ``chroma run``
server see too. A long-running reader compares both, and the identity of the Chroma database
file, before each question: one ``stat``, one tiny read and one small request (at most every
``STAMP_TTL`` s). After its own writes, or another home's writes through a server, it refreshes
what it derived from the index (BM25, claims); after another process's writes on its own home,
when the database file was replaced, or when the collections were recreated (a reset), it opens
the store again: an embedded Chroma client keeps its vector index in memory and never sees other
processes' writes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from index.embedder import Embedder, get_embedder
from index.store import GENERATION_FILE, SQLITE_FILE, IndexStore
from settings import Settings


class HoldsEmbedder(Protocol):
    """Anything that already loaded the embedder (an ingestion ``Pipeline``, say)."""

    embedder: Embedder


def open_store(settings: Settings) -> IndexStore:
    """The index store, without loading the embedding model (listing, claims, info)."""
    return IndexStore(settings, Embedder.name, Embedder.dim)


def open_index(settings: Settings, embedder: Embedder | HoldsEmbedder | None = None) -> tuple[IndexStore, Embedder]:
    """The store and the embedder that queries it; pass one already loaded to share it."""
    if embedder is None:
        embedder = get_embedder(settings.embed_threads, settings.embed_batch_tokens, settings.cache_dir)
    elif not isinstance(embedder, Embedder):
        embedder = embedder.embedder
    return IndexStore(settings, embedder.name, embedder.dim), embedder


@dataclass(frozen=True)
class Generation:
    """What a reader compares to know whether the index changed under it."""

    marker: str
    database: tuple[int, int, int] | None  # device, inode, size-class of the sqlite file; None if absent
    stamp: str = ""  # the store's stamp in Chroma ("" without a store)

    @classmethod
    def now(cls, settings: Settings, store: IndexStore | None = None) -> Generation:
        marker = settings.home / GENERATION_FILE
        try:
            text = marker.read_text()
        except OSError:
            text = ""
        database = None if settings.chroma_host else _identity(settings.chroma_path / SQLITE_FILE)
        return cls(text, database, store.stamp() if store is not None else "")

    def needs_reopen(self, older: Generation, store: IndexStore) -> bool:
        """The store must be opened again: another process on this home wrote, the database file is
        another one, or the collections were recreated. A write through the same server from another
        home only needs a refresh: the server's vector index already holds it."""
        foreign = self.marker != older.marker and self.marker.split(" ")[0] != str(os.getpid())
        return foreign or self.database != older.database or not store.owns(self.stamp)


def _identity(db: Path) -> tuple[int, int, int] | None:
    try:
        st = db.stat()
    except OSError:
        return None
    return st.st_dev, st.st_ino, int(st.st_size == 0)
