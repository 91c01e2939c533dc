"""Speaker identity: who a speaker phrase names, and when two records are one person.

Keys are plain lowercase names: no alias tables, so nothing here knows any one story. A bare
surname ("Kim", "Mr. Austin") joins a full name only when exactly one full name with that word
as its first or last part is in reach (the same article first, then the corpus); with two or
more candidates it stays itself. Every choice is made over sorted data, so the outcome does not
depend on set or dict order (PYTHONHASHSEED).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from index.lexicon import HONORIFICS

if TYPE_CHECKING:
    from index.claims import Claim


@dataclass(frozen=True)
class Speaker:
    """Who is quoted: a person (with role and organisation) or a body ("the Federal Reserve")."""

    name: str  # what the store shows: the person's name, or the body's phrase without determiners
    person: str
    role: str
    organisation: str
    written: str  # the phrase as the article wrote it

    @property
    def key(self) -> str:
        return name_key(self.person) if self.person else name_key(self.name)


def name_key(name: str) -> str:
    """'Mr. Lloyd  Austin' -> 'lloyd austin'; 'Sun-won' -> 'sun won'. Any script, case folded."""
    words = re.sub(r"[\s\-\u2010\u2011]+", " ", unicodedata.normalize("NFC", name)).casefold().split()
    words = [w.strip(".,;:") for w in words]
    while words and words[0].rstrip(".") in HONORIFICS:
        words = words[1:]
    return " ".join(w for w in words if w)


def _candidates(bare: str, full_keys: Iterable[str]) -> list[str]:
    """Full names whose first or last word is ``bare`` (Korean names put the surname first)."""
    return sorted({k for k in full_keys if bare in (k.split()[0], k.split()[-1])})


def _compatible(a: str, b: str) -> bool:
    """One name key inside the other: "lloyd austin" and "secretary lloyd austin"."""
    return f" {a} " in f" {b} " or f" {b} " in f" {a} "


def _name_like(c: Claim) -> bool:
    """A capitalised body with no other organisation: a name NER missed or took for one ("Poloncarz said")."""
    words = c.speaker.split()
    return not c.person and c.organisation in {"", c.speaker} and 0 < len(words) <= 4 \
        and all(w[:1].isupper() for w in words) \
        and not any(m.split()[0].lower() in {"the", "a", "an"} for m in c.mentions if m.split())


def _bare_name(c: Claim) -> bool:
    return _name_like(c) and len(c.speaker.split()) == 1


def _rename(c: Claim, key: str, display: str) -> None:
    if c.organisation == c.speaker:
        c.organisation = ""  # NER took the bare name for an organisation
    c.speaker_key, c.person, c.speaker = key, display, display


_WORD = re.compile(r"[^\W\d_][\w'\u2019-]*|\S")


def _capitalised_runs(text: str) -> list[list[str]]:
    """Runs of consecutive capitalised words (any script); punctuation ends a run."""
    runs: list[list[str]] = [[]]
    for m in _WORD.finditer(text):
        word = m.group(0)
        if word[:1].isupper() and word[:1].isalpha():
            runs[-1].append(word)
        elif runs[-1]:
            runs.append([])
    return [r for r in runs if len(r) > 1]


def names_around(bare: str, text: str) -> list[str]:
    """Full names the text writes with ``bare`` as their first or last word ("... Minister Kim Hong Kyun").

    Read from runs of capitalised words: the run from ``bare`` to its end when more follows it
    (surname first), else the word before it and ``bare``. Used only to stop a guess: a bare
    surname never joins a name found this way, but one found this way that differs from every
    NER name keeps it from joining any.
    """
    out = []
    for words in _capitalised_runs(text):
        if bare not in words:
            continue
        at = words.index(bare)
        name = words[at:] if at < len(words) - 1 else words[at - 1 : at + 1]
        if len(name_key(" ".join(name)).split()) > 1:
            out.append(" ".join(name))
    return out


def resolve_article(claims: Sequence[Claim], names_in_text: Sequence[str] = (), text: str = "") -> list[Claim]:
    """Within one article: a bare surname becomes the one full name of the article that has it.

    A one-word speaker NER did not tag as a person ("Zinoviev") is one too when it is the first
    or last word of exactly one full name of the article.

    ``names_in_text``: every PERSON the article names, in order, so "Kim" can join a full name
    that is mentioned without being quoted; ``text`` (the article) lets a name NER missed block
    the join (see ``names_around``).
    """
    display: dict[str, str] = {}
    for name in [*(c.person or c.speaker for c in claims if c.person or _name_like(c)), *names_in_text]:
        key = name_key(name)
        if len(key.split()) > 1:
            display.setdefault(key, name)
    for c in claims:
        key = name_key(c.person or c.speaker)
        if (c.person or _bare_name(c)) and len(key.split()) == 1:
            found = _candidates(key, display)
            written = {name_key(n) for n in names_around(c.speaker, text)} if text else set()
            if len(found) == 1 and not any(not _compatible(w, found[0]) for w in written):
                _rename(c, found[0], display[found[0]])
    return list(claims)


def merge_corpus(claims: list[Claim]) -> list[Claim]:
    """Across articles: one key per person, shown with its fullest, most used written form."""
    keys = sorted({c.speaker_key for c in claims if c.person})
    full = sorted({k for k in keys if len(k.split()) > 1} | {c.speaker_key for c in claims if _name_like(c)
                                                             and len(c.speaker_key.split()) > 1})
    ends: dict[str, set[str]] = {}  # first or last word -> full names (what _candidates scans for, looked up)
    for k in full:
        for w in {k.split()[0], k.split()[-1]}:
            ends.setdefault(w, set()).add(k)
    canonical: dict[str, str] = {}
    for k in sorted(set(keys) | {c.speaker_key for c in claims if _bare_name(c)}):
        found = sorted(ends.get(k, ())) if len(k.split()) == 1 else []
        canonical[k] = found[0] if len(found) == 1 else k
    for c in claims:
        if _bare_name(c) and canonical.get(c.speaker_key, c.speaker_key) != c.speaker_key:
            c.organisation = "" if c.organisation == c.speaker else c.organisation
            c.person = c.speaker  # joins a full name below
    written: dict[str, Counter[str]] = {}
    for c in claims:
        if c.person:
            c.speaker_key = canonical.get(c.speaker_key, c.speaker_key)
            written.setdefault(c.speaker_key, Counter())[c.person] += 1
    best = {k: sorted(n, key=lambda s: (-len(s.split()), -n[s], s))[0] for k, n in written.items()}
    for c in claims:
        if c.person:
            c.person = c.speaker = best[c.speaker_key]
    return claims
