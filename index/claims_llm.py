"""Who said what, extracted by an LLM (``NEWSQA_CLAIMS_EXTRACTOR=llm``) instead of the rules.

The model is asked for JSON lines of speaker, stance and a verbatim quote (prompts/claims.txt).
Its output is not trusted: a line is kept only when its quote is found word for word in the
article, so every stored statement still points at an exact span; other lines are dropped and
counted. An article the server cannot handle gets the rule-based claims instead.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from index import attribution, lexicon
from index.claims import Claim
from index.clean import QUOTES
from index.nlp import sentence_spans
from index.speakers import resolve_article

Complete = Callable[[list[dict[str, str]]], str]
WINDOW_CHARS = 3000  # text per request: fits a small model's context with room for the answer
STANCES = frozenset(lexicon.STANCES)


@dataclass
class LLMClaims:
    claims: list[Claim]
    dropped: int  # lines that were not JSON, or whose quote is not in the article


def windows(text: str, size: int = WINDOW_CHARS) -> list[tuple[int, int]]:
    """Sentence-aligned pieces of at most ``size`` characters (one long sentence may exceed it)."""
    out: list[tuple[int, int]] = []
    start = end = 0
    for s, e in sentence_spans(text):
        if e - start > size and end > start:
            out.append((start, end))
            start = s
        end = e
    if end > start:
        out.append((start, end))
    return out


def _locate(quote: str, text: str, lo: int, hi: int) -> tuple[int, int] | None:
    """Where the quote is in text[lo:hi], allowing only differences of white space and quote marks.

    ``text`` is an article's clean text, whose quote marks cleaning already made straight.
    """
    quote = quote.translate(QUOTES).strip().strip('"').strip()
    if len(quote) < 8:
        return None
    at = text.find(quote, lo, hi)
    if at >= 0:
        return at, at + len(quote)
    m = re.compile(r"\s+".join(re.escape(w) for w in quote.split())).search(text, lo, hi)
    return (m.start(), m.end()) if m else None


def parse(output: str, article_id: str, text: str, lo: int = 0, hi: int | None = None) -> LLMClaims:
    """The model's JSON lines -> claims grounded in ``text[lo:hi]``."""
    hi = len(text) if hi is None else hi
    found: list[Claim] = []
    dropped = 0
    for line in output.splitlines():
        line = line.strip().strip(",")
        if not line.startswith("{"):
            continue
        try:
            item = json.loads(line)
            speaker, quote = str(item["speaker"]).strip(), str(item["quote"])
            stance = str(item.get("stance", "said")).strip().lower()
        except (ValueError, KeyError, TypeError):
            dropped += 1
            continue
        span = _locate(quote, text, lo, hi)
        parsed = attribution.speaker_from_phrase(speaker) if speaker else None
        if span is None or parsed is None:
            dropped += 1
            continue
        stance = stance if stance in STANCES else lexicon.stance_of(stance) or "said"
        found.append(attribution.make_claim(article_id, parsed, stance, text[span[0]:span[1]], *span))
    return LLMClaims(found, dropped)


def extract(article_id: str, text: str, complete: Complete, render: Callable[[str], str]) -> LLMClaims:
    """Ask the model window by window; ``render`` fills the prompt with a window's text."""
    out = LLMClaims([], 0)
    for lo, hi in windows(text):
        got = parse(complete([{"role": "user", "content": render(text[lo:hi])}]), article_id, text, lo, hi)
        out.claims += got.claims
        out.dropped += got.dropped
    unique = {c.id: c for c in out.claims}
    return LLMClaims(attribution.merge_overlaps(resolve_article(list(unique.values()))), out.dropped)
