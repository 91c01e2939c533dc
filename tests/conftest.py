"""Shared fixtures: the real embedder, and the bundled corpus indexed once into a real Chroma."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import settings as settings_module
from index.build import Pipeline, build
from index.embedder import Embedder, get_embedder


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return get_embedder()


@pytest.fixture(scope="session")
def sample_settings(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> settings_module.Settings:
    """Settings whose home holds the bundled sample corpus, indexed (embedded Chroma)."""
    home = tmp_path_factory.mktemp("sample-index")
    s = settings_module.Settings(home=home)
    report = build(None, s, progress=False, pipeline=Pipeline(s, embedder))
    assert len(report.added) == 5, report.summary()
    return s


@pytest.fixture(scope="session")
def sample_assistant(sample_settings: settings_module.Settings, embedder: Embedder) -> Iterator[object]:
    from assistant.service import Assistant

    yield Assistant(sample_settings, Pipeline(sample_settings, embedder))


@pytest.fixture()
def corpus_copy(tmp_path: Path) -> Path:
    """A writable copy of the bundled corpus, for tests that change articles."""
    dest = tmp_path / "articles"
    dest.mkdir()
    for f in settings_module.BUNDLED_CORPUS.iterdir():
        (dest / f.name).write_bytes(f.read_bytes())
    return dest


@pytest.fixture(scope="session")
def llm_server() -> Iterator[str]:
    """A real OpenAI-compatible server (llama.cpp + SmolLM2-135M GGUF) on 127.0.0.1; yields its /v1 URL."""
    from tests.llm_server import RealLLMServer

    server = RealLLMServer()
    yield server.base_url
    server.stop()


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """A real `chroma run` server on 127.0.0.1; yields (host, port)."""
    from tests.chroma_server import ChromaServer

    server = ChromaServer(tmp_path_factory.mktemp("chroma-server"))
    yield server.host, server.port
    server.stop()
