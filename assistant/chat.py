"""Follow-up questions -> standalone questions, using the conversation so far.

With an LLM backend the rewrite is asked of the model (prompts/condense.txt). The embedded
default has no model to ask, so it carries over what the previous question was about (its names
and key terms) when the follow-up leans on it ("Did he change his view later?").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.text import analyze, content_terms
from backend.prompts import render

Turn = tuple[str, str]
_MARKERS = re.compile(r"\s*\[\d+\]")  # (user question, assistant answer)
_LEANS_ON_CONTEXT = re.compile(
    r"\b(?:he|she|they|him|her|them|his|hers|their|it|its|this|that|these|those|there|then|the same)\b|"
    r"^(?:and|but|so|what about|how about|why|also)\b",
    re.I,
)


def needs_context(question: str) -> bool:
    return bool(_LEANS_ON_CONTEXT.search(question)) or len(content_terms(question)) < 2


def condense_rule(question: str, history: Sequence[Turn]) -> str:
    if not history or not needs_context(question):
        return question
    previous = history[-1][0]
    info = analyze(previous)
    carried = [n for n in info.names if n.lower() not in question.lower()]
    words = [w for w in re.findall(r"[A-Za-z][a-z]{3,}", previous) if w.lower() not in question.lower()
             and content_terms(w)]
    extra = list(dict.fromkeys(carried + words))[:8]
    return f"{question} ({', '.join(extra)})" if extra else question


def condense_messages(question: str, history: Sequence[Turn]) -> list[dict[str, str]]:
    lines = []
    for q, a in history[-3:]:
        lines.append(f"User: {q}")
        lines.append("Assistant: " + _MARKERS.sub("", a)[:600])
    return [{"role": "user", "content": render("condense", history="\n".join(lines), question=question)}]
