"""Scale-out: app processes on different homes sharing one real `chroma run` server see each
other's writes through the index's stamp in Chroma, without a restart."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import settings as settings_module
from index.bm25 import bm25_dir
from index.build import Pipeline, build
from index.embedder import Embedder
from index.reader import open_store
from index.store import STAMP_TTL
from ui import library
from ui.serve import AppServer

ARTICLE = """---
title: Port Elsworth opens a tidal power plant
source: Coastal Gazette
published: 2025-03-04
---
The harbour town of Port Elsworth opened a tidal power plant on Tuesday.

The plant, built by Marlow Tidal Systems, will supply 12,000 homes with electricity, chief engineer
Ingrid Vasquez said at the opening. "The tide never takes a day off," Vasquez told reporters.
"""
QUESTION = "How many homes will the Port Elsworth tidal plant supply?"


def _server_settings(home: Path, host: str, port: int, collection: str) -> settings_module.Settings:
    return settings_module.Settings(home=home, chroma_host=host, chroma_port=port, collection=collection)


def test_a_write_on_one_home_moves_the_stamp_another_home_reads(
    tmp_path: Path, chroma_server: tuple[str, int], embedder: Embedder
) -> None:
    s_a = _server_settings(tmp_path / "a", *chroma_server, "stamps")
    reader = open_store(_server_settings(tmp_path / "b", *chroma_server, "stamps"))
    before, fingerprint = reader.stamp(fresh=True), reader.fingerprint()
    assert before and reader.owns(before)
    assert reader.fingerprint() == fingerprint and reader.stamp() == before, "no write, nothing moves"
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "tide.md").write_text(ARTICLE)
    build([tmp_path / "in"], s_a, progress=False, pipeline=Pipeline(s_a, embedder))
    time.sleep(STAMP_TTL)
    after = reader.stamp()
    assert after != before and reader.owns(after)
    assert reader.fingerprint() != fingerprint, "the fingerprint is scanned again once the stamp moved"


def _ask(url: str, question: str) -> dict[str, Any]:
    from gradio_client import Client

    return dict(Client(url, verbose=False).predict(question, api_name="/ask"))


def _get(url: str, api: str, *args: Any) -> list[dict[str, Any]]:
    from gradio_client import Client

    return list(Client(url, verbose=False).predict(*args, api_name=api))


def test_two_app_processes_on_one_chroma_server_see_each_others_uploads_and_deletes(
    tmp_path: Path, chroma_server: tuple[str, int], embedder: Embedder
) -> None:
    host, port = chroma_server
    s_a = _server_settings(tmp_path / "a", host, port, "twoapps")
    s_b = _server_settings(tmp_path / "b", host, port, "twoapps")
    build(None, s_a, progress=False, pipeline=Pipeline(s_a, embedder))  # the bundled corpus, through home a
    env = {"NEWSQA_CHROMA_HOST": host, "NEWSQA_CHROMA_PORT": str(port), "NEWSQA_COLLECTION": "twoapps"}
    (tmp_path / "a").mkdir(exist_ok=True)
    (tmp_path / "b").mkdir()
    app_a, app_b = AppServer(tmp_path / "a", **env), AppServer(tmp_path / "b", **env)
    try:
        bm25_stamp = bm25_dir(s_b) / "FINGERPRINT"
        started_with = bm25_stamp.read_text()
        assert len(_get(app_b.url, "/articles")) == 5
        assert _ask(app_b.url, QUESTION)["abstained"], "not indexed yet"

        upload = tmp_path / "tidal-plant.md"
        upload.write_text(ARTICLE)
        added = library.add_uploads([upload], s_a, Pipeline(s_a, embedder))  # the Library tab's upload, home a
        assert added.added and not added.problems, added.message()
        time.sleep(STAMP_TTL)
        listed = {r["id"]: r["title"] for r in _get(app_b.url, "/articles")}
        assert len(listed) == 6
        new_id = next(i for i, title in listed.items() if title.startswith("Port Elsworth"))
        for app in (app_b, app_a):
            got = _ask(app.url, QUESTION)
            assert "12,000" in got["answer"] and got["citations"][0]["article_id"] == new_id, got
        assert bm25_stamp.read_text() != started_with, "app b rebuilt BM25 from the server's chunks"
        assert {c["article_id"] for c in _get(app_b.url, "/claims", "Vasquez", "", False)} == {new_id}

        removed = library.remove_article(open_store(s_a), new_id, s_a)  # the Library tab's delete, home a
        assert removed.startswith("Removed"), removed
        time.sleep(STAMP_TTL)
        assert new_id not in {r["id"] for r in _get(app_b.url, "/articles")}
        got = _ask(app_b.url, QUESTION)
        assert new_id not in {c["article_id"] for c in got["citations"]} and "12,000" not in got["answer"], got
        assert _get(app_b.url, "/claims", "Vasquez", "", False) == []
        assert bm25_stamp.read_text() == started_with, "BM25 is back to the five sample articles"
    finally:
        app_a.stop()
        app_b.stop()
