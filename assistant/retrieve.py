"""Question -> passages: keyword (BM25) and dense (Chroma via llama-index) candidates, fused by score.

Both retrievers see the same chunks. Each one's scores are divided by its best score for the
question, so that cosine similarities and BM25 scores meet on one scale, then mixed with fixed
weights. A question asked as of a day ("this week", or an as-of date given with it) also prefers
articles published shortly before that day. The weights were chosen on RealTime QA 2023's first
200 questions and checked on its last 200 (README, "Retrieval").
"""

from __future__ import annotations

import math
import threading
from typing import Any

from llama_index.core import VectorStoreIndex
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.schema import NodeWithScore, QueryBundle
from llama_index.core.vector_stores.types import FilterCondition, FilterOperator, MetadataFilter, MetadataFilters
from pydantic import PrivateAttr

from assistant.types import Filters, Passage
from index import bm25
from index.dates import day_number
from index.embedder import Embedder
from index.models import published_key
from index.store import IndexStore
from settings import Settings

# Keyword over meaning, on 400-token chunks: RealTime QA first 200, end-to-end MRR 0.756 (0.5 / 0.5), 0.767
# (0.6 / 0.4), 0.773 (0.7 / 0.3), 0.774 (0.8 / 0.2); checked on the last 200: 0.624 (0.5 / 0.5), 0.628 (0.7 / 0.3).
# A chunk's vector is the mean of its sentences', which blurs as chunks grow; BM25 does not.
KEYWORD_WEIGHT = 0.7
DENSE_WEIGHT = 0.3
# What a passage from the as-of day gains (the best keyword and dense match: 1.0). On 400-token chunks,
# RealTime QA first 200, end-to-end MRR 0.762 (0.2), 0.773 (0.3), 0.785 (0.45), 0.794 (0.6); last 200:
# 0.628 (0.3), 0.640 (0.45), 0.648 (0.6, but hit@8 0.820 -> 0.805). Only questions asked as of a day
# ("this week", or an as-of date) are ranked by date at all.
RECENCY_WEIGHT = 0.45
RECENCY_DAYS = 7.0  # ... one a week older e^-1 of that


class OnnxEmbedding(BaseEmbedding):
    """llama-index's embedding interface over our offline ONNX embedder."""

    _embedder: Embedder = PrivateAttr()

    def __init__(self, embedder: Embedder, **kwargs: Any) -> None:
        super().__init__(model_name=embedder.name, embed_batch_size=64, **kwargs)
        self._embedder = embedder

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._embedder.embed_query(query).tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._embedder.embed_query(text).tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return [list(map(float, v)) for v in self._embedder.embed(texts)]


def to_metadata_filters(filters: Filters | None) -> MetadataFilters | None:
    if filters is None or filters.empty():
        return None
    parts: list[MetadataFilter] = []
    if filters.sources:
        parts.append(MetadataFilter(key="source", value=list(filters.sources), operator=FilterOperator.IN))
    if filters.article_ids:
        parts.append(MetadataFilter(key="article_id", value=list(filters.article_ids), operator=FilterOperator.IN))
    if filters.date_from:
        parts.append(MetadataFilter(key="published_key", value=published_key(filters.date_from),
                                    operator=FilterOperator.GTE))
    if filters.date_to:
        parts.append(MetadataFilter(key="published_key", value=published_key(filters.date_to),
                                    operator=FilterOperator.LTE))
    return MetadataFilters(filters=parts, condition=FilterCondition.AND)


def passes(meta: dict[str, Any], filters: Filters | None) -> bool:
    """The same filters, applied to BM25 hits (BM25 has no metadata index)."""
    if filters is None or filters.empty():
        return True
    key = int(meta.get("published_key", 0) or 0)  # a partial date ("2024-10") counts as its first day
    return (
        (not filters.sources or meta.get("source") in filters.sources)
        and (not filters.article_ids or meta.get("article_id") in filters.article_ids)
        and (not filters.date_from or key >= published_key(filters.date_from))
        and (not filters.date_to or 0 < key <= published_key(filters.date_to))
    )


def recency(published: str, now: int, grace_days: float = 0.0) -> float:
    """How close an article is to the as-of day, in (0, 1]: 1 up to a day after it (and ``grace_days``
    before it), decaying with age; an article from after that day (or undated) gets nothing."""
    day = day_number(published)
    if not day or not now:
        return 0.0
    age = now - day
    return math.exp(-max(age - grace_days, 0) / RECENCY_DAYS) if age >= -1 else 0.0


def fuse(dense: list[NodeWithScore], keyword: list[NodeWithScore], now: int = 0) -> list[tuple[NodeWithScore, float]]:
    """One ranking from both retrievers' scores, each divided by its best, plus recency when ``now``."""
    scores: dict[str, float] = {}
    nodes: dict[str, NodeWithScore] = {}
    for hits, weight in ((dense, DENSE_WEIGHT), (keyword, KEYWORD_WEIGHT)):
        best = max((h.score or 0.0 for h in hits), default=0.0)
        for hit in hits:
            nid = hit.node.node_id
            nodes.setdefault(nid, hit)
            if best > 0:
                scores[nid] = scores.get(nid, 0.0) + weight * max(hit.score or 0.0, 0.0) / best
    if now:
        for nid, hit in nodes.items():
            scores[nid] = scores.get(nid, 0.0) + RECENCY_WEIGHT * recency(str(hit.node.metadata.get("published", "")),
                                                                          now)
    return sorted(((nodes[n], scores.get(n, 0.0)) for n in nodes), key=lambda x: -x[1])


class HybridRetriever:
    def __init__(self, settings: Settings, store: IndexStore, embedder: Embedder) -> None:
        self.settings = settings
        self.store = store
        self.index = VectorStoreIndex.from_vector_store(store.vector_store, embed_model=OnnxEmbedding(embedder))
        self._lock = threading.Lock()
        self.refresh()

    def refresh(self) -> None:
        """Pick up articles added or removed since start-up (BM25 is rebuilt if stale)."""
        self.bm25 = bm25.load_or_build(self.store, self.settings, self.settings.candidates)
        self.newest = max((day_number(r.published) for r in self.store.records().values()), default=0)

    def retrieve(self, question: str, filters: Filters | None = None, k: int | None = None,
                 now: int = 0) -> list[Passage]:
        """The best ``k`` passages per retriever, fused; ``now`` (a day number, 0 for none) is the as-of day."""
        k = k or self.settings.candidates
        dense = self.index.as_retriever(similarity_top_k=k, filters=to_metadata_filters(filters)).retrieve(question)
        sparse: list[NodeWithScore] = []
        keyword = self.bm25
        if keyword is not None:
            corpus_size = int(keyword.bm25.scores.get("num_docs", 0) or 0)
            with self._lock:  # top-k is an attribute of the shared retriever
                keyword.similarity_top_k = max(1, min(corpus_size, k * (3 if filters and not filters.empty() else 1)))
                hits = keyword.retrieve(QueryBundle(question))
            sparse = [h for h in hits if passes(h.node.metadata, filters) and (h.score or 0) > 0][:k]
        return [
            Passage.from_metadata(hit.node.node_id, hit.node.get_content(), hit.node.metadata, score)
            for hit, score in fuse(dense, sparse, now)
        ]
