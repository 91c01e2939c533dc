"""`python app.py`: the chat UI in the browser, on http://127.0.0.1:7860 by default.

Tabs: Chat (streamed, cited answers; sources with the quoted words highlighted), Who said what
(attributed statements and figures), Library (articles in the index; upload, delete) and
Settings (which backend answers, and whether it is reachable). The same work is callable
through Gradio's API: ``/ask``, ``/claims`` and ``/articles`` (see README).
"""

from __future__ import annotations

import html
import logging
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr

import settings as settings_module
from assistant.question import analyze
from assistant.service import Assistant
from assistant.types import Answer, Filters, QuestionError
from index import lexicon
from index.build import Pipeline
from index.claims import Claim
from index.reader import Generation
from index.store import StoreError, describe, forget_client
from ui import claims_view, library, overview, render

log = logging.getLogger("newsqa.app")
STANCES = ["", *lexicon.STANCES]
MAX_SOURCE_BLOCKS = 20  # answers whose sources stay in the panel
MAX_CACHED_VIEWS = 8  # who-said-what filter results kept for page turns
READING = ("<p class='note reading'>Reading who said what across the whole index (once after start-up or a "
           "change to the index; a minute at most on thousands of articles). The first page appears here by "
           "itself; the chat works meanwhile.</p>")
CSS_FILE = Path(__file__).with_name("ui") / "app.css"
HEAD_FILE = Path(__file__).with_name("ui") / "citations.html"
Chat = list[dict[str, Any]]
TRACK_TQDM = gr.Progress(track_tqdm=True)  # the index build's progress bar, shown in the browser


def _store_problem(exc: Exception) -> str:
    """One line for the page when the index cannot be read or written."""
    if not isinstance(exc, StoreError):
        log.warning("index operation failed: %s", exc)
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return first if isinstance(exc, StoreError) else f"the index cannot be used right now ({first})"


def _filters(sources: list[str] | None, since: str | None, until: str | None) -> Filters:
    """The UI's filter boxes -> Filters; a date that cannot be read raises QuestionError (shown in the chat)."""
    return Filters(sources=list(sources or []), date_from=since or "", date_to=until or "")


