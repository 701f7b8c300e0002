"""A workbook package (.xlsx, .xlsm, .xlam) opened to add or replace worksheets and parts, touching nothing else.

Only these parts change: the worksheet parts written, their relationships, tables,
drawings and charts, and the workbook-level parts that must list them — ``xl/workbook.xml``
and its relationships, ``[Content_Types].xml``, ``xl/styles.xml`` (styles are appended) and
``docProps/app.xml`` (the sheet names). They are edited as text at positions an XML
parser finds (``xml_text``), so every byte outside the edit stays as it was. Every other
part is copied byte for byte.
"""
from __future__ import annotations

import dataclasses
import functools
import posixpath
import re
from pathlib import Path
from xml.sax.saxutils import escape

from . import xml_text
from .chart_xml import render_chart, render_drawing
from .namespaces import (CONTENT_TYPES, CONTENT_TYPES_NS, EXTENDED_PROPERTIES, MAIN, PACKAGE_REL, REL, REL_TYPES,
                         VARIANT_TYPES)
from .sheet_xml import render_sheet, render_table
from .styles import MINIMAL_STYLES, Style, StyleSheet
from .worksheet import Worksheet
from .xml_text import Element, XmlError
from .zip_parts import ZipParts
_CONTENT_TYPES_PART = "[Content_Types].xml"
_AFTER_DEFINED_NAMES = ("calcPr", "oleSize", "customWorkbookViews", "pivotCaches", "smartTagPr", "smartTagTypes",
                        "webPublishing", "fileRecoveryPr", "webPublishObjects", "extLst")   # CT_Workbook's order


class PackageError(ValueError):
    """The package is not a workbook churnkit can write into."""


@dataclasses.dataclass(frozen=True)
class SheetEntry:
    """A sheet as ``workbook.xml`` lists it."""
    name: str
    sheet_id: int
    rel_id: str
    part: str                 # the worksheet part ('' when the relationship is missing)
    position: int             # 0-based place in the sheet list (what a defined name's localSheetId counts)


@dataclasses.dataclass(frozen=True)
class DefinedName:
    name: str
    sheet: str | None         # the sheet it is scoped to (localSheetId), None for the whole workbook
    formula: str              # what it refers to, as written (without '=')
    position: int             # its place among the defined names


