"""What every command-line entry point shares: a quiet exit when its reader goes away."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable


def run(main: Callable[[], int]) -> int:
    """``main()``'s exit code; a closed pipe (``... | head``) ends the command quietly, with 0.

    Python would print a BrokenPipeError traceback, twice: once for the write, once more when
    it flushes stdout at exit. Pointing stdout at /dev/null stops the second one.
    """
    try:
        code = main()
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
