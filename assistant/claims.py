"""Queries over the who-said-what store that ingestion fills (see index/claims.py).

The answerer asks it which statements matter for a question: those whose stance the question
asks about ("who denied...?"), those of a speaker the question names ("what did Austin say?"),
and, for "how many" questions, the figures with who stated them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.retrieve import passes
from assistant.text import QuestionInfo, stem
from assistant.types import Filters
from index.claims import Claim, merge_names
from index.models import published_key
from index.store import IndexStore

# question term (stemmed) -> the stances that answer it
STANCE_GROUPS: dict[str, tuple[str, ...]] = {
    "deni": ("denied", "dismissed"),
    "dismiss": ("dismissed", "denied"),
    "reject": ("denied", "dismissed"),
    "confirm": ("confirmed", "did not confirm"),
    "verifi": ("confirmed", "did not confirm"),
    "condemn": ("condemned",),
    "warn": ("warned",),
    "accus": ("accused",),
    "alleg": ("alleged", "reported"),
    "estim": ("estimated",),
    "demand": ("demanded",),
}
UNITS: dict[str, tuple[str, ...]] = {
    "troop": ("troops", "soldiers", "forces", "special forces", "personnel"),
    "soldier": ("troops", "soldiers", "forces", "special forces", "personnel"),
    "forc": ("troops", "soldiers", "forces", "special forces", "personnel"),
    "contain": ("containers",),
    "kill": ("killed", "deaths", "dead", "casualties"),
    "die": ("killed", "deaths", "dead", "casualties"),
    "death": ("killed", "deaths", "dead", "casualties"),
}


def _fold(text: str) -> str:
    return re.sub(r"[^a-z0-9 ]+", " ", text.lower().replace("-", " ")).strip()


@dataclass
class ClaimFilter:
    speaker: str = ""
    stance: str = ""
    kind: str = ""


class ClaimBook:
    """All claims of the index, names merged across articles, cached until the index changes."""

    def __init__(self, store: IndexStore) -> None:
        self.store = store
        self._claims: list[Claim] = []
        self._fingerprint = ""

    def all(self) -> list[Claim]:
        fingerprint = self.store.fingerprint()
        if fingerprint != self._fingerprint:
            self._claims = sorted(merge_names(self.store.claims()),
                                  key=lambda c: (c.published or "9999", c.article_id, c.start))
            self._fingerprint = fingerprint
        return self._claims

    def find(self, speaker: str = "", stance: str = "", kind: str = "", filters: Filters | None = None) -> list[Claim]:
        """Claims by a speaker (any part of name, role or organisation) and/or with a stance."""
        who = _fold(speaker)
        how = stance.lower().strip()
        out = []
        for c in self.all():
            if kind and c.kind != kind:
                continue
            if who and who not in _fold(" ".join([c.speaker, c.role, c.organisation, *c.mentions])):
                continue
            if how and not (c.stance.startswith(how) or stem(c.stance) == stem(how) or how in c.stance):
                continue
            if filters and not passes({"source": c.source, "article_id": c.article_id,
                                       "published_key": published_key(c.published)}, filters):
                continue
            out.append(c)
        return out

    def relevant(self, q: QuestionInfo, filters: Filters | None = None) -> list[Claim]:
        """The claims that bear on a question: by stance asked, speaker named, or figure asked for."""
        stances = {s for t in q.terms for s in STANCE_GROUPS.get(t, ())}
        units = {u for t in q.terms for u in UNITS.get(t, ())}
        picked: dict[str, Claim] = {}
        for c in self.find(filters=filters):
            by_stance = bool(stances) and c.kind == "statement" and c.stance in stances
            by_speaker = c.kind == "statement" and any(
                len(n) > 2 and _fold(n) in _fold(" ".join([c.speaker, *c.mentions])) for n in q.names
            )
            by_figure = q.wants_number and c.kind == "figure" and (not units or c.unit in units)
            if by_stance or by_speaker or by_figure:
                picked.setdefault(c.id, c)
        return list(picked.values())