class WorkbookPackage:
    """A workbook package opened for adding and replacing churnkit's sheets."""

    def __init__(self, parts: ZipParts):
        self.parts = parts
        if _CONTENT_TYPES_PART not in parts:
            raise PackageError(f"it has no {_CONTENT_TYPES_PART} part")
        self.workbook_part = self._main_part()
        self.rels_part = rels_path(self.workbook_part)
        self._style_cache: dict[Style, int] = {}

    @classmethod
    def open(cls, path: Path) -> "WorkbookPackage":
        return cls(ZipParts(path))

    @classmethod
    def new(cls) -> "WorkbookPackage":
        """An empty workbook (no sheets yet) for ``refresh --out`` into a new file."""
        parts = ZipParts()
        parts.write(_CONTENT_TYPES_PART, _NEW_CONTENT_TYPES.encode())
        parts.write("_rels/.rels", _NEW_ROOT_RELS.encode())
        parts.write("xl/workbook.xml", _NEW_WORKBOOK.encode())
        parts.write("xl/_rels/workbook.xml.rels", _NEW_WORKBOOK_RELS.encode())
        parts.write("xl/styles.xml", MINIMAL_STYLES.encode())
        parts.write("docProps/app.xml", _NEW_APP.encode())
        return cls(parts)

    # --- reading -------------------------------------------------------------------
    def _xml(self, name: str) -> tuple[bytes, Element]:
        data = self.parts.read(name)
        try:
            return data, xml_text.parse(data)
        except XmlError as exc:
            raise PackageError(f"its part {name} cannot be read ({exc})") from None

    def _main_part(self) -> str:
        for rel in self.relationships("_rels/.rels"):
            if rel.get("Type", "").endswith("/officeDocument") and "Target" in rel:
                return rel["Target"].lstrip("/")
        raise PackageError("the file has no workbook part")

    def relationships(self, rels_part: str) -> list[dict[str, str]]:
        if rels_part not in self.parts:
            return []
        return [rel.attrs for rel in self._xml(rels_part)[1].findall("Relationship")]

    def sheets(self) -> list[SheetEntry]:
        """Each sheet's name, id, relationship and part, in workbook order."""
        targets = {r.get("Id"): resolve_target(self.workbook_part, r.get("Target", ""))
                   for r in self.relationships(self.rels_part)}
        listed = self._sheet_elements()
        out = []
        for position, element in enumerate(listed):
            rel_id = element.get(f"{{{REL}}}id", "")
            try:
                out.append(SheetEntry(element.get("name", ""), int(element.get("sheetId", "0")), rel_id,
                                      targets.get(rel_id, ""), position))
            except ValueError:
                raise PackageError(f"sheet '{element.get('name')}' has no valid sheetId") from None
        return out

    def _sheet_elements(self) -> list[Element]:
        sheets = self._xml(self.workbook_part)[1].find("sheets")
        return sheets.findall("sheet") if sheets is not None else []

    def defined_names(self) -> list[DefinedName]:
        """The workbook's defined names, in their order."""
        data, root = self._xml(self.workbook_part)
        names = root.find("definedNames")
        sheets = self.sheets()
        out = []
        for position, defined in enumerate(names.findall("definedName") if names is not None else []):
            local = defined.get("localSheetId", "")
            sheet = sheets[int(local)].name if local.isdigit() and int(local) < len(sheets) else None
            out.append(DefinedName(defined.get("name", ""), sheet, xml_text.text_of(data, defined), position))
        return out

    def set_defined_name(self, name: DefinedName, formula: str) -> None:
        """Give a defined name another formula (its text), changing nothing else."""
        data, root = self._xml(self.workbook_part)
        element = root.find("definedNames").findall("definedName")[name.position]
        self.parts.write(self.workbook_part, xml_text.replace(
            data, element, data[element.start:element.head_end].decode() + escape(formula) + f"</{element.qname}>"))

    def table_names(self, sheet: str) -> list[str]:
        """The names of the Excel tables on a sheet."""
        entry = self._entry(sheet)
        return [self._xml(part)[1].get("name", "") for part in self._table_parts(entry.part) if part in self.parts]

    def _entry(self, sheet: str) -> SheetEntry:
        return next(s for s in self.sheets() if s.name == sheet)

    def _table_parts(self, part: str) -> list[str]:
        return [resolve_target(part, r.get("Target", "")) for r in self.relationships(rels_path(part))
                if r.get("Type") == REL_TYPES["table"]]

    # --- writing -------------------------------------------------------------------
    def put_worksheet(self, sheet: Worksheet, replacing: str | None) -> None:
        """Write ``sheet`` as a new worksheet, or over the one named ``replacing`` (renamed when need be)."""
        if replacing is None:
            part = self._add_sheet_entry(sheet.name)
            self._override(part, CONTENT_TYPES["worksheet"])
        else:
            existing = self._entry(replacing)
            part = existing.part
            if existing.name != sheet.name:
                self._rename_sheet(existing, sheet.name)
            if re.search(rb"<(?:\w+:)?f[ >]", self.parts.read(part)):
                self._drop_calc_chain()
        old = self.relationships(rels_path(part))
        old_tables = self._table_parts(part)
        for drawing in (resolve_target(part, r["Target"]) for r in old if r.get("Type") == REL_TYPES["drawing"]):
            for chart in self.relationships(rels_path(drawing)):
                self.remove_part(resolve_target(drawing, chart["Target"]))
            self.parts.remove(rels_path(drawing))
            self.remove_part(drawing)
        for stale in old_tables[len(sheet.tables):]:
            self.remove_part(stale)
        relationships = []
        for index, table in enumerate(sheet.tables):
            table_part = old_tables[index] if index < len(old_tables) else self._free_name("xl/tables/table{}.xml")
            table_id = self._table_id(table_part)
            name = self._table_name(table.name, table_part)
            self.parts.write(table_part, render_table(table, table_id, name))
            self._override(table_part, CONTENT_TYPES["table"])
            relationships.append((f"rId{index + 1}", REL_TYPES["table"], _relative(part, table_part)))
        drawing_rel = None
        if sheet.charts:
            drawing_rel = f"rId{len(relationships) + 1}"
            relationships.append((drawing_rel, REL_TYPES["drawing"], _relative(part, self._write_charts(sheet))))
        table_rels = [rel_id for rel_id, kind, _ in relationships if kind == REL_TYPES["table"]]
        self.parts.write(part, render_sheet(sheet, self._style_index, table_rels, drawing_rel))
        self.parts.write(rels_path(part), rels_xml(relationships))
        self._flush_styles()

    def _write_charts(self, sheet: Worksheet) -> str:
        """Write the drawing part and one chart part per chart; return the drawing part's name."""
        drawing = self._free_name("xl/drawings/drawing{}.xml")
        chart_rels = []
        for number, chart in enumerate(sheet.charts, start=1):
            chart_part = self._free_name("xl/charts/chart{}.xml")
            self.parts.write(chart_part, render_chart(chart))
            self._override(chart_part, CONTENT_TYPES["chart"])
            chart_rels.append((f"rId{number}", REL_TYPES["chart"], _relative(drawing, chart_part)))
        self.parts.write(drawing, render_drawing(sheet.charts, [rel_id for rel_id, _, _ in chart_rels]))
        self.parts.write(rels_path(drawing), rels_xml(chart_rels))
        self._override(drawing, CONTENT_TYPES["drawing"])
        return drawing

    def _add_sheet_entry(self, name: str) -> str:
        part = self._free_name("xl/worksheets/sheet{}.xml")
        rel_id = self._free_rel_id()
        self._add_relationship(rel_id, REL_TYPES["worksheet"], _relative(self.workbook_part, part))
        data, root = self._xml(self.workbook_part)
        sheets = root.find("sheets")
        if sheets is None:
            raise PackageError("its workbook part has no list of sheets")
        sheet_ids = [s.sheet_id for s in self.sheets()]
        r_prefix = root.prefix_for(REL)
        rel_attr = f"{r_prefix}:id" if r_prefix else "r:id"
        declare = "" if r_prefix else f' xmlns:r="{REL}"'
        entry = (f"<{sheets.child_qname('sheet')}{declare} {xml_text.attribute('name', name)} "
                 f'sheetId="{max(sheet_ids, default=0) + 1}" {rel_attr}="{rel_id}"/>')
        self.parts.write(self.workbook_part, xml_text.append_child(data, sheets, entry))
        self._app_titles(add=name)
        return part

    def _add_relationship(self, rel_id: str, kind: str, target: str) -> None:
        data, root = self._xml(self.rels_part)
        element = (f"<{root.child_qname('Relationship')} Id=\"{rel_id}\" Type=\"{kind}\" "
                   f"{xml_text.attribute('Target', target)}/>")
        self.parts.write(self.rels_part, xml_text.append_child(data, root, element))

    def _rename_sheet(self, sheet: SheetEntry, name: str) -> None:
        data, _ = self._xml(self.workbook_part)
        element = self._sheet_elements()[sheet.position]
        self.parts.write(self.workbook_part, xml_text.set_attribute(data, element, "name", name))
        self._app_titles(rename=(sheet.name, name))

    def add_defined_name(self, name: str, formula: str, sheet: str | None = None, hidden: bool = False) -> None:
        """Add a defined name (scoped to ``sheet`` when given) after the ones the workbook has."""
        scope = f' localSheetId="{self._entry(sheet).position}"' if sheet is not None else ""
        data, root = self._xml(self.workbook_part)
        qname = root.child_qname("definedName")
        hide = ' hidden="1"' if hidden else ""
        element = f"<{qname} {xml_text.attribute('name', name)}{scope}{hide}>{escape(formula)}</{qname}>"
        names = root.find("definedNames")
        if names is not None:
            data = xml_text.append_child(data, names, element)
        else:
            block = f"<{root.child_qname('definedNames')}>{element}</{root.child_qname('definedNames')}>"
            after = next((child for child in root.children if child.local in _AFTER_DEFINED_NAMES), None)
            data = xml_text.insert_before(data, after, block) if after else xml_text.append_child(data, root, block)
        self.parts.write(self.workbook_part, data)

    def _drop_calc_chain(self) -> None:
        """Formulas typed into a sheet we replace may move; Excel rebuilds its calculation chain by itself."""
        data, root = self._xml(self.rels_part)
        for rel in root.findall("Relationship"):
            if rel.get("Type", "").endswith("/calcChain"):
                self.parts.write(self.rels_part, xml_text.remove(data, rel))
                self.remove_part(resolve_target(self.workbook_part, rel.get("Target", "")))
                return

    def remove_part(self, part: str) -> None:
        """Take a part out of the package and out of the content types."""
        self.parts.remove(part)
        data, root = self._xml(_CONTENT_TYPES_PART)
        for override in root.findall("Override"):
            if override.get("PartName") == f"/{part}":
                data = xml_text.remove(data, override)
                break
        self.parts.write(_CONTENT_TYPES_PART, data)

    def _override(self, part: str, content_type: str) -> None:
        data, root = self._xml(_CONTENT_TYPES_PART)
        if any(o.get("PartName") == f"/{part}" for o in root.findall("Override")):
            return
        element = f"<{root.child_qname('Override')} PartName=\"/{part}\" ContentType=\"{content_type}\"/>"
        self.parts.write(_CONTENT_TYPES_PART, xml_text.append_child(data, root, element))

    def _free_name(self, pattern: str) -> str:
        taken = {name.lower() for name in self.parts.names()}     # zip names are compared without case by Excel
        number = 1
        while pattern.format(number).lower() in taken:
            number += 1
        return pattern.format(number)

    def _free_rel_id(self) -> str:
        ids = {r.get("Id") for r in self.relationships(self.rels_part)}
        number = 1
        while f"rId{number}" in ids:
            number += 1
        return f"rId{number}"

    def _tables(self) -> dict[str, dict[str, str]]:
        """Every table part's attributes, by part name."""
        return {name: self._xml(name)[1].attrs for name in self.parts.names()
                if name.startswith("xl/tables/") and name.endswith(".xml")}

    def _table_id(self, own_part: str) -> int:
        """The id of our table part: kept when it is replaced, else one above every other table's."""
        tables = self._tables()
        if str(tables.get(own_part, {}).get("id", "")).isdigit():
            return int(tables[own_part]["id"])
        return max((int(t["id"]) for t in tables.values() if str(t.get("id", "")).isdigit()), default=0) + 1

    def _table_name(self, wanted: str, own_part: str) -> str:
        _, root = self._xml(self.workbook_part)
        taken = {t.get("name", "").lower() for name, t in self._tables().items() if name != own_part}
        names = root.find("definedNames")
        taken |= {d.get("name", "").lower() for d in (names.findall("definedName") if names is not None else [])}
        name, number = wanted, 1
        while name.lower() in taken:
            number += 1
            name = f"{wanted}{number}"
        return name

    # --- styles --------------------------------------------------------------------
    def _styles_part(self) -> str:
        for rel in self.relationships(self.rels_part):
            if rel.get("Type") == REL_TYPES["styles"]:
                return resolve_target(self.workbook_part, rel.get("Target", ""))
        part = self._free_name("xl/styles{}.xml")
        self.parts.write(part, MINIMAL_STYLES.encode())
        self._add_relationship(self._free_rel_id(), REL_TYPES["styles"], _relative(self.workbook_part, part))
        self._override(part, CONTENT_TYPES["styles"])
        return part

    @functools.cached_property
    def _style_sheet(self) -> StyleSheet:
        part = self._styles_part()
        self._xml(part)                 # refused with the part's name when it is not XML
        return StyleSheet(self.parts.read(part))

    def _style_index(self, style: Style) -> int:
        if style not in self._style_cache:
            self._style_cache[style] = self._style_sheet.index(style)
        return self._style_cache[style]

    def _flush_styles(self) -> None:
        part = self._styles_part()
        if self._style_sheet.data != self.parts.read(part):
            self.parts.write(part, self._style_sheet.data)

    # --- docProps/app.xml ------------------------------------------------------------
    def _app_titles(self, add: str | None = None, rename: tuple[str, str] | None = None) -> None:
        """Keep the sheet names Excel lists in docProps/app.xml in step (left alone when its shape is unusual)."""
        name = "docProps/app.xml"
        if name not in self.parts:
            return
        try:
            data = self.parts.read(name)
            vector, count = _app_lists(data)
        except (PackageError, XmlError):
            return
        if vector is None:
            return
        entries = vector.findall("lpstr")
        if rename:
            old = next((e for e in entries if xml_text.text_of(data, e) == rename[0]), None)
            if old is not None:
                self.parts.write(name, xml_text.replace(data, old, f"<{old.qname}>{escape(rename[1])}</{old.qname}>"))
            return
        if count is None:
            return
        worksheets = int(xml_text.text_of(data, count) or 0)
        data = xml_text.replace(data, count, f"<{count.qname}>{worksheets + 1}</{count.qname}>")
        vector, _ = _app_lists(data)
        entries = vector.findall("lpstr")
        item = f"<{vector.child_qname('lpstr')}>{escape(add)}</{vector.child_qname('lpstr')}>"
        data = (xml_text.insert_before(data, entries[worksheets], item) if worksheets < len(entries)
                else xml_text.append_child(data, vector, item))
        vector, _ = _app_lists(data)
        self.parts.write(name, xml_text.set_attribute(data, vector, "size", str(len(entries) + 1)))

    def save(self, target: Path) -> None:
        self.parts.save(target)


