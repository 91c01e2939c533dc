"""One typed settings object for every layer (index, assistant, UI, evals).

Values come, in order of precedence, from environment variables prefixed ``NEWSQA_``
(e.g. ``NEWSQA_OPENAI_BASE_URL``), then from a TOML file (``newsqa.toml`` in the working
directory, or the path in ``NEWSQA_CONFIG``), then from the defaults below.

Importing this module also switches off everything that would phone home (Chroma, Gradio and
Hugging Face telemetry/hub access) and points tiktoken and NLTK at the files llama-index ships,
because that must happen before those libraries are first imported.
"""

from __future__ import annotations

import importlib.util
import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

ROOT = Path(__file__).resolve().parent
BUNDLED_CORPUS = ROOT / "data" / "articles"
PROMPTS_DIR = ROOT / "prompts"


def _offline_environment() -> None:
    """Make every library we use work with no network, before any of them is imported."""
    for key, value in {
        "ANONYMIZED_TELEMETRY": "False",
        "GRADIO_ANALYTICS_ENABLED": "False",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "DO_NOT_TRACK": "1",
    }.items():
        os.environ.setdefault(key, value)
    spec = importlib.util.find_spec("llama_index.core")
    if spec and spec.submodule_search_locations:
        static = Path(spec.submodule_search_locations[0]) / "_static"
        os.environ.setdefault("TIKTOKEN_CACHE_DIR", str(static / "tiktoken_cache"))
        os.environ.setdefault("NLTK_DATA", str(static / "nltk_cache"))


_offline_environment()


class Settings(BaseSettings):
    """Everything a user can configure. Paths are relative to the working directory."""

    model_config = SettingsConfigDict(env_prefix="NEWSQA_", extra="ignore")

    # --- index / storage -------------------------------------------------------------------
    home: Path = Field(Path(".newsqa"), description="Folder for the local index and state.")
    collection: str = Field("articles", description="Chroma collection name prefix.")
    chroma_host: str | None = Field(None, description="Chroma server host; unset = embedded.")
    chroma_port: int = 8000
    chunk_tokens: int = Field(400, description="Chunk size in embedder tokens (sentences are embedded one by one, "
                              "so a chunk may be larger than the model's 256-token window).")
    chunk_overlap: int = Field(32, description="Overlap between chunks, in embedder tokens.")
    embed_batch_tokens: int = Field(1024, description="Padded tokens per embedding batch (small ones stay in cache).")
    embed_threads: int = Field(0, description="ONNX Runtime intra-op threads; 0 = all cores.")
    cache_dir: Path | None = Field(None, description="Where the int8 model derived at first use is kept; "
                                   "unset = $XDG_CACHE_HOME/newsqa or ~/.cache/newsqa.")
    max_file_mb: float = Field(20.0, description="Files larger than this are skipped.")
    max_article_chars: int = Field(300_000, description="Articles longer than this are skipped (~70k tokens, "
                                   "about 15 s of embedding on 2 cores; the longest long reads are ~200k).")
    claims_extractor: Literal["rules", "llm"] = Field(
        "rules", description="Who-said-what extraction: offline rules, or the OpenAI-compatible server below."
    )

    # --- retrieval / answering -------------------------------------------------------------
    top_k: int = Field(8, description="Passages handed to the answerer.")
    candidates: int = Field(30, description="Candidates taken from each retriever before fusion.")
    rerank: bool = Field(True, description="Rescore fused candidates at sentence level.")
    rerank_depth: int = Field(16, description="Fused candidates rescored at sentence level.")
    backend: Literal["extractive", "openai"] = "extractive"
    openai_base_url: str = "http://127.0.0.1:8080/v1"
    openai_model: str = "local"
    openai_api_key: str = Field("not-needed", repr=False)
    llm_timeout: float = Field(30.0, description="Seconds before an LLM request is abandoned.")
    llm_max_tokens: int = 400
    max_question_chars: int = 2000

    # --- UI --------------------------------------------------------------------------------
    host: str = "127.0.0.1"
    port: int = 7860
    username: str | None = None
    password: str | None = Field(None, repr=False)
    max_upload_mb: float = 5.0

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = Path(os.environ.get("NEWSQA_CONFIG", "newsqa.toml"))
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file))

    @property
    def chroma_path(self) -> Path:
        return self.home / "chroma"

    @property
    def chunking(self) -> str:
        """How articles are cut into chunks, as the index records it: a build with another re-chunks them."""
        return f"{self.chunk_tokens}/{self.chunk_overlap}"

    @property
    def store_label(self) -> str:
        if self.chroma_host:
            return f"chroma server http://{self.chroma_host}:{self.chroma_port}"
        return f"chroma at {self.chroma_path.resolve()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests and tools may build their own ``Settings(...)``."""
    return Settings()
