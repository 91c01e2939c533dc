"""Every metric on hand-made cases whose right score is known, edge cases included."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals import metrics
from evals.run import check, compare, floors
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


def test_normalize_handles_quotes_dashes_accents_case_grouping_and_punctuation() -> None:
    assert metrics.normalize("\u201cFake  News\u201d: 12,000") == "fake news 12000"
    assert metrics.normalize("Il\u201196\u2014300, Chargé d\u2019affaires") == "il 96 300 charge d affaires"
    assert metrics.normalize("1,500,000 in the U.S.") == "1500000 in the us"
    assert metrics.normalize("in 2023, 100 troops") == "in 2023 100 troops", "a comma before a space is no grouping"


def test_a_fact_is_stated_only_as_whole_words() -> None:
    assert metrics.states("About 1,500 troops", ["1500"])
    assert not metrics.states("About 15,000 troops", ["1500"]), "1500 is not stated by 15000"
    assert not metrics.states("It was 5 p.m.", ["50"])
    assert metrics.states("Ties with the U.S. deepened", ["US"])
    assert not metrics.states("anything", ["", "  "]), "an empty spelling states nothing"
    assert metrics.states("Households can order four free tests", ["4"])
    assert metrics.states("South Africa has 4 titles", ["Four"])
    assert not metrics.states("Someone ordered fourteen tests", ["4"]), "whole words only"


def test_sentence_splitter_keeps_abbreviations_initials_and_acronyms() -> None:
    text = ('Gen. Kim met Mr. Lee in the U.S. Capitol on Jan. 5. "It was fine," he said! '
            "Was J. Smith there? Yes, about 1.5 million were.")
    assert metrics.split_sentences(text) == [
        "Gen. Kim met Mr. Lee in the U.S. Capitol on Jan. 5.", '"It was fine," he said!', "Was J. Smith there?",
        "Yes, about 1.5 million were."]
    assert metrics.split_sentences("no capital. after this") == ["no capital. after this"]
    assert metrics.split_sentences("") == []


def test_markers_go_with_the_sentence_before_them() -> None:
    got = metrics.cited_sentences("Seoul said 1,500 [1]. Moscow denied it. [2][3] [4] Done [5].")
    assert got == [("Seoul said 1,500.", [1]), ("Moscow denied it.", [2, 3, 4]), ("Done.", [5])]


def test_strict_needs_every_fact_in_the_first_sentence_or_first_30_words() -> None:
    gold = {"answers": [["Kim Yong-bok"]], "answerable": True}
    filler = " ".join(["Word"] * 30)
    first = record(f"The general is Kim Yong-bok [1]. {filler} [2].")
    assert metrics.answer_correct(first, gold, strict=True)
    late = record(f"The troops were seen near the border in {filler} [1]. The general is Kim Yong-bok [2].")
    assert metrics.answer_correct(late, gold), "lenient: anywhere"
    assert not metrics.answer_correct(late, gold, strict=True), "sentence 2, beyond word 30"
    long_first = record(f"Reports on {filler} name the general as Kim Yong-bok [1]. More follows.")
    assert metrics.answer_correct(long_first, gold, strict=True), "inside a long first sentence"
    within_30 = record("Short. Then: the general is Kim Yong-bok [1][2][3][4][5][6][7][8][9][10]. " + filler)
    assert metrics.answer_correct(within_30, gold, strict=True), "sentence 2 but inside the first 30 words"
    both = {"answers": [["Kim Yong-bok"], ["Kursk"]], "answerable": True}
    assert not metrics.answer_correct(record(f"The general is Kim Yong-bok. {filler} in Kursk."), both, strict=True)
    assert not metrics.answer_correct(record("Kim Yong-bok.", abstained=True), gold, strict=True)
    assert metrics.answer_correct(record("The articles don't say.", abstained=True), NO_ANSWER, strict=True)


def test_lead_is_the_longer_of_first_sentence_and_first_30_words() -> None:
    words = " ".join(f"W{i}" for i in range(40))
    assert metrics.lead(f"One [1]. {words}") == "One. " + " ".join(f"W{i}" for i in range(29))
    assert metrics.lead(f"{words}. Two.") == words + "."


def test_answer_words_ignore_markers_and_abstentions() -> None:
    assert metrics.answer_words(record("Seoul said so [1]. Moscow denied it. [2]")) == 6
    assert metrics.answer_words(record("The articles don't say.", abstained=True)) is None


def test_abstention_is_right_only_for_unanswerable_questions() -> None:
    abstained = record("The articles don't say.", abstained=True)
    assert metrics.answer_correct(abstained, NO_ANSWER)
    assert not metrics.answer_correct(abstained, GOLD)
    assert metrics.abstention(abstained, GOLD) == {"answerable": True, "abstained": True, "correct_abstain": False,
                                                   "wrong_abstain": True, "missed_abstain": False,
                                                   "withheld": False, "withheld_right": False}
    assert metrics.abstention(record("Moscow said so [1]."), NO_ANSWER)["missed_abstain"]


def test_a_withheld_answer_is_judged_as_if_it_had_been_given() -> None:
    right = {**record("The articles don't say.", abstained=True), "withheld": "Far East: 1,500 troops [1]."}
    wrong = {**right, "withheld": "Far East: 3,000 troops [1]."}
    late = {**right, "withheld": "Troops were sent. Some went east. " + "More words here. " * 10 + "1,500 Far East"}
    assert metrics.abstention(right, GOLD)["withheld_right"]
    assert not metrics.abstention(wrong, GOLD)["withheld_right"] and metrics.abstention(wrong, GOLD)["withheld"]
    assert not metrics.abstention(late, GOLD)["withheld_right"], "strict: the fact must be in the lead"
    assert not metrics.abstention(right, NO_ANSWER)["withheld_right"], "nothing is right for an unanswerable question"
    given = {**record("Far East: 1,500 troops [1]."), "withheld": "ignored"}  # only an abstention withholds
    assert metrics.abstention(given, GOLD)["withheld"] is False


def test_abstention_precision_recall_and_wrong_abstention() -> None:
    rows = [{"answerable": False, "abstained": True}, {"answerable": False, "abstained": False},
            {"answerable": False, "abstained": True}, {"answerable": True, "abstained": True},
            {"answerable": True, "abstained": False}, {"answerable": True, "abstained": False},
            {"answerable": True, "abstained": False}]
    assert metrics.abstention_rates(rows) == {"abstention_precision": pytest.approx(2 / 3),
                                              "abstention_recall": pytest.approx(2 / 3),
                                              "wrong_abstention": pytest.approx(1 / 4),
                                              "withheld_wrong_answer": 0.0, "withheld_right_answer": 0.0}
    never = metrics.abstention_rates([{"answerable": True, "abstained": False}])
    assert never == {"abstention_precision": None, "abstention_recall": None, "wrong_abstention": 0.0,
                     "withheld_wrong_answer": 0.0, "withheld_right_answer": 0.0}
    withheld = [{"answerable": True, "abstained": True, "withheld": True, "withheld_right": False},
                {"answerable": True, "abstained": True, "withheld": True, "withheld_right": True},
                {"answerable": True, "abstained": True}, {"answerable": True, "abstained": False},
                {"answerable": False, "abstained": True, "withheld": True}]  # not an answerable question's
    rates = metrics.abstention_rates(withheld)
    assert rates["wrong_abstention"] == pytest.approx(3 / 4)  # of which withheld a wrong answer / a right one:
    assert rates["withheld_wrong_answer"] == rates["withheld_right_answer"] == pytest.approx(1 / 4)



def test_confidence_auc_is_the_chance_a_right_answer_shows_more_than_a_wrong_one() -> None:
    def row(confidence: float, right: bool, **extra: object) -> dict[str, object]:
        return {"answerable": True, "abstained": False, "strict_correct": right, "confidence": confidence, **extra}

    # right answers 0.9 and 0.5; wrong 0.5 and 0.2: pairs (0.9>0.5, 0.9>0.2, 0.5=0.5, 0.5>0.2) -> 3.5 / 4
    rows = [row(0.9, True), row(0.5, True), row(0.5, False), row(0.2, False),
            row(0.99, False, abstained=True), row(0.0, True, answerable=False)]  # neither counts
    assert metrics.confidence_auc(rows) == pytest.approx(3.5 / 4)
    assert metrics.confidence_auc([row(0.1, True), row(0.9, False)]) == 0.0
    assert metrics.confidence_auc([row(0.4, True), row(0.9, True)]) is None  # nothing wrong to tell apart
    assert metrics.summarize([{"type": "t", **r} for r in rows])["overall"]["confidence_auc"] == pytest.approx(
        3.5 / 4)

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
    rows = [{"type": "a", "answerable": True, "abstained": False, "correct": True, "strict_correct": True,
             "citation_recall": None, "answer_words": 10},
            {"type": "a", "answerable": True, "abstained": False, "correct": True, "strict_correct": False,
             "citation_recall": 1.0, "answer_words": 50},
            {"type": "a", "answerable": True, "abstained": False, "correct": False, "strict_correct": False,
             "citation_recall": 1.0, "answer_words": 20},
            {"type": "u", "answerable": False, "abstained": True, "correct": True, "strict_correct": True,
             "correct_abstain": True, "citation_recall": None, "answer_words": None}]
    overall = metrics.summarize(rows)["overall"]
    assert overall["lenient_accuracy"] == 0.75 and overall["lenient_answerable_accuracy"] == pytest.approx(2 / 3)
    assert overall["strict_accuracy"] == 0.5 and overall["strict_answerable_accuracy"] == pytest.approx(1 / 3)
    assert overall["median_answer_words"] == 20, "median of the answered only"
    assert overall["citation_recall"] == 1.0, "None is left out of means"
    assert overall["abstention_recall"] == 1.0 and overall["abstention_precision"] == 1.0
    assert overall["wrong_abstention"] == 0.0
    assert not {"correct", "strict_correct", "abstained", "answerable"} & set(overall), "raw flags stay per type"
    by_type = metrics.summarize(rows)["by_type"]["a"]
    assert by_type["n"] == 3 and by_type["correct"] == pytest.approx(2 / 3)


def test_threshold_check_and_compare() -> None:
    a = {"backend": "x", "overall": {"answer_accuracy": 0.5}, "latency_ms": {"p50": 10.0, "p95": 20.0}}
    b = {"backend": "y", "overall": {"lenient_accuracy": 0.75, "wrong_abstention": 0.2, "strict_accuracy": 0.5},
         "baseline_bm25": {"hit@5": 0.4}, "latency_ms": {"p50": 12.0, "p95": 20.0}}
    assert check(a, {"answer_accuracy": 0.6}) == ["answer_accuracy = 0.5 is below the threshold 0.6"], "old format"
    assert check(b, {"answer_accuracy": 0.6}) == [], "old names read as the new"
    assert check(b, {"min": {"strict_accuracy": 0.5}, "max": {"wrong_abstention": 0.1}}) == [
        "wrong_abstention = 0.2 is above the ceiling 0.1"]
    assert check(a, {"min": {"strict_accuracy": 0.1}}) == ["strict_accuracy = None is below the threshold 0.1"]
    table = compare(a, b)
    assert "| lenient_accuracy | 0.500 | 0.750 | +0.250 |" in table
    assert "| strict_accuracy | - | 0.500 | n/a |" in table
    assert "| plain BM25 hit@5 | - | 0.400 | n/a |" in table


def test_recorded_floors_sit_a_margin_under_the_rates_and_over_the_ceilings() -> None:
    summary = {"overall": {"strict_accuracy": 0.655, "hit@5": 0.9, "wrong_abstention": 0.04,
                           "median_answer_words": 31.0, "mrr": 0.5}}
    got = floors(summary, 0.03)
    assert got == {"min": {"strict_accuracy": 0.62, "hit@5": 0.87},
                   "max": {"wrong_abstention": 0.07, "median_answer_words": 35.0}}
    assert check(summary, got) == []
    no_unanswerable = floors({"overall": {"abstention_precision": 0.5, "hit@1": 0.02, "wrong_abstention": 0.1}})
    assert no_unanswerable == {"min": {}, "max": {"wrong_abstention": 0.13}}, "no precision floor, no zero floor"
    assert floors({"overall": {"abstention_precision": 0.5, "abstention_recall": 0.5}})["min"] == {
        "abstention_precision": 0.47, "abstention_recall": 0.47}
    worse = {"overall": {**summary["overall"], "strict_accuracy": 0.6, "median_answer_words": 36.0}}
    assert len(check(worse, got)) == 2


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
