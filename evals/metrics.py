"""Deterministic metrics over answer records (the `ask --json` shape) and gold items.

Gold item: ``{"id", "question", "answers": [[spelling, ...], ...], "evidence": [quote, ...],
"answerable"}``: ``answers`` lists key facts, each with its acceptable spellings.

Metrics must not reuse the code they judge, so this module imports nothing from ``assistant/`` or
``index/``: it has its own normaliser (``normalize``), word matcher (``states``), sentence splitter
(``split_sentences``) and content terms (``content_terms``).

- Lenient accuracy: every key fact is stated anywhere in the answer (citation markers removed).
- Strict accuracy: every key fact is stated inside the answer's lead, i.e. its first sentence or its
  first ``LEAD_WORDS`` words, whichever is longer (both are prefixes, so the union is the longer).
- Citation precision and recall follow ALCE (Gao et al., 2023): a sentence is supported when the
  passages it cites, together, support it; a citation is precise when it supports its sentence
  alone or is needed for the support. "Supports" is an offline lexical judge (``supports``).
  Abstained answers have no citation scores (None), and None is left out of every mean.
- Abstention precision (abstentions that were on unanswerable questions), recall (unanswerable
  questions abstained on) and the wrong-abstention rate (answerable questions abstained on).
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

import Stemmer

SUPPORT_SHARE = 0.75  # share of a sentence's content terms the evidence must contain
LEAD_WORDS = 30  # strict accuracy: key facts must be in the first sentence or the first 30 words
MARKER = re.compile(r"\s*\[(\d{1,3})\]")

# Unicode quotes and dashes -> ASCII, so spellings compare equal before punctuation is dropped.
_FOLD = str.maketrans({
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u0060\u00b4", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
    **dict.fromkeys("\u00a0\u2009\u202f", " "),
})
_DIGIT_GROUP = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")  # "1,500,000" -> "1500000"
_ACRONYM_DOT = re.compile(r"\b([a-z])\.(?=[a-z]\.)")  # "u.s." -> "us." (then the last dot is dropped)

# Common English function words: what a fact check or a support judge should not count.
STOPWORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being below
between both but by can could did do does doing down during each few for from further had has have having
he her here hers herself him himself his how i if in into is it its itself just me more most my myself no
nor not now of off on once only or other our ours ourselves out over own same she should so some such than
that the their theirs them themselves then there these they this those through to too under until up very
was we were what when where which while who whom whose why will with would you your yours yourself
yourselves said says say according told
""".split())

# Abbreviations after which a period does not end a sentence (titles, months, common Latin forms).
ABBREVIATIONS = frozenset("""
mr mrs ms dr prof gen lt col maj capt sgt adm cmdr gov sen rep pres st jr sr rev hon amb
jan feb mar apr jun jul aug sep sept oct nov dec vs etc inc corp ltd co dept univ approx
""".split())
_SENTENCE_END = re.compile(r"[.!?]+[\"')\]]*\s+(?=[\"'(]?[A-Z])")

_STEMMER = Stemmer.Stemmer("english")


def normalize(text: str) -> str:
    """Casefold, accents and unicode quotes/dashes folded, "1,500" == "1500", punctuation dropped, one space."""
    text = unicodedata.normalize("NFKD", text.translate(_FOLD))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = _DIGIT_GROUP.sub("", text)
    text = _ACRONYM_DOT.sub(r"\1", text)
    text = "".join(" " if unicodedata.category(ch)[0] in "PS" else ch for ch in text)
    return " ".join(text.split())


def strip_markers(text: str) -> str:
    """The answer without its citation markers ("[3]")."""
    return MARKER.sub("", text).strip()


def words(text: str) -> list[str]:
    """Whitespace words of the text with citation markers removed."""
    return strip_markers(text).split()


# Small numbers as news writes them: "four tests" states "4" (and "1" is stated by any "one").
_NUMBER_WORDS = {w: str(i) for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}


def _digits(normalized: str) -> str:
    return " ".join(_NUMBER_WORDS.get(w, w) for w in normalized.split())


def states(answer: str, spellings: Sequence[str]) -> bool:
    """One spelling occurs in the answer as whole words ("1500" is not stated by "15000"; "four" states "4")."""
    return Statements([answer]).any(spellings)


