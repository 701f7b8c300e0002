"""A big sheet read in pieces on every core (``addin.sources.sheet_pieces``) gives the very table fastexcel reads
of it whole, on workbooks written by XlsxWriter and by LibreOffice; a sheet that cannot be cut cleanly is read
whole. The pieces here are a few kilobytes, so that small sheets are cut into many."""
from __future__ import annotations

import datetime as dt
import re
import zipfile

import fastexcel
import pyarrow as pa
import pytest
import xlsxwriter

from addin.sources import sheet_pieces
from addin.sources.guard import PackageGuard
from messy_books import random_orders, write_messy_xlsx
from office import convert

PIECE = 4096


@pytest.fixture
def small_pieces(monkeypatch):
    loads = []
    load = sheet_pieces._load
    monkeypatch.setattr(sheet_pieces, "PIECE_BYTES", PIECE)
    monkeypatch.setattr(sheet_pieces, "workers", lambda: 2)
    monkeypatch.setattr(sheet_pieces, "_load", lambda piece, sheet: loads.append(piece) or load(piece, sheet))
    return loads


def _tricky_book(path, date_1904=False):
    """Shared strings and inline texts, dates, numbers, booleans, formulas with and without results, an error,
    gaps between rows, a row wider than the rest, texts that look like XML, a sheet that starts in column C."""
    book = xlsxwriter.Workbook(path, {"date_1904": date_1904})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    orders = book.add_worksheet("Orders")
    orders.write(0, 0, "Order book")
    orders.write_row(2, 0, ["Order No", "Order Date", "Customer", "Amount", "Note"])
    row = 3
    for i in range(400):
        if i % 97 == 5:
            row += 4                                                   # a gap of empty rows
        orders.write_string(row, 0, f"SO{i:05d}")
        orders.write_datetime(row, 1, dt.datetime(2024, 1, 1) + dt.timedelta(days=i), day)
        orders.write_string(row, 2, "00042" if i % 7 == 0 else f"客户 {i % 31}")
        orders.write_number(row, 3, (i * 37 % 1000) / 8 - 20)
        if i % 11 == 0:
            orders.write_string(row, 4, '<row r="1"> & </sheetData>')
        elif i % 13 == 0:
            orders.write_boolean(row, 4, i % 2 == 0)
        elif i % 17 == 0:
            orders.write_formula(row, 4, f"=D{row + 1}*2", None, (i * 37 % 1000) / 4 - 40)
        elif i % 19 == 0:
            orders.write_formula(row, 4, "=1/0", None, "#DIV/0!")
        if i == 333:
            orders.write_string(row, 9, "wider")                       # column J, once
        row += 1
    offset = book.add_worksheet("From C")
    for i in range(300):
        offset.write_row(5 + i, 2, [f"k{i}", i, f"长文本 {i}" * (i % 5)])
    errors = book.add_worksheet("Errors left")                         # columns A and B give no text
    bold = book.add_format({"bold": True})
    for i in range(300):
        errors.write_formula(i, 0, "=1/0", None, "#DIV/0!")
        errors.write_blank(i, 1, None, bold)
        errors.write_row(i, 2, ["" if i % 3 else f"t{i}", i / 7])
    book.close()
    return path


def _whole(path, sheet):
    """The sheet as fastexcel reads it whole, from its first column that holds a value."""
    return sheet_pieces.from_first_value(pa.Table.from_batches([fastexcel.read_excel(str(path)).load_sheet(
        sheet, header_row=None, skip_rows=0, dtypes="string", eager=True)]))


def _pieces(path, sheet):
    guard = PackageGuard(path)
    guard.check_sheet(sheet)
    return sheet_pieces.load_in_pieces(guard.path, guard.sheet_part(sheet), guard.folder, sheet)


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pieces")
    written = _tricky_book(folder / "tricky.xlsx")
    saved = folder / "libreoffice"
    saved.mkdir()
    return {"xlsxwriter": written, "1904": _tricky_book(folder / "tricky-1904.xlsx", date_1904=True),
            "libreoffice": convert(written, saved, "xlsx")}


