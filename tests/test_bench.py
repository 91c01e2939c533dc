"""The benchmarks' inputs and error paths, and the who-said-what tab timed on the sample index (the
large measurements are run by hand: minutes to an hour)."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

from bench.answer import MAX_QUESTIONS, corpus_paths, main, questions_for
from evals.run import REALTIMEQA

needs_rtqa = pytest.mark.skipif(not (REALTIMEQA / "questions.jsonl").is_file(), reason="RealTime QA 2023 not here")


@needs_rtqa
def test_a_limited_corpus_is_copied_once_into_the_home_and_reused(tmp_path: Path) -> None:
    [first] = corpus_paths("realtimeqa", 30, tmp_path) or []
    stamp = first.stat().st_mtime_ns
    assert corpus_paths("realtimeqa", 30, tmp_path) == [first] and first.stat().st_mtime_ns == stamp
    with gzip.open(first, "rt", encoding="utf-8") as fh:
        ids = [json.loads(line)["id"] for line in fh]
    assert len(ids) == 30
    assert corpus_paths("realtimeqa", 0, tmp_path) == [REALTIMEQA / "corpus.jsonl.gz"]


@needs_rtqa
def test_questions_are_those_with_an_article_in_the_index(tmp_path: Path) -> None:
    [subset] = corpus_paths("realtimeqa", 60, tmp_path) or []
    with gzip.open(subset, "rt", encoding="utf-8") as fh:
        indexed = {json.loads(line)["id"] for line in fh}
    rows = [json.loads(line) for line in (REALTIMEQA / "questions.jsonl").open(encoding="utf-8")]
    picked = questions_for("realtimeqa", indexed)
    assert 0 < len(picked) <= MAX_QUESTIONS
    by_text = {r["question"]: r for r in rows}
    assert all(indexed & set(by_text[q]["retrieved_for"]) for q in picked)
    assert len(questions_for("realtimeqa", set())) == 0


def test_size_options_belong_to_realtimeqa(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--limit", "5"])
    assert stop.value.code == 2 and "--limit/--full apply to --corpus realtimeqa" in capsys.readouterr().err


@pytest.mark.parametrize("module", ["bench.retrieval", "bench.claims_tab"])
def test_a_benchmark_on_a_folder_without_an_index_says_so(module: str, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    import importlib

    code = importlib.import_module(module).main(["--home", str(tmp_path / "nothing")])
    assert code == 2 and "no index at" in capsys.readouterr().err


def test_the_who_said_what_tab_is_timed_in_a_real_browser(sample_settings: object, tmp_path: Path) -> None:
    import shutil

    from bench.claims_tab import measure

    home = tmp_path / "home"
    shutil.copytree(sample_settings.home, home)  # type: ignore[attr-defined]  # the app writes its log there
    result = measure(home, rounds=1)
    assert re.match(r"\d+ speakers; page 1 of \d+", result["pager"]), result["pager"]
    assert 0 < result["first_open_after_start_shown_s"] <= result["first_open_after_start_s"]
    assert result["tab_open_p50_s"] > 0 and result["next_page_p50_s"] > 0
