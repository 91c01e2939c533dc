"""Chroma storage: chunk vectors (through llama-index's ChromaVectorStore) and article records.

Two collections live side by side:
- ``<name>_chunks``: one record per chunk (vector, text, span metadata), written by llama-index.
- ``<name>_articles``: one record per article (cleaned text, metadata, content hash, vector =
  mean of its chunk vectors). An article's record is written *after* its chunks, so it is the
  commit marker: an ingest killed half-way leaves an article without a current record, and the
  next build redoes exactly that article.
The same code serves an embedded ``PersistentClient`` and a ``chroma run`` server.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import chromadb
import numpy as np
from chromadb.api.shared_system_client import SharedSystemClient
from chromadb.config import Settings as ChromaSettings
from llama_index.core.schema import BaseNode, NodeRelationship, RelatedNodeInfo, TextNode
from llama_index.core.vector_stores.utils import node_to_metadata_dict
from llama_index.vector_stores.chroma import ChromaVectorStore

from index import sentences
from index.claims import Claim
from index.models import Article, Chunk
from index.sentences import mean_vector
from settings import Settings

_GET_PAGE = 5000
LEGACY_CHUNKING = "400/32"  # records written before the chunking was recorded: pipeline 9's defaults
SENTENCES_KEY = "_sentences"  # chunk metadata: its sentences' spans and vectors (index/sentences.py)
_STAMP_ID = "generation"
STAMP_TTL = 0.5  # seconds a reader trusts the stamp it read: one small request per half second at most
# Statements are read by metadata, never searched by vector; Chroma still keeps a vector index per
# collection and loads it on the first read. With each statement's chunk vector (384 numbers) that
# index held ~320 MB of a full-corpus app (157,834 statements); a one-number placeholder holds ~1 MB.
CLAIM_VECTOR = [1.0]


class StoreError(RuntimeError):
    """The index cannot be opened or used; the message tells the user what to do."""


@dataclass
class ArticleRecord:
    id: str
    title: str
    source: str
    published: str
    url: str
    path: str
    root: str
    content_hash: str
    chunks: int
    text: str = ""
    chunking: str = ""  # Settings.chunking of the build that chunked it
    claims: int = -1  # how many claims were written with it (-1: not recorded)

    @classmethod
    def from_chroma(cls, ident: str, meta: dict[str, Any], text: str | None) -> ArticleRecord:
        return cls(
            id=ident,
            title=str(meta.get("title", "")),
            source=str(meta.get("source", "")),
            published=str(meta.get("published", "")),
            url=str(meta.get("url", "")),
            path=str(meta.get("path", "")),
            root=str(meta.get("root", "")),
            content_hash=str(meta.get("content_hash", "")),
            chunks=int(meta.get("chunks", 0)),
            text=text or "",
            chunking=str(meta.get("chunking", LEGACY_CHUNKING)),
            claims=int(meta.get("claims", -1)),
        )


WAY_OUT = "`python -m index build --reset` moves a damaged index aside and builds a fresh one"
SQLITE_FILE = "chroma.sqlite3"
GENERATION_FILE = "index.generation"  # rewritten by every change; see index/reader.py


def open_client(settings: Settings) -> Any:
    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=True)
    try:
        if settings.chroma_host:
            return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings)
        check_sqlite(settings.chroma_path / SQLITE_FILE)
        settings.chroma_path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.chroma_path), settings=chroma_settings)
    except StoreError:
        raise
    except Exception as exc:  # chromadb raises many types; the user needs one clear line
        raise _open_error(settings, exc) from exc


def _open_error(settings: Settings, exc: Exception) -> StoreError:
    way_out = "" if settings.chroma_host else f"; {WAY_OUT}"
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return StoreError(f"cannot open the index ({settings.store_label}): {first}{way_out}")


def check_sqlite(db: Path) -> None:
    """Refuse an empty, foreign or truncated database file, which Chroma would take as an empty index."""
    if not db.exists():
        return
    size = db.stat().st_size
    with db.open("rb") as fh:
        header = fh.read(100)
    problem = ""
    if size == 0:
        problem = "is empty (0 bytes)"
    elif not header.startswith(b"SQLite format 3\x00"):
        problem = "is not an SQLite database"
    elif len(header) == 100 and header[24:28] == header[92:96]:  # the page count in the header is valid
        page = int.from_bytes(header[16:18], "big")
        expected = (65536 if page == 1 else page) * int.from_bytes(header[28:32], "big")
        if size < expected:
            problem = f"is truncated ({size:,} of {expected:,} bytes)"
    if problem:
        raise StoreError(f"the index database {db} {problem}; {WAY_OUT}")


def bump_generation(settings: Settings) -> None:
    """Tell readers in other processes that the index changed (written whole, then renamed)."""
    marker = settings.home / GENERATION_FILE
    with contextlib.suppress(OSError):  # a read-only home: readers then notice at their next restart
        marker.parent.mkdir(parents=True, exist_ok=True)
        tmp = marker.with_name(f".{marker.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}")
        tmp.write_text(f"{os.getpid()} {uuid.uuid4().hex}")
        os.replace(tmp, marker)


def move_aside(settings: Settings) -> Path:
    """Rename the embedded index folder to ``chroma.broken-<UTC time>`` so a fresh one can start."""
    folder = settings.chroma_path
    target = folder.with_name(f"{folder.name}.broken-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}")
    n = 2
    while target.exists():
        target, n = target.with_name(f"{target.name.split('~')[0]}~{n}"), n + 1
    forget_client(settings)
    folder.rename(target)
    bump_generation(settings)
    return target


def forget_client(settings: Settings) -> None:
    """Drop chromadb's per-path cache of an embedded client, so the next open reads the folder anew.

    Chroma keeps one system per path for the life of the process; after the folder was replaced
    (or moved aside) it would go on using the old database. Readers that hold the old client
    keep working with it until they are done.
    """
    if not settings.chroma_host:
        SharedSystemClient._identifier_to_system.pop(str(settings.chroma_path), None)
        SharedSystemClient._identifier_to_refcount.pop(str(settings.chroma_path), None)


class IndexStore:
    """Articles and chunks in Chroma, read and written by article id."""

    def __init__(self, settings: Settings, embedder_name: str, dim: int) -> None:
        self.settings = settings
        self.client = open_client(settings)
        meta = {"hnsw:space": "cosine", "embedder": embedder_name, "dim": dim}
        try:
            self.chunks = self.client.get_or_create_collection(
                f"{settings.collection}_chunks", metadata=meta, embedding_function=None
            )
            self.articles_col = self.client.get_or_create_collection(
                f"{settings.collection}_articles", metadata=meta, embedding_function=None
            )
            self.claims_col = self.client.get_or_create_collection(
                f"{settings.collection}_claims", metadata={**meta, "dim": len(CLAIM_VECTOR)}, embedding_function=None
            )
            self.state_col = self.client.get_or_create_collection(
                f"{settings.collection}_state", embedding_function=None
            )
        except Exception as exc:
            raise _open_error(settings, exc) from exc
        built_with = (self.chunks.metadata or {}).get("embedder")
        if built_with and built_with != embedder_name:
            raise StoreError(
                f"the index was built with the embedder {built_with!r}, not {embedder_name!r}; "
                "rebuild it with `python -m index build --reset`"
            )
        self.vector_store = ChromaVectorStore(chroma_collection=self.chunks)
        self.chunks_dim = dim
        # an index built before the placeholder keeps writing chunk vectors there until `build --reset`
        self.claims_dim = int((self.claims_col.metadata or {}).get("dim", dim))
        self.max_batch = int(self.client.get_max_batch_size())
        self._stamp = ("", 0.0)  # (stamp, monotonic time read)
        self._fingerprint = ("", "")  # (stamp it was computed under, fingerprint)
        if not self.stamp(fresh=True):  # an index built before stamps existed gets its first one
            with contextlib.suppress(Exception):  # read-only: the fingerprint is then scanned each time
                self.bump()

    # --- reading ---------------------------------------------------------------------------
    def records(self, with_text: bool = False) -> dict[str, ArticleRecord]:
        include = ["metadatas", "documents"] if with_text else ["metadatas"]
        out: dict[str, ArticleRecord] = {}
        for ids, metas, docs in self._pages(self.articles_col, include):
            for i, ident in enumerate(ids):
                out[ident] = ArticleRecord.from_chroma(ident, metas[i] or {}, docs[i] if docs else None)
        return out

    def record(self, article_id: str) -> ArticleRecord | None:
        got = self.articles_col.get(ids=[article_id], include=["metadatas", "documents"])
        if not got["ids"]:
            return None
        return ArticleRecord.from_chroma(got["ids"][0], got["metadatas"][0] or {}, got["documents"][0])

    def chunk_count(self) -> int:
        return int(self.chunks.count())

    def all_chunks(self) -> list[BaseNode]:
        """Every chunk as a llama-index node (text + metadata), for the BM25 index."""
        nodes: list[BaseNode] = []
        for ids, metas, docs in self._pages(self.chunks, ["metadatas", "documents"]):
            for i, ident in enumerate(ids):
                meta = {k: v for k, v in (metas[i] or {}).items() if not k.startswith("_") and k not in _LI_KEYS}
                nodes.append(TextNode(id_=ident, text=docs[i] or "", metadata=meta))
        return nodes

    def fingerprint(self) -> str:
        """Changes whenever the set of indexed article versions changes (BM25 cache key).

        Reading it scans every article record, so it is computed again only when the stamp moved.
        """
        stamp = self.stamp()  # read before the scan: a write during the scan moves it again
        if not stamp or stamp != self._fingerprint[0]:
            h = hashlib.sha256()
            for ident, rec in sorted(self.records().items()):
                h.update(f"{ident}={rec.content_hash}/{rec.chunking};".encode())
            self._fingerprint = (stamp, h.hexdigest()[:16])
        return self._fingerprint[1]

    # --- change detection --------------------------------------------------------------------
    def stamp(self, fresh: bool = False) -> str:
        """The index's generation stamp, which every write replaces: ``<chunks collection id>/<token>``.

        It lives in Chroma (collection ``<name>_state``), so processes on other homes that share a
        ``chroma run`` server see each other's writes; one small request, at most every STAMP_TTL s.
        "" when it cannot be read.
        """
        value, read_at = self._stamp
        if not fresh and value and time.monotonic() - read_at < STAMP_TTL:
            return value
        try:
            got = self.state_col.get(ids=[_STAMP_ID], include=["metadatas"])
        except Exception:  # the collection was dropped (a reset elsewhere): look it up again once
            try:
                self.state_col = self.client.get_collection(self.state_col.name)
                got = self.state_col.get(ids=[_STAMP_ID], include=["metadatas"])
            except Exception:
                return ""
        metas = got.get("metadatas") or [{}]
        value = str((metas[0] or {}).get("stamp", "")) if got["ids"] else ""
        self._stamp = (value, time.monotonic())
        return value

    def owns(self, stamp: str) -> bool:
        """Was this stamp written over the collections this store holds (not over a reset's new ones)?"""
        return not stamp or stamp.startswith(f"{self.chunks.id}/")

    def bump(self) -> None:
        """Record a change: a new stamp in Chroma, and the local marker file (see index/reader.py)."""
        value = f"{self.chunks.id}/{uuid.uuid4().hex}"
        self.state_col.upsert(ids=[_STAMP_ID], embeddings=[[1.0]], metadatas=[{"stamp": value}])
        self._stamp = (value, time.monotonic())
        bump_generation(self.settings)

    @staticmethod
    def _pages(col: Any, include: list[str], where: dict[str, Any] | None = None) -> Any:
        offset = 0
        while True:
            got = col.get(include=include, limit=_GET_PAGE, offset=offset, where=where)
            if not got["ids"]:
                return
            yield got["ids"], got.get("metadatas"), got.get("documents")
            if len(got["ids"]) < _GET_PAGE:
                return
            offset += _GET_PAGE

    # --- writing ---------------------------------------------------------------------------
    def claims(self, where: dict[str, Any] | None = None) -> list[Claim]:
        """Attributed statements and figures (all, or those matching a Chroma ``where``)."""
        out: list[Claim] = []
        for _ids, metas, docs in self._pages(self.claims_col, ["metadatas", "documents"], where):
            out += [Claim.from_metadata(m or {}, d or "") for m, d in zip(metas, docs, strict=True)]
        return out

    def chunk_at(self, article_id: str, start: int, end: int) -> tuple[str, str, dict[str, Any]] | None:
        """The chunk (id, text, metadata) of an article that contains the span start..end."""
        return self.chunks_at([(article_id, start, end)])[0]

    def sentence_vectors(self, chunk_ids: list[str]) -> dict[str, sentences.SentenceVectors]:
        """The stored sentence vectors of these chunks, in one request (chunks indexed before they
        were stored have none)."""
        if not chunk_ids:
            return {}
        got = self.chunks.get(ids=list(dict.fromkeys(chunk_ids)), include=["metadatas"])
        out = {}
        for ident, meta in zip(got["ids"], got["metadatas"] or [], strict=True):
            blob = (meta or {}).get(SENTENCES_KEY)
            if isinstance(blob, str):
                with contextlib.suppress(ValueError):
                    out[ident] = sentences.unpack(blob)
        return out

    def article_sentences(self, texts: dict[str, str]) -> dict[str, np.ndarray]:
        """Sentence text -> stored vector, for the articles given (id -> the clean text they were indexed
        with): what re-indexing them need not embed again."""
        if not texts:
            return {}
        ids = sorted(texts)
        where = {"article_id": ids[0]} if len(ids) == 1 else {"article_id": {"$in": ids}}
        out: dict[str, np.ndarray] = {}
        for _ids, metas, _docs in self._pages(self.chunks, ["metadatas"], where):
            for meta in metas or []:
                blob, text = (meta or {}).get(SENTENCES_KEY), texts.get(str((meta or {}).get("article_id", "")))
                if isinstance(blob, str) and text:
                    with contextlib.suppress(ValueError):
                        found = sentences.unpack(blob)
                        out.update((text[a:b], v) for (a, b), v in zip(found.spans, found.vectors, strict=True))
        return out

    def chunks_at(self, spans: list[tuple[str, int, int]]) -> list[tuple[str, str, dict[str, Any]] | None]:
        """For each (article id, start, end), the first chunk that contains it, in one request.

        Chroma answers an equality on ``article_id`` from its metadata index, but a range on
        ``start``/``end`` by reading every chunk (90 ms at 9,000 chunks), so the ranges are matched here.
        """
        if not spans:
            return []
        articles = sorted({aid for aid, _, _ in spans})
        where = {"article_id": articles[0]} if len(articles) == 1 else {"article_id": {"$in": articles}}
        got = self.chunks.get(where=where, include=["metadatas", "documents"])
        by_article: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
        for ident, doc, meta in zip(got["ids"], got["documents"] or [], got["metadatas"] or [], strict=True):
            by_article.setdefault(str((meta or {}).get("article_id", "")), []).append((ident, doc or "", meta or {}))
        for rows in by_article.values():  # chunks overlap: of two that hold a span, the earlier one, not
            rows.sort(key=lambda r: int(r[2].get("start", 0)))  # whichever Chroma happened to return first
        return [next((r for r in by_article.get(aid, [])
                      if int(r[2].get("start", 0)) <= start and int(r[2].get("end", 0)) >= end), None)
                for aid, start, end in spans]

    def write_articles(self, batch: list[tuple[Article, list[Chunk], np.ndarray, list[Claim]]]) -> None:
        """Replace these articles' chunks and claims, then commit their records (see the module docstring).

        One Chroma call per kind for the whole batch: per-article calls made writing cost a third
        of ingest time.
        """
        if not batch:
            return
        ids = [article.id for article, *_ in batch]
        self.chunks.delete(where={"article_id": {"$in": ids}})
        self.claims_col.delete(where={"article_id": {"$in": ids}})
        chunk_rows: dict[str, list[Any]] = {"ids": [], "embeddings": [], "documents": [], "metadatas": []}
        claim_rows: list[tuple[Claim, list[float]]] = []
        records: dict[str, list[Any]] = {"ids": [], "embeddings": [], "documents": [], "metadatas": []}
        for article, chunks, vectors, claims in batch:
            for chunk, vec in zip(chunks, vectors, strict=True):
                node = TextNode(id_=chunk.id, text=chunk.text, metadata=dict(chunk.metadata))
                node.excluded_embed_metadata_keys = list(chunk.metadata)
                node.excluded_llm_metadata_keys = list(chunk.metadata)
                node.relationships[NodeRelationship.SOURCE] = RelatedNodeInfo(node_id=article.id)
                # What llama-index's ChromaVectorStore writes, plus the sentence vectors beside (not
                # inside) its serialised node, so they are stored once.
                meta = node_to_metadata_dict(node, remove_text=True, flat_metadata=True)
                if chunk.sentence_vectors is not None:
                    meta[SENTENCES_KEY] = sentences.pack([(a, b) for a, b, _ in chunk.sentences],
                                                         chunk.sentence_vectors)
                for key, value in zip(chunk_rows, (chunk.id, vec.tolist(), chunk.text, meta), strict=True):
                    chunk_rows[key].append(value)
            if len(vectors):
                claim_rows.extend((cl, self._claim_vector(cl, chunks, vectors)) for cl in claims)
            records["ids"].append(article.id)
            records["embeddings"].append((mean_vector(vectors) if len(vectors) else np.zeros(self.chunks_dim)).tolist())
            records["documents"].append(article.text)
            records["metadatas"].append({**article.metadata, "root": article.root,
                                         "content_hash": article.content_hash, "chunks": len(chunks),
                                         "chunking": self.settings.chunking, "claims": len(claims)})
        step = self.max_batch
        for i in range(0, len(chunk_rows["ids"]), step):  # Chroma refuses larger calls (5,461 rows embedded)
            self.chunks.add(**{k: v[i : i + step] for k, v in chunk_rows.items()})
        for i in range(0, len(claim_rows), step):
            rows = claim_rows[i : i + step]
            self.claims_col.add(
                ids=[cl.id for cl, _ in rows],
                documents=[cl.statement for cl, _ in rows],
                metadatas=[cl.to_metadata() for cl, _ in rows],
                embeddings=[v for _, v in rows],
            )
        for i in range(0, len(records["ids"]), step):
            self.articles_col.upsert(**{k: v[i : i + step] for k, v in records.items()})
        self.bump()

    def _claim_vector(self, claim: Claim, chunks: list[Chunk], vectors: np.ndarray) -> list[float]:
        """The placeholder; in an index built before it, the vector of the chunk the claim sits in."""
        if self.claims_dim == len(CLAIM_VECTOR):
            return CLAIM_VECTOR
        at = next((i for i, c in enumerate(chunks) if c.start <= claim.start < c.end), 0)
        return [float(x) for x in vectors[at]]

    def delete_article(self, article_id: str) -> None:
        """Record first, then chunks: a crash in between leaves orphans that `build` sweeps."""
        self.articles_col.delete(ids=[article_id])
        self.vector_store.delete(article_id)
        self.claims_col.delete(where={"article_id": article_id})
        self.bump()

    def sweep_orphans(self) -> int:
        """Delete chunks whose article has no record (left by a killed ingest or delete)."""
        known = set(self.records())
        orphans: set[str] = set()
        for ids, metas, _ in self._pages(self.chunks, ["metadatas"]):
            for i, _ident in enumerate(ids):
                aid = str((metas[i] or {}).get("article_id", ""))
                if aid not in known:
                    orphans.add(aid)
        for _ids, metas, _ in self._pages(self.claims_col, ["metadatas"]):
            orphans |= {str((m or {}).get("article_id", "")) for m in metas} - known
        for aid in orphans:
            self.vector_store.delete(aid)
            self.claims_col.delete(where={"article_id": aid})
        return len(orphans)

    def reset(self) -> None:
        for col in (self.chunks, self.articles_col, self.claims_col, self.state_col):
            with contextlib.suppress(Exception):  # already gone
                self.client.delete_collection(col.name)
        bump_generation(self.settings)


_LI_KEYS = {"document_id", "doc_id", "ref_doc_id"}


def describe(store: IndexStore) -> dict[str, Any]:
    records = store.records()
    return {
        "articles": len(records),
        "chunks": store.chunk_count(),
        "claims": int(store.claims_col.count()),
        "store": store.settings.store_label,
        "collection": store.settings.collection,
        "embedder": (store.chunks.metadata or {}).get("embedder"),
        "sources": sorted({r.source for r in records.values() if r.source}),
    }


def dumps(obj: Any) -> str:
    return json.dumps(obj, indent=2, ensure_ascii=False, default=str)
