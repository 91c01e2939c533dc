"""Question analysis: what kind of answer is asked for, about what, on the parse of the question.

The answer type says which named-entity labels an answer carries ("who" -> a person or a body,
"how many" -> a number, "when" -> a date, "which villages" -> a name), the focus is the noun the
question asks about ("villages", "general", "troops"). The answerer uses both to put the fact
first and to abstain when no passage ties an entity of that type to the focus.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

from spacy.tokens import Doc, Token

from assistant.text import QUESTION_WORDS, STOPWORDS, QuestionInfo, content_terms, normalize_number, stem
from index.lexicon import ORG_NOUNS
from index.nlp import parse_one

NAMES = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW"})
NUMBERS = frozenset({"CARDINAL", "QUANTITY", "MONEY", "PERCENT"})
NAMING = "NAME"  # not a recogniser's label: a name a sentence gives something ("known as Title 42", ``shape.naming``)
LABELS: dict[str, frozenset[str]] = {
    "person": frozenset({"PERSON", "ORG", "GPE"}),  # "who denied it?" is often a country or a body
    "place": frozenset({"GPE", "LOC", "FAC"}),
    "date": frozenset({"DATE", "TIME"}),
    "number": NUMBERS | {"DATE", "TIME"},  # "how many years" is answered by "50 years", a DATE to the recogniser
    "name": NAMES,
    "named": NAMES,
    "quote": frozenset(),
    "description": frozenset(),
}
# General English nouns that say what kind of thing a "which/what NOUN" question wants.
KIND_NOUNS: dict[str, str] = {
    **dict.fromkeys("year month day date time week decade century season".split(), "date"),
    **dict.fromkeys("country city state town village place region nation province continent county "
                    "capital island location venue".split(), "place"),
    # not "figure": "which political figure" asks for a person
    **dict.fromkeys("number percentage percent share rate amount price cost total sum".split(), "number"),
    **dict.fromkeys("person man woman who player actor actress singer official leader".split(), "person"),
}
# "Which city": the kind of place or date the question's noun narrows its answer to (``shape.fits_kind``).
NARROWER_KINDS = {"country": "country", "nation": "country", "state": "state", "city": "city", "town": "city",
                  "capital": "city", "year": "year", "month": "month", "day": "day"}
# "Which golfer / celebrity / ambassador ...": a person is the answer, never a body or a place; "which company
# / airline / network ...": never a person. General English role and organisation nouns (the organisation
# nouns are the ones attribution reads, ``index.lexicon.ORG_NOUNS``, less those a person can be called too).
PERSON_NOUNS = frozenset(
    "star superstar celebrity golfer musician artist athlete candidate lawmaker legislator president host rapper "
    "quarterback coach senator governor politician author writer director ceo executive billionaire comedian "
    "entrepreneur founder figure legend chef judge mayor pope king queen prince princess journalist anchor "
    "presenter ambassador minister spokesperson spokesman spokeswoman secretary general commander diplomat envoy "
    "chancellor lawyer attorney prosecutor scientist researcher economist analyst activist".split())
ORG_FOCUS_NOUNS = ORG_NOUNS - {"broadcaster", "publisher"}
# "Which animal / fruit / chemical / colour ...?": natural kinds, answered by a common noun ("pilot whales",
# "sesame", "green") that the recogniser does not tag, so no entity label is asked for (from WordNet,
# written by ``scripts/make_natural_kinds.py``).
NATURAL_KINDS = Path(__file__).resolve().parent / "natural_kinds.json"
SAY_VERBS = frozenset("say said says call called describe described label labelled labeled tell told "
                      "claim claimed warn warned".split())
_NAME = re.compile(r"\b(?:[A-Z][\w'\-]+|[A-Z]{2,})(?:\s+(?:[A-Z][\w'\-]+|[A-Z]{2,}))*")
_NOT_NAMES = QUESTION_WORDS | {"did", "does", "do", "is", "are", "was", "were", "has", "have", "and", "according",
                               "the", "in", "on", "a", "an", "if", "give", "list", "name", "summarize", "explain",
                               "true", "false", "or"}  # "True or false: ..." frames the question
# Words that frame the answer rather than name what it is about ("according to different sources").
FRAMING = frozenset(stem(w) for w in ("different", "various", "sources", "source"))
# English time deixis: words that tie a question to the moment it is asked ("this week", "latest",
# "so far", "on Monday"). Such a question is about the news around the as-of date.
TIMELY = re.compile(
    r"\b(?:(?:this|last|past|coming|next) (?:week|weekend|month|year|season|few days)|recent|recently|lately|"
    r"currently|current|latest|newest|so far|now|today|tonight|yesterday|this (?:morning|afternoon|evening)|"
    r"(?:on )?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday))\b", re.I)
_KIND_OF = re.compile(r"\b(?:which|what)\s+(?:\w+\s+)?(?:kinds?|types?|sorts?|forms?)\s+of\s+")
# "Who ...?", "... to whom?", "Who?": "who" asks; the "who" of "players who joined" opens a relative clause
_ASKS_WHO = re.compile(r"(?:^|[.?!:;,\"]\s*|\b(?:to|by|with|for|from|of|and|or)\s+)(?:who|whom|whose)\b|\bwhom?\s*\?")
# "how did the death toll change?", "the estimates", "the totals": figures asked for without "how many"
_COUNTS = re.compile(r"\bnumbers? of\b|\bfigures?\b|\bestimat|\btotals?\b|\btolls?\b|\btall(?:y|ies)\b")
_MEASURE = re.compile(r"\bhow (?:old|long|far|tall|big|large|high|fast|deep|heavy)\b")
_CALLED = re.compile(r"\bwhat (?:is|was|are|were|will) ((?:[\w'-]+ ){1,6}?)(?:be )?(?:called|named)\s*\?")
_QUOTES = "\"'\u201c\u201d\u2018\u2019 "
_AUXILIARIES = {"did", "does", "do", "is", "are", "was", "were", "has", "have", "had", "will", "would"}
# "Who did South Korea summon?", "Whom will she face?": an auxiliary before the subject makes "who" the object
# of the verb after it (English inverts subject and auxiliary); "Who will win?" and "Who was named?" ask for
# the subject. The small parser reads too few questions to tell (it parsed "Who" as the object in 1 of 688).
_OBJECT_WHO = re.compile(r"(?:^|[.?!:]\s+)(?i:who|whom)\s+(?i:did|does|do|will|would|can|could|should|has|have|had)\s+"
                         r"(?:(?i:the|a|an)\s+|(?=[A-Z])|(?i:he|she|they|it|we|you|i)\b)")


def analyze(question: str) -> QuestionInfo:
    """What the question asks for: its terms, the names it is about, the kind of answer."""
    q = question.strip()
    doc = parse_one(q)
    low = q.lower()
    answer_type, focus_tok = _answer_type(doc, low)
    if answer_type == "number" and focus_tok is not None and focus_tok.ent_type_ == "NORP":
        focus_tok = None  # "what percentage of Brits": people, whom the articles call "people in the UK", "adults"
    asks_name = answer_type == "named" or (answer_type == "name" and _CALLED.search(low) is not None)
    subject = _subject(doc) if answer_type in {"quote", "description"} else ""
    focus = stem(focus_tok.text) if focus_tok is not None and focus_tok.text.lower() not in STOPWORDS else ""
    labels = _labels(answer_type, focus_tok)
    if asks_name or (focus and answer_type == "name" and labels):  # a name given to the thing asked about
        labels |= {NAMING}  # ("so-called "Windsor framework"", "flight-tracking service Flightradar24": shape)
    if not focus and answer_type == "number":
        focus = _counted_verb(q)
    return QuestionInfo(
        text=q,
        terms=tuple(t for t in content_terms(q) if t not in FRAMING),
        names=_names(q, doc),
        # A nationality or group ("Brits", "Democrats") is an adjective to the articles as often as a name
        # ("UK", "Democratic"): the articles need not spell it out for the question to be answerable.
        groups=tuple(_entity_name(ent.text) for ent in doc.ents if ent.label_ == "NORP"),
        focus=focus,
        answer_type=answer_type,
        labels=labels,
        kind=_narrower_kind(doc, answer_type),
        subject=subject,
        wants_number=answer_type == "number" or bool(_COUNTS.search(low)),
        wants_person=answer_type == "person",
        wants_quote=answer_type == "quote" or bool(re.search(r"\b(?:call|called|describ\w*|label\w*|quote|words)\b",
                                                             low)),
        wants_time_order=bool(re.search(r"\bchang|\bover time\b|\bevolv|\bupdat|\blater\b|\bearlier\b|"
                                        r"\bshift|\brevis", low)),
        timely=bool(TIMELY.search(q)),
        asked=_asked(doc),
        asks_name=asks_name,
        object_of=_object_verbs(doc, q) if answer_type == "person" else (),
    )


def _labels(answer_type: str, focus: Token | None) -> frozenset[str]:
    """The entity labels an answer carries; a "which NOUN" question's noun may narrow them."""
    noun = focus.text.lower() if focus is not None and answer_type == "name" else ""
    forms = {noun, singular(noun)}
    if forms & PERSON_NOUNS:
        return frozenset({"PERSON"})
    if forms & ORG_FOCUS_NOUNS:
        return LABELS[answer_type] - {"PERSON"}
    if forms & _natural_kinds():
        return frozenset()
    return LABELS[answer_type]


