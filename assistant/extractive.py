"""The embedded default answerer: grounded by construction.

It never writes a claim of its own. It picks the few sentences of the retrieved passages that
best answer the question (scored against it, each adding something the others do not say,
near-duplicates across articles merged into one statement with several citations) and returns
them verbatim, each followed by its citation markers. When no sentence is close enough, or the
question names someone or something the articles never mention, it abstains.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.scoring import ScoredSentence, names_in
from assistant.text import PRONOUN_START, QuestionInfo, content_terms, expand
from assistant.types import Citation, Passage

MIN_SCORE = 0.42  # below this the best sentence does not answer the question (tuned on the gold set)
MIN_LEXICAL = 0.34  # ... and it must state some of the question's own terms
KEEP_RATIO = 0.6  # further sentences must score within this ratio of the best one...
FLOOR = 0.3  # ... and above this
REDUNDANCY = 0.3  # MMR weight: how much saying the same thing again costs
NO_NEW_NAMES = 0.2  # for "who" questions: a sentence naming no one new adds little
CONTEXT_MAX_WORDS = 35  # a "He said..." sentence brings the one before only when that one is short
MAX_SENTENCES = 4
MAX_WORDS = 170
DUPLICATE_JACCARD = 0.5  # two sentences state the same fact when their terms overlap this much...
DUPLICATE_COSINE = 0.75  # ... or their meaning is this close


@dataclass
class Statement:
    """One answer sentence and the sentences (possibly in several articles) that say it."""

    lead: ScoredSentence
    support: list[ScoredSentence] = field(default_factory=list)
    context: list[ScoredSentence] = field(default_factory=list)  # sentences before a lead that says "He..."
    continuation: ScoredSentence | None = None  # the sentence after, when the speaker's statement goes on

    @property
    def sentences(self) -> list[ScoredSentence]:
        return [*self.context, self.lead, *([self.continuation] if self.continuation else [])]

    @property
    def first(self) -> ScoredSentence:
        return self.sentences[0]

    @property
    def last(self) -> ScoredSentence:
        return self.continuation or self.lead

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.sentences)


def _jaccard(a: str, b: str) -> float:
    x, y = set(content_terms(a)), set(content_terms(b))
    return len(x & y) / len(x | y) if x | y else 0.0


def _same_fact(a: ScoredSentence, b: ScoredSentence) -> bool:
    """Two sentences (usually in two articles) that say the same thing: same figures, same speaker."""
    if _numbers(a.text) != _numbers(b.text) or (a.speaker and b.speaker and a.speaker != b.speaker):
        return False
    if _jaccard(a.text, b.text) >= DUPLICATE_JACCARD:
        return True
    close = a.vector is not None and b.vector is not None and float(a.vector @ b.vector) >= DUPLICATE_COSINE
    if a.speaker and a.speaker == b.speaker:
        return close
    x, y = _names(a.text), _names(b.text)
    return close and len(x & y) * 2 >= len(x | y)


def should_abstain(q: QuestionInfo, scored: list[ScoredSentence], passages: list[Passage]) -> bool:
    if not scored:
        return True
    corpus_text = " ".join(p.text + " " + p.title for p in passages)
    if q.names and names_in(q.names, corpus_text) < 1.0:
        return True  # the articles never mention someone or something the question is about
    if q.focus and not any(_mentions(s.text, q.focus) for s in scored[:5]):
        return True  # "how many tanks?" answered by sentences about troops is not an answer
    best = scored[0]
    # a long question is answered by a sentence that states about two of its terms, not a third of them
    lexical_floor = min(MIN_LEXICAL, 2.0 / max(len(set(q.terms)), 1))
    return best.score < MIN_SCORE or max(s.lexical for s in scored[:5]) < lexical_floor


def _mentions(text: str, term: str) -> bool:
    terms = frozenset(content_terms(text))
    return any(t == alt or (len(alt) >= 4 and t.startswith(alt)) for alt in expand(term) for t in terms)


def select(q: QuestionInfo, scored: list[ScoredSentence], by_key: dict[tuple[str, int, int], ScoredSentence]
           ) -> list[Statement]:
    """Greedy maximal-marginal-relevance selection; near-duplicates become extra citations."""
    floor = max(FLOOR, scored[0].score * KEEP_RATIO)
    pool = [s for s in scored if s.score >= floor]
    statements: list[Statement] = []
    named: set[str] = set()
    numbers: set[str] = set()
    speakers: set[str] = set()
    words = 0
    limit = MAX_SENTENCES + (1 if q.wants_person else 0)  # "who ...?" often has several answers
    while pool and len(statements) < limit:
        s = max(pool, key=lambda x: x.score - REDUNDANCY * _redundancy(x, statements)
                - (NO_NEW_NAMES if q.wants_person and statements and _covered(x, named, speakers) else 0.0)
                - (NO_NEW_NAMES if q.wants_number and statements and _numbers(x.text) <= numbers else 0.0))
        pool.remove(s)
        twin = next((st for st in statements if _same_fact(st.lead, s)), None)
        if twin is not None:
            if s.passage.article_id not in {x.passage.article_id for x in [twin.lead, *twin.support]}:
                twin.support.append(s)
            continue
        n_words = len(s.text.split())
        if statements and words + n_words > MAX_WORDS:
            continue
        st = Statement(lead=s)
        context = _context(s, by_key)
        if context is None:
            continue  # "He said..." with no short sentence before it to say who "he" is
        if all(c.key != x.lead.key for c in context for x in statements):
            st.context = context
            n_words += sum(len(c.text.split()) for c in context)
        if s.claim_end > s.end:
            st.continuation = _next(s, by_key, s.claim_end)
        statements.append(st)
        named |= _names(s.text)
        numbers |= _numbers(s.text)
        speakers.add(s.speaker)
        words += n_words
    if q.wants_time_order:
        statements.sort(key=lambda st: (st.lead.passage.published or "9999", st.lead.start))
    return statements


def _names(text: str) -> set[str]:
    """Capitalised names in a sentence (not its first word): who or what it is about."""
    return {m.lower() for m in re.findall(r"(?<!^)(?<![.!?] )\b[A-Z][a-z]+(?:[ -][A-Z][a-z]+)*", text)}


def _numbers(text: str) -> set[str]:
    return {n.replace(",", "") for n in re.findall(r"\b\d[\d,]*\d\b|\b\d\b", text)}


def _covered(s: ScoredSentence, named: set[str], speakers: set[str]) -> bool:
    """The sentence's speaker (or, not knowing it, every name in it) is already in the answer."""
    return s.speaker in speakers if s.speaker else _names(s.text) <= named


