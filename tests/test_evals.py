"""The eval suite end to end on the sample corpus: outputs written, and the CI quality gate."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_sample_eval_meets_the_recorded_thresholds(tmp_path: Path) -> None:
    out = tmp_path / "eval"
    env = {**os.environ, "NEWSQA_HOME": str(tmp_path / "unused")}
    run = subprocess.run(
        [sys.executable, "-m", "evals", "run", "--out", str(out), "--quiet", "--check", "evals/thresholds.json"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    for name in ("results.jsonl", "summary.json", "report.md", "accuracy_by_type.png", "citations.png",
                 "latency.png"):
        assert (out / name).stat().st_size > 0, name
    rows = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert len(rows) >= 60
    row = rows[0]
    assert {"id", "question", "answer", "abstained", "citations", "latency_ms", "scores"} <= set(row)
    summary = json.loads((out / "summary.json").read_text())
    print("\nsample eval:", json.dumps(summary["overall"], indent=None))


def test_compare_prints_deltas(tmp_path: Path) -> None:
    for name, acc in (("a", 0.5), ("b", 0.8)):
        (tmp_path / name).mkdir()
        summary = {"backend": name, "overall": {"answer_accuracy": acc}}
        (tmp_path / name / "summary.json").write_text(json.dumps(summary))
    out = subprocess.run([sys.executable, "-m", "evals", "compare", str(tmp_path / "a"), str(tmp_path / "b")],
                         cwd=ROOT, capture_output=True, text=True, timeout=120, check=True)
    assert "+0.300" in out.stdout


def test_llm_judge_through_a_real_server(llm_server: str) -> None:
    import settings as settings_module
    from backend.llm import OpenAICompatibleLLM
    from evals.judge import _verdict, judge

    assert _verdict("correct: yes\nfaithful: NO", "correct") is True
    assert _verdict("correct: yes\nfaithful: NO", "faithful") is False
    assert _verdict("I think so", "correct") is None
    llm = OpenAICompatibleLLM(settings_module.Settings(openai_base_url=llm_server, llm_max_tokens=16))
    gold = {"question": "How many troops?", "answers": [["1,500"]], "answerable": True}
    record = {"answer": "Seoul said 1,500 troops were sent. [1]", "abstained": False,
              "citations": [{"n": 1, "quote": "Seoul said 1,500 troops were sent."}]}
    verdict = judge(llm, record, gold)
    assert set(verdict) == {"judge_correct", "judge_faithful"}
    assert all(v in (True, False, None) for v in verdict.values())  # a 135M judge may garble: None, not a pass
    down = OpenAICompatibleLLM(settings_module.Settings(openai_base_url="http://127.0.0.1:9/v1"))
    assert judge(down, record, gold) == {"judge_correct": None, "judge_faithful": None}
