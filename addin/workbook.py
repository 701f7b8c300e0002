"""The workbook churnkit writes its lists into: one small interface, two adapters.

``FileWorkbook`` edits a workbook file on disk at the package level (this module);
the live-Excel adapter for the ribbon writes through xlwings. The actions in
``actions.py`` only use this interface.
"""
from __future__ import annotations

import datetime as dt
import zipfile
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


class FileWorkbook:
    """A workbook file: reads from ``source``, writes to ``target`` (the same file by default) on save."""

    def __init__(self, source: Path | None, target: Path | None = None, now: dt.datetime | None = None):
        self.source = source
        self.target = Path(target or source)
        self.name = self.target.name
        self.now = now
        self.backup: Path | None = None
        if source is not None:
            check_file(source)
        if self.target.exists():
            check_can_replace(self.target)
        self._base = source if source is not None and self.target == Path(source) else \
            (self.target if self.target.exists() else None)
        try:
            self.package = WorkbookPackage.open(self._base) if self._base else WorkbookPackage.new()
        except (zipfile.BadZipFile, KeyError, PackageError) as exc:
            raise UserError(f"{(self._base or self.target).name} is not a workbook churnkit can write into ({exc}).") from exc
        self._sheets = [s["name"] for s in self.package.sheets()]

    def sheet_names(self) -> list[str]:
        return list(self._sheets)

    def read_rows(self, sheet: str) -> list[list[Any]]:
        if self._base is None or sheet not in self._sheets:
            return []
        book = python_calamine.CalamineWorkbook.from_path(str(self._base))
        return book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)

    def put_sheet(self, content: SheetContent, also_named: Sequence[str] = ()) -> None:
        self.package.put_sheet(content, tuple(also_named))
        self._sheets = [s["name"] for s in self.package.sheets()]

    def save(self) -> None:
        self.backup = replace_file(self.target, self.package.save, self._verify, self.now)
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
