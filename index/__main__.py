"""`python -m index build|info|list|remove`: manage the article index from the shell."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import settings as settings_module
from index import bm25, cli
from index.build import Pipeline, build
from index.reader import open_store
from index.store import StoreError, describe, dumps, move_aside


def reset(pipe: Pipeline) -> None:
    """Drop the index; one that cannot be opened (damaged, foreign) is moved aside instead."""
    try:
        pipe.open_store().reset()
    except Exception as exc:  # chromadb raises many types for a damaged file
        if pipe.settings.chroma_host or not pipe.settings.chroma_path.exists():
            raise StoreError(f"cannot reset the index ({pipe.settings.store_label}): {exc}") from exc
        moved = move_aside(pipe.settings)
        reason = str(exc).split("; `python -m index")[0]
        print(f"the old index could not be opened ({reason});\nit was moved to {moved} and a fresh one is built",
              file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m index", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="index articles (default: the bundled sample corpus)")
    b.add_argument("paths", nargs="*", type=Path, help="folders, files or JSONL(.gz) of articles")
    b.add_argument("--reset", action="store_true", help="drop the existing index first")
    b.add_argument("--no-prune", action="store_true", help="keep articles that are gone from the inputs")
    b.add_argument("--quiet", action="store_true", help="no progress bar")
    b.add_argument("--verbose", action="store_true", help="also list the furniture lines cleaning dropped")
    b.add_argument("--json", action="store_true", help="print what happened to each input as JSON (no progress bar)")
    b.add_argument("--claims", choices=["rules", "llm"],
                   help="who-said-what extractor (default NEWSQA_CLAIMS_EXTRACTOR); --reset redoes indexed articles")
    i = sub.add_parser("info", help="what the index holds")
    i.add_argument("--json", action="store_true")
    ls = sub.add_parser("list", help="the indexed articles")
    ls.add_argument("--json", action="store_true")
    rm = sub.add_parser("remove", help="delete articles from the index by id")
    rm.add_argument("ids", nargs="+")
    args = parser.parse_args(argv)

    claims = getattr(args, "claims", None)
    settings = settings_module.Settings(claims_extractor=claims) if claims else settings_module.get_settings()
    try:
        if args.command == "build":
            pipe = Pipeline(settings)
            if args.reset:
                reset(pipe)
            report = build(args.paths or None, settings, prune=not args.no_prune,
                           progress=not (args.quiet or args.json), pipeline=pipe, on_skip=lambda _: None)
            store = pipe.open_store()
            bm25.load_or_build(store, settings)
            if args.json:
                print(dumps({"counts": report.counts(), "outcomes": [vars(o) for o in report.outcomes]}))
                return 0
            for outcome in report.skipped:  # after the progress bar has closed, one line each
                print(outcome)
            print(report.summary())
            for ident, lines in report.dropped.items() if args.verbose else ():
                print(f"  {ident}: dropped " + " | ".join(repr(line) for line in lines))
            info = describe(store)
            print(f"index: {info['articles']} articles, {info['chunks']} chunks, {info['store']}")
            return 0
        store = open_store(settings)
        if args.command == "info":
            info = describe(store)
            if args.json:
                print(dumps(info))
            else:
                for key, value in info.items():
                    print(f"{key:>10}: {', '.join(value) if isinstance(value, list) else value}")
        elif args.command == "list":
            records = sorted(store.records().values(), key=lambda r: (r.published, r.title))
            if args.json:
                print(dumps([{k: v for k, v in vars(r).items() if k != "text"} for r in records]))
            for r in records if not args.json else []:
                print(f"{r.id:<48} {r.published or '-':<10} {r.source or '-':<18.18} {r.chunks:>3}  {r.title[:60]}")
        elif args.command == "remove":
            known = store.records()
            for ident in args.ids:
                if ident not in known:
                    print(f"no article {ident!r} in the index", file=sys.stderr)
                    return 1
                store.delete_article(ident)
                print(f"removed {ident}")
        return 0
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(cli.run(main))
