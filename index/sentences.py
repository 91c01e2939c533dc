"""Sentence vectors that travel with their chunk, so answering embeds only the question.

Ingestion embeds each sentence of an article once; a chunk's vector is the normalised mean of its
sentences' vectors (as good as embedding the chunk whole once fused with BM25, on both RealTime QA
splits; README "Retrieval"), and the sentences' spans and vectors are stored with the chunk for
the sentence-level rescoring. Vectors are kept as int8 with one scale each: a quarter of float32,
cosine error below 0.01.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

import numpy as np

FORMAT = 1


@dataclass(frozen=True)
class SentenceVectors:
    """The sentences of one chunk: spans in the article's clean text, one unit vector each."""

    spans: list[tuple[int, int]]
    vectors: np.ndarray  # (len(spans), dim) float32


def mean_vector(vectors: np.ndarray) -> np.ndarray:
    """A chunk's vector from its sentences' vectors."""
    mean = vectors.mean(axis=0)
    return (mean / max(float(np.linalg.norm(mean)), 1e-12)).astype(np.float32)


def pack(spans: list[tuple[int, int]], vectors: np.ndarray) -> str:
    """Spans and vectors as one ASCII string (Chroma metadata holds scalars only)."""
    n, dim = vectors.shape
    if n != len(spans):
        raise ValueError(f"{n} vectors for {len(spans)} spans")
    scale = np.maximum(np.abs(vectors).max(axis=1), 1e-12).astype(np.float32)
    quantized = np.round(vectors / scale[:, None] * 127).astype(np.int8)
    header = np.array([FORMAT, n, dim], dtype=np.int32)
    body = header.tobytes() + np.asarray(spans, dtype=np.int32).reshape(n, 2).tobytes() + scale.tobytes()
    return base64.b64encode(body + quantized.tobytes()).decode("ascii")


def unpack(blob: str) -> SentenceVectors:
    """The inverse of ``pack``; raises ``ValueError`` on anything else."""
    raw = base64.b64decode(blob, validate=True)
    version, n, dim = (int(x) for x in np.frombuffer(raw[:12], dtype=np.int32))
    if version != FORMAT or n < 0 or dim <= 0 or len(raw) != 12 + n * 8 + n * 4 + n * dim:
        raise ValueError("not a packed sentence-vector record")
    spans = np.frombuffer(raw[12 : 12 + n * 8], dtype=np.int32).reshape(n, 2)
    scale = np.frombuffer(raw[12 + n * 8 : 12 + n * 12], dtype=np.float32)
    quantized = np.frombuffer(raw[12 + n * 12 :], dtype=np.int8).reshape(n, dim)
    vectors = quantized.astype(np.float32) * (scale[:, None] / 127)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    return SentenceVectors([(int(a), int(b)) for a, b in spans], vectors)
