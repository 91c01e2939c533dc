"""Concurrent chats through the UI's API: `python -m bench.ui [--chats 20] [--url URL]`.

Builds the bundled corpus into a temporary index and starts `python app.py` on a free loopback
port (or uses a running app at --url), asks the sample gold questions one at a time, then with
``--chats`` clients at once through `gradio_client`, and prints p50/p95 latency of both side by
side, and any errors. Figures also go to bench/out/ui.json.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import settings as settings_module
from bench.answer import GOLD, percentile
from index.build import build


def _timed(url: str, question: str) -> tuple[float, str]:
    from gradio_client import Client

    client = Client(url, verbose=False)
    t = time.perf_counter()
    try:
        client.predict(question, api_name="/ask")
        return (time.perf_counter() - t) * 1000, ""
    except Exception as exc:  # counted and printed, the run goes on
        return (time.perf_counter() - t) * 1000, str(exc)


def _summary(results: list[tuple[float, str]], seconds: float) -> dict[str, Any]:
    ms = [r[0] for r in results]
    return {"requests": len(results), "errors": sum(1 for r in results if r[1]),
            "p50_ms": round(percentile(ms, 0.5), 1), "p95_ms": round(percentile(ms, 0.95), 1),
            "wall_s": round(seconds, 2), "answers_per_s": round(len(results) / seconds, 2)}


def run(url: str, questions: list[str], chats: int) -> dict[str, Any]:
    t = time.perf_counter()
    alone = [_timed(url, q) for q in questions]
    sequential = _summary(alone, time.perf_counter() - t)
    asked = [questions[i % len(questions)] for i in range(chats)]
    t = time.perf_counter()
    with ThreadPoolExecutor(chats) as pool:
        together = list(pool.map(lambda q: _timed(url, q), asked))
    concurrent = _summary(together, time.perf_counter() - t)
    for _, error in together + alone:
        if error:
            print("error:", error)
    return {"chats": chats, "one_at_a_time": sequential, "concurrent": concurrent}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ui", description=__doc__)
    parser.add_argument("--chats", type=int, default=20)
    parser.add_argument("--url", help="a running app; default: start one over the bundled corpus")
    parser.add_argument("--out", type=Path, default=Path("bench/out/ui.json"))
    args = parser.parse_args(argv)
    questions = [json.loads(line)["question"] for line in GOLD.open()][:20]
    if args.url:
        result = run(args.url, questions, args.chats)
    else:
        from ui.serve import AppServer

        with tempfile.TemporaryDirectory() as home:
            build(None, settings_module.Settings(home=Path(home)), progress=False)
            server = AppServer(Path(home))
            try:
                result = run(server.url, questions, args.chats)
            finally:
                server.stop()
    for name in ("one_at_a_time", "concurrent"):
        r = result[name]
        print(f"{name:>14}: {r['requests']} answers, p50 {r['p50_ms']:.0f} ms, p95 {r['p95_ms']:.0f} ms, "
              f"{r['answers_per_s']:.1f} answers/s, {r['errors']} errors")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    return 1 if result["concurrent"]["errors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
