"""Progress on the terminal for work that takes a while (reading big workbooks)."""
from __future__ import annotations

import contextlib
import sys
import threading
import time
from typing import Iterator, TextIO


class Progress:
    """Shows a ticking ``message… 12 s`` line on a terminal while a step runs; silent otherwise.

    ``quiet`` silences it; when the stream is not a terminal only steps that take longer
    than ``slow`` seconds are reported, once, when they end.
    """

    def __init__(self, stream: TextIO | None = None, quiet: bool = False, slow: float = 2.0):
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.slow = slow
        self.live = not quiet and getattr(self.stream, "isatty", lambda: False)()

    @contextlib.contextmanager
    def step(self, message: str) -> Iterator[None]:
        if self.quiet:
            yield
            return
        started = time.monotonic()
        done = threading.Event()
        ticker = threading.Thread(target=self._tick, args=(message, started, done), daemon=True)
        if self.live:
            ticker.start()
        try:
            yield
        finally:
            done.set()
            if self.live:
                ticker.join()
            elapsed = time.monotonic() - started
            if self.live or elapsed >= self.slow:
                end = "\r\033[K" if self.live else ""
                self.stream.write(f"{end}{message}… done in {elapsed:.1f} s\n")
                self.stream.flush()

    def _tick(self, message: str, started: float, done: threading.Event) -> None:
        while not done.wait(0.5):
            self.stream.write(f"\r\033[K{message}… {time.monotonic() - started:.0f} s")
            self.stream.flush()
