"""Plain-text tables that line up in a terminal, Chinese characters included."""
from __future__ import annotations

import unicodedata
from typing import Sequence


def width(text: str) -> int:
    """Columns a string takes in a terminal (wide East Asian characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def clip(text: str, limit: int) -> str:
    """Shorten text to ``limit`` terminal columns, marking the cut with '…'."""
    if width(text) <= limit:
        return text
    out = ""
    for ch in text:
        if width(out + ch) > limit - 1:
            break
        out += ch
    return out + "…"


def render(headers: Sequence[str], rows: Sequence[Sequence[object]], right: Sequence[bool] = (),
           max_width: int = 60) -> str:
    """A table with a header rule; ``right`` marks columns aligned to the right (numbers)."""
    cells = [[clip("" if v is None else str(v), max_width) for v in row] for row in rows]
    widths = [max([width(h)] + [width(r[i]) for r in cells]) for i, h in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        parts = []
        for i, value in enumerate(values):
            pad = " " * (widths[i] - width(value))
            parts.append(pad + value if i < len(right) and right[i] else value + pad)
        return "  ".join(parts).rstrip()

    rule = "  ".join("─" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(r) for r in cells)])
