"""The first sentence of an extractive answer: the fact asked for, from the sentence that states it.

Four shapes, each built from fixed templates around spans copied from the cited sentence (a short
name in the full form its cited passage used before: "Buffalo Bills" for "the Bills"), so the lead is
grounded by construction (no word of content is invented):

- typed:    ``1,500 North Korean special forces: Seoul said around 1,500 ... Far East. [1]``
            the entity of the asked-for type (person, place, date, number, name) that the sentence
            ties to the question's focus, then the sentence, cut to the clauses around it (which
            sentence leads is ``assistant/leadrank.py``'s choice);
- speakers: ``North Korea denied it: "groundless rumors" [1]; Russia's ... dismissed it: ... [2]``
            one clause per speaker for "who denied/said/confirmed ...?";
- figures:  ``Figures differ: 1,500 special forces (Seoul) [1]; 3,000 soldiers (South Korean MPs) [2].``
            when the top sentences give several values for the thing counted;
- timeline: ``2024-10-21: ... "I can't confirm those reports" [1]; 2024-10-23: ... evidence ... [2].``
            one speaker's statements in date order, for "how did X's view change?".
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from assistant import places
from assistant.question import NAMES, NAMING, NUMBERS, PERSON_NOUNS, singular
from assistant.scoring import ScoredSentence
from assistant.text import QuestionInfo, content_terms, mentions, stem
from index.lexicon import DISMISSIVE, stance_of
from index.nlp import add_parse, entities

LEAD_WORDS = 40  # a lead sentence longer than this is cut to the clauses around the answer
CANDIDATES = 8  # top sentences the list shapes (speakers, figures, timeline) are built from
MAX_SPEAKERS = 3
MAX_FIGURES = 4
QUOTE_WORDS = 30  # a quotation in a speaker clause is cut to this many words
MONTHS = frozenset("january february march april may june july august september october november december jan feb "
                   "mar apr jun jul aug sep sept oct nov dec".split())
WEEKDAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())
CALENDAR = MONTHS | WEEKDAYS | frozenset("today yesterday tomorrow tonight noon midnight morning afternoon evening "
                                         "spring summer autumn fall winter".split())
TIME_UNITS = frozenset("minute minutes hour hours day days week weeks month months year years decade decades "
                       "century centuries".split())
_YEAR = re.compile(r"1\d{3}|20\d{2}")
PRONOUNS = frozenset({"he", "she", "they", "it", "we", "i"})
SEVERAL = re.compile(r"\b(?:different|various|sources|estimates|figures|range|each)\b", re.I)
_WORDS = re.compile(r"[A-Za-z]+")
_QUOTE = re.compile(r'"([^"]{3,})"')
_THE = re.compile(r"^[Tt]he\s+")
_POSSESSIVE = re.compile(r"['\u2019]s?$")
_DOTTED = re.compile(r"(?<=\b[a-z])\.(?=[a-z]\b)")  # the dots inside "u.s.", "d.c."
_CREDIT = re.compile(r"^[^()]{0,80}?\(([^()]{1,30})\)\s*[-\u2013\u2014]")  # "DUBAI, United Arab Emirates (AP) —"
# English introduces a name it gives something with a fixed phrase, or as a quoted alternative: "the policy,
# known as Title 42", "the so-called "Windsor framework"", "XBB.1.16, or "Arcturus,"". The name: a quotation,
# or a run of capitalised words (joined by at most two small words: "Saving on a Valuable Education").
_NAMING = re.compile(
    r"(?:\b(?:(?:so-)?called|named|dubbed|nicknamed|titled|known as)\s+(?:the\s+)?|,\s+or\s+(?=[\"\u201c]))"
    r"(?:[\"\u201c]([^\"\u201c\u201d]{2,60}?)[,.]?[\"\u201d]|"
    r"([A-Z0-9][\w.'\u2019-]*(?:\s+(?:(?:of|the|on|a|an|and|for|in)\s+){0,2}[A-Z0-9][\w.'\u2019-]*){0,5}))")
_CLAUSE = re.compile(r"(?<=[,;:])\s+|\s+(?=[-\u2013\u2014]\s)")
DOERS = frozenset({"nsubj", "nsubjpass"})
# "summoned Georgy Zinoviev, the ambassador", "play for the Liberty": what a verb acts on, and the links up to it
OBJECTS = frozenset({"dobj", "dative", "pobj", "prep", "appos", "conj", "oprd"})
CLAUSES = frozenset({"ROOT", "ccomp", "xcomp", "advcl", "relcl", "conj", "acl", "pcomp"})  # where a verb stands
PREFERENCE = ("PERSON", "ORG", "GPE")  # for "who ...?": a person before a body before a country
# What counts as "an entity of that type" when deciding to abstain. Not "name": "which seed/fruit/sport"
# is often answered by a common noun ("sesame") that no entity recogniser tags.
RELAXED: dict[str, frozenset[str]] = {
    "person": NAMES, "place": NAMES, "named": NAMES | {NAMING}, "date": frozenset({"DATE", "TIME"}),
    "number": NUMBERS | {"DATE", "TIME"},
}


@dataclass
class Lead:
    """The lead's text pieces, each ending with the sentence it cites."""

    parts: list[tuple[str, ScoredSentence]] = field(default_factory=list)
    joiner: str = " "
    prefix: str = ""
    typed: bool = False  # the answer entity of the asked-for type was found

    @property
    def sentences(self) -> list[ScoredSentence]:
        return [s for _, s in self.parts]


