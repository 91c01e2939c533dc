"""The LLM interface and its OpenAI-compatible backend (OpenAI, vLLM, Ollama, llama.cpp server).

Every failure of the server (down, slow, wrong model, garbage) becomes one ``LLMError`` whose
message a user can act on; nothing is retried, so a dead server costs one timeout, not several.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from typing import Any, Protocol

import httpx
import openai

from settings import Settings

CHECK_TIMEOUT = 5.0


class LLMError(Exception):
    """The LLM server could not give an answer; the message says why, for the user."""


class LLMTimeout(LLMError):
    """The whole reply did not arrive within its time budget."""

    def __init__(self, message: str, seconds: float) -> None:
        super().__init__(message)
        self.seconds = seconds


class LLM(Protocol):
    name: str

    def stream(self, messages: list[dict[str, str]], timeout: float | None = None) -> Iterator[str]: ...

    def complete(self, messages: list[dict[str, str]]) -> str: ...

    def check(self) -> tuple[bool, str]: ...


class OpenAICompatibleLLM:
    """Chat completions from any server that speaks the OpenAI API."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.base_url = settings.openai_base_url.rstrip("/")
        self.model = settings.openai_model
        self.name = f"{self.model} at {self.base_url}"
        self.client = openai.OpenAI(
            base_url=self.base_url,
            api_key=settings.openai_api_key or "not-needed",
            timeout=httpx.Timeout(settings.llm_timeout, connect=min(settings.llm_timeout, CHECK_TIMEOUT)),
            max_retries=0,
        )

    def _error(self, exc: Exception) -> LLMError:
        where = f"The LLM server at {self.base_url}"
        if isinstance(exc, openai.APITimeoutError):
            return LLMError(f"{where} did not answer within {self.settings.llm_timeout:g} s.")
        if isinstance(exc, openai.APIConnectionError):
            return LLMError(f"{where} is not reachable ({exc.__cause__ or exc}). "
                            "Check NEWSQA_OPENAI_BASE_URL or start the server.")
        if isinstance(exc, openai.AuthenticationError):
            return LLMError(f"{where} refused the API key (401). Check NEWSQA_OPENAI_API_KEY.")
        if isinstance(exc, openai.NotFoundError):
            return LLMError(f"{where} has no model {self.model!r} or no such endpoint (404). "
                            "Check NEWSQA_OPENAI_MODEL and the base URL (it usually ends in /v1).")
        if isinstance(exc, openai.APIStatusError):
            return LLMError(f"{where} answered with HTTP {exc.status_code}: {str(exc)[:200]}")
        return LLMError(f"{where} returned an unusable response: {str(exc)[:200]}")

    def _create(self, messages: list[dict[str, str]], stream: bool, budget: float | None = None) -> Any:
        client = self.client
        if budget is not None:  # per-request: connect and each read within what is left of the budget
            client = client.with_options(timeout=httpx.Timeout(budget, connect=min(budget, CHECK_TIMEOUT)))
        return client.chat.completions.create(
            model=self.model,
            messages=messages,  # type: ignore[arg-type]
            temperature=0,
            max_tokens=self.settings.llm_max_tokens,
            stream=stream,
        )

    def stream(self, messages: list[dict[str, str]], timeout: float | None = None) -> Iterator[str]:
        """Yield text deltas as the server produces them, all within ``timeout`` seconds (llm_timeout).

        The budget is wall clock from this call to the last token: time to the first token and
        every pause between tokens count. Past it the request is abandoned and ``LLMTimeout``
        raised, however slowly the server keeps trickling tokens.
        """
        budget = self.settings.llm_timeout if timeout is None else timeout
        late = LLMTimeout(f"The LLM server at {self.base_url} did not answer within {budget:g} s.", budget)
        yield from _within(self._deltas(messages, budget), time.monotonic() + budget, late)

    def _deltas(self, messages: list[dict[str, str]], budget: float) -> Iterator[str]:
        try:
            with self._create(messages, stream=True, budget=budget) as chunks:
                for chunk in chunks:
                    choices = getattr(chunk, "choices", None)
                    if not choices:
                        continue
                    delta = getattr(choices[0].delta, "content", None)
                    if delta:
                        yield delta
        except openai.OpenAIError as exc:
            raise self._error(exc) from exc
        except (httpx.HTTPError, ValueError, AttributeError, TypeError) as exc:
            raise LLMError(f"The LLM server at {self.base_url} returned an unusable response: {exc}") from exc

    def complete(self, messages: list[dict[str, str]]) -> str:
        try:
            response = self._create(messages, stream=False)
            text = response.choices[0].message.content
        except openai.OpenAIError as exc:
            raise self._error(exc) from exc
        except (httpx.HTTPError, ValueError, AttributeError, TypeError, IndexError) as exc:
            raise LLMError(f"The LLM server at {self.base_url} returned an unusable response: {exc}") from exc
        if not isinstance(text, str):
            raise LLMError(f"The LLM server at {self.base_url} returned no text.")
        return text

    def check(self) -> tuple[bool, str]:
        """Is the server there and does it serve the model? Answers within about 5 s."""
        try:
            models = self.client.with_options(timeout=CHECK_TIMEOUT).models.list()
            names = [m.id for m in models.data]
        except openai.OpenAIError as exc:
            return False, str(self._error(exc))
        except (httpx.HTTPError, ValueError, AttributeError, TypeError) as exc:
            return False, f"The LLM server at {self.base_url} returned an unusable response: {exc}"
        if names and self.model not in names:
            return True, f"Reachable at {self.base_url}, but it lists {', '.join(names[:5])}, not {self.model!r}."
        return True, f"Reachable: {self.model} at {self.base_url}."


_DONE = object()


def _within(source: Iterator[str], deadline: float, late: LLMTimeout) -> Iterator[str]:
    """Items of ``source`` until ``deadline`` (time.monotonic()), then raises ``late``.

    The source runs in a daemon thread so that a read blocked on the socket cannot hold the
    caller past the deadline; once the caller stops, the thread closes the source (and with it
    the HTTP response, which makes the server stop generating) at its next delta or read timeout.
    """
    items: queue.Queue[object] = queue.Queue()
    stop = threading.Event()

    def pump() -> None:
        try:
            for item in source:
                if stop.is_set():
                    break
                items.put(item)
        except Exception as exc:  # handed over to the caller, who raises it
            items.put(exc)
        finally:
            source.close()  # type: ignore[attr-defined]
            items.put(_DONE)

    threading.Thread(target=pump, daemon=True, name="llm-stream").start()
    try:
        while True:
            try:
                item = items.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise late from None
            if item is _DONE:
                return
            if isinstance(item, Exception):
                raise item
            assert isinstance(item, str)
            yield item
    finally:
        stop.set()
