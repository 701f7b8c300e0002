"""Where each part of a :class:`~addin.content.model.SheetContent` goes on a worksheet, and how it looks.

Title in A1, the heading block under it, then the tables side by side from the header row
(``SheetContent.header_row``), each an Excel table with its column widths and drop-downs,
the header row frozen, and the charts to the right of the tables, one under the other.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from ..content import texttable
from ..content.look import CHART_COLUMNS, CHART_ROWS, HEADER, KIND_STYLES, LABEL, RISK_FILLS, TITLE, risk_style
from ..content.model import Chart, SheetContent
from ..ooxml.styles import Style
from ..ooxml.worksheet import ChartSpec, Formula, ListValidation, Series, TableSpec, Worksheet, column_letter


def worksheet(content: SheetContent) -> Worksheet:
    """The worksheet of ``content``."""
    header = content.header_row
    cells: dict[int, list[tuple[int, Any, Style]]] = {1: [(1, content.title, TITLE)]}
    for offset, (name, value) in enumerate(content.heading):
        cells[2 + offset] = [(1, name, LABEL), (2, value, KIND_STYLES[kind_of(value)])]
    for index, table in enumerate(content.tables):
        first = content.first_column(index)
        cells.setdefault(header, []).extend((first + i, c.header, HEADER) for i, c in enumerate(table.columns))
        for offset, values in enumerate(table.rows):
            row = cells.setdefault(header + 1 + offset, [])
            for i, (column, value) in enumerate(zip(table.columns, values)):
                if column.kind == "risk":
                    look = risk_style(value)
                elif column.kind == "any":
                    look = KIND_STYLES[kind_of(value)]
                else:
                    look = KIND_STYLES[column.kind]
                row.append((first + i, value, look))
    widths = {content.first_column(t) + i: c.width for t, table in enumerate(content.tables)
              for i, c in enumerate(table.columns)}
    widths[1] = max([widths.get(1, 8), *(texttable.width(str(label)) + 2 for label, _ in content.heading)])
    return Worksheet(
        name=content.name, cells=cells, widths=widths, last_column=content.width,
        last_row=max([content.last_row(i) for i in range(len(content.tables))] + [max(cells)]),
        frozen_rows=header, tab_color=content.tab_color, validations=_validations(content),
        tables=[TableSpec(table.name, table_range(content, index), tuple(c.header for c in table.columns))
                for index, table in enumerate(content.tables)],
        charts=[_chart(content, chart, number) for number, chart in enumerate(content.charts)],
        styles=(*KIND_STYLES.values(), *(Style(bold=True, fill=fill) for fill in RISK_FILLS.values()), HEADER,
                TITLE, LABEL))


def table_range(content: SheetContent, index: int) -> str:
    """A table's cell range, header included."""
    first = content.first_column(index)
    last = first + len(content.tables[index].columns) - 1
    return f"{column_letter(first)}{content.header_row}:{column_letter(last)}{content.last_row(index)}"


def kind_of(value: Any) -> str:
    """The column kind whose format shows a value the user typed as they typed it."""
    if isinstance(value, Formula):
        value = value.cached
    if isinstance(value, dt.datetime):
        return "datetime" if (value.hour, value.minute, value.second) != (0, 0, 0) else "date"
    return "date" if isinstance(value, dt.date) else "text"


def _validations(content: SheetContent) -> list[ListValidation]:
    found = []
    for index, table in enumerate(content.tables):
        first, last = content.header_row + 1, content.last_row(index)
        for i, column in enumerate(table.columns):
            if column.choices:
                letter = column_letter(content.first_column(index) + i)
                found.append(ListValidation(f"{letter}{first}:{letter}{last}", tuple(column.choices)))
    return found


def _chart(content: SheetContent, chart: Chart, number: int) -> ChartSpec:
    """A chart of some columns of one table, placed right of the tables (the ``number``-th from the top)."""
    table = content.tables[chart.table]
    first_col = content.first_column(chart.table)
    first, last = content.header_row + 1, content.header_row + max(len(table.rows), 1)
    sheet = "'" + content.name.replace("'", "''") + "'"

    def series(column: int, name: str) -> Series:
        letter = column_letter(first_col + column)
        return Series(name, f"{sheet}!${letter}${first}:${letter}${last}", tuple(row[column] for row in table.rows))

    return ChartSpec(chart.title, chart.kind, series(chart.category, ""),
                     tuple(series(column, table.columns[column].header) for column in chart.values),
                     left=content.width + 1, top=1 + number * (CHART_ROWS + 1), columns=CHART_COLUMNS,
                     rows=CHART_ROWS)