_DOCS: OrderedDict[str, Doc] = OrderedDict()  # sentence -> its entities, and its parse once needed; passages
_DOCS_MAX = 8192  # come back question after question


def named_docs(sentences: Sequence[ScoredSentence]) -> list[Doc]:
    """The sentences' tokens and entities (and their parse, if made before); new ones in one batch."""
    missing = [t for t in dict.fromkeys(s.text for s in sentences) if t not in _DOCS]
    _DOCS.update(zip(missing, entities(missing), strict=True))
    out = [_DOCS[s.text] for s in sentences]
    while len(_DOCS) > _DOCS_MAX:  # only after ``out`` holds what this call needs
        _DOCS.popitem(last=False)
    return out


def docs(sentences: Sequence[ScoredSentence]) -> list[Doc]:
    """The sentences parsed: entities and dependency parse."""
    out = named_docs(sentences)
    add_parse([d for d in {id(d): d for d in out}.values() if not d.has_annotation("DEP")])
    return out


def answer_entities(q: QuestionInfo, sentences: Sequence[ScoredSentence], labels: frozenset[str]
                    ) -> list[Span | None]:
    """Each sentence's ``answer_entity`` (None for none). Only the sentences about the question that
    name an entity of those labels are parsed: the others cannot hold one, and the parse is the cost."""
    if not labels:
        return [None] * len(sentences)
    named = named_docs(sentences)
    hopeful = [i for i, (s, d) in enumerate(zip(sentences, named, strict=True))
               if ties(q, s, d) and any(e.label_ in labels for e in _entities(d, q))]
    parsed = docs([sentences[i] for i in hopeful])
    found: list[Span | None] = [None] * len(sentences)
    for i, doc in zip(hopeful, parsed, strict=True):
        found[i] = answer_entity(q, sentences[i], doc, labels)
    return found


def words_of(text: str) -> list[str]:
    """Lower-case words, an abbreviation's letters as one: "the U.S." and "the US" -> ["the", "us"]."""
    return re.findall(r"\w+", _DOTTED.sub("", text.lower()))


def name_words(ent: Span) -> list[str]:
    """"the Phoenix Suns" and "Phoenix Suns'" -> ["phoenix", "suns"]."""
    return [w for w in words_of(ent.text) if w not in {"the", "s"}]


def in_question(ent: Span, q: QuestionInfo) -> bool:
    """The question already names this entity: it cannot be the answer ("U.S." when it says "US")."""
    words = set(words_of(q.text))
    ent_words = name_words(ent)
    if _initials_of_question_words(ent.text, q.text):
        return True  # "PIF" for the "Public Investment Fund" the question names
    return bool(ent_words) and all(w in words for w in ent_words)


