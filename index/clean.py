"""News-aware cleaning that remembers where every character came from.

Scraped news text carries site furniture ("spot_imgspot_img", "Related Posts"), section headers
between paragraphs, words broken across lines ("follo" / "wing") and typographic quotes. The
cleaner removes or repairs those and returns, with the clean text, a map from each clean
character to its position in the original text, so that a citation can point at the exact words
in the file the user gave us.
"""

from __future__ import annotations

import re
from collections.abc import Container
from dataclasses import dataclass

BOILERPLATE = re.compile(
    r"""^(?:
        (?:spot_img)+ | advertisement | advert | sponsored(?:\ content)? |
        get\ in\ touch | latest\ posts | related\ posts | related\ articles | related\ stories |
        read\ more | read\ next | more\ stories | recommended | popular\ posts | trending |
        share(?:\ this(?:\ article)?)? | share\ on\ \w+ | follow\ us(?:\ on\ .*)? |
        subscribe(?:\ to\ .*)? | sign\ up\ for\ .*newsletter.* | click\ here.* |
        all\ rights\ reserved\.? | (?:copyright|©)\ .* | tags?:.* | leave\ a\ (?:reply|comment) |
        you\ may\ also\ like | skip\ to\ (?:main\ )?content | menu | search | home |
        (?:\d\.\ )?how\ relevant\ is\ this\ ad\ to\ you\? | video\ player\ was\ slow\ to\ load\ content.* |
        (?:\d\.\ )?did\ you\ encounter\ any\ technical\ issues\? | ad\ feedback
    )$""",
    re.I | re.X,
)
QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
                        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u2032": "'",
                        "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\t": " "})
TERMINAL = tuple('.!?"\'):;\u201d\u2019')
_WORD_TAIL = re.compile(r"([A-Za-z]+)$")
_WORD_HEAD = re.compile(r"^([a-z]+)")


@dataclass
class Cleaned:
    title: str
    text: str
    offsets: list[int]  # offsets[i]: index in the raw text of text[i]


class _Builder:
    """Accumulates clean text together with the raw position of every character.

    Works on runs, not characters (``offsets`` is extended from ranges), because cleaning is on
    the ingest path of every article.
    """

    _SPACES = re.compile(r" {2,}")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.offsets: list[int] = []

    def _last(self) -> str:
        return self.parts[-1][-1] if self.parts else ""

    def add(self, text: str, raw_start: int) -> None:
        """Add raw text verbatim-ish: runs of spaces collapse to one, quotes are normalised."""
        t = text.translate(QUOTES)
        pos = 0
        if t.startswith(" ") and self._last() in " \n":  # also true when nothing was added yet
            pos = len(t) - len(t.lstrip(" "))
        for m in self._SPACES.finditer(t, pos):
            self._put(t, pos, m.start() + 1, raw_start)
            pos = m.end()
        self._put(t, pos, len(t), raw_start)

    def _put(self, t: str, a: int, b: int, raw_start: int) -> None:
        if b > a:
            self.parts.append(t[a:b])
            self.offsets.extend(range(raw_start + a, raw_start + b))

    def _trim(self, chars: str) -> None:
        while self.parts and self._last() in chars:
            self.parts[-1] = self.parts[-1][:-1]
            self.offsets.pop()
            if not self.parts[-1]:
                self.parts.pop()

    def sep(self, sep: str, raw_pos: int) -> None:
        self._trim(" ")
        if self.parts:
            self.parts.append(sep)
            self.offsets.extend([raw_pos] * len(sep))

    def done(self) -> tuple[str, list[int]]:
        self._trim(" \n")
        return "".join(self.parts), self.offsets


def _lines(raw: str) -> list[tuple[int, str]]:
    out, pos = [], 0
    for line in raw.splitlines(keepends=True):
        out.append((pos, line.rstrip("\r\n")))
        pos += len(line)
    return out


