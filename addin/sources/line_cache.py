"""The order lines of each sheet read before, kept so that a run on an unchanged sheet does not read it again.

Each entry holds one sheet's normalised order lines (or that it has no header row) as an Arrow IPC file in the
user's cache folder (``platformdirs``; ``CHURNKIT_CACHE_DIR`` to put it elsewhere), never in or next to the
workbook. Its key is made of what identifies what the reader would read, without reading it:

- for a sheet of a workbook: the sheet's name, its part's CRC-32 and unpacked size from the zip's central
  directory, and whether the workbook counts dates from 1904; the parts its cells refer to by position (shared
  texts, cell formats) are checked when an entry is loaded (``SharedParts``);
- for a CSV file: its name (the sheet its lines are named after), size and a hash of all its bytes (hashing is
  cheap beside parsing);
- and for both: the settings the reading uses (every setting but the rules applied after it), the latest date an
  order line may have (later ones are reported as in the future), the cache format, and a hash of the reading
  code itself (the engine and ``addin.sources``: another churnkit build never reuses these lines).

Anything else changed gives another key, so an entry is never stale; an entry that cannot be read is a miss.
The folder is kept under ``CHURNKIT_CACHE_MB`` megabytes (1024 unless set; 0 turns the cache off), the entries
used least recently going first.
"""
from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import re
import tempfile
import zipfile
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import platformdirs
import pyarrow as pa
import pyarrow.ipc as ipc
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

import churn_logic
from churn_logic import OrderBook, Settings

from ..errors import UserError
from .guard import PackageGuard
from .headers import Header

FOLDER_VARIABLE = "CHURNKIT_CACHE_DIR"
SIZE_VARIABLE = "CHURNKIT_CACHE_MB"
DEFAULT_MB = 1024
FORMAT = 1
SUFFIX = ".arrow"
# the settings only the rules use, after the lines are read: changing them keeps the lines read
_RULE_SETTINGS = {"decline_months", "min_drop_pct", "low_threshold", "low_months", "lost_months", "as_of",
                  "abc_a_pct", "abc_b_pct", "horizon_months", "sources"}
_META = b"churnkit"
_SKIPPED = b"skipped"


@dataclasses.dataclass
class KeptBook:
    """An order book as an entry keeps it: the lines and the skipped rows as Arrow tables, so that those of many
    sheets can be joined before they become one frame (``churn_logic.combine_tables``)."""
    lines: pa.Table
    skipped_rows: pa.Table
    ignored_rows: int
    date_orders: dict[str, str]

    @classmethod
    def of(cls, book: OrderBook) -> KeptBook:
        return cls(pa.Table.from_pandas(book.lines, preserve_index=False),
                   pa.Table.from_pandas(book.skipped, preserve_index=False), book.ignored_rows, book.date_orders)

    @property
    def skipped(self) -> pd.DataFrame:
        return self.skipped_rows.to_pandas()

    def book(self) -> OrderBook:
        return OrderBook(self.lines.to_pandas(), self.skipped, self.ignored_rows, self.date_orders)


@dataclasses.dataclass
class SheetEntry:
    """What reading one sheet gave: its header (None: it has none, it holds no orders), its order lines (None:
    not read as orders yet; ``kept``: as loaded from the cache, ``order_book`` makes them a book) and the notes
    on how it was read."""
    header: Header | None
    book: OrderBook | None = None
    notes: list[str] = dataclasses.field(default_factory=list)
    kept: KeptBook | None = None

    def order_book(self) -> OrderBook | None:
        if self.book is None and self.kept is not None:
            self.book = self.kept.book()
        return self.book

    def kept_book(self) -> KeptBook | None:
        """The order lines as Arrow tables, made once (to be joined with other sheets', then kept)."""
        if self.kept is None and self.book is not None:
            self.kept = KeptBook.of(self.book)
        return self.kept


def folder() -> Path:
    return Path(os.environ.get(FOLDER_VARIABLE, "").strip() or platformdirs.user_cache_dir("churnkit")) / "lines"


def limit_bytes() -> int:
    text = os.environ.get(SIZE_VARIABLE, "").strip()
    if not text:
        return DEFAULT_MB << 20
    if not text.isdigit():
        raise UserError(f"{SIZE_VARIABLE} must be a whole number of megabytes (0 turns the cache off), not '{text}'.")
    return int(text) << 20


