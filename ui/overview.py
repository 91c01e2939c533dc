"""The first view of the chat: what the index holds and questions it can answer, drawn from the index itself.

Example questions come from the who-said-what store (the most quoted person, the most quoted body, a figure
the articles state differently) and the newest article's title: deterministic, no model, no fixed strings.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from index.claims import Claim
from index.dates import published_key
from index.store import ArticleRecord
from ui.claims_view import figure_groups
from ui.render import esc

MAX_EXAMPLES = 4
MAX_PUBLISHERS_NAMED = 4
MAX_TITLE_WORDS = 14  # a longer "title" is usually the first sentence of an untitled article


@dataclass(frozen=True)
class Overview:
    articles: int
    publishers: list[str]  # most articles first
    first: str  # earliest and latest publication dates ("" when no article is dated)
    last: str
    statements: int
    examples: list[str]


def _top_speaker(claims: Sequence[Claim], person: bool) -> str:
    counted = Counter(c.speaker for c in claims  # a proper name: "the company" is no one to ask about
                      if c.speaker[:1].isupper() and c.kind == "statement" and bool(c.person) == person)
    return min(counted.items(), key=lambda kv: (-kv[1], kv[0]))[0] if counted else ""


def example_questions(records: Sequence[ArticleRecord], claims: Sequence[Claim]) -> list[str]:
    """Questions this index can answer: about its most quoted person and body, a disputed figure, its newest story."""
    out = []
    if person := _top_speaker(claims, person=True):
        out.append(f"What did {person} say?")
    if groups := figure_groups(claims, 1):
        out.append(f"How did the figures for {groups[0].unit} change?")
    if body := _top_speaker(claims, person=False):
        out.append(f"What did {body} say?")
    dated = [r for r in records if r.title and len(r.title.split()) <= MAX_TITLE_WORDS and "?" not in r.title]
    if dated:
        newest = max(dated, key=lambda r: (published_key(r.published), r.title))
        out.append(f"What happened in “{newest.title.rstrip('.?!')}”?")
    return list(dict.fromkeys(out))[:MAX_EXAMPLES]


def overview(records: Sequence[ArticleRecord], claims: Sequence[Claim]) -> Overview:
    publishers = [s for s, _ in sorted(Counter(r.source for r in records if r.source).items(),
                                       key=lambda kv: (-kv[1], kv[0]))]
    days = sorted(r.published[:10] for r in records if published_key(r.published))
    return Overview(len(records), publishers, days[0] if days else "", days[-1] if days else "",
                    sum(1 for c in claims if c.kind == "statement"), example_questions(records, claims))


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'s' * (n != 1)}"


def overview_html(o: Overview) -> str:
    """The orienting block above an empty chat; for an empty index, how to add articles."""
    if not o.articles:
        return ("<div class='welcome empty'><b>The index is empty.</b> Add articles in the <b>Library</b> tab "
                "(upload .txt, .md or .html files), or from a shell: <code>python -m index build PATH</code> "
                "(folders, files, JSONL). Then ask away.</div>")
    named = ", ".join(esc(p) for p in o.publishers[:MAX_PUBLISHERS_NAMED])
    more = f" and {len(o.publishers) - MAX_PUBLISHERS_NAMED} more" if len(o.publishers) > MAX_PUBLISHERS_NAMED else ""
    publishers = f" from {_plural(len(o.publishers), 'publisher')} ({named}{more})" if o.publishers else ""
    when = (f", dated {esc(o.first)}" + (f" to {esc(o.last)}" if o.last != o.first else "")) if o.first else ""
    return (f"<div class='welcome'><b>The index holds {_plural(o.articles, 'article')}</b>{publishers}{when}, "
            f"with {_plural(o.statements, 'attributed statement')}. Ask a question below; every answer cites the "
            f"words it comes from, and <b>Who said what</b> lists the statements by speaker.</div>")
