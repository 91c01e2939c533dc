"""The chat UI end to end: `python app.py` on a loopback port, driven by Debian's chromium
(headless, through Playwright) and by `gradio_client`, over its own copy of the sample index.

Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

import settings as settings_module
from index.build import Pipeline, build
from index.embedder import Embedder
from ui.serve import CHROMIUM, CHROMIUM_ARGS, ROOT, AppServer

ARTIFACTS = ROOT / "test-artifacts"
DENIED = "Who denied sending troops to Russia, and what did they call the claims?"
HARBOUR = ("Port authority of Qorvath\n\nThe Qorvath harbour authority said on Tuesday that 42 container cranes "
           "were idle after a cyberattack on the port's scheduling system. Harbour master Ilse Brandvold said "
           "repairs would take two weeks.\n")
EVIL = ("Zorbland ministry statement\n\nThe Zorbland foreign minister said the code word was "
        "<img src=x onerror=\"window.__pwned=1\"> and that <script>window.__pwned=2</script> meant nothing. "
        "The Zorbland minister also said the treaty with Quenmark would be signed in March.\n")


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[AppServer]:
    home = tmp_path_factory.mktemp("ui-index")
    s = settings_module.Settings(home=home)
    build(None, s, progress=False, pipeline=Pipeline(s, embedder))
    server = AppServer(home)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: scripts/test.sh installs Debian's chromium")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture()
def page(browser: Any, app: AppServer, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.requested = []  # every URL the page asked for
    pg.on("request", lambda r: pg.requested.append(r.url))
    pg.goto(app.url)
    pg.wait_for_selector("#question textarea")
    yield pg
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


def ask(page: Any, question: str) -> str:
    """Type a question, press Ask, wait for the final answer; return its text."""
    page.get_by_role("tab", name="Chat").click()
    bots = "#chat [data-testid='bot']"
    before = page.locator(bots).count()
    page.fill("#question textarea", question)
    page.click("#ask")
    page.wait_for_function(
        """([sel, n]) => { const m = document.querySelectorAll(sel);
             const t = m.length > n ? m[m.length - 1].innerText.trim() : '';
             return t && t !== '…' && !t.endsWith('▍'); }""",
        arg=[bots, before], timeout=60_000,
    )
    return str(page.locator(bots).last.inner_text())


def upload(page: Any, files: list[Path]) -> str:
    page.get_by_role("tab", name="Library").click()
    page.set_input_files("#upload input[type=file]", [str(f) for f in files])
    page.wait_for_function("() => document.querySelectorAll('#upload .file-preview, #upload table').length > 0")
    before = page.locator("#library-status textarea").input_value()
    page.click("#add")
    page.wait_for_function("(old) => document.querySelector('#library-status textarea').value !== old",
                           arg=before, timeout=120_000)
    status = str(page.locator("#library-status textarea").input_value())
    page.get_by_role("tab", name="Chat").click()
    return status


def library_table(page: Any, expected: str) -> str:
    """The Library table's text once it shows ``expected`` (it is re-rendered after every change)."""
    page.get_by_role("tab", name="Library").click()
    page.wait_for_function("(text) => document.querySelector('#articles').innerText.includes(text)", arg=expected,
                           timeout=30_000)
    return str(page.locator("#articles").inner_text())


def test_answer_streams_in_and_a_citation_opens_its_highlighted_passage(page: Any, app: AppServer) -> None:
    page.evaluate("""() => { window.__seen = [];
        new MutationObserver(() => { const m = document.querySelectorAll("#chat [data-testid='bot']");
            if (m.length) window.__seen.push(m[m.length - 1].innerText.trim()); })
        .observe(document.querySelector('#chat'), {subtree: true, childList: true, characterData: true}); }""")
    answer = ask(page, DENIED)
    assert answer.startswith("North Korea denied it") and "groundless" in answer and "Russia" in answer
    seen = page.evaluate("window.__seen")
    assert "…" in seen, "the placeholder shows while the answer is worked out"

    links = page.locator("#chat a.cite")
    assert links.count() >= 2
    links.nth(1).click()
    active = page.locator("#sources details.src.active")
    assert active.count() == 1
    assert active.get_attribute("id") == "src-1-2"
    assert active.evaluate("el => el.open") is True
    mark = active.locator("mark")
    assert mark.is_visible()
    quote = active.locator(".quote").inner_text().strip("“” \n")
    assert mark.inner_text().strip() == quote
    cited = answer.split("[2]")[0].rsplit("[1]", 1)[-1]  # the words the answer gives for [2]
    pieces = [p.strip(" ,;:") for q in re.findall(r'"([^"]+)"', cited) for p in q.split("…")] or [cited.strip(" ;")]
    assert all(p in quote for p in pieces if p), (cited, quote)

    hosts = {urlparse(u).hostname for u in page.requested if u.startswith("http")}
    assert hosts == {"127.0.0.1"}, f"the page asked other hosts: {hosts}"


