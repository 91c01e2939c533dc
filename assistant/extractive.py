"""The embedded default answerer: grounded by construction.

It never writes a claim of its own. It scores the sentences of the retrieved passages against the
question, leads with the fact asked for (``assistant/shape.py``: fixed templates around words of
the cited sentence), then adds at most two supporting sentences that say something new
(near-duplicates across articles merged into one statement with several citations). When no
sentence is close enough, the question names someone or something the articles never mention, or
no passage ties the asked-for kind of fact to what the question is about, it abstains.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from assistant import chance, leadrank
from assistant.retrieve import RECENCY_DAYS, recency
from assistant.scoring import ScoredSentence, misspelt, names_in
from assistant.shape import (
    CANDIDATES,
    Lead,
    entity_lead,
    figures_lead,
    fits_kind,
    has_typed_answer,
    speakers_lead,
    timeline_lead,
)
from assistant.text import PRONOUN_START, QuestionInfo, asks, content_terms, mentions
from assistant.types import Citation, Passage
from index.dates import day_number
from index.lexicon import STANCE_GROUPS

MIN_SCORE = 0.42  # below this the best sentence does not answer the question (tuned on the gold set)
MIN_LEXICAL = 0.34  # ... and it must state some of the question's own terms
TYPED_LEXICAL = 0.5  # ... or half that, when a top sentence ties a name of the asked-for kind to the question
NAMED_ANSWERS = frozenset({"person", "place", "name", "named"})
KEEP_RATIO = 0.6  # further sentences must score within this ratio of the best one...
FLOOR = 0.3  # ... and above this
REDUNDANCY = 0.3  # MMR weight: how much saying the same thing again costs
NO_NEW_NAMES = 0.2  # for "who" questions: a sentence naming no one new adds little
CONTEXT_MAX_WORDS = 35  # a "He said..." sentence brings the one before only when that one is short
_PERSON_START = re.compile(r"^(?:He|She|They|His|Her|Their)\b")  # a sentence about someone named before it
MAX_SENTENCES = 4
POOL_WORDS = 170  # candidate statements gathered before the lead is chosen
MAX_WORDS = 45  # the whole answer: the lead (cut at LEAD_WORDS) and, if they fit, one or two short supports
LIST_WORDS = 90  # ... when the lead lists several speakers or figures
MAX_SUPPORTS = 2
CONFIDENCE_FLOOR = 0.3  # sentence score mapped to confidence 0 ...
CONFIDENCE_SPAN = 0.5  # ... and to 1 at CONFIDENCE_FLOOR + CONFIDENCE_SPAN
# Share of the confidence that is the cross-encoder's reading of the lead sentence (sigmoid of half its
# logit). How well confidence tells right answers (strict) from wrong ones, as the chance that a right
# one shows more (0.5: no signal), in a replay: RealTime QA first 200 0.565 (score alone) -> 0.679 (0.3),
# 0.704 (0.5), 0.725 (0.7); checked on the last 200: 0.596 -> 0.656 (0.7), on the sample set: 0.568 -> 0.777.
CROSS_CONFIDENCE = 0.7
# Share of the confidence that says the lead comes from the week before the day a question is asked as of:
# news questions ask about the week's news, and a lead from an older report is more often last year's
# fact ("Finland ... for the fifth straight year" for the sixth). Strict accuracy of leads from articles
# over 30 days old: 0.19 against 0.68 (RealTime QA first 200). confidence_auc in a replay, first 200
# (chosen on): 0.719 without, 0.761 (0.3), 0.769 (0.5), 0.772 (0.7); last 200: 0.631 -> 0.781 (0.5); the
# sample set 0.735 at each (its reports are from one week).
STALE_CONFIDENCE = 0.5
DUPLICATE_JACCARD = 0.5  # two sentences state the same fact when their terms overlap this much...
DUPLICATE_COSINE = 0.75  # ... or their meaning is this close
YEAR = re.compile(r"(?:19|20)\d\d")


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
    # a year frames the question ("the deadliest shooting in 2023"); reports of that year say "this year"
    required = tuple(n for n in q.names if n not in q.groups and not YEAR.fullmatch(n))
    if required and names_in(required, corpus_text, typos=True) < 1.0:  # "Jim Boheim": the asker's typo
        return True  # the articles never mention someone or something the question is about
    if q.answer_type == "number" and q.focus and not any(mentions(s.text, q.focus) for s in scored[:5]):
        return True  # "how many tanks?" answered by sentences about troops is not an answer
    subject = content_terms(q.subject) if q.answer_type == "quote" else ()
    if subject and not any(all(mentions(s.text, t) or misspelt(t, content_terms(s.text)) for t in subject)
                           for s in scored[:CANDIDATES]):
        return True  # "what did China's foreign ministry spokesperson say?" and no sentence names that speaker
    best = scored[0]
    # a long question is answered by a sentence that states about two of its terms, not a third of them
    lexical_floor = min(MIN_LEXICAL, 2.0 / max(len(set(q.terms)), 1))
    lexical = max(s.lexical for s in scored[:5])
    if lexical < lexical_floor and q.answer_type in NAMED_ANSWERS and lexical >= TYPED_LEXICAL * lexical_floor:
        # "which country ...?": a sentence naming a place, tied to the question, answers it in its own words
        return not has_typed_answer(q, scored[:CANDIDATES], strict=True)
    return best.score < MIN_SCORE or lexical < lexical_floor


def select(q: QuestionInfo, scored: list[ScoredSentence], by_key: dict[tuple[str, int, int], ScoredSentence]
           ) -> list[Statement]:
    """Greedy maximal-marginal-relevance selection; near-duplicates become extra citations."""
    floor = max(FLOOR, scored[0].score * KEEP_RATIO)
    pool = [s for s in scored if s.score >= floor and not asks(s.text)]
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
        if statements and words + n_words > POOL_WORDS:
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


def compose(lead: Lead, statements: list[Statement]) -> tuple[str, list[Citation]]:
    """The lead, then supporting statements -> answer text with [n] markers, and their citations."""
    citations: list[Citation] = []

    def cite(s: ScoredSentence, start: int | None = None, end: int | None = None, quote: str = "") -> str:
        p = s.passage
        start, end = (s.start, s.end) if start is None or end is None else (start, end)
        inside = p.start <= start and end <= p.end
        quote = p.text[start - p.start : end - p.start] if inside else quote or s.text
        citations.append(Citation(len(citations) + 1, p.article_id, p.title, p.source, p.published,
                                  quote, start, end, p.text))
        return f"[{len(citations)}]"

    clauses = [f"{text.rstrip('.')} {cite(s)}" for text, s in lead.parts]
    parts = [lead.prefix + lead.joiner.join(clauses).rstrip() + "."]
    for st in statements:
        markers = [cite(st.lead, st.first.start, st.last.end, st.text)]
        markers += [cite(s) for s in st.support]
        parts.append(" ".join(f"{x.text} {''.join(markers)}" for x in st.sentences))
    return " ".join(parts), citations


def confidence(q: QuestionInfo, best: ScoredSentence, lead: Lead | None, cross: float | None = None,
               now: int = 0) -> float:
    """0-1: how closely the best sentence answers, lowered when the asked-for kind of fact is missing;
    with ``cross`` (the cross-encoder's logit for a lead of one sentence), mostly what it reads there;
    asked as of a day (``now``), lowered when the lead's article is older than the week before it."""
    value = min(1.0, max(0.0, (best.score - CONFIDENCE_FLOOR) / CONFIDENCE_SPAN))
    if q.labels and (lead is None or not lead.typed):
        value *= 0.7
    if cross is not None:
        value = (1 - CROSS_CONFIDENCE) * value + CROSS_CONFIDENCE / (1 + math.exp(-cross / 2))
    if now and lead is not None and lead.sentences:
        value *= 1 - STALE_CONFIDENCE + STALE_CONFIDENCE * max(_freshness(s, now) for s in lead.sentences)
    return round(value, 2)


def _freshness(s: ScoredSentence, now: int) -> float:
    """1 for an undated article or one from the week before day ``now``, then falling as retrieval's
    recency does (e^-1 a week); 0 for one published after that day."""
    if not day_number(s.passage.published):
        return 1.0
    return recency(s.passage.published, now, grace_days=RECENCY_DAYS)


def _readable(sentences: list[ScoredSentence], by_key: dict[tuple[str, int, int], ScoredSentence]
              ) -> list[ScoredSentence]:
    """Those that say who "he" is (the lead pool let in "He added ..." sentences that do not)."""
    return [s for s in sentences if not _PERSON_START.match(s.text) or _context(s, by_key) is not None]


def lead_pool(scored: list[ScoredSentence], by_key: dict[tuple[str, int, int], ScoredSentence] | None = None
              ) -> list[ScoredSentence]:
    """The top sentences that may lead: close enough to the question, statements (not questions), and
    readable: on their own, with the short sentence before them that says who "he" is, or opening with
    "He" / "They" about someone their cited passage names ("He added that ... 350,000 soldiers ..."): such
    a sentence states its fact whoever he is (RealTime QA unchanged, the sample set +1). Not one that
    opens with "It" or "The ministry", or ends a quotation: what those say depends on what they stand
    for. ``by_key``: ``scored`` by key, if at hand."""
    by_key = by_key if by_key is not None else {s.key: s for s in scored}
    return [s for s in scored[: leadrank.DEPTH] if s.score >= FLOOR and not asks(s.text)
            and (_PERSON_START.match(s.text) or _context(s, by_key) is not None)]


def answer(q: QuestionInfo, scored: list[ScoredSentence], passages: list[Passage], now: int = 0) -> Draft:
    """The extractive answer: the fact first, then at most a few supporting sentences (or an abstention);
    ``now``: the day it is asked as of, if any (a day number)."""
    if should_abstain(q, scored, passages):
        return Draft("", [], confidence(q, scored[0], None) if scored else 0.0)
    by_key = {s.key: s for s in scored}
    pool = lead_pool(scored, by_key)
    first = {s.key for s in scored[:CANDIDATES]}
    top = [s for s in pool if s.key in first]  # what the check for a typed answer reads...
    listed = _readable(top, by_key)  # ... and the list shapes, whose items must each say who "he" is
    stances = frozenset(x for t in q.terms for x in STANCE_GROUPS.get(t, ()))
    # "How did the death toll change?": the earlier figure is in an older report, further down than the best
    # few sentences; the whole pool is searched for it
    lead = (speakers_lead(q, listed, stances) if q.wants_person and stances else None) \
        or figures_lead(q, _readable(pool, by_key) if q.wants_time_order else listed) or timeline_lead(q, listed)
    cross, lead_score = None, chance.LIST_LEAD_SCORE  # a list of speakers or figures has no one sentence
    wrong_kind = False
    if lead is None:
        if not pool or not has_typed_answer(q, top):
            return Draft("", [], confidence(q, scored[0], None))  # no passage ties that kind of fact to the focus
        chosen = leadrank.best(leadrank.candidates(q, pool, scored))
        lead = entity_lead(chosen.sentence, chosen.entity, q.terms, scored)
        # "which city?" led by a country, "which month?" by a weekday: no candidate names that kind
        wrong_kind = chosen.entity is not None and not fits_kind(q, chosen.entity)
        cross, lead_score = chosen.features["cross"], leadrank.load().score(chosen)
    sure = confidence(q, scored[0], lead, cross, now)
    if len(lead.parts) == 1:
        lead.parts[0:0] = [(c.text, c) for c in _context(lead.parts[0][1], by_key) or []]  # who "he" is
    used = {s.key for s in lead.sentences}
    budget = (LIST_WORDS if len(lead.parts) > 1 else MAX_WORDS) - sum(len(t.split()) for t, _ in lead.parts)
    supports: list[Statement] = []
    for st in select(q, scored, by_key):
        if st.lead.key in used or any(_same_fact(st.lead, s) for s in lead.sentences):
            continue
        words = len(st.text.split())
        if words > budget or len(supports) == MAX_SUPPORTS:
            continue
        supports.append(st)
        budget -= words
    text, citations = compose(lead, supports)
    if wrong_kind or chance.load().chance(sure, lead_score) < chance.ABSTAIN_CHANCE:
        return Draft("", [], sure, lead_score, withheld=text)  # most often not an answer
    return Draft(text, citations, sure, lead_score)


@dataclass
class Draft:
    text: str  # empty: abstained
    citations: list[Citation]
    confidence: float
    lead_score: float | None = None  # the lead model's score of the lead (None: no lead was found)
    withheld: str = ""  # an answer found but withheld: unlikely to be right, or of the wrong kind (for evals)