class Statements:
    """Texts normalised once, to ask of many answers whether any of the texts states them."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.hay = "".join(f" {_digits(normalize(t))} \n" for t in texts)

    def any(self, spellings: Sequence[str]) -> bool:
        return any(f" {n} " in self.hay for n in (_digits(normalize(s)) for s in spellings) if n)


def split_sentences(text: str) -> list[str]:
    """Sentences of a plain text: a split after . ! ? (and closing quotes/brackets) followed by space
    and a capital or an opening quote, except after a known abbreviation, a single-letter initial or
    a dotted acronym ("U.S."). Deliberately simple, and independent of the answerer's splitter."""
    out: list[str] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        before = text[start : m.start() + 1]
        last = re.findall(r"[\w.]+\.$", before)
        token = last[0].rstrip(".").casefold() if last else ""
        if token in ABBREVIATIONS or re.fullmatch(r"[a-z](?:\.[a-z])*", token):
            continue
        out.append(text[start : m.end()].strip())
        start = m.end()
    if text[start:].strip():
        out.append(text[start:].strip())
    return [s for s in out if s]


def cited_sentences(answer: str) -> list[tuple[str, list[int]]]:
    """Answer -> [(sentence without markers, [markers])]; markers after a period go with the sentence
    before ("A. [1] B. [2]"), a sentence of markers only joins the one before."""
    moved = re.sub(r"([.!?][\"')\]]*)((?:\s*\[\d{1,3}\])+)", r"\2\1", answer)  # "A. [1]" -> "A [1]."
    out: list[tuple[str, list[int]]] = []
    for sentence in split_sentences(moved):
        markers = [int(n) for n in MARKER.findall(sentence)]
        text = strip_markers(sentence)
        if re.search(r"\w", text):
            out.append((text, markers))
        elif out:
            out[-1][1].extend(markers)
    return out


def lead(answer: str, lead_words: int = LEAD_WORDS) -> str:
    """The answer's first sentence or its first ``lead_words`` words, whichever is longer (markers removed)."""
    text = strip_markers(answer)
    sentences = split_sentences(text)
    first = sentences[0] if sentences else ""
    head = " ".join(text.split()[:lead_words])
    return first if len(first.split()) > len(head.split()) else head


def answer_correct(record: dict[str, Any], gold: dict[str, Any], strict: bool = False) -> bool:
    """Unanswerable: correct iff abstained. Answerable: not abstained and every key fact stated
    (anywhere, or with ``strict`` inside the lead)."""
    if not gold.get("answerable", True):
        return bool(record.get("abstained"))
    if record.get("abstained") or not gold.get("answers"):
        return False
    answer = record.get("answer", "")
    text = lead(answer) if strict else strip_markers(answer)
    return all(states(text, fact) for fact in gold["answers"])


def abstention(record: dict[str, Any], gold: dict[str, Any]) -> dict[str, bool]:
    """What kind of abstention this is. ``withheld``: an answer was found but withheld (as unlikely to be
    right, or of the wrong kind); ``withheld_right``: that answer, had it been given, would have been strictly right."""
    answerable = gold.get("answerable", True)
    abstained = bool(record.get("abstained"))
    withheld = abstained and bool(record.get("withheld"))
    return {
        "answerable": bool(answerable),
        "abstained": abstained,
        "correct_abstain": abstained and not answerable,
        "wrong_abstain": abstained and answerable,
        "missed_abstain": (not abstained) and not answerable,
        "withheld": withheld,
        "withheld_right": withheld and answer_correct({"answer": record["withheld"]}, gold, strict=True),
    }


def answer_words(record: dict[str, Any]) -> int | None:
    """Words of an answered question's text, markers removed; None when it abstained."""
    return None if record.get("abstained") else len(words(record.get("answer", "")))


@lru_cache(maxsize=50_000)
def content_terms(text: str) -> frozenset[str]:
    """Stemmed content words and numbers of a text (function words left out)."""
    return frozenset(t if t[:1].isdigit() else _STEMMER.stemWord(t)
                     for t in normalize(text).split() if t not in STOPWORDS)


def supports(evidence: str, sentence: str) -> bool:
    """Lexical entailment judge: near-verbatim, or most content terms and every number present."""
    sent = normalize(sentence)
    if not sent:
        return False
    if f" {sent} " in f" {normalize(evidence)} ":
        return True
    terms = content_terms(sentence)
    if not terms:
        return False
    have = content_terms(evidence)
    if {t for t in terms if t[:1].isdigit()} - have:
        return False
    return len(terms & have) / len(terms) >= SUPPORT_SHARE


def citation_scores(record: dict[str, Any]) -> dict[str, float | None]:
    """ALCE citation recall and precision; None for abstained or empty answers."""
    none: dict[str, float | None] = {"citation_recall": None, "citation_precision": None}
    if record.get("abstained") or not record.get("answer", "").strip():
        return none
    quotes = {int(c["n"]): c.get("quote") or c.get("passage", "") for c in record.get("citations", [])}
    full = {int(c["n"]): c.get("passage") or c.get("quote", "") for c in record.get("citations", [])}
    sentences = cited_sentences(record["answer"])
    if not sentences:
        return none
    supported = cited = precise = 0
    for sentence, markers in sentences:
        evidence = [full[m] for m in markers if m in full]
        joint = bool(evidence) and supports(" ".join(evidence), sentence)
        supported += joint
        for m in markers:
            cited += 1
            if m not in full:
                continue  # a marker pointing at nothing is never precise
            alone = supports(full[m], sentence) or supports(quotes[m], sentence)
            others = " ".join(full[o] for o in markers if o != m and o in full)
            needed = joint and not (others and supports(others, sentence))
            precise += alone or needed
    return {
        "citation_recall": supported / len(sentences),
        "citation_precision": precise / cited if cited else 0.0,
    }


