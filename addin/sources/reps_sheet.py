"""The Reps sheet: the sales reps' e-mail addresses, and the reps the user marks as gone.

A sheet named like ``Reps`` (``Sales Reps``, ``业务员``, ``销售员``) with a rep column and further columns:
an e-mail column (``addin.report.rep_addresses``), and a status column, where gone, left, departed or 离职
marks a rep as departed whatever their order lines say (docs/spec.md "Rep turnover").
"""
from __future__ import annotations

from typing import Any, Sequence

from churn_logic import SYNONYMS, normalise_header

from .headers import HEADER_SEARCH_ROWS
from .tables import SheetTables

REP_SHEETS = {"reps", "sales reps", "rep", "业务员", "销售员", "销售代表"}
STATUS_HEADERS = {"status", "state", "状态", "在职状态"}
GONE = {"gone", "left", "departed", "inactive", "离职", "已离职", "离开"}


def rep_sheets(tables: SheetTables) -> list[str]:
    """The workbook's sheets named like a Reps sheet."""
    return [name for name in tables.sheet_names if name.strip().lower() in REP_SHEETS]


def sheet_rows(tables: SheetTables, name: str) -> list[list[str | None]]:
    _, table = tables.load(name)
    return [list(row.values()) for row in table.to_pylist()]


def rep_column_pairs(rows: list[Sequence[Any]], headers: set[str]) -> list[tuple[str, str]]:
    """Under the first header row with a rep column and a column named one of ``headers``: (rep, that value)
    of each row where both are filled, trimmed."""
    rep_headers = set(SYNONYMS["rep"])
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        names = [normalise_header(cell) for cell in row]
        rep = next((i for i, h in enumerate(names) if h in rep_headers), None)
        other = next((i for i, h in enumerate(names) if h in headers), None)
        if rep is not None and other is not None:
            return [(r[rep].strip(), r[other].strip()) for r in rows[index + 1:]
                    if max(rep, other) < len(r) and r[rep] and r[rep].strip() and r[other] and r[other].strip()]
    return []


def gone_reps(tables: SheetTables | None) -> tuple[str, ...]:
    """The reps whose status on the workbook's Reps sheet says they are gone (none without such a sheet)."""
    for name in rep_sheets(tables) if tables is not None else []:
        marked = rep_column_pairs(sheet_rows(tables, name), STATUS_HEADERS)
        if marked:
            return tuple(rep for rep, status in marked if status.casefold() in GONE)
    return ()
