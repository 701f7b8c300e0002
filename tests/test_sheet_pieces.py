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
    gaps between rows, a row wider than the rest, texts that look like XML; a sheet that starts in column C, one
    with styled empty rows below its data, one whose first two columns give no text."""
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
    below = book.add_worksheet("Styled below")                        # rows and cells with only a style below
    for i in range(200):
        below.write_row(i, 0, [f"ID{i}", i, f"x{i}"])
    for i in range(200, 600):
        below.set_row(i, 18)
        if i % 3 == 0:
            below.write_blank(i, 1, None, book.add_format({"border": 1}))
    errors = book.add_worksheet("Errors left")                         # columns A and B give no text
    bold = book.add_format({"bold": True})
    for i in range(300):
        errors.write_formula(i, 0, "=1/0", None, "#DIV/0!")
        errors.write_blank(i, 1, None, bold)
        errors.write_row(i, 2, ["" if i % 3 else f"t{i}", i / 7])
    book.close()
    return path


def _whole(path, sheet):
    """The sheet as fastexcel reads it whole, from its first column that holds a value to its last row that does."""
    return sheet_pieces.used_range(pa.Table.from_batches([fastexcel.read_excel(str(path)).load_sheet(
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
@pytest.mark.parametrize("sheet", ["Orders", "From C", "Styled below", "Errors left"])
def test_the_pieces_are_the_whole_sheet(books, made_by, sheet, small_pieces):
    whole = _whole(books[made_by], sheet)
    pieces = _pieces(books[made_by], sheet)
    assert len(small_pieces) > 3                          # it was cut, into many pieces
    assert pieces is not None
    assert pieces.num_rows == whole.num_rows and pieces.num_columns == whole.num_columns
    assert pieces.to_pydict() == whole.rename_columns(pieces.column_names).to_pydict()


def test_a_small_sheet_is_read_whole(books, monkeypatch):
    monkeypatch.setattr(sheet_pieces, "workers", lambda: 2)
    assert _pieces(books["xlsxwriter"], "Orders") is None      # its XML is far below two pieces of 128 MB


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


def _retagged(xml: bytes, row: int, tag: bytes) -> bytes:
    """The sheet's XML with the start tag of its ``row``-th row element replaced by ``tag``."""
    rows = re.findall(rb"<row [^>]*>", xml)
    return xml.replace(rows[row], tag, 1)


def _first_cell_names(xml: bytes, row: int, name: bytes) -> bytes:
    """The sheet's XML with the first cell of its ``row``-th row named ``name`` (another row's cell)."""
    rows = re.findall(rb"<row [^>]*><c r=\"[A-Z]+\d+\"", xml)
    return xml.replace(rows[row], re.sub(rb'<c r="[A-Z]+\d+"', b'<c r="' + name + b'"', rows[row]), 1)


def _renumbered(xml: bytes, since: int, by: int) -> bytes:
    """The sheet's XML with the rows from ``since`` on numbered ``by`` more, their cells as they were."""
    return re.sub(rb'<row r="(\d+)"', lambda m: b'<row r="%d"' % (int(m.group(1)) + (by if int(m.group(1)) >= since
                                                                                     else 0)), xml)


@pytest.mark.parametrize("edit, read_whole", [
    pytest.param(lambda xml: re.sub(rb'(<row\b[^>]*?) r="\d+"', rb"\1", xml), True, id="rows-without-numbers"),
    pytest.param(lambda xml: re.sub(rb'<row r="(\d+)"', rb'<row spans="1:5" r="\1"', xml), True,
                 id="number-not-first"),
    pytest.param(lambda xml: _moved(xml, 5, 350), True, id="a-row-late"),
    pytest.param(lambda xml: _moved(xml, 350, 5), True, id="a-row-early"),
    pytest.param(lambda xml: _moved(_retagged(xml, 5, b"<row>"), 5, 350), True, id="a-bare-row-late"),
    pytest.param(lambda xml: _moved(_retagged(xml, 5, b'<row\nr="6">'), 5, 350), True, id="a-row-tag-broken-late"),
    pytest.param(lambda xml: _first_cell_names(xml, 250, b"A3"), True, id="a-cell-of-another-row"),
    pytest.param(lambda xml: _renumbered(xml, 200, 10_000), True, id="rows-numbered-apart-from-cells"),
    pytest.param(lambda xml: _renumbered(xml, 150, 10**20), True, id="row-numbers-too-large"),
    pytest.param(lambda xml: re.sub(rb"<(/?)(?=[a-zA-Z])", rb"<\1x:", xml).replace(b"xmlns=", b"xmlns:x="), True,
                 id="prefixed-tags"),
    pytest.param(lambda xml: _moved(xml, 200, 205), False, id="a-row-late-in-its-piece"),
])
def test_an_odd_sheet_is_read_whole_or_the_same(books, tmp_path, small_pieces, edit, read_whole):
    """Never a table other than the whole read: where a cell may lie outside its piece's rows, the sheet is read
    whole; rows out of order within one piece are read as calamine reads them (sorted)."""
    path = _edited(books["xlsxwriter"], tmp_path / "edited.xlsx", edit)
    whole, pieces = _whole(path, "Orders"), _pieces(path, "Orders")
    assert whole.num_rows > 400
    if read_whole:
        assert pieces is None
    else:
        assert pieces is not None and pieces.to_pydict() == whole.to_pydict()


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


def test_no_room_for_the_pieces_reads_whole(tmp_path, churnkit, small_pieces, monkeypatch):
    """The disk fills up while the pieces are written: the sheet is read whole, with the same result."""
    path = tmp_path / "messy.xlsx"
    write_messy_xlsx(random_orders(3), path, 3)
    whole = churnkit("scan", path, "--all", "--format", "json", "--no-cache")
    copy, written = sheet_pieces.copy_raw, []

    def full_disk(package, info, out):
        written.append(info.filename)
        if len(written) > 10:
            raise OSError(28, "No space left on device")
        copy(package, info, out)
    monkeypatch.setattr(sheet_pieces, "copy_raw", full_disk)
    sheet = next(iter(PackageGuard(path).sheets))                      # the messy book's one sheet
    assert _pieces(path, sheet) is None
    written.clear()
    run = churnkit("scan", path, "--all", "--format", "json", "--no-cache")
    assert len(written) > 10 and run.code == 0 and run.out == whole.out