class LineCache:
    """The entries in one folder, at most ``limit`` bytes of them."""

    def __init__(self, where: Path, limit: int):
        self.folder, self.limit = where, limit

    @classmethod
    def default(cls) -> LineCache | None:
        """The user's cache, None when ``CHURNKIT_CACHE_MB`` is 0."""
        limit = limit_bytes()
        return cls(folder(), limit) if limit else None

    # keys

    def sheet_key(self, guard: PackageGuard, sheet: str, settings: Settings, cutoff: Any) -> str | None:
        """The key of a sheet of the workbook ``guard`` checked (None when its part is not found)."""
        part = guard.entries.get(guard.sheets.get(sheet, "").lower())
        if part is None:
            return None
        return _key("sheet", [sheet, part.CRC, part.file_size, guard.date1904], settings, cutoff)

    def csv_key(self, path: Path, settings: Settings, cutoff: Any) -> str:
        with path.open("rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
        return _key("csv", [path.name, path.stat().st_size, digest], settings, cutoff)

    # entries

    def holds(self, key: str) -> bool:
        """Whether there is an entry of ``key`` (``load`` may still find it stale or damaged)."""
        return (self.folder / (key + SUFFIX)).is_file()

    def load(self, key: str, shared: SharedParts | None = None) -> SheetEntry | None:
        """The entry of ``key``, None when there is none, when the workbook's ``shared`` parts no longer match it,
        or when it cannot be read (then it is removed)."""
        path = self.folder / (key + SUFFIX)
        try:
            with pa.OSFile(str(path)) as source:          # read into memory: nothing refers to the file after
                table = ipc.open_file(source).read_all()
            meta = json.loads(table.schema.metadata[_META])
            if shared is not None and not shared.match(meta["shared"]):
                return None
            header = meta["header"] and Header(**{**meta["header"], "merged": tuple(meta["header"]["merged"])})
            kept = meta["book"] and KeptBook(table, ipc.open_stream(table.schema.metadata[_SKIPPED]).read_all(),
                                             **meta["book"])
        except FileNotFoundError:
            return None
        except Exception:                  # a damaged entry, or one of another format: a miss
            _remove(path)
            return None
        try:
            os.utime(path)                 # used: the last to go
        except OSError:
            pass
        return SheetEntry(header, notes=meta["notes"], kept=kept or None)

    def store(self, key: str, entry: SheetEntry, shared: SharedParts | None = None) -> None:
        """Keep ``entry``, read with the workbook's ``shared`` parts as they are now (best effort: a cache that
        cannot be written never stops a run)."""
        stamps = shared.stamps() if shared is not None else None
        if shared is not None and stamps is None:
            return
        book = entry.kept_book()
        meta = {"header": dataclasses.asdict(entry.header) if entry.header else None, "notes": entry.notes,
                "book": {"ignored_rows": book.ignored_rows, "date_orders": book.date_orders} if book else None,
                "shared": stamps}
        table = book.lines if book else pa.table({})
        metadata = {**(table.schema.metadata or {}), _META: json.dumps(meta).encode()}
        if book is not None:
            metadata[_SKIPPED] = _stream(book.skipped_rows)
        table = table.replace_schema_metadata(metadata)
        partial = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self.folder, suffix=".partial", delete=False) as handle:
                partial = Path(handle.name)
                with ipc.new_file(handle, table.schema) as writer:
                    writer.write_table(table)
            os.replace(partial, self.folder / (key + SUFFIX))
            self._trim()
        except OSError:
            if partial is not None:
                partial.unlink(missing_ok=True)

    def clear(self) -> tuple[int, int]:
        """Remove every entry: how many there were, and their bytes."""
        count = size = 0
        for path in self._entries():
            try:
                size += path.stat().st_size
                path.unlink()
                count += 1
            except OSError:
                pass
        return count, size

    def usage(self) -> tuple[int, int]:
        """How many entries there are, and their bytes."""
        sizes = [path.stat().st_size for path in self._entries()]
        return len(sizes), sum(sizes)

    def _entries(self) -> list[Path]:
        return list(self.folder.glob("*" + SUFFIX)) + list(self.folder.glob("*.partial")) \
            if self.folder.is_dir() else []

    def _trim(self) -> None:
        """The entries used least recently go until the folder holds at most ``limit`` bytes."""
        files = []
        for path in self.folder.glob("*" + SUFFIX):
            try:
                stat = path.stat()
            except OSError:
                continue
            files.append((stat.st_mtime_ns, stat.st_size, path))
        total = sum(size for _, size, _ in files)
        for _, size, path in sorted(files, key=lambda f: f[0]):
            if total <= self.limit:
                break
            _remove(path)
            total -= size


def _remove(path: Path) -> None:
    """Remove an entry (another run may hold it open, on Windows: then it stays)."""
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass


