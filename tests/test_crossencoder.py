"""The cross-encoder: a real model, loaded from site-packages, reading question and sentence together."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.crossencoder import get_cross_encoder, model_dir
from assistant.question import analyze
from assistant.scoring import ScoredSentence
from assistant.types import Passage

QUESTION = "Which comedian will host the Academy Awards this year?"
ANSWERS = "Comedian Jimmy Kimmel will host the Academy Awards for a third time on March 12, the Academy said."
TOPICAL = "Comedian Chris Rock was slapped on stage at last year's Academy Awards, a moment that shocked viewers."
OFF_TOPIC = "The central bank raised interest rates by a quarter of a percentage point on Wednesday."


def test_the_model_ships_in_a_package_on_disk() -> None:
    assert (model_dir() / "model.onnx").is_file()
    assert (model_dir() / "tokenizer.json").is_file()


def test_the_sentence_that_answers_scores_above_one_on_the_topic_and_one_off_it() -> None:
    logits = get_cross_encoder().score(QUESTION, [OFF_TOPIC, TOPICAL, ANSWERS])
    assert logits.shape == (3,)
    assert logits[2] > 0 > logits[0]
    assert logits[2] > logits[1] > logits[0]


def test_scores_do_not_depend_on_batching_or_order() -> None:
    """Within a quarter of a logit (of a ~20-logit range): the int8 model quantizes activations with one
    scale per batch. How far a batch moves a score depends on the CPU's int8 instructions: under 0.1 on
    the machines this test was first written on, 0.16 measured on an AVX2-only one (no VNNI)."""
    ce = get_cross_encoder()
    together = ce.score(QUESTION, [ANSWERS, OFF_TOPIC, TOPICAL + " " + TOPICAL])
    alone = np.array([ce.score(QUESTION, [t])[0] for t in (ANSWERS, OFF_TOPIC, TOPICAL + " " + TOPICAL)])
    np.testing.assert_allclose(together, alone, atol=0.25)
    assert (np.argsort(together) == np.argsort(alone)).all()
    assert ce.score(QUESTION, []).shape == (0,)


def test_a_very_long_sentence_is_cut_not_refused() -> None:
    logit = get_cross_encoder().score(QUESTION, [ANSWERS + " " + " ".join([OFF_TOPIC] * 80)])
    assert np.isfinite(logit).all()


def _scored(sentence: str, article: str) -> ScoredSentence:
    passage = Passage(f"{article}:0", article, "Oscars", "Example Wire", "2023-03-01", "", sentence, 0,
                      len(sentence), 1.0)
    return ScoredSentence(passage=passage, start=0, end=len(sentence), text=sentence, dense=0.6, lexical=0.5,
                          score=0.8)


@pytest.mark.parametrize("answer_first", [True, False])
def test_between_equal_sentences_the_lead_is_the_one_that_answers(answer_first: bool) -> None:
    """Same score, same article date and place, one name each: only reading the question with the
    sentence tells Kimmel (hosting) from Rock (slapped last year)."""
    from assistant import leadrank

    q = analyze(QUESTION)
    answers, topical = _scored(ANSWERS, "a1"), _scored(TOPICAL, "a2")
    pool = [answers, topical] if answer_first else [topical, answers]
    cands = leadrank.candidates(q, pool, pool)
    assert len(cands) == 2
    assert {c.features["support"] for c in cands} == {cands[0].features["support"]}  # the vote is a tie
    chosen = leadrank.best(cands)
    assert chosen.sentence is answers and chosen.entity is not None and chosen.entity.text == "Jimmy Kimmel"


def test_the_confidence_of_a_one_sentence_lead_is_mostly_the_cross_encoders_reading() -> None:
    from assistant.extractive import confidence
    from assistant.shape import Lead

    q = analyze(QUESTION)
    best = _scored(ANSWERS, "a1")
    best.score = 0.55  # half-way between the confidence floor and span: 0.5 from the score alone
    lead = Lead(parts=[(ANSWERS, best)], typed=True)
    plain = confidence(q, best, lead)
    assert plain == confidence(q, best, lead, None) == 0.5  # a list lead: the sentence score alone
    sure, unsure = confidence(q, best, lead, 8.0), confidence(q, best, lead, -8.0)
    assert unsure < 0.4 < 0.7 < sure  # shown "low" and "high"
    assert unsure < plain < sure
    logit = float(get_cross_encoder().score(QUESTION, [ANSWERS])[0])
    assert confidence(q, best, lead, logit) > confidence(q, best, lead, float(get_cross_encoder().score(
        QUESTION, [TOPICAL])[0]))


def test_a_sentence_given_twice_gets_one_reading_in_each_place() -> None:
    """Syndicated copies repeat a sentence word for word: it is read once, its logit given to each copy."""
    ce = get_cross_encoder()
    twice = ce.score(QUESTION, [ANSWERS, OFF_TOPIC, ANSWERS])
    once = ce.score(QUESTION, [ANSWERS, OFF_TOPIC])
    assert twice.shape == (3,) and twice[0] == twice[2] > twice[1]
    np.testing.assert_allclose(twice[:2], once, atol=1e-6)