def test_abstention_looks_different_and_lists_closest_passages(page: Any) -> None:
    answer = ask(page, "What is the capital of Australia?")
    assert answer.startswith("⚠️ Not in the articles.")
    assert page.locator("#chat a.cite").count() == 0
    assert "Closest passages" in page.locator("#sources").inner_text()


def test_follow_up_question_uses_the_chat_history(page: Any) -> None:
    ask(page, "What did Lloyd Austin say about North Korean troops?")
    follow = ask(page, "Did he change his view later?")
    assert "Austin" in follow and "evidence" in follow
    page.click("#clear")
    page.wait_for_function("() => document.querySelectorAll(\"#chat [data-testid='bot']\").length === 0")
    assert "appear here" in page.locator("#sources").inner_text()


def test_bad_question_gets_a_message_not_a_crash(page: Any) -> None:
    answer = ask(page, "\u0007\u0008   ")
    assert answer.startswith("⚠️") and "question" in answer.lower()


def test_uploaded_article_is_answerable_and_duplicates_are_not_added(page: Any, tmp_path: Path) -> None:
    harbour = tmp_path / "qorvath-harbour.txt"
    harbour.write_text(HARBOUR)
    status = upload(page, [harbour])
    assert status.startswith("Added: qorvath-harbour.txt"), status
    answer = ask(page, "How many container cranes were idle at Qorvath harbour?")
    assert "42" in answer and page.locator("#chat a.cite").count() >= 1

    again = upload(page, [harbour])
    assert "Already in the index" in again and "Added" not in again
    renamed = tmp_path / "copy-of-harbour.md"
    renamed.write_text(HARBOUR)
    binary = tmp_path / "photo.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    status = upload(page, [renamed, binary])
    assert "copy-of-harbour.md: not added, duplicate of the already indexed article" in status, status
    assert "photo.txt: not added" in status, status
    table = library_table(page, "Port authority of Qorvath")
    assert table.count("qorvath-harbour-") == 1 and "copy-of-harbour" not in table


def test_html_and_script_inside_an_article_show_as_text(page: Any, tmp_path: Path) -> None:
    evil = tmp_path / "zorbland.txt"
    evil.write_text(EVIL)
    assert upload(page, [evil]).startswith("Added: zorbland.txt")
    answer = ask(page, "What did the Zorbland foreign minister say the code word was?")
    assert "onerror" in answer
    page.locator("#chat a.cite").first.click()
    assert "<img src=x onerror=" in page.locator("#sources").inner_text()
    page.get_by_role("tab", name="Who said what").click()
    show_speakers(page, "Zorbland")
    page.locator("#claims details.speaker summary").first.click()
    assert "<script>" in page.locator("#claims").inner_text()
    assert page.evaluate("window.__pwned") is None
    assert not any(urlparse(u).path.endswith("/x") for u in page.requested), "the <img> was rendered"


def show_speakers(page: Any, speaker: str) -> None:
    """Who said what, filtered to a speaker; waits until every speaker listed matches."""
    page.get_by_role("tab", name="Who said what").click()
    page.wait_for_selector("#claims details.speaker")  # opening the tab lists every speaker
    page.fill("#speaker textarea", speaker)
    page.press("#speaker textarea", "Enter")
    page.wait_for_function("""(who) => { const rows = [...document.querySelectorAll('#claims details.speaker')];
                                          return rows.length && rows.every(r => r.innerText.includes(who)); }""",
                           arg=speaker)


