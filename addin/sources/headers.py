"""The header row of an order sheet: where churnkit looks for it, and what it says when it finds none."""
from __future__ import annotations

import dataclasses

from churn_logic import Settings

HEADER_SEARCH_ROWS = 30


@dataclasses.dataclass
class Header:
    sheet: str
    row: int                      # its Excel row number
    texts: dict[str, str]         # field -> the header written above it
    merged: tuple[str, ...]       # merged ranges of the sheet


def no_header_sentence(subject: str, settings: Settings, plural: bool = False, read_as: str = "") -> str:
    named = ", ".join(f"{field} = '{header}'" for field, header in settings.columns.items())
    wanted = ("has a header row" if plural else "has no header row") + " with date, customer and amount columns"
    hint = (f" (looked for the headers you named: {named})" if named else
            f" within its first {HEADER_SEARCH_ROWS} rows{read_as}; name the columns with --date-column, "
            "--customer-column and --amount-column")
    return f"{subject} {wanted}{hint}."