class SharedParts:
    """The parts of a workbook that a sheet's cells refer to by position: the shared texts (``<si>`` items) and
    the cell formats (``cellXfs``, whose number formats tell a date from a number).

    An entry keeps, of each, the CRC-32 and size and the count and a hash of its items when the sheet was read.
    It still holds when the part is unchanged, or when its first items — all that the unchanged sheet can refer
    to — are the same: texts and formats added at the end (by Excel when another sheet gets a new text, by
    ``churnkit refresh`` when its lists get their formats) leave the other sheets' lines as they were.
    """
    KINDS = {"texts": "sharedStrings.xml", "formats": "styles.xml"}

    def __init__(self, guard: PackageGuard):
        self.guard = guard
        self._items: dict[str, tuple[bytes, list[int]]] = {}

    def stamps(self) -> dict[str, list] | None:
        """For each kind: [CRC-32, size, items, hash of them all]; None when a part cannot be parsed here."""
        found = {}
        for kind in self.KINDS:
            info = self._info(kind)
            bounds = self._bounds(kind)
            if bounds is None:
                return None
            count = len(bounds[1]) - 1
            found[kind] = [info.CRC if info else None, info.file_size if info else 0, count, self._digest(kind, count)]
        return found

    def match(self, stamps: dict[str, list]) -> bool:
        for kind, (crc, size, count, digest) in stamps.items():
            info = self._info(kind)
            if info is not None and [info.CRC, info.file_size] == [crc, size]:
                continue
            bounds = self._bounds(kind)
            if bounds is None or len(bounds[1]) - 1 < count or self._digest(kind, count) != digest:
                return False
        return True

    def _info(self, kind: str):
        return self.guard.entries.get(f"{self.guard.folder}{self.KINDS[kind]}".lower())

    def _digest(self, kind: str, count: int) -> str:
        data, bounds = self._items[kind]
        return hashlib.sha256(data[bounds[0]:bounds[count]]).hexdigest()

    def _bounds(self, kind: str) -> tuple[bytes, list[int]] | None:
        """The part's items as bytes, and where each starts (and the last ends); None when it cannot be parsed
        here (calamine may read what defusedxml refuses): then nothing of this workbook is kept or reused."""
        if kind not in self._items:
            info = self._info(kind)
            try:
                data = b""
                if info is not None:
                    with zipfile.ZipFile(self.guard.path) as package:
                        data = package.read(info.filename)     # the guard made sure it unpacks to what it says
                self._items[kind] = _texts(data) if kind == "texts" else _formats(data)
            except (ParseError, DefusedXmlException, ValueError, zipfile.BadZipFile, OSError):
                self._items[kind] = None
        return self._items[kind]


_TEXT_ITEM = re.compile(rb"<(?:[\w.-]+:)?si(?=[\s/>])")
_TEXT_END = re.compile(rb"</(?:[\w.-]+:)?sst\s*>")


def _texts(data: bytes) -> tuple[bytes, list[int]]:
    """The ``<si>`` items of a shared texts part: each from its start tag to the next one (the last to ``</sst>``)."""
    starts = [found.start() for found in _TEXT_ITEM.finditer(data)]
    end = _TEXT_END.search(data, starts[-1] if starts else 0)
    return data, starts + [end.start() if end else len(data)]


def _formats(data: bytes) -> tuple[bytes, list[int]]:
    """The cell formats of a styles part as what makes a number a date: each one's number format id and, for a
    format of the workbook's own, its code."""
    items, codes = [], {}
    if data:
        root = fromstring(data)
        for element in root.iter():
            if _local(element.tag) == "numFmt":
                codes[element.get("numFmtId")] = element.get("formatCode")
        formats = next((e for e in root.iter() if _local(e.tag) == "cellXfs"), None)
        for xf in formats if formats is not None else ():
            number = xf.get("numFmtId", "0")
            items.append(repr((number, codes.get(number))).encode() + b"\n")
    bounds = [0]
    for item in items:
        bounds.append(bounds[-1] + len(item))
    return b"".join(items), bounds


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _key(kind: str, identity: list, settings: Settings, cutoff: Any) -> str:
    reading = {f.name: getattr(settings, f.name) for f in dataclasses.fields(settings) if f.name not in _RULE_SETTINGS}
    text = repr([FORMAT, _code(), kind, identity, sorted((k, repr(v)) for k, v in reading.items()), str(cutoff)])
    return hashlib.sha256(text.encode()).hexdigest()[:40]


@cache
def _code() -> str:
    """A hash of the reading code (the engine and ``addin.sources``), so that no other build's lines are reused."""
    digest = hashlib.sha256()
    for root in (Path(churn_logic.__file__).parent, Path(__file__).parent):
        for path in sorted(root.rglob("*.py")):
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _stream(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    with ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue()
