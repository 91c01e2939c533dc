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
        retriever = BM25Retriever.from_persist_dir(str(folder), show_progress=False)
        retriever.similarity_top_k = top_k
        return retriever
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
    retriever.similarity_top_k = top_k
    return retriever
