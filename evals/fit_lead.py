"""Fit the model that picks the lead sentence (``assistant/lead_model.json``) on questions with gold answers.

A conditional logit: for each question, a softmax over its candidate sentences' scores ``w . x``
(features standardised), fitted by gradient descent to put the probability on the candidates that
state the gold answer; questions where none does teach nothing and are left out. Labels use the
evals' own normaliser (``metrics.states``), not the answerer's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from tqdm import tqdm

from assistant import extractive, leadrank
from assistant.leadrank import FEATURES, LeadModel
from assistant.service import Assistant
from evals import metrics

L2 = 0.01  # 0.001-0.1 within a point on held-out questions
STEPS = 3000
RATE = 0.1


@dataclass
class Group:
    """One question's candidates: features (one row each) and which state the gold answer."""

    x: np.ndarray
    gold: np.ndarray


def collect(assistant: Assistant, items: Sequence[dict[str, Any]], progress: bool = True) -> list[Group]:
    groups = []
    for item in tqdm(items, desc="candidates", unit="q", disable=not progress):
        ev = assistant.evidence(item["question"], as_of=item.get("date", ""))
        cands = leadrank.candidates(ev.info, extractive.lead_pool(ev.scored), ev.scored)
        if cands:
            facts = item["answers"]  # every key fact, each in any of its spellings
            groups.append(Group(np.array([[c.features[f] for f in FEATURES] for c in cands], dtype=float),
                                np.array([all(metrics.states(c.sentence.text, f) for f in facts) for c in cands],
                                         dtype=float)))
    return groups


def fit(groups: Sequence[Group], l2: float = L2, steps: int = STEPS, rate: float = RATE) -> LeadModel:
    rows = np.vstack([g.x for g in groups])
    mean, scale = rows.mean(0), rows.std(0) + 1e-9
    taught = [((g.x - mean) / scale, g.gold / g.gold.sum()) for g in groups if g.gold.any()]
    if not taught:
        raise ValueError("no question has a candidate sentence that states its gold answer: nothing to fit")
    w = np.zeros(len(FEATURES))
    for _ in range(steps):
        grad = l2 * w
        for x, target in taught:
            s = x @ w
            p = np.exp(s - s.max())
            grad += x.T @ (p / p.sum() - target) / len(taught)
        w -= rate * grad
    return LeadModel(tuple(w.tolist()), tuple(mean.tolist()), tuple(scale.tolist()))


def accuracy(groups: Sequence[Group], model: LeadModel | None) -> float:
    """Share of questions whose chosen candidate states the gold answer (``None``: the best-scored one)."""
    if not groups:
        return 0.0
    if model is None:
        return float(np.mean([g.gold[0] for g in groups]))
    return float(np.mean([g.gold[int(np.argmax([model.score_row(row) for row in g.x.tolist()]))] for g in groups]))