def _initials_of_question_words(text: str, question: str) -> bool:
    """An acronym ("PIF", "FBI") of capitalised words the question writes out ("Public Investment Fund",
    "Federal Bureau of Investigation")."""
    if not (text.isalpha() and text.isupper() and 2 <= len(text) <= 6):
        return False
    run = r"[\w'\u2019-]*\s+(?:(?:of|and|for|the)\s+)?".join(text)
    return re.search(rf"\b{run}[\w'\u2019-]*", question) is not None


def ties(q: QuestionInfo, s: ScoredSentence, doc: Doc) -> bool:
    """The sentence is about what the question asks: its focus (not as a word of some other name, like
    "general" in "General Assembly"), or failing a focus, its terms."""
    if not q.focus or q.answer_type not in {"number", "named"}:  # "which company": a category the sentence
        # need not repeat; "how many troops" and "the name of the general" must be about troops, a general
        return s.lexical > 0
    return any(mentions(t.text, q.focus) and (t.ent_type_ not in NAMES or in_question(
        next(e for e in doc.ents if e.start <= t.i < e.end), q)) for t in doc)


def reported(doc: Doc) -> list[Span]:
    """The recogniser's entities less the news agency a dateline credits ("DUBAI (AP) —"): it filed the
    report and is never what the report says."""
    credit = _CREDIT.match(doc.text)
    if credit is None:
        return list(doc.ents)
    return [e for e in doc.ents if not (credit.start(1) <= e.start_char < credit.end(1))]


def naming(doc: Doc) -> list[Span]:
    """The names the sentence gives something ("known as Title 42"), labelled NAMING: the recogniser misses
    many (a lower-case "Windsor framework", a variant's nickname) or files them under another kind."""
    out = []
    for m in _NAMING.finditer(doc.text):
        group = 1 if m.group(1) else 2
        end = m.start(group) + len(m.group(group).rstrip(".,;:'\u2019"))
        span = doc.char_span(m.start(group), end, label=NAMING, alignment_mode="expand")
        if span is not None:
            out.append(span)
    return out


def named_after(doc: Doc, focus: str) -> list[Span]:
    """A capitalised name the recogniser missed, set right after the noun the question asks about, names a
    thing of that kind ("flight-tracking service Flightradar24", "the rapper Drake"); labelled NAMING. Not a
    title before a name the recogniser found ("the company CEO Elon Musk")."""
    out = []
    for t in doc:
        if t.ent_type_ or not mentions(t.text, focus):
            continue
        end = t.i + 1
        while end < len(doc) and doc[end].text[:1].isupper() and not doc[end].ent_type_:
            end += 1
        if end > t.i + 1 and not (end < len(doc) and doc[end].ent_type_):
            out.append(Span(doc, t.i + 1, end, label=NAMING))
    return out


def described_objects(doc: Doc, verbs: tuple[str, ...]) -> list[Span]:
    """"summoned the Russian ambassador": a person a verb among ``verbs`` acts on, whom the sentence describes
    by a role rather than names (labelled PERSON: "who did they summon?" is answered so)."""
    return [Span(doc, t.left_edge.i + (t.left_edge.dep_ == "det"), t.i + 1, label="PERSON") for t in doc
            if t.dep_ in {"dobj", "dative"} and not t.ent_type_ and singular(t.text.lower()) in PERSON_NOUNS
            and _verb_among(t.head, verbs)]


def _entities(doc: Doc, q: QuestionInfo) -> list[Span]:
    """The reported entities and, for "how many" questions, the numbers the recogniser missed ("900 sacks");
    for "who did X summon?", the person summoned, named or not; for "which service ...?", the names it
    missed after that noun; for "what is it called?", the names the sentence gives, in place of the entities
    they overlap."""
    ents = reported(doc)
    if q.asks_name:
        given = naming(doc)
        ents = [e for e in ents if not any(e.start < n.end and n.start < e.end for n in given)]
    elif q.object_of:
        given = described_objects(doc, q.object_of)
    elif q.answer_type == "name" and q.focus:
        given = named_after(doc, q.focus)
    elif q.answer_type == "number":
        given = [Span(doc, t.i, t.i + 1, label="CARDINAL") for t in doc if t.like_num and not t.ent_type_
                 and t.text[:1].isdigit()]
    else:
        return ents
    return sorted([*ents, *given], key=lambda e: e.start)


