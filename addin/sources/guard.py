"""Cheap checks of a workbook package before calamine (fastexcel, python-calamine) reads it.

calamine trusts a package: it inflates a part however large it turns out to be, and lays a sheet
out as one dense grid from its first to its last cell, so a 2 MB zip bomb, a sheet numbered past
Excel's last row or one cell at XFD1048576 make it allocate gigabytes or abort the process. Here
the zip's central directory is checked (one entry per part, a content-types part, nothing calamine
cannot inflate), each part calamine reads is inflated once without being kept, and must come out
exactly as large as its entry says, and each sheet's grid is worked out from its dimension and the
cells at its start and end. Only a sheet whose grid looks too large (every cell with a value is then
looked at: a cell far out may only be formatted) or whose cells go without a position (calamine
counts them into place: rows and cells are counted) takes a second pass. What a workbook would take,
unpacked parts plus grids, must stay within :func:`limit_bytes`; anything else is refused with one
sentence.
"""
from __future__ import annotations

import dataclasses
import os
import re
import struct
import zipfile
from pathlib import Path, PurePosixPath
from typing import Iterator

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from isal import isal_zlib

from ..errors import UserError

LIMIT_VARIABLE = "CHURNKIT_MAX_UNPACKED_MB"
DEFAULT_LIMIT_MB = 2048        # a million order lines in ten columns take 875 MB, in twenty about 1,800 MB
CELL_BYTES = 32                       # calamine's cell value: what each cell of a sheet's grid takes
EXCEL_ROWS, EXCEL_COLUMNS = 1_048_576, 16_384
CONTENT_TYPES = "[content_types].xml"
_EDGE = 1 << 16                       # bytes of a sheet looked at from its start and from its end
_PACKED = 1 << 15                     # compressed bytes read at a time
_CHUNK = 1 << 18                      # inflated bytes handled at a time: small enough to stay in the CPU's cache
_OWN_XML = 1 << 26                    # the package parts parsed here (relationships, workbook.xml) are small
_TEXT_RUN = 1 << 20                   # no text of a cell (32,767 characters, 6 bytes each at most escaped) is longer
_DIMENSION = re.compile(rb'<(?:[\w.-]+:)?dimension\b[^>]*?\bref\s*=\s*["\']([^"\']*)', re.I)
_CELL = re.compile(rb'<(?:[\w.-]+:)?c(?=[\s/>])([^>]*?)(/?)>(?=(\s*</)?)')          # closed at once: no value
_POSITION = re.compile(rb'(?<![\w:.-])r\s*=\s*["\']([^"\']*)')
_VALUE_CELL = re.compile(rb'<(?:[\w.-]+:)?c\s[^>]*?(?<![\w:.-])r\s*=\s*["\']([A-Za-z]{1,9})([0-9]{1,12})["\']'
                         rb'[^>]*?(?<!/)>(?!\s*</)')
_REF = re.compile(rb"([A-Za-z]{1,9})([0-9]{1,12})")
_MERGED = re.compile(rb'<(?:[\w.-]+:)?mergeCell\b[^>]*?\bref\s*=\s*["\']([A-Za-z]+[0-9]+:[A-Za-z]+[0-9]+)')


class UnreadableSheet(UserError):
    """One sheet cannot be read (the rest of the workbook may well be)."""


def limit_bytes() -> int:
    """The most a workbook may take when read: ``CHURNKIT_MAX_UNPACKED_MB`` megabytes, 1024 unless set."""
    text = os.environ.get(LIMIT_VARIABLE, "").strip()
    if not text:
        return DEFAULT_LIMIT_MB << 20
    if not text.isdigit() or int(text) < 1:
        raise UserError(f"{LIMIT_VARIABLE} must be a whole number of megabytes, not '{text}'.")
    return int(text) << 20


@dataclasses.dataclass(frozen=True)
class Box:
    """Cells from (top, left) to (bottom, right), 0-based rows and columns."""
    top: int
    left: int
    bottom: int
    right: int

    @property
    def cells(self) -> int:
        return (self.bottom + 1) * (self.right - self.left + 1)      # fastexcel's table starts at row 1

    def __or__(self, other: Box | None) -> Box:
        if other is None:
            return self
        return Box(min(self.top, other.top), min(self.left, other.left),
                   max(self.bottom, other.bottom), max(self.right, other.right))


