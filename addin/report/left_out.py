"""Leaving parts of a template out of the report: their cells, what covers them, and the charts that read them.

A breakdown by a field no customer has (an order book without a rep or region column) would
be one "(not given)" row and a chart with one bar, so it is left out (``ReportData.left_out``).
Within each area left out, the worksheet loses its cells (``SheetCells.clear``), the merged
ranges, conditional formats and data validations inside it, and the Excel tables that lie
wholly inside it. A chart whose series read a left-out block loses its anchor on the drawing
(or only its frame, in a group of shapes), the drawing's relationship to it, and its part,
with the parts only it used (chart style and colours). Everything else stays byte for byte.
"""
from __future__ import annotations

import posixpath
from typing import Callable

from ..ooxml import xml_text
from ..ooxml.namespaces import REL, REL_TYPES
from ..ooxml.package import WorkbookPackage, rels_path, resolve_target
from .cell_ranges import Area, parse_area
from .sheet_cells import TemplateError

_R_ID = f"{{{REL}}}id"


def strip_sheet(xml: bytes, areas: list[Area]) -> bytes:
    """The worksheet without the merged ranges, conditional formats and data validations inside ``areas``."""
    root = xml_text.parse(xml)
    edits = []
    for child in root.children:
        if child.local == "mergeCells":
            edits.append((child, _container(xml, child, lambda c: _kept(xml, c, "ref", areas))))
        elif child.local == "dataValidations":
            edits.append((child, _container(xml, child, lambda c: _kept(xml, c, "sqref", areas))))
        elif child.local == "conditionalFormatting":
            edits.append((child, _kept(xml, child, "sqref", areas)))
    for element, text in sorted(edits, key=lambda edit: edit[0].start, reverse=True):
        xml = xml[:element.start] + text + xml[element.end:]
    return xml


def _kept(xml: bytes, element: xml_text.Element, attribute: str, areas: list[Area]) -> bytes:
    """``element`` with the ranges of its ``sqref``/``ref`` inside ``areas`` taken out (nothing when none is left)."""
    ranges = (element.get(attribute) or "").split()
    kept = [text for text in ranges if not _inside(text, areas)]
    if kept == ranges:
        return xml[element.start:element.end]
    return _with_attribute(xml, element, attribute, " ".join(kept)) if kept else b""


def _container(xml: bytes, element: xml_text.Element, keep: Callable[[xml_text.Element], bytes]) -> bytes:
    """A counted list (``mergeCells``, ``dataValidations``) with its children as ``keep`` leaves them; nothing when
    none is left."""
    children = [text for text in map(keep, element.children) if text]
    if not children:
        return b""
    if len(children) == len(element.children) and all(text == xml[c.start:c.end]
                                                      for text, c in zip(children, element.children)):
        return xml[element.start:element.end]
    head = _with_attribute(xml, element, "count", str(len(children)))
    head = head[:len(head) - (element.end - element.head_end)]
    return head + b"".join(children) + xml[element.close:element.end]


def _with_attribute(xml: bytes, element: xml_text.Element, name: str, value: str) -> bytes:
    """The text of ``element`` with one attribute set."""
    edited = xml_text.set_attribute(xml, element, name, value)
    return edited[element.start:element.end + len(edited) - len(xml)]


def _inside(text: str, areas: list[Area]) -> bool:
    found = parse_area(text)
    return found is not None and any(found.within(area) for area in areas)


def tables_inside(package: WorkbookPackage, sheet_part: str, area: Area, name: str) -> list[str]:
    """The relationship ids of the sheet's tables inside ``area``; a table whose header row it cuts is an error."""
    inside = []
    for rel in package.relationships(rels_path(sheet_part)):
        if rel.get("Type") != REL_TYPES["table"]:
            continue
        table = xml_text.parse(package.parts.read(resolve_target(sheet_part, rel["Target"])))
        ref = parse_area(table.get("ref", ""))
        if ref is None:
            continue
        if ref.within(area):
            inside.append(rel["Id"])
        elif table.get("headerRowCount", "1") != "0" and area.contains_row(ref.top) and \
                area.overlaps_columns(ref.left, ref.right):
            raise TemplateError(f"the name {name} holds part of the table {table.get('name')}; make it hold "
                                "the whole table, or none of its header row")
    return inside