def answer_entity(q: QuestionInfo, s: ScoredSentence, doc: Doc, labels: frozenset[str]) -> Span | None:
    """The entity of an asked-for type in ``doc`` that the parse links to the focus (or, with no focus,
    nearest the question's terms); never one the question itself names."""
    found = [e for e in _entities(doc, q) if e.label_ in labels and not in_question(e, q)
             and (e.label_ not in {"DATE", "TIME"} or q.answer_type != "number" or any(t.like_num for t in e))
             and (q.answer_type != "date" or _on_calendar(e))
             and not (q.focus and q.answer_type != "number" and mentions(e.text, q.focus))]  # "General Assembly"
    if q.answer_type == "number" and q.focus:  # "two units" does not answer "how many soldiers"; "about 1,500"
        # (of the troops just named) may
        found = [e for e in found if not _counted_noun(e) or mentions(_counted_noun(e), q.focus)]
        # ... and a length of time does not, when a number that counts the focus is there ("the 31 months"
        # of "350,000 soldiers were killed in the 31 months since ...")
        if any(_counted_noun(e) for e in found):
            found = [e for e in found if _counted_noun(e) or e.label_ not in {"DATE", "TIME"}]
        # "after how many days?": "355 days" says it in its own words, "March 2022" beside it does not
        found = [e for e in found if mentions(e.text, q.focus)] or found
    if q.kind:  # "which city": Kyiv before Ukraine beside it; "which month": May before Friday
        found = [e for e in found if fits_kind(q, e)] or found
    if q.asks_name:  # "what is the policy called?": the name the sentence gives, not a name beside it
        found = [e for e in found if e.label_ == NAMING] or found
    if not found:
        return None
    focus = [t for t in doc if q.focus and mentions(t.text, q.focus) and not t.ent_type_]
    if focus and q.answer_type != "number":
        # "which company ...": an entity the parse does not tie to the category is too often the wrong one (a
        # name the sentence gives is tied by the sentence: "his Brexit deal ... the so-called "Windsor framework"")
        found = [e for e in found if e.label_ == NAMING or any(_linked(e, f) for f in focus)]
        if not found:
            return None
    if q.answer_type == "person" and not focus:
        found = _persons_asked(q, found)
        if not found:
            return None
    others = set(q.terms) - {q.focus}
    anchors = [t.i for t in doc if t.ent_type_ not in NUMBERS and set(content_terms(t.text)) & others] or \
        [t.i for t in focus]
    rank = {label: i for i, label in enumerate(PREFERENCE)}
    return min(found, key=lambda e: (rank.get(e.label_, len(rank)),
                                     min((abs(e.start - a) for a in anchors), default=0)))


def fits_kind(q: QuestionInfo, ent: Span) -> bool:
    """The entity may be the narrower kind of place or date the question asks for (any, if it asks for
    none): a country, state or city is what the recogniser tags GPE ("the West Coast" is a LOC); a year
    has four digits, a month is named, a day is a weekday or a month's numbered day."""
    if not q.kind:
        return True
    if q.kind in places.KINDS:
        return ent.label_ == "GPE" and places.fits(ent.text, q.kind)
    words = [t.text.lower().rstrip(".") for t in ent]
    months = any(w in MONTHS for w in words)
    if q.kind == "month":
        return months
    if q.kind == "year":
        return any(_YEAR.fullmatch(w) for w in words)
    return any(w in WEEKDAYS for w in words) or (months and any(t.like_num and not _YEAR.fullmatch(t.text)
                                                                   for t in ent))


def _beside_question_term(ent: Span, q: QuestionInfo) -> bool:
    """A question term names the person: "actress Michelle Yeoh", "Michelle Yeoh, the actress",
    "Best actress (Michelle Yeoh)"."""
    near = [c for c in ent.root.children if c.dep_ in {"compound", "appos"}]
    if ent.root.dep_ == "appos":
        near.append(ent.root.head)
    return any(set(content_terms(t.text)) & set(q.terms) for t in near)


