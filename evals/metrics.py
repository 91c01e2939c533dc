"""Deterministic metrics over answer records (the `ask --json` shape) and gold items.

Gold item: ``{"id", "question", "answers": [[spelling, ...], ...], "evidence": [quote, ...],
"answerable"}``: ``answers`` lists key facts, each with its acceptable spellings; an answer is
correct when it states every key fact (case-insensitive, quotes and digit grouping normalised).

Citation precision and recall follow ALCE (Gao et al., 2023): a sentence is supported when the
passages it cites, together, support it; a citation is precise when it supports its sentence
alone or is needed for the support. "Supports" is an offline lexical judge (``supports``).
Abstained answers have no citation scores (None), and None is left out of every mean.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable, Sequence
from typing import Any

from assistant.citations import split_answer
from assistant.text import content_terms

SUPPORT_SHARE = 0.75  # share of a sentence's content terms the evidence must contain
_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'", "\u00a0": " "})


def normalize(text: str) -> str:
    """Casefold, straight quotes, one space, no digit grouping ("1,500" == "1500")."""
    text = text.translate(_QUOTES).casefold()
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    return re.sub(r"\s+", " ", text).strip()


def states(answer: str, spellings: Sequence[str]) -> bool:
    hay = normalize(answer)
    return any(normalize(s) in hay for s in spellings if s.strip())


def answer_correct(record: dict[str, Any], gold: dict[str, Any]) -> bool:
    """Unanswerable: correct iff abstained. Answerable: not abstained and every key fact stated."""
    if not gold.get("answerable", True):
        return bool(record.get("abstained"))
    if record.get("abstained") or not gold.get("answers"):
        return False
    text = re.sub(r"\s*\[\d+\]", "", record.get("answer", ""))
    return all(states(text, fact) for fact in gold["answers"])


def abstention(record: dict[str, Any], gold: dict[str, Any]) -> dict[str, bool]:
    answerable = gold.get("answerable", True)
    abstained = bool(record.get("abstained"))
    return {
        "correct_abstain": abstained and not answerable,
        "wrong_abstain": abstained and answerable,
        "missed_abstain": (not abstained) and not answerable,
    }


def supports(evidence: str, sentence: str) -> bool:
    """Lexical entailment judge: near-verbatim, or most content terms and every number present."""
    if not sentence.strip():
        return False
    if normalize(sentence).rstrip(".") in normalize(evidence):
        return True
    terms = set(content_terms(sentence))
    if not terms:
        return False
    have = set(content_terms(evidence))
    if {t for t in terms if t[:1].isdigit()} - have:
        return False
    return len(terms & have) / len(terms) >= SUPPORT_SHARE


def citation_scores(record: dict[str, Any]) -> dict[str, float | None]:
    """ALCE citation recall and precision; None for abstained or empty answers."""
    if record.get("abstained") or not record.get("answer", "").strip():
        return {"citation_recall": None, "citation_precision": None}
    passages = {int(c["n"]): c.get("quote") or c.get("passage", "") for c in record.get("citations", [])}
    full = {int(c["n"]): c.get("passage") or c.get("quote", "") for c in record.get("citations", [])}
    sentences = split_answer(record["answer"])
    if not sentences:
        return {"citation_recall": None, "citation_precision": None}
    supported = 0
    cited = precise = 0
    for sentence, markers in sentences:
        evidence = [full[m] for m in markers if m in full]
        joint = bool(evidence) and supports(" ".join(evidence), sentence)
        supported += joint
        for m in markers:
            cited += 1
            if m not in full:
                continue  # a marker pointing at nothing is never precise
            alone = supports(full[m], sentence) or supports(passages[m], sentence)
            others = " ".join(full[o] for o in markers if o != m and o in full)
            needed = joint and not (others and supports(others, sentence))
            precise += alone or needed
    return {
        "citation_recall": supported / len(sentences),
        "citation_precision": precise / cited if cited else 0.0,
    }


def _hit(passage: str, quote: str) -> bool:
    p, q = normalize(passage), normalize(quote)
    if q in p:
        return True
    terms = set(content_terms(quote))
    return len(terms) >= 6 and len(terms & set(content_terms(passage))) / len(terms) >= 0.8


def retrieval_scores(passages: Sequence[str], evidence: Sequence[str], ks: Iterable[int] = (1, 3, 5, 10)
                     ) -> dict[str, float]:
    """hit@k (an evidence quote is in one of the first k passages) and reciprocal rank."""
    first = next((i for i, p in enumerate(passages) if any(_hit(p, q) for q in evidence)), None)
    out = {f"hit@{k}": float(first is not None and first < k) for k in ks}
    out["mrr"] = 1.0 / (first + 1) if first is not None else 0.0
    return out


def latency_summary(latencies: Sequence[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    if not ordered:
        return {}

    def pct(q: float) -> float:
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    return {"p50": pct(0.5), "p95": pct(0.95), "mean": statistics.fmean(ordered)}


def _mean(values: Iterable[Any]) -> float | None:
    nums = [float(v) for v in values if v is not None and not isinstance(v, str)]
    return statistics.fmean(nums) if nums else None


def summarize(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Per-question scores -> overall and per-type means (None left out), plus abstention rates."""
    keys = sorted({k for r in rows for k, v in r.items() if k != "type" and (v is None or isinstance(v, bool | int
                                                                                                     | float))})
    overall = {k: _mean(r.get(k) for r in rows) for k in keys}
    answerable = [r for r in rows if not r.get("correct_abstain") and not r.get("missed_abstain")]
    unanswerable = [r for r in rows if r.get("correct_abstain") or r.get("missed_abstain")]
    overall["answer_accuracy"] = _mean(r.get("correct") for r in rows)
    overall["answerable_accuracy"] = _mean(r.get("correct") for r in answerable)
    overall["abstention_accuracy"] = _mean(r.get("correct_abstain") for r in unanswerable)
    overall["wrong_abstain_rate"] = _mean(r.get("wrong_abstain") for r in answerable)
    by_type: dict[str, dict[str, Any]] = {}
    for t in sorted({str(r.get("type", "")) for r in rows}):
        group = [r for r in rows if str(r.get("type", "")) == t]
        by_type[t] = {"n": len(group), **{k: _mean(r.get(k) for r in group) for k in keys}}
    raw_flags = {"correct", "correct_abstain", "wrong_abstain", "missed_abstain"}  # reported as the rates above
    return {"overall": {k: v for k, v in overall.items() if v is not None and k not in raw_flags},
            "by_type": by_type}
