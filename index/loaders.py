"""Files -> RawArticle: .txt, .md, .html and JSONL (optionally gzipped) of articles.

Every problem with one file becomes a ``Skipped`` record with a one-line reason, so that one bad
file never stops the others from being ingested.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import tomllib
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

from index.dates import DateError, normalise
from index.models import RawArticle

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm"}
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".json.gz", ".ndjson")
METADATA_FILE = "articles.toml"
# Where news pages state their publication date, most specific first (meta property, name or itemprop).
DATE_META = ("article:published_time", "og:article:published_time", "og:published_time", "datepublished",
             "date", "pubdate", "publishdate", "dc.date", "dcterms.created", "dcterms.date", "parsely-pub-date")
# Tried in order after UTF-8; cp1252 rejects a few bytes, latin-1 decodes anything, so the
# result is also checked for being text at all.
FALLBACK_ENCODINGS = ("utf-16", "cp1252", "latin-1")


@dataclass
class Skipped:
    path: str
    reason: str

    def __str__(self) -> str:
        return f"skipped {self.path}: {self.reason}"


class LoadError(Exception):
    """A file that cannot be read as an article; the message is shown to the user."""


def slug(text: str, limit: int = 60) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s[:limit].rstrip("-") or "article"


def file_article_id(path: Path) -> str:
    """Readable and stable for one file location; two folders' `a.txt` do not collide."""
    digest = hashlib.blake2s(str(path.resolve()).encode(), digest_size=3).hexdigest()
    return f"{slug(path.stem)}-{digest}"


def is_supported(path: Path) -> bool:
    name = path.name.lower()
    return path.suffix.lower() in TEXT_SUFFIXES or name.endswith(JSONL_SUFFIXES)


def discover(paths: Iterable[Path]) -> Iterator[tuple[Path, Path | None, str | None]]:
    """Yield (root, file, problem) for every supported file under the given paths."""
    for root in paths:
        if not root.exists():
            yield root, None, "no such file or folder"
        elif root.is_file():
            yield root, root, None if is_supported(root) else "unsupported file type"
        else:
            for f in sorted(p for p in root.rglob("*") if p.is_file()):
                if f.name.startswith(".") or f.name == METADATA_FILE:
                    continue
                yield root, f, None if is_supported(f) else "unsupported file type"


def looks_binary(data: bytes) -> bool:
    head = data[:8192]
    return b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff"))


def _is_text(text: str) -> bool:
    if not text:
        return True
    bad = sum(1 for ch in text[:20000] if (ord(ch) < 32 and ch not in "\n\r\t\f") or 0x7F <= ord(ch) < 0xA0)
    return bad / min(len(text), 20000) < 0.01


def decode(data: bytes) -> str:
    """Bytes -> str: UTF-8 (with or without BOM), then common legacy encodings."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise LoadError("invalid UTF-16 text") from exc
    if looks_binary(data):
        raise LoadError("binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    for enc in FALLBACK_ENCODINGS[1:]:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if _is_text(text):
            return text
    raise LoadError("not valid text in UTF-8, cp1252 or latin-1")


_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """`---\\ntitle: ...\\n---` at the top of a .md/.txt file -> (fields, body)."""
    m = _FRONT_MATTER.match(text)
    if not m:
        return {}, text
    fields: dict[str, str] = {}
    for line in m.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep:
            fields[key.strip().lower()] = value.strip().strip("\"'")
    # Keep the body's offsets valid in the original text: blank the header out.
    return fields, " " * m.end() + text[m.end() :]


class _HTMLText(HTMLParser):
    """Visible text of an HTML page plus the metadata news sites put in <meta> tags."""

    SKIP: ClassVar[set[str]] = {"script", "style", "noscript", "nav", "footer", "header", "aside", "form", "svg",
                                "template"}
    BLOCK: ClassVar[set[str]] = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "article",
                                 "section", "blockquote"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.meta: dict[str, str] = {}
        self._skip = 0
        self._in_title = False
        self.title = ""
        self.times: list[str] = []  # <time datetime> of the visible text, in page order
        self.times_aside: list[str] = []  # ... and of skipped parts (a <header> byline often holds it)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag in self.SKIP:
            self._skip += 1
        elif tag == "title":
            self._in_title = True
        elif tag == "meta":
            key = (a.get("property") or a.get("name") or a.get("itemprop") or "").lower()
            if key and a.get("content"):
                self.meta.setdefault(key, a["content"].strip())
        elif tag == "time" and a.get("datetime"):
            (self.times_aside if self._skip else self.times).append(a["datetime"].strip())
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self._skip:
            self._skip -= 1
        elif tag == "title":
            self._in_title = False
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif not self._skip:
            self.parts.append(data)


def parse_html(text: str) -> tuple[dict[str, str], str]:
    p = _HTMLText()
    p.feed(text)
    p.close()
    body = re.sub(r"[ \t\r\f\v]*\n[ \t\r\f\v\n]*", "\n\n", "".join(p.parts)).strip()
    m = p.meta
    fields = {
        "title": m.get("og:title") or p.title.strip(),
        "source": m.get("og:site_name") or m.get("publisher") or "",
        "published": _first_date([*(m.get(k, "") for k in DATE_META), *p.times, *p.times_aside]),
        "url": m.get("og:url") or "",
    }
    return fields, body


def _first_date(candidates: Iterable[str]) -> str:
    """The first candidate that reads as a date; else the first one given (reported as unreadable later)."""
    given = [c for c in candidates if c]
    for c in given:
        try:
            return normalise(c)
        except DateError:
            continue
    return given[0] if given else ""


def read_published(value: str, notes: list[str]) -> str:
    """A source's date -> its stored ISO form; an unreadable one -> undated, with a note why."""
    try:
        return normalise(value)
    except DateError as exc:
        notes.append(f"{exc}; stored as undated")
        return ""


