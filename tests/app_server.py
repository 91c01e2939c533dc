"""`python app.py` as a user starts it, on a free loopback port, over an index of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.loopback import free_port, stop_process, wait_for_http

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
        if not wait_for_http(self.url, timeout, self._exited):
            self.stop()
            raise RuntimeError(f"app.py did not answer within {timeout:g} s:\n{self.log.read_text()[-3000:]}")

    def _exited(self) -> str | None:
        if self.proc.poll() is None:
            return None
        return f"app.py exited with {self.proc.returncode}:\n{self.log.read_text()[-3000:]}"

    def stop(self) -> None:
        stop_process(self.proc)
