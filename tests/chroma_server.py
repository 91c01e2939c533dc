"""A real `chroma run` server on 127.0.0.1 for the server path of the index."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.loopback import free_port, stop_process, wait_for_http

CHROMA = Path(sys.executable).with_name("chroma")


class ChromaServer:
    def __init__(self, path: Path) -> None:
        self.host, self.port = "127.0.0.1", free_port()
        env = {**os.environ, "ANONYMIZED_TELEMETRY": "False", "CHROMA_ANONYMIZED_TELEMETRY": "False"}
        self.log = (path / "chroma.log").open("w")
        self.proc = subprocess.Popen(
            [str(CHROMA), "run", "--path", str(path / "data"), "--host", self.host, "--port", str(self.port)],
            stdout=self.log, stderr=subprocess.STDOUT, env=env,
        )
        if not wait_for_http(f"http://{self.host}:{self.port}/api/v2/heartbeat", 60):
            self.stop()
            raise RuntimeError(f"chroma run did not come up on port {self.port}")

    def stop(self) -> None:
        stop_process(self.proc)
        self.log.close()