def _redundancy(s: ScoredSentence, statements: list[Statement]) -> float:
    """Highest cosine similarity to a sentence already in the answer."""
    if not statements or s.vector is None:
        return 0.0
    return max(float(s.vector @ st.lead.vector) for st in statements if st.lead.vector is not None)


def _needs_context(text: str) -> bool:
    """A sentence that cannot stand alone: "He said...", or the end of a quotation begun before."""
    return bool(PRONOUN_START.match(text)) or (text.count('"') % 2 == 1 and not text.startswith('"'))


def _context(s: ScoredSentence, by_key: dict[tuple[str, int, int], ScoredSentence]
             ) -> list[ScoredSentence] | None:
    """The sentences before ``s`` that make it readable on its own ([] if it already is; None if none do)."""
    out: list[ScoredSentence] = []
    current = s
    while _needs_context(current.text):
        prev = _previous(current, by_key)
        if prev is None or len(out) >= 2 or len(prev.text.split()) > CONTEXT_MAX_WORDS:
            return None
        out.insert(0, prev)
        current = prev
    return out


def _next(s: ScoredSentence, by_key: dict[tuple[str, int, int], ScoredSentence], until: int
          ) -> ScoredSentence | None:
    after = [x for (aid, start, end), x in by_key.items() if aid == s.passage.article_id and s.end <= start
             and end <= until]
    return min(after, key=lambda x: x.start) if after else None


def _previous(s: ScoredSentence, by_key: dict[tuple[str, int, int], ScoredSentence]) -> ScoredSentence | None:
    candidates = [x for (aid, _, end), x in by_key.items() if aid == s.passage.article_id and end <= s.start]
    return max(candidates, key=lambda x: x.end) if candidates else None


def compose(statements: list[Statement]) -> tuple[str, list[Citation]]:
    """Statements -> answer text with [n] markers, and the citations they resolve to."""
    parts: list[str] = []
    citations: list[Citation] = []
    for st in statements:
        markers = []
        for s in [st.lead, *st.support]:
            p = s.passage
            start, end, quote = s.start, s.end, s.text
            if s is st.lead:
                start, end = st.first.start, st.last.end
                inside = p.start <= start and end <= p.end
                quote = p.text[start - p.start : end - p.start] if inside else st.text
            citations.append(Citation(len(citations) + 1, p.article_id, p.title, p.source, p.published,
                                      quote, start, end, p.text))
            markers.append(f"[{len(citations)}]")
        parts.append(" ".join(f"{x.text} {''.join(markers)}" for x in st.sentences))
    return " ".join(parts), citations


def answer(q: QuestionInfo, scored: list[ScoredSentence], passages: list[Passage]) -> tuple[str, list[Citation]]:
    """The extractive answer, or ("", []) when the passages do not answer the question."""
    if should_abstain(q, scored, passages):
        return "", []
    by_key = {s.key: s for s in scored}
    return compose(select(q, scored, by_key))
