"""Answer latency, end to end: `python -m bench.answer [--corpus bundled|realtimeqa] [--limit N | --full]
[--home DIR] [--chroma-server] [--rounds R]`.

Builds the corpus into an index (incremental: with ``--home`` an index already built there is
reused and only what is missing is added), then asks the questions in a fresh process each time,
so cold start (model load + first answer) and peak RSS are those of the answering process alone.
``--chroma-server`` asks the same questions a second time through a real ``chroma run`` server
serving that same home's Chroma folder on 127.0.0.1, and also reports the server's peak RSS.

Questions: the sample gold set for the bundled corpus; for RealTime QA 2023 the first 200 of its
questions.jsonl whose articles (``retrieved_for``) are in the index. Prints p50/p95/max latency,
cold start and peak RSS side by side; figures also go to bench/out/answer-<corpus>[-<limit>].json.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import settings as settings_module

GOLD = Path(__file__).resolve().parents[1] / "evals" / "datasets" / "sample_gold.jsonl"
FALLBACK = [
    "Who denied sending troops to Russia, and what did they call the claims?",
    "How many troops did South Korea's spy agency say were already in Russia's Far East?",
    "How did the troop estimates change?",
    "What did Lloyd Austin say, and did it change?",
    "What is the capital of Australia?",
]
MAX_QUESTIONS = 200
CHROMA = Path(sys.executable).with_name("chroma")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def corpus_paths(corpus: str, limit: int, home: Path) -> list[Path] | None:
    """What to index: None for the bundled corpus; the RealTime QA file, or its first ``limit`` lines
    copied once into the home (the same path every time, so a rebuild finds its articles unchanged)."""
    if corpus == "bundled":
        return None
    from evals.run import REALTIMEQA

    source = REALTIMEQA / "corpus.jsonl.gz"
    if not source.is_file():
        raise SystemExit(f"error: RealTime QA 2023 not found: expected {source}")
    if not limit:
        return [source]
    subset = home / f"realtimeqa-{limit}.jsonl.gz"
    if not subset.exists():
        home.mkdir(parents=True, exist_ok=True)
        partial = subset.with_suffix(".part")
        with gzip.open(source, "rt", encoding="utf-8") as src, gzip.open(partial, "wt", encoding="utf-8") as dst:
            for i, line in enumerate(src):
                if i >= limit:
                    break
                dst.write(line)
        partial.rename(subset)
    return [subset]


def questions_for(corpus: str, indexed: set[str]) -> list[str]:
    if corpus == "bundled":
        return [json.loads(line)["question"] for line in GOLD.open()] if GOLD.exists() else FALLBACK
    from evals.run import REALTIMEQA

    rows = (json.loads(line) for line in (REALTIMEQA / "questions.jsonl").open(encoding="utf-8"))
    picked = [q["question"] for q in rows if indexed & set(q.get("retrieved_for", []))]
    return picked[:MAX_QUESTIONS]


def ask_all(home: Path, questions: list[str], rounds: int) -> dict[str, Any]:
    """In the answering process: cold start, then every question ``rounds`` times."""
    from assistant.service import Assistant

    s = settings_module.Settings(home=home)
    started = time.perf_counter()
    assistant = Assistant(s)
    assistant.ask(questions[0])
    cold = (time.perf_counter() - started) * 1000
    latencies: list[float] = []
    for _ in range(rounds):
        for q in questions:
            t = time.perf_counter()
            assistant.ask(q)
            latencies.append((time.perf_counter() - t) * 1000)
    return {
        "cold_start_ms": round(cold, 1),
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "max_ms": round(max(latencies), 1),
        # VmHWM, not getrusage: Linux carries ru_maxrss over exec from the mm a vfork borrowed, so it
        # reported the parent's peak (the build and the question list) as the answering process's
        "peak_rss_mb": peak_rss_mb(os.getpid()),
    }


def run_worker(home: Path, questions: list[str], rounds: int, env: dict[str, str]) -> dict[str, Any]:
    """``ask_all`` in a fresh `python -m bench.answer --worker` process; its JSON result."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(questions, fh)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bench.answer", "--worker", fh.name, "--home", str(home), "--rounds", str(rounds)],
            env={**os.environ, **env}, capture_output=True, text=True, check=False,
        )
    finally:
        os.unlink(fh.name)
    if done.returncode != 0:
        raise SystemExit(f"error: the answering process failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


@contextmanager
def chroma_server(folder: Path) -> Iterator[tuple[dict[str, str], subprocess.Popen[bytes]]]:
    """`chroma run --path folder` on a free loopback port; yields the NEWSQA_* env that points at it."""
    from ui.serve import free_port, stop_process, wait_for_http

    port = free_port()
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False", "CHROMA_ANONYMIZED_TELEMETRY": "False"}
    with (folder.parent / "chroma-server.log").open("wb") as log:
        proc = subprocess.Popen([str(CHROMA), "run", "--path", str(folder), "--host", "127.0.0.1", "--port", str(port)],
                                stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        if not wait_for_http(f"http://127.0.0.1:{port}/api/v2/heartbeat", 120):
            raise SystemExit(f"error: chroma run did not come up on port {port}")
        yield {"NEWSQA_CHROMA_HOST": "127.0.0.1", "NEWSQA_CHROMA_PORT": str(port)}, proc
    finally:
        stop_process(proc)


def peak_rss_mb(pid: int) -> int:
    """A running process's peak resident set (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024)
    return 0


def measure(args: argparse.Namespace, home: Path) -> dict[str, Any]:
    from index.build import build
    from index.reader import open_store
    from index.store import describe

    s = settings_module.Settings(home=home)
    limit = 0 if args.full else args.limit
    paths = corpus_paths(args.corpus, limit, home)
    started = time.perf_counter()
    report = build(paths, s, progress=sys.stderr.isatty(), on_skip=lambda _: None)
    built = time.perf_counter() - started
    store = open_store(s)
    info = describe(store)
    questions = questions_for(args.corpus, set(store.records()))
    del store
    if not questions:
        raise SystemExit("error: no question of this corpus has an article in the index")
    rounds = args.rounds or (3 if args.corpus == "bundled" else 1)
    result: dict[str, Any] = {
        "corpus": args.corpus, "limit": limit, "articles": info["articles"], "chunks": info["chunks"],
        "claims": info["claims"], "build_s": round(built, 1), "added": len(report.added),
        "questions": len(questions), "rounds": rounds, "load_1min": round(os.getloadavg()[0], 2),
    }
    result["embedded"] = run_worker(home, questions, rounds, {})
    if args.chroma_server:
        with chroma_server(s.chroma_path) as (env, proc):
            result["server"] = run_worker(home, questions, rounds, env)
            result["server"]["server_peak_rss_mb"] = peak_rss_mb(proc.pid)
    return result


def report(result: dict[str, Any]) -> str:
    modes = [m for m in ("embedded", "server") if m in result]
    rows = [("p50 ms", "p50_ms"), ("p95 ms", "p95_ms"), ("max ms", "max_ms"),
            ("cold start + first answer ms", "cold_start_ms"), ("peak RSS MB (answering process)", "peak_rss_mb"),
            ("peak RSS MB (chroma server)", "server_peak_rss_mb")]
    head = (f"answer latency, {result['corpus']}: {result['articles']:,} articles, {result['chunks']:,} chunks, "
            f"{result['questions']} questions x {result['rounds']} (load {result['load_1min']})")
    names = {"embedded": "embedded Chroma", "server": "chroma run server"}
    lines = [head, f"{'':34}" + "".join(f"{names[m]:>20}" for m in modes)]
    for label, key in rows:
        if any(key in result[m] for m in modes):
            lines.append(f"{label:34}" + "".join(f"{result[m].get(key, '-')!s:>20}" for m in modes))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.answer", description=__doc__)
    parser.add_argument("--corpus", choices=["bundled", "realtimeqa"], default="bundled")
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--limit", type=int, default=0, help="only the first N articles of RealTime QA")
    size.add_argument("--full", action="store_true", help="all of RealTime QA (4,554 articles, ~52k chunks)")
    parser.add_argument("--home", type=Path, help="index folder to reuse (built incrementally); default: temporary")
    parser.add_argument("--chroma-server", action="store_true", help="also answer through a `chroma run` server")
    parser.add_argument("--rounds", type=int, default=0, help="times each question is asked (3 bundled, 1 realtimeqa)")
    parser.add_argument("--out", type=Path, help="default bench/out/answer-<corpus>[-<limit>].json")
    parser.add_argument("--worker", help=argparse.SUPPRESS)  # internal: JSON file of questions to answer
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(ask_all(args.home, json.loads(Path(args.worker).read_text()), args.rounds or 1)))
        return 0
    if args.corpus == "bundled" and (args.limit or args.full):
        parser.error("--limit/--full apply to --corpus realtimeqa")
    if args.limit < 0:
        parser.error("--limit must be positive")
    if args.home:
        result = measure(args, args.home.resolve())
    else:
        with tempfile.TemporaryDirectory() as home:
            result = measure(args, Path(home))
    print(report(result))
    suffix = f"-{result['limit']}" if result["limit"] else ""
    out = args.out or Path("bench/out") / f"answer-{args.corpus}{suffix}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
