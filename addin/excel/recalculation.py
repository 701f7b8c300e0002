"""One read of the calling workbook per recalculation, for the worksheet functions whose ``orders`` is left out.

Excel calls a worksheet function cell after cell and tells Python nothing about where a recalculation starts
or ends; and such a cell does not depend on the order cells (it names none), so Excel recalculates it only when
asked to (Ctrl+Alt+F9). The rule: calls for the same workbook (its full name) that follow one another with less
than ``GAP_SECONDS`` between the end of one and the start of the next belong to one recalculation, and share
what the first of them read and built; the first call after a longer pause reads the workbook again. What it
reads then is hashed (``model_cache``), so a changed order line gives a new model and unchanged orders the
model already built. A person who edits an order and recalculates always pauses longer than that; a macro that
changes order cells and recalculates within the same second must wait ``GAP_SECONDS`` first (or pass the
orders range, which Excel tracks itself).
"""
from __future__ import annotations

import dataclasses
import time
from typing import Any, Callable, Hashable

GAP_SECONDS = 1.0


@dataclasses.dataclass
class _Burst:
    """The calls of one recalculation of one workbook: what they built (or the problem that stopped them)."""
    ended: float
    built: dict[Hashable, tuple[Any, BaseException | None]] = dataclasses.field(default_factory=dict)


class Recalculations:
    """What the calls of the current recalculation of each workbook share."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self._bursts: dict[str, _Burst] = {}

    def shared(self, workbook: str, key: Hashable, build: Callable[[], Any]) -> Any:
        """``build()`` once per recalculation of ``workbook`` and ``key``; a problem it raised is raised again, so
        that a thousand cells of a workbook without orders read it once too."""
        now = self.clock()
        for name in [n for n, b in self._bursts.items() if now - b.ended > GAP_SECONDS]:
            del self._bursts[name]                 # over: what it read is let go
        burst = self._bursts.setdefault(workbook, _Burst(now))
        try:
            if key not in burst.built:
                try:
                    burst.built[key] = (build(), None)
                except Exception as exc:
                    burst.built[key] = (None, exc)
            value, problem = burst.built[key]
            if problem is not None:
                raise problem.with_traceback(None)
            return value
        finally:
            burst.ended = self.clock()


RECALCULATIONS = Recalculations()
