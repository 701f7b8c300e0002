"""A1-style cell ranges as Excel writes them in defined names, chart series and sqref lists."""
from __future__ import annotations

import dataclasses
import re

from ..ooxml.worksheet import column_letter

_CELL = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


@dataclasses.dataclass(frozen=True)
class Area:
    """A rectangle of cells (1-based, inclusive), on ``sheet`` when the reference named one."""
    top: int
    left: int
    bottom: int
    right: int
    sheet: str | None = None

    def contains_row(self, row: int) -> bool:
        return self.top <= row <= self.bottom

    def overlaps_columns(self, left: int, right: int) -> bool:
        return self.left <= right and left <= self.right

    def within(self, other: "Area") -> bool:
        return other.top <= self.top and self.bottom <= other.bottom and other.left <= self.left and \
            self.right <= other.right

    def with_bottom(self, bottom: int) -> "Area":
        return dataclasses.replace(self, bottom=bottom)

    def a1(self, absolute: bool = False) -> str:
        """``A1:B2`` (``$A$1:$B$2`` when absolute); one cell as ``A1``."""
        d = "$" if absolute else ""
        first = f"{d}{column_letter(self.left)}{d}{self.top}"
        if (self.top, self.left) == (self.bottom, self.right):
            return first
        return f"{first}:{d}{column_letter(self.right)}{d}{self.bottom}"


def column_number(letters: str) -> int:
    """1 for ``A``, 27 for ``AA``."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def parse_area(text: str) -> Area | None:
    """``'My sheet'!$A$1:$B$2``, ``Sheet1!A1`` or ``A1:B2``; None for anything else (whole columns, names)."""
    sheet = None
    if "!" in text:
        sheet_text, text = text.rsplit("!", 1)
        sheet = sheet_text[1:-1].replace("''", "'") if sheet_text.startswith("'") else sheet_text
    corners = [_CELL.match(part) for part in text.split(":")]
    if not 1 <= len(corners) <= 2 or not all(corners):
        return None
    (left, top), (right, bottom) = [(column_number(m.group(1)), int(m.group(2))) for m in (corners[0], corners[-1])]
    return Area(min(top, bottom), min(left, right), max(top, bottom), max(left, right), sheet)

