"""The OpenAI-compatible path, against a real llama.cpp server on loopback (and two fault servers)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

import settings as settings_module
from assistant.service import Assistant
from assistant.types import Answer
from backend.llm import LLMError, OpenAICompatibleLLM
from index.build import Pipeline
from tests.llm_server import FaultServer, closed_port_url

HELLO = [{"role": "user", "content": "Name one colour."}]


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
    s = sample_settings.model_copy(update={"backend": "openai", "openai_base_url": llm_server, "llm_max_tokens": 120})
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


def test_off_topic_question_abstains_without_asking_the_llm(openai_assistant: Assistant) -> None:
    answer = openai_assistant.ask("What is the capital of Australia?")
    assert answer.abstained and "Canberra" not in answer.answer


def test_llm_down_falls_back_to_the_extractive_answer(sample_settings: settings_module.Settings,
                                                       embedder: object) -> None:
    s = sample_settings.model_copy(update={"backend": "openai", "openai_base_url": closed_port_url()})
    bot = Assistant(s, Pipeline(s, embedder))  # type: ignore[arg-type]
    started = time.perf_counter()
    answer = bot.ask("How many troops did South Korea's spy agency say were in Russia's Far East?")
    assert time.perf_counter() - started < 5
    assert "1,500" in answer.answer and answer.citations
    assert any("not reachable" in note for note in answer.flagged)
