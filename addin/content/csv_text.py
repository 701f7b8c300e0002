"""CSV that spreadsheets open safely: what ``scan --format csv`` and the full lists beside a workbook are written as."""
from __future__ import annotations

import csv
import io
from typing import Any, Sequence

from ..ooxml.worksheet import LIST_SEPARATOR

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def protect_text(value: Any) -> Any:
    """OWASP's defence against CSV injection: a text starting with ``= + - @``, a tab or a carriage return
    gets a leading apostrophe, so that Excel shows it instead of running it. Numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def csv_text(fields: Sequence[str], columns: Sequence[Sequence[Any]]) -> str:
    """A table given a column per field, as CSV the way Excel writes it (line breaks quoted, CRLF), each text kept
    text (``protect_text``), a list in one cell; a missing value (None) as an empty cell."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(fields)
    writer.writerows(zip(*(_cells(column) for column in columns)))
    return out.getvalue()


def _cells(column: Sequence[Any]) -> Sequence[Any]:
    """A column's values as CSV cells: texts protected, lists joined; numbers and None as they are."""
    kinds = set(map(type, column))
    if not any(issubclass(kind, (str, list)) for kind in kinds):     # a str subclass (numpy's str_) is a text too
        return column
    if any(issubclass(kind, list) for kind in kinds):
        column = [LIST_SEPARATOR.join(value) if isinstance(value, list) else value for value in column]
    return list(map(protect_text, column))