def test_who_said_what_view_filters_and_shows_the_passage(page: Any) -> None:
    show_speakers(page, "Austin")
    speaker = page.locator("#claims details.speaker")
    assert speaker.count() == 1 and "did not confirm" in speaker.locator(".chips").inner_text()
    speaker.locator("summary").first.click()
    statements = speaker.locator("details.claim")
    assert statements.count() >= 2 and "Naples" in page.locator("#claims").inner_text()
    statements.first.locator("summary").click()
    assert statements.first.locator("mark").is_visible()


def test_library_deletes_an_article_only_after_confirmation(page: Any, tmp_path: Path) -> None:
    doomed = tmp_path / "doomed-note.txt"
    doomed.write_text("Notice from Vellmar\n\nThe Vellmar council said the old bridge would close on Friday.\n")
    assert upload(page, [doomed]).startswith("Added: doomed-note.txt")
    library_table(page, "Notice from Vellmar")
    page.click("#doomed input")
    page.get_by_role("option", name="Notice from Vellmar").first.click()
    page.click("#delete")
    page.wait_for_selector("#confirm-yes", state="visible")
    assert "Notice from Vellmar" in page.locator("#confirm-text").inner_text()
    page.click("#confirm-no")
    page.wait_for_function("() => document.querySelector('#library-status textarea').value === 'Nothing deleted.'")
    assert not page.locator("#confirm-yes").is_visible()
    assert "Notice from Vellmar" in page.locator("#articles").inner_text(), "cancel keeps the article"

    page.click("#delete")
    page.wait_for_selector("#confirm-yes", state="visible")
    page.click("#confirm-yes")
    page.wait_for_function("() => document.querySelector('#library-status textarea').value.startsWith('Removed')")
    assert "Vellmar" not in page.locator("#articles").inner_text()
    answer = ask(page, "When would the Vellmar bridge close?")
    assert answer.startswith("⚠️ Not in the articles.")