def cell_name(row: int, column: int) -> str:
    """``A1``-style name of a 0-based cell."""
    letters = ""
    column += 1
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row + 1}"


def guard_sheet(path: Path, sheet: str) -> None:
    """Before a reader that opens the workbook ``path`` itself (python-calamine) reads ``sheet``: the same checks."""
    PackageGuard(path).check_sheet(sheet)


class PackageGuard:
    """One workbook package, checked before a reader opens it; :meth:`check_sheet` before it loads a sheet."""

    def __init__(self, path: Path):
        self.path, self.label = Path(path), Path(path).name
        self.limit = limit_bytes()
        self.used = 0
        try:
            with zipfile.ZipFile(self.path) as package:
                infos = package.infolist()
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise UserError(f"{self.label} could not be read as an Excel workbook ({exc}).") from exc
        self.entries: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            key = info.filename.replace("\\", "/").lower()
            if key in self.entries:
                raise UserError(f"{self.label} is damaged: it holds the part {info.filename} twice, so it is not "
                                "clear which one counts; open it in Excel, save it, and run again.")
            self.entries[key] = info
        if CONTENT_TYPES not in self.entries:
            raise UserError(f"{self.label} is not a complete workbook: it has no [Content_Types].xml part, which "
                            "every Excel file has; open it in the program that made it and save it again.")
        self.sheets: dict[str, str] = {}          # sheet name -> its part, as calamine finds it
        self.folder = "xl/"                       # the workbook part's folder, where its shared parts are
        self.date1904 = False                     # dates counted from 1904 (workbook.xml's workbookPr)
        self._merged: dict[str, tuple[str, ...]] = {}
        self._check_reader_parts()

    def check_sheet(self, sheet: str) -> tuple[str, ...]:
        """Refuse the sheet with one sentence when reading it would go wrong; its merged ranges (``D1:E1`` …)."""
        info = self.sheet_part(sheet)
        if info is None:
            return ()                             # calamine does not find it either, and says so
        if info.filename not in self._merged:
            self._merged[info.filename] = self._check_sheet(sheet, info)
        return self._merged[info.filename]

    def sheet_part(self, sheet: str) -> zipfile.ZipInfo | None:
        """The zip entry of a sheet's part, as calamine finds it."""
        return self.entries.get(self.sheets.get(sheet, "").lower())

    # the parts calamine reads when it opens a workbook

    def _check_reader_parts(self) -> None:
        root = self.folder = self._workbook_folder()
        relations = self._relations(f"{root}_rels/workbook.xml.rels")
        for name in ("sharedStrings.xml", "styles.xml"):
            if f"{root}{name}".lower() in self.entries:
                for _ in self._inflate(self.entries[f"{root}{name}".lower()], f"its part {root}{name}"):
                    pass
        workbook = self._xml(f"{root}workbook.xml")
        if workbook is None:
            return
        for element in workbook.iter():
            if _local(element.tag) == "workbookPr":
                self.date1904 = element.get("date1904", "").strip().lower() in ("1", "true")
            if _local(element.tag) != "sheet":
                continue
            name = element.get("name", "")
            rel_id = next((value for key, value in element.attrib.items() if _local(key) == "id"), None)
            target = relations.get(rel_id or "")
            if target is not None and name not in self.sheets:     # calamine loads the first sheet of a name
                self.sheets[name] = target[1:] if target.startswith("/") else f"{root}{target}"

    def _workbook_folder(self) -> str:
        """The folder of the workbook part, found as calamine finds it (``xl/``, as a rule)."""
        for target in self._relations("_rels/.rels", "officeDocument").values():
            folder = str(PurePosixPath(target.lstrip("/")).parent)
            return "" if folder == "." else folder + "/"
        return "xl/"

    def _relations(self, name: str, kind: str = "") -> dict[str, str]:
        """{relationship id: target} of a relationships part, only those of a type ending in ``kind``."""
        rels = self._xml(name)
        if rels is None:
            return {}
        return {element.get("Id", ""): element.get("Target", "") for element in rels.iter()
                if _local(element.tag) == "Relationship" and element.get("Type", "").endswith(kind)}

    def _xml(self, name: str):
        info = self.entries.get(name.lower())
        if info is None:
            return None
        if info.file_size > _OWN_XML:
            raise UserError(f"{self.label} is not a workbook churnkit can read: its part {info.filename} is "
                            f"{info.file_size / 2**20:,.0f} MB, far more than that part of a workbook ever holds.")
        data = b"".join(self._inflate(info, f"its part {info.filename}"))
        try:
            return fromstring(data)
        except (ParseError, DefusedXmlException, ValueError) as exc:
            raise UserError(f"{self.label} is damaged: its part {info.filename} is not sound XML ({exc}); "
                            "open it in Excel, save it, and run again.") from exc

    # sheets

    def _check_sheet(self, sheet: str, info: zipfile.ZipInfo) -> tuple[str, ...]:
        what = f"sheet '{sheet}'"
        head, before, latest = bytearray(), b"", b""
        for chunk in self._inflate(info, what, UnreadableSheet):
            if len(head) < _EDGE:
                head += chunk[:_EDGE - len(head)]
            before, latest = latest, chunk
        tail = (before + latest)[-_EDGE:]
        box, counted = _edges_box(bytes(head), tail)
        if counted:
            box = _counted_box(self._inflate(info, what, UnreadableSheet, spend=False)) | box
        elif box is not None and not self._fits(box.cells * CELL_BYTES):
            box = _value_box(self._inflate(info, what, UnreadableSheet, spend=False))
        if box is not None:
            last = cell_name(box.bottom, box.right)
            beyond = f"row {box.bottom + 1:,}, past the last row Excel has (1,048,576)" if box.bottom >= EXCEL_ROWS \
                else f"column {last.rstrip('0123456789')}, past the last column Excel has (XFD)" \
                if box.right >= EXCEL_COLUMNS else ""
            if beyond:
                raise UnreadableSheet(f"Sheet '{sheet}' of {self.label} has cells in {beyond}, so no Excel "
                                      "saved it; open it in the program that made it, keep only your data, and save "
                                      "it again.")
            grid = box.cells * CELL_BYTES
            if not self._fits(grid):
                raise UnreadableSheet(f"Sheet '{sheet}' of {self.label} reaches cell {last}: its cells from "
                                      f"{cell_name(0, box.left)} to there would take {grid / 2**20:,.0f} MB, "
                                      f"{self._beyond(grid)}; delete the rows and columns beyond your data (Ctrl+End "
                                      "in Excel goes to the last cell), save, and run again.")
            self.used += grid
        return tuple(ref.decode() for ref in _MERGED.findall(tail))

    def _fits(self, size: int) -> bool:
        return self.used + size <= self.limit

    def _beyond(self, size: int) -> str:
        read = f" with the {self.used / 2**20:,.0f} MB read before" if size <= self.limit else ""
        return (f"more than the {self.limit / 2**20:,.0f} MB churnkit reads of one workbook{read} "
                f"(set {LIMIT_VARIABLE} to change it)")

    # inflating

    def _inflate(self, info: zipfile.ZipInfo, what: str, error: type[UserError] = UserError,
                 spend: bool = True) -> Iterator[bytes]:
        """The part's bytes as calamine inflates them, a chunk at a time; its size is spent from the limit."""
        if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise error(f"{self.label} is not a workbook churnkit can read: {what} is encrypted or packed in a "
                        "way Excel does not use; open it in Excel and save it again.")
        if spend:
            if not self._fits(info.file_size):
                raise error(f"{self.label} is too large to read: {what} unpacks to "
                            f"{info.file_size / 2**20:,.0f} MB, {self._beyond(info.file_size)}.")
            self.used += info.file_size
        damaged = error(f"{self.label} is damaged: {what} does not unpack to the {info.file_size:,} bytes its zip "
                        "entry says; open it in Excel, save it, and run again.")
        produced = run = 0          # bytes inflated; bytes since the last "<": a text that long is no cell's
        with self.path.open("rb") as handle:
            handle.seek(info.header_offset)
            local = handle.read(30)
            if len(local) < 30 or local[:4] != b"PK\x03\x04":
                raise damaged
            name_length, extra_length = struct.unpack("<HH", local[26:30])
            handle.seek(info.header_offset + 30 + name_length + extra_length)
            inflater = isal_zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
            left = info.compress_size
            while left > 0 and not (inflater is not None and inflater.eof):
                packed = handle.read(min(left, _PACKED))
                if not packed:
                    break
                left -= len(packed)
                while packed:
                    if inflater is None:
                        chunk, packed = packed, b""
                    else:
                        try:
                            chunk = inflater.decompress(packed, _CHUNK)
                        except isal_zlib.error as exc:
                            raise damaged from exc
                        packed = inflater.unconsumed_tail
                    produced += len(chunk)
                    if produced > info.file_size:
                        raise damaged
                    if chunk:
                        run = _text_run(chunk, run)
                        if run > _TEXT_RUN:
                            raise error(f"{self.label} is not a workbook churnkit can read: {what} holds a text of "
                                        f"more than {_TEXT_RUN >> 20} MB, far more than the 32,767 characters a "
                                        "cell of Excel holds, so no Excel saved it; open it in the program that "
                                        "made it, shorten that text, and save it again.")
                        yield chunk
        if produced != info.file_size:
            raise damaged


