"""The live-Excel adapter of the :class:`~addin.workbooks.base.Workbook` interface, through xlwings.

Everything is written through Excel (the workbook is never saved from Python while
Excel holds it); ``save`` recalculates so the worksheet functions pick up the new lists.
Only xlwings' public object model is used, plus Windows-only page settings and the hiding of
churnkit's mark on its sheets (``sheet_kinds``).
"""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

from ..content.look import CHART_COLUMNS, CHART_ROWS, KIND_STYLES, LABEL, RISK_FILLS, TITLE
from ..content.model import SheetContent
from ..content.sheet_kinds import MARK_NAME, kind_of_mark, mark_formula
from ..ooxml.worksheet import Formula, column_letter, fit_text
from ..sources.tables import ValueTables
from .base import SaveResult, Workbook

FORMULA_STARTS = ("=", "+", "-", "@")
_XL_LANDSCAPE = 2
_POINTS_PER_COLUMN, _POINTS_PER_ROW = 64, 15


class ExcelWorkbook(Workbook):
    """An open workbook in Excel (an ``xlwings.Book``)."""

    def __init__(self, book: Any):
        self.book = book
        self.name = book.name

    @property
    def path(self) -> Path:
        return Path(self.book.fullname)

    def sheet_names(self) -> list[str]:
        return [sheet.name for sheet in self.book.sheets]

    def read_rows(self, sheet: str) -> list[list[Any]]:
        found = self.book.sheets[sheet]
        first_row, rows = self._values(found)
        used = found.used_range
        formulas = used.formula
        formulas = [[formulas]] if isinstance(formulas, str) else formulas
        for r, row in enumerate(formulas):
            for c, text in enumerate(row):
                column = used.column - 1 + c
                if isinstance(text, str) and text.startswith("=") and text != rows[r][column]:
                    rows[r][column] = Formula(text, rows[r][column])     # (text that only looks like one reads as itself)
        return [[] for _ in range(first_row - 1)] + rows

    def marks(self) -> dict[str, str]:
        found = {}
        for sheet in self.book.sheets:
            for name in sheet.names:
                kind = kind_of_mark(name.refers_to)
                if name.name.rpartition("!")[2] == MARK_NAME and kind:
                    found[sheet.name] = kind
        return found

    def table_names(self, sheet: str) -> list[str]:
        return [table.name for table in self.book.sheets[sheet].tables]

    def tables(self) -> ValueTables:
        """Every sheet's values, for reading the orders the way the command line reads a file."""
        return ValueTables(self.name, {sheet.name: self._values(sheet) for sheet in self.book.sheets})

    @staticmethod
    def _values(sheet: Any) -> tuple[int, list[list[Any]]]:
        used = sheet.used_range
        values = used.options(ndim=2).value
        first_column = used.column
        return used.row, [[None] * (first_column - 1) + list(row) for row in values]

    def write_sheet(self, content: SheetContent, replacing: str | None, kind: str) -> None:
        if replacing is None:
            sheet = self.book.sheets.add(content.name, after=self.book.sheets[len(self.book.sheets) - 1])
        else:
            sheet = self.book.sheets[replacing]
            sheet.name = content.name
            for chart in list(sheet.charts):
                chart.delete()
            sheet.clear()
        if kind not in (kind_of_mark(n.refers_to) for n in sheet.names if n.name.rpartition("!")[2] == MARK_NAME):
            mark = sheet.names.add(MARK_NAME, "=" + mark_formula(kind))
            if sys.platform == "win32":
                mark.api.Visible = False
        self._write(sheet, content)

    def _write(self, sheet: Any, content: SheetContent) -> None:
        _style(sheet.range("A1"), TITLE).value = content.title
        for row, (label, value) in enumerate(content.heading, start=2):
            _style(sheet.range((row, 1)), LABEL).value = label
            sheet.range((row, 2)).value = _safe(value)
        header = content.header_row
        for index, table in enumerate(content.tables):
            first, last_row = content.first_column(index), content.last_row(index)
            values = [[c.header for c in table.columns]] + [[_safe(v) for v in row] for row in table.rows]
            sheet.range((header, first)).value = values
            area = sheet.range((header, first), (last_row, first + len(table.columns) - 1))
            if table.name in [t.name for t in sheet.tables]:
                sheet.tables[table.name].resize(area)
            else:
                sheet.tables.add(source=area, name=table.name)
            for offset, column in enumerate(table.columns):
                col = first + offset
                sheet.range((1, col)).column_width = column.width
                cells = sheet.range((header + 1, col), (last_row, col))
                style = KIND_STYLES.get(column.kind)
                if style is not None and style.num_format:
                    cells.number_format = style.num_format
                if column.choices:
                    cells.data_validation.set_list(list(column.choices))
                if column.kind == "risk":
                    for row, value in enumerate(table.rows, start=header + 1):
                        if value[offset] in RISK_FILLS:
                            sheet.range((row, col)).color = "#" + RISK_FILLS[value[offset]][2:]
        for chart in content.charts:
            first, last_row = content.first_column(chart.table), content.last_row(chart.table)
            values = ",".join(f"{column_letter(first + v)}{header}:{column_letter(first + v)}{last_row}"
                              for v in chart.values)
            added = sheet.charts.add(left=(content.width + 1) * _POINTS_PER_COLUMN, top=_POINTS_PER_ROW,
                                     width=CHART_COLUMNS * _POINTS_PER_COLUMN, height=CHART_ROWS * _POINTS_PER_ROW,
                                     chart_type="line" if chart.kind == "line" else "column_clustered",
                                     source=sheet.range(values), plot_by="columns", name=chart.title)
            category = column_letter(first + chart.category)
            added.set_x_axis_values(sheet.range(f"{category}{header + 1}:{category}{last_row}"))
        sheet.freeze_panes.freeze_at(f"1:{header}")
        if sys.platform == "win32":
            setup = sheet.api.PageSetup
            setup.Orientation, setup.Zoom, setup.FitToPagesWide, setup.FitToPagesTall = _XL_LANDSCAPE, False, 1, False

    def save(self) -> SaveResult:
        """Nothing to save (Excel holds the file); recalculate so worksheet functions see the new data."""
        self.book.app.calculate()
        return SaveResult(None)

    def selected_value(self) -> Any:
        return self.book.selection.options(ndim=2).value[0][0]


def _style(cell: Any, style) -> Any:
    cell.font.bold = style.bold
    if style.size:
        cell.font.size = style.size
    if style.color:
        cell.font.color = "#" + style.color[2:]
    return cell


def _safe(value: Any) -> Any:
    """Text that Excel would take for a formula gets the apostrophe that keeps it text; the user's own
    formulas go back as formulas."""
    if isinstance(value, Formula):
        return value.text
    value = fit_text(value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return value