@cache
def _natural_kinds() -> frozenset[str]:
    return frozenset(json.loads(NATURAL_KINDS.read_text("utf-8"))["natural_kinds"])


def _narrower_kind(doc: Doc, answer_type: str) -> str:
    """"Which city ...?", "in which U.S. state", "in which month": the kind its noun asks for, when that
    noun is what made the answer type ("" for "where?", and for "When did the storm hit which city?",
    which asks for a date)."""
    noun = _name_of(doc) or _wh_noun(doc)
    forms = (noun.text.lower(), singular(noun.text.lower())) if noun is not None else ()
    if not any(KIND_NOUNS.get(f) == answer_type for f in forms):
        return ""
    return next((NARROWER_KINDS[f] for f in forms if f in NARROWER_KINDS), "")


def singular(noun: str) -> str:
    """"companies" -> company, "golfers" -> golfer, "cities" -> city (a plural's usual English form)."""
    return noun[:-3] + "y" if noun.endswith("ies") else noun.removesuffix("s")


def _asked(doc: Doc) -> str:
    """The last sentence, when there are several: it is what is asked, and sentences are scored against it
    (scored against the whole text, the scene-setting sentence pulled in sentences that retell the scene;
    RealTime QA strict +1.5 points on the split it was tried on, unchanged on the other)."""
    sentences = list(doc.sents)
    last = sentences[-1].text.strip()
    return last if len(sentences) > 1 and len(last.split()) >= 3 else ""


