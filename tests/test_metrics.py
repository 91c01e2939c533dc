"""Every metric on hand-made cases whose right score is known, edge cases included."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals import metrics
from evals.run import check, compare
from index.clean import QUOTES

ROOT = Path(__file__).resolve().parents[1]
PASSAGE = "Seoul said 1,500 North Korean troops were in Russia's Far East. Moscow called it fake news."


def record(answer: str, citations: list[dict[str, object]] | None = None, abstained: bool = False) -> dict:
    return {"question": "q", "answer": answer, "abstained": abstained, "citations": citations or [],
            "latency_ms": 1.0}


def cite(n: int, text: str = PASSAGE) -> dict[str, object]:
    return {"n": n, "article_id": "a", "title": "", "source": "", "published": "", "quote": text, "start": 0,
            "end": len(text), "passage": text}


GOLD = {"id": "g", "question": "q", "answers": [["1,500", "1500"], ["Far East"]], "evidence": ["1,500 North Korean"],
        "answerable": True}
NO_ANSWER = {"id": "u", "question": "q", "answers": [], "evidence": [], "answerable": False}


def test_correct_needs_every_key_fact_in_any_spelling() -> None:
    assert metrics.answer_correct(record("About 1500 troops are in the far east [1]."), GOLD)
    assert not metrics.answer_correct(record("About 1,500 troops are in Russia."), GOLD), "one key fact missing"
    assert not metrics.answer_correct(record(""), GOLD)


def test_normalize_handles_quotes_case_and_digit_grouping() -> None:
    assert metrics.normalize("\u201cFake  News\u201d: 12,000") == '"fake news": 12000'


def test_abstention_is_right_only_for_unanswerable_questions() -> None:
    abstained = record("The articles don't say.", abstained=True)
    assert metrics.answer_correct(abstained, NO_ANSWER)
    assert not metrics.answer_correct(abstained, GOLD)
    assert metrics.abstention(abstained, GOLD) == {"correct_abstain": False, "wrong_abstain": True,
                                                   "missed_abstain": False}
    assert metrics.abstention(record("Moscow said so [1]."), NO_ANSWER)["missed_abstain"]


def test_citations_all_supported() -> None:
    scores = metrics.citation_scores(record("Seoul said 1,500 troops were in the Far East. [1]", [cite(1)]))
    assert scores == {"citation_recall": 1.0, "citation_precision": 1.0}


def test_citations_missing_or_pointing_at_nothing() -> None:
    uncited = metrics.citation_scores(record("Seoul said 1,500 troops were in the Far East.", [cite(1)]))
    assert uncited == {"citation_recall": 0.0, "citation_precision": 0.0}
    dangling = metrics.citation_scores(record("Seoul said 1,500 troops were in the Far East. [2]", [cite(1)]))
    assert dangling == {"citation_recall": 0.0, "citation_precision": 0.0}


def test_an_irrelevant_extra_citation_costs_precision_not_recall() -> None:
    other = cite(2, "The weather in Paris was mild on Tuesday.")
    scores = metrics.citation_scores(record("Seoul said 1,500 troops were in the Far East. [1][2]", [cite(1), other]))
    assert scores == {"citation_recall": 1.0, "citation_precision": 0.5}


def test_a_wrong_number_is_not_supported() -> None:
    scores = metrics.citation_scores(record("Seoul said 3,000 troops were in the Far East. [1]", [cite(1)]))
    assert scores["citation_recall"] == 0.0


def test_two_passages_jointly_support_a_sentence() -> None:
    a = cite(1, "Seoul said 1,500 troops arrived.")
    b = cite(2, "The troops arrived in Russia's Far East.")
    scores = metrics.citation_scores(record("Seoul said 1,500 troops arrived in Russia's Far East. [1][2]", [a, b]))
    assert scores == {"citation_recall": 1.0, "citation_precision": 1.0}


def test_abstained_and_empty_answers_have_no_citation_scores() -> None:
    none = {"citation_recall": None, "citation_precision": None}
    assert metrics.citation_scores(record("The articles don't say.", abstained=True)) == none
    assert metrics.citation_scores(record("   ")) == none


def test_retrieval_hit_at_k_and_mrr() -> None:
    passages = ["nothing here", "also nothing", PASSAGE]
    scores = metrics.retrieval_scores(passages, ["1,500 North Korean troops"], ks=(1, 3))
    assert scores == {"hit@1": 0.0, "hit@3": 1.0, "mrr": pytest.approx(1 / 3)}
    assert metrics.retrieval_scores([], ["x"], ks=(1,)) == {"hit@1": 0.0, "mrr": 0.0}


def test_latency_and_summary() -> None:
    assert metrics.latency_summary([10, 20, 30, 40, 1000]) == {"p50": 30, "p95": 1000, "mean": 220}
    rows = [{"type": "a", "correct": True, "citation_recall": None}, {"type": "a", "correct": False,
                                                                      "citation_recall": 1.0},
            {"type": "u", "correct": True, "correct_abstain": True, "citation_recall": None}]
    summary = metrics.summarize(rows)
    assert summary["overall"]["answer_accuracy"] == pytest.approx(2 / 3)
    assert summary["overall"]["citation_recall"] == 1.0, "None is left out of means"
    assert summary["overall"]["abstention_accuracy"] == 1.0
    assert summary["by_type"]["a"]["n"] == 2 and summary["by_type"]["a"]["correct"] == 0.5


def test_threshold_check_and_compare() -> None:
    a = {"backend": "x", "overall": {"answer_accuracy": 0.5}, "latency_ms": {"p50": 10.0, "p95": 20.0}}
    b = {"backend": "y", "overall": {"answer_accuracy": 0.75}, "latency_ms": {"p50": 12.0, "p95": 20.0}}
    assert check(a, {"answer_accuracy": 0.6}) == ["answer_accuracy = 0.5 is below the threshold 0.6"]
    assert check(b, {"answer_accuracy": 0.6}) == []
    assert "| answer_accuracy | 0.500 | 0.750 | +0.250 |" in compare(a, b)


def test_gold_set_is_well_formed_and_matches_the_articles() -> None:
    items = [json.loads(line) for line in (ROOT / "evals/datasets/sample_gold.jsonl").read_text().splitlines()]
    articles = [p.read_text() for p in (ROOT / "data/articles").glob("*.txt")]
    assert len(items) >= 60 and sum(not i["answerable"] for i in items) >= 10
    assert len({i["id"] for i in items}) == len(items)
    for item in items:
        assert set(item) >= {"id", "question", "answers", "evidence", "answerable"}
        if not item["answerable"]:
            assert item["answers"] == [] and item["evidence"] == []
            continue
        for quote in item["evidence"]:
            assert any(quote in a for a in articles), f"{item['id']}: evidence not verbatim: {quote}"
        text = " ".join(a.translate(QUOTES).lower() for a in articles)
        for fact in item["answers"]:
            assert any(s.translate(QUOTES).lower() in text for s in fact), f"{item['id']}: {fact}"
