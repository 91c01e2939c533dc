"""`python -m evals run|compare|claims|fit-lead|fit-chance`: accuracy, citation, retrieval and extraction evals,
and fitting the answerer's two models on them."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import settings as settings_module
from evals import run as runner
from index.build import build


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="ask a dataset's questions and score the answers")
    r.add_argument("--dataset", type=Path, default=runner.SAMPLE_GOLD, help="gold JSONL (default: the sample set)")
    r.add_argument("--benchmark", choices=["realtimeqa"], help="use an external benchmark instead of --dataset")
    r.add_argument("--corpus", type=Path, action="append",
                   help="articles to index first (default: those DATASET.articles.json names, else the bundled corpus)")
    r.add_argument("--backend", choices=["extractive", "openai"], help="override NEWSQA_BACKEND")
    r.add_argument("--out", type=Path, required=True, help="folder for results, summary, report and plots")
    r.add_argument("--home", type=Path, help="index folder (default: OUT/index, built fresh)")
    r.add_argument("--limit", type=int, default=0, help="only the first N questions")
    r.add_argument("--offset", type=int, default=0, help="realtimeqa: start at the N-th question (0-based)")
    r.add_argument("--full-corpus", action="store_true", help="realtimeqa: index all 4,554 articles")
    r.add_argument("--ask-of", type=question_range, metavar="OFFSET:LIMIT",
                   help="realtimeqa: ask the questions of the articles of these other questions; those whose "
                        "answer the articles never state are kept, as unanswerable (measures abstention)")
    r.add_argument("--check", type=Path,
                   help='thresholds JSON {"min": {metric: floor}, "max": {metric: ceiling}}; exit 1 if one is missed')
    r.add_argument("--record-floors", type=Path, metavar="FILE",
                   help="write thresholds from this run to FILE (floors MARGIN under the rates, ceilings over)")
    r.add_argument("--margin", type=float, default=0.03, help="headroom of --record-floors (default 0.03)")
    r.add_argument("--judge", action="store_true",
                   help="also ask the OpenAI-compatible server in NEWSQA_OPENAI_* to judge each answer")
    r.add_argument("--quiet", action="store_true")
    c = sub.add_parser("compare", help="metric deltas between two result folders (B - A)")
    c.add_argument("a", type=Path)
    c.add_argument("b", type=Path)
    cl = sub.add_parser("claims", help="precision/recall of who-said-what extraction on a labelled set")
    cl.add_argument("--gold", type=Path, default=Path(__file__).resolve().parent / "datasets" / "sample_claims.jsonl")
    cl.add_argument("--json", action="store_true")
    cl.add_argument("--subset", action="store_true",
                    help="the gold file labels only some statements: judge only extracted ones that overlap it")
    f = sub.add_parser("fit-lead", help="fit the lead-sentence model on RealTime QA questions (or --check it)")
    f.add_argument("--out", type=Path, required=True, help="folder for the questions' index (OUT/index)")
    f.add_argument("--home", type=Path, help="an index of their articles already built")
    f.add_argument("--offset", type=int, default=0, help="start at the N-th question (0-based)")
    f.add_argument("--limit", type=int, default=200, help="this many questions (default 200)")
    f.add_argument("--model", type=Path, default=None, help="model file (default: assistant/lead_model.json)")
    f.add_argument("--check", action="store_true", help="only report how the model picks on these questions")
    fc = sub.add_parser("fit-chance", help="fit the chance an extractive answer is right on eval results "
                                           "(or --check it); it decides which answers are withheld")
    fc.add_argument("results", type=Path, nargs="+",
                    help="`evals run` output folders to fit on (include --ask-of runs)")
    fc.add_argument("--held-out", type=Path, nargs="*", default=[], help="folders only to report on")
    fc.add_argument("--model", type=Path, default=None, help="model file (default: assistant/chance_model.json)")
    fc.add_argument("--check", action="store_true", help="only report how the current model rates these answers")
    args = parser.parse_args(argv)

    if args.command == "compare":
        missing = [str(p / "summary.json") for p in (args.a, args.b) if not (p / "summary.json").is_file()]
        if missing:
            print(f"error: no eval summary at {', '.join(missing)}", file=sys.stderr)
            return 2
        a, b = (json.loads((p / "summary.json").read_text()) for p in (args.a, args.b))
        print(runner.compare(a, b))
        return 0
    if args.command == "claims":
        from evals.claims_eval import GoldError, evaluate, format_report

        try:
            result = evaluate(args.gold, complete=False if args.subset else None)
        except GoldError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(json.dumps(result, indent=2) if args.json else format_report(result))
        return 0

    if args.command == "fit-lead":
        return fit_lead(args)
    if args.command == "fit-chance":
        return fit_chance(args)
    if args.check and not args.check.is_file():
        print(f"error: no thresholds file at {args.check}", file=sys.stderr)
        return 2
    overrides: dict[str, object] = {"home": args.home or args.out / "index"}
    if args.backend:
        overrides["backend"] = args.backend
    settings = settings_module.Settings(**overrides)  # type: ignore[arg-type]
    try:
        if args.benchmark == "realtimeqa":
            dataset = runner.realtimeqa(args.out, args.limit, args.full_corpus, offset=args.offset,
                                        ask_of=args.ask_of)
        elif args.ask_of:
            raise ValueError("--ask-of needs --benchmark realtimeqa")
        else:
            items = runner.load_dataset(args.dataset, args.limit)
            dataset = runner.Dataset(args.dataset.stem, items, args.corpus or runner.listed_corpus(args.dataset,
                                                                                                 args.out))
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    judge_with = settings_module.Settings() if args.judge else None
    summary = runner.run(dataset, args.out, settings, progress=not args.quiet, judge_with=judge_with)
    overall = summary["overall"]
    print(" ".join(f"{k}={v:.3f}" for k, v in sorted(overall.items()) if isinstance(v, float)))
    if "baseline_bm25" in summary:
        baseline = summary["baseline_bm25"]
        print("plain BM25, same chunks: " + " ".join(f"{k}={v:.3f}" for k, v in sorted(baseline.items())))
    print(f"latency p50 {summary['latency_ms'].get('p50', 0):.0f} ms, p95 {summary['latency_ms'].get('p95', 0):.0f} ms"
          f"; report: {args.out / 'report.md'}")
    if args.record_floors:
        args.record_floors.write_text(json.dumps(runner.floors(summary, args.margin), indent=2) + "\n")
        print(f"thresholds recorded in {args.record_floors}")
    if args.check:
        failures = runner.check(summary, json.loads(args.check.read_text()))
        for line in failures:
            print(f"FAIL: {line}", file=sys.stderr)
        return 1 if failures else 0
    return 0


def question_range(value: str) -> tuple[int, int]:
    """"413:200" -> (413, 200): 200 questions from the 413th (0-based)."""
    offset, _, limit = value.partition(":")
    try:
        parsed = int(offset), int(limit)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected OFFSET:LIMIT (e.g. 413:200), got {value!r}") from None
    if parsed[0] < 0 or parsed[1] < 1:
        raise argparse.ArgumentTypeError(f"expected OFFSET >= 0 and LIMIT >= 1, got {value!r}")
    return parsed


def fit_lead(args: argparse.Namespace) -> int:
    from assistant import leadrank
    from assistant.service import Assistant
    from evals import fit_lead as fitter

    model_path = args.model or leadrank.MODEL
    settings = settings_module.Settings(home=args.home or args.out / "index", backend="extractive")
    try:
        dataset = runner.realtimeqa(args.out, args.limit, offset=args.offset)
        if args.home is None:
            build(dataset.corpus, settings, progress=True, prune=False)
        groups = fitter.collect(Assistant(settings), dataset.items)
        current = leadrank.load(model_path) if args.check else fitter.fit(groups)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    span = f"RealTime QA 2023 questions {args.offset + 1}-{args.offset + len(dataset.items)}"
    chosen, scored = fitter.accuracy(groups, current), fitter.accuracy(groups, None)
    print(f"{span}: the chosen lead states the gold answer for {chosen:.3f} of {len(groups)} questions "
          f"(the best-scored sentence: {scored:.3f})")
    if not args.check:
        record = {"features": list(leadrank.FEATURES), **current.to_json(), "fitted_on": span,
                  "questions": len(groups), "lead_accuracy": round(chosen, 3), "best_scored_accuracy": round(scored, 3)}
        model_path.write_text(json.dumps(record, indent=2) + "\n")
        print(f"model written to {model_path}")
    return 0


def fit_chance(args: argparse.Namespace) -> int:
    from assistant import chance
    from evals import fit_chance as fitter

    model_path = args.model or chance.MODEL
    try:
        named = fitter.names([*args.results, *args.held_out])
        split = len(args.results)
        fitted = [fitter.read(folder, name) for folder, name in zip(args.results, named[:split], strict=True)]
        held_out = [fitter.read(folder, name) for folder, name in zip(args.held_out, named[split:], strict=True)]
        model = chance.load(model_path) if args.check else fitter.fit(fitted)
    except (OSError, ValueError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(fitter.report(model, fitted, held_out))
    if not args.check:
        model_path.write_text(json.dumps(fitter.record(model, fitted), indent=2) + "\n")
        print(f"\nmodel written to {model_path}: chance = 1 / (1 + exp(-({model.intercept:.3f} "
              f"+ {model.by_confidence:.3f} x confidence + {model.by_lead_score:.3f} x lead score)))")
    return 0


if __name__ == "__main__":
    sys.exit(main())
