"""bench.answer's corpus and question choice (the measuring itself is run by hand: minutes)."""

from __future__ import annotations

import gzip
import json
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
