"""The workbook churnkit writes its lists into: one small interface, two adapters.

``FileWorkbook`` edits a workbook file on disk at the package level (this module);
the live-Excel adapter for the ribbon writes through xlwings. The actions in
``actions.py`` only use this interface.
"""
from __future__ import annotations

import datetime as dt
import zipfile
import zlib
from pathlib import Path
from typing import Any, Protocol, Sequence
from xml.etree import ElementTree

import fastexcel
import python_calamine

from .errors import UserError
from .reader import check_file
from .safe_write import check_can_replace, replace_file
from .sheet_content import SheetContent
from .xlsx_package import PackageError, WorkbookPackage


class Workbook(Protocol):
    name: str

    def sheet_names(self) -> list[str]: ...

    def read_rows(self, sheet: str) -> list[list[Any]]:
        """The values of a sheet, as Python values (str, float, datetime, bool, None)."""

    def put_sheet(self, content: SheetContent, also_named: Sequence[str] = ()) -> None:
        """Add the sheet, or replace the one with its name (or one of ``also_named``)."""

    def save(self) -> None: ...


def _stamp(path: Path) -> tuple[int, int] | None:
    """Size and modification time of a file (None when there is none): what tells that it changed."""
    try:
        status = path.stat()
    except FileNotFoundError:
        return None
    return status.st_size, status.st_mtime_ns


class FileWorkbook:
    """A workbook file on disk, edited at the package level; a new workbook when the file does not exist yet."""

    def __init__(self, path: Path, now: dt.datetime | None = None):
        self.path = Path(path)
        self.name = self.path.name
        self.now = now
        self.backup: Path | None = None
        self._exists = self.path.exists()
        if self._exists:
            check_file(self.path)
            check_can_replace(self.path)
        self._opened = _stamp(self.path)
        try:
            self.package = WorkbookPackage.open(self.path) if self._exists else WorkbookPackage.new()
        except (zipfile.BadZipFile, KeyError, PackageError) as exc:
            raise UserError(f"{self.name} is not a workbook churnkit can write into ({exc}).") from exc
        self._sheets = [s["name"] for s in self.package.sheets()]

    def sheet_names(self) -> list[str]:
        return list(self._sheets)

    def read_rows(self, sheet: str) -> list[list[Any]]:
        if not self._exists or sheet not in self._sheets:
            return []
        book = python_calamine.CalamineWorkbook.from_path(str(self.path))
        return book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)

    def put_sheet(self, content: SheetContent, also_named: Sequence[str] = ()) -> None:
        self.package.put_sheet(content, tuple(also_named))
        self._sheets = [s["name"] for s in self.package.sheets()]

    def save(self) -> None:
        changed = f"{self.name} changed while churnkit was working on it (did another program save it?), so it " \
                  "was not replaced; run again."
        if _stamp(self.path) != self._opened:
            raise UserError(changed)
        try:
            self.backup = replace_file(self.path, self.package.save, self._verify, self.now)
        except (zipfile.BadZipFile, zlib.error) as exc:       # its parts are copied from the file as it is now
            raise UserError(changed) from exc
        self.package.parts.close()

    def _verify(self, written: Path) -> None:
        """The new file is a sound zip, our parts parse, every other part is as it was, and it opens."""
        parts = self.package.parts
        with zipfile.ZipFile(written) as new:
            for name, data in parts.changed.items():
                if new.read(name) != data:
                    raise UserError(f"Writing {self.name} failed: part {name} did not come back as written.")
                if name.endswith((".xml", ".rels")):
                    ElementTree.fromstring(data)
            if set(new.namelist()) != set(parts.names()):
                raise UserError(f"Writing {self.name} failed: the parts of the workbook did not come back as written.")
            changed = parts.differing(new, parts.untouched())
            if changed:
                raise UserError(f"Writing {self.name} failed: part {changed[0]} would have changed.")
        reader = fastexcel.read_excel(written)
        if reader.sheet_names != self._sheets:
            raise UserError(f"Writing {self.name} failed: the sheets did not come back as expected.")
