"""Inline [n] markers <-> passages, and the check that each answer sentence is supported.

Used on every answer, generated or extractive: markers that point at nothing are removed, each
remaining marker resolves to the quoted words and their span in the article, and a sentence
is dropped (and reported in ``flagged`` with the reason) unless its cited passages state every
number and named entity in it and most of its content words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from assistant.text import STOPWORDS, content_terms, stem
from assistant.types import Citation, Passage
from index.nlp import parse, sentence_spans

SUPPORT_THRESHOLD = 0.7  # share of a sentence's content words its cited passages must contain

_NUMS = r"\d{1,3}(?:\s*(?:,|;|&|\band\b)\s*(?:passages?\s*)?\d{1,3})*"
# [1]  [1][2]  [1, 2]  [Passage 2]  (passage 2)  (passages 1 and 3); a bare "(2)" is not a citation
MARKER = re.compile(
    rf"\s*(?:\[\s*(?:(?:passages?|sources?)\s*)?({_NUMS})\s*\]|\(\s*(?:passages?|sources?)\s*({_NUMS})\s*\))", re.I
)
_LEADING = re.compile(rf"(?:{MARKER.pattern})+", re.I)
# "passage 3" / "passages 2 and 3" without brackets, only read inside a citation-only sentence
_BARE = re.compile(rf"\b(?:passages?|sources?)\s+({_NUMS})\b", re.I)
_LIST_ITEM = re.compile(r"^\s*(?:[-*\u2022]|\d{1,2}[.)])\s+")  # "1. ", "- " opening a line of a list
# What a sentence that only cites is made of once its markers are gone ("This is supported by passage [3].")
_CITATION_WORDS = frozenset(stem(w) for w in (
    "support supported supports passage passages source sources cite cited citation based information inform refer "
    "reference references stated states mentioned found see evidence answer fact facts provided given detailed "
    "shown text noted described come comes taken drawn backed confirmed verified mentions").split())

_NUMBER = re.compile(r"(?<![\w.])(\d[\d,]*(?:\.\d+)?)(?:\s+(thousand|million|billion|trillion)\b)?", re.I)
_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
# Named entities: spaCy's proper-name labels. DATE and TIME are left out on purpose: they are
# mostly relative phrases ("last week", "earlier this month") that a faithful answer rephrases,
# and the digits they hold (days, years) are checked by the number rule anyway. CARDINAL,
# MONEY, PERCENT, QUANTITY and ORDINAL are numbers, also checked by that rule.
NAMED = frozenset({"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE"})
_PLACES = frozenset({"NORP", "GPE", "LOC"})  # "Russian" is stated by a passage that says "Russia"
_WORD = re.compile(r"[^\W\d_]+")
_CAPITALISED_RUN = re.compile(r"\b[A-Z][\w'\u2019-]*(?:\s+(?:of|the|and|for)?\s*[A-Z][\w'\u2019-]*)+")


def _markers(found: Iterable[re.Match[str]]) -> list[int]:
    return [int(n) for m in found for n in re.findall(r"\d{1,3}", m.group(1) or m.group(2) or "")]


def _citation_only(text: str) -> list[int] | None:
    """The bare "passage N" numbers of a sentence that only cites (markers already removed), else None."""
    if set(content_terms(_BARE.sub(" ", text))) <= _CITATION_WORDS:
        return _markers(_BARE.finditer(text))
    return None


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
    """Answer text -> [(sentence without markers, [passage numbers it cites])].

    Markers that open a sentence within a line ("Sentence. [1] Next.") and sentences that only
    cite ("This is supported by passage [3].") attach to the run of sentences just before them
    that have no markers of their own (or, if there is none, to the one sentence before); such
    citation-only sentences, and sentences that state nothing ("The answer is:"), are dropped.
    """
    out: list[tuple[str, list[int]]] = []
    unmarked: list[int] = []  # sentences without markers since the last citation-only one

    def attach(numbers: list[int]) -> None:
        for i in unmarked or ([len(out) - 1] if out else []):
            out[i][1].extend(numbers)
        unmarked.clear()

    for line in answer.splitlines():
        line = _LIST_ITEM.sub("", line.replace("**", ""))
        for i, (s, e) in enumerate(_answer_sentences(line)):
            sentence = line[s:e]
            lead = _LEADING.match(sentence)
            if lead and (i > 0 or not sentence[lead.end() :].strip()):  # "[2] Text" opening a line is its own
                attach(_markers(MARKER.finditer(lead.group(0))))
                sentence = sentence[lead.end() :]
            markers = _markers(MARKER.finditer(sentence))
            text = " ".join(MARKER.sub("", sentence).split())
            only = _citation_only(text)
            if only is not None:  # cites, or states nothing ("The answer is:")
                if markers or only:
                    attach(markers + only)
                continue
            if markers:
                unmarked.clear()  # a trailing citation covers only the unmarked run right before it
            else:
                unmarked.append(len(out))
            out.append((text, markers))
    return out


def _number(m: re.Match[str]) -> tuple[str, float]:
    """A number as written without commas ("1500") and its value with any scale word (3 million = 3e6)."""
    digits = m.group(1).replace(",", "")
    return digits, round(float(digits) * _SCALES.get((m.group(2) or "").lower(), 1.0), 6)


def number_values(text: str) -> tuple[set[str], set[float]]:
    """Every number of the text, as written without commas and as values."""
    found = [_number(m) for m in _NUMBER.finditer(text)]
    return {raw for raw, _ in found}, {value for _, value in found}


def missing_numbers(sentence: str, evidence: str) -> list[str]:
    """Numbers of the sentence (as written) that the evidence does not state, in any notation."""
    raw, values = number_values(evidence)
    missing = []
    for m in _NUMBER.finditer(sentence):
        digits, value = _number(m)
        if value not in values and (m.group(2) or digits not in raw):
            missing.append(m.group(0).strip().rstrip(","))
    return missing


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text.replace("\u2019", "'"))]


def _acronyms(text: str) -> set[str]:
    """Initials of capitalised runs ("National Intelligence Service" -> "nis"), to accept "NIS", "U.S."."""
    out: set[str] = set()
    for m in _CAPITALISED_RUN.finditer(text):
        initials = "".join(w[0] for w in m.group(0).split() if w[:1].isupper()).lower()
        out.update(initials[i:j] for i in range(len(initials)) for j in range(i + 2, len(initials) + 1))
    return out


def _same_place(word: str, have: set[str]) -> bool:
    """Demonym and place name share a stem: russia/russian, korea/korean, ukraine/ukrainian, china/chinese."""
    for h in have:
        short = min(len(word), len(h))
        common = len(next((word[:i] for i in range(short, 0, -1) if word[:i] == h[:i]), ""))
        if short >= 4 and common >= max(4, short - 1):
            return True
    return False


def missing_entities(sentences: Sequence[str], evidence: Sequence[str]) -> list[list[str]]:
    """For each sentence, its named entities that its evidence does not name (case-insensitive)."""
    out = []
    for doc, text in zip(parse(sentences), evidence, strict=True):
        have = set(_words(text))
        acronyms = _acronyms(text)
        missing = []
        for ent in doc.ents:
            if ent.label_ not in NAMED:
                continue
            letters = "".join(_words(ent.text))
            if ent.text.replace(".", "").isupper() and letters in acronyms:
                continue
            words = [w for w in _words(ent.text) if w not in STOPWORDS and w != "s"]
            if not all(w in have or (ent.label_ in _PLACES and _same_place(w, have)) for w in words):
                missing.append(ent.text)
        out.append(list(dict.fromkeys(missing)))
    return out


def support(sentence: str, evidence: str) -> float:
    """Share of the sentence's content words found in the evidence (1.0 = all); 0.0 if a number is missing."""
    if missing_numbers(sentence, evidence):
        return 0.0  # a number the passage does not state is never supported
    terms = {t for t in content_terms(sentence) if not t[:1].isdigit() and t not in _SCALES}
    if not terms:
        return 1.0
    return len(terms & set(content_terms(evidence))) / len(terms)


