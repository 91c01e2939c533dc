"""Answer latency of the embedded default, end to end: `python -m bench.answer [--rounds 3]`.

Builds the bundled corpus into a temporary index, starts the assistant (cold start timed apart),
then asks every question of the sample gold set (or a built-in list) and prints the median and
95th-percentile latency. Figures also go to bench/out/answer.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import settings as settings_module
from index.build import Pipeline, build

GOLD = Path(__file__).resolve().parents[1] / "evals" / "datasets" / "sample_gold.jsonl"
FALLBACK = [
    "Who denied sending troops to Russia, and what did they call the claims?",
    "How many troops did South Korea's spy agency say were already in Russia's Far East?",
    "How did the troop estimates change?",
    "What did Lloyd Austin say, and did it change?",
    "What is the capital of Australia?",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.answer", description=__doc__)
    parser.add_argument("--rounds", type=int, default=3, help="times each question is asked")
    parser.add_argument("--out", type=Path, default=Path("bench/out/answer.json"))
    args = parser.parse_args(argv)
    questions = [json.loads(line)["question"] for line in GOLD.open()] if GOLD.exists() else FALLBACK

    with tempfile.TemporaryDirectory() as home:
        s = settings_module.Settings(home=Path(home))
        build(None, s, progress=False)
        from assistant.service import Assistant

        started = time.perf_counter()
        assistant = Assistant(s, Pipeline(s))
        assistant.ask(questions[0])
        cold = (time.perf_counter() - started) * 1000
        latencies: list[float] = []
        for _ in range(args.rounds):
            for q in questions:
                t = time.perf_counter()
                assistant.ask(q)
                latencies.append((time.perf_counter() - t) * 1000)
    result = {
        "questions": len(questions),
        "rounds": args.rounds,
        "cold_start_ms": round(cold, 1),
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "max_ms": round(max(latencies), 1),
    }
    print(f"answer latency, embedded default, {len(questions)} questions x {args.rounds}: "
          f"p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, max {result['max_ms']} ms; "
          f"cold start + first answer {result['cold_start_ms']} ms")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
