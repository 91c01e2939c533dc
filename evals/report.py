"""Human-readable outputs of an eval run: report.md and PNG plots."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt


def write_plots(rows: list[dict[str, Any]], summary: dict[str, Any], out: Path) -> None:
    by_type = summary.get("by_type", {})
    types = sorted(by_type)
    fig, ax = plt.subplots(figsize=(7, 3.5))
    x = list(range(len(types)))
    ax.bar([i - 0.2 for i in x], [by_type[t].get("strict_correct", 0) or 0 for t in types], width=0.4,
           color="#3b6ea5", label="strict")
    ax.bar([i + 0.2 for i in x], [by_type[t].get("correct", 0) or 0 for t in types], width=0.4,
           color="#9db7d5", label="lenient")
    ax.set_xticks(x, types)
    ax.legend()
    ax.set_ylim(0, 1)
    ax.set_ylabel("answer accuracy")
    ax.set_title("Answer accuracy by question type")
    ax.tick_params(axis="x", rotation=30)
    fig.tight_layout()
    fig.savefig(out / "accuracy_by_type.png", dpi=110)
    plt.close(fig)

    overall = summary.get("overall", {})
    keys = ["citation_precision", "citation_recall"]
    fig, ax = plt.subplots(figsize=(4.5, 3.5))
    ax.bar(["precision", "recall"], [overall.get(k) or 0 for k in keys], color=["#5a9e6f", "#c77c3a"])
    ax.set_ylim(0, 1)
    ax.set_title("Citation quality (ALCE)")
    fig.tight_layout()
    fig.savefig(out / "citations.png", dpi=110)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.hist([r["latency_ms"] for r in rows if r.get("latency_ms")], bins=20, color="#7a5ea5")
    ax.set_xlabel("latency (ms)")
    ax.set_ylabel("questions")
    ax.set_title("Answer latency")
    fig.tight_layout()
    fig.savefig(out / "latency.png", dpi=110)
    plt.close(fig)


def _fmt(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


RETRIEVAL = ("hit@1", "hit@3", "hit@5", "hit@10", "mrr")


def retrieval_table(summary: dict[str, Any]) -> list[str]:
    """The assistant's retrieval next to plain BM25 over the same chunks, judged alike."""
    overall, baseline = summary.get("overall", {}), summary.get("baseline_bm25")
    if baseline is None or not any(k in overall for k in RETRIEVAL):
        return []
    return [
        "## Retrieval",
        "",
        f"| retriever | {' | '.join(RETRIEVAL)} |",
        f"|---|{'---|' * len(RETRIEVAL)}",
        f"| assistant (passages it answers from) | {' | '.join(_fmt(overall.get(k, '-')) for k in RETRIEVAL)} |",
        f"| plain BM25, same chunks | {' | '.join(_fmt(baseline.get(k, '-')) for k in RETRIEVAL)} |",
        "",
        "Both rows count only `top_k` passages (what the assistant hands its answerer), so "
        "hit@10 is hit@top_k when `top_k` < 10.",
        "",
    ]


def write_report(rows: list[dict[str, Any]], summary: dict[str, Any], out: Path) -> None:
    overall = summary.get("overall", {})
    lines = [
        f"# Eval report: {summary.get('dataset')} ({summary.get('backend')})",
        "",
        f"{summary.get('questions')} questions in {summary.get('seconds')} s.",
        "",
        "Strict accuracy: every key fact in the answer's first sentence or first 30 words; lenient: anywhere.",
        "",
        "| metric | value |",
        "|---|---|",
        *[f"| {k} | {_fmt(v)} |" for k, v in sorted(overall.items())],
        *[f"| latency {k} (ms) | {v:.0f} |" for k, v in summary.get("latency_ms", {}).items()],
        "",
        *retrieval_table(summary),
        "## By question type",
        "",
        "| type | n | strict accuracy | lenient accuracy | hit@1 | hit@5 | plain BM25 hit@1 | plain BM25 hit@5 |",
        "|---|---|---|---|---|---|---|---|",
        *[f"| {t} | {v.get('n', '')} | {_fmt(v.get('strict_correct'))} | {_fmt(v.get('correct'))} | "
          + " | ".join(_fmt(v.get(k, "-")) for k in ("hit@1", "hit@5", "bm25_hit@1", "bm25_hit@5")) + " |"
          for t, v in sorted(summary.get("by_type", {}).items())],
        "",
        "![accuracy](accuracy_by_type.png) ![citations](citations.png) ![latency](latency.png)",
        "",
        "## Wrong answers (lenient)",
        "",
    ]
    wrong = [r for r in rows if not r["scores"].get("correct")]
    for r in wrong[:40]:
        answer = r["answer"].replace("\n", " ")
        if r["scores"].get("withheld"):
            answer += f" (withheld: {r['withheld'][:200]})"
        lines.append(f"- **{r['id']}** ({r['type']}) {r['question']}  \n  → {answer[:300]}")
    if not wrong:
        lines.append("None.")
    late = [r for r in rows if r["scores"].get("correct") and not r["scores"].get("strict_correct")]
    lines += ["", "## Right but not in the lead (lenient, not strict)", ""]
    for r in late[:40]:
        answer = r["answer"].replace("\n", " ")
        lines.append(f"- **{r['id']}** ({r['type']}) {r['question']}  \n  → {answer[:300]}")
    if not late:
        lines.append("None.")
    (out / "report.md").write_text("\n".join(lines) + "\n")
