"""Prompt templates live in prompts/*.txt; this loads and fills them by name."""

from __future__ import annotations

from functools import cache

from settings import PROMPTS_DIR


@cache
def template(name: str) -> str:
    path = PROMPTS_DIR / f"{name}.txt"
    if not path.exists():
        raise FileNotFoundError(f"prompt template {name!r} not found in {PROMPTS_DIR}")
    return path.read_text("utf-8").strip()


def render(name: str, **values: object) -> str:
    """Fill ``{placeholders}``; values are inserted as data, never re-parsed as templates."""
    return template(name).format(**values)
