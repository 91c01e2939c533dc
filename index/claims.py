"""The stored who-said-what record: one attributed statement or figure, to and from Chroma.

Extraction lives in ``index/attribution.py`` (rules over the parse) and ``index/claims_llm.py``
(an OpenAI-compatible model); both produce these records, and ``merge_names`` joins one person's
records across articles.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from index.speakers import merge_corpus

SHARED = frozenset({"speaker", "speaker_key", "person", "role", "organisation", "stance", "kind", "unit", "measure",
                    "published", "title", "source"})


@dataclass(slots=True)  # a large index holds ~160,000 of them in every app process
class Claim:
    """An attributed statement or figure; ``start``/``end`` locate it in the article's clean text."""

    id: str
    article_id: str
    speaker: str  # the person's name, or the body as written without determiners ("Federal Reserve")
    speaker_key: str  # lowercase key speakers are merged on
    person: str  # the person's name when the speaker is a person
    role: str  # "chief executive of Acme"
    organisation: str  # the ORG/GPE/NORP the speaker phrase names
    stance: str
    statement: str
    start: int
    end: int
    kind: str = "statement"  # or "figure"
    value: float = 0.0  # a figure's number: "$300 million" -> 300000000.0
    unit: str = ""  # the noun a figure counts or describes ("jobs", "margin"), lowercase
    figure: str = ""  # the figure as written ("$300 million", "9.5%")
    measure: str = ""  # the entity label: CARDINAL, MONEY, PERCENT or QUANTITY
    published: str = ""
    title: str = ""
    source: str = ""
    mentions: list[str] = field(default_factory=list)  # the speaker as written

    def to_json(self) -> dict[str, object]:
        return asdict(self)

    def to_metadata(self) -> dict[str, str | int | float]:
        """Chroma metadata: the article id (deletes select on it) and the other fields as one JSON value.

        The statement itself is the record's document. One value instead of twenty: Chroma keeps a
        row per metadata key, and reading every claim when the index changed took 5x longer
        (7.6 s against 1.6 s for 27,000 claims) and held 200 MB more in an embedded client.
        """
        rest = {k: v for k, v in asdict(self).items() if k not in {"statement", "article_id"}}
        return {"article_id": self.article_id, "claim": json.dumps(rest, ensure_ascii=False)}

    @classmethod
    def from_metadata(cls, meta: dict[str, object], statement: str) -> Claim:
        if "claim" in meta:
            packed = json.loads(str(meta["claim"]))
            # one copy of each speaker, title, date... across the claims that repeat it
            shared: dict[str, Any] = {k: sys.intern(v) if k in SHARED and isinstance(v, str) else v
                                      for k, v in packed.items() if k in cls.__dataclass_fields__}
            return cls(statement=statement, article_id=sys.intern(str(meta.get("article_id", ""))), **shared)
        fields = {k: meta[k] for k in cls.__dataclass_fields__ if k in meta and k != "mentions"}  # one key a field
        if "value" in fields:
            fields["value"] = float(fields["value"])  # type: ignore[arg-type]  # older stores hold ints
        mentions = [m for m in str(meta.get("mentions", "")).split(" | ") if m]
        return cls(statement=statement, mentions=mentions, **fields)  # type: ignore[arg-type]

    @property
    def figure_text(self) -> str:
        """How a figure is shown: as written, with the noun it counts ("$300 million", "2,000 jobs")."""
        written = self.figure or f"{self.value:,g}"
        return f"{written} {self.unit}".strip() if self.unit and self.unit not in written.lower() else written


def merge_names(claims: Iterable[Claim]) -> list[Claim]:
    """Across articles: a bare surname joins a full name only when exactly one full name has it."""
    return merge_corpus(list(claims))
