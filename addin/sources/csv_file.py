"""Reading a CSV export as an order sheet: its encoding and separator found by looking (UTF-8 or GB18030;
commas, semicolons, tabs, vertical bars), every field as text."""
from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from churn_logic import RawSheet, Settings, find_header_row

from ..errors import UserError
from .guard import LIMIT_VARIABLE, limit_bytes
from .headers import HEADER_SEARCH_ROWS, Header, no_header_sentence

_DELIMITERS = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "vertical bars"}
_CSV_SAMPLE = 1 << 16


def read_csv(path: Path, settings: Settings) -> tuple[RawSheet, Header, list[str]]:
    """The rows of a CSV file, its fields separated by what the file itself uses (commas, semicolons, tabs)."""
    size = path.stat().st_size
    if size > limit_bytes():
        raise UserError(f"{path.name} is too large to read: it is {size / 2**20:,.0f} MB, more than the "
                        f"{limit_bytes() / 2**20:,.0f} MB churnkit reads (set {LIMIT_VARIABLE} to change it).")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            with path.open(newline="", encoding=encoding) as handle:
                delimiter = _delimiter(handle.read(_CSV_SAMPLE))
                handle.seek(0)
                rows = _csv_rows(path, handle, delimiter)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UserError(f"{path.name} is not a text file in UTF-8 or GB18030.")
    if not any(any(cell.strip() for cell in row) for row in rows):
        raise UserError(f"{path.name} is empty: it has no rows to read.")
    separated = _DELIMITERS[delimiter]
    found = find_header_row(rows[:HEADER_SEARCH_ROWS], settings.columns)
    if found is None:
        raise UserError(no_header_sentence(
            path.name, settings, read_as=f" (its fields read as separated by {separated}; to give another "
                                         "separator, save it from Excel as CSV UTF-8, comma delimited)"))
    header_index, columns = found
    body = rows[header_index + 1:]
    cells = {field: pd.Series([row[pos] if pos < len(row) else None for row in body], dtype=object)
             for field, pos in columns.items()}
    raw = RawSheet(path.name, pd.RangeIndex(header_index + 2, len(rows) + 1).to_numpy(), cells)
    texts = {field: rows[header_index][pos].strip() for field, pos in columns.items()}
    header = Header(path.name, header_index + 1, texts, ())
    return raw, header, [] if delimiter == "," else [f"Read {path.name} with its fields separated by {separated}."]


def _delimiter(sample: str) -> str:
    """The field separator of a CSV file, as ``csv.Sniffer`` sees it in its first lines (a comma when unclear)."""
    try:
        return csv.Sniffer().sniff(sample, delimiters="".join(_DELIMITERS)).delimiter
    except csv.Error:
        return ","


def _csv_rows(path: Path, handle, delimiter: str) -> list[list[str]]:
    reader = csv.reader(handle, delimiter=delimiter)
    rows: list[list[str]] = []
    ended = 0
    try:
        for row in reader:
            rows.append(row)
            ended = reader.line_num
    except csv.Error as exc:
        why = f"a field of more than {csv.field_size_limit():,} characters, most likely a quote mark (\") that is " \
              "never closed" if "field larger than field limit" in str(exc) else str(exc)
        raise UserError(f"{path.name} cannot be read from line {ended + 1} on: {why}; fix that line and run again.") \
            from exc
    return rows
