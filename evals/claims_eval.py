"""Precision and recall of who-said-what extraction against hand-labelled statements.

A gold line: ``{"article": file name, "speaker", "speaker_aliases": [...], "stance", "statement"}``,
the statement copied verbatim from the article. An extracted claim matches a gold one when both
come from the same article, their texts overlap (most of the gold statement's words are inside
the extracted statement) and the speaker agrees (a name or alias of the gold speaker appears in
the extracted speaker, role or the words used for them). Stance agreement is reported apart.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from index.claims import Claim, extract, merge_names
from index.clean import QUOTES, clean
from index.embedder import get_embedder
from settings import BUNDLED_CORPUS

OVERLAP = 0.6  # share of the gold statement's words the extracted statement must contain


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


def extract_corpus(folder: Path = BUNDLED_CORPUS) -> dict[str, list[Claim]]:
    """File name -> the statements extracted from it (names merged across the folder)."""
    vocabulary = get_embedder().vocabulary
    per_file: dict[str, list[Claim]] = {}
    for f in sorted(folder.glob("*.txt")):
        per_file[f.name] = extract(f.name, clean(f.read_text("utf-8"), vocabulary).text)
    merged = merge_names(c for cs in per_file.values() for c in cs)
    return {name: [c for c in merged if c.article_id == name and c.kind == "statement"] for name in per_file}


def evaluate(gold_path: Path, folder: Path = BUNDLED_CORPUS) -> dict[str, Any]:
    gold = [json.loads(line) for line in gold_path.read_text("utf-8").splitlines() if line.strip()]
    predicted = extract_corpus(folder)
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
    # A prediction is correct when it matches some gold statement. The gold set labels a sample of
    # the statements, so predictions that overlap no gold statement at all are not counted against
    # precision: only those that overlap a gold statement's text with the wrong speaker are.
    judged = [c for cs in predicted.values() for c in cs
              if any(g["article"] == c.article_id and _overlap(g["statement"], c.statement) >= OVERLAP for g in gold)]
    correct = sum(1 for c in judged if c.id in matched_pred)
    return {
        "gold": len(gold),
        "extracted": sum(len(cs) for cs in predicted.values()),
        "recall": found / len(gold) if gold else 0.0,
        "precision": correct / len(judged) if judged else 0.0,
        "stance_accuracy": stance_ok / found if found else 0.0,
        "unjudged": sum(len(cs) for cs in predicted.values()) - len(judged),
        "misses": misses,
        "wrong_speaker": [f"{c.article_id}: {c.speaker} / {c.statement[:80]}"
                          for c in judged if c.id not in matched_pred],
    }


def format_report(result: dict[str, Any]) -> str:
    lines = [
        f"who-said-what extraction on {result['gold']} labelled statements ({result['extracted']} extracted):",
        f"  precision {result['precision']:.2f}  recall {result['recall']:.2f}  "
        f"stance accuracy {result['stance_accuracy']:.2f}; {result['unjudged']} extracted statements overlap no "
        "labelled one and are not judged",
    ]
    lines += [f"  missed: {m}" for m in result["misses"]]
    lines += [f"  wrong speaker: {m}" for m in result["wrong_speaker"]]
    return "\n".join(lines)
