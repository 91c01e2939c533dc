"""Cleaning never deletes content: business and sports pages keep every line with a figure.

Only known site furniture goes, and cleaning says which lines it removed; every clean character
still maps back to the raw text.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from index.build import Pipeline
from index.clean import QUOTES, clean
from index.embedder import Embedder
from index.models import RawArticle
from settings import Settings

ROOT = Path(__file__).resolve().parents[1]

BUSINESS = """Acme Posts Record Quarter as Cloud Sales Climb

Skip to content
Advertisement
Acme Corp said on Tuesday that quarterly revenue fell, but its cloud unit grew faster than analysts
expected.
Key Figures
- Revenue: $4.2 billion, down 12%
- Net income: \u20ac310 million
Operating Margin 9.5%
Guidance Raised for Next Year
Chief executive Maria Lopez said the company would hire 2,000 engineers.
Copyright lawsuits against AI companies rose sharply, a risk the company flagged in its filing.
Share this article
Related Posts
Copyright 2024 Acme Media Group. All rights reserved.
"""

SPORTS = """Late Winner Lifts United

Manchester United 2 Liverpool 1
Half-time: 0-1
Marcus Rashford scored in the 89th minute at Old Trafford.
Attendance 73,500
Man of the Match
Bruno Fernandes
Read more:
Follow us on Twitter
\u00a9 2024 The Sports Desk
"""

FURNITURE = ["Skip to content", "Advertisement", "Share this article", "Related Posts",
             "Copyright 2024 Acme Media Group. All rights reserved.", "Read more:", "Follow us on Twitter",
             "\u00a9 2024 The Sports Desk"]


def _lines_with_figures(raw: str, title: str) -> list[str]:
    """Every raw line with a digit, currency or percent sign, except the title and copyright notices."""
    return [line.strip() for line in raw.splitlines()
            if re.search(r"[0-9$\u20ac\u00a3%]", line) and line.strip() != title
            and not re.match(r"(copyright \d{4}|\u00a9)", line.strip(), re.I)]


def _normal(text: str) -> str:
    return " ".join(text.translate(QUOTES).split())


def test_no_line_with_a_figure_is_cleaned_away() -> None:
    for raw in (BUSINESS, SPORTS):
        c = clean(raw)
        figures = _lines_with_figures(raw, c.title)
        assert len(figures) >= 4
        for line in figures:
            assert _normal(line) in _normal(c.text), line


def test_sentences_about_copyright_and_headers_stay() -> None:
    c = clean(BUSINESS)
    assert c.title == "Acme Posts Record Quarter as Cloud Sales Climb"
    assert "Copyright lawsuits against AI companies rose sharply" in c.text
    paragraphs = c.text.split("\n\n")
    for header in ("Key Figures", "Guidance Raised for Next Year", "Operating Margin 9.5%"):
        assert header in paragraphs, f"{header!r} kept as a paragraph of its own"
    sports = clean(SPORTS).text.split("\n\n")
    assert "Manchester United 2 Liverpool 1" in sports and "Man of the Match" in sports


def test_only_known_furniture_is_removed_and_reported() -> None:
    dropped = clean(BUSINESS).dropped + clean(SPORTS).dropped
    assert dropped == FURNITURE
    joined = clean(BUSINESS).text + clean(SPORTS).text
    for line in FURNITURE:
        assert line not in joined


def test_a_copyright_notice_is_told_from_a_sentence() -> None:
    notices = ["Copyright 2023 The Associated Press. All rights reserved.",
               "\u00a9 Copyright 2021, Des Moines Register and Tribune Co.", "Copyright \u00a9 Reuters",
               "All rights reserved."]
    sentences = ["Copyright law is changing fast.", "Copyright Office rejected 3 claims", "Copyright and patents",
                 "\u00a9 The company is a content partner offering financial news and commentary."]
    raw = "\n".join(["Body text starts here.", *notices, *sentences])
    c = clean(raw)
    assert c.dropped == notices
    for s in sentences:
        assert s in c.text


def test_offsets_stay_exact_with_furniture_headers_and_figures() -> None:
    for raw in (BUSINESS, SPORTS, "spot_imgspot_img\n\nPrices rose 3%\nin May, the follo\nwing data showed.\n"):
        c = clean(raw, frozenset({"following"}))
        assert len(c.offsets) == len(c.text)
        for i, ch in enumerate(c.text):
            if not ch.isspace():
                assert raw[c.offsets[i]].translate(QUOTES) == ch, (raw[:20], i)
    assert "Prices rose 3% in May, the following data showed." in c.text


def test_the_article_carries_the_dropped_lines(tmp_path: Path, embedder: Embedder) -> None:
    article = Pipeline(Settings(home=tmp_path), embedder).prepare(RawArticle(id="acme", raw=BUSINESS))
    assert article.dropped == FURNITURE[:5]
    assert "Operating Margin 9.5%" in article.text


def test_build_reports_dropped_lines(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "acme.txt").write_text(BUSINESS)
    (folder / "match.txt").write_text(SPORTS)
    (folder / "plain.txt").write_text("The council met on Monday and approved the budget.\n")
    env = {**os.environ, "NEWSQA_HOME": str(tmp_path / "home")}
    out = subprocess.run([sys.executable, "-m", "index", "build", str(folder), "--quiet", "--verbose"], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "dropped 8 furniture lines in 2 articles" in out.stdout
    verbose = [line for line in out.stdout.splitlines() if ": dropped " in line]
    assert len(verbose) == 2 and "'Read more:'" in "".join(verbose) and "'Related Posts'" in "".join(verbose)