@pytest.mark.parametrize("made_by", ["xlsxwriter", "1904", "libreoffice"])
@pytest.mark.parametrize("sheet", ["Orders", "From C", "Errors left"])
def test_the_pieces_are_the_whole_sheet(books, made_by, sheet, small_pieces):
    whole = _whole(books[made_by], sheet)
    pieces = _pieces(books[made_by], sheet)
    assert len(small_pieces) > 3                          # it was cut, into many pieces
    assert pieces is not None
    assert pieces.num_rows == whole.num_rows and pieces.num_columns == whole.num_columns
    assert pieces.to_pydict() == whole.rename_columns(pieces.column_names).to_pydict()


def test_a_small_sheet_is_read_whole(books, monkeypatch):
    monkeypatch.setattr(sheet_pieces, "workers", lambda: 2)
    assert _pieces(books["xlsxwriter"], "Orders") is None      # its XML is far below two pieces of 64 MB


def test_one_core_reads_whole(books, small_pieces, monkeypatch):
    monkeypatch.setattr(sheet_pieces, "workers", lambda: 1)
    assert _pieces(books["xlsxwriter"], "Orders") is None and not small_pieces


def _edited(source, target, edit):
    """A copy of the workbook with the Orders sheet's XML changed by ``edit``."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info)
            new.writestr(info.filename, edit(data) if info.filename == "xl/worksheets/sheet1.xml" else data)
    return target


def _moved(xml: bytes, row: int, to: int) -> bytes:
    """The sheet's XML with its ``row``-th row element moved to the ``to``-th place: rows out of order."""
    rows = re.findall(rb"<row .*?</row>", xml, re.S)
    start, end = xml.index(rows[0]), xml.index(rows[-1]) + len(rows[-1])
    moved = rows[:row] + rows[row + 1:]
    moved.insert(to, rows[row])
    return xml[:start] + b"".join(moved) + xml[end:]


@pytest.mark.parametrize("edit", [
    pytest.param(lambda xml: re.sub(rb'(<row\b[^>]*?) r="\d+"', rb"\1", xml), id="rows-without-numbers"),
    pytest.param(lambda xml: re.sub(rb'<row r="(\d+)"', rb'<row spans="1:5" r="\1"', xml), id="number-not-first"),
    pytest.param(lambda xml: _moved(xml, 5, 350), id="a-row-late"),
    pytest.param(lambda xml: _moved(xml, 350, 5), id="a-row-early"),
    pytest.param(lambda xml: _moved(xml, 200, 205), id="a-row-late-in-its-piece"),
    pytest.param(lambda xml: re.sub(rb"<(/?)(?=[a-zA-Z])", rb"<\1x:", xml).replace(b"xmlns=", b"xmlns:x="),
                 id="prefixed-tags"),
])
def test_a_sheet_not_cut_cleanly_is_read_whole(books, tmp_path, small_pieces, edit):
    path = _edited(books["xlsxwriter"], tmp_path / "edited.xlsx", edit)
    assert _whole(path, "Orders").to_pydict() == _whole(books["xlsxwriter"], "Orders").to_pydict()    # it reads
    assert _pieces(path, "Orders") is None


def test_scan_reads_the_same_in_pieces(tmp_path, churnkit, small_pieces, monkeypatch):
    path = tmp_path / "messy.xlsx"
    write_messy_xlsx(random_orders(7), path, 7)
    cut = churnkit("scan", path, "--all", "--format", "json", "--no-cache")
    assert small_pieces
    monkeypatch.setattr(sheet_pieces, "PIECE_BYTES", 1 << 40)
    whole = churnkit("scan", path, "--all", "--format", "json", "--no-cache")
    assert cut.code == whole.code == 0
    assert cut.json()["skipped"] and cut.out == whole.out


def test_a_sheet_starts_at_its_first_column_with_a_value(books, small_pieces):
    """calamine starts a whole sheet at its first cell (here errors and styled blanks, no text), the pieces at
    column A: both start at the first column that holds a value."""
    raw = pa.Table.from_batches([fastexcel.read_excel(str(books["xlsxwriter"])).load_sheet(
        "Errors left", header_row=None, skip_rows=0, dtypes="string", eager=True)])
    pieces = _pieces(books["xlsxwriter"], "Errors left")
    assert raw.num_columns == 4 and pieces.num_columns == 2
    assert pieces.column(0).to_pylist() == raw.column(2).to_pylist()