def _sidecar(folder: Path, cache: dict[Path, dict[str, dict[str, str]]]) -> dict[str, dict[str, str]]:
    if folder not in cache:
        f = folder / METADATA_FILE
        try:
            data = tomllib.loads(f.read_text("utf-8")) if f.exists() else {}
        except (OSError, tomllib.TOMLDecodeError):
            data = {}
        cache[folder] = {k: {kk: str(vv) for kk, vv in v.items()} for k, v in data.items() if isinstance(v, dict)}
    return cache[folder]


def load_file(path: Path, root: Path, max_bytes: int, sidecars: dict[Path, dict[str, dict[str, str]]]) -> RawArticle:
    """One .txt/.md/.html file -> RawArticle, or LoadError with the reason."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise LoadError(f"too large ({_human(size)}; the limit is {_human(max_bytes)}, NEWSQA_MAX_FILE_MB)")
        data = path.read_bytes()
    except OSError as exc:
        raise LoadError(f"cannot read: {exc.strerror or exc}") from exc
    text = decode(data)
    if path.suffix.lower() in {".html", ".htm"}:
        fields, text = parse_html(text)
    else:
        fields, text = split_front_matter(text)
    fields = {**fields, **_sidecar(path.parent, sidecars).get(path.name, {})}
    if not text.strip():
        raise LoadError("empty file")
    notes: list[str] = []
    return RawArticle(
        id=file_article_id(path),
        raw=text,
        title=fields.get("title", ""),
        source=fields.get("source", "") or fields.get("publisher", ""),
        published=read_published(fields.get("published", "") or fields.get("date", ""), notes),
        url=fields.get("url", ""),
        path=str(path.resolve()),
        root=str(root.resolve()),
        notes=notes,
    )


def load_jsonl(path: Path, root: Path) -> Iterator[RawArticle | Skipped]:
    """A JSONL of `{id, url, title, published, text}` objects, plain or gzipped."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rb") as fh:
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                where = f"{path}:{lineno}"
                try:
                    obj = json.loads(line)
                except (json.JSONDecodeError, UnicodeDecodeError):
                    yield Skipped(where, "not a JSON object")
                    continue
                text = obj.get("text") if isinstance(obj, dict) else None
                if not isinstance(text, str) or not text.strip():
                    yield Skipped(where, "no text")
                    continue
                ident = str(obj.get("id") or hashlib.blake2s(text.encode(), digest_size=6).hexdigest())
                notes: list[str] = []
                yield RawArticle(
                    id=slug(ident, 80),
                    raw=text,
                    title=str(obj.get("title") or ""),
                    source=str(obj.get("source") or obj.get("publisher") or _domain(str(obj.get("url") or ""))),
                    published=read_published(str(obj.get("published") or obj.get("date") or ""), notes),
                    url=str(obj.get("url") or ""),
                    path=str(path.resolve()),
                    root=str(root.resolve()),
                    notes=notes,
                )
    except (OSError, EOFError, gzip.BadGzipFile, zlib.error) as exc:
        yield Skipped(str(path), f"cannot read: {exc}")


def _human(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1e3:.1f} kB"


def _domain(url: str) -> str:
    m = re.match(r"https?://(?:www\.)?([^/:]+)", url)
    return m.group(1) if m else ""


def load(paths: Iterable[Path], max_bytes: int) -> Iterator[RawArticle | Skipped]:
    """Every article under ``paths``; problems come out as ``Skipped`` in the same stream."""
    sidecars: dict[Path, dict[str, dict[str, str]]] = {}
    for root, f, problem in discover(paths):
        if f is None or problem:
            yield Skipped(str(f or root), problem or "unreadable")
        elif f.name.lower().endswith(JSONL_SUFFIXES):
            yield from load_jsonl(f, root)
        else:
            try:
                yield load_file(f, root, max_bytes, sidecars)
            except LoadError as exc:
                yield Skipped(str(f), str(exc))
            except Exception as exc:  # a loader bug on one file must not end the build
                yield Skipped(str(f), f"cannot load: {type(exc).__name__}: {str(exc).strip()[:200]}".splitlines()[0])
