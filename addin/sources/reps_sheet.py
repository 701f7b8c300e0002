"""The Reps sheet: sales reps the user marks as gone (docs/spec.md "Rep turnover").

A sheet named ``Reps`` (``业务员`` …) with a rep column and a status column; a rep whose status says
gone, left, departed or 离职 is departed whatever their order lines say. Without such a sheet no rep is
marked; a sheet of that name without those columns marks nobody, and the notes say so.
"""
from __future__ import annotations

from ..content.words import LANGUAGES, WORDS
from .tables import SheetTables

HEADER_ROWS = 30          # the header row is looked for in the first rows, as on an order sheet


def _words(key: str) -> set[str]:
    return {word.casefold() for lang in LANGUAGES for word in WORDS[lang]["reps_sheet"][key]}


def gone_reps(tables: SheetTables | None, notes: list[str]) -> tuple[str, ...]:
    """The reps marked as gone on the workbook's Reps sheet (none when there is no such sheet)."""
    names = _words("names")
    sheet = next((s for s in (tables.sheet_names if tables is not None else []) if s.strip().casefold() in names),
                 None)
    if sheet is None:
        return ()
    _, table = tables.load(sheet)
    rows = [[_text(cell) for cell in row.values()] for row in table.to_pylist()]
    rep_words, status_words, gone = _words("rep"), _words("status"), _words("gone")
    for index, row in enumerate(rows[:HEADER_ROWS]):
        headers = [cell.casefold() for cell in row]
        rep = next((i for i, h in enumerate(headers) if h in rep_words), None)
        status = next((i for i, h in enumerate(headers) if h in status_words), None)
        if rep is not None and status is not None:
            return tuple(r[rep] for r in rows[index + 1:]
                         if len(r) > max(rep, status) and r[rep] and r[status].casefold() in gone)
    notes.append(WORDS["en"]["reps_sheet"]["no_header"].format(sheet=sheet))
    return ()


def _text(cell) -> str:
    return "" if cell is None else str(cell).strip()
