"""Dates: every common written form, partial dates as ranges, and clear errors for the unreadable."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from llama_index.core.vector_stores.types import VectorStoreQuery

import settings as settings_module
from assistant.retrieve import passes, to_metadata_filters
from assistant.types import Filters, QuestionError
from index.build import Pipeline, build
from index.dates import DateError, parse_date, published_key
from index.embedder import Embedder
from index.loaders import load
from index.models import RawArticle

ROOT = Path(__file__).resolve().parents[1]
MESSAGE = "Cannot read the date 'yesterday': use YYYY-MM-DD, YYYY-MM or a date like 'October 21, 2024'"


@pytest.mark.parametrize("text", [
    "2024-10-21", "October 21, 2024", "21 Oct 2024", "Oct. 21, 2024", "Mon, 21 Oct 2024 10:00:00 GMT",
    "Mon, 21 Oct 2024 23:59:00 +0000", "2024-10-21T09:00:00Z", "2024-10-21T23:30:00-05:00", "2024/10/21",
    "2024-10-21 10:00",
])
def test_each_written_form_of_one_day(text: str) -> None:
    r = parse_date(text)
    assert (r.start, r.end, r.iso) == (date(2024, 10, 21), date(2024, 10, 21), "2024-10-21")


@pytest.mark.parametrize(("text", "start", "end", "iso"), [
    ("2024-10", date(2024, 10, 1), date(2024, 10, 31), "2024-10"),
    ("October 2024", date(2024, 10, 1), date(2024, 10, 31), "2024-10"),
    ("2024-02", date(2024, 2, 1), date(2024, 2, 29), "2024-02"),
    ("2023-02", date(2023, 2, 1), date(2023, 2, 28), "2023-02"),
    ("2024", date(2024, 1, 1), date(2024, 12, 31), "2024"),
])
def test_partial_dates_are_ranges_not_today(text: str, start: date, end: date, iso: str) -> None:
    r = parse_date(text)
    assert (r.start, r.end, r.iso) == (start, end, iso)


@pytest.mark.parametrize("text", ["yesterday", "Monday", "21 Oct", "99", "2024-13", "2024-10-32", "soon", ""])
def test_unreadable_dates_are_errors_with_the_hint(text: str) -> None:
    with pytest.raises(DateError) as err:
        parse_date(text)
    assert str(err.value) == f"Cannot read the date {text!r}: use YYYY-MM-DD, YYYY-MM or a date like " \
                             "'October 21, 2024'"


def test_published_key_of_partial_dates() -> None:
    assert published_key("2024-10") == 20241001 and published_key("2024-10", end=True) == 20241031
    assert published_key("2024") == 20240101 and published_key("2024", end=True) == 20241231
    assert published_key("2024-10-21") == 20241021
    assert published_key("") == 0 and published_key("soon") == 0


def test_filters_read_dates_as_ranges_and_reject_bad_ones() -> None:
    month = Filters(date_from="2024-10", date_to="October 2024")
    assert (month.date_from, month.date_to) == ("2024-10-01", "2024-10-31")
    assert Filters(date_to="2024").date_to == "2024-12-31"
    with pytest.raises(QuestionError) as err:
        Filters(date_from="yesterday")
    assert str(err.value) == MESSAGE
    with pytest.raises(QuestionError):
        Filters(date_from="2024-11", date_to="2024-10")


def test_loaders_read_every_date_source(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("---\ntitle: A\npublished: October 21, 2024\n---\nBody a.\n")
    (tmp_path / "b.txt").write_text("Body b.\n")
    (tmp_path / "c.txt").write_text("Body c.\n")
    (tmp_path / "articles.toml").write_text('["b.txt"]\npublished = "21 Oct 2024"\n["c.txt"]\npublished = "soon"\n')
    (tmp_path / "d.html").write_text('<html><head><meta property="og:published_time" '
                                     'content="2024-10-22T08:00:00+02:00"></head><body><p>Body d.</p></body></html>')
    (tmp_path / "e.html").write_text('<html><body><p>Body e, <time datetime="2024-10">October</time>.</p>'
                                     "</body></html>")
    (tmp_path / "f.html").write_text('<html><body><article><header><time datetime="2024-10-23T06:00:00Z">Oct 23'
                                     "</time></header><p>Body f.</p></article></body></html>")
    with gzip.open(tmp_path / "feed.jsonl.gz", "wt") as fh:
        for ident, published in (("rss", "Mon, 21 Oct 2024 10:00:00 GMT"), ("year", "2024"), ("bad", "next week")):
            fh.write(json.dumps({"id": ident, "published": published, "text": f"Body {ident}."}) + "\n")
    got = {a.id if a.path.endswith(".gz") else Path(a.path).name: a
           for a in load([tmp_path], 10**6) if isinstance(a, RawArticle)}
    assert {k: a.published for k, a in got.items()} == {
        "a.md": "2024-10-21", "b.txt": "2024-10-21", "c.txt": "", "d.html": "2024-10-22", "e.html": "2024-10",
        "f.html": "2024-10-23", "rss": "2024-10-21", "year": "2024", "bad": ""}
    assert got["c.txt"].notes == ["Cannot read the date 'soon': use YYYY-MM-DD, YYYY-MM or a date like "
                                  "'October 21, 2024'; stored as undated"]
    assert got["bad"].notes and "'next week'" in got["bad"].notes[0]
    assert not got["a.md"].notes


@pytest.fixture(scope="module")
def dated_home(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> settings_module.Settings:
    """A small real index: articles dated by day, by month only and by year only."""
    home = tmp_path_factory.mktemp("dated")
    folder = home / "in"
    folder.mkdir()
    texts = {"sept.md": ("2024-09-30", "The harbour authority reported record container traffic in September."),
             "oct.md": ("2024-10", "The harbour authority reported record container traffic in October."),
             "nov.md": ("November 2, 2024", "The harbour authority reported record container traffic in November."),
             "year.md": ("2023", "The harbour authority reported record container traffic last year.")}
    for name, (published, body) in texts.items():
        (folder / name).write_text(f"---\npublished: {published}\n---\n{body}\n")
    s = settings_module.Settings(home=home)
    report = build([folder], s, progress=False, pipeline=Pipeline(s, embedder))
    assert len(report.added) == 4, report.summary()
    return s


def test_a_month_filter_finds_an_article_dated_by_month(dated_home: settings_module.Settings,
                                                         embedder: Embedder) -> None:
    store = Pipeline(dated_home, embedder).open_store()
    query = embedder.embed_query("harbour container traffic").tolist()

    def published(filters: Filters) -> set[str]:
        result = store.vector_store.query(VectorStoreQuery(query_embedding=query, similarity_top_k=10,
                                                           filters=to_metadata_filters(filters)))
        dense = {str(n.metadata["published"]) for n in result.nodes or []}
        metas = store.chunks.get(include=["metadatas"])["metadatas"]
        sparse = {str(m["published"]) for m in metas if passes(m, filters)}
        assert dense == sparse, "Chroma's filter and the BM25 filter agree"
        return dense

    assert published(Filters(date_from="2024-10", date_to="2024-10")) == {"2024-10"}
    assert published(Filters(date_from="October 2024")) == {"2024-10", "2024-11-02"}
    assert published(Filters(date_to="2024-09-30")) == {"2024-09-30", "2023"}
    assert published(Filters(date_from="2023", date_to="2023")) == {"2023"}


def test_cli_rejects_an_unreadable_date_with_exit_2(dated_home: settings_module.Settings) -> None:
    env = {**os.environ, "NEWSQA_HOME": str(dated_home.home)}
    for flag in ("--since", "--until"):
        out = subprocess.run([sys.executable, "-m", "assistant", "ask", "What did the harbour report?", flag,
                              "yesterday"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert out.returncode == 2, out.stderr
        assert out.stderr.strip() == f"error: {MESSAGE}"
        assert "Traceback" not in out.stderr


def test_cli_month_filter_answers_from_the_article_dated_by_month(dated_home: settings_module.Settings) -> None:
    env = {**os.environ, "NEWSQA_HOME": str(dated_home.home)}
    out = subprocess.run([sys.executable, "-m", "assistant", "ask", "What did the harbour authority report?",
                          "--since", "2024-10", "--until", "2024-10", "--json"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    dates = {c["published"] for c in got["citations"]} | {p["published"] for p in got["closest"]}
    assert dates == {"2024-10"}
