"""Run a QA dataset through the assistant and score it: results, summary, report and plots.

Every question goes through ``Assistant.ask``, the same code path as the UI and the CLI, and each
result row holds the answer exactly as ``python -m assistant ask --json`` prints it plus its
scores. Metrics are in evals/metrics.py; this module only runs, aggregates and reports.
"""

from __future__ import annotations

import contextlib
import datetime
import gzip
import json
import math
import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llama_index.core.schema import BaseNode
from llama_index.retrievers.bm25 import BM25Retriever
from tqdm import tqdm

import settings as settings_module
from evals import metrics
from index.build import Pipeline, build


def _bench(name: str) -> Path:
    """``../shared/bench/NAME`` next to the repo, or next to the nearest ancestor that has it (a git
    worktree nested deeper than its main checkout)."""
    repo = Path(__file__).resolve().parents[1]
    found = (p / "shared" / "bench" / name for p in repo.parents)
    return next((p for p in found if p.is_dir()), repo.parent / "shared" / "bench" / name)


REALTIMEQA = _bench("realtimeqa-2023")
SAMPLE_GOLD = Path(__file__).resolve().parent / "datasets" / "sample_gold.jsonl"
HIT_KS = (1, 3, 5, 10)
# RealTime QA questions whose gold answer no article of the FRESH_DAYS before the question states are typed
# NO_FRESH_SOURCE (its other questions stay "realtimeqa"), so the report shows them apart.
FRESH_DAYS = 30
NO_FRESH_SOURCE = "realtimeqa-no-fresh-source"


@dataclass
class Dataset:
    name: str
    items: list[dict[str, Any]]
    corpus: list[Path] | None  # what to index first (None: the bundled corpus)


def load_dataset(path: Path, limit: int = 0) -> list[dict[str, Any]]:
    items = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    return items[:limit] if limit else items


def benchmark_articles(ids: set[str], folder: Path = REALTIMEQA) -> dict[str, str]:
    """RealTime QA articles by id, each as its JSON line: gold sets labelled on the benchmark name their
    articles by id (the benchmark's text is not copied into the project)."""
    corpus = folder / "corpus.jsonl.gz"
    if not corpus.is_file():
        raise FileNotFoundError(f"RealTime QA 2023 not found: expected {corpus}")
    found: dict[str, str] = {}
    with gzip.open(corpus, "rt", encoding="utf-8") as fh:
        for line in fh:
            article_id = json.loads(line)["id"]
            if article_id in ids:
                found[article_id] = line
    missing = sorted(ids - set(found))
    if missing:
        raise ValueError(f"{corpus} lacks the articles {', '.join(missing)}")
    return found


def listed_corpus(dataset: Path, out: Path) -> list[Path] | None:
    """The articles a gold set names in ``<set>.articles.json`` (RealTime QA ids), written to OUT as the
    corpus to index; None when the set has no such listing (it is asked of the bundled corpus)."""
    listing = dataset.with_suffix(".articles.json")
    if not listing.is_file():
        return None
    lines = benchmark_articles(set(json.loads(listing.read_text("utf-8"))))
    out.mkdir(parents=True, exist_ok=True)
    corpus = out / f"{dataset.stem}-corpus.jsonl.gz"
    with gzip.open(corpus, "wt", encoding="utf-8") as fh:
        fh.writelines(lines[i] for i in sorted(lines))
    return [corpus]


