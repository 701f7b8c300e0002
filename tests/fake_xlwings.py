"""A small stand-in of the xlwings objects churnkit's live-Excel adapter uses (no Excel here).

It keeps cell values in a dict and records the formatting calls, so tests can check
what the ribbon's actions would have done to an open workbook. As in Excel, text written
with a leading apostrophe is stored as the text after it, and text starting with ``=``
(or ``+``, ``-``, ``@``) is stored as a formula (not calculated here: its value reads as ``calculated[formula]``, else
None). Every read of a range's values is counted, by sheet (``Book.value_reads``), as each is a trip through COM
in Excel.
"""
from __future__ import annotations

import collections
import re
from typing import Any


def _cell(address: str) -> tuple[int, int]:
    letters, digits = re.fullmatch(r"\$?([A-Z]+)\$?(\d+)", address).groups()
    column = 0
    for ch in letters:
        column = column * 26 + ord(ch) - 64
    return int(digits), column


class Font:
    def __init__(self):
        self.bold, self.size, self.color = False, None, None


class Validation:
    def __init__(self, rng: "Range"):
        self.rng = rng

    def set_list(self, source, *, in_cell_dropdown=True):
        self.rng.sheet.validations.append((self.rng.bounds, list(source)))


class Range:
    def __init__(self, sheet: "Sheet", first: tuple[int, int], last: tuple[int, int] | None = None, areas=None):
        self.sheet, self.first, self.last = sheet, first, last or first
        self.areas = areas or [(self.first, self.last)]
        self._ndim = None
        self.font = Font()

    @property
    def bounds(self):
        return self.first, self.last

    @property
    def row(self) -> int:
        return self.first[0]

    @property
    def column(self) -> int:
        return self.first[1]

    def options(self, ndim=None, **_):
        copy = Range(self.sheet, self.first, self.last, self.areas)
        copy._ndim = ndim
        return copy

    @property
    def value(self):
        self.sheet.book.value_reads[self.sheet.name] += 1
        (r1, c1), (r2, c2) = self.first, self.last
        grid = [[self.sheet.cells.get((r, c)) for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]
        if self._ndim == 2 or (len(grid) > 1 and len(grid[0]) > 1):
            return grid
        if len(grid) == 1 and len(grid[0]) == 1:
            return grid[0][0]
        return [row[0] for row in grid] if len(grid[0]) == 1 else grid[0]

    @value.setter
    def value(self, value):
        rows = value if isinstance(value, list) and value and isinstance(value[0], list) else [[value]]
        for i, row in enumerate(rows):
            for j, item in enumerate(row):
                self.sheet.put((self.row + i, self.column + j), item)

    @property
    def formula(self):
        """As Excel gives it: a cell's formula, or its constant as text ('' when empty)."""
        (r1, c1), (r2, c2) = self.first, self.last
        grid = tuple(tuple(self.sheet.formula_of((r, c)) for c in range(c1, c2 + 1)) for r in range(r1, r2 + 1))
        return grid[0][0] if len(grid) == 1 and len(grid[0]) == 1 else grid

    @property
    def number_format(self):
        return self.sheet.formats.get(self.bounds)

    @number_format.setter
    def number_format(self, code):
        self.sheet.formats[self.bounds] = code

    @property
    def color(self):
        return self.sheet.colors.get(self.first)

    @color.setter
    def color(self, value):
        self.sheet.colors[self.first] = value

    @property
    def column_width(self):
        return self.sheet.widths.get(self.column)

    @column_width.setter
    def column_width(self, width):
        self.sheet.widths[self.column] = width

    @property
    def data_validation(self):
        return Validation(self)


class Table:
    def __init__(self, name: str, rng: Range):
        self.name, self.range = name, rng

    def resize(self, range: Range):
        self.range = range


class Tables(list):
    def __init__(self, sheet):
        super().__init__()
        self.sheet = sheet

    def add(self, source: Range, name: str, table_style_name="TableStyleMedium2"):
        assert name not in [t.name for t in self.sheet.book.all_tables()], f"table {name} exists"
        self.append(Table(name, source))
        return self[-1]

    def __getitem__(self, key):
        return next(t for t in self if t.name == key) if isinstance(key, str) else list.__getitem__(self, key)


class Chart:
    def __init__(self, charts, **kwargs):
        self.charts, self.kwargs, self.x_values = charts, kwargs, None

    def set_x_axis_values(self, source: Range):
        self.x_values = source

    def delete(self):
        self.charts.remove(self)


class Charts(list):
    def add(self, **kwargs):
        self.append(Chart(self, **kwargs))
        return self[-1]


class FreezePanes:
    def __init__(self, sheet):
        self.sheet = sheet

    def freeze_at(self, frozen_range):
        self.sheet.frozen = frozen_range


class Name:
    def __init__(self, name: str, refers_to: str):
        self.name, self.refers_to = name, refers_to
        self.api = None


class Names(list):
    def __init__(self, sheet):
        super().__init__()
        self.sheet = sheet

    def add(self, name: str, refers_to: str) -> Name:
        self.append(Name(f"{self.sheet.name}!{name}", refers_to))
        return self[-1]


class Sheet:
    def __init__(self, book: "Book", name: str, rows=None, first_row: int = 1):
        self.book, self.name = book, name
        self.cells: dict[tuple[int, int], Any] = {}
        self.formulas: dict[tuple[int, int], str] = {}
        self.calculated: dict[str, Any] = {}
        self.names = Names(self)
        self.formats, self.colors, self.widths, self.validations = {}, {}, {}, []
        self.tables, self.charts, self.frozen = Tables(self), Charts(), None
        self.freeze_panes = FreezePanes(self)
        self.api = None
        for i, row in enumerate(rows or []):
            for j, value in enumerate(row):
                if value is not None:
                    self.cells[(first_row + i, 1 + j)] = value

    def put(self, cell: tuple[int, int], item: Any) -> None:
        """What Excel does with a value written to a cell."""
        self.formulas.pop(cell, None)
        if isinstance(item, str) and item.startswith("'"):
            item = item[1:]
        elif isinstance(item, str) and len(item) > 1 and item[0] in "=+-@":     # Excel takes these for formulas
            self.formulas[cell] = item
            item = self.calculated.get(item)
        self.cells[cell] = item

    def formula_of(self, cell: tuple[int, int]) -> str:
        if cell in self.formulas:
            return self.formulas[cell]
        value = self.cells.get(cell)
        return "" if value is None else str(value)

    def range(self, cell1, cell2=None):
        if isinstance(cell1, str):
            areas = []
            for part in cell1.split(","):
                ends = [_cell(a) for a in part.split(":")]
                areas.append((ends[0], ends[-1]))
            return Range(self, areas[0][0], areas[0][1], areas)
        return Range(self, cell1, cell2)

    def __getitem__(self, address):
        return self.range(address)

    @property
    def used_range(self) -> Range:
        if not self.cells:
            return Range(self, (1, 1))
        rows = [r for r, _ in self.cells]
        cols = [c for _, c in self.cells]
        return Range(self, (min(rows), min(cols)), (max(rows), max(cols)))

    def clear(self):
        self.cells.clear()
        self.formulas.clear()
        self.formats.clear()
        self.colors.clear()
        self.validations.clear()

    def table_values(self, name: str) -> list[list[Any]]:
        """Test helper: the values of one table, header included."""
        return self.tables[name].range.options(ndim=2).value


class Sheets(list):
    def __init__(self, book):
        super().__init__()
        self.book = book

    def add(self, name, after=None):
        sheet = Sheet(self.book, name)
        self.insert(self.index(after) + 1 if after is not None else 0, sheet)
        return sheet

    def __getitem__(self, key):
        return next(s for s in self if s.name == key) if isinstance(key, str) else list.__getitem__(self, key)


class App:
    def __init__(self):
        self.calculations, self.alerts = 0, []

    def calculate(self):
        self.calculations += 1

    def alert(self, prompt, title=None, **_):
        self.alerts.append((title, prompt))


class Book:
    def __init__(self, fullname: str, sheets: dict[str, list[list[Any]]]):
        self.fullname = fullname
        self.name = fullname.replace("\\", "/").rsplit("/", 1)[-1]
        self.app = App()
        self.value_reads: collections.Counter[str] = collections.Counter()
        self.sheets = Sheets(self)
        for name, rows in sheets.items():
            self.sheets.append(Sheet(self, name, rows))
        self.selection: Range | None = None

    def all_tables(self):
        return [t for s in self.sheets for t in s.tables]

    def select(self, sheet: str, address: str) -> None:
        self.selection = self.sheets[sheet].range(address)