def _answer_type(doc: Doc, low: str) -> tuple[str, Token | None]:
    """The kind of answer and the token the question asks about."""
    if re.search(r"\bhow (?:many|much)\b|\bwhat (?:percentage|percent|share|number|proportion)\b", low):
        return "number", _counted(doc)
    if _MEASURE.search(low):  # "how old is Biden?": an age, a length, a distance
        return "number", None
    called = _CALLED.search(low)
    if called:  # "what is the show called?": its name
        return "name", _called(doc, called.group(1))
    if _asks(low, "when"):
        return "date", None
    if _asks(low, "where"):
        return "place", None
    kind_of = _KIND_OF.search(low)
    if kind_of:  # "which type of renewable energy": a kind of thing (wind power), not a named one
        after = next((t for t in doc if t.idx >= kind_of.end() and t.text[:1].isalpha()), None)
        return "description", _head_noun(after) if after is not None else None
    named = _name_of(doc)
    if named is not None and named.text.lower() not in KIND_NOUNS:
        return "named", named  # "the name of the general": the sentence must name that general
    noun = named or _wh_noun(doc)
    if noun is not None:
        kind = KIND_NOUNS.get(noun.text.lower(), KIND_NOUNS.get(singular(noun.text.lower())))
        # "which city", "what year": the noun names the kind of answer, not what it is about
        return (kind, None) if kind else ("name", noun)
    if _ASKS_WHO.search(low):
        return "person", None
    if re.search(r"^\s*what\b", low) and any(t.text.lower() in SAY_VERBS for t in doc):
        return "quote", None
    return "description", None


def _asks(low: str, word: str) -> bool:
    """"When did ...?", "since when?", "launched from where?": the word asks the question. The "when" of
    "this week when it announced ..." or "injured when a crane collapsed" joins a clause and does not
    ("Fox News ... this week when it announced it would part ways with which top-rated host?" was read
    as a date question and led with "Monday")."""
    return bool(re.search(rf"(?:^|[.?!:;,]\s*|\b(?:since|from|until|till|to|and|or)\s+){word}\b|\b{word}\s*\?", low))


def _wh_noun(doc: Doc) -> Token | None:
    """"which villages ...", "what company ...", "which former pope": the noun the wh-word qualifies.

    Read from the words after the wh-word: the small parser often mislabels "which" in questions. A
    "which" after a comma opens a relative clause when another wh-word asks later ("The Writers Guild,
    which represents many scribes, ... in what year?"), not when it is the only one ("In a win for
    unions, which state ...?").
    """
    for t in doc[:-1]:
        nxt = doc[t.i + 1]
        low = nxt.text.lower()
        if t.text.lower() not in {"which", "what", "whose"} or not nxt.text[:1].isalpha() \
                or low in STOPWORDS or low in _AUXILIARIES:
            continue
        if t.i > 0 and doc[t.i - 1].text == "," and any(u.text.lower() in QUESTION_WORDS for u in doc[t.i + 1 :]):
            continue
        return _head_noun(nxt)
    return None


def _head_noun(token: Token) -> Token:
    """"severe weather event" from its first word: the head its modifiers lean on; "flight-tracking
    service": past a word joined by a hyphen, which qualifies what follows."""
    doc = token.doc
    while token.i + 2 < len(doc) and doc[token.i + 1].text == "-":
        token = doc[token.i + 2]
    while token.dep_ in {"amod", "compound", "nmod"} and token.head.i > token.i:
        token = token.head
    return token


