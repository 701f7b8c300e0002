"""The sales reps' e-mail addresses, for sending each rep their own report.

They come from a sheet named like ``Reps`` (``Sales Reps``, ``业务员``, ``销售员``) with a rep
column and an e-mail column, else from a rep e-mail column on the order sheets
(``Rep Email``, ``Sales Rep Email``, ``业务员邮箱`` …) beside the rep column; where a rep
appears on several rows, the last address given wins.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from ..sources.csv_file import csv_rows
from ..sources.files import open_workbook
from ..sources.reps_sheet import rep_column_pairs, rep_sheets, sheet_rows
from ..sources.tables import ExcelFileTables, SheetTables, ValueTables

REP_EMAIL_HEADERS = {"rep email", "rep e-mail", "sales rep email", "sales rep e-mail", "salesperson email",
                     "业务员邮箱", "销售员邮箱", "销售邮箱", "业务员email"}
PLAIN_EMAIL_HEADERS = {"email", "e-mail", "mail", "邮箱", "电子邮件", "电子邮箱"}


def rep_addresses(tables: SheetTables, order_sheets: Sequence[str]) -> dict[str, str]:
    """{rep: address} from the reps sheet of ``tables``, else from a rep e-mail column of its order sheets."""
    for name in rep_sheets(tables):
        found = dict(rep_column_pairs(sheet_rows(tables, name), REP_EMAIL_HEADERS | PLAIN_EMAIL_HEADERS))
        if found:
            return found
    found: dict[str, str] = {}
    for name in order_sheets:
        if name in tables.sheet_names:
            found.update(rep_column_pairs(sheet_rows(tables, name), REP_EMAIL_HEADERS))
    return found


def file_tables(path: Path) -> SheetTables:
    """The sheets of an order file: a workbook's, or a .csv file as one sheet named like the file."""
    if path.suffix.lower() != ".csv":
        return ExcelFileTables(open_workbook(path), path.name)
    return ValueTables(path.name, {path.name: (1, csv_rows(path)[0])})