def realtimeqa(out: Path, limit: int = 0, full_corpus: bool = False, folder: Path = REALTIMEQA,
               offset: int = 0, ask_of: tuple[int, int] | None = None) -> Dataset:
    """RealTime QA 2023 as a gold set (``limit`` questions from the ``offset``-th); by default only the
    articles retrieved for the chosen questions.

    Each question keeps its gold answer as the one key fact; the evidence is the answer string, so
    retrieval hit@k means "a top-k passage states the gold answer".

    ``ask_of`` (offset, limit): ask the questions of the articles retrieved for those other questions
    instead. The questions whose gold answer none of those articles states are kept, as unanswerable:
    news questions the index has no answer to, to measure abstention on (the sample set's 13 are the
    ones its rules were written on). They are asked without their date (the articles are of other weeks).
    Otherwise a question whose gold answer no article of the FRESH_DAYS before its date states is typed
    NO_FRESH_SOURCE, so the report shows retrieval and accuracy on the questions the corpus covers apart.
    """
    if not (folder / "questions.jsonl").is_file():
        raise FileNotFoundError(f"RealTime QA 2023 not found: expected {folder / 'questions.jsonl'}")
    if ask_of and full_corpus:
        raise ValueError("--ask-of asks questions of other questions' articles; --full-corpus holds them all")
    every = [json.loads(line) for line in (folder / "questions.jsonl").open()]
    questions = _slice(every, offset, limit, "--offset")
    pooled = _slice(every, *ask_of, "--ask-of") if ask_of else questions
    items = [
        {"id": q["id"], "question": q["question"], "date": q.get("date", ""), "type": "realtimeqa",
         "answers": [[q["answer"]]],
         "evidence": [q["answer"]], "answerable": True}
        for q in questions
    ]
    source = folder / "corpus.jsonl.gz"
    wanted = None if full_corpus else {a for q in pooled for a in q.get("retrieved_for", [])}
    out.mkdir(parents=True, exist_ok=True)
    subset = out / "realtimeqa-corpus.jsonl.gz"
    articles: list[tuple[int, metrics.Statements]] = []  # (published day, its text), normalised once
    with gzip.open(source, "rt", encoding="utf-8") as src, \
            (contextlib.nullcontext() if full_corpus else gzip.open(subset, "wt", encoding="utf-8")) as dst:
        for line in src:
            article = json.loads(line)
            if wanted is None or article["id"] in wanted:
                if dst is not None:
                    dst.write(line)
                articles.append((_day(article.get("published", "")),
                                 metrics.Statements([f"{article.get('title', '')}\n{article.get('text', '')}"])))
    if ask_of:
        items = [{"id": f"{i['id']}@{ask_of[0]}:{ask_of[1]}", "question": i["question"], "type": "unanswerable",
                  "answers": [], "evidence": [], "answerable": False}
                 for i in items if not any(text.any(i["answers"][0]) for _, text in articles)]
        return Dataset("realtimeqa-unanswerable", items, [subset])
    for item in items:  # the week's report missing from the corpus is no retrieval failure: typed apart
        if not stated_recently(item, articles):
            item["type"] = NO_FRESH_SOURCE
    return Dataset("realtimeqa", items, [source if full_corpus else subset])


def stated_recently(item: dict[str, Any], articles: Sequence[tuple[int, metrics.Statements]]) -> bool:
    """Some article from the FRESH_DAYS before the question's date states its gold answer. A pooled
    corpus often lacks the week's report: its answer is then only in older articles (last year's
    winner) or nowhere, and retrieval cannot be blamed for missing it."""
    asked = _day(item.get("date", ""))
    return bool(asked) and any(day and 0 <= asked - day <= FRESH_DAYS and text.any(item["answers"][0])
                               for day, text in articles)


def _day(date: str) -> int:
    """"2023/01/05" (RealTime QA's form) -> a day number; 0 when it is not such a date."""
    try:
        y, m, d = (int(part) for part in date.replace("-", "/").split("/")[:3])
        return datetime.date(y, m, d).toordinal()
    except ValueError:
        return 0


def _slice(questions: list[dict[str, Any]], offset: int, limit: int, flag: str) -> list[dict[str, Any]]:
    if offset >= len(questions):
        raise ValueError(f"{flag} {offset}: RealTime QA 2023 has {len(questions)} questions")
    return questions[offset : offset + limit if limit else None]


def score(record: dict[str, Any], item: dict[str, Any], passages: list[str]) -> dict[str, Any]:
    scores: dict[str, Any] = {"correct": metrics.answer_correct(record, item),
                              "strict_correct": metrics.answer_correct(record, item, strict=True)}
    scores.update(metrics.abstention(record, item))
    scores.update(metrics.citation_scores(record))
    if has_evidence(item):
        scores.update(metrics.retrieval_scores(passages, item["evidence"], HIT_KS))
    scores["answer_words"] = metrics.answer_words(record)
    scores["confidence"] = record.get("confidence")  # what the answer shows (confidence_auc judges it)
    return scores


