"""A big sheet read on every core: its XML cut between rows into pieces, each loaded by fastexcel at once.

calamine reads one sheet on one core, and a million-line sheet keeps it busy for seconds while the other cores
wait. No kept library reads a sheet in parallel, so this is done by hand, at the zip level: the sheet's part is
inflated once, cut at ``<row`` tags (a tag cannot stand inside a cell's text, where ``<`` is written ``&lt;``),
and each piece becomes a workbook of its own in a temporary folder: the workbook's top-level parts (its sheet
list, styles, shared strings), copied as they are packed, and the sheet's opening, the piece's rows and a close,
stored unpacked. A piece is loaded as soon as it is written, while the next is written.

Each piece but the first gets an anchor cell in column A of the row above its first row, and each but the last
one in the next piece's first row, so that every piece is laid out from column A and its rows are known to be
its own: loaded from row 1, the rows above its anchor must hold nothing, and it must end at its closing anchor.
A cell outside its piece's rows (rows out of order, which Office does not allow: "rows must appear in ascending
order", MS-OI29500 2.1.873; a row or cell that names another row) fails that, and so does a sheet not laid out
as Excel writes it (no ``<sheetData>``, prefixed tags, a row whose number is not its first attribute); then, or
when a piece cannot be written or loaded, ``None`` says to read the sheet whole, which reads what such a sheet
holds or says what is wrong with it. The pieces joined are the sheet from its first column that holds a value to
its last row that does (``used_range``), as a whole sheet read is made to be too.
"""
from __future__ import annotations

import os
import re
import tempfile
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterator

import fastexcel
import pyarrow as pa
import pyarrow.compute as pc
from isal import isal_zlib

from ..ooxml.zip_parts import copy_raw, raw_bytes
from .guard import EXCEL_ROWS

PIECE_BYTES = 128 << 20                # XML bytes per piece: the grid calamine holds while a piece is loaded
_DATA_OPEN, _DATA_CLOSE, _ROW = b"<sheetData>", b"</sheetData>", b"<row "
_ROW_NUMBER = re.compile(rb'<row r="(\d+)"')
_DIMENSION = re.compile(rb"<dimension\b[^>]*/>")       # the whole sheet's: no piece's
_ANCHOR = "churnkit: where a piece starts"


def workers() -> int:
    """How many pieces are loaded at once: a core each."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def load_in_pieces(path: Path, part: zipfile.ZipInfo, folder: str, sheet: str) -> pa.Table | None:
    """The sheet whose XML is ``part`` (in the workbook whose parts are in ``folder``), every cell as text, as
    fastexcel loads it whole (``used_range``); ``None`` when it is better read whole
    (small, one core, or not cut cleanly)."""
    at_once = workers()
    if at_once < 2 or part.file_size < 2 * PIECE_BYTES:
        return None
    try:
        with zipfile.ZipFile(path) as package, ThreadPoolExecutor(at_once) as pool, \
                tempfile.TemporaryDirectory(prefix="churnkit-pieces-", ignore_cleanup_errors=True) as temporary:
            data = _inflated(package, part)
            cuts = _cuts(data, -(-len(data) // PIECE_BYTES))
            loads = []
            try:
                for piece in _pieces(package, part, folder, data, cuts, Path(temporary)):
                    loads.append(pool.submit(_load, piece, sheet))
            except OSError:                  # no room for the next piece: the loads not started are not needed
                for load in loads:
                    load.cancel()
                raise
            del data
            tables = [load.result() for load in loads]
    except (_NotClean, OSError, zipfile.BadZipFile, isal_zlib.error):
        return None
    if any(table is None for table in tables):
        return None
    return used_range(_joined(tables))


class _NotClean(Exception):
    """The sheet cannot be cut as Excel lays a sheet out."""


def _inflated(package: zipfile.ZipFile, part: zipfile.ZipInfo) -> bytes:
    packed = raw_bytes(package, part)        # the guard checked the part: its size is what it says
    return isal_zlib.decompress(packed, -15, part.file_size) if part.compress_type == zipfile.ZIP_DEFLATED \
        else packed


def _cuts(data: bytes, count: int) -> list[tuple[int, int]]:
    """Where each piece's rows start in ``data`` and the number of its first row (1 for the first piece), then
    where the rows end."""
    start, end = data.find(_DATA_OPEN), data.rfind(_DATA_CLOSE)
    if start < 0 or end < start:
        raise _NotClean
    cuts = [(start + len(_DATA_OPEN), 1)]
    for k in range(1, count):
        at = data.find(_ROW, max(cuts[0][0] + (end - cuts[0][0]) * k // count, cuts[-1][0] + 1), end)
        if at < 0:
            break
        number = _ROW_NUMBER.match(data, at)
        if number is None or not cuts[-1][1] < int(number.group(1)) <= EXCEL_ROWS:
            raise _NotClean
        cuts.append((at, int(number.group(1))))
    if len(cuts) < 2:
        raise _NotClean
    return cuts + [(end, 0)]


def _pieces(package: zipfile.ZipFile, part: zipfile.ZipInfo, folder: str, data: bytes,
            cuts: list[tuple[int, int]], where: Path) -> Iterator[tuple[Path, int, int | None]]:
    """Each piece written as a workbook file, with the number of its first row and that of the next piece's."""
    head = _DIMENSION.sub(b"", data[:cuts[0][0]])
    shared = [info for info in package.infolist() if _beside_workbook(info.filename, folder)]
    view = memoryview(data)
    try:
        for k, ((begin, first), (stop, following)) in enumerate(zip(cuts, cuts[1:])):
            last = k == len(cuts) - 2
            file = where / f"piece-{k}.xlsx"
            with zipfile.ZipFile(file, "w", zipfile.ZIP_STORED) as out:
                for info in shared:
                    copy_raw(package, info, out)
                with out.open(zipfile.ZipInfo(part.filename), "w", force_zip64=True) as sheet:
                    sheet.write(head)
                    if k:
                        sheet.write(_anchor(first - 1))
                    sheet.write(view[begin:stop])
                    sheet.write(view[stop:] if last else _anchor(following) + b"</sheetData></worksheet>")
            yield file, first, None if last else following
    finally:
        view.release()