def _name_of(doc: Doc) -> Token | None:
    """"What is the name of the North Korean general ...?" -> general."""
    for t in doc:
        if t.text.lower() == "name" and t.i + 1 < len(doc) and doc[t.i + 1].text.lower() == "of":
            objects = [c for c in doc[t.i + 1].children if c.dep_ == "pobj"]
            if objects:
                return objects[0]
    return None


def _called(doc: Doc, words: str) -> Token | None:
    """"What is the mission called?" -> mission: the last word before "called" ("it": none)."""
    last = words.split()[-1]
    if last in STOPWORDS:
        return None
    return next((t for t in reversed(doc) if t.text.lower() == last), None)


def _counted(doc: Doc) -> Token | None:
    """"how many troops", "how much money": the noun after many/much (not an auxiliary)."""
    for t in doc:
        low = t.text.lower()
        # "how many troops", not the "many" of "many other countries" in a scene-setting clause
        asks = low in {"many", "much"} and t.i > 0 and doc[t.i - 1].text.lower() == "how"
        if asks or low in {"percentage", "number", "share", "proportion"}:  # "what percentage of the
            # population", "how many of his coworkers": what follows "of"
            objects = [c for p in t.children if p.text.lower() == "of" for c in p.children if c.dep_ == "pobj"]
            if objects:
                return objects[0]
        if (asks or low in {"percentage", "number", "share"}) and t.head.i > t.i:
            head = t.head
            if (head.text.lower() not in _AUXILIARIES and head.text[:1].isalpha() and head.dep_ != "ROOT") \
                    or (head.text.lower() not in _AUXILIARIES and t.dep_ in {"amod", "nummod"}):
                return head
    return None


def _object_verbs(doc: Doc, question: str) -> tuple[str, ...]:
    """"Who did the Spurs select last time ...?" -> (select, last, time): the words that may be the verb
    "who" is the object of, the first lower-case words after the auxiliary, stemmed ("the president
    nominate": the parser, which has no tagger here, tells the verb in the sentence that answers)."""
    m = _OBJECT_WHO.search(question)
    if m is None:
        return ()
    words = [t.text for t in doc if t.idx >= m.end() and t.text.isalpha() and t.text.islower()
             and t.text not in STOPWORDS]
    return tuple(stem(w) for w in words[:3])


def _counted_verb(question: str) -> str:
    """"how much did X pay" -> pay: the verb stands for what is counted."""
    m = re.search(r"\b(?i:how (?:many|much))\s+(?:did|does|do|will|would)\s+(?:[A-Z][\w'-]*\s+)*([a-z]+)\b", question)
    return stem(m.group(1)) if m and m.group(1) not in STOPWORDS else ""


def _subject(doc: Doc) -> str:
    """Who a "what did X say/do" question is about: the subject of its main verb."""
    for t in doc:
        if t.dep_ in {"nsubj", "nsubjpass"} and t.text.lower() not in QUESTION_WORDS:
            return doc[t.left_edge.i : t.i + 1].text
    return ""


def _entity_name(text: str) -> str:
    """'the "Super Mario Bros. Movie' -> Super Mario Bros. Movie; "Austin's" -> Austin."""
    return re.sub(r"['\u2019]s$", "", re.sub(r"^(?:the|The)\s+", "", text).strip(_QUOTES))


def _names(q: str, doc: Doc) -> tuple[str, ...]:
    """Names and numbers the question is about: entities, and capitalised runs not at a sentence start."""
    names: list[str] = []
    for ent in doc.ents:  # English writes names with capitals: a lower-case "pope" or "marijuana" tagged
        if ent.label_ in NAMES and any(c.isupper() or c.isdigit() for c in ent.text):  # PERSON is an error
            names.append(_entity_name(ent.text))
    for m in _NAME.finditer(q):
        words = [w for w in m.group(0).split() if w.lower() not in _NOT_NAMES]
        starts_sentence = m.start() == 0 or bool(re.search(r"[.!?:]\s*$", q[: m.start()]))
        if starts_sentence and len(words) == 1 and not words[0].isupper():
            continue  # "Huge crowds...": a capital because the sentence starts there, not a name
        if words:
            names.append(re.sub(r"['\u2019]s$", "", " ".join(words)))  # "Austin's" -> "Austin"
    names += [normalize_number(n) for n in re.findall(r"\b\d[\d,]*\d\b|\b\d\b", q)]
    unique = list(dict.fromkeys(names))
    # "Lloyd Austin" from NER and "Lloyd Austin" from the capitals agree; drop names inside longer ones
    return tuple(n for n in unique if not any(n != m and f" {n} " in f" {m} " for m in unique))