def has_evidence(item: dict[str, Any]) -> bool:
    return bool(item.get("answerable", True) and item.get("evidence"))


def plain_bm25(nodes: Sequence[BaseNode], top_k: int = max(HIT_KS)) -> BM25Retriever | None:
    """The baseline: llama-index's BM25Retriever with its default settings over the same chunks, giving
    as many passages as the assistant hands its answerer (``top_k``), so hit@k and MRR compare alike."""
    if not nodes:
        return None
    with open(os.devnull, "w") as quiet, contextlib.redirect_stderr(quiet):  # bm25s progress bars
        return BM25Retriever.from_defaults(nodes=list(nodes), similarity_top_k=min(top_k, max(HIT_KS), len(nodes)))


def baseline_scores(retriever: BM25Retriever | None, item: dict[str, Any]) -> dict[str, float] | None:
    """hit@k and MRR of the plain BM25 baseline for one question, judged like the assistant's passages."""
    if not has_evidence(item):
        return None
    hits = retriever.retrieve(item["question"]) if retriever is not None else []
    return metrics.retrieval_scores([h.node.get_content() for h in hits], item["evidence"], HIT_KS)


def ask_all(dataset: Dataset, settings: settings_module.Settings, progress: bool = True,
            judge_with: settings_module.Settings | None = None) -> Iterator[dict[str, Any]]:
    from assistant.service import Assistant
    from assistant.types import QuestionError
    from backend.llm import OpenAICompatibleLLM
    from evals.judge import judge

    assistant = Assistant(settings, Pipeline(settings))
    baseline = plain_bm25(assistant.store.all_chunks(), settings.top_k) if any(
        has_evidence(i) for i in dataset.items) else None
    judge_llm = OpenAICompatibleLLM(judge_with) if judge_with else None
    for item in tqdm(dataset.items, desc=f"asking ({dataset.name})", unit="q", disable=not progress):
        try:
            answer = assistant.ask(item["question"], as_of=item.get("date", ""))  # asked as of its own day
            record = answer.to_json()
            passages = [p.text for p in answer.passages]
        except QuestionError as exc:
            record = {"question": item["question"], "answer": "", "abstained": True, "citations": [],
                      "latency_ms": 0.0, "error": str(exc)}
            passages = []
        row = {"id": item["id"], "type": item.get("type", ""), **record}
        row.pop("closest", None)
        row["scores"] = score(record, item, passages)
        if has_evidence(item):
            row["baseline_bm25"] = baseline_scores(baseline, item)
        if judge_llm is not None:
            row["scores"].update(judge(judge_llm, record, item))
        yield row


def summarize(rows: list[dict[str, Any]], dataset: str, backend: str, seconds: float) -> dict[str, Any]:
    summary = metrics.summarize([{"type": r["type"], **r["scores"]} for r in rows])
    latencies = [r["latency_ms"] for r in rows if r.get("latency_ms")]
    summary["latency_ms"] = metrics.latency_summary(latencies) if latencies else {}
    baseline = [r["baseline_bm25"] for r in rows if r.get("baseline_bm25")]
    if baseline:
        summary["baseline_bm25"] = {k: metrics.mean(b[k] for b in baseline) for k in baseline[0]}
        for kind, group in summary["by_type"].items():  # the baseline beside each type's own hit@k
            base = [r["baseline_bm25"] for r in rows if r["type"] == kind and r.get("baseline_bm25")]
            group.update({f"bm25_{k}": metrics.mean(b[k] for b in base) for k in ("hit@1", "hit@5") if base})
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


# Old summary keys -> current names, so `check` and `compare` read summaries and floors from before.
ALIASES = {"answer_accuracy": "lenient_accuracy", "answerable_accuracy": "lenient_answerable_accuracy",
           "abstention_accuracy": "abstention_recall", "wrong_abstain_rate": "wrong_abstention"}
