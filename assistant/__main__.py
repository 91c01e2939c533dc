"""`python -m assistant ask "QUESTION" [--json]` and `python -m assistant claims [--speaker NAME] [--stance VERB]`."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap

import settings as settings_module
from assistant.types import Answer, Filters, NothingToSearchError, QuestionError
from index import cli
from index.store import StoreError


def print_answer(result: Answer) -> None:
    print(textwrap.fill(result.answer, 100))
    # an abstention's value says how close the closest passage came, not how sure the abstention is
    print(f"({'closest passage' if result.abstained else 'confidence'} {result.confidence:.2f})")
    if result.citations:
        print("\nSources:")
        for c in result.citations:
            where = ", ".join(x for x in (c.source, c.published) if x)
            print(f"[{c.n}] {c.title}" + (f" ({where})" if where else ""))
            print(textwrap.indent(textwrap.fill(f'"{c.quote}"', 96), "    "))
            print(f"    {c.article_id} chars {c.start}-{c.end}")
    if result.closest:
        print("\nClosest passages:")
        for p in result.closest:
            print(f"- {p.title}: {textwrap.shorten(p.text, 160)}")
    for note in result.flagged:
        print(f"\nnote: {note}")


def claims_command(args: argparse.Namespace) -> int:
    from assistant.claims import ClaimBook
    from index.reader import open_store

    try:
        book = ClaimBook(open_store(settings_module.get_settings()))
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    found = book.find(speaker=args.speaker, stance=args.stance, kind="figure" if args.figures else "")
    if args.json:
        print(json.dumps([c.to_json() for c in found], indent=2, ensure_ascii=False))
        return 0
    for c in found:
        who = c.speaker + (f" ({c.role})" if c.role and c.role != c.speaker else "")
        figure = f" [{c.figure_text}]" if c.kind == "figure" else ""
        print(f"{c.published or '----------'}  {who}: {c.stance}{figure}")
        print(textwrap.indent(textwrap.fill(c.statement, 96), "    "))
        print(f"    {c.article_id} chars {c.start}-{c.end}")
    if not found:
        print("no matching claims", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    ask = sub.add_parser("ask", help="answer a question with citations")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true", help="print the answer as JSON")
    ask.add_argument("--source", action="append", default=[], help="only this publisher (repeatable)")
    ask.add_argument("--article", action="append", default=[], help="only this article id (repeatable)")
    ask.add_argument("--since", default="", help="published on or after: YYYY-MM-DD, YYYY-MM, YYYY, 'October 21, 2024'")
    ask.add_argument("--until", default="", help="published on or before (YYYY-MM or YYYY: to its last day)")
    ask.add_argument("--as-of", default="", metavar="DATE",
                     help='the day "this week", "latest", "now" refer to (default: the newest article\'s date); '
                          "articles near it rank higher")
    ask.add_argument("--backend", choices=["extractive", "openai"], help="override NEWSQA_BACKEND")
    cl = sub.add_parser("claims", help="who said what: attributed statements and figures")
    cl.add_argument("--speaker", default="", help="part of a name, role or organisation, e.g. Austin, NATO")
    cl.add_argument("--stance", default="", help="e.g. denied, dismissed, confirmed, said, warned")
    cl.add_argument("--figures", action="store_true",
                    help="only figures (counts, money, percentages) with who stated them")
    cl.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.command == "claims":
        return claims_command(args)

    overrides = {"backend": args.backend} if args.backend else {}
    settings = settings_module.Settings(**overrides)
    from assistant.service import Assistant

    try:
        filters = Filters(sources=args.source, article_ids=args.article, date_from=args.since, date_to=args.until)
        assistant = Assistant(settings)
        result = assistant.ask(args.question, filters=filters, as_of=args.as_of)
    except NothingToSearchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 4
    except QuestionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    if args.json:
        print(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
    else:
        print_answer(result)
    return 0


if __name__ == "__main__":
    sys.exit(cli.run(main))
