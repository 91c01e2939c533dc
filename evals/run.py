"""Run a QA dataset through the assistant and score it: results, summary, report and plots.

Every question goes through ``Assistant.ask``, the same code path as the UI and the CLI, and each
result row holds the answer exactly as ``python -m assistant ask --json`` prints it plus its
scores. Metrics are in evals/metrics.py; this module only runs, aggregates and reports.
"""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm import tqdm

import settings as settings_module
from evals import metrics
from index.build import Pipeline, build

REALTIMEQA = Path(__file__).resolve().parents[2] / "shared" / "bench" / "realtimeqa-2023"
SAMPLE_GOLD = Path(__file__).resolve().parent / "datasets" / "sample_gold.jsonl"
HIT_KS = (1, 3, 5, 10)


@dataclass
class Dataset:
    name: str
    items: list[dict[str, Any]]
    corpus: list[Path] | None  # what to index first (None: the bundled corpus)


def load_dataset(path: Path, limit: int = 0) -> list[dict[str, Any]]:
    items = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    return items[:limit] if limit else items


def realtimeqa(out: Path, limit: int = 0, full_corpus: bool = False, folder: Path = REALTIMEQA) -> Dataset:
    """RealTime QA 2023 as a gold set; by default only the articles retrieved for the chosen questions.

    Each question keeps its gold answer as the one key fact; the evidence is the answer string, so
    retrieval hit@k means "a top-k passage states the gold answer".
    """
    questions = [json.loads(line) for line in (folder / "questions.jsonl").open()]
    if limit:
        questions = questions[:limit]
    items = [
        {"id": q["id"], "question": q["question"], "type": "realtimeqa", "answers": [[q["answer"]]],
         "evidence": [q["answer"]], "answerable": True}
        for q in questions
    ]
    source = folder / "corpus.jsonl.gz"
    if full_corpus:
        return Dataset("realtimeqa", items, [source])
    wanted = {a for q in questions for a in q.get("retrieved_for", [])}
    out.mkdir(parents=True, exist_ok=True)
    subset = out / "realtimeqa-corpus.jsonl.gz"
    with gzip.open(source, "rt", encoding="utf-8") as src, gzip.open(subset, "wt", encoding="utf-8") as dst:
        for line in src:
            if json.loads(line)["id"] in wanted:
                dst.write(line)
    return Dataset("realtimeqa", items, [subset])


def score(record: dict[str, Any], item: dict[str, Any], passages: list[str]) -> dict[str, Any]:
    scores: dict[str, Any] = {"correct": metrics.answer_correct(record, item)}
    scores.update(metrics.abstention(record, item))
    scores.update(metrics.citation_scores(record))
    if item.get("answerable", True) and item.get("evidence"):
        scores.update(metrics.retrieval_scores(passages, item["evidence"], HIT_KS))
    scores["answer_words"] = len(record["answer"].split())
    return scores


def ask_all(dataset: Dataset, settings: settings_module.Settings, progress: bool = True,
            judge_with: settings_module.Settings | None = None) -> Iterator[dict[str, Any]]:
    from assistant.service import Assistant
    from assistant.types import QuestionError
    from backend.llm import OpenAICompatibleLLM
    from evals.judge import judge

    assistant = Assistant(settings, Pipeline(settings))
    judge_llm = OpenAICompatibleLLM(judge_with) if judge_with else None
    for item in tqdm(dataset.items, desc=f"asking ({dataset.name})", unit="q", disable=not progress):
        try:
            answer = assistant.ask(item["question"])
            record = answer.to_json()
            passages = [p.text for p in answer.passages]
        except QuestionError as exc:
            record = {"question": item["question"], "answer": "", "abstained": True, "citations": [],
                      "latency_ms": 0.0, "error": str(exc)}
            passages = []
        row = {"id": item["id"], "type": item.get("type", ""), **record}
        row.pop("closest", None)
        row["scores"] = score(record, item, passages)
        if judge_llm is not None:
            row["scores"].update(judge(judge_llm, record, item))
        yield row


def summarize(rows: list[dict[str, Any]], dataset: str, backend: str, seconds: float) -> dict[str, Any]:
    summary = metrics.summarize([{"type": r["type"], **r["scores"]} for r in rows])
    latencies = [r["latency_ms"] for r in rows if r.get("latency_ms")]
    summary["latency_ms"] = metrics.latency_summary(latencies) if latencies else {}
    summary.update({"dataset": dataset, "backend": backend, "questions": len(rows), "seconds": round(seconds, 1)})
    return summary


def run(dataset: Dataset, out: Path, settings: settings_module.Settings, progress: bool = True,
        judge_with: settings_module.Settings | None = None) -> dict[str, Any]:
    """Index the dataset's corpus into ``settings.home``, ask everything, write the outputs."""
    out.mkdir(parents=True, exist_ok=True)
    build(dataset.corpus, settings, progress=progress, prune=False)
    started = time.perf_counter()
    rows = list(ask_all(dataset, settings, progress, judge_with))
    backend = "extractive" if settings.backend == "extractive" else f"openai:{settings.openai_model}"
    summary = summarize(rows, dataset.name, backend, time.perf_counter() - started)
    with (out / "results.jsonl").open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    from evals.report import write_plots, write_report

    write_plots(rows, summary, out)
    write_report(rows, summary, out)
    return summary


def check(summary: dict[str, Any], thresholds: dict[str, float]) -> list[str]:
    """Every threshold the summary falls below, as a readable line (empty: all met)."""
    failures = []
    overall = summary.get("overall", summary)
    for key, floor in thresholds.items():
        value = overall.get(key)
        if value is None or value < floor:
            failures.append(f"{key} = {value} is below the threshold {floor}")
    return failures


def compare(a: dict[str, Any], b: dict[str, Any]) -> str:
    """Two summaries -> a Markdown table of metric deltas (B - A)."""
    oa, ob = a.get("overall", {}), b.get("overall", {})
    lines = [f"| metric | A ({a.get('backend', '')}) | B ({b.get('backend', '')}) | delta |", "|---|---|---|---|"]
    for key in sorted(set(oa) | set(ob)):
        va, vb = oa.get(key), ob.get(key)
        if isinstance(va, int | float) and isinstance(vb, int | float):
            lines.append(f"| {key} | {va:.3f} | {vb:.3f} | {vb - va:+.3f} |")
    la, lb = a.get("latency_ms", {}), b.get("latency_ms", {})
    for key in ("p50", "p95"):
        if key in la and key in lb:
            lines.append(f"| latency {key} (ms) | {la[key]:.0f} | {lb[key]:.0f} | {lb[key] - la[key]:+.0f} |")
    return "\n".join(lines)