def _anchor(row: int) -> bytes:
    return b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>%s</t></is></c></row>' % (row, row, _ANCHOR.encode())


def _beside_workbook(name: str, folder: str) -> bool:
    """A part calamine reads when it opens the workbook: the package's own, the workbook folder's top level."""
    name = name.replace("\\", "/")
    return "/" not in name or name.startswith("_rels/") or (
        name.lower().startswith(folder.lower()) and "/" not in name[len(folder):].removeprefix("_rels/"))


def _load(piece: tuple[Path, int, int | None], sheet: str) -> pa.Table | None:
    """A piece's rows; None when a cell of it lies outside them (rows out of order, a row or cell that names
    another row, a row without its number): loaded from row 1, the rows above the piece hold nothing but its
    anchor, and the piece ends at the anchor in the next piece's first row."""
    file, first, following = piece
    try:
        table = pa.Table.from_batches([fastexcel.read_excel(str(file)).load_sheet(
            sheet, header_row=None, skip_rows=0, dtypes="string", eager=True)])
    except (fastexcel.FastExcelError, pa.ArrowException):
        return None
    if (first > 1 and not _only_anchor(table, first - 2)) or (following is not None and (
            table.num_rows != following or not _only_anchor(table, following - 1, following - 1))):
        return None
    return table.slice(first - 1, None if following is None else following - first)


def _only_anchor(table: pa.Table, row: int, since: int = 0) -> bool:
    """Whether rows ``since`` to ``row`` hold nothing but the anchor, in column A of ``row``."""
    if table.num_rows <= row or table.column(0)[row].as_py() != _ANCHOR:
        return False
    return table.column(0).slice(since, row - since).null_count == row - since and all(
        column.slice(since, row + 1 - since).null_count == row + 1 - since for column in table.columns[1:])


def _joined(tables: list[pa.Table]) -> pa.Table:
    """The pieces one under another, as wide as the widest."""
    width = max(table.num_columns for table in tables)
    return pa.concat_tables([pa.table(table.columns + [pa.nulls(table.num_rows, pa.string())] * (
        width - table.num_columns), names=_names(width)) for table in tables])


def used_range(table: pa.Table) -> pa.Table:
    """The sheet from its first column to its last row that hold a value: calamine lays a whole sheet out from
    its first to its last cell, which may hold nothing it gives as text (an error, a blank with a style), and the
    pieces from column A to the next piece's first row."""
    return _to_last_value(_from_first_value(table))


def _names(width: int) -> list[str]:
    return [f"__UNNAMED__{i}" for i in range(width)]          # fastexcel's names of columns without a header


def _from_first_value(table: pa.Table) -> pa.Table:
    empty = next((i for i, column in enumerate(table.columns) if column.null_count < table.num_rows), 0)
    return table.drop_columns(table.column_names[:empty]).rename_columns(_names(table.num_columns - empty)) \
        if empty else table


def _to_last_value(table: pa.Table) -> pa.Table:
    if not table.num_rows or any(column[-1].is_valid for column in table.columns):
        return table
    last = max(pc.max(pc.indices_nonzero(pc.is_valid(column))).as_py() if column.null_count < len(column) else -1
               for column in table.columns)
    return table.slice(0, last + 1)