# Recorded by --record-floors: a floor under each rate, a ceiling over these.
GATED_MIN = ("strict_accuracy", "strict_answerable_accuracy", "lenient_accuracy", "lenient_answerable_accuracy",
             "abstention_precision", "abstention_recall", "citation_precision", "citation_recall", "hit@5")
GATED_MAX = ("wrong_abstention", "median_answer_words")
WORDS_SLACK = 0.10  # relative headroom of the median-answer-words ceiling


def current(overall: dict[str, Any]) -> dict[str, Any]:
    """Summary metrics under their current names (old keys renamed)."""
    return {ALIASES.get(k, k): v for k, v in overall.items()}


def check(summary: dict[str, Any], thresholds: dict[str, Any]) -> list[str]:
    """Every floor the summary falls below and ceiling it exceeds, as a readable line (empty: all met).

    ``thresholds`` is ``{"min": {metric: floor}, "max": {metric: ceiling}}``; a flat
    ``{metric: floor}`` (the old format) means floors only.
    """
    if not {"min", "max"} & set(thresholds):
        thresholds = {"min": thresholds}
    overall = current(summary.get("overall", summary))
    failures = []
    for key, floor in thresholds.get("min", {}).items():
        value = overall.get(ALIASES.get(key, key))
        if value is None or value < floor:
            failures.append(f"{key} = {value} is below the threshold {floor}")
    for key, ceiling in thresholds.get("max", {}).items():
        value = overall.get(ALIASES.get(key, key))
        if value is None or value > ceiling:
            failures.append(f"{key} = {value} is above the ceiling {ceiling}")
    return failures


def floors(summary: dict[str, Any], margin: float = 0.03) -> dict[str, dict[str, float]]:
    """Thresholds from a measured run: floors ``margin`` under the rates, ceilings over the others."""
    overall = current(summary.get("overall", {}))
    if "abstention_recall" not in overall:  # no unanswerable questions: every abstention is wrong by definition
        overall.pop("abstention_precision", None)
    low = {k: math.floor(round((overall[k] - margin) * 100, 6)) / 100 for k in GATED_MIN if k in overall}
    low = {k: v for k, v in low.items() if v > 0}  # a floor at zero gates nothing
    high: dict[str, float] = {}
    for key in GATED_MAX:
        if key in overall:
            value = overall[key]
            high[key] = float(math.ceil(value * (1 + WORDS_SLACK))) if key.endswith("words") else min(
                1.0, math.ceil(round((value + margin) * 100, 6)) / 100)
    return {"min": low, "max": high}


def compare(a: dict[str, Any], b: dict[str, Any]) -> str:
    """Two summaries -> a Markdown table of metric deltas (B - A), old metric names read as the new."""
    oa, ob = current(a.get("overall", {})), current(b.get("overall", {}))
    lines = [f"| metric | A ({a.get('backend', '')}) | B ({b.get('backend', '')}) | delta |", "|---|---|---|---|"]

    def row(name: str, va: Any, vb: Any) -> None:
        if isinstance(va, int | float) and isinstance(vb, int | float):
            lines.append(f"| {name} | {va:.3f} | {vb:.3f} | {vb - va:+.3f} |")
        elif isinstance(va, int | float) or isinstance(vb, int | float):
            lines.append(f"| {name} | {_num(va)} | {_num(vb)} | n/a |")

    for key in sorted(set(oa) | set(ob)):
        row(key, oa.get(key), ob.get(key))
    ba, bb = a.get("baseline_bm25", {}), b.get("baseline_bm25", {})
    for key in sorted(set(ba) | set(bb)):
        row(f"plain BM25 {key}", ba.get(key), bb.get(key))
    la, lb = a.get("latency_ms", {}), b.get("latency_ms", {})
    for key in ("p50", "p95"):
        if key in la and key in lb:
            lines.append(f"| latency {key} (ms) | {la[key]:.0f} | {lb[key]:.0f} | {lb[key] - la[key]:+.0f} |")
    return "\n".join(lines)


def _num(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, int | float) else "-"
