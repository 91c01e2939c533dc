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
from assistant.service import Assistant
from assistant.types import Answer, Filters, QuestionError
from index import lexicon
from index.build import Pipeline
from index.claims import Claim
from index.reader import Generation
from index.store import StoreError, describe, forget_client
from ui import library, render

log = logging.getLogger("newsqa.app")
EXAMPLES = [
    "Who denied sending troops to Russia, and what did they call the claims?",
    "How did the troop estimates change?",
    "What did Lloyd Austin say, and did it change?",
    "How many troops did South Korea's spy agency say were already in Russia's Far East?",
]
STANCES = ["", *lexicon.STANCES]
MAX_SOURCE_BLOCKS = 20  # answers whose sources stay in the panel
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
        since: str | None, until: str | None
    ) -> Iterator[tuple[Chat, str, str, dict[str, Any]]]:
        turns: list[tuple[str, str]] = session.setdefault("turns", [])
        blocks: list[str] = session.setdefault("blocks", [])
        chat = [*chat, {"role": "user", "content": render.user_message(message)},
                {"role": "assistant", "content": "…"}]
        yield chat, "", render.sources_panel(blocks), session
        try:
            filters = _filters(sources, since, until)
            for event in self.current().stream(message, turns, filters):
                if isinstance(event, Answer):
                    turn = session["turn"] = session.get("turn", 0) + 1  # ids of its sources: src-<turn>-<n>
                    chat[-1] = {"role": "assistant", "content": render.answer_message(event, turn)}
                    blocks.append(render.sources_block(event, turn))
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

    @staticmethod
    def clear() -> tuple[Chat, str, str, dict[str, Any]]:
        return [], "", render.sources_panel([]), {}

    # --- API -------------------------------------------------------------------------------
    def ask(self, question: str, sources: list[str] | None = None, since: str = "", until: str = "") -> dict[str, Any]:
        """Answer one question; the same JSON as `python -m assistant ask --json`."""
        try:
            return self.current().ask(question, filters=_filters(sources, since, until)).to_json()
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
        return self.current().claims.find(speaker=speaker or "", stance=stance or "", kind=kind)

    def claims_view(self, speaker: str, stance: str, figures_only: bool) -> str:
        passages: dict[str, tuple[str, int]] = {}
        try:
            found = self._find_claims(speaker, stance, figures_only)
            shown = found[: render.MAX_CLAIM_ROWS]
            chunks = self.assistant.store.chunks_at([(c.article_id, c.start, c.start + 1) for c in shown])
            for c, chunk in zip(shown, chunks, strict=True):
                if chunk:
                    passages[c.id] = (chunk[1], int(chunk[2].get("start", 0)))
        except Exception as exc:  # a store problem is a message on the page, not an "Error" badge
            return f"<p class='error'>{html.escape(_store_problem(exc))}</p>"
        return render.claims_table(found, passages)

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
    def status(self) -> str:
        try:
            info = describe(self.current().store)
        except Exception as exc:
            return f"**Index:** {_store_problem(exc)}"
        if self.assistant.llm is None:
            backend = "**Answers:** embedded extractive answerer (offline; every sentence quoted from the articles)."
        else:
            ok, message = self.assistant.llm.check()
            mark = "✅" if ok else "❌"
            backend = (f"**Answers:** OpenAI-compatible server, model `{self.settings.openai_model}` at "
                       f"`{self.settings.openai_base_url}`\n\n{mark} {message}")
            if not ok:
                backend += "\n\nUntil it answers, questions get the extractive answer."
        return (f"{backend}\n\n**Index:** {info['articles']} articles, {info['chunks']} chunks, "
                f"{info['claims']} attributed statements\n\n**Store:** {info['store']}\n\n"
                f"**Embedder:** {info['embedder']}")


def build_ui(app: App) -> gr.Blocks:
    s = app.settings
    private: dict[str, Any] = {"api_visibility": "private"}
    with gr.Blocks(title="News QA") as demo:
        session = gr.State({})
        gr.Markdown("## News QA: answers with their sources")
        with gr.Tab("Chat"), gr.Row():
            with gr.Column(scale=3):
                chat = gr.Chatbot(label="Chat", height=480, elem_id="chat", buttons=["copy"],
                                  feedback_options=None)
                question = gr.Textbox(label="Question", placeholder="Ask about the articles…",
                                      elem_id="question", max_length=s.max_question_chars * 2)
                with gr.Row():
                    ask = gr.Button("Ask", variant="primary", elem_id="ask")
                    clear = gr.Button("Clear", elem_id="clear")
                gr.Examples(EXAMPLES, inputs=question, label="Try")
                with gr.Accordion("Filters", open=False):
                    sources = gr.Dropdown(label="Publishers", multiselect=True, choices=[], elem_id="publishers")
                    with gr.Row():
                        since = gr.Textbox(label="From", placeholder="2024-10-21, 2024-10 or October 21, 2024",
                                           elem_id="since")
                        until = gr.Textbox(label="To", placeholder="2024-10-31, 2024-10 or 2024", elem_id="until")
            with gr.Column(scale=2):
                gr.Markdown("### Sources")
                panel = gr.HTML(render.sources_panel([]), elem_id="sources")
        with gr.Tab("Who said what") as claims_tab:
            with gr.Row():
                speaker = gr.Textbox(label="Speaker (name, role or organisation)", elem_id="speaker")
                stance = gr.Dropdown(STANCES, value="", label="Stance", allow_custom_value=True, elem_id="stance")
                figures = gr.Checkbox(label="Figures only", elem_id="figures")
                show = gr.Button("Show", elem_id="show-claims")
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
                                 elem_id="articles", wrap=True, column_widths=["38%", "16%", "11%", "7%", "28%"])
        with gr.Tab("Settings"):
            backend = gr.Markdown(elem_id="backend")
            check = gr.Button("Check again")

        chat_io: dict[str, Any] = {"inputs": [question, chat, session, sources, since, until],
                                   "outputs": [chat, question, panel, session]}
        question.submit(app.respond, **chat_io, **private)
        ask.click(app.respond, **chat_io, **private)
        clear.click(app.clear, outputs=[chat, question, panel, session], **private)
        claim_inputs = [speaker, stance, figures]
        # Filled when the tab is opened, not on every page load: each row looks up its passage.
        for trigger in (claims_tab.select, show.click, speaker.submit, stance.change, figures.change):
            trigger(app.claims_view, inputs=claim_inputs, outputs=claims_html, **private)
        library_outputs = [status, table, doomed, sources]
        add.click(app.upload, inputs=files, outputs=[*library_outputs, files], **private)
        delete.click(app.confirm_delete, inputs=doomed, outputs=[status, confirm, confirm_text], **private)
        yes.click(app.delete, inputs=doomed, outputs=[*library_outputs, confirm], **private)
        no.click(lambda: ("Nothing deleted.", gr.update(visible=False)), outputs=[status, confirm], **private)
        doomed.change(lambda: gr.update(visible=False), outputs=confirm, **private)  # confirm names one article
        check.click(app.status, outputs=backend, **private)
        demo.load(lambda: app.library_outputs(""), outputs=library_outputs, **private)
        demo.load(app.status, outputs=backend, **private)
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
