"""Filling a report template at the package level, by its defined names, without re-saving the workbook.

A template marks each place churnkit fills with a defined name: ``ck_…`` for one cell,
``ck_…_rows`` for the first data row of a block (the row's cells give the style of every
row written). A block grows downward from there; whatever refers to it grows with it:
an Excel table over it (``ref``), conditional formats and data validations on it, the
sheet's print area, and chart series reading its columns (range and cached values).
A part of the template can be left out instead (``leave_out``, ``leave_out_block``; see
``left_out``), with the charts reading it. Only the filled worksheets, those tables and charts,
the drawings and relationships that lose a chart or table, and ``xl/workbook.xml`` (when a print
area grows) are rewritten, as text; every other part — styles, images, shapes, the user's own
sheets — is copied byte for byte.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Sequence

from ..ooxml.namespaces import REL_TYPES
from ..ooxml.package import WorkbookPackage, rels_path, resolve_target
from ..ooxml.zip_parts import ZipParts
from .cell_ranges import Area, parse_area
from .chart_series import refit_chart, series_areas
from .left_out import drop_charts, drop_tables, strip_sheet, tables_inside
from .sheet_cells import SheetCells, TemplateError

PREFIX = "ck_"
_TABLE_REFS = re.compile(r'(<(?:\w+:)?(?:table|autoFilter)\b[^>]*?\bref=")([^"]*)(")')


class ReportTemplate:
    """A template workbook opened for filling; ``save`` writes the filled copy."""

    def __init__(self, path: Path):
        self.package = WorkbookPackage(ZipParts(Path(path)))
        self.parts = self.package.parts
        self.sheet_list = self.package.sheets()
        self.names = self._defined_names()
        self._cells: dict[str, SheetCells] = {}
        self._blocks: list[tuple[Area, Area, list[Sequence[Any]]]] = []   # (template area, written area, rows)
        self._left_out: list[Area] = []
        self._left_out_blocks: list[Area] = []
        self._left_out_tables: dict[str, list[str]] = {}     # sheet -> relationship ids of its tables left out

    def _defined_names(self) -> dict[str, Area]:
        """churnkit's defined names (``ck_…``) and the areas they point at."""
        out = {}
        for defined in self.package.defined_names():
            name = defined.name
            if not name.lower().startswith(PREFIX):
                continue
            area = parse_area(defined.formula.strip().lstrip("="))
            if area is None or area.sheet is None:
                raise TemplateError(f"the defined name {name} must point at cells on a sheet, not '{defined.formula}'")
            if area.sheet not in {s.name for s in self.sheet_list}:
                raise TemplateError(f"the defined name {name} points at a sheet '{area.sheet}' the template does not have")
            out[name.lower()] = area
        return out

    def fill_cell(self, name: str, value: Any) -> None:
        area = self.names[name]
        self._sheet(area.sheet).put(area.top, area.left, value)

    def fill_block(self, name: str, rows: Sequence[Sequence[Any]]) -> None:
        area = self.names[name].with_bottom(self.names[name].top)
        if any(other.sheet == area.sheet and other.top <= area.top <= written.bottom
               and other.overlaps_columns(area.left, area.right) for other, written, _ in self._blocks):
            raise TemplateError(f"the block {name} lies inside another block; put one block below the other's end, "
                                "or side by side")
        written = self._sheet(area.sheet).fill_block(area, rows)
        self._blocks.append((area, written, list(rows)))

    def leave_out(self, name: str) -> None:
        """Leave the cells of ``name`` out of the report, and the merges, formats, validations and tables inside."""
        area = self.names[name]
        self._sheet(area.sheet).clear(area)
        self._left_out.append(area)
        tables = tables_inside(self.package, self._part(area.sheet), area, name)
        self._left_out_tables.setdefault(area.sheet, []).extend(tables)

    def leave_out_block(self, name: str) -> None:
        """Leave a block out: its columns from its first row down (the formats on that row too), and every chart
        that reads it."""
        area = self.names[name].with_bottom(self.names[name].top)
        self._sheet(area.sheet).fill_block(area, [])
        self._left_out.append(area)
        self._left_out_blocks.append(area)

    def _sheet(self, name: str) -> SheetCells:
        if name not in self._cells:
            self._cells[name] = SheetCells(self._text(self._part(name)))
        return self._cells[name]

    def _part(self, sheet: str) -> str:
        return next(s.part for s in self.sheet_list if s.name == sheet)

    def _text(self, part: str) -> str:
        return self.parts.read(part).decode("utf-8")

    def close(self) -> None:
        self.parts.close()

    def save(self, target: Path) -> None:
        """Write the filled workbook to ``target``."""
        for sheet, cells in self._cells.items():
            part = self._part(sheet)
            xml = cells.xml().encode("utf-8")
            areas = [area for area in self._left_out if area.sheet == sheet]
            if areas:
                xml = drop_tables(self.package, part, strip_sheet(xml, areas), self._left_out_tables.get(sheet, []))
            self.parts.write(part, xml)
            self._grow_tables(sheet, part)
        if self._left_out_blocks:
            drop_charts(self.package, lambda xml: any(_reads_block(area, block) for area in series_areas(xml)
                                                      for block in self._left_out_blocks))
        self._refit_charts()
        self._grow_print_areas()
        self.parts.save(target)

    def _blocks_on(self, sheet: str) -> list[tuple[Area, Area]]:
        return [(area, written) for area, written, _ in self._blocks if area.sheet == sheet]

    def _grown(self, sheet: str, text: str) -> str:
        """An area (``A11:L12``) reaching down to the end of the block whose first row it holds, else unchanged."""
        area = parse_area(text)
        if area is None:
            return text
        for block, written in self._blocks_on(sheet):
            if area.contains_row(block.top) and area.overlaps_columns(block.left, block.right):
                return area.with_bottom(written.bottom).a1(absolute="$" in text)
        return text

    def _grow_tables(self, sheet: str, part: str) -> None:
        for rel in self.package.relationships(rels_path(part)):
            if rel.get("Type") != REL_TYPES["table"]:
                continue
            table = resolve_target(part, rel["Target"])
            xml = self._text(table)
            grown = _TABLE_REFS.sub(lambda m: m.group(1) + self._grown(sheet, m.group(2)) + m.group(3), xml)
            if grown != xml:
                self.parts.write(table, grown.encode("utf-8"))

    def _refit_charts(self) -> None:
        def lookup(area: Area):
            for block, written, rows in self._blocks:
                if _reads_block(area, block):
                    column = area.left - block.left
                    return [row[column] if column < len(row) else None for row in rows]
            return None
        for part in self.parts.names():
            if re.fullmatch(r"xl/charts/chart\d+\.xml", part):
                xml = self._text(part)
                refitted = refit_chart(xml, lookup)
                if refitted != xml:
                    self.parts.write(part, refitted.encode("utf-8"))

    def _grow_print_areas(self) -> None:
        for defined in self.package.defined_names():
            if defined.name != "_xlnm.Print_Area" or defined.sheet is None:
                continue
            areas = []
            for piece in defined.formula.split(","):
                prefix, _, cells = piece.rpartition("!")
                areas.append(f"{prefix}!{self._grown(defined.sheet, cells)}" if prefix else piece)
            if ",".join(areas) != defined.formula:
                self.package.set_defined_name(defined, ",".join(areas))


def _reads_block(area: Area, block: Area) -> bool:
    """A series range reads a block when it starts on the block's first row, in one of its columns."""
    return area.sheet == block.sheet and area.top == block.top and block.left <= area.left <= block.right