class App:
    """The handlers behind the page; one Assistant serves every session.

    Before each request the app checks whether the index changed elsewhere (a CLI build, another
    process, a replaced Chroma folder: see index/reader.py) and brings the assistant up to date.
    """

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        self.settings = assistant.settings
        self._seen = Generation.now(self.settings, assistant.store)
        self._lock = threading.Lock()
        self._pipeline: Pipeline | None = None
        self._shapes: dict[tuple[str, str, bool], tuple[list[Claim], claims_view.Shaped]] = {}
        self._claims_lock = threading.Lock()
        self._overview: tuple[list[Claim], overview.Overview] | None = None  # for the claims it was drawn from
        # Read, merge and group the who-said-what store now, not when someone first opens its tab.
        threading.Thread(target=self._warm, name="claims-warm-up", daemon=True).start()

    def all_claims(self) -> list[Claim]:
        """Every claim, names merged; callers arriving while it is being read wait for that read, not redo it."""
        assistant = self.current()
        with self._claims_lock:
            return assistant.claims.all()

    def _warm(self) -> None:
        try:
            self._shaped("", "", False)
        except Exception as exc:  # the tab will say what is wrong when it is opened
            log.info("who-said-what not read at start-up: %s", exc)

    def current(self) -> Assistant:
        """The assistant, up to date with the index; raises StoreError when the index cannot be opened."""
        now = Generation.now(self.settings, self.assistant.store)
        if now == self._seen:
            return self.assistant
        with self._lock:
            if now != self._seen:
                if now.needs_reopen(self._seen, self.assistant.store):
                    log.info("the index changed outside this app; opening it again")
                    forget_client(self.settings)
                    self.assistant = Assistant(self.settings, self.assistant.embedder)
                    self._pipeline = None
                else:
                    self.assistant.refresh()
                self._seen = now
        return self.assistant

    @property
    def pipeline(self) -> Pipeline:
        """Ingestion for uploads, sharing the assistant's embedder (built at the first upload)."""
        if self._pipeline is None:
            self._pipeline = Pipeline(self.settings, self.assistant.embedder)
        return self._pipeline

    # --- chat ------------------------------------------------------------------------------
    def respond(
        self, message: str, chat: Chat, session: dict[str, Any], sources: list[str] | None,
        since: str | None, until: str | None, as_of: str | None = None
    ) -> Iterator[tuple[Chat, str, str, dict[str, Any]]]:
        turns: list[tuple[str, str]] = session.setdefault("turns", [])
        blocks: list[str] = session.setdefault("blocks", [])
        chat = [*chat, {"role": "user", "content": render.user_message(message)},
                {"role": "assistant", "content": "…"}]
        yield chat, "", render.sources_panel(blocks), session
        try:
            filters = _filters(sources, since, until)
            for event in self.current().stream(message, turns, filters, as_of or ""):
                if isinstance(event, Answer):
                    turn = session["turn"] = session.get("turn", 0) + 1  # ids of its sources: src-<turn>-<n>
                    chart, statements = self._answer_figures(event, turn)
                    chat[-1] = {"role": "assistant", "content": render.answer_message(event, turn) + chart}
                    blocks.append(render.sources_block(event, turn, statements))
                    del blocks[:-MAX_SOURCE_BLOCKS]
                    turns.append((event.standalone_question or message, event.answer))
                    del turns[:-10]
                else:
                    chat[-1] = {"role": "assistant", "content": render.partial_message(event)}
                yield chat, "", render.sources_panel(blocks), session
        except (QuestionError, StoreError) as exc:
            chat[-1] = {"role": "assistant", "content": render.error_message(str(exc))}
            yield chat, message, render.sources_panel(blocks), session
        except Exception as exc:  # a bug must not leave the chat hanging on "…"
            log.exception("answering failed")
            chat[-1] = {"role": "assistant", "content": render.error_message(f"Something went wrong: {exc}")}
            yield chat, message, render.sources_panel(blocks), session

    def _answer_figures(self, answer: Answer, turn: int) -> tuple[str, str]:
        """For a question about figures: a chart of the figure its articles state differently (for the
        chat bubble) and the statements its marks open (for the sources panel); else two empty strings."""
        q = analyze(answer.standalone_question or answer.question)
        if answer.abstained or not q.wants_number:
            return "", ""
        articles = [c.article_id for c in answer.citations] + [p.article_id for p in answer.passages]
        group = claims_view.answer_group(self.all_claims(), articles, q.terms)
        if group is None:
            return "", ""
        passages = claims_view.passages_for(self.assistant.store, group.claims)
        prefix = f"fig-{turn}"
        return "\n\n" + claims_view.group_chart(group, prefix), claims_view.statements_block(group, passages, prefix)

    @staticmethod
    def clear() -> tuple[Chat, str, str, dict[str, Any]]:
        return [], "", render.sources_panel([]), {}

    # --- API -------------------------------------------------------------------------------
    def ask(self, question: str, sources: list[str] | None = None, since: str = "", until: str = "",
            as_of: str = "") -> dict[str, Any]:
        """Answer one question; the same JSON as `python -m assistant ask --json`."""
        try:
            return self.current().ask(question, filters=_filters(sources, since, until), as_of=as_of).to_json()
        except (QuestionError, StoreError) as exc:  # the caller's mistake or a store problem: one line, no traceback
            log.info("/ask rejected: %s", exc)
            raise gr.Error(str(exc), print_exception=False) from exc

    def claims(self, speaker: str = "", stance: str = "", figures_only: bool = False) -> list[dict[str, Any]]:
        """Attributed statements (who said what), as `python -m assistant claims --json`."""
        return [c.to_json() for c in self._find_claims(speaker, stance, figures_only)]

    def articles(self) -> list[dict[str, Any]]:
        """The indexed articles: id, title, source, published, chunks."""
        return [{"id": r.id, "title": r.title, "source": r.source, "published": r.published, "chunks": r.chunks}
                for r in library.articles(self.current().store)]

    # --- who said what ---------------------------------------------------------------------
    def _find_claims(self, speaker: str, stance: str, figures_only: bool) -> list[Claim]:
        kind = "figure" if figures_only else ""
        self.all_claims()  # read once, under the lock
        return self.current().claims.find(speaker=speaker or "", stance=stance or "", kind=kind)

    def _shaped(self, speaker: str, stance: str, figures_only: bool) -> claims_view.Shaped:
        """The filtered statements grouped, cached until the filters or the index change (page turns are cheap)."""
        every = self.all_claims()
        key = (speaker or "", stance or "", bool(figures_only))
        with self._lock:
            hit = self._shapes.get(key)
            if hit is not None and hit[0] is every:
                return hit[1]
        everyone = None if key == ("", "", False) else self._shaped("", "", False).differing
        shaped = claims_view.shape(self._find_claims(speaker, stance, figures_only), everyone)
        with self._lock:
            self._shapes = {k: v for k, v in self._shapes.items() if v[0] is every}
            if len(self._shapes) >= MAX_CACHED_VIEWS:
                self._shapes.pop(next(iter(self._shapes)))
            self._shapes[key] = (every, shaped)
        return shaped

    def claims_page(self, speaker: str, stance: str, figures_only: bool, page: float | None
                    ) -> tuple[str, float, Any, str]:
        """The grouped view (one page of speakers), the page shown, and the figures stated differently."""
        try:
            shaped = self._shaped(speaker, stance, figures_only)
            shown, pages = claims_view.page_of(shaped.speakers, int(page or 1))
            number = min(max(1, int(page or 1)), pages)
            passages = claims_view.passages_for(self.assistant.store, claims_view.shown_claims(shown))
            listing = claims_view.speakers_html(shown, passages, shaped.differing, number, pages,
                                                len(shaped.speakers))
            first = shaped.figures[0] if shaped.figures else None
            chart = claims_view.figures_html(first, self._passages(first))
        except Exception as exc:  # a store problem is a message on the page, not an "Error" badge
            problem = f"<p class='error'>{html.escape(_store_problem(exc))}</p>"
            return problem, 1, gr.update(choices=[], value=None), ""
        choices = [(g.label, g.key) for g in shaped.figures]
        return listing, number, gr.update(choices=choices, value=first.key if first else None), chart

    def claims_first_page(self, speaker: str, stance: str, figures_only: bool
                          ) -> Iterator[tuple[str, float, Any, str]]:
        """Page 1; first a note that the statements are being read when they are not in hand yet (right
        after start-up or an index change the read takes seconds on a large index: the page stays usable)."""
        if not self._grouped(speaker, stance, figures_only):
            yield READING, 1, gr.update(), ""
        yield self.claims_page(speaker, stance, figures_only, 1)

    def _grouped(self, speaker: str, stance: str, figures_only: bool) -> bool:
        """Is this view of the current statements grouped already (a page of it is a quick read)?"""
        hit = self._shapes.get((speaker or "", stance or "", bool(figures_only)))
        return hit is not None and hit[0] is self.current().claims.loaded()

    def claims_previous_page(self, speaker: str, stance: str, figures_only: bool, page: float | None
                             ) -> tuple[str, float, Any, str]:
        return self.claims_page(speaker, stance, figures_only, (page or 1) - 1)

    def claims_next_page(self, speaker: str, stance: str, figures_only: bool, page: float | None
                         ) -> tuple[str, float, Any, str]:
        return self.claims_page(speaker, stance, figures_only, (page or 1) + 1)

    def _passages(self, group: claims_view.FigureGroup | None) -> claims_view.Passages:
        return claims_view.passages_for(self.assistant.store, group.claims) if group else {}

    def figure_view(self, speaker: str, stance: str, figures_only: bool, key: str | None) -> str:
        """The chart of the figure picked in the dropdown, among the statements the filters keep."""
        try:
            group = next((g for g in self._shaped(speaker, stance, figures_only).figures if g.key == key), None)
            return claims_view.figures_html(group, self._passages(group))
        except Exception as exc:
            return f"<p class='error'>{html.escape(_store_problem(exc))}</p>"

    # --- first visit -----------------------------------------------------------------------
    def first_visit(self) -> tuple[str, Any]:
        """What the index holds and example questions drawn from it (or how to fill an empty index); worked
        out once per index change, not at every page load (1-3 s over the 158k statements of a large index)."""
        try:
            assistant = self.current()
            every = self.all_claims()
            cached = self._overview
            if cached is not None and cached[0] is every:
                seen = cached[1]
            else:
                seen = overview.overview(library.articles(assistant.store), every)
                self._overview = (every, seen)
        except Exception as exc:
            return f"<div class='welcome error'>{html.escape(_store_problem(exc))}</div>", gr.Dataset(samples=[])
        return overview.overview_html(seen), gr.Dataset(samples=[[q] for q in seen.examples])

    # --- library ---------------------------------------------------------------------------
    def library_outputs(self, status: str) -> tuple[str, list[list[Any]], Any, Any]:
        try:
            records = library.articles(self.current().store)
        except Exception as exc:  # a store problem is a message in the status box, not "Error" badges
            problem = _store_problem(exc)
            return (status if problem in status else "\n".join(filter(None, [status, problem])), [],
                    gr.update(choices=[], value=None), gr.update())
        rows = [[r.title, r.source, r.published, r.chunks, r.id] for r in records]
        choices = [(f"{r.title[:70]} ({r.id})", r.id) for r in records]
        sources = sorted({r.source for r in records if r.source})
        return status, rows, gr.update(choices=choices, value=None), gr.update(choices=sources)

    def upload(self, files: list[str] | None, progress: gr.Progress = TRACK_TQDM) -> tuple[Any, ...]:
        if not files:
            return (*self.library_outputs("Choose one or more .txt, .md or .html files first."), gr.update())
        try:
            result = library.add_uploads([Path(f) for f in files], self.settings, self._pipeline_now())
        except Exception as exc:  # nothing was kept (see add_uploads); say why in one line
            return (*self.library_outputs(f"Not added: {_store_problem(exc)}"), gr.update())
        self.assistant.refresh()
        return (*self.library_outputs(result.message()), None)

    def _pipeline_now(self) -> Pipeline:
        self.current()  # a replaced index is opened again before anything is written to it
        return self.pipeline

    def confirm_delete(self, article_id: str | None) -> tuple[str, Any, str]:
        """First step of a delete: name the article and show the confirm / cancel buttons."""
        if not article_id:
            return "Choose an article to delete.", gr.update(visible=False), ""
        try:
            record = self.current().store.record(article_id)
        except Exception as exc:
            return _store_problem(exc), gr.update(visible=False), ""
        if record is None:
            return f"No article {article_id!r} in the index.", gr.update(visible=False), ""
        question = f"Delete **{record.title or article_id}** (`{article_id}`) from the index? This cannot be undone."
        return "", gr.update(visible=True), question

    def delete(self, article_id: str | None) -> tuple[Any, ...]:
        hide = gr.update(visible=False)
        if not article_id:
            return (*self.library_outputs("Choose an article to delete."), hide)
        try:
            status = library.remove_article(self.current().store, article_id, self.settings)
        except Exception as exc:
            return (*self.library_outputs(f"Not deleted: {_store_problem(exc)}"), hide)
        self.assistant.refresh()
        return (*self.library_outputs(status), hide)

    # --- settings --------------------------------------------------------------------------
    def status_fields(self) -> list[tuple[str, str]]:
        """(label, value) rows: which backend answers, whether it answers right now, and the index."""
        try:
            info = describe(self.current().store)
        except Exception as exc:
            return [("Index", _store_problem(exc))]
        if self.assistant.llm is None:
            rows = [("Answers", "embedded extractive answerer (offline; every sentence quoted from the articles)")]
        else:
            ok, message = self.assistant.llm.check()
            live = f"{'✅' if ok else '❌'} {message}" + ("" if ok else ". Until it answers, questions get the "
                                                                    "extractive answer.")
            rows = [("Answers", "OpenAI-compatible server"), ("Server", self.settings.openai_base_url),
                    ("Model", self.settings.openai_model), ("Status", live)]
        return [*rows, ("Index", f"{info['articles']} articles, {info['chunks']} chunks, "
                                 f"{info['claims']} attributed statements"),
                ("Store", str(info["store"])), ("Embedder", str(info["embedder"]))]

    def status(self) -> str:
        """The status as text (Markdown), one field a paragraph."""
        return "\n\n".join(f"**{label}:** {value}" for label, value in self.status_fields())

    def status_view(self) -> str:
        return render.settings_form(self.status_fields())