def _app_lists(data: bytes) -> tuple[Element | None, Element | None]:
    """In ``app.xml``: the vector of part titles, and the count of worksheets among them (None: not found)."""
    root = xml_text.parse(data)
    titles = root.find("TitlesOfParts")
    vector = titles.find("vector") if titles is not None else None
    pairs = root.find("HeadingPairs")
    variants = pairs.find("vector").findall("variant") if pairs is not None and pairs.find("vector") is not None else []
    count = None
    for label, value in zip(variants, variants[1:]):
        text = label.find("lpstr")
        if text is not None and xml_text.text_of(data, text) == "Worksheets":
            count = value.find("i4")
    return vector, count


def rels_path(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def resolve_target(source_part: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source_part), target))


def _relative(source_part: str, target_part: str) -> str:
    return posixpath.relpath(target_part, posixpath.dirname(source_part))


XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def rels_xml(relationships: list[tuple[str, str, str]]) -> bytes:
    """A relationships part: (id, type, target) each."""
    items = "".join(f'<Relationship Id="{i}" Type="{t}" Target="{target}"/>' for i, t, target in relationships)
    return f'{XML_DECLARATION}<Relationships xmlns="{PACKAGE_REL}">{items}</Relationships>'.encode()


def content_types_xml(defaults: dict[str, str], overrides: dict[str, str]) -> bytes:
    """A ``[Content_Types].xml``: content types by file extension, then by part (``/xl/workbook.xml``)."""
    items = "".join(f'<Default Extension="{ext}" ContentType="{kind}"/>' for ext, kind in defaults.items())
    items += "".join(f'<Override PartName="{part}" ContentType="{kind}"/>' for part, kind in overrides.items())
    return f'{XML_DECLARATION}<Types xmlns="{CONTENT_TYPES_NS}">{items}</Types>'.encode()


