"""`python app.py` as a user starts it, on a free loopback port, over an index of its own."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.llm_server import free_port

ROOT = Path(__file__).resolve().parent.parent


class AppServer:
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
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"app.py exited with {self.proc.returncode}:\n{self.log.read_text()[-3000:]}")
            try:
                if httpx.get(self.url, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"app.py did not answer within {timeout:g} s:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