def is_headline(line: str) -> bool:
    """A short, title-cased line with no sentence punctuation: a headline or section header."""
    words = line.split()
    if not words or len(words) > 20 or line.rstrip().endswith(TERMINAL):
        return False
    caps = sum(1 for w in words if w[:1].isupper() or not w[:1].isalpha())
    return caps / len(words) >= 0.6


def _stands_alone(line: str, lines: list[tuple[int, str]], i: int) -> bool:
    """A file's first line, short, unpunctuated and followed by a blank line: a sentence-case headline."""
    followed_by_blank = i + 1 < len(lines) and not lines[i + 1][1].strip()
    return followed_by_blank and 2 <= len(line.split()) <= 15 and not line.rstrip().endswith(TERMINAL)


def _join_kind(prev: str, nxt: str, vocabulary: Container[str]) -> str | None:
    """How a line continues into the next: "" (broken word), " " (wrapped line) or None (new paragraph)."""
    if not prev or not nxt or prev.rstrip().endswith(TERMINAL):
        return None
    if re.match(r"^['\u2019\u2018]s\b", nxt):  # "Russia" / "'s war"
        return ""
    tail, head = _WORD_TAIL.search(prev), _WORD_HEAD.match(nxt)
    if not head or prev[-1:].isspace():
        return None
    if tail:
        a, b = tail.group(1).lower(), head.group(1)
        if (a + b) in vocabulary and not (a in vocabulary and b in vocabulary):
            return ""
    return " "


def clean(raw: str, vocabulary: Container[str] = frozenset()) -> Cleaned:
    """Raw article text -> title, clean text and an offset map into ``raw``."""
    lines = [(pos, text) for pos, text in _lines(raw)]
    kept: list[tuple[int, str] | None] = []  # None marks a paragraph break
    title = ""
    for i, (pos, text) in enumerate(lines):
        stripped = text.strip()
        if not stripped:
            kept.append(None)
            continue
        if BOILERPLATE.match(stripped):
            kept.append(None)
            continue
        first = not title and not any(k for k in kept if k)
        if (is_headline(stripped) and len(stripped.split()) >= 2) or (first and _stands_alone(stripped, lines, i)):
            if first:
                title = stripped.translate(QUOTES)
            kept.append(None)  # stray section headers are dropped too
            continue
        kept.append((pos + (len(text) - len(text.lstrip())), stripped))

    b = _Builder()
    prev: tuple[int, str] | None = None
    for item in kept:
        if item is None:
            if prev is not None:
                b.sep("\n\n", prev[0] + len(prev[1]))
            prev = None
            continue
        pos, text = item
        if prev is not None:
            kind = _join_kind(prev[1], text, vocabulary)
            if kind is None:
                b.sep("\n\n", pos)
            elif kind == " ":
                b.sep(" ", pos)
        b.add(text, pos)
        prev = item
    clean_text, offsets = b.done()
    # Collapse runs of paragraph breaks left by dropped lines.
    text, offs = _collapse_breaks(clean_text, offsets)
    return Cleaned(title=title, text=text, offsets=offs)


def _collapse_breaks(text: str, offsets: list[int]) -> tuple[str, list[int]]:
    """Runs of three or more newlines -> two (a paragraph break), offsets kept in step."""
    parts: list[str] = []
    offs: list[int] = []
    last = 0
    for m in re.finditer(r"\n{3,}", text):
        parts.append(text[last : m.start() + 2])
        offs.extend(offsets[last : m.start() + 2])
        last = m.end()
    parts.append(text[last:])
    offs.extend(offsets[last:])
    return "".join(parts), offs


def fallback_title(text: str, limit: int = 90) -> str:
    """A title for an article that has none: its first sentence, shortened at a word."""
    first = re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0]
    if len(first) <= limit:
        return first.rstrip(".")
    return first[:limit].rsplit(" ", 1)[0] + "…"
