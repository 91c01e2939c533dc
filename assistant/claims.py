"""Queries over the who-said-what store that ingestion fills (see index/attribution.py).

The answerer asks it which statements matter for a question: those whose stance the question
asks about ("who denied...?"), those of a speaker the question names ("what did Austin say?"),
and, for "how many" questions, the figures with who stated them.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from assistant.retrieve import passes
from assistant.text import QuestionInfo, stem
from assistant.types import Filters
from index.claims import Claim, merge_names
from index.lexicon import STANCE_GROUPS
from index.models import published_key
from index.store import IndexStore


def _fold(text: str) -> str:
    return re.sub(r"[^a-z0-9 ]+", " ", text.lower().replace("-", " ")).strip()


@dataclass
class ClaimFilter:
    speaker: str = ""
    stance: str = ""
    kind: str = ""


def _counts(c: Claim, counted: str) -> bool:
    """Does a figure count what the question asks about? Stems match: "troops" / "troop", "jobs" / "job"."""
    return bool(c.unit) and stem(c.unit.split()[-1]) == counted  # counted: QuestionInfo.focus, already a stem


def _passes(c: Claim, filters: Filters | None) -> bool:
    return not filters or passes({"source": c.source, "article_id": c.article_id,
                                  "published_key": published_key(c.published)}, filters)


def _stance_matches(stance: str, how: str) -> bool:
    return stance.startswith(how) or stem(stance) == stem(how) or how in stance


class _Lookup:
    """One index generation's claims in date order, with lookups by speaker words, stance, figure
    unit and article, so a question touches the claims it can match, not all of them.

    Speaker matching stays a substring test on folded text ("kim" finds "Kim Jong Un" and
    "Kimberly"): each word of the folded query lies inside one word of a matching speaker text,
    so the claims whose words contain every query word are candidates, and the test runs on those.
    """

    def __init__(self, claims: list[Claim]) -> None:
        self.claims = claims
        self.who = [_fold(" ".join([c.speaker, c.role, c.organisation, *c.mentions])) for c in claims]
        self.names = [_fold(" ".join([c.speaker, *c.mentions])) for c in claims]
        self.words: dict[str, set[int]] = {}
        self.by_article: dict[str, list[int]] = {}
        self.by_stance: dict[str, list[int]] = {}
        self.by_unit: dict[str, list[int]] = {}
        self.by_kind: dict[str, list[int]] = {}
        for i, c in enumerate(claims):
            for w in self.who[i].split():
                self.words.setdefault(w, set()).add(i)
            self.by_article.setdefault(c.article_id, []).append(i)
            self.by_stance.setdefault(c.stance, []).append(i)
            self.by_kind.setdefault(c.kind, []).append(i)
            if c.kind == "figure" and c.unit.split():
                self.by_unit.setdefault(stem(c.unit.split()[-1]), []).append(i)
        self._containing: dict[str, set[int]] = {}

    def speaking(self, folded: str, haystacks: list[str]) -> list[int]:
        """Indexes of the claims whose folded speaker text (``haystacks``) contains ``folded``."""
        words = folded.split()
        if not words:
            return [i for i, text in enumerate(haystacks) if folded in text]
        found = set.intersection(*(self._with_word_inside(w) for w in words))
        return sorted(i for i in found if folded in haystacks[i])

    def _with_word_inside(self, word: str) -> set[int]:
        if word not in self._containing:
            self._containing[word] = set().union(*(ids for w, ids in self.words.items() if word in w))
        return self._containing[word]

    def with_stance(self, how: str) -> list[int]:
        return sorted(i for stance, ids in self.by_stance.items() if _stance_matches(stance, how) for i in ids)


class ClaimBook:
    """All claims of the index, names merged across articles, kept until the index's stamp changes."""

    def __init__(self, store: IndexStore) -> None:
        self.store = store
        self._lookup = _Lookup([])
        self._key = ""
        self._lock = threading.Lock()

    def _current(self) -> _Lookup:
        key = self.store.stamp() or self.store.fingerprint()  # read before the claims: a write moves it again
        if key != self._key:
            with self._lock:
                if key != self._key:
                    claims = sorted(merge_names(self.store.claims()),
                                    key=lambda c: (c.published or "9999", c.article_id, c.start))
                    self._lookup, self._key = _Lookup(claims), key
        return self._lookup

    def all(self) -> list[Claim]:
        return self._current().claims

    def loaded(self) -> list[Claim] | None:
        """The claims already read if they are still the index's current ones; None (without reading
        them, which takes seconds on a large index) if not."""
        key = self.store.stamp()
        return self._lookup.claims if key and key == self._key else None

    def find(self, speaker: str = "", stance: str = "", kind: str = "", filters: Filters | None = None) -> list[Claim]:
        """Claims by a speaker (any part of name, role or organisation) and/or with a stance."""
        book = self._current()
        who = _fold(speaker)
        how = stance.lower().strip()
        if who:
            pool: Iterable[int] = book.speaking(who, book.who)
        elif how:
            pool = book.with_stance(how)
        else:
            pool = book.by_kind.get(kind, []) if kind else range(len(book.claims))
        out = []
        for i in pool:
            c = book.claims[i]
            if kind and c.kind != kind:
                continue
            if how and not _stance_matches(c.stance, how):
                continue
            if _passes(c, filters):
                out.append(c)
        return out

    def relevant(self, q: QuestionInfo, filters: Filters | None = None,
                 articles: Collection[str] | None = None) -> list[Claim]:
        """The claims that bear on a question: by stance asked, speaker named, or figure asked for.

        A "how many X" question takes the figures that count X (by stem); when none in the index
        does, every figure ("how much did they pay?" names a verb, not what the money is).
        ``articles``: only claims of these articles (those retrieval found); same order as without.
        """
        book = self._current()
        stances = {s for t in q.terms for s in STANCE_GROUPS.get(t, ())}
        names = [_fold(n) for n in q.names if len(n) > 2]
        counting = bool(q.wants_number and q.focus) and any(
            _passes(book.claims[i], filters) for i in book.by_unit.get(q.focus, []))
        if articles is not None:
            pool: set[int] = {i for a in articles for i in book.by_article.get(a, [])}
        else:
            pool = {i for s in stances for i in book.by_stance.get(s, [])}
            pool.update(i for n in names for i in book.speaking(n, book.names))
            if q.wants_number:
                pool.update(book.by_unit.get(q.focus, []) if counting else book.by_kind.get("figure", []))
        picked: dict[str, Claim] = {}
        for i in sorted(pool):
            c = book.claims[i]
            if not _passes(c, filters):
                continue
            statement = c.kind == "statement"
            by_stance = statement and c.stance in stances
            by_speaker = statement and any(n in book.names[i] for n in names)
            wanted = q.wants_number and c.kind == "figure" and (not counting or _counts(c, q.focus))
            if by_stance or by_speaker or wanted:
                picked.setdefault(c.id, c)
        return list(picked.values())
