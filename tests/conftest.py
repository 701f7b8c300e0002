"""Shared fixtures: small order workbooks written with openpyxl, and a runner for the command line."""
from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import openpyxl
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from addin.cli import main  # noqa: E402

HEADER = ["Order Date", "Customer ID", "Customer Name", "Amount", "Order No"]


def write_orders(path: Path, rows, header=HEADER, sheet="Orders", extra_sheets=None) -> Path:
    """An order workbook with one header row and ``rows``; ``extra_sheets`` maps names to lists of rows."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    ws.append(header)
    for row in rows:
        ws.append(list(row))
    for cell in (c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=")):
        cell.data_type = "s"     # text that only looks like a formula, as a user typed it
    for name, sheet_rows in (extra_sheets or {}).items():
        other = book.create_sheet(name)
        for row in sheet_rows:
            other.append(list(row))
    book.save(path)
    return path


def monthly_rows(customer, name, values, start=(2024, 1)):
    """One order line on the 10th of each month with a positive value, from ``start`` on."""
    year, month = start
    rows = []
    for i, value in enumerate(values):
        y, m = divmod(month - 1 + i, 12)
        if value:
            rows.append([dt.datetime(year + y, m + 1, 10), customer, name, value, f"SO-{customer}-{i}"])
    return rows


class Run:
    """The result of one ``churnkit`` invocation."""

    def __init__(self, code, out, err):
        self.code, self.out, self.err = code, out, err

    def json(self):
        return json.loads(self.out)


@pytest.fixture(scope="session", autouse=True)
def no_user_line_cache(tmp_path_factory):
    """Nothing the tests run (module fixtures too, set up before ``own_line_cache``) keeps order lines in the
    user's cache."""
    from addin.sources.line_cache import FOLDER_VARIABLE

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(FOLDER_VARIABLE, str(tmp_path_factory.mktemp("session-line-cache")))
        yield


@pytest.fixture(autouse=True)
def own_line_cache(tmp_path_factory, monkeypatch):
    """Each test keeps the order lines it reads in a folder of its own, never in the user's cache."""
    from addin.sources.line_cache import FOLDER_VARIABLE

    monkeypatch.setenv(FOLDER_VARIABLE, str(tmp_path_factory.mktemp("line-cache")))


@pytest.fixture
def churnkit(capsys):
    def run(*argv) -> Run:
        code = main([str(a) for a in argv])
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)
    return run
