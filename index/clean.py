"""News-aware cleaning that remembers where every character came from.

Scraped news text carries site furniture ("spot_imgspot_img", "Related Posts"), section headers
between paragraphs, words broken across lines ("follo" / "wing") and typographic quotes. The
cleaner never deletes content: it removes only lines that are known furniture (and says which, in
``Cleaned.dropped``), keeps headers as paragraphs of their own, never drops a line with a figure,
repairs broken words and quotes, and returns, with the clean text, a map from each clean character
to its position in the original text, so that a citation can point at the exact words in the file
the user gave us.
"""

from __future__ import annotations

import re
from collections.abc import Container
from dataclasses import dataclass, field

# Site furniture, as data: whole lines (compared lower-cased, spaces collapsed, trailing ":.|>›»"
# ignored) that news sites put around an article. General to news pages, not to one site or story;
# a line is removed only when it IS one of these, never because it contains one.
FURNITURE_PHRASES = frozenset({
    "advertisement", "advert", "ad", "ad feedback", "video ad feedback", "sponsored", "sponsored content",
    "paid content", "get in touch", "contact us", "latest posts", "latest news", "latest stories", "related",
    "related posts", "related articles", "related stories", "related content", "related coverage",
    "read more", "read next", "more stories", "more news", "recommended", "recommended for you",
    "recommended stories", "popular posts", "most popular", "most read", "trending", "trending now",
    "share", "share this", "share this article", "share this story", "share article", "copy link",
    "link copied", "you may also like", "you might also like", "skip to content", "skip to main content",
    "skip to navigation", "menu", "search", "home", "close", "back to top", "print", "email", "comments",
    "leave a reply", "leave a comment", "sign in", "log in", "subscribe", "subscribe now", "newsletter",
    "sign up for our newsletter", "continue reading", "story continues below", "story continues below advertisement",
    "article continues below advertisement", "scroll to continue", "all rights reserved",
    "how relevant is this ad to you?", "did you encounter any technical issues?",
    "video player was slow to load content", "video content never loaded",
    "ad was repetitive to ads i've seen previously", "ad froze or did not finish loading", "ad never loaded",
    "ad content was too long", "audio on ad was too loud", "other issues",
    "facebook", "twitter", "linkedin", "whatsapp", "reddit", "pinterest",
})
FURNITURE_PATTERNS = re.compile(
    r"(?:spot_img)+ | video\ player\ was\ slow\ to\ load\ content(?:\ [a-z' ]+)? | share\ on\ [a-z]+ |"
    r" follow\ us(?:\ on\ [a-z ,&]+)? | tags?:\ [^.!?]* |"
    r" subscribe\ to\ (?:our|the)\ [a-z ]*newsletters? | sign\ up\ for\ (?:our|the)\ [a-z ]*newsletters?",
    re.X,
)
# A copyright notice, not a sentence about copyright: "© 2024 Acme Corp", "Copyright 2023-2024 The
# Daily Planet. All rights reserved." The owner is a few capitalised words ("and", "of" between); a notice is the only
# line with digits that cleaning may remove (its digits are a year).
COPYRIGHT = re.compile(
    r"^(?:(?:©\s*)?copyright\s*(?:©|\(c\))?|©|\(c\))\s*(?:(?:19|20)\d\d(?:\s*[-–]\s*(?:19|20)\d\d)?,?\s*)?"
    r"(?:(?:(?-i:[A-Z])[\w&.'’-]*|and|of|the|&),?\s*){0,8}?"
    r"(?:\s*[.,]?\s*all\ rights\ reserved)?\.?"
    r"(?:\s*this\ material\ may\ not\ be\ published,\ broadcast,\ rewritten,?\ or\ redistributed\.?)?$",
    re.I | re.X,
)
_COPYRIGHT_MARK = re.compile(r"©|\(c\)|(?:19|20)\d\d|all rights reserved", re.I)
# Digits, a percent sign or a currency sign: figures, money, scores, dates. Such a line is content.
HAS_FIGURE = re.compile(r"[\d%$\u00a2-\u00a5\u20a0-\u20cf]")
_TRAILING = " :.|>\u203a\u00bb-"
MAX_FURNITURE = 240  # characters: no furniture line (nor copyright notice) above is longer
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
    dropped: list[str] = field(default_factory=list)  # the furniture lines removed, as written


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


def is_furniture(line: str) -> bool:
    """Known site furniture, matched on the whole line; a line with a figure never is (bar a copyright notice)."""
    if len(line) > MAX_FURNITURE:  # a paragraph: most lines, so the cheap test comes first
        return False
    if HAS_FIGURE.search(line):
        return COPYRIGHT.match(line) is not None and _COPYRIGHT_MARK.search(line) is not None
    key = " ".join(line.translate(QUOTES).split()).lower().rstrip(_TRAILING)
    return (key in FURNITURE_PHRASES or FURNITURE_PATTERNS.fullmatch(key) is not None
            or (COPYRIGHT.match(line) is not None and _COPYRIGHT_MARK.search(line) is not None))


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
    """How a line continues into the next: "" (broken word), " " (wrapped line) or None (new paragraph).

    A word broken across lines is rejoined only when the joined word is in the embedder's
    vocabulary and its halves are not both words: general, not a list of repairs.
    """
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


_BREAK = (-1, "")  # a paragraph break among the kept lines


def _keep(raw: str) -> tuple[str, list[tuple[int, str]], list[str]]:
    """Sort the raw lines: the title, the content lines (headers marked standalone) and the furniture.

    Returns (title, kept, dropped); in ``kept`` a ``_BREAK`` marks a paragraph break, and a
    standalone line (a section header or stray headline) sits between two breaks.
    """
    lines = _lines(raw)
    kept: list[tuple[int, str]] = []
    dropped: list[str] = []
    title = ""
    content = False  # a content line was kept already: the title can only be the first
    for i, (pos, text) in enumerate(lines):
        stripped = text.strip()
        if not stripped or is_furniture(stripped):
            if stripped:
                dropped.append(stripped)
            kept.append(_BREAK)
            continue
        line = (pos + (len(text) - len(text.lstrip())), stripped)
        wraps = i + 1 < len(lines) and lines[i + 1][1].lstrip()[:1].islower()  # a sentence going on
        headline = is_headline(stripped) and len(stripped.split()) >= 2 and not wraps
        first, content = not title and not content, True
        if first and (headline or _stands_alone(stripped, lines, i)):
            title = stripped.translate(QUOTES)
            if not HAS_FIGURE.search(stripped):  # the headline becomes the title; with a figure it stays too
                kept.append(_BREAK)
                continue
            headline = True
        kept.extend([_BREAK, line, _BREAK] if headline else [line])
    return title, kept, dropped


def clean(raw: str, vocabulary: Container[str] = frozenset()) -> Cleaned:
    """Raw article text -> title, clean text, an offset map into ``raw`` and the furniture removed."""
    title, kept, dropped = _keep(raw)
    b = _Builder()
    prev: tuple[int, str] | None = None
    for item in kept:
        if item is _BREAK:
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
    return Cleaned(title=title, text=text, offsets=offs, dropped=dropped)


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