def _persons_asked(q: QuestionInfo, found: list[Span]) -> list[Span]:
    """"Who did South Korea summon?": whom the verb acts on; failing that (and for "who denied it?") a doer,
    or a named person tied to the question: not any name in the sentence. Never the one who summons, whom
    the question names ("Yoon Suk Yeol said ..." does not answer "Who did Yoon talk to?")."""
    if q.object_of:
        acted = [e for e in found if e.root.dep_ not in DOERS and _acted_on(e, q.object_of)]
        if acted:
            return acted
        asked = {w for n in q.names for w in words_of(n)}
        found = [e for e in found if not (e.root.dep_ == "nsubj" and _verb_among(e.root.head, q.object_of))
                 and not asked & set(name_words(e))]
    return [e for e in found if e.root.dep_ in DOERS or (e.label_ == "PERSON" and _beside_question_term(e, q))]


def _acted_on(ent: Span, verbs: tuple[str, ...]) -> bool:
    """The entity is the object of a verb among ``verbs`` (stemmed), or hangs from its object or its
    preposition: "summoned Georgy Zinoviev", "will play for the Liberty"."""
    up = ent.root
    for _ in range(3):
        if up.head is up or up.dep_ not in OBJECTS:
            return False
        up = up.head
        if _verb_among(up, verbs):
            return True
    return False


def _verb_among(token: Token, verbs: tuple[str, ...]) -> bool:
    """The token stands as a verb and is one of ``verbs`` (stemmed): "summoned" for "who did they summon?"."""
    return token.dep_ in CLAUSES and stem(token.text.lower()) in verbs


def _on_calendar(ent: Span) -> bool:
    """A date a "when" question can be answered with: it has a number or names a month or a day
    ("2001", "May 11", "Monday"), unlike "the year" (of "album of the year") or "the past", and it is
    not a length of time ("nearly three years", "the 42-year-old"). The recogniser tags all DATE."""
    words = [t.text.lower().rstrip(".") for t in ent]
    if any(w in TIME_UNITS for w in words) and not any(w in CALENDAR or _YEAR.fullmatch(w) for w in words):
        return False
    return any(t.like_num or w in CALENDAR for t, w in zip(ent, words, strict=True))


def _linked(ent: Span, focus: Token) -> bool:
    """The parse ties the entity to the focus noun: one holds the other ("the villages of X", "X's jet",
    "the Il-96 jet"), or they hang from the same word ("X, the general")."""
    root = ent.root
    return (root in focus.subtree and root.i - focus.i < 8) or focus in root.subtree or root.head == focus.head \
        or root.head == focus


def _counted_noun(ent: Span) -> str:
    """"1,500 North Korean special forces" -> "forces": the noun a number counts, from the parse."""
    head = ent.root.head if ent.root.dep_ in {"nummod", "quantmod", "compound"} else None
    if head is None or head.i < ent.end - 1 or not head.text[:1].isalpha():
        return ""
    return head.text


def answer_span(ent: Span) -> str:
    """The entity with what makes it a full answer: a number with its noun, names with their conjuncts."""
    doc = ent.doc
    if ent.label_ in {"CARDINAL", "QUANTITY"} and _counted_noun(ent):
        return doc[ent.start : ent.root.head.i + 1].text
    conj = [c for c in ent.root.conjuncts if c.ent_type_ in NAMES and c.i > ent.end - 1]
    if conj:
        last = max(c.i for c in conj)
        tail = doc[last]
        while tail.i + 1 < len(doc) and doc[tail.i + 1].ent_iob_ == "I":
            tail = doc[tail.i + 1]
        return doc[ent.start : tail.i + 1].text
    return ent.text


