"""Reading a CSV export as an order sheet: its encoding and separator found by looking, every field as text.

UTF-8 (with or without the byte-order mark Excel writes) is tried first; anything else — GB18030
from a Chinese Windows, cp1252 from a Western one (``£``, ``€``) — is recognised by
charset-normalizer, and the notes say which encoding was used. The separator (commas,
semicolons, tabs, vertical bars) is what ``csv.Sniffer`` sees in the first lines.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from churn_logic import RawSheet, Settings, find_header_row

from ..errors import UserError
from .guard import LIMIT_VARIABLE, limit_bytes
from .headers import HEADER_SEARCH_ROWS, Header, no_header_sentence

_DELIMITERS = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "vertical bars"}
_CSV_SAMPLE = 1 << 16
# what Excel writes CSV in on Windows set up for China, the West, Taiwan and Hong Kong, Japan, Korea, Central Europe:
# of readings that make equal sense (a short file of names and amounts often reads as several), these first
_USUAL = ("gb18030", "cp1252", "big5", "cp932", "cp949", "cp1250", "cp1251")


def csv_rows(path: Path) -> tuple[list[list[str]], str, str]:
    """The rows of a CSV file as text, with the separator and the encoding they were read with."""
    size = path.stat().st_size
    if size > limit_bytes():
        raise UserError(f"{path.name} is too large to read: it is {size / 2**20:,.0f} MB, more than the "
                        f"{limit_bytes() / 2**20:,.0f} MB churnkit reads (set {LIMIT_VARIABLE} to change it).")
    text, encoding = _decoded(path)
    delimiter = _delimiter(text[:_CSV_SAMPLE])
    return _rows(path, io.StringIO(text, newline=""), delimiter), delimiter, encoding


def _decoded(path: Path) -> tuple[str, str]:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    import charset_normalizer       # here: only a CSV file that is not UTF-8 needs it (its import takes 25 ms)

    matches = list(charset_normalizer.from_bytes(data))
    if not matches:
        raise UserError(f"{path.name} is not a text file churnkit can read: it is not UTF-8, and its encoding is "
                        "not one charset-normalizer recognises; save it from Excel as CSV UTF-8.")
    least = min(match.chaos for match in matches)         # of the readings that make sense, the likeliest source
    plausible = [match for match in matches if match.chaos <= least]
    found = min(plausible, key=lambda m: _USUAL.index(m.encoding) if m.encoding in _USUAL else len(_USUAL))
    return str(found), found.encoding


def read_csv(path: Path, settings: Settings) -> tuple[RawSheet, Header, list[str]]:
    """The rows of a CSV file, its fields separated by what the file itself uses (commas, semicolons, tabs)."""
    rows, delimiter, encoding = csv_rows(path)
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
    notes = [] if delimiter == "," else [f"Read {path.name} with its fields separated by {separated}."]
    if encoding != "utf-8":
        notes.append(f"Read {path.name} as text in {encoding} (it is not UTF-8).")
    return raw, header, notes


def _delimiter(sample: str) -> str:
    """The field separator of a CSV file, as ``csv.Sniffer`` sees it in its first lines (a comma when unclear)."""
    try:
        return csv.Sniffer().sniff(sample, delimiters="".join(_DELIMITERS)).delimiter
    except csv.Error:
        return ","


def _rows(path: Path, handle, delimiter: str) -> list[list[str]]:
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