def best_quote(sentence: str, passage: Passage) -> tuple[str, int, int]:
    """The passage sentence that best supports ``sentence``: its text and article span."""
    best = (-1.0, 0, len(passage.text))
    for s, e in sentence_spans(passage.text):
        score = support(sentence, passage.text[s:e])
        if score > best[0]:
            best = (score, s, e)
    _, s, e = best
    return passage.text[s:e], passage.start + s, passage.start + e


def _cited(numbers: list[int]) -> str:
    """"cited passage [2] does not" / "cited passages [1][3] do not"."""
    marks = "".join(f"[{n}]" for n in numbers)
    return f"cited passage {marks} does not" if len(numbers) == 1 else f"cited passages {marks} do not"


def _reason(sentence: str, cited: list[int], evidence: str, names: list[str]) -> str:
    """Why a sentence is not supported by the passages it cites, or "" if it is."""
    if not cited:
        return "cites no passage it was given"
    numbers = missing_numbers(sentence, evidence)
    if numbers:
        return f"states {', '.join(numbers)}, {_cited(cited)}"
    if names:
        return f"names {', '.join(names)}, {_cited(cited)}"
    if support(sentence, evidence) < SUPPORT_THRESHOLD:
        return f"{_cited(cited)} contain most of its words"
    return ""


def resolve(answer: str, passages: dict[int, Passage]) -> tuple[str, list[Citation], list[str]]:
    """Check a generated answer against the passages it cites.

    Returns the answer rewritten with only supported sentences and renumbered markers, the
    citations, and one note per dropped sentence saying why it was dropped.
    """
    split = split_answer(answer)
    cited = [[m for m in dict.fromkeys(markers) if m in passages] for _, markers in split]
    evidence = [" ".join(passages[m].text for m in valid) for valid in cited]
    names = missing_entities([s for s, _ in split], evidence)
    kept: list[str] = []
    flagged: list[str] = []
    citations: list[Citation] = []
    by_passage: dict[tuple[int, int], int] = {}
    for (sentence, _), valid, text, missing in zip(split, cited, evidence, names, strict=True):
        reason = _reason(sentence, valid, text, missing)
        if reason:
            flagged.append(f'Dropped "{sentence}": {reason}.')
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