_NEW_CONTENT_TYPES = content_types_xml(
    {"rels": CONTENT_TYPES["relationships"], "xml": CONTENT_TYPES["xml"]},
    {"/xl/workbook.xml": CONTENT_TYPES["workbook"], "/xl/styles.xml": CONTENT_TYPES["styles"],
     "/docProps/app.xml": CONTENT_TYPES["extended-properties"]}).decode()
_NEW_ROOT_RELS = rels_xml([
    ("rId1", REL_TYPES["officeDocument"], "xl/workbook.xml"),
    ("rId2", REL_TYPES["extended-properties"], "docProps/app.xml"),
]).decode()
_NEW_WORKBOOK = (
    XML_DECLARATION +
    f'<workbook xmlns="{MAIN}" '
    f'xmlns:r="{REL}"><bookViews><workbookView/></bookViews><sheets/></workbook>'
)
_NEW_WORKBOOK_RELS = rels_xml([("rId1", REL_TYPES["styles"], "styles.xml")]).decode()
_NEW_APP = (
    XML_DECLARATION +
    f'<Properties xmlns="{EXTENDED_PROPERTIES}" '
    f'xmlns:vt="{VARIANT_TYPES}"><Application>churnkit</Application>'
    '<HeadingPairs><vt:vector size="2" baseType="variant"><vt:variant><vt:lpstr>Worksheets</vt:lpstr></vt:variant>'
    '<vt:variant><vt:i4>0</vt:i4></vt:variant></vt:vector></HeadingPairs>'
    '<TitlesOfParts><vt:vector size="0" baseType="lpstr"></vt:vector></TitlesOfParts></Properties>'
)
