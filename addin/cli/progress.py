"""Progress on the terminal for work that takes a while (reading big workbooks)."""
from __future__ import annotations

import contextlib
import sys
import threading
import time
from typing import Iterator, TextIO


class Progress:
    """Shows a ticking ``message… 12 s`` line on a terminal while a step runs, and how long it took.

    Silent when ``quiet``, and when the stream is not a terminal (a log or a pipe gets the results only,
    so what a run prints does not depend on how fast the machine is).
    """

    def __init__(self, stream: TextIO | None = None, quiet: bool = False):
        self.stream = stream or sys.stderr
        self.live = not quiet and getattr(self.stream, "isatty", lambda: False)()

    @contextlib.contextmanager
    def step(self, message: str) -> Iterator[None]:
        if not self.live:
            yield
            return
        started = time.monotonic()
        done = threading.Event()
        ticker = threading.Thread(target=self._tick, args=(message, started, done), daemon=True)
        ticker.start()
        try:
            yield
        finally:
            done.set()
            ticker.join()
            self.stream.write(f"\r\033[K{message}… done in {time.monotonic() - started:.1f} s\n")
            self.stream.flush()

    def _tick(self, message: str, started: float, done: threading.Event) -> None:
        while not done.wait(0.5):
            self.stream.write(f"\r\033[K{message}… {time.monotonic() - started:.0f} s")
            self.stream.flush()
