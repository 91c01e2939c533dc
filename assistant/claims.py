"""Queries over the who-said-what store that ingestion fills (see index/attribution.py).

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
        """The claims that bear on a question: by stance asked, speaker named, or figure asked for.

        A "how many X" question takes the figures that count X (by stem); when none does, every
        figure ("how much did they pay?" names a verb, not what the money is).
        """
        stances = {s for t in q.terms for s in STANCE_GROUPS.get(t, ())}
        found = self.find(filters=filters)
        figures = [c for c in found if c.kind == "figure"] if q.wants_number else []
        counting = [c for c in figures if q.focus and _counts(c, q.focus)]
        wanted = {id(c) for c in counting or figures}
        picked: dict[str, Claim] = {}
        for c in found:
            by_stance = bool(stances) and c.kind == "statement" and c.stance in stances
            by_speaker = c.kind == "statement" and any(
                len(n) > 2 and _fold(n) in _fold(" ".join([c.speaker, *c.mentions])) for n in q.names
            )
            if by_stance or by_speaker or id(c) in wanted:
                picked.setdefault(c.id, c)
        return list(picked.values())
