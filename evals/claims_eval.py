"""Precision and recall of who-said-what extraction against hand-labelled statements.

A gold line: ``{"article": file name, "speaker", "speaker_aliases": [...], "stance", "statement"}``,
the statement copied verbatim from the article. An extracted claim matches a gold one when both
come from the same article, their texts overlap (most of the gold statement's words are inside
the extracted statement) and the speaker agrees (a name or alias of the gold speaker appears in
the extracted speaker, role or the words used for them). Stance agreement is reported apart.

Two kinds of gold file. A *complete* one labels every attributed statement of its articles, so
every extracted statement that matches no gold line is wrong. The bundled sample file labels a
subset, so only extracted statements that overlap a labelled one are judged. The articles are the
folder named like the gold file without ``.jsonl`` next to it (the bundled corpus for the sample), or
the RealTime QA articles that ``<gold>.articles.json`` names by id.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from evals.run import benchmark_articles
from index.attribution import extract
from index.claims import Claim, merge_names
from index.clean import QUOTES, clean
from index.embedder import get_embedder
from index.loaders import split_front_matter
from settings import BUNDLED_CORPUS

OVERLAP = 0.6  # share of the gold statement's words the extracted statement must contain
SAMPLE_GOLD = "sample_claims.jsonl"  # labels a subset of its articles' statements


class GoldError(Exception):
    """A gold file or its article folder cannot be read."""


def articles_for(gold_path: Path) -> dict[str, str]:
    """File name -> article text for the articles a gold file labels: the folder next to it (the
    bundled corpus for the sample), or, for sets labelled on RealTime QA, the benchmark's corpus read
    by the ids in ``<gold>.articles.json`` (the benchmark's text is not copied into the project)."""
    folder = BUNDLED_CORPUS if gold_path.name == SAMPLE_GOLD else gold_path.with_suffix("")
    if folder.is_dir():
        return {f.name: split_front_matter(f.read_text("utf-8"))[1] for f in sorted(folder.glob("*.txt"))}
    listing = gold_path.with_suffix(".articles.json")
    if not listing.is_file():
        raise GoldError(f"no article folder {folder} (nor {listing.name}) next to {gold_path}")
    names = {entry["id"]: name for name, entry in json.loads(listing.read_text("utf-8")).items()}
    try:
        lines = benchmark_articles(set(names))
    except (OSError, ValueError) as exc:
        raise GoldError(f"{listing.name} names RealTime QA articles: {exc}") from exc
    return dict(sorted((names[i], json.loads(line)["text"]) for i, line in lines.items()))


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.translate(QUOTES).lower())


def _overlap(gold: str, predicted: str) -> float:
    g, p = _words(gold), set(_words(predicted))
    return sum(1 for w in g if w in p) / len(g) if g else 0.0


def _speaker_matches(gold: dict[str, Any], claim: Claim) -> bool:
    have = " ".join([claim.speaker, claim.person, claim.role, claim.organisation, *claim.mentions]).lower()
    names = [gold["speaker"], *gold.get("speaker_aliases", [])]
    for name in names:
        tokens = [t for t in _words(name) if len(t) > 2 and t not in {"the", "and", "of"}]
        if tokens and all(t in have for t in tokens[-2:]):
            return True
    return False


def extract_corpus(articles: dict[str, str]) -> dict[str, list[Claim]]:
    """File name -> the statements extracted from its text (names merged across the articles)."""
    vocabulary = get_embedder().vocabulary
    per_file = {name: extract(name, clean(text, vocabulary).text) for name, text in articles.items()}
    merged = merge_names(c for cs in per_file.values() for c in cs)
    return {name: [c for c in merged if c.article_id == name and c.kind == "statement"] for name in per_file}


def load_gold(gold_path: Path) -> list[dict[str, Any]]:
    try:
        lines = gold_path.read_text("utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]
    except (OSError, ValueError) as exc:
        raise GoldError(f"cannot read gold file {gold_path}: {exc}") from exc


def evaluate(gold_path: Path, complete: bool | None = None) -> dict[str, Any]:
    """Precision, recall and stance accuracy; ``complete`` defaults to "not the sample file"."""
    gold = load_gold(gold_path)
    complete = gold_path.name != SAMPLE_GOLD if complete is None else complete
    predicted = extract_corpus(articles_for(gold_path))
    matched_pred: set[str] = set()
    found, stance_ok, misses = 0, 0, []
    for g in gold:
        candidates = [c for c in predicted.get(g["article"], []) if _overlap(g["statement"], c.statement) >= OVERLAP
                      and _speaker_matches(g, c)]
        if candidates:
            found += 1
            matched_pred.update(c.id for c in candidates)
            stance_ok += any(c.stance == g["stance"] for c in candidates)
        else:
            misses.append(f"{g['article']}: {g['speaker']} / {g['statement'][:80]}")
    # A prediction is correct when it matches some gold statement. A subset file (the sample) labels
    # some statements only, so predictions that overlap no gold statement at all are not counted
    # against precision there; in a complete file every prediction is judged.
    judged = [c for cs in predicted.values() for c in cs
              if complete or any(g["article"] == c.article_id and _overlap(g["statement"], c.statement) >= OVERLAP
                                 for g in gold)]
    correct = sum(1 for c in judged if c.id in matched_pred)
    return {
        "gold": len(gold),
        "complete": complete,
        "extracted": sum(len(cs) for cs in predicted.values()),
        "recall": found / len(gold) if gold else 0.0,
        "precision": correct / len(judged) if judged else 0.0,
        "stance_accuracy": stance_ok / found if found else 0.0,
        "unjudged": sum(len(cs) for cs in predicted.values()) - len(judged),
        "misses": misses,
        "wrong": [f"{c.article_id}: {c.speaker} / {c.statement[:80]}" for c in judged if c.id not in matched_pred],
    }


def format_report(result: dict[str, Any]) -> str:
    lines = [
        f"who-said-what extraction on {result['gold']} labelled statements ({result['extracted']} extracted):",
        f"  precision {result['precision']:.2f}  recall {result['recall']:.2f}  "
        f"stance accuracy {result['stance_accuracy']:.2f}"
        + ("; every statement is labelled" if result["complete"] else
           f"; {result['unjudged']} extracted statements overlap no labelled one and are not judged"),
    ]
    lines += [f"  missed: {m}" for m in result["misses"]]
    lines += [f"  wrong: {m}" for m in result["wrong"]]
    return "\n".join(lines)
