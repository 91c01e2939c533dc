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
    ax.bar(types, [by_type[t].get("correct", 0) or 0 for t in types], color="#3b6ea5")
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


def write_report(rows: list[dict[str, Any]], summary: dict[str, Any], out: Path) -> None:
    overall = summary.get("overall", {})
    lines = [
        f"# Eval report: {summary.get('dataset')} ({summary.get('backend')})",
        "",
        f"{summary.get('questions')} questions in {summary.get('seconds')} s.",
        "",
        "| metric | value |",
        "|---|---|",
        *[f"| {k} | {_fmt(v)} |" for k, v in sorted(overall.items())],
        *[f"| latency {k} (ms) | {v:.0f} |" for k, v in summary.get("latency_ms", {}).items()],
        "",
        "## By question type",
        "",
        "| type | n | accuracy |",
        "|---|---|---|",
        *[f"| {t} | {v.get('n', '')} | {_fmt(v.get('correct'))} |"
          for t, v in sorted(summary.get("by_type", {}).items())],
        "",
        "![accuracy](accuracy_by_type.png) ![citations](citations.png) ![latency](latency.png)",
        "",
        "## Wrong answers",
        "",
    ]
    wrong = [r for r in rows if not r["scores"].get("correct")]
    for r in wrong[:40]:
        answer = r["answer"].replace("\n", " ")
        lines.append(f"- **{r['id']}** ({r['type']}) {r['question']}  \n  → {answer[:300]}")
    if not wrong:
        lines.append("None.")
    (out / "report.md").write_text("\n".join(lines) + "\n")
