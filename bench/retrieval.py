"""Retrieval, stage by stage, on RealTime QA 2023: `python -m bench.retrieval --home H [--split first|last]`.

Asks 200 RealTime QA questions (the first 200, the split the retrieval weights were chosen on, or
the last 200, only checked) of an index already built in H (for instance by
`python -m evals run --benchmark realtimeqa --limit 200 --out DIR`, whose index is DIR/index), and
prints hit@k (the gold answer is in one of the first k passages, judged by evals/metrics.py) for
each stage of the project's retrieval next to plain BM25 over the same chunks:

- plain BM25: llama-index's `BM25Retriever` with its defaults (the eval report's baseline row);
- keyword: the project's BM25 alone (chunk text and article title);
- dense: the Chroma vector index alone (MiniLM);
- fused: both, each score over its best, mixed (assistant/retrieve.py), no date;
- + recency: fused, asked as of the question's own date;
- end to end: the passages `Assistant.ask` returns (reranked by their best sentences).

Every stage is the project's own component, called as the assistant calls it, so the ladder shows
what a change to one stage does to the ones after it. Figures go to bench/out/retrieval-SPLIT.json.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from llama_index.core.schema import QueryBundle

import settings as settings_module
from evals import metrics
from evals.run import REALTIMEQA, plain_bm25

KS = (1, 3, 5, 8)
QUESTIONS = 200


def questions(split: str) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in (REALTIMEQA / "questions.jsonl").open(encoding="utf-8")]
    return rows[:QUESTIONS] if split == "first" else rows[-QUESTIONS:]


def measure(home: Path, split: str) -> dict[str, dict[str, float]]:
    from assistant.question import analyze
    from assistant.service import Assistant

    s = settings_module.Settings(home=home)
    assistant = Assistant(s)
    if assistant.store.chunk_count() == 0:
        raise SystemExit(f"error: the index at {home} is empty")
    retriever = assistant.retriever
    k = max(KS)
    baseline = plain_bm25(assistant.store.all_chunks())
    assert baseline is not None
    baseline.similarity_top_k = k
    dense = retriever.index.as_retriever(similarity_top_k=k)

    def keyword(q: str) -> list[str]:
        if retriever.bm25 is None:
            return []
        retriever.bm25.similarity_top_k = k
        return [h.node.get_content() for h in retriever.bm25.retrieve(QueryBundle(q))]

    stages: dict[str, Callable[[dict[str, Any]], list[str]]] = {
        "plain BM25": lambda item: [h.node.get_content() for h in baseline.retrieve(item["question"])],
        "keyword (project BM25)": lambda item: keyword(item["question"]),
        "dense": lambda item: [h.node.get_content() for h in dense.retrieve(item["question"])],
        "fused": lambda item: [p.text for p in retriever.retrieve(item["question"], k=s.candidates)],
        "+ recency (as of its date)": lambda item: [
            p.text for p in retriever.retrieve(item["question"], k=s.candidates,
                                               now=assistant.as_of_day(item["date"], analyze(item["question"])))],
        "end to end (Assistant.ask)": lambda item: [
            p.text for p in assistant.ask(item["question"], as_of=item["date"]).passages],
    }
    rows = questions(split)
    result: dict[str, dict[str, float]] = {}
    for name, stage in stages.items():
        scores = [metrics.retrieval_scores(stage(item)[:k], [item["answer"]], KS) for item in rows]
        result[name] = {key: round(sum(sc[key] for sc in scores) / len(scores), 3) for key in scores[0]}
        print(f"  {name:28} " + "  ".join(f"{key} {value:.3f}" for key, value in result[name].items()),
              file=sys.stderr)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.retrieval", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, required=True, help="an index folder already built")
    parser.add_argument("--split", choices=["first", "last"], default="first")
    parser.add_argument("--out", type=Path, help="default bench/out/retrieval-SPLIT.json")
    args = parser.parse_args(argv)
    if not (args.home / "chroma").is_dir():
        print(f"error: no index at {args.home} (build one first, see --help)", file=sys.stderr)
        return 2
    if not (REALTIMEQA / "questions.jsonl").is_file():
        print(f"error: RealTime QA 2023 not found: expected {REALTIMEQA / 'questions.jsonl'}", file=sys.stderr)
        return 2
    result = measure(args.home, args.split)
    print(f"retrieval, RealTime QA 2023 {args.split} {QUESTIONS} questions, index {args.home}")
    print(f"{'':30}" + "".join(f"{key:>9}" for key in next(iter(result.values()))))
    for name, row in result.items():
        print(f"{name:30}" + "".join(f"{value:9.3f}" for value in row.values()))
    out = args.out or Path(f"bench/out/retrieval-{args.split}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"split": args.split, "home": str(args.home), "stages": result}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