def _text_run(chunk: bytes, run: int) -> int:
    """The length of the run of bytes without a ``<`` that ends this chunk (``run``: the one the previous chunk
    ended with), or more than ``_TEXT_RUN`` when a run that long is found. A longer run may hide inside one chunk
    only when it is shorter than a chunk (256 KB): harmless, and the reader refuses it as too long a text."""
    first = chunk.find(b"<")
    if first < 0:
        return run + len(chunk)
    if run + first > _TEXT_RUN:
        return run + first
    return len(chunk) - chunk.rfind(b"<") - 1


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _position(name: bytes) -> tuple[int, int] | None:
    """0-based (row, column) of a cell name such as ``B7``; None when it is no cell name."""
    found = _REF.fullmatch(name.strip())
    if not found or int(found.group(2)) < 1:
        return None
    column = 0
    for letter in found.group(1).upper():
        column = column * 26 + letter - 64
    return int(found.group(2)) - 1, column - 1


def _edges_box(head: bytes, tail: bytes) -> tuple[Box | None, bool]:
    """The box of the sheet's dimension and of the cells with a value at its start and end, and whether a
    cell there has no position (calamine then counts its place in the row)."""
    box = None
    dimension = _DIMENSION.search(head)
    if dimension:
        corners = [_position(part) for part in dimension.group(1).split(b":")]
        if corners and all(corners):
            box = Box(*corners[0], *corners[-1]) | Box(*corners[-1], *corners[0])
    cells = []
    for edge in (head, tail):
        for attributes, empty, closed_at_once in _CELL.findall(edge):
            found = _POSITION.search(attributes)
            position = _position(found.group(1)) if found else None
            if position is None:
                return box, True
            if not empty and not closed_at_once:
                cells.append(position)
    if cells:
        rows, columns = zip(*cells)
        box = Box(min(rows), min(columns), max(rows), max(columns)) | box
    return box, False


