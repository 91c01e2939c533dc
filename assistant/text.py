"""Small text tools shared by retrieval, answering and verification: terms, names, safety."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import Stemmer

from assistant.types import QuestionError

_STEM = Stemmer.Stemmer("english")
_TOKEN = re.compile(r"[A-Za-z][A-Za-z'\-]*|\d[\d,.]*\d|\d")
STOPWORDS = frozenset(
    """a an the and or but if of at by for with about against between into through during before after above
    below to from up down in out on off over under again further then once here there when where why how all
    any both each few more most other some such no nor not only own same so than too very s t can will just
    don should now is are was were be been being have has had having do does did doing i me my we our you your
    he him his she her it its they them their what which who whom this that these those am would could also
    as yet ever still much many tell say said says did according whose whether per via than
    """.split()
)
QUESTION_WORDS = frozenset("who what when where why how which whom whose many much".split())
_NOT_CONTENT = STOPWORDS | QUESTION_WORDS
# Reporting and stance verbs that mean the same thing for a reader asking "who denied X?".
SYNONYMS: dict[str, tuple[str, ...]] = {
    "deni": ("dismiss", "reject", "refut", "rebuf", "deni", "baseless", "groundless", "fake"),
    "dismiss": ("deni", "reject", "dismiss"),
    "confirm": ("confirm", "verifi", "evid", "acknowledg"),
    "troop": ("troop", "soldier", "forc", "personnel"),
    "soldier": ("troop", "soldier", "forc"),
    "claim": ("claim", "alleg", "assert", "report", "accus", "rumor"),
    "alleg": ("claim", "alleg", "assert", "accus"),
    "call": ("call", "brand", "label", "describ", "term"),
    "condemn": ("condemn", "critic", "denounc"),
    "warn": ("warn", "caution", "threat"),
    "spi": ("spi", "intellig", "nis"),
    "intellig": ("spi", "intellig", "nis"),
    "kill": ("kill", "die", "death", "perish", "dead"),
    "die": ("kill", "die", "death", "perish", "dead"),
    "chang": ("chang", "updat", "revis", "rais", "increas", "doubl", "twice", "later", "previous", "earlier"),
    "estim": ("estim", "figur", "total", "approxim", "around"),
}
_ASKS = re.compile(r"\?[\s\"'\u201d\u2019)\]]*$")  # a question mark at the end, before closing quotes
PRONOUN_START = re.compile(r"^(?:He|She|They|It|His|Her|Their|The (?:ambassador|minister|spokesman|spokesperson|"
                           r"representative|official|agency|ministry))\b")
INJECTION = re.compile(  # from a word's start (also twice as fast: the alternatives are tried there only)
    r"\b(?:ignore (?:all |any )?(?:the )?(?:previous|prior|above|earlier) (?:instructions|prompts?|rules)|"
    r"disregard (?:all |the )?(?:previous|prior|above) |you are now |system prompt|"
    r"new instructions?:|do not follow (?:the|your) |act as (?:an? )?(?:ai|assistant|model)|"
    r"(?:assistant|ai|model|llm)s?,? (?:must|should) (?:now )?(?:answer|say|respond|reply))",
    re.I,
)


def asks(sentence: str) -> bool:
    """The sentence is a question ("Want to honor Damar Hamlin?"; a headline asking what the reader asked):
    it states no fact, so it neither leads nor supports an answer."""
    return bool(_ASKS.search(sentence))


def stem(word: str) -> str:
    return _stem_lower(word.lower())


@lru_cache(maxsize=100_000)
def _stem_lower(word: str) -> str:
    return str(_STEM.stemWord(word))


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def normalize_number(tok: str) -> str:
    return tok.replace(",", "") if tok[:1].isdigit() else tok


@lru_cache(maxsize=50_000)
def content_terms(text: str) -> tuple[str, ...]:
    """Stemmed content words and normalised numbers, in order, without stopwords."""
    out = []
    for tok in tokens(text.lower()):
        low = tok.strip("'-")
        if not low or low in _NOT_CONTENT:
            continue
        out.append(normalize_number(low) if low[:1].isdigit() else _stem_lower(low))
    return tuple(out)


def expand(term: str) -> tuple[str, ...]:
    return SYNONYMS.get(term, (term,))


def mentions(text: str, term: str) -> bool:
    """``text`` states the stemmed ``term`` (or a synonym, or a longer word it begins)."""
    return bool(words_stating(term, content_terms(text)))


def words_stating(term: str, words: Iterable[str]) -> frozenset[str]:
    """Those of the stemmed ``words`` that state ``term``: one of its forms, or (forms of 4+ letters) a
    longer word that starts with one. Asked once of all the words a question's passages hold, it makes
    each sentence's test a set lookup."""
    alts = expand(term)
    stems = tuple(a for a in alts if len(a) >= 4)
    return frozenset(w for w in words if w in alts or w.startswith(stems))


@dataclass
class QuestionInfo:
    """What a question asks for; built by ``assistant.question.analyze``."""

    text: str
    terms: tuple[str, ...]
    names: tuple[str, ...]  # proper names / numbers the answer must be about
    groups: tuple[str, ...]  # the names that are nationalities or groups ("Brits"): not required of the articles
    wants_number: bool
    wants_person: bool
    wants_time_order: bool
    wants_quote: bool
    focus: str = ""  # the stemmed thing asked about ("how many troops" -> troop, "which villages" -> villag)
    answer_type: str = "description"  # person | place | date | number | name | named | quote | description
    labels: frozenset[str] = frozenset()  # entity labels an answer of that type carries
    kind: str = ""  # the narrower kind of place or date asked for: country | state | city | year | month | day
    subject: str = ""  # who a "what did X say/do" question is about
    asked: str = ""  # the sentence that asks, when the question sets the scene first ("X happened. Which Y?")
    timely: bool = False  # anchored to "now" ("this week", "latest", "so far"): prefer articles near the as-of date
    asks_name: bool = False  # "what is the name of X?", "what is X called?": the name given to something
    object_of: tuple[str, ...] = ()  # the verb "who" is the object of, among these stems ("Who did Seoul summon?")


def validate_question(question: object, max_chars: int) -> str:
    """Reject what cannot be a question, with a message a user can act on."""
    if not isinstance(question, str):
        raise QuestionError("The question must be text.")
    cleaned = "".join(
        ch if ch in "\n\t" or unicodedata.category(ch)[0] != "C" else " " for ch in question
    )
    cleaned = re.sub(r"\s+", " ", cleaned).strip()
    if not cleaned:
        raise QuestionError("Please type a question.")
    if len(cleaned) > max_chars:
        raise QuestionError(
            f"The question is too long ({len(cleaned):,} characters; the limit is {max_chars:,}). "
            "Ask about one thing at a time."
        )
    if not re.search(r"[^\W_]", cleaned):
        raise QuestionError("The question has no words in it.")
    return cleaned


def looks_like_injection(text: str) -> bool:
    """Text inside an article that tries to instruct the model; never quoted or obeyed."""
    return bool(INJECTION.search(text))
