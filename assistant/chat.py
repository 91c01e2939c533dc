"""Follow-up questions -> standalone questions, using the conversation so far.

With an LLM backend the rewrite is asked of the model (prompts/condense.txt). The embedded
default rewrites by rule, and only where the follow-up leans on the history: a follow-up that
names a subject of its own keeps it ("And what did Germany do?" stays about Germany); pronouns
take the previous question's subject ("Did he change his view later?" -> "... Lloyd Austin ...");
an elliptical follow-up ("What about Peskov?") is the previous question with its subject swapped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.question import analyze
from assistant.text import content_terms
from backend.prompts import render

Turn = tuple[str, str]  # (user question, assistant answer)
_MARKERS = re.compile(r"\s*\[\d+\]")
_LEANS_ON_CONTEXT = re.compile(
    r"\b(?:he|she|they|him|her|them|his|hers|their|it|its|this|that|these|those|there|then|the same)\b|"
    r"^(?:and|but|so|what about|how about|why|also)\b",
    re.I,
)
_OPENING = re.compile(r"^\s*(?:and|but|so|also|then)\b[\s,]*", re.I)
_ELLIPSIS = re.compile(r"^\s*(?:and\s+)?(?:what|how)\s+about\s+(?P<new>.+?)\s*\??$|"
                       r"^\s*and\s+(?P<new2>(?!(?:what|who|whom|how|when|where|why|which|did|does|do|is|are|was|were)\b)"
                       r"[^?\s][^?]{0,40}?)\s*\?$",
                       re.I)
_SUBJECT_PRONOUNS = re.compile(r"\b(?:he|she|they|him|them)\b", re.I)
_POSSESSIVES = re.compile(r"\b(?:his|their)\b|\bher(?=\s+[a-z])", re.I)
_OTHER_REFERENCES = re.compile(r"\b(?:it|its|this|that|these|those|there|the same)\b", re.I)


def needs_context(question: str) -> bool:
    return bool(_LEANS_ON_CONTEXT.search(question)) or len(content_terms(question)) < 2


def _subject(question: str) -> str:
    """Who or what a question is about: its grammatical subject, or the first name it mentions."""
    info = analyze(question)
    return info.subject if info.subject and info.subject[:1].isupper() else (info.names[0] if info.names else "")


def condense_rule(question: str, history: Sequence[Turn]) -> str:
    if not history or not needs_context(question):
        return question
    previous = history[-1][0]
    old = _subject(previous)
    ellipsis = _ELLIPSIS.match(question)
    if ellipsis:  # "What about Peskov?": the previous question, asked of someone else
        new = (ellipsis.group("new") or ellipsis.group("new2") or "").strip()
        if old and old in previous and new:
            return previous.replace(old, new, 1)
        return f"{previous} ({new})" if new else previous
    text = _OPENING.sub("", question).strip()
    text = text[:1].upper() + text[1:]
    if analyze(text).names:  # the follow-up names its own subject: the old one does not carry over
        return text
    if not old:
        return text
    if _SUBJECT_PRONOUNS.search(text) or _POSSESSIVES.search(text):
        text = _POSSESSIVES.sub(f"{old}'s", text)
        return _SUBJECT_PRONOUNS.sub(old, text)
    if _OTHER_REFERENCES.search(text) or len(content_terms(text)) < 2:
        return f"{text} ({old})"
    return text


def condense_messages(question: str, history: Sequence[Turn]) -> list[dict[str, str]]:
    lines = []
    for q, a in history[-3:]:
        lines.append(f"User: {q}")
        lines.append("Assistant: " + _MARKERS.sub("", a)[:600])
    return [{"role": "user", "content": render("condense", history="\n".join(lines), question=question)}]
