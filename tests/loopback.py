"""Helpers for the real servers tests start on 127.0.0.1 (they live in ui/serve.py, which bench/ uses too)."""

from ui.serve import free_port, stop_process, wait_for_http

__all__ = ["free_port", "stop_process", "wait_for_http"]