def drop_tables(package: WorkbookPackage, sheet_part: str, xml: bytes, rel_ids: list[str]) -> bytes:
    """The worksheet without the tables of ``rel_ids``: their ``tablePart``, relationship and part go."""
    root = xml_text.parse(xml)
    parts = root.find("tableParts")
    if parts is not None:
        text = _container(xml, parts, lambda c: b"" if c.get(_R_ID) in rel_ids else xml[c.start:c.end])
        xml = xml[:parts.start] + text + xml[parts.end:]
    for rel_id in dict.fromkeys(rel_ids):            # two sections may hold one table
        _drop_unshared(package, _drop_relationship(package, sheet_part, rel_id))
    return xml


def drop_charts(package: WorkbookPackage, reads_left_out: Callable[[str], bool]) -> None:
    """Every chart on a sheet's drawing whose series read a left-out block (``reads_left_out(chart xml)``) leaves."""
    for sheet in package.sheets():
        for drawing in _targets(package, sheet.part, "drawing"):
            for rel in package.relationships(rels_path(drawing)):
                chart = resolve_target(drawing, rel.get("Target", ""))
                if rel.get("Type") == REL_TYPES["chart"] and chart in package.parts and \
                        reads_left_out(package.parts.read(chart).decode("utf-8")):
                    _drop_frame(package, drawing, rel["Id"])
                    _drop_unshared(package, _drop_relationship(package, drawing, rel["Id"]))


def _drop_frame(package: WorkbookPackage, drawing: str, rel_id: str) -> None:
    """Take the chart ``rel_id`` off the drawing: its whole anchor, or only its frame when it sits in a group."""
    data = package.parts.read(drawing)
    for anchor in xml_text.parse(data).children:
        for frame in anchor.iter("graphicFrame"):
            if any(chart.get(_R_ID) == rel_id for chart in frame.iter("chart")):
                grouped = any(group.start < frame.start < group.end for group in anchor.iter("grpSp"))
                package.parts.write(drawing, xml_text.remove(data, frame if grouped else anchor))
                return


def _drop_relationship(package: WorkbookPackage, source: str, rel_id: str) -> str:
    """Remove one relationship of ``source``; returns the part it pointed at."""
    part = rels_path(source)
    data = package.parts.read(part)
    rel = next(r for r in xml_text.parse(data).findall("Relationship") if r.get("Id") == rel_id)
    package.parts.write(part, xml_text.remove(data, rel))
    return resolve_target(source, rel.get("Target", ""))


def _drop_unshared(package: WorkbookPackage, part: str) -> None:
    """Remove ``part`` once nothing points at it, with its relationships, and likewise the parts they point at."""
    if part not in package.parts or part in _pointed_at(package):
        return
    rels = rels_path(part)
    targets = [resolve_target(part, r.get("Target", "")) for r in package.relationships(rels)
               if r.get("TargetMode") != "External"]
    package.remove_part(part)
    if rels in package.parts:
        package.parts.remove(rels)
    for target in targets:
        _drop_unshared(package, target)


def _pointed_at(package: WorkbookPackage) -> set[str]:
    """Every part some relationship of the package points at."""
    out = set()
    for rels in package.parts.names():
        if rels.endswith(".rels"):
            folder = posixpath.dirname(posixpath.dirname(rels))          # xl/charts/_rels/chart1.xml.rels: xl/charts
            source = posixpath.join(folder, posixpath.basename(rels).removesuffix(".rels"))
            out.update(resolve_target(source, r.get("Target", "")) for r in package.relationships(rels)
                       if r.get("TargetMode") != "External")
    return out


def _targets(package: WorkbookPackage, part: str, kind: str) -> list[str]:
    return [resolve_target(part, r.get("Target", "")) for r in package.relationships(rels_path(part))
            if r.get("Type") == REL_TYPES[kind]]
