"""A big sheet read on every core: its XML cut between rows into pieces, each loaded by fastexcel at once.

calamine reads one sheet on one core, and a million-line sheet keeps it busy for seconds while the other cores
wait. No kept library reads a sheet in parallel, so this is done by hand, at the zip level: the sheet's part is
inflated once, cut at ``<row`` tags (a tag cannot stand inside a cell's text, where ``<`` is written ``&lt;``),
and each piece becomes a workbook of its own in a temporary folder: the workbook's top-level parts (its sheet
list, styles, shared strings), copied as they are packed, and the sheet's opening, the piece's rows and a close,
stored unpacked. A piece is loaded from the Excel row of its first row (``skip_rows``) as soon as it is written,
while the next is written. To lay every piece out from column A, it gets an anchor cell in column A in a row it
does not return (the row above its first, and the next piece's first); the sheet then starts at its first
column that holds a value (``from_first_value``, as a whole sheet read is made to). More pieces than cores keep
calamine's working memory small: a piece's grid is let go of as the next one is loaded.

A piece returns its rows only if their numbers rise within it (as Office requires: "rows must appear in
ascending order", MS-OI29500 2.1.873): a row out of order would fall outside its piece's rows. Where that is not
so, where a sheet is not laid out as Excel writes it (no ``<sheetData>``, a prefixed tag, a row without its number
first), or where a piece cannot be written or loaded, ``None`` says to read the sheet whole, which reads what
such a sheet holds or says what is wrong with it.
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
import numpy as np
import pyarrow as pa
from isal import isal_zlib

from ..ooxml.zip_parts import copy_raw, raw_bytes

PIECE_BYTES = 64 << 20                 # XML bytes per piece: the grid calamine holds while a piece is loaded
_DATA_OPEN, _DATA_CLOSE, _ROW = b"<sheetData>", b"</sheetData>", b"<row "
_ROW_NUMBER = re.compile(rb'<row (?:r="(\d+)")?')     # b"" for a row whose number is not its first attribute
_DIMENSION = re.compile(rb"<dimension\b[^>]*/>")       # the whole sheet's: no piece's


def workers() -> int:
    """How many pieces are loaded at once: a core each."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def load_in_pieces(path: Path, part: zipfile.ZipInfo, folder: str, sheet: str) -> pa.Table | None:
    """The sheet whose XML is ``part`` (in the workbook whose parts are in ``folder``), every cell as text, as
    fastexcel loads it whole; ``None`` when it is better read whole (small, one core, or not cut cleanly)."""
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
            except _NotClean:
                for load in loads:
                    load.cancel()
                raise
            del data
            tables = [load.result() for load in loads]
    except (_NotClean, OSError, zipfile.BadZipFile, isal_zlib.error):
        return None
    if any(table is None for table in tables):
        return None
    return from_first_value(_joined(tables))


class _NotClean(Exception):
    """The sheet cannot be cut as Excel lays a sheet out."""


def _inflated(package: zipfile.ZipFile, part: zipfile.ZipInfo) -> bytes:
    packed = raw_bytes(package, part)        # the guard checked the part: its size is what it says
    return isal_zlib.decompress(packed, -15, part.file_size) if part.compress_type == zipfile.ZIP_DEFLATED \
        else packed


def _cuts(data: bytes, count: int) -> list[int]:
    """Where each piece's rows start in ``data``, then where the rows end."""
    start, end = data.find(_DATA_OPEN), data.rfind(_DATA_CLOSE)
    if start < 0 or end < start:
        raise _NotClean
    cuts = [start + len(_DATA_OPEN)]
    for k in range(1, count):
        at = data.find(_ROW, max(cuts[0] + (end - cuts[0]) * k // count, cuts[-1] + 1), end)
        if at < 0:
            break
        cuts.append(at)
    if len(cuts) < 2:
        raise _NotClean
    return cuts + [end]


def _row_numbers(data: bytes, begin: int, stop: int) -> np.ndarray:
    """The numbers of the rows between ``begin`` and ``stop``, each row's number its first attribute, rising."""
    found = _ROW_NUMBER.findall(data, begin, stop)
    if not found or b"" in found:
        raise _NotClean
    numbers = np.array(found).astype(np.int64)
    if np.any(numbers[1:] <= numbers[:-1]):
        raise _NotClean
    return numbers


def _anchor(row: int) -> bytes:
    return b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>.</t></is></c></row>' % (row, row)


def _pieces(package: zipfile.ZipFile, part: zipfile.ZipInfo, folder: str, data: bytes, cuts: list[int],
            where: Path) -> Iterator[tuple[Path, int, int | None]]:
    """Each piece written as a workbook file, with the row it is loaded from and how many rows it returns."""
    head = _DIMENSION.sub(b"", data[:cuts[0]])
    shared = [info for info in package.infolist() if _beside_workbook(info.filename, folder)]
    view = memoryview(data)
    try:
        for k, (begin, stop) in enumerate(zip(cuts, cuts[1:])):
            numbers, last = _row_numbers(data, begin, stop), k == len(cuts) - 2
            first, following = int(numbers[0]), None if last else int(_row_numbers(data, stop, stop + 64)[0])
            if following is not None and numbers[-1] >= following:
                raise _NotClean
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
            top = first - 1 if k else 0                     # the row it is loaded from, as fastexcel counts
            yield file, top, None if last else following - 1 - top
    finally:
        view.release()


def _beside_workbook(name: str, folder: str) -> bool:
    """A part calamine reads when it opens the workbook: the package's own, the workbook folder's top level."""
    name = name.replace("\\", "/")
    return "/" not in name or name.startswith("_rels/") or (
        name.lower().startswith(folder.lower()) and "/" not in name[len(folder):].removeprefix("_rels/"))


def _load(piece: tuple[Path, int, int | None], sheet: str) -> pa.Table | None:
    file, skip, rows = piece
    try:
        table = pa.Table.from_batches([fastexcel.read_excel(str(file)).load_sheet(
            sheet, header_row=None, skip_rows=skip, dtypes="string", eager=True)])
    except (fastexcel.FastExcelError, pa.ArrowException):
        return None
    return table if rows is None else table.slice(0, rows)


def _joined(tables: list[pa.Table]) -> pa.Table:
    """The pieces one under another, as wide as the widest."""
    width = max(table.num_columns for table in tables)
    names = [f"__UNNAMED__{i}" for i in range(width)]
    return pa.concat_tables([pa.table(table.columns + [pa.nulls(table.num_rows, pa.string())] * (
        width - table.num_columns), names=names) for table in tables])


def from_first_value(table: pa.Table) -> pa.Table:
    """The sheet from its first column that holds a value: calamine starts a whole sheet at its first cell, which
    may hold nothing it gives as text (an error, a blank with a style), and the pieces at column A."""
    empty = next((i for i, column in enumerate(table.columns) if column.null_count < table.num_rows), 0)
    return table.drop_columns(table.column_names[:empty]).rename_columns(
        [f"__UNNAMED__{i}" for i in range(table.num_columns - empty)]) if empty else table