def trim(sentence: str, keep: str = "", words: int = LEAD_WORDS, terms: tuple[str, ...] = ()) -> str:
    """Cut a long sentence to whole clauses around ``keep`` or, without it, around the clause that states
    most of ``terms`` (verbatim pieces, "…" where cut)."""
    if len(sentence.split()) <= words:
        return sentence
    pieces = [p for p in _CLAUSE.split(sentence) if p]
    at = next((i for i, p in enumerate(pieces) if keep and keep in p), None)
    if at is None:
        at = max(range(len(pieces)), key=lambda i: (len(set(content_terms(pieces[i])) & set(terms)), -i))
    lo = hi = at
    size = len(pieces[at].split())
    grown = True
    while grown:
        grown = False
        for nxt in (hi + 1, lo - 1):
            if 0 <= nxt < len(pieces) and size + len(pieces[nxt].split()) <= words:
                size += len(pieces[nxt].split())
                lo, hi = min(lo, nxt), max(hi, nxt)
                grown = True
    tokens = " ".join(pieces[lo : hi + 1]).split()
    cut_left, cut_right = lo > 0, hi < len(pieces) - 1
    if len(tokens) > words:  # one clause longer than the limit: a window of words around ``keep``
        first = keep.split()[0] if keep.split() else ""
        centre = next((i for i, t in enumerate(tokens) if first and first in t), 0)
        start = max(0, min(centre - words // 3, len(tokens) - words))
        cut_left, cut_right = cut_left or start > 0, cut_right or start + words < len(tokens)
        tokens = tokens[start : start + words]
    text = " ".join(tokens).rstrip(",;:")
    return ("… " if cut_left else "") + text + (" …" if cut_right else "")


def entity_lead(s: ScoredSentence, ent: Span | None, terms: tuple[str, ...],
                others: Sequence[ScoredSentence] = ()) -> Lead:
    """The lead from the sentence chosen to lead: the answer entity first (unless the cut sentence opens
    with it; a short name in its full form from ``others``, see ``full_name``), then the sentence cut to
    the clauses around it (or, with no entity, around the question's terms)."""
    if ent is None:
        return Lead(parts=[(trim(s.text, terms=terms), s)])
    span = answer_span(ent)
    body = trim(s.text, span)
    opening = body.lstrip("… ")
    name = full_name(ent, s, others) if span == ent.text else span
    if ent.label_ in {"PERSON", "GPE", "LOC"}:  # "South Korea's" -> South Korea (not "McDonald's", a brand)
        name = _POSSESSIVE.sub("", name)
    prefix = "" if opening.lower().startswith(span.lower()) or span not in body else f"{name[:1].upper()}{name[1:]}: "
    return Lead(parts=[(body, s)], prefix=prefix, typed=True)


def full_name(ent: Span, s: ScoredSentence, others: Sequence[ScoredSentence]) -> str:
    """News names someone or something in full once, then by the short form: "the Buffalo Bills" ... "the
    Bills". The longest name of the same kind that ends with ``ent``'s words, in ``s`` or a sentence of
    ``others`` before it in the same passage (so the cited passage shows it; the recogniser decides
    where a name starts), or ``ent`` itself."""
    words = name_words(ent)
    if ent.label_ not in NAMES or not words:
        return ent.text
    after_capital = re.compile(r"[A-Z][\w'.\-]*\s+" + re.escape(_THE.sub("", ent.text)) + r"\b")
    earlier = [t for t in others if t.passage.chunk_id == s.passage.chunk_id and t.start <= s.start
               and after_capital.search(t.text)]
    longer = [(len(w), e) for doc in named_docs(earlier) for e in doc.ents
              if e.label_ == ent.label_ and len(w := name_words(e)) > len(words) and w[-len(words):] == words]
    return _THE.sub("", max(longer, key=lambda x: x[0])[1].text) if longer else ent.text


def has_typed_answer(q: QuestionInfo, top: list[ScoredSentence], strict: bool = False) -> bool:
    """Some top sentence ties an entity of the asked-for type (read broadly, unless ``strict``) to the focus."""
    labels = q.labels if strict else RELAXED.get(q.answer_type)
    if not labels:
        return True
    return any(e is not None for e in answer_entities(q, top, labels))


def speakers_lead(q: QuestionInfo, top: list[ScoredSentence], stances: frozenset[str]) -> Lead | None:
    """One clause per speaker whose statement has a stance the question asks about."""
    chosen: dict[str, ScoredSentence] = {}
    for s in top:
        c = s.claim
        if c is None or c.kind != "statement" or (stances and c.stance not in stances):
            continue
        chosen.setdefault(c.speaker_key, s)
        if len(chosen) == MAX_SPEAKERS:
            break
    if len(chosen) < 2:
        return None
    parts = [(_speaker_clause(s), s) for s in chosen.values()]
    return Lead(parts=parts, joiner="; ", typed=True)


def _speaker_clause(s: ScoredSentence) -> str:
    """"North Korea denied it: "groundless rumors"": the speaker and verb as the sentence writes them."""
    assert s.claim is not None
    text = s.text
    who = next((m for m in s.claim.mentions if m and m in text and m.lower() not in PRONOUNS), s.claim.speaker)
    after = max(text.find(who), 0)
    verbs = [w for w in _WORDS.findall(text[after:]) + _WORDS.findall(text[:after]) if stance_of(w)]
    said = verbs[0] if verbs else "said"
    quotes = _QUOTE.findall(text)
    if quotes:
        quote = min(quotes, key=len).strip(" ,.")
        dismissive = DISMISSIVE.search(quote)  # the words that carry the stance, when the quotation is long
        quote = trim(quote, dismissive.group(0) if dismissive else "", QUOTE_WORDS)
        return f'{who} {said}: "{quote}"' if stance_of(said) == "said" else f'{who} {said} it: "{quote}"'
    return trim(text, who, 25)


def figures_lead(q: QuestionInfo, top: list[ScoredSentence]) -> Lead | None:
    """Several values for the thing counted, each with who gave it, when the question asks how the
    figures differ or changed."""
    if not (q.wants_time_order or (q.wants_number and SEVERAL.search(q.text))):
        return None
    wanted = [q.focus] if q.focus else list(q.terms)
    seen: dict[str, tuple[str, ScoredSentence]] = {}
    for s, doc in zip(top, docs(top), strict=True):
        best = answer_entity(q, s, doc, q.labels) if q.labels else None  # the figure the question points at first
        for ent in sorted(_entities(doc, q), key=lambda e: (e != best, e.start)):
            noun = _counted_noun(ent) if ent.label_ in NUMBERS else ""
            if not noun or not any(mentions(noun, w) for w in wanted) or in_question(ent, q):
                continue
            value = re.sub(r"[^\d.]", "", ent.text)
            if value and value not in seen:
                who = s.claim.mentions[0] if s.claim and s.claim.mentions else ""
                who = who if who and who in s.text and who.lower() not in PRONOUNS else ""
                seen[value] = (answer_span(ent) + (f" ({who})" if who else ""), s)
        if len(seen) >= MAX_FIGURES:
            break
    if len(seen) < 2:
        return None
    parts = list(seen.values())
    if q.wants_time_order:
        parts.sort(key=lambda p: (p[1].passage.published or "9999", p[1].start))
    return Lead(parts=parts, joiner="; ", prefix="Figures differ: ", typed=True)


def timeline_lead(q: QuestionInfo, top: list[ScoredSentence]) -> Lead | None:
    """"How did X's view change?": X's statements among the top sentences, in date order, dated."""
    if not q.wants_time_order:
        return None
    by_speaker: dict[str, list[ScoredSentence]] = {}
    for s in top:
        if s.claim is not None and s.claim.kind == "statement":
            by_speaker.setdefault(s.claim.speaker_key, []).append(s)
    best = max(by_speaker.values(), key=len, default=[])
    if len({s.passage.published or s.key for s in best}) < 2:
        return None  # one statement, or all from the same day: nothing changed that the dates show
    best.sort(key=lambda s: (s.passage.published or "9999", s.start))
    parts = [(f"{s.passage.published}: {trim(s.text, terms=q.terms)}" if s.passage.published else trim(s.text),
              s) for s in best[:MAX_FIGURES]]
    return Lead(parts=parts, joiner="; ", typed=True)
