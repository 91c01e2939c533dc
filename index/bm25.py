"""The keyword (BM25) index over the same chunks as the dense index, cached on local disk.

Chroma holds the chunks; the BM25 index is derived from them and rebuilt whenever the set of
indexed article versions changes (its fingerprint), also when Chroma runs as a server.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
from pathlib import Path

import Stemmer
from llama_index.retrievers.bm25 import BM25Retriever

from index.store import IndexStore
from settings import Settings

logging.getLogger("bm25s").setLevel(logging.WARNING)  # bm25s sets itself to DEBUG when imported

TOKEN_PATTERN = r"(?u)\b\w+\b"  # keep one-character tokens: "1,500" -> "1", "500"
INDEXED_METADATA = ("title",)  # a chunk is found by its article's title too; ids, offsets and paths are noise
FORMAT = "2"  # part of the cache stamp: bump when what is indexed changes


def bm25_dir(settings: Settings) -> Path:
    return settings.home / "bm25" / settings.collection


def load_or_build(store: IndexStore, settings: Settings, top_k: int = 30) -> BM25Retriever | None:
    """The BM25 retriever for the current index, or None when the index is empty."""
    folder = bm25_dir(settings)
    stamp = folder / "FINGERPRINT"
    fingerprint = f"{FORMAT}:{store.fingerprint()}"
    if stamp.exists() and stamp.read_text() == fingerprint:
        return _load(folder, top_k)
    nodes = store.all_chunks()
    if not nodes:
        return None
    for node in nodes:
        node.excluded_embed_metadata_keys = [k for k in node.metadata if k not in INDEXED_METADATA]
    retriever = BM25Retriever.from_defaults(
        nodes=nodes,
        similarity_top_k=min(top_k, len(nodes)),
        stemmer=Stemmer.Stemmer("english"),
        language="english",
        token_pattern=TOKEN_PATTERN,
    )
    shutil.rmtree(folder, ignore_errors=True)
    with open(os.devnull, "w") as quiet, contextlib.redirect_stderr(quiet):  # bm25s's own progress bars
        retriever.persist(str(folder))
    stamp.write_text(fingerprint)
    return _load(folder, top_k)


def _load(folder: Path, top_k: int) -> BM25Retriever:
    """The persisted index, memory-mapped: its corpus (each chunk's text and node, 2.5 KB a chunk)
    stays on disk until a hit is read. At 52k chunks a process holds 16 MB instead of 258 MB, and a
    query still takes ~4 ms. A rebuild writes new files; a process that mapped the old ones reads
    them until it reloads (unlinked files stay readable while mapped)."""
    retriever = BM25Retriever.from_persist_dir(str(folder), show_progress=False, mmap=True)
    retriever.similarity_top_k = top_k
    return retriever
