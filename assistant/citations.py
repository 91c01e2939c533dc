"""Inline [n] markers <-> passages, and the check that each answer sentence is supported.

Used on every answer, generated or extractive: markers that point at nothing are removed, each
remaining marker resolves to the quoted words and their span in the article, and a sentence
whose cited passages do not support it is dropped (and reported as flagged).
"""

from __future__ import annotations

import re

from assistant.text import content_terms
from assistant.types import Citation, Passage
from index.nlp import sentence_spans

MARKER = re.compile(r"\s*\[(\d{1,3})\]")
SUPPORT_THRESHOLD = 0.7  # share of a sentence's content terms its cited passages must contain


_ANSWER_SENTENCE_END = re.compile(r"""[.!?]["')\]]*(?:\s*\[\d{1,3}\])*\s+(?=["'(]?[A-Z0-9\[])""")


def _answer_sentences(answer: str) -> list[tuple[int, int]]:
    """Sentences of an answer (our own or an LLM's text, not an article's): split after . ! ? and the
    markers that follow, so "[1]" is never cut from its sentence, and not inside a quotation."""
    spans, start = [], 0
    for m in _ANSWER_SENTENCE_END.finditer(answer):
        if answer[start : m.end()].count('"') % 2:
            continue  # inside a quotation that goes on: one sentence of the answer
        spans.append((start, m.end()))
        start = m.end()
    spans.append((start, len(answer)))
    return [(s, e) for s, e in spans if answer[s:e].strip()]


def split_answer(answer: str) -> list[tuple[str, list[int]]]:
    """Answer text -> [(sentence without markers, [marker numbers])]; markers go with the sentence before."""
    out: list[tuple[str, list[int]]] = []
    for s, e in _answer_sentences(answer):
        sentence = answer[s:e]
        lead = re.match(r"(?:\s*\[\d{1,3}\])+", sentence)
        if lead and out:  # "Sentence. [1] Next one." splits before "[1]": it belongs to the first
            out[-1][1].extend(int(m) for m in re.findall(r"\[(\d{1,3})\]", lead.group(0)))
            sentence = sentence[lead.end() :]
        markers = [int(m) for m in re.findall(r"\[(\d{1,3})\]", sentence)]
        text = MARKER.sub("", sentence).strip()
        if text:
            out.append((text, markers))
        elif markers and out:  # a sentence of markers only: attach to the one before
            out[-1][1].extend(markers)
    return out


def support(sentence: str, evidence: str) -> float:
    """Share of the sentence's content terms and numbers found in the evidence (1.0 = all)."""
    terms = set(content_terms(sentence))
    if not terms:
        return 1.0
    have = set(content_terms(evidence))
    numbers = {t for t in terms if t[:1].isdigit()}
    if numbers - have:
        return 0.0  # a number the passage does not state is never supported
    return len(terms & have) / len(terms)


def best_quote(sentence: str, passage: Passage) -> tuple[str, int, int]:
    """The passage sentence that best supports ``sentence``: its text and article span."""
    best = (-1.0, 0, len(passage.text))
    for s, e in sentence_spans(passage.text):
        score = support(sentence, passage.text[s:e])
        if score > best[0]:
            best = (score, s, e)
    _, s, e = best
    return passage.text[s:e], passage.start + s, passage.start + e


def resolve(answer: str, passages: dict[int, Passage]) -> tuple[str, list[Citation], list[str]]:
    """Check a generated answer against the passages it cites.

    Returns the answer rewritten with only supported sentences and renumbered markers, the
    citations, and the sentences that were dropped as unsupported.
    """
    kept: list[str] = []
    flagged: list[str] = []
    citations: list[Citation] = []
    by_passage: dict[tuple[int, int], int] = {}
    for sentence, markers in split_answer(answer):
        valid = [m for m in dict.fromkeys(markers) if m in passages]
        evidence = " ".join(passages[m].text for m in valid)
        if not valid or support(sentence, evidence) < SUPPORT_THRESHOLD:
            flagged.append(sentence)
            continue
        numbers = []
        for m in valid:
            quote, start, end = best_quote(sentence, passages[m])
            key = (m, start)
            if key not in by_passage:
                p = passages[m]
                by_passage[key] = len(citations) + 1
                citations.append(Citation(len(citations) + 1, p.article_id, p.title, p.source, p.published,
                                          quote, start, end, p.text))
            numbers.append(by_passage[key])
        kept.append(sentence + "".join(f" [{n}]" for n in numbers))
    return " ".join(kept), citations, flagged
