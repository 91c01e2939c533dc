"""`python app.py` as a user starts it, on a free loopback port, over an index of its own (see ui/serve.py)."""

from ui.serve import AppServer

__all__ = ["AppServer"]
