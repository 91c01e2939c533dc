"""Publication dates, read with python-dateutil (never its fuzzy mode) into day, month or year ranges.

One reader for every place a date comes in: front matter, ``articles.toml``, JSONL ``published``,
HTML meta, the CLI's ``--since/--until`` and the UI's filters. It accepts ISO dates (with or
without a time and zone), "October 21, 2024", "21 Oct 2024", RFC 2822 ("Mon, 21 Oct 2024
10:00:00 GMT"), and the partial dates "2024-10", "October 2024" and "2024", which are ranges.

The stored form is the canonical ISO text of what the source gives: ``YYYY-MM-DD``, or ``YYYY-MM``
/ ``YYYY`` when that is all it says. A time's zone is not converted: the date is the one the
publisher wrote. Filtering treats a partial date as its first day (see ``published_key``), so an
article dated "2024-10" passes a filter on October 2024 and any ``--until`` on or after
2024-10-01, but not ``--since 2024-10-15``.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime

from dateutil import parser as dateutil_parser

HINT = "use YYYY-MM-DD, YYYY-MM or a date like 'October 21, 2024'"
# dateutil fills a missing part from its ``default``: parsing against two defaults that differ in
# every part shows which parts the text itself gave (a part that is the same in both was written).
_DEFAULTS = (datetime(2000, 1, 1), datetime(2001, 2, 2))
_YEAR = re.compile(r"^(\d{4})$")
_YEAR_MONTH = re.compile(r"^(\d{4})[-/.](\d{1,2})$")
_CANONICAL_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_FOUR_DIGITS = re.compile(r"\d{4}")


class DateError(ValueError):
    """A date that cannot be read; the message is shown to the user as is."""

    def __init__(self, value: str) -> None:
        super().__init__(f"Cannot read the date {value!r}: {HINT}")
        self.value = value


@dataclass(frozen=True)
class DateRange:
    """The days a written date may mean: one day, a month or a year (both ends inclusive)."""

    start: date
    end: date
    precision: str  # "day", "month" or "year"

    @property
    def iso(self) -> str:
        """The stored form: YYYY-MM-DD, YYYY-MM or YYYY."""
        return {"day": self.start.isoformat(), "month": self.start.isoformat()[:7],
                "year": self.start.isoformat()[:4]}[self.precision]


def _month(year: int, month: int) -> DateRange:
    if not 1 <= month <= 12:
        raise ValueError(month)
    last = calendar.monthrange(year, month)[1]
    return DateRange(date(year, month, 1), date(year, month, last), "month")


def _year(year: int) -> DateRange:
    return DateRange(date(year, 1, 1), date(year, 12, 31), "year")


def _with_dateutil(text: str) -> DateRange:
    """Any other form, read strictly; a year is required (dateutil would take today's)."""
    if not _FOUR_DIGITS.search(text):
        raise ValueError(text)  # "Monday", "21 Oct", "99": no year written, so no date we can trust
    a, b = (dateutil_parser.parse(text, default=d) for d in _DEFAULTS)
    if a.year != b.year:
        raise ValueError(text)
    if a.month != b.month:
        return _year(a.year)
    if a.day != b.day:
        return _month(a.year, a.month)
    return DateRange(a.date(), a.date(), "day")


def parse_date(value: str) -> DateRange:
    """A written date -> the range of days it means; ``DateError`` when it cannot be read."""
    text = (value or "").strip()
    try:
        if m := _YEAR.match(text):
            return _year(int(m.group(1)))
        if m := _YEAR_MONTH.match(text):
            return _month(int(m.group(1)), int(m.group(2)))
        return _with_dateutil(text)
    except (ValueError, OverflowError) as exc:  # dateutil's ParserError is a ValueError
        raise DateError(text) from exc


def normalise(value: str) -> str:
    """A written date -> its stored ISO form; "" for no date. Raises ``DateError`` if unreadable."""
    return parse_date(value).iso if (value or "").strip() else ""


def published_key(published: str, *, end: bool = False) -> int:
    """A date -> YYYYMMDD as an int, so Chroma can range-filter on it (0 = undated or unreadable).

    A partial date ("2024-10", "2024") gives its first day, or with ``end`` its last day (for
    "until" bounds).
    """
    text = (published or "").strip()
    if m := _CANONICAL_DAY.match(text):  # the stored form: no parsing on the hot path
        return int(m.group(1) + m.group(2) + m.group(3))
    if not text:
        return 0
    try:
        r = parse_date(text)
    except DateError:
        return 0
    day = r.end if end else r.start
    return day.year * 10000 + day.month * 100 + day.day


def day_number(published: str) -> int:
    """A date -> days since 0001-01-01, for distances between dates (0 = undated; a month or year
    counts as its first day)."""
    key = published_key(published)
    if not key:
        return 0
    try:
        return date(key // 10000, key // 100 % 100, key % 100).toordinal()
    except ValueError:
        return 0
