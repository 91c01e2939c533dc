"""Which kind of place a name is: a country, a US state, a city.

The recogniser tags Kyiv, Ukraine and Texas alike (GPE), so "which city ...?" could be answered with a
country. Names from GeoNames (``places.json``, written by ``scripts/make_places.py``): 289 country names
with the forms English news uses ("the U.S.", "Britain"), the 51 US state names, and 73k city names.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

PLACES = Path(__file__).resolve().parent / "places.json"
KINDS = frozenset({"country", "state", "city"})
_ARTICLE = re.compile(r"^the\s+|['\u2019]s?$", re.I)


@cache
def _names() -> dict[str, frozenset[str]]:
    data = json.loads(PLACES.read_text("utf-8"))
    return {"country": frozenset(data["countries"]), "state": frozenset(data["us_states"]),
            "city": frozenset(data["cities"])}


def kinds(name: str) -> frozenset[str]:
    """The kinds of place ``name`` is ("Washington": a state and a city; "Ukraine": a country; unknown: none)."""
    bare = _ARTICLE.sub("", name.strip())
    return frozenset(kind for kind, names in _names().items() if bare in names)


def fits(name: str, kind: str) -> bool:
    """``name`` may answer a question asking for a place of ``kind``: a country must be one of the list's;
    a state or a city may be a name it does not hold (a state of India, a small town), but not one it
    holds as another kind only (Ukraine is no city, Kyiv no state)."""
    known = kinds(name)
    if kind in known or kind not in KINDS:
        return True
    return kind != "country" and not known