def _value_box(chunks: Iterator[bytes]) -> Box | None:
    """The box of every cell with a value and a position (``<c r="B7">…</c>``), for a sheet whose edges look too
    large: a stray cell far out may well be only formatted, and calamine leaves such cells out."""
    box = None
    carry = b""
    for chunk in chunks:
        data = carry + chunk
        cut = data.rfind(b"<")
        data, carry = data[:cut], data[cut:]
        found = _VALUE_CELL.findall(data)
        if found:
            letters, numbers = zip(*found)
            columns = [_position(name + b"1")[1] for name in set(letters)]
            rows = list(map(int, numbers))
            box = Box(min(rows) - 1, min(columns), max(rows) - 1, max(columns)) | box
    return box


def _counted_box(chunks: Iterator[bytes]) -> Box:
    """A box that holds the cells placed by counting (rows and cells without a position): as many rows as the
    sheet has, as many columns as its widest row has cells."""
    rows = widest = 0
    carry = b""
    for chunk in chunks:
        pieces = (carry + chunk).split(b"</row>")
        carry = pieces.pop()
        rows += len(pieces) + chunk.count(b"<row/>")
        widest = max(widest, *map(bytes.count, pieces, [b"<c"] * len(pieces)), 1)
    return Box(0, 0, max(rows, 1) - 1, widest - 1)
