"""The LLM interface and its OpenAI-compatible backend (OpenAI, vLLM, Ollama, llama.cpp server).

Every failure of the server (down, slow, wrong model, garbage) becomes one ``LLMError`` whose
message a user can act on; nothing is retried, so a dead server costs one timeout, not several.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

import httpx
import openai

from settings import Settings

CHECK_TIMEOUT = 5.0


class LLMError(Exception):
    """The LLM server could not give an answer; the message says why, for the user."""


class LLM(Protocol):
    name: str

    def stream(self, messages: list[dict[str, str]]) -> Iterator[str]: ...

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

    def _create(self, messages: list[dict[str, str]], stream: bool) -> object:
        return self.client.chat.completions.create(
            model=self.model,
            messages=messages,  # type: ignore[arg-type]
            temperature=0,
            max_tokens=self.settings.llm_max_tokens,
            stream=stream,
        )

    def stream(self, messages: list[dict[str, str]]) -> Iterator[str]:
        """Yield text deltas as the server produces them."""
        try:
            chunks = self._create(messages, stream=True)
            for chunk in chunks:  # type: ignore[attr-defined]
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
            text = response.choices[0].message.content  # type: ignore[attr-defined]
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
