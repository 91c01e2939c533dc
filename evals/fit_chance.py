"""Fit the chance that an extractive answer is right (``assistant/chance_model.json``) on eval results.

Reads the ``results.jsonl`` of ``python -m evals run`` folders: every question the answerer found a lead
for (given or withheld) is a row of its confidence and the lead model's score of its lead; the label is
whether that answer states the gold answer in its lead (strict, judged by the evals' own metrics; an
unanswerable question's answer is never right). Include runs with ``--ask-of`` so that answers to
questions the articles do not answer teach the fit too. A logistic regression (features standardised,
L2), returned in raw units.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.chance import ChanceModel
from evals import metrics

L2 = 1.0
STEPS = 3000
RATE = 0.1
THRESHOLDS = (0.02, 0.04, 0.06, 0.08, 0.10)


@dataclass(eq=False)  # compared by identity: its arrays have no one truth value
class Results:
    """One eval folder: the rows with a lead, and how many questions had none (abstained early)."""

    name: str
    confidence: np.ndarray
    lead_score: np.ndarray
    right: np.ndarray  # the answer, given or withheld, is strictly right
    answerable: np.ndarray
    early: int  # abstained before any lead was chosen
    early_answerable: int

    @property
    def questions(self) -> int:
        return len(self.right) + self.early

    @property
    def answerable_questions(self) -> int:
        return int(self.answerable.sum()) + self.early_answerable


def names(folders: Sequence[Path]) -> list[str]:
    """How folders are named in the report and the model file: their own names, or paths if those clash."""
    short = [f.name for f in folders]
    return short if len(set(short)) == len(short) else [str(f) for f in folders]


def read(folder: Path, name: str) -> Results:
    path = folder / "results.jsonl"
    if not path.is_file():
        raise ValueError(f"no eval results at {path}: run `python -m evals run --out {folder}` first")
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    if rows and all("lead_score" not in r for r in rows):
        raise ValueError(f"{path} was written before answers recorded their lead score: run the eval again")
    if any(r.get("backend", "extractive") != "extractive" for r in rows):
        raise ValueError(f"{path} holds answers of another backend than the extractive one")
    led = [r for r in rows if isinstance(r.get("lead_score"), int | float)]
    early = [r for r in rows if not isinstance(r.get("lead_score"), int | float)]
    return Results(
        name,
        np.array([float(r["confidence"]) for r in led]),
        np.array([float(r["lead_score"]) for r in led]),
        np.array([_right(r["scores"]) for r in led]),
        np.array([bool(r["scores"]["answerable"]) for r in led]),
        len(early), sum(1 for r in early if r["scores"]["answerable"]))


def _right(scores: dict[str, Any]) -> bool:
    """The answer, given or withheld, states the gold answer in its lead (an unanswerable question's
    ``strict_correct`` means it was abstained on: no answer to it is right)."""
    return bool(scores["answerable"] and (scores["strict_correct"] or scores.get("withheld_right")))


def fit(results: Sequence[Results], l2: float = L2, steps: int = STEPS, rate: float = RATE) -> ChanceModel:
    x = np.column_stack([np.concatenate([r.confidence for r in results]),
                         np.concatenate([r.lead_score for r in results])])
    y = np.concatenate([r.right for r in results]).astype(float)
    if not len(y) or y.all() or not y.any():
        raise ValueError("the results need both right and wrong answers to fit on")
    mean, scale = x.mean(0), x.std(0) + 1e-9
    z = (x - mean) / scale
    w, b = np.zeros(2), 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(z @ w + b)))
        w -= rate * (z.T @ (p - y) + l2 * w) / len(y)
        b -= rate * float((p - y).mean())
    raw = w / scale
    return ChanceModel(float(b - raw @ mean), float(raw[0]), float(raw[1]))


def record(model: ChanceModel, fitted: Sequence[Results]) -> dict[str, Any]:
    """What the model file holds: the weights, what they were fitted on and how well they rank there."""
    ranked = {"confidence": auc(*pooled(fitted, None)), "chance": auc(*pooled(fitted, model))}
    return {**model.to_json(), "fitted_on": [r.name for r in fitted], "rows": sum(len(r.right) for r in fitted),
            "auc": {k: None if v is None else round(v, 3) for k, v in ranked.items()}}


def auc(scores: np.ndarray, right: np.ndarray) -> float | None:
    """The chance a right answer scores above a wrong one (ties half)."""
    return metrics.ranks_above(scores[right].tolist(), scores[~right].tolist())


def pooled(results: Sequence[Results], model: ChanceModel | None) -> tuple[np.ndarray, np.ndarray]:
    """Every folder's rows together: the model's chances (``None``: the confidence) and which are right."""
    scores = [chances(model, r) if model else r.confidence for r in results]
    return np.concatenate(scores), np.concatenate([r.right for r in results])


def chances(model: ChanceModel, r: Results) -> np.ndarray:
    return np.array([model.chance(c, s) for c, s in zip(r.confidence, r.lead_score, strict=True)])


def trade(model: ChanceModel, r: Results, threshold: float) -> dict[str, float | None]:
    """What withholding below ``threshold`` does on one folder: abstentions on answerable questions
    (and how many of the withheld answers were right), on unanswerable ones."""
    under = chances(model, r) < threshold
    answerable, unanswerable = r.answerable_questions, r.questions - r.answerable_questions
    return {
        "wrong_abstention": (r.early_answerable + int((under & r.answerable).sum())) / answerable
        if answerable else None,
        "right_withheld": int((under & r.right).sum()),
        "abstention_recall": (r.early - r.early_answerable + int((under & ~r.answerable).sum())) / unanswerable
        if unanswerable else None,
    }


def report(model: ChanceModel, fitted: Sequence[Results], held_out: Sequence[Results]) -> str:
    """A Markdown report: how well the chance ranks right answers over the rest, and the trade of each
    threshold, on the folders fitted on and those held out."""
    lines = ["| results | rows with a lead | right | AUC confidence | AUC chance |", "|---|---|---|---|---|"]
    groups: list[tuple[str, Sequence[Results]]] = [
        (f"{r.name}{'' if r in fitted else ' (held out)'}", [r]) for r in [*fitted, *held_out]]
    groups += [(f"all {tag}, pooled", rs) for tag, rs in (("fitted on", fitted), ("held out", held_out)) if len(rs) > 1]
    for name, rs in groups:
        right = np.concatenate([r.right for r in rs])
        lines.append(f"| {name} | {len(right)} | {int(right.sum())} | {_num(auc(*pooled(rs, None)))} "
                     f"| {_num(auc(*pooled(rs, model)))} |")
    lines += ["", "Withheld below a chance: wrong abstentions / right answers withheld / unanswerable abstained on",
              "", "| chance under | " + " | ".join(r.name for r in [*fitted, *held_out]) + " |",
              "|---|" + "---|" * (len(fitted) + len(held_out))]
    for t in THRESHOLDS:
        cells = [trade(model, r, t) for r in [*fitted, *held_out]]
        lines.append(f"| {t:.2f} | " + " | ".join(
            f"{_num(c['wrong_abstention'])} / {c['right_withheld']} / {_num(c['abstention_recall'])}" for c in cells)
            + " |")
    return "\n".join(lines)


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"
