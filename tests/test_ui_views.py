"""The UI at a glance (issue #14): charts of figures the articles state differently, who said what grouped by
speaker and paged, the first visit on an empty and on a full index, and a phone-width layout.

Browser tests drive `python app.py` with Debian's chromium (headless, Playwright) over a real index of the
bundled corpus; expected values come from the same index read in-process through ``ui/claims_view.py``'s
own inputs (the claims store), not from the HTML under test. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import settings as settings_module
from index.build import Pipeline, build
from index.claims import Claim
from index.embedder import Embedder
from tests.test_ui import ARTIFACTS, ask, browser, upload  # noqa: F401  (browser: a fixture used below)
from ui import claims_view, overview, render
from ui.serve import AppServer

TROOPS = "How did the troop estimates change?"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Path:
    path = tmp_path_factory.mktemp("views-index")
    s = settings_module.Settings(home=path)
    build(None, s, progress=False, pipeline=Pipeline(s, embedder))
    return path


@pytest.fixture(scope="module")
def claims(home: Path, embedder: Embedder) -> list[Claim]:
    from assistant.service import Assistant

    s = settings_module.Settings(home=home)
    return Assistant(s, Pipeline(s, embedder)).claims.all()


@pytest.fixture(scope="module")
def app(home: Path) -> Iterator[AppServer]:
    server = AppServer(home)
    yield server
    server.stop()


def _open(browser: Any, url: str, width: int = 1400, height: int = 1000) -> Any:  # noqa: F811
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(url)
    page.wait_for_selector("#question textarea")
    return page


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _who_said_what(page: Any) -> None:
    page.get_by_role("tab", name="Who said what").click()
    page.wait_for_selector("#claims details.speaker")
    page.wait_for_selector("#figure-chart svg.figchart")


# --- pure functions on the sample corpus's real claims -------------------------------------------

def test_figure_groups_hold_differing_figures_of_one_counted_thing_about_one_subject(claims: list[Claim]) -> None:
    groups = claims_view.figure_groups(claims)
    assert groups, "the sample articles state troop numbers differently"
    for g in groups:
        assert len({c.value for c in g.claims}) >= 2
        assert len({claims_view.figure_key(c) for c in g.claims}) == 1
        assert all(g.about in c.statement for c in g.claims), g.label
        days = [c.published for c in g.claims]
        assert days == sorted(days)
    chart = claims_view.group_chart(groups[0], "t")
    marks = re.findall(r"<a class='cite figmark' href='#(t-\d+)'", chart)
    assert len(marks) == len(groups[0].claims) == len(set(marks))


def test_chart_of_figures_far_apart_uses_a_log_scale_and_keeps_undated_statements() -> None:
    def figure(n: int, value: float, published: str, speaker: str) -> Claim:
        return Claim(id=f"c{n}", article_id=f"a{n}", speaker=speaker, speaker_key=speaker.lower(), person="",
                     role="", organisation="", stance="said",
                     statement=f"Workers at Acme said {value:g} jobs would go.", start=0, end=30, kind="figure",
                     value=value, unit="jobs", figure=f"{value:,g}",
                     measure="CARDINAL", published=published, source="Daily", title="Acme")

    claims = [figure(1, 5, "2023-01-02", "Acme"), figure(2, 5000, "2023-03-01", "Union"), figure(3, 40, "", "Mayor"),
              figure(4, 5, "2023-01-02", "Union")]
    (group,) = claims_view.figure_groups(claims)
    assert group.about == "Acme"
    assert [c.id for c in group.claims] == ["c1", "c4", "c2", "c3"], "date order, undated last"
    svg = claims_view.group_chart(group, "g")
    assert "log scale" in svg and ">undated<" in svg
    xs = [float(x) for x in re.findall(r"<circle cx='([\d.]+)'", svg)]
    assert len(xs) == 4 and xs[0] != xs[1], "two statements of the same day and value get two marks"
    assert xs[3] == max(xs), "the undated statement sits at the right edge"


def test_speaker_groups_page_through_every_statement_once(claims: list[Claim]) -> None:
    groups = claims_view.speaker_groups(claims)
    assert sum(len(g.claims) for g in groups) == len(claims)
    assert len({g.key for g in groups}) == len(groups)
    seen = []
    _, pages = claims_view.page_of(groups, 1, size=7)
    for n in range(1, pages + 1):
        seen += claims_view.page_of(groups, n, size=7)[0]
    assert [g.key for g in seen] == [g.key for g in groups]
    assert claims_view.page_of(groups, pages + 5, size=7)[0] == claims_view.page_of(groups, pages, size=7)[0]
    counts = [len(g.claims) for g in groups if g.key != claims_view.UNATTRIBUTED]
    assert counts == sorted(counts, reverse=True)


def test_conflicts_pair_differing_figures_from_other_speakers(claims: list[Claim]) -> None:
    differing = claims_view.conflicts(claims)
    assert differing
    by_id = {c.id: c for c in claims}
    for cid, others in differing.items():
        c = by_id[cid]
        for o in others:
            assert o.value != c.value and o.speaker_key != c.speaker_key
            assert claims_view.figure_key(o) == claims_view.figure_key(c)


def test_passage_around_stays_in_the_paragraph_and_holds_the_span() -> None:
    text = "First paragraph here.\n\nAlpha beta gamma delta. The 42 cranes were idle. Epsilon zeta.\n\nLast one."
    start = text.index("The 42")
    end = text.index("idle.") + 5
    passage, offset = claims_view.passage_around(text, start, end, reach=12)
    assert passage[start - offset:end - offset] == text[start:end]
    assert "\n" not in passage and "First" not in passage and "Last" not in passage
    assert not passage.startswith(("lta", "ta ")), "cut at a word boundary"


def test_example_questions_come_from_the_index(home: Path, claims: list[Claim]) -> None:
    from index.reader import open_index
    from ui.library import articles

    s = settings_module.Settings(home=home)
    records = articles(open_index(s)[0])
    examples = overview.example_questions(records, claims)
    assert 2 <= len(examples) <= overview.MAX_EXAMPLES and len(set(examples)) == len(examples)
    speakers = {c.speaker for c in claims}
    units = {g.unit for g in claims_view.figure_groups(claims)}
    titles = {r.title.rstrip(".?!") for r in records}
    for q in examples:
        named = re.search(r"What did (.+) say\?|figures for (.+) change\?|What happened in “(.+)”\?", q)
        assert named, q
        assert (named.group(1) in speakers) or (named.group(2) in units) or (named.group(3) in titles), q
    assert overview.example_questions([], []) == []


def test_abstention_wording_points_at_the_sources_panel() -> None:
    from assistant.service import ABSTAIN_TEXT
    from assistant.types import Answer

    shown = render.answer_message(Answer(question="q", answer=ABSTAIN_TEXT, abstained=True, confidence=0.3), 1)
    assert "under Sources" in shown and "below" not in shown and "closest passage: low (0.30)" in shown


# --- the browser -----------------------------------------------------------------------------------

def test_chart_marks_are_the_figure_statements_and_a_click_opens_the_passage(
    browser: Any, app: AppServer, claims: list[Claim]  # noqa: F811
) -> None:
    group = claims_view.figure_groups(claims)[0]
    page = _open(browser, app.url)
    _who_said_what(page)
    marks = page.locator("#figure-chart a.figmark")
    assert marks.count() == len(group.claims)
    assert sorted(float(v) for v in marks.evaluate_all("ms => ms.map(m => m.dataset.value)")) == \
        sorted(c.value for c in group.claims)
    assert group.unit in page.locator("#figure-chart figcaption").inner_text()
    marks.nth(marks.count() - 1).locator("circle").click()
    opened = page.locator("#figure-chart details.src.active")
    assert opened.count() == 1 and opened.evaluate("el => el.open")
    assert opened.locator("mark").is_visible()
    assert group.claims[-1].statement in opened.locator("mark").inner_text()
    _shot(page, "views_chart_who_said_what")

    page.click("#figure-pick input")
    second = claims_view.figure_groups(claims)[1]
    page.get_by_role("option", name=second.label).click()
    page.wait_for_function("(n) => document.querySelectorAll('#figure-chart a.figmark').length === n",
                           arg=len(second.claims))
    page.close()


def test_a_question_about_figures_gets_a_chart_under_the_answer(browser: Any, app: AppServer) -> None:  # noqa: F811
    page = _open(browser, app.url)
    answer = ask(page, TROOPS)
    assert "[1]" in answer
    marks = page.locator("#chat svg.figchart a.figmark")
    assert marks.count() >= 2
    listed = page.locator("#sources details.figure-list details.src")
    assert listed.count() == marks.count(), "one passage in Sources for each mark"
    values = {float(m.split()[0].replace(",", "")) for m in marks.evaluate_all(
        "ms => ms.map(m => m.querySelector('title').textContent.split(': ').pop())") if m[:1].isdigit()}
    assert len(values) >= 2, "the chart shows figures that differ"
    box = page.locator("#chat svg.figchart").bounding_box()
    assert box["width"] > 200 and box["height"] > 80, "the chart scales to the message (its viewBox is back)"
    marks.first.locator("circle").click()
    active = page.locator("#sources details.src.active")
    assert active.count() == 1 and active.locator("mark").is_visible()
    _shot(page, "views_chart_under_answer")
    page.close()


def test_who_said_what_is_grouped_by_speaker_and_paged(browser: Any, app: AppServer, claims: list[Claim]) -> None:  # noqa: F811
    groups = claims_view.speaker_groups(claims)
    page = _open(browser, app.url)
    _who_said_what(page)
    rows = page.locator("#claims details.speaker")
    assert rows.count() == min(len(groups), claims_view.SPEAKERS_PER_PAGE)
    assert f"{len(groups)} speakers; page 1 of" in page.locator("#claims .pager-note").inner_text()
    first = groups[0]
    top = rows.first
    assert top.locator(".name").inner_text() == first.speaker
    assert top.locator(".count").inner_text() == str(len(first.claims))
    top.locator("summary").first.click()
    dates = top.locator("details.claim .when").all_inner_texts()
    assert len(dates) == len(first.claims)
    assert [d[-10:] for d in dates] == sorted(d[-10:] for d in dates), "statements in date order"
    top.locator("details.claim summary").first.click()
    assert top.locator("details.claim mark").first.is_visible()
    differing = claims_view.conflicts(claims)
    assert page.locator("#claims .conflict").count() >= 1 and differing
    _shot(page, "views_grouped_speakers")

    names_before = rows.locator(".name").all_inner_texts()
    page.click("#next-page")
    page.wait_for_function("() => document.querySelector('#claims .pager-note')?.innerText.includes('page 2 of')")
    assert set(page.locator("#claims details.speaker .name").all_inner_texts()).isdisjoint(names_before)

    page.fill("#speaker textarea", "Austin")
    page.press("#speaker textarea", "Enter")
    page.wait_for_function("() => document.querySelector('#claims .pager-note')?.innerText.startsWith('1 speaker;')")
    assert page.locator("#claims details.speaker .name").inner_text() == "Lloyd Austin"
    disputed = sum(1 for c in claims if c.speaker == "Lloyd Austin" and c.id in differing)
    assert disputed, "the sample has a figure of Austin's that others give differently"
    assert page.locator("#claims details.speaker .chips .conflict").inner_text().startswith(str(disputed)), \
        "still marked when the filter hides the other speakers"
    page.close()


def test_first_visit_on_a_full_index_says_what_it_holds(browser: Any, app: AppServer, home: Path,  # noqa: F811
                                                        claims: list[Claim]) -> None:
    page = _open(browser, app.url)
    page.wait_for_selector("#welcome .welcome")
    text = page.locator("#welcome").inner_text()
    assert "The index holds 5 articles" in text and "2024-10-21 to 2024-10-23" in text
    assert "Associated Press" in text and "Newsweek" in text
    shown = page.locator("#examples button").all_inner_texts()
    from index.reader import open_index
    from ui.library import articles

    expected = overview.example_questions(articles(open_index(settings_module.Settings(home=home))[0]), claims)
    assert len(shown) == len(expected)
    for button, question in zip(shown, expected, strict=True):  # a long example is cut short on its button
        assert question.startswith(button.strip().removesuffix("...").removesuffix("…")), (button, question)
    page.locator("#examples button").first.click()
    page.wait_for_function("(q) => document.querySelector('#question textarea').value === q", arg=expected[0])
    _shot(page, "views_first_visit_full")
    page.close()


def test_first_visit_on_an_empty_index_says_how_to_add_articles(browser: Any, tmp_path: Path) -> None:  # noqa: F811
    (tmp_path / "empty").mkdir()
    server = AppServer(tmp_path / "empty")
    try:
        page = _open(browser, server.url)
        page.wait_for_selector("#welcome .welcome.empty")
        text = page.locator("#welcome").inner_text()
        assert "The index is empty" in text and "Library" in text and "python -m index build" in text
        assert page.locator("#examples button").count() == 0
        _shot(page, "views_first_visit_empty")
        article = tmp_path / "tarnholm.txt"
        article.write_text("Tarnholm ferry report\n\nThe harbour master Ilse Brandvold said the Tarnholm ferry "
                           "carried 1,250 passengers on its first day.\n")
        assert upload(page, [article]).startswith("Added: tarnholm.txt")
        page.wait_for_function("() => document.querySelector('#welcome')?.innerText.includes('holds 1 article')")
        assert page.locator("#examples button").count() >= 1, "examples follow the index after an upload"
        page.close()
    finally:
        server.stop()


def test_phone_width_layout(browser: Any, app: AppServer) -> None:  # noqa: F811
    page = _open(browser, app.url, width=390, height=844)
    page.wait_for_selector("#welcome .welcome")
    ask(page, TROOPS)
    page.wait_for_selector("#chat svg.figchart")
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the page scrolls sideways by {overflow}px"
    chat, sources = page.locator("#chat").bounding_box(), page.locator("#sources").bounding_box()
    assert sources["y"] > chat["y"] + chat["height"] - 1, "Sources stack under the chat"
    assert page.locator("#chat svg.figchart").bounding_box()["width"] <= 390
    _shot(page, "views_phone_chat")
    _who_said_what(page)
    assert page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth") <= 1
    _shot(page, "views_phone_who_said_what")
    page.close()


def test_who_said_what_says_it_is_reading_until_the_statements_are_grouped(home: Path, embedder: Embedder,
                                                                           tmp_path: Path) -> None:
    """Right after start-up or an index change, reading every statement takes seconds on a large index:
    the tab says so at once and then shows page 1, instead of hanging until the read is done."""
    import shutil

    from app import READING, App
    from assistant.service import Assistant

    copy = tmp_path / "home"
    shutil.copytree(home, copy)
    s = settings_module.Settings(home=copy)
    app = App(Assistant(s, Pipeline(s, embedder)))
    app.claims_page("", "", False, 1)  # grouped once (waits for the start-up read)
    ready = list(app.claims_first_page("", "", False))
    assert len(ready) == 1 and "details class='speaker'" in ready[0][0].replace('"', "'")
    app.assistant.store.bump()  # a write elsewhere: the statements must be read again
    pages = list(app.claims_first_page("", "", False))
    assert [p[0] == READING for p in pages] == [True, False]
    assert "details class='speaker'" in pages[1][0].replace('"', "'")