def _hit(passage: str, quote: str) -> bool:
    """The evidence quote is in the passage as whole words, or a long quote mostly is."""
    if f" {normalize(quote)} " in f" {normalize(passage)} ":
        return True
    terms = content_terms(quote)
    return len(terms) >= 6 and len(terms & content_terms(passage)) / len(terms) >= 0.8


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


def mean(values: Iterable[Any]) -> float | None:
    nums = [float(v) for v in values if v is not None and not isinstance(v, str)]
    return statistics.fmean(nums) if nums else None


def _share(hits: int, total: int) -> float | None:
    return hits / total if total else None


def abstention_rates(rows: Sequence[dict[str, Any]]) -> dict[str, float | None]:
    """Precision and recall of abstaining (positive = unanswerable) and the wrong-abstention rate, with
    the part of it that withheld a wrong answer (a loss of nothing) and the part that withheld a right one."""
    abstained = [r for r in rows if r.get("abstained")]
    unanswerable = [r for r in rows if not r.get("answerable", True)]
    answerable = [r for r in rows if r.get("answerable", True)]
    right = sum(1 for r in abstained if not r.get("answerable", True))
    withheld = [r for r in answerable if r.get("withheld")]
    return {
        "abstention_precision": _share(right, len(abstained)),
        "abstention_recall": _share(right, len(unanswerable)),
        "wrong_abstention": _share(sum(1 for r in answerable if r.get("abstained")), len(answerable)),
        "withheld_wrong_answer": _share(sum(1 for r in withheld if not r.get("withheld_right")), len(answerable)),
        "withheld_right_answer": _share(sum(1 for r in withheld if r.get("withheld_right")), len(answerable)),
    }


def confidence_auc(rows: Sequence[dict[str, Any]]) -> float | None:
    """How well the confidence an answer shows tells right answers (strict) from wrong ones: the chance
    that a right one shows more than a wrong one, ties counting half (0.5: no signal; 1: every right
    answer above every wrong one). Answered, answerable questions only."""
    answered = [r for r in rows if r.get("answerable", True) and not r.get("abstained")
                and isinstance(r.get("confidence"), int | float)]
    return ranks_above([float(r["confidence"]) for r in answered if r.get("strict_correct")],
                       [float(r["confidence"]) for r in answered if not r.get("strict_correct")])


def ranks_above(right: Sequence[float], wrong: Sequence[float]) -> float | None:
    """The chance that a right one's score is above a wrong one's, ties counting half (the AUC); None
    without both."""
    if not len(right) or not len(wrong):
        return None
    return sum((a > b) + 0.5 * (a == b) for a in right for b in wrong) / (len(right) * len(wrong))


# Per-question flags that are reported only through the named rates in ``summarize``.
RAW_FLAGS = frozenset({"correct", "strict_correct", "answerable", "abstained", "correct_abstain",
                       "wrong_abstain", "missed_abstain", "withheld", "withheld_right"})


def summarize(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Per-question scores -> overall and per-type means (None left out), accuracies and abstention rates."""
    keys = sorted({k for r in rows for k, v in r.items() if k != "type" and (v is None or isinstance(v, bool | int
                                                                                                     | float))})
    overall = {k: mean(r.get(k) for r in rows) for k in keys if k not in RAW_FLAGS}
    answerable = [r for r in rows if r.get("answerable", True)]
    answered = [r["answer_words"] for r in rows if r.get("answer_words") is not None]
    overall.update({
        "lenient_accuracy": mean(r.get("correct") for r in rows),
        "lenient_answerable_accuracy": mean(r.get("correct") for r in answerable),
        "strict_accuracy": mean(r.get("strict_correct") for r in rows),
        "strict_answerable_accuracy": mean(r.get("strict_correct") for r in answerable),
        "median_answer_words": float(statistics.median(answered)) if answered else None,
        "confidence_auc": confidence_auc(rows),
        **abstention_rates(rows),
    })
    by_type: dict[str, dict[str, Any]] = {}
    for t in sorted({str(r.get("type", "")) for r in rows}):
        group = [r for r in rows if str(r.get("type", "")) == t]
        by_type[t] = {"n": len(group), **{k: mean(r.get(k) for r in group) for k in keys}}
    return {"overall": {k: v for k, v in overall.items() if v is not None}, "by_type": by_type}
