"""Plain-text tables that line up in a terminal, Chinese characters included."""
from __future__ import annotations

import itertools
import unicodedata
from typing import Sequence


def width(text: str) -> int:
    """Columns a string takes in a terminal (wide East Asian characters take two)."""
    if text.isascii():
        return len(text)
    return sum(map(_char_width, text))


def _char_width(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def clip(text: str, limit: int) -> str:
    """Shorten text to ``limit`` terminal columns, marking the cut with '…'."""
    if width(text) <= limit:
        return text
    end = next(end for end, used in enumerate(itertools.accumulate(map(_char_width, text))) if used > limit - 1)
    return text[:end] + "…"


_CONTROLS = {code: " " for code in (*range(32), *range(127, 160))}      # a line break in a name splits no row


def render(headers: Sequence[str], rows: Sequence[Sequence[object]], right: Sequence[bool] = (),
           max_width: int = 60) -> str:
    """A table with a header rule; ``right`` marks columns aligned to the right (numbers); a control character
    (a line break, a tab) of a cell shows as a space."""
    cells = [list(headers), *([clip("" if v is None else str(v).translate(_CONTROLS), max_width) for v in row]
                              for row in rows)]
    sizes = [[width(value) for value in row] for row in cells]
    widths = [max(column) for column in zip(*sizes)]

    def line(values: Sequence[str], sizes: Sequence[int]) -> str:
        parts = []
        for i, value in enumerate(values):
            pad = " " * (widths[i] - sizes[i])
            parts.append(pad + value if i < len(right) and right[i] else value + pad)
        return "  ".join(parts).rstrip()

    rule = "  ".join("─" * w for w in widths)
    lines = [line(values, size) for values, size in zip(cells, sizes)]
    return "\n".join([lines[0], rule, *lines[1:]])
