"""The sales reps' e-mail addresses, for sending each rep their own report.

They come from a sheet named like ``Reps`` (``Sales Reps``, ``业务员``, ``销售员``) with a rep
column and an e-mail column, else from a rep e-mail column on the order sheets
(``Rep Email``, ``Sales Rep Email``, ``业务员邮箱`` …) beside the rep column; where a rep
appears on several rows, the last address given wins.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from churn_logic import SYNONYMS, normalise_header

from ..sources.csv_file import csv_rows
from ..sources.files import open_workbook
from ..sources.headers import HEADER_SEARCH_ROWS
from ..sources.tables import ExcelFileTables, SheetTables, ValueTables

REP_SHEETS = {"reps", "sales reps", "rep", "业务员", "销售员", "销售代表"}
REP_EMAIL_HEADERS = {"rep email", "rep e-mail", "sales rep email", "sales rep e-mail", "salesperson email",
                     "业务员邮箱", "销售员邮箱", "销售邮箱", "业务员email"}
PLAIN_EMAIL_HEADERS = {"email", "e-mail", "mail", "邮箱", "电子邮件", "电子邮箱"}


def rep_addresses(tables: SheetTables, order_sheets: Sequence[str]) -> dict[str, str]:
    """{rep: address} from the reps sheet of ``tables``, else from a rep e-mail column of its order sheets."""
    for name in tables.sheet_names:
        if name.strip().lower() in REP_SHEETS:
            found = _addresses(_rows(tables, name), REP_EMAIL_HEADERS | PLAIN_EMAIL_HEADERS)
            if found:
                return found
    found: dict[str, str] = {}
    for name in order_sheets:
        if name in tables.sheet_names:
            found.update(_addresses(_rows(tables, name), REP_EMAIL_HEADERS))
    return found


def file_tables(path: Path) -> SheetTables:
    """The sheets of an order file: a workbook's, or a .csv file as one sheet named like the file."""
    if path.suffix.lower() != ".csv":
        return ExcelFileTables(open_workbook(path), path.name)
    return ValueTables(path.name, {path.name: (1, csv_rows(path)[0])})


def _addresses(rows: list[Sequence[Any]], email_headers: set[str]) -> dict[str, str]:
    rep_headers = set(SYNONYMS["rep"])
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        headers = [normalise_header(cell) for cell in row]
        rep = next((i for i, h in enumerate(headers) if h in rep_headers), None)
        email = next((i for i, h in enumerate(headers) if h in email_headers), None)
        if rep is not None and email is not None:
            return {r[rep].strip(): r[email].strip() for r in rows[index + 1:]
                    if max(rep, email) < len(r) and r[rep] and r[rep].strip() and r[email] and r[email].strip()}
    return {}


def _rows(tables: SheetTables, name: str) -> list[list[str | None]]:
    _, table = tables.load(name)
    return [list(row.values()) for row in table.to_pylist()]
