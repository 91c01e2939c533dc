"""The OpenAI-compatible path, against a real llama.cpp server on loopback (and two fault servers)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest

import settings as settings_module
from assistant.citations import resolve, split_answer
from assistant.service import Assistant, answer_messages
from assistant.types import Answer, Passage
from backend.llm import LLMError, LLMTimeout, OpenAICompatibleLLM
from index.build import Pipeline
from index.nlp import parse_one
from tests.llm_server import FaultServer, closed_port_url

HELLO = [{"role": "user", "content": "Name one colour."}]
LONG = [{"role": "user", "content": "Count from 1 to 1000, one number per line, and say nothing else."}]
FAR_EAST = "How many troops did South Korea's spy agency say were in Russia's Far East?"


def llm(url: str, **kw: object) -> OpenAICompatibleLLM:
    return OpenAICompatibleLLM(settings_module.Settings(openai_base_url=url, **kw))  # type: ignore[arg-type]


@pytest.fixture()
def hung() -> Iterator[FaultServer]:
    server = FaultServer("hang")
    yield server
    server.stop()


@pytest.fixture()
def garbage() -> Iterator[FaultServer]:
    server = FaultServer("garbage")
    yield server
    server.stop()


def test_complete_and_stream_against_a_real_server(llm_server: str) -> None:
    client = llm(llm_server, llm_max_tokens=24)
    assert client.complete(HELLO).strip()
    started = time.perf_counter()
    deltas = list(client.stream(HELLO))
    seconds = time.perf_counter() - started
    assert len(deltas) > 1, "tokens arrive as several deltas"
    assert "".join(deltas).strip()
    print(f"\nSmolLM2-135M via llama.cpp: {len(deltas)} deltas in {seconds:.2f} s ({len(deltas) / seconds:.0f}/s)")


def test_check_reports_a_reachable_server(llm_server: str) -> None:
    ok, message = llm(llm_server).check()
    assert ok and "Reachable" in message


def test_wrong_path_is_a_clear_error(llm_server: str) -> None:
    with pytest.raises(LLMError, match=r"404|unusable|no model"):
        llm(llm_server.replace("/v1", "/v2")).complete(HELLO)


def test_server_down_fails_fast_with_a_clear_message() -> None:
    url = closed_port_url()
    client = llm(url, llm_timeout=30)
    started = time.perf_counter()
    with pytest.raises(LLMError, match="not reachable"):
        client.complete(HELLO)
    ok, message = client.check()
    assert not ok and "not reachable" in message
    assert time.perf_counter() - started < 5


def test_hung_server_times_out(hung: FaultServer) -> None:
    client = llm(hung.base_url, llm_timeout=2)
    started = time.perf_counter()
    with pytest.raises(LLMError, match="did not answer within 2 s"):
        list(client.stream(HELLO))
    assert time.perf_counter() - started < 4
    ok, message = client.check()
    assert not ok and message


def test_garbage_response_is_a_clear_error(garbage: FaultServer) -> None:
    with pytest.raises(LLMError, match=r"unusable|HTTP"):
        llm(garbage.base_url).complete(HELLO)


# --- the assistant with the OpenAI-compatible backend -----------------------------------------

@pytest.fixture(scope="module")
def openai_assistant(llm_server: str, sample_settings: settings_module.Settings, embedder: object) -> Assistant:
    s = sample_settings.model_copy(update={"backend": "openai", "openai_base_url": llm_server, "llm_max_tokens": 120,
                                           "llm_timeout": 120})  # prompt processing is slow on a loaded CPU
    return Assistant(s, Pipeline(s, embedder))  # type: ignore[arg-type]


def test_llm_answers_stream_and_every_kept_citation_is_verified(openai_assistant: Assistant) -> None:
    question = "How many troops did South Korea's spy agency say were in Russia's Far East?"
    events = list(openai_assistant.stream(question))
    final = events[-1]
    assert isinstance(final, Answer) and len(events) > 2
    assert not final.abstained and final.answer
    records = openai_assistant.store.records(with_text=True)
    for c in final.citations:  # whatever the small model wrote, only verified, exact quotes survive
        assert records[c.article_id].text[c.start : c.end] == c.quote
    if final.backend == "extractive":
        assert final.flagged, "falling back to the extractive answer is always explained"


def test_off_topic_question_asks_the_llm_and_still_abstains(openai_assistant: Assistant) -> None:
    answer = openai_assistant.ask("What is the capital of Australia?")
    assert answer.abstained and "Canberra" not in answer.answer
    assert answer.flagged, "the LLM was asked (the extractive answerer abstained) and its outcome is noted"


def test_llm_down_falls_back_to_the_extractive_answer(sample_settings: settings_module.Settings,
                                                       embedder: object) -> None:
    s = sample_settings.model_copy(update={"backend": "openai", "openai_base_url": closed_port_url()})
    bot = Assistant(s, Pipeline(s, embedder))  # type: ignore[arg-type]
    started = time.perf_counter()
    answer = bot.ask("How many troops did South Korea's spy agency say were in Russia's Far East?")
    assert time.perf_counter() - started < 5
    assert "1,500" in answer.answer and answer.citations
    assert any("not reachable" in note for note in answer.flagged)


# --- the whole reply is bounded by llm_timeout, against the real server ----------------------

def test_a_long_stream_is_cut_at_the_time_budget(llm_server: str) -> None:
    client = llm(llm_server, llm_max_tokens=300)
    list(client.stream(LONG, timeout=120))  # the server now has the prompt cached: later runs only generate
    runs = []
    for _ in range(2):  # the faster of two: a run slowed by a busy CPU must not set a budget a later run beats
        started = time.perf_counter()
        whole = list(client.stream(LONG, timeout=120))
        runs.append(time.perf_counter() - started)
    took = min(runs)
    assert len(whole) >= 10, "the prompt asks for a long reply"
    budget = max(0.2, round(took / 3, 1))  # a third of what the whole reply takes on this (shared) CPU
    cut = None
    for _ in range(3):  # a CPU busy while the reply was timed may be idle now, and the reply come within a
        # third of that time: then a third of the budget
        got: list[str] = []
        started = time.perf_counter()
        try:
            for delta in client.stream(LONG, timeout=budget):
                got.append(delta)
        except LLMTimeout as exc:
            cut = exc
            break
        budget = max(0.1, round(budget / 3, 1))
    seconds = time.perf_counter() - started
    assert cut is not None, "the whole reply came within the budget, three times"
    assert f"did not answer within {budget:g} s" in str(cut)
    print(f"\nstream cut after {seconds:.2f} s (budget {budget:g} s, whole reply {took:.2f} s), {len(got)} deltas")
    assert seconds < budget + 0.5
    assert 0 < len(got) < len(whole), "tokens were arriving: the budget counts the time between tokens too"
    assert client.complete(HELLO).strip(), "the abandoned request does not wedge the server"


def test_the_assistant_shows_the_extractive_answer_when_the_llm_runs_past_its_budget(
    llm_server: str, sample_settings: settings_module.Settings, embedder: object
) -> None:
    s = sample_settings.model_copy(update={"backend": "openai", "openai_base_url": llm_server,
                                           "llm_max_tokens": 3000, "llm_timeout": 0.5})
    bot = Assistant(s, Pipeline(s, embedder))  # type: ignore[arg-type]
    extractive = Assistant(sample_settings, Pipeline(sample_settings, embedder))  # type: ignore[arg-type]
    extractive.ask(FAR_EAST)  # warm both: time only what the LLM budget adds
    bot.ask(FAR_EAST)
    started = time.perf_counter()
    baseline = extractive.ask(FAR_EAST)
    without_llm = time.perf_counter() - started
    started = time.perf_counter()
    answer = bot.ask(FAR_EAST)
    seconds = time.perf_counter() - started
    print(f"\nwith a 0.5 s LLM budget: {seconds:.2f} s (extractive alone {without_llm:.2f} s)")
    assert "LLM timed out after 0.5 s; extractive answer shown." in answer.flagged
    assert answer.answer == baseline.answer and answer.backend == "extractive" and not answer.abstained
    assert seconds < without_llm + 0.5 + 0.5


# --- prompts against the real server, and what verification keeps of the reply ---------------

def test_the_answer_prompt_numbers_every_passage_and_the_server_streams_a_reply(
    llm_server: str, openai_assistant: Assistant
) -> None:
    passages = openai_assistant.ask(FAR_EAST).passages
    numbered = {i + 1: p for i, p in enumerate(passages)}
    messages = answer_messages(FAR_EAST, numbered)
    prompt = "\n".join(m["content"] for m in messages)
    assert len(numbered) >= 3 and FAR_EAST in prompt
    assert all(f"[{n}] {p.title}" in prompt for n, p in numbered.items())
    started = time.perf_counter()
    deltas = list(llm(llm_server, llm_max_tokens=160).stream(messages, timeout=180))
    seconds = time.perf_counter() - started
    print(f"\nprompt of {len(prompt)} characters; reply of {len(deltas)} deltas in {seconds:.1f} s")
    reply = "".join(deltas)
    assert len(deltas) > 1 and reply.strip()
    text, citations, flagged = resolve(reply, numbered)
    sentences = split_answer(reply)
    print(f"\nSmolLM2 reply: {reply!r}\nkept: {text!r}\nflagged: {flagged}")
    assert sentences, "the reply has sentences to verify"
    # What was kept, with the citations verification gave it: the model may put a marker before its
    # sentence ("[1] X. [2] Y."), so the raw reply's pairing of sentences and markers is not the kept one.
    by_n = {c.n: c for c in citations}
    kept = split_answer(text)
    for sentence, markers in kept:  # every number and name of a kept sentence is in a passage it cites
        cited = " ".join(by_n[m].passage for m in markers if m in by_n).lower()
        assert markers and cited, f"kept without a citation: {sentence!r}"
        assert all(n.replace(",", "") in cited.replace(",", "") for n in re.findall(r"\d[\d,]*\d|\d", sentence))
        names = [e.text for e in parse_one(sentence).ents if e.label_ in {"PERSON", "ORG", "GPE"}]
        assert all(w.lower() in cited for name in names for w in re.findall(r"[A-Za-z]+", name))
    kept_sentences = {_unmarked(s) for s, _ in kept}
    for sentence, _markers in sentences:
        if _unmarked(sentence) not in kept_sentences:
            assert any(_unmarked(sentence) in note for note in flagged), f"dropped without a reason: {sentence!r}"


def _unmarked(sentence: str) -> str:
    return re.sub(r"\s*\[\d+\]", "", sentence).strip()


# --- verification on replies the real server cannot be made to write (strings, not mocks) -----

def _p(text: str, article: str = "a") -> Passage:
    return Passage("c1", article, "T", "S", "2025-03-02", "", text, 0, len(text))


MARKET = {
    1: _p("Acme Corp said quarterly revenue rose to $3,000 million, and chief executive Dana Ruiz called it a record."),
    2: _p("The Tigers beat the Hawks 3-1 in Boston on Sunday, their 12th straight win.", "b"),
}


def test_a_trailing_citation_sentence_cites_the_sentences_before_it() -> None:
    text, citations, flagged = resolve(
        "Acme Corp said quarterly revenue rose to $3,000 million. Dana Ruiz called it a record. "
        "This is supported by passage [1].", MARKET)
    assert text == "Acme Corp said quarterly revenue rose to $3,000 million. [1] Dana Ruiz called it a record. [1]"
    assert not flagged and [c.article_id for c in citations] == ["a"]


@pytest.mark.parametrize("marker", ["[1][2]", "[1, 2]", "(passages 1 and 2)", "[Passage 2]", "(passage 2)"])
def test_citation_forms_a_model_writes_are_all_read(marker: str) -> None:
    text, citations, flagged = resolve(f"The Tigers beat the Hawks in Boston {marker}.", MARKET)
    assert not flagged and text.startswith("The Tigers beat the Hawks in Boston. [")
    assert "b" in {c.article_id for c in citations}
    assert "passage" not in text.lower() and "(" not in text


def test_markers_opening_a_line_cite_that_line_and_opening_a_sentence_cite_the_one_before() -> None:
    assert split_answer("[2] The Tigers won.\n[1] Acme grew. [2] Dana Ruiz spoke.\n[1]") == [
        ("The Tigers won.", [2]), ("Acme grew.", [1, 2]), ("Dana Ruiz spoke.", [1])]


def test_a_number_the_cited_passage_does_not_state_drops_the_sentence_with_the_reason() -> None:
    text, _, flagged = resolve("The Tigers have won 15 straight games [2]. The Tigers beat the Hawks 3-1 [2].", MARKET)
    assert text == "The Tigers beat the Hawks 3-1. [1]"
    assert flagged == ['Dropped "The Tigers have won 15 straight games.": states 15, cited passage [2] does not.']
    text, _, flagged = resolve("Quarterly revenue rose to 3,000 million [1]. Revenue rose to 1,500 million [1].",
                               MARKET)
    assert text == "Quarterly revenue rose to 3,000 million. [1]"
    assert flagged == ['Dropped "Revenue rose to 1,500 million.": states 1,500 million, cited passage [1] does not.']


def test_numbers_match_in_any_notation() -> None:
    text, _, flagged = resolve("Acme said revenue rose to $3000 million [1]. Acme said revenue rose to 3 billion [1].",
                               MARKET)
    assert not flagged and text.count("[1]") == 2


def test_a_name_the_cited_passage_does_not_state_drops_the_sentence() -> None:
    text, _, flagged = resolve("Chief executive John Smith called the revenue a record [1]. "
                               "Dana Ruiz called the revenue a record [1]. The Tigers beat the Hawks in Boston [1].",
                               MARKET)
    assert text == "Dana Ruiz called the revenue a record. [1]"
    assert flagged[0] == 'Dropped "Chief executive John Smith called the revenue a record.": names John Smith, ' \
                         "cited passage [1] does not."
    assert "names" in flagged[1] and "Boston" in flagged[1]


def test_demonyms_and_acronyms_count_as_named() -> None:
    passages = {1: _p("Germany's Federal Statistical Office said prices rose 2.4% in March.")}
    text, _, flagged = resolve("Germany's FSO said prices rose 2.4% in March [1]. "
                               "German prices rose 2.4% in March, the Federal Statistical Office said [1].", passages)
    assert not flagged and text.count("[1]") == 2