def build_ui(app: App) -> gr.Blocks:
    s = app.settings
    private: dict[str, Any] = {"api_visibility": "private"}
    with gr.Blocks(title="News QA") as demo:
        session = gr.State({})
        gr.HTML("<header class='masthead'><h1>News QA</h1><p>Answers from your news articles, each sentence "
                "linked to the words it comes from.</p></header>")
        with gr.Tab("Chat"), gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=320):
                welcome = gr.HTML(elem_id="welcome")
                chat = gr.Chatbot(label="Chat", height=480, elem_id="chat", buttons=["copy"],
                                  feedback_options=None)
                question = gr.Textbox(label="Question", placeholder="Ask about the articles…",
                                      elem_id="question", max_length=s.max_question_chars * 2)
                with gr.Row():
                    ask = gr.Button("Ask", variant="primary", elem_id="ask")
                    clear = gr.Button("Clear", elem_id="clear")
                examples = gr.Dataset(components=[question], samples=[], label="Try", elem_id="examples",
                                      samples_per_page=6)
                with gr.Accordion("Filters", open=False):
                    sources = gr.Dropdown(label="Publishers", multiselect=True, choices=[], elem_id="publishers")
                    with gr.Row():
                        since = gr.Textbox(label="From", placeholder="2024-10-21, 2024-10 or October 21, 2024",
                                           elem_id="since")
                        until = gr.Textbox(label="To", placeholder="2024-10-31, 2024-10 or 2024", elem_id="until")
                    as_of = gr.Textbox(label="As of", elem_id="as-of",
                                       placeholder="the day 'this week' and 'latest' mean; empty: the newest article")
            with gr.Column(scale=2, min_width=300):
                gr.Markdown("### Sources", elem_classes="panel-title")
                panel = gr.HTML(render.sources_panel([]), elem_id="sources")
        with gr.Tab("Who said what") as claims_tab:
            with gr.Row():
                speaker = gr.Textbox(label="Speaker (name, role or organisation)", elem_id="speaker")
                stance = gr.Dropdown(STANCES, value="", label="Stance", allow_custom_value=True, elem_id="stance")
                figures = gr.Checkbox(label="Figures only", elem_id="figures")
                show = gr.Button("Show", elem_id="show-claims")
            with gr.Accordion("Figures the articles state differently", open=True, elem_id="figures-box"):
                figure_pick = gr.Dropdown(label="Figure", choices=[], elem_id="figure-pick")
                figure_chart = gr.HTML(elem_id="figure-chart")
            with gr.Row(elem_id="pager"):
                prev_page = gr.Button("← Previous", size="sm", elem_id="prev-page", scale=0, min_width=110)
                page = gr.Number(value=1, precision=0, minimum=1, label="Page", elem_id="page", scale=0, min_width=90)
                next_page = gr.Button("Next →", size="sm", elem_id="next-page", scale=0, min_width=110)
            claims_html = gr.HTML(elem_id="claims")
        with gr.Tab("Library"):
            status = gr.Textbox(label="Status", interactive=False, lines=3, elem_id="library-status")
            with gr.Row():
                files = gr.File(label=f"Upload articles (.txt, .md, .html; up to {s.max_upload_mb:g} MB each)",
                                file_count="multiple", file_types=library.UPLOAD_SUFFIXES, elem_id="upload")
                with gr.Column():
                    add = gr.Button("Add to index", variant="primary", elem_id="add")
                    doomed = gr.Dropdown(label="Article to delete", choices=[], elem_id="doomed")
                    delete = gr.Button("Delete article", variant="stop", elem_id="delete")
                    with gr.Column(visible=False, elem_id="confirm-delete") as confirm:
                        confirm_text = gr.Markdown(elem_id="confirm-text")
                        with gr.Row():
                            yes = gr.Button("Yes, delete it", variant="stop", elem_id="confirm-yes")
                            no = gr.Button("Cancel", elem_id="confirm-no")
            table = gr.Dataframe(headers=["Title", "Publisher", "Date", "Chunks", "Id"], interactive=False,
                                 elem_id="articles", wrap=True, column_widths=["40%", "17%", "12%", "7%", "24%"])
        with gr.Tab("Settings"), gr.Column(elem_id="settings"):
            backend = gr.HTML(elem_id="backend")
            check = gr.Button("Check again", size="sm", elem_id="check")

        chat_io: dict[str, Any] = {"inputs": [question, chat, session, sources, since, until, as_of],
                                   "outputs": [chat, question, panel, session]}
        question.submit(app.respond, **chat_io, **private)
        ask.click(app.respond, **chat_io, **private)
        clear.click(app.clear, outputs=[chat, question, panel, session], **private)
        examples.click(lambda sample: sample[0], inputs=examples, outputs=question, **private)
        claim_inputs = [speaker, stance, figures]
        claim_outputs = [claims_html, page, figure_pick, figure_chart]
        # Filled when the tab is opened, not on every page load; a new filter starts at page 1.
        for trigger in (claims_tab.select, show.click, speaker.submit, stance.change, figures.change):
            trigger(app.claims_first_page, inputs=claim_inputs, outputs=claim_outputs, **private)
        prev_page.click(app.claims_previous_page, inputs=[*claim_inputs, page], outputs=claim_outputs, **private)
        next_page.click(app.claims_next_page, inputs=[*claim_inputs, page], outputs=claim_outputs, **private)
        page.submit(app.claims_page, inputs=[*claim_inputs, page], outputs=claim_outputs, **private)
        figure_pick.input(app.figure_view, inputs=[*claim_inputs, figure_pick], outputs=figure_chart, **private)
        library_outputs = [status, table, doomed, sources]
        # After an upload or a delete the first-visit summary and its examples follow the index.
        add.click(app.upload, inputs=files, outputs=[*library_outputs, files], **private).then(
            app.first_visit, outputs=[welcome, examples], **private)
        delete.click(app.confirm_delete, inputs=doomed, outputs=[status, confirm, confirm_text], **private)
        yes.click(app.delete, inputs=doomed, outputs=[*library_outputs, confirm], **private).then(
            app.first_visit, outputs=[welcome, examples], **private)
        no.click(lambda: ("Nothing deleted.", gr.update(visible=False)), outputs=[status, confirm], **private)
        doomed.change(lambda: gr.update(visible=False), outputs=confirm, **private)  # confirm names one article
        check.click(app.status_view, outputs=backend, **private)
        demo.load(lambda: app.library_outputs(""), outputs=library_outputs, **private)
        demo.load(app.first_visit, outputs=[welcome, examples], **private)
        demo.load(app.status_view, outputs=backend, **private)
        gr.api(app.ask, api_name="ask")
        gr.api(app.claims, api_name="claims")
        gr.api(app.articles, api_name="articles")
    return demo


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per HTTP request otherwise
    s = settings_module.get_settings()
    try:
        app = App(Assistant(s))
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    demo = build_ui(app)
    demo.queue(default_concurrency_limit=2)
    auth = (s.username, s.password) if s.username and s.password else None
    demo.launch(
        server_name=s.host, server_port=s.port, auth=auth, max_file_size=f"{s.max_upload_mb:g}mb",
        css_paths=[CSS_FILE], head_paths=[HEAD_FILE], footer_links=["api"], ssr_mode=False,
        mcp_server=False, show_error=False,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
