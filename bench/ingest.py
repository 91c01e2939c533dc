"""Ingest throughput: `python -m bench.ingest [--corpus bundled|realtimeqa|PATH] [--limit N] [--baseline]`.

Builds a fresh index in a temporary folder and prints articles/s, chunks/s, embedded tokens/s
(tokens that reached the model, special tokens included, over the whole build and over the time
spent in the model), peak memory, and how long re-ingesting the unchanged corpus takes.
``--baseline`` also runs, on the same articles, the plain LlamaIndex pipeline the project is
measured against (default 1024-token SentenceSplitter chunks, the packaged ONNX file as it ships,
truncating each chunk to its 256-token window, batches of 10) and prints the ratio of the two.
"""

from __future__ import annotations

import argparse
import gzip
import json
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

import settings as settings_module
from index.build import Pipeline, build
from index.embedder import Embedder
from index.loaders import load
from index.models import RawArticle

REALTIMEQA = Path(__file__).resolve().parents[2] / "shared" / "bench" / "realtimeqa-2023" / "corpus.jsonl.gz"


def corpus_paths(name: str, limit: int, tmp: Path) -> list[Path]:
    if name == "bundled":
        return [settings_module.BUNDLED_CORPUS]
    source = REALTIMEQA if name == "realtimeqa" else Path(name)
    if not limit:
        return [source]
    subset = tmp / f"first-{limit}.jsonl.gz"
    opener = gzip.open if source.name.endswith(".gz") else open
    with opener(source, "rt", encoding="utf-8") as src, gzip.open(subset, "wt", encoding="utf-8") as dst:
        for i, line in enumerate(src):
            if i >= limit:
                break
            dst.write(line)
    return [subset]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ours(paths: list[Path], home: Path) -> dict[str, Any]:
    s = settings_module.Settings(home=home)
    pipe = Pipeline(s)
    started = time.perf_counter()
    report = build(paths, s, progress=False, pipeline=pipe, on_skip=lambda _: None)
    seconds = time.perf_counter() - started
    articles = len(report.added)
    result = {
        "articles": articles, "chunks": report.chunks, "tokens": report.tokens, "seconds": round(seconds, 1),
        "articles_per_s": round(articles / seconds, 2), "chunks_per_s": round(report.chunks / seconds, 1),
        "tokens_per_s": round(report.tokens / seconds),
        "model_tokens_per_s": round(report.tokens / report.embed_seconds),
        "peak_rss_mb": round(peak_mb()), "skipped": len(report.skipped),
    }
    started = time.perf_counter()
    again = build(paths, s, progress=False, pipeline=pipe, on_skip=lambda _: None)
    result["reingest_unchanged_s"] = round(time.perf_counter() - started, 2)
    assert not again.added and not again.updated, "an unchanged corpus re-indexed something"
    return result


def baseline(paths: list[Path], home: Path, embedder: Embedder) -> dict[str, Any]:
    """The plain LlamaIndex pipeline: default splitter, 256-token truncation, batches of 10."""
    from llama_index.core import Document
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from llama_index.core.ingestion import IngestionPipeline
    from llama_index.core.node_parser import SentenceSplitter
    from llama_index.vector_stores.chroma import ChromaVectorStore
    from pydantic import PrivateAttr

    from index.store import open_client

    class TruncatingEmbedding(BaseEmbedding):
        _model: Embedder = PrivateAttr()
        _seen: list[int] = PrivateAttr(default_factory=list)

        def __init__(self, model: Embedder) -> None:
            super().__init__(model_name="minilm-truncating", embed_batch_size=10)
            self._model = model

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            ids = [e.ids for e in self._model.tokenizer.encode_batch(texts)]  # truncated to 256
            self._seen.extend(len(x) for x in ids)
            return [list(map(float, v)) for v in self._model._run(ids)]

        def _get_text_embedding(self, text: str) -> list[float]:
            return self._get_text_embeddings([text])[0]

        def _get_query_embedding(self, query: str) -> list[float]:
            return self._get_text_embedding(query)

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return self._get_query_embedding(query)

    raws = [a for a in load(paths, 50_000_000) if isinstance(a, RawArticle)]
    docs = [Document(text=a.raw, id_=a.id) for a in raws]
    embed = TruncatingEmbedding(embedder)
    collection = open_client(settings_module.Settings(home=home)).get_or_create_collection(
        "baseline", embedding_function=None)
    pipeline = IngestionPipeline(transformations=[SentenceSplitter(), embed],
                                 vector_store=ChromaVectorStore(chroma_collection=collection))
    started = time.perf_counter()
    nodes = pipeline.run(documents=docs)
    seconds = time.perf_counter() - started
    total = sum(len(embedder.tokens(n.get_content())) + 2 for n in nodes)
    embedded = int(np.sum(embed._seen))
    return {"articles": len(docs), "chunks": len(nodes), "seconds": round(seconds, 1),
            "tokens_per_s": round(embedded / seconds), "embedded_tokens": embedded, "chunk_tokens": total,
            "never_embedded_share": round(1 - embedded / total, 3)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ingest", description=__doc__)
    parser.add_argument("--corpus", default="bundled", help="bundled, realtimeqa, or a path")
    parser.add_argument("--limit", type=int, default=0, help="only the first N articles of a JSONL corpus")
    parser.add_argument("--baseline", action="store_true", help="also run the plain LlamaIndex pipeline")
    parser.add_argument("--out", type=Path, default=Path("bench/out"))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        paths = corpus_paths(args.corpus, args.limit, Path(tmp))
        result: dict[str, Any] = {"corpus": args.corpus, "limit": args.limit}
        result["ours"] = ours(paths, Path(tmp) / "ours")
        o = result["ours"]
        print(f"ours: {o['articles']} articles, {o['chunks']} chunks, {o['tokens']:,} tokens in {o['seconds']} s: "
              f"{o['articles_per_s']} articles/s, {o['chunks_per_s']} chunks/s, {o['tokens_per_s']:,} embedded "
              f"tokens/s ({o['model_tokens_per_s']:,}/s in the model), peak RSS {o['peak_rss_mb']} MB; "
              f"re-ingest unchanged: {o['reingest_unchanged_s']} s")
        if args.baseline:
            b = baseline(paths, Path(tmp) / "baseline", Embedder(quantize=False))
            result["baseline"] = b
            result["speedup_tokens_per_s"] = round(o["tokens_per_s"] / b["tokens_per_s"], 2)
            print(f"plain LlamaIndex pipeline: {b['chunks']} chunks in {b['seconds']} s, {b['tokens_per_s']:,} "
                  f"embedded tokens/s; {b['never_embedded_share']:.0%} of chunk tokens never reach the model")
            print(f"ours / baseline embedded tokens/s: {result['speedup_tokens_per_s']}x")
    args.out.mkdir(parents=True, exist_ok=True)
    name = Path(args.corpus).stem if args.corpus not in {"bundled", "realtimeqa"} else args.corpus
    (args.out / f"ingest-{name}{'-' + str(args.limit) if args.limit else ''}.json").write_text(
        json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
