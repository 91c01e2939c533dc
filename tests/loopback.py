"""Helpers for the real servers tests start on 127.0.0.1: a free port, waiting until one answers, stopping it."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_http(url: str, timeout: float, died: Callable[[], str | None] = lambda: None) -> bool:
    """True once ``url`` answers 200; False after ``timeout`` s. ``died`` returns why the server is gone, if it is."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        why = died()
        if why:
            raise RuntimeError(why)
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    return False


def stop_process(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
