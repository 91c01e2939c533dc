"""Start `python app.py` as a user would, on a free loopback port over a given home; used by the
UI tests and by `python -m bench.ui`, so neither needs the other.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


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


# Debian's chromium, headless, offline: what the browser tests and `python -m bench.claims_tab` drive.
CHROMIUM = Path(os.environ.get("NEWSQA_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


class AppServer:
    """`python app.py` with NEWSQA_HOME=home (plus any NEWSQA_* given), logging to home/app.log."""

    def __init__(self, home: Path, **env: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log = home / "app.log"
        environment = {**os.environ, "NEWSQA_HOME": str(home), "NEWSQA_PORT": str(self.port), **env}
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=environment,
                                         stdout=out, stderr=subprocess.STDOUT)
        self._wait()

    def _wait(self, timeout: float = 180) -> None:
        if not wait_for_http(self.url, timeout, self._exited):
            self.stop()
            raise RuntimeError(f"app.py did not answer within {timeout:g} s:\n{self.log.read_text()[-3000:]}")

    def _exited(self) -> str | None:
        if self.proc.poll() is None:
            return None
        return f"app.py exited with {self.proc.returncode}:\n{self.log.read_text()[-3000:]}"

    def stop(self) -> None:
        stop_process(self.proc)