def test_same_name_with_other_content_is_kept_as_a_new_article(page: Any, tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, second = tmp_path / "a" / "report.txt", tmp_path / "b" / "report.txt"
    first.write_text("Tarnholm ferry report\n\nThe Tarnholm ferry carried 1,250 passengers on its first day.\n")
    second.write_text("Ostvik orchard report\n\nOstvik growers picked 380 tonnes of pears this autumn.\n")
    assert upload(page, [first]).startswith("Added: report.txt"), "first upload"
    status = upload(page, [second])
    assert status.startswith("Added: report.txt (kept as report-2.txt"), status
    table = library_table(page, "Ostvik orchard report")
    assert "Tarnholm ferry report" in table, "the first report is still indexed"
    assert "1,250" in ask(page, "How many passengers did the Tarnholm ferry carry on its first day?")
    assert "380" in ask(page, "How many tonnes of pears did Ostvik growers pick?")


def test_an_article_indexed_by_the_cli_is_answered_without_a_restart(app: AppServer, tmp_path: Path) -> None:
    from gradio_client import Client

    new = tmp_path / "kelmora.txt"
    new.write_text("Kelmora dam\n\nEngineers said the Kelmora dam would raise its spillway by 3.5 metres in May.\n")
    question = "By how much would the Kelmora dam raise its spillway?"
    client = Client(app.url, verbose=False)
    assert client.predict(question, api_name="/ask")["abstained"], "not indexed yet"
    env = {**os.environ, "NEWSQA_HOME": str(app.log.parent)}
    subprocess.run([sys.executable, "-m", "index", "build", "--no-prune", "--quiet", str(new)], cwd=ROOT, env=env,
                   check=True, capture_output=True, timeout=300)
    got = client.predict(question, api_name="/ask")
    assert "3.5 metres" in got["answer"] and got["citations"][0]["title"] == "Kelmora dam", got


def test_a_rejected_question_is_one_log_line_and_library_debug_logs_are_off(app: AppServer) -> None:
    from gradio_client import Client

    before = len(app.log.read_text())
    with pytest.raises(Exception, match="question"):
        Client(app.url, verbose=False).predict("   ", api_name="/ask")
    new = app.log.read_text()[before:]
    assert new.count("/ask rejected: Please type a question.") == 1 and "Traceback" not in new, new[-3000:]
    assert "DEBUG" not in app.log.read_text(), "library debug logs are off by default"


def test_a_replaced_or_broken_store_under_a_running_app(tmp_path: Path, embedder: Embedder, browser: Any) -> None:
    from gradio_client import Client

    def index(home: Path, name: str, text: str) -> None:
        (home / "in").mkdir(parents=True)
        (home / "in" / name).write_text(text)
        s = settings_module.Settings(home=home)
        build([home / "in"], s, progress=False, pipeline=Pipeline(s, embedder))

    home, other = tmp_path / "home", tmp_path / "other"
    index(home, "old.txt", "Brisk mill\n\nThe Brisk mill produced 900 sacks of flour in June.\n")
    index(other, "new.txt", "Farrow bridge\n\nThe Farrow bridge reopened after 14 months of repairs.\n")
    server = AppServer(home)
    try:
        client = Client(server.url, verbose=False)
        assert "900" in client.predict("How many sacks of flour did the Brisk mill produce?", api_name="/ask")["answer"]
        (home / "chroma").rename(home / "chroma.old")
        (other / "chroma").rename(home / "chroma")
        got = client.predict("How many months of repairs did the Farrow bridge need?", api_name="/ask")
        assert "14 months" in got["answer"] and got["citations"][0]["title"] == "Farrow bridge", got
        assert [a["title"] for a in client.predict(api_name="/articles")] == ["Farrow bridge"]

        page = browser.new_page()
        page.goto(server.url)
        upload_file = tmp_path / "late.txt"
        upload_file.write_text("Gannet survey\n\nVolunteers counted 2,400 gannets on the cliffs.\n")
        assert upload(page, [upload_file]).startswith("Added: late.txt"), "uploads go to the new store"
        assert "Gannet survey" in library_table(page, "Farrow bridge")

        (home / "chroma").rename(home / "chroma.new")
        (home / "chroma").mkdir()
        (home / "chroma" / "chroma.sqlite3").write_bytes(b"")
        page.reload()
        page.get_by_role("tab", name="Library").click()
        page.wait_for_function("() => document.querySelector('#library-status textarea').value.includes('0 bytes')")
        assert "--reset` moves a damaged index aside" in page.locator("#library-status textarea").input_value()
        assert page.locator(".toast-body.error, .error-badge").count() == 0, "no bare Error badges"
        dropped = tmp_path / "orphan.txt"
        dropped.write_text("Heron count\n\nVolunteers counted 31 herons.\n")
        assert upload(page, [dropped]).startswith("Not added: the index database"), "the upload says why"
        assert not (home / "uploads" / "orphan.txt").exists(), "a failed upload leaves no file behind"
        page.close()
    finally:
        server.stop()


def test_settings_tab_names_the_backend(page: Any) -> None:
    page.get_by_role("tab", name="Settings").click()
    # the status is filled by a page-load event that may still be running (a timer shows meanwhile)
    page.wait_for_selector("#backend .settings-form")
    labels = page.locator("#backend .settings-form .label").all_inner_texts()
    assert labels[:1] == ["Answers"] and "Index" in labels
    text = page.locator("#backend").inner_text()
    assert "embedded extractive answerer" in text and "articles" in text


def _cli_answer(app: AppServer, question: str) -> dict[str, Any]:
    env = {**os.environ, "NEWSQA_HOME": str(app.log.parent)}
    out = subprocess.run([sys.executable, "-m", "assistant", "ask", "--json", question], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120, check=True).stdout
    return dict(json.loads(out))


def _comparable(answer: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in answer.items() if k != "latency_ms"}


def test_gradio_client_gets_the_same_answer_as_the_cli(app: AppServer, tmp_path: Path, embedder: Embedder) -> None:
    from gradio_client import Client

    # A fresh app on the bundled corpus: the shared one has answered other questions, and the int8
    # embedder's vectors depend slightly on which sentences were embedded together in a batch.
    home = tmp_path / "fresh"
    s = settings_module.Settings(home=home)
    build(None, s, progress=False, pipeline=Pipeline(s, embedder))
    fresh = AppServer(home)
    try:
        api = Client(fresh.url, verbose=False).predict(DENIED, api_name="/ask")
        assert api["citations"], api
        assert _comparable(api) == _comparable(_cli_answer(fresh, DENIED))
    finally:
        fresh.stop()
    claims = Client(app.url, verbose=False).predict("Nebenzia", "dismissed", False, api_name="/claims")
    assert claims and all("Nebenzia" in c["speaker"] and c["stance"] == "dismissed" for c in claims)


def test_twenty_concurrent_chats_all_complete(app: AppServer) -> None:
    from gradio_client import Client

    questions = [DENIED, "How many troops did South Korea's spy agency say were already in Russia's Far East?",
                 "What is the capital of Australia?", "What did Mark Rutte say?"]

    def one(i: int) -> dict[str, Any]:
        return dict(Client(app.url, verbose=False).predict(questions[i % len(questions)], api_name="/ask"))

    alone = [one(i) for i in range(len(questions))]
    with ThreadPoolExecutor(20) as pool:
        together = list(pool.map(one, range(20)))
    for i, got in enumerate(together):
        assert _comparable(got) == _comparable(alone[i % len(questions)])


# --- the same handlers in-process, for what the browser cannot show cheaply -------------------

def test_settings_status_names_an_unreachable_llm_server_plainly(
    sample_settings: settings_module.Settings, embedder: Embedder
) -> None:
    from app import App
    from assistant.service import Assistant
    from tests.llm_server import closed_port_url

    s = sample_settings.model_copy(update={"backend": "openai", "openai_base_url": closed_port_url()})
    status = App(Assistant(s, Pipeline(s, embedder))).status()
    assert "❌" in status and "not reachable" in status and "Traceback" not in status
    assert "extractive answer" in status


def test_settings_status_reports_a_reachable_llm_server(
    sample_settings: settings_module.Settings, embedder: Embedder, llm_server: str
) -> None:
    from app import App
    from assistant.service import Assistant

    s = sample_settings.model_copy(update={"backend": "openai", "openai_base_url": llm_server})
    status = App(Assistant(s, Pipeline(s, embedder))).status()
    assert "✅" in status and llm_server in status


def test_uploads_over_the_limit_or_of_another_type_are_refused_by_name(tmp_path: Path, embedder: Embedder) -> None:
    from ui.library import add_uploads, uploads_dir

    s = settings_module.Settings(home=tmp_path / "home", max_upload_mb=0.001)
    big = tmp_path / "big.txt"
    big.write_text("A long article. " * 200)
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    empty = tmp_path / "empty.md"
    empty.write_text("   \n")
    result = add_uploads([big, pdf, empty], s, Pipeline(s, embedder))
    message = result.message()
    assert "big.txt: not added, larger than the 0.001 MB upload limit" in message
    assert "report.pdf: not added, only" in message
    assert "empty.md: not added, empty file" in message
    assert not result.added and not any(uploads_dir(s).iterdir())


def test_answers_render_article_markup_as_text() -> None:
    from assistant.types import Answer, Citation
    from ui import render

    evil = '<script>alert(1)</script> <img src=x onerror="alert(2)"> [click](javascript:alert(3))'
    cite = Citation(1, "a-1", "<b>T</b>", "S", "2024-10-21", evil, 0, len(evil), f"before {evil} after")
    answer = Answer(question=evil, answer=f"{evil} [1]", abstained=False, citations=[cite])
    for html_out in (render.answer_message(answer, 1), render.sources_block(answer, 1), render.user_message(evil)):
        assert "<script" not in html_out and "<img" not in html_out
    for markdown in (render.answer_message(answer, 1), render.user_message(evil)):  # chat bubbles are Markdown
        assert "](javascript" not in markdown
    assert '<a class="cite" href="#src-1-1">[1]</a>' in render.answer_message(answer, 1)
    assert "<mark>&lt;script&gt;" in render.sources_block(answer, 1)
