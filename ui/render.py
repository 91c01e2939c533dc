"""Answers, sources and claims as HTML for the browser.

Article text is untrusted: every piece of it goes through ``html.escape`` (and, in chat
messages, Markdown escaping) before it reaches the page, so a ``<script>`` or an
``<img onerror=...>`` inside an article shows as text and never runs.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from assistant.service import ABSTAIN_TEXT
from assistant.types import Answer, Citation, Passage

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")
_MARKER = re.compile(r"\\\[(\d+)\\\]")
CLOSEST_IN_SOURCES = "The articles don't say. The closest passages are listed under Sources."


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def _markdown_text(text: str) -> str:
    """Text that Markdown shows verbatim: HTML-escaped (no quote entities, whose ``#`` Markdown would
    break), then Markdown punctuation backslashed."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def source_id(turn: int, n: int) -> str:
    return f"src-{turn}-{n}"


def answer_message(answer: Answer, turn: int) -> str:
    """The chat bubble: the answer with each [n] a link to its source in the sources panel."""
    body = _MARKER.sub(
        lambda m: f'<a class="cite" href="#{source_id(turn, int(m.group(1)))}">[{m.group(1)}]</a>',
        _markdown_text(_where_closest_are(answer.answer)),
    )
    if answer.abstained:
        body = f"⚠️ **Not in the articles.** {body}"
    notes = "".join(f"\n\n_{_markdown_text(note)}_" for note in answer.flagged if note.startswith("LLM"))
    return body + notes + f'\n\n<span class="confidence">{confidence_label(answer)}</span>'


def confidence_label(answer: Answer) -> str:
    """"confidence: high (0.82)": how closely the best passage answers (for an abstention, how close it came)."""
    level = "high" if answer.confidence >= HIGH else "medium" if answer.confidence >= MEDIUM else "low"
    what = "closest passage" if answer.abstained else "confidence"
    return f"{what}: {level} ({answer.confidence:.2f})"


STREAMING = " ▍"
HIGH, MEDIUM = 0.7, 0.4  # confidence levels shown in words


def partial_message(text: str) -> str:
    """A streamed, not yet verified answer: plain text and a cursor until the final answer replaces it."""
    return _markdown_text(_where_closest_are(text)) + STREAMING


def _where_closest_are(text: str) -> str:
    """The abstention says where its closest passages are: on this page, the Sources panel (beside the chat on
    a wide screen, under it on a phone), not "below"."""
    return CLOSEST_IN_SOURCES if text == ABSTAIN_TEXT else text


def user_message(text: str) -> str:
    return _markdown_text(text)


def error_message(message: str) -> str:
    return f"⚠️ {_markdown_text(message)}"


def _highlight(passage: str, quote: str) -> str:
    at = passage.find(quote) if quote else -1
    if at < 0:
        return esc(passage)
    return esc(passage[:at]) + f"<mark>{esc(quote)}</mark>" + esc(passage[at + len(quote):])


def _byline(title: str, source: str, published: str) -> str:
    where = ", ".join(x for x in (source, published) if x)
    return f"<b>{esc(title or 'Untitled')}</b>" + (f" <span class='where'>{esc(where)}</span>" if where else "")


def citation_html(c: Citation, turn: int) -> str:
    return (
        f"<details class='src' id='{source_id(turn, c.n)}'>"
        f"<summary><span class='n'>[{c.n}]</span> {_byline(c.title, c.source, c.published)}"
        f"<div class='quote'>“{esc(c.quote)}”</div></summary>"
        f"<blockquote>{_highlight(c.passage, c.quote)}</blockquote>"
        f"<div class='loc'>{esc(c.article_id)}, characters {c.start}–{c.end}</div></details>"
    )


def closest_html(p: Passage) -> str:
    return (
        f"<details class='src closest'><summary>{_byline(p.title, p.source, p.published)}</summary>"
        f"<blockquote>{esc(p.text)}</blockquote>"
        f"<div class='loc'>{esc(p.article_id)}, characters {p.start}–{p.end}</div></details>"
    )


def sources_block(answer: Answer, turn: int, extra: str = "") -> str:
    """The sources of one answer: its citations, or for an abstention the closest passages; ``extra``
    (the statements behind a chart of figures) follows them."""
    head = f"<div class='turn' data-turn='{turn}'><div class='asked'>{esc(answer.question)}</div>"
    if answer.citations:
        items = "".join(citation_html(c, turn) for c in answer.citations)
    elif answer.closest:
        items = "<div class='none'>No passage answers this. Closest passages:</div>" + "".join(
            closest_html(p) for p in answer.closest
        )
    else:
        items = "<div class='none'>No passages.</div>"
    return head + items + extra + "</div>"


def sources_panel(blocks: Sequence[str]) -> str:
    """All answers' sources, newest first, so links in older messages still resolve."""
    if not blocks:
        return "<div class='sources empty'>Sources of each answer appear here.</div>"
    return "<div class='sources'>" + "".join(reversed(blocks)) + "</div>"


def settings_form(fields: Sequence[tuple[str, str]]) -> str:
    """The Settings tab: labelled read-only fields; the live status row is coloured by its ✅/❌."""
    rows = []
    for label, value in fields:
        state = " ok" if value.startswith("✅") else " bad" if value.startswith("❌") else ""
        rows.append(f"<div class='row{state}'><span class='label'>{esc(label)}</span>"
                    f"<span class='value'>{esc(value)}</span></div>")
    return f"<div class='settings-form'>{''.join(rows)}</div>"
