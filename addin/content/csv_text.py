"""CSV that spreadsheets open safely: what ``scan --format csv`` and the full lists beside a workbook are written as."""
from __future__ import annotations

import csv
import io
from typing import Any, Iterable, Mapping, Sequence

from ..ooxml.worksheet import LIST_SEPARATOR

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def protect_text(value: Any) -> Any:
    """OWASP's defence against CSV injection: a text starting with ``= + - @``, a tab or a carriage return
    gets a leading apostrophe, so that Excel shows it instead of running it. Numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def csv_text(fields: Sequence[str], records: Iterable[Mapping[str, Any]]) -> str:
    """Records as CSV the way Excel writes it (line breaks quoted, CRLF), each text kept text, a list in one cell."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(fields), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({key: protect_text(LIST_SEPARATOR.join(value) if isinstance(value, list) else value)
                      for key, value in record.items()} for record in records)
    return out.getvalue()
