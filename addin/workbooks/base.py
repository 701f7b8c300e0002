"""The interface churnkit reads and writes workbooks through, and what both adapters share.

``Workbook`` holds what the adapters share — which sheets are churnkit's own and under which
name a new one goes (``content.sheet_kinds``) — over a few primitives each adapter implements:
``FileWorkbook`` (``file_book``) edits a workbook file on disk at the package level;
``ExcelWorkbook`` (``excel_book``) writes through xlwings into a workbook open in Excel.
The actions (``addin.actions``) only use this interface.
"""
from __future__ import annotations

import abc
import dataclasses
from pathlib import Path
from typing import Any

from ..content.model import SheetContent
from ..content.sheet_kinds import KINDS, choose_name, looks_like_earlier_version
from ..errors import UserError
from ..sources.tables import SheetTables


@dataclasses.dataclass(frozen=True)
class SaveResult:
    backup: Path | None          # the copy of the workbook as it was (None when there is none: a new file, Excel)


class Workbook(abc.ABC):
    """A workbook churnkit reads (its orders, settings and its own sheets) and writes its sheets into."""
    name: str
    path: Path                   # where it is saved (a bare name for a workbook Excel has not saved yet)

    @abc.abstractmethod
    def sheet_names(self) -> list[str]: ...

    @abc.abstractmethod
    def tables(self) -> SheetTables:
        """Its sheets, every cell as text, for the order reader and the settings (opened once)."""

    @abc.abstractmethod
    def read_rows(self, sheet: str) -> list[list[Any]]:
        """The cells of a sheet from A1, as Python values (str, float, datetime, bool, None; a formula as
        :class:`Formula`)."""

    @abc.abstractmethod
    def marks(self) -> dict[str, str]:
        """The sheets churnkit marked as its own: sheet name -> kind."""

    @abc.abstractmethod
    def table_names(self, sheet: str) -> list[str]: ...

    @abc.abstractmethod
    def write_sheet(self, content: SheetContent, replacing: str | None, kind: str) -> None:
        """Write ``content`` as a new sheet or over the sheet ``replacing``, marked as churnkit's ``kind``."""

    @abc.abstractmethod
    def save(self) -> SaveResult: ...

    def selected_value(self) -> Any:
        """The value of the cell the user selected (None where nobody selects: a file)."""
        return None

    def own_sheet(self, kind: str) -> str | None:
        """The name of churnkit's sheet of ``kind`` in this workbook, None when it has none."""
        marks = self.marks()
        marked = next((sheet for sheet, marked_kind in marks.items() if marked_kind == kind), None)
        if marked is not None:
            return marked
        spec = KINDS[kind]
        for sheet in self.sheet_names():
            if sheet in spec.all_names() and sheet not in marks:
                rows = self.read_rows(sheet)
                title = rows[0][0] if rows and rows[0] else None
                if looks_like_earlier_version(spec, sheet, self.table_names(sheet), title):
                    return sheet
        return None

    def put_sheet(self, content: SheetContent, kind: str) -> str:
        """Write churnkit's sheet of ``kind``: over the one churnkit wrote before, else as a new sheet under a
        name nobody else's sheet has. Returns the sheet's name."""
        existing = self.own_sheet(kind)
        others = [sheet for sheet in self.sheet_names() if sheet != existing]
        if existing is not None and not _in_other_language(existing, kind, content.name):
            name = existing
        else:
            taken = next((sheet for sheet in others if sheet.casefold() == content.name.casefold()), None)
            if taken is not None and KINDS[kind].user_may_own:
                raise UserError(f"The sheet '{taken}' of {self.name} was not written by churnkit, so churnkit "
                                "leaves it as it is (it still reads its settings: column A the setting, column B "
                                "the value); rename it if churnkit should write its own.")
            name = choose_name(content.name, others)
        self.write_sheet(dataclasses.replace(content, name=name), existing, kind)
        return name


def _in_other_language(sheet: str, kind: str, wanted: str) -> bool:
    """True when churnkit's sheet has the name (or a ``(churnkit)`` variant) of another language than ``wanted``."""
    return any(sheet == name or sheet.startswith(name + " (churnkit")
               for name in KINDS[kind].all_names() if name != wanted)
