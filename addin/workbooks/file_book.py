"""The file adapter of the workbook interface: a workbook file on disk, edited at the package level."""
from __future__ import annotations

import datetime as dt
import zipfile
import zlib
from pathlib import Path
from typing import Any, Callable
from xml.etree import ElementTree

import fastexcel
import python_calamine

from ..content.model import SheetContent
from ..content.sheet_kinds import MARK_NAME, kind_of_mark, mark_formula
from ..errors import UserError
from ..ooxml.formulas import sheet_formulas
from ..ooxml.package import PackageError, WorkbookPackage
from ..ooxml.worksheet import Formula
from ..ooxml.xml_text import XmlError
from ..sources.files import check_file, open_workbook
from ..sources.tables import ExcelFileTables
from .base import SaveResult, Workbook
from .layout import worksheet
from .safe_write import changed_sentence, check_can_replace, identity, replace_file, writer_lock


class FileWorkbook(Workbook):
    """A workbook file on disk, edited at the package level; a new workbook when the file does not exist yet.

    Opening it takes the writer lock of the file (other churnkit runs wait their turn) and
    notes the file's identity; ``save`` replaces the file only when it is still that file.
    Use it in a ``with`` block, or call ``close``.
    """

    def __init__(self, path: Path, now: dt.datetime | None = None, on_wait: Callable[[], None] | None = None):
        self.path = Path(path)
        self.name = self.path.name
        self.now = now
        self._exists = self.path.exists()
        self.package: WorkbookPackage | None = None
        self._calamine: python_calamine.CalamineWorkbook | None = None
        self._tables: ExcelFileTables | None = None
        self._guard = None
        if self._exists:
            check_can_replace(self.path)
        self._lock = writer_lock(self.path, on_wait)
        try:
            self._opened = identity(self.path)      # what it is now: anything that changes it later is seen
            if self._exists:        # looked at only now: the run before this one may have replaced it meanwhile
                self._guard = check_file(self.path)
            self.package = WorkbookPackage.open(self.path) if self._exists else WorkbookPackage.new()
            self._sheets = [s.name for s in self.package.sheets()]
        except (zipfile.BadZipFile, KeyError, PackageError) as exc:
            self.close()
            raise UserError(f"{self.name} is not a workbook churnkit can write into ({_reason(exc)}).") from None
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> "FileWorkbook":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Let other churnkit runs write the file (saving does this too)."""
        if self.package is not None:
            self.package.parts.close()
        if self._calamine is not None:
            self._calamine.close()
            self._calamine = None
        self._lock.release()

    def sheet_names(self) -> list[str]:
        return list(self._sheets)

    def tables(self) -> ExcelFileTables:
        if not self._exists:
            raise UserError(f"{self.name} does not exist yet, so there are no orders in it to read.")
        if self._tables is None:
            self._tables = ExcelFileTables(open_workbook(self.path, self._guard), self.name)
        return self._tables

    def marks(self) -> dict[str, str]:
        return {d.sheet: kind_of_mark(d.formula) for d in self.package.defined_names()
                if d.name == MARK_NAME and d.sheet is not None and kind_of_mark(d.formula)}

    def table_names(self, sheet: str) -> list[str]:
        return self.package.table_names(sheet)

    def read_rows(self, sheet: str) -> list[list[Any]]:
        if not self._exists or sheet not in self._sheets:
            return []
        self._guard.check_sheet(sheet)         # calamine lays a sheet out as one grid: refuse a hostile one first
        try:
            if self._calamine is None:
                self._calamine = python_calamine.CalamineWorkbook.from_path(str(self.path))
            rows = self._calamine.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        except python_calamine.CalamineError as exc:
            raise UserError(f"The sheet '{sheet}' of {self.name} cannot be read ({exc}).") from None
        part = next(s.part for s in self.package.sheets() if s.name == sheet)
        try:
            formulas = sheet_formulas(self.package.parts.read(part))
        except XmlError as exc:
            raise UserError(f"The sheet '{sheet}' of {self.name} cannot be read ({exc}).") from None
        return _with_formulas([list(row) for row in rows], formulas)

    def write_sheet(self, content: SheetContent, replacing: str | None, kind: str) -> None:
        try:
            self.package.put_worksheet(worksheet(content), replacing)
            if self.marks().get(content.name) != kind:
                self.package.add_defined_name(MARK_NAME, mark_formula(kind), sheet=content.name, hidden=True)
        except PackageError as exc:
            raise UserError(f"{self.name} is not a workbook churnkit can write into ({exc}).") from None
        self._sheets = [s.name for s in self.package.sheets()]

    def save(self) -> SaveResult:
        try:
            return SaveResult(replace_file(self.path, self.package.save, self._verify, self.now, self._opened))
        except (zipfile.BadZipFile, zlib.error) as exc:       # its parts are copied from the file as it is now
            raise UserError(changed_sentence(self.path)) from exc
        finally:
            self.close()

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


def _with_formulas(rows: list[list[Any]], formulas: dict[tuple[int, int], str]) -> list[list[Any]]:
    """The cell values with each formula cell's value replaced by the formula (and the value it showed)."""
    for (row, column), text in formulas.items():
        while len(rows) < row:
            rows.append([])
        cells = rows[row - 1]
        cells.extend([None] * (column - len(cells)))
        cells[column - 1] = Formula(text, cells[column - 1])
    return rows


def _reason(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"the part {exc.args[0]} is missing"
    return str(exc)
