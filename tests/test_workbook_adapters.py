"""One conformance test for both adapters of the workbook interface — a file on disk, and a workbook open in Excel
(through the xlwings stand-in) — and the stand-in itself checked against xlwings' own classes."""
import datetime as dt
import inspect

import pytest
import xlwings.main

import fake_xlwings
from addin.content.model import Column, SheetContent, Table
from addin.ooxml.worksheet import Formula
from addin.workbooks.excel_book import ExcelWorkbook
from addin.workbooks.file_book import FileWorkbook
from conftest import HEADER, write_orders

ROWS = [[dt.datetime(2024, 1, 10), "00042", "Acme Ltd", 900.0, "SO-1"],
        [dt.datetime(2024, 2, 10), "C7", "Beta", 120.5, "SO-2"]]


class Adapter:
    """Opens the same workbook through one adapter, again after each save, as a next run would."""

    def __init__(self, kind: str, tmp_path, extra_sheets=None):
        self.kind, self.path = kind, tmp_path / "orders.xlsx"
        if kind == "file":
            write_orders(self.path, ROWS, extra_sheets=extra_sheets)
        else:
            sheets = {"Orders": [HEADER] + ROWS, **(extra_sheets or {})}
            self.book = fake_xlwings.Book(str(self.path), sheets)
        self.workbook = self.open()

    def open(self):
        return FileWorkbook(self.path) if self.kind == "file" else ExcelWorkbook(self.book)

    def reopened(self):
        if self.kind == "file":
            self.workbook.close()
        self.workbook = self.open()
        return self.workbook

    def close(self):
        if self.kind == "file":
            self.workbook.close()


@pytest.fixture(params=["file", "excel"])
def adapter(request, tmp_path):
    opened = Adapter(request.param, tmp_path, {"At-Risk": [["My own list"], ["Customer", "Why"], ["Zeta", "late"]]})
    yield opened
    opened.close()


def _content() -> SheetContent:
    columns = [Column("Customer"), Column("Value", "money"), Column("Notes", "any", user=True)]
    rows = [["00042", 900.0, Formula("=1+1", 2.0)], ["C7", 120.5, "call Monday"]]
    return SheetContent("At-Risk", "At-risk customers", [("As of", "2024-02")], [Table("ChurnAtRisk", columns, rows)])


def test_the_orders_read_as_text_cell_by_cell(adapter):
    tables = adapter.workbook.tables()
    assert {"Orders", "At-Risk"} <= set(tables.sheet_names)
    first_row, table = tables.load("Orders")
    rows = [list(row.values()) for row in table.to_pylist()]
    assert first_row == 1 and rows[0] == HEADER
    assert rows[1] == ["2024-01-10 00:00:00", "00042", "Acme Ltd", "900", "SO-1"]
    assert rows[2][3] == "120.5"


def test_a_sheet_is_written_beside_the_users_marked_and_found_again(adapter):
    workbook = adapter.workbook
    assert workbook.own_sheet("at_risk") is None            # the user's At-Risk is not churnkit's
    assert workbook.put_sheet(_content(), "at_risk") == "At-Risk (churnkit)"
    saved = workbook.save()
    assert (saved.backup is not None) == (adapter.kind == "file")
    again = adapter.reopened()
    assert again.marks() == {"At-Risk (churnkit)": "at_risk"}
    assert again.own_sheet("at_risk") == "At-Risk (churnkit)"
    assert again.table_names("At-Risk (churnkit)") == ["ChurnAtRisk"]
    rows = again.read_rows("At-Risk (churnkit)")
    assert rows[0][0] == "At-risk customers" and rows[1][:2] == ["As of", "2024-02"]
    header = next(i for i, row in enumerate(rows) if row and row[0] == "Customer")
    assert rows[header][:3] == ["Customer", "Value", "Notes"]
    assert rows[header + 1][:2] == ["00042", 900.0] and rows[header + 2][2] == "call Monday"
    formula = rows[header + 1][2]
    assert isinstance(formula, Formula) and formula.text == "=1+1"
    assert again.read_rows("At-Risk")[2][:2] == ["Zeta", "late"]
    assert again.put_sheet(_content(), "at_risk") == "At-Risk (churnkit)"     # replaced where it is, not added


def test_only_an_open_workbook_has_a_selection(adapter):
    if adapter.kind == "excel":
        adapter.book.select("Orders", "B2")
        assert adapter.workbook.selected_value() == "00042"
    else:
        assert adapter.workbook.selected_value() is None


# --- the stand-in is xlwings' object model, as far as churnkit uses it --------------------------------------
PAIRS = [(fake_xlwings.Book, xlwings.main.Book), (fake_xlwings.Sheet, xlwings.main.Sheet),
         (fake_xlwings.Range, xlwings.main.Range), (fake_xlwings.Names, xlwings.main.Names),
         (fake_xlwings.Name, xlwings.main.Name), (fake_xlwings.Tables, xlwings.main.Tables),
         (fake_xlwings.Table, xlwings.main.Table), (fake_xlwings.Charts, xlwings.main.Charts),
         (fake_xlwings.Chart, xlwings.main.Chart), (fake_xlwings.Sheets, xlwings.main.Sheets),
         (fake_xlwings.App, xlwings.main.App), (fake_xlwings.Font, xlwings.main.Font),
         (fake_xlwings.FreezePanes, xlwings.main.FreezePanes)]
# what only the stand-in has: its storage, and the helpers tests read it with
STAND_IN_ONLY = {"cells", "formulas", "calculated", "formats", "colors", "widths", "validations", "frozen", "put",
                 "formula_of", "table_values", "all_tables", "select", "calculations", "alerts", "bounds", "areas",
                 "first", "last", "sheet", "book", "charts", "kwargs", "x_values", "rng", "names", "tables"}


@pytest.mark.parametrize("fake, real", PAIRS, ids=[real.__name__ for _, real in PAIRS])
def test_the_stand_in_has_nothing_xlwings_has_not(fake, real):
    mine = {name for name in vars(fake) if not name.startswith("_")} - STAND_IN_ONLY
    missing = sorted(name for name in mine if not hasattr(real, name))
    assert missing == [], f"{real.__name__} has no {missing}"
    for name in mine:
        ours, theirs = getattr(fake, name), getattr(real, name)
        if inspect.isfunction(ours) and callable(theirs) and not isinstance(theirs, property):
            their_parameters = inspect.signature(theirs).parameters
            if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in their_parameters.values()):
                continue            # xlwings takes any keyword there (Range.options)
            extra = [p for p in inspect.signature(ours).parameters if p not in their_parameters
                     and inspect.signature(ours).parameters[p].kind is not inspect.Parameter.VAR_KEYWORD]
            assert extra == [], f"{real.__name__}.{name} takes no {extra}"
