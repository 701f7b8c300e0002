"""Adding or replacing churnkit's sheets in an .xlsx/.xlsm package, touching nothing else.

Only these parts change: churnkit's own worksheet parts, their relationships and table
parts, and the workbook-level parts that must list them — ``xl/workbook.xml`` and its
relationships, ``[Content_Types].xml``, ``xl/styles.xml`` (styles are appended) and
``docProps/app.xml`` (the sheet names). They are edited as text, so every byte outside
the edit stays as it was. Every other part is copied byte for byte.
"""
from __future__ import annotations

import functools
import posixpath
import re
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from .sheet_content import SheetContent
from .xlsx_sheet import render_chart, render_drawing, render_sheet, render_table
from .xlsx_styles import MINIMAL_STYLES, Style, StyleSheet
from .zip_parts import ZipParts

REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
REL_TYPES = {kind: f"{REL_NS}/{kind}" for kind in ("worksheet", "table", "styles", "drawing", "chart")}
CONTENT_TYPES = {
    "worksheet": "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml",
    "table": "application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml",
    "styles": "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml",
    "drawing": "application/vnd.openxmlformats-officedocument.drawing+xml",
    "chart": "application/vnd.openxmlformats-officedocument.drawingml.chart+xml",
}
_SHEET = re.compile(r"<(?:\w+:)?sheet\b[^>]*?/>")
_RELATIONSHIP = re.compile(r"<(?:\w+:)?Relationship\b[^>]*?/>")
_ATTR = re.compile(r'([\w:]+)\s*=\s*"([^"]*)"')


class PackageError(ValueError):
    """The package is not a workbook churnkit can write into."""


def _attrs(element: str) -> dict[str, str]:
    return {key: unescape(value) for key, value in _ATTR.findall(element)}


def unescape(text: str) -> str:
    return (text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
            .replace("&apos;", "'").replace("&amp;", "&"))


class WorkbookPackage:
    """A workbook package opened for adding and replacing churnkit's sheets."""

    def __init__(self, parts: ZipParts):
        self.parts = parts
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
        parts.write("[Content_Types].xml", _NEW_CONTENT_TYPES.encode())
        parts.write("_rels/.rels", _NEW_ROOT_RELS.encode())
        parts.write("xl/workbook.xml", _NEW_WORKBOOK.encode())
        parts.write("xl/_rels/workbook.xml.rels", _NEW_WORKBOOK_RELS.encode())
        parts.write("xl/styles.xml", MINIMAL_STYLES.encode())
        parts.write("docProps/app.xml", _NEW_APP.encode())
        return cls(parts)

    # --- reading -------------------------------------------------------------------
    def _text(self, name: str) -> str:
        return self.parts.read(name).decode("utf-8")

    def _main_part(self) -> str:
        for rel in _RELATIONSHIP.findall(self._text("_rels/.rels")):
            attrs = _attrs(rel)
            if attrs.get("Type", "").endswith("/officeDocument"):
                return attrs["Target"].lstrip("/")
        raise PackageError("the file has no workbook part")

    def relationships(self, rels_part: str) -> list[dict[str, str]]:
        if rels_part not in self.parts:
            return []
        return [_attrs(rel) for rel in _RELATIONSHIP.findall(self._text(rels_part))]

    def sheets(self) -> list[dict[str, str]]:
        """Each sheet's name, sheetId, relationship id and part path, in workbook order."""
        targets = {r["Id"]: resolve_target(self.workbook_part, r["Target"]) for r in self.relationships(self.rels_part)}
        out = []
        for element in _SHEET.findall(self._text(self.workbook_part)):
            attrs = _attrs(element)
            rel_id = next(v for k, v in attrs.items() if k.endswith(":id") or k == "id")
            out.append({"name": attrs["name"], "sheetId": attrs["sheetId"], "rId": rel_id,
                        "part": targets.get(rel_id, ""), "element": element})
        return out

    # --- writing -------------------------------------------------------------------
    def put_sheet(self, content: SheetContent, also_named: tuple[str, ...] = ()) -> None:
        """Add ``content`` as a sheet, or replace the sheet named like it (or one of ``also_named``)."""
        existing = next((s for s in self.sheets() if s["name"] in (content.name, *also_named)), None)
        if existing is None:
            part = self._add_sheet_entry(content.name)
            self._override(part, CONTENT_TYPES["worksheet"])
        else:
            part = existing["part"]
            if existing["name"] != content.name:
                self._rename_sheet(existing, content.name)
            if re.search(rb"<(?:\w+:)?f[ >]", self.parts.read(part)):
                self._drop_calc_chain()
        old = self.relationships(rels_path(part))
        old_tables = [resolve_target(part, r["Target"]) for r in old if r.get("Type") == REL_TYPES["table"]]
        for drawing in (resolve_target(part, r["Target"]) for r in old if r.get("Type") == REL_TYPES["drawing"]):
            for chart in self.relationships(rels_path(drawing)):
                self._remove_part(resolve_target(drawing, chart["Target"]))
            self.parts.remove(rels_path(drawing))
            self._remove_part(drawing)
        for stale in old_tables[len(content.tables):]:
            self._remove_part(stale)
        relationships = []
        for index, table in enumerate(content.tables):
            table_part = old_tables[index] if index < len(old_tables) else self._free_name("xl/tables/table{}.xml")
            table_id = self._table_id(table_part)
            name = self._table_name(table.name, table_part)
            self.parts.write(table_part, render_table(content, index, table_id, name))
            self._override(table_part, CONTENT_TYPES["table"])
            relationships.append((f"rId{index + 1}", REL_TYPES["table"], _relative(part, table_part)))
        drawing_rel = None
        if content.charts:
            drawing_rel = f"rId{len(relationships) + 1}"
            relationships.append((drawing_rel, REL_TYPES["drawing"], _relative(part, self._write_charts(content))))
        table_rels = [rel_id for rel_id, kind, _ in relationships if kind == REL_TYPES["table"]]
        self.parts.write(part, render_sheet(content, self._style_index, table_rels, drawing_rel))
        self.parts.write(rels_path(part), _rels_xml(relationships))
        self._flush_styles()

    def _write_charts(self, content: SheetContent) -> str:
        """Write the drawing part and one chart part per chart; return the drawing part's name."""
        drawing = self._free_name("xl/drawings/drawing{}.xml")
        chart_rels = []
        for number, chart in enumerate(content.charts, start=1):
            chart_part = self._free_name("xl/charts/chart{}.xml")
            self.parts.write(chart_part, render_chart(content, chart))
            self._override(chart_part, CONTENT_TYPES["chart"])
            chart_rels.append((f"rId{number}", REL_TYPES["chart"], _relative(drawing, chart_part)))
        self.parts.write(drawing, render_drawing(content, [rel_id for rel_id, _, _ in chart_rels]))
        self.parts.write(rels_path(drawing), _rels_xml(chart_rels))
        self._override(drawing, CONTENT_TYPES["drawing"])
        return drawing

    def _add_sheet_entry(self, name: str) -> str:
        part = self._free_name("xl/worksheets/sheet{}.xml")
        rel_id = self._free_rel_id()
        rels = self._text(self.rels_part)
        element = f'<Relationship Id="{rel_id}" Type="{REL_TYPES["worksheet"]}" Target="{_relative(self.workbook_part, part)}"/>'
        self.parts.write(self.rels_part, _insert_before_close(rels, "Relationships", element).encode())
        workbook = self._text(self.workbook_part)
        sheet_ids = [int(s["sheetId"]) for s in self.sheets()]
        prefix = _prefix(workbook, "sheets")
        r_prefix = _ns_prefix(workbook, REL_NS)
        rel_attr = f'{r_prefix}:id="{rel_id}"' if r_prefix else f'xmlns:r="{REL_NS}" r:id="{rel_id}"'
        entry = f'<{prefix}sheet name={quoteattr(name)} sheetId="{max(sheet_ids, default=0) + 1}" {rel_attr}/>'
        if re.search(rf"<{prefix}sheets\s*/>", workbook):
            workbook = re.sub(rf"<{prefix}sheets\s*/>", f"<{prefix}sheets>{entry}</{prefix}sheets>", workbook, count=1)
        else:
            workbook = _insert_before_close(workbook, f"{prefix}sheets", entry)
        self.parts.write(self.workbook_part, workbook.encode())
        self._app_titles(add=name)
        return part

    def _rename_sheet(self, sheet: dict[str, str], name: str) -> None:
        element = sheet["element"]
        renamed = re.sub(r'\bname="[^"]*"', f"name={quoteattr(name)}", element, count=1)
        self.parts.write(self.workbook_part, self._text(self.workbook_part).replace(element, renamed, 1).encode())
        self._app_titles(rename=(sheet["name"], name))

    def _drop_calc_chain(self) -> None:
        """Formulas typed into a sheet we replace are gone; Excel rebuilds its calculation chain by itself."""
        for rel in self.relationships(self.rels_part):
            if rel.get("Type", "").endswith("/calcChain"):
                rels = self._text(self.rels_part)
                rels = re.sub(rf'<(?:\w+:)?Relationship\b[^>]*Id="{rel["Id"]}"[^>]*/>', "", rels)
                self.parts.write(self.rels_part, rels.encode())
                self._remove_part(resolve_target(self.workbook_part, rel["Target"]))

    def _remove_part(self, part: str) -> None:
        self.parts.remove(part)
        types = self._text("[Content_Types].xml")
        types = re.sub(rf'<(?:\w+:)?Override\b[^>]*PartName="/{re.escape(part)}"[^>]*/>', "", types)
        self.parts.write("[Content_Types].xml", types.encode())

    def _override(self, part: str, content_type: str) -> None:
        types = self._text("[Content_Types].xml")
        if re.search(rf'PartName="/{re.escape(part)}"', types):
            return
        element = f'<Override PartName="/{part}" ContentType="{content_type}"/>'
        self.parts.write("[Content_Types].xml", _insert_before_close(types, _prefix(types, "Types") + "Types", element).encode())

    def _free_name(self, pattern: str) -> str:
        taken = set(self.parts.names())
        number = 1
        while pattern.format(number) in taken:
            number += 1
        return pattern.format(number)

    def _free_rel_id(self) -> str:
        ids = {r["Id"] for r in self.relationships(self.rels_part)}
        number = 1
        while f"rId{number}" in ids:
            number += 1
        return f"rId{number}"

    def _tables(self) -> dict[str, str]:
        """Every table part's opening tag, by part name."""
        out = {}
        for name in self.parts.names():
            if name.startswith("xl/tables/") and name.endswith(".xml"):
                match = re.search(r"<(?:\w+:)?table\b[^>]*>", self._text(name))
                out[name] = match.group(0) if match else ""
        return out

    def _table_id(self, own_part: str) -> int:
        """The id of our table part: kept when it is replaced, else one above every other table's."""
        tables = self._tables()
        if own_part in tables and _attrs(tables[own_part]).get("id"):
            return int(_attrs(tables[own_part])["id"])
        return max((int(_attrs(tag).get("id", 0)) for tag in tables.values()), default=0) + 1

    def _table_name(self, wanted: str, own_part: str) -> str:
        workbook = self._text(self.workbook_part)
        taken = {_attrs(tag).get("name", "").lower() for name, tag in self._tables().items() if name != own_part}
        taken |= {n.lower() for n in re.findall(r'<(?:\w+:)?definedName\b[^>]*\bname="([^"]*)"', workbook)}
        name, number = wanted, 1
        while name.lower() in taken:
            number += 1
            name = f"{wanted}{number}"
        return name

    # --- styles --------------------------------------------------------------------
    def _styles_part(self) -> str:
        for rel in self.relationships(self.rels_part):
            if rel.get("Type") == REL_TYPES["styles"]:
                return resolve_target(self.workbook_part, rel["Target"])
        part = "xl/styles.xml"
        self.parts.write(part, MINIMAL_STYLES.encode())
        rels = self._text(self.rels_part)
        element = f'<Relationship Id="{self._free_rel_id()}" Type="{REL_TYPES["styles"]}" Target="styles.xml"/>'
        self.parts.write(self.rels_part, _insert_before_close(rels, "Relationships", element).encode())
        self._override(part, CONTENT_TYPES["styles"])
        return part

    @functools.cached_property
    def _style_sheet(self) -> StyleSheet:
        return StyleSheet(self._text(self._styles_part()))

    def _style_index(self, style: Style) -> int:
        if style not in self._style_cache:
            self._style_cache[style] = self._style_sheet.index(style)
        return self._style_cache[style]

    def _flush_styles(self) -> None:
        part = self._styles_part()
        if self._style_sheet.xml != self._text(part):
            self.parts.write(part, self._style_sheet.xml.encode())

    # --- docProps/app.xml ------------------------------------------------------------
    def _app_titles(self, add: str | None = None, rename: tuple[str, str] | None = None) -> None:
        """Keep the sheet names Excel lists in docProps/app.xml in step (left alone when its shape is unusual)."""
        name = "docProps/app.xml"
        if name not in self.parts:
            return
        app = self._text(name)
        if rename:
            old, new = (f"<vt:lpstr>{escape(n)}</vt:lpstr>" for n in rename)
            block = re.search(r"<TitlesOfParts>.*?</TitlesOfParts>", app, re.S)
            if block and old in block.group(0):
                app = app[:block.start()] + block.group(0).replace(old, new, 1) + app[block.end():]
                self.parts.write(name, app.encode())
            return
        count = re.search(r"(<vt:lpstr>Worksheets</vt:lpstr></vt:variant>\s*<vt:variant>\s*<vt:i4>)(\d+)(</vt:i4>)", app)
        titles = re.search(r'(<TitlesOfParts>\s*<vt:vector size=")(\d+)(" baseType="lpstr">)(.*?)(</vt:vector>)', app, re.S)
        if not count or not titles:
            return
        worksheets = int(count.group(2))
        names = re.findall(r"<vt:lpstr>.*?</vt:lpstr>", titles.group(4), re.S)
        names.insert(worksheets, f"<vt:lpstr>{escape(add)}</vt:lpstr>")
        new_titles = f"{titles.group(1)}{len(names)}{titles.group(3)}{''.join(names)}{titles.group(5)}"
        app = app[:titles.start()] + new_titles + app[titles.end():]
        app = re.sub(r"(<vt:lpstr>Worksheets</vt:lpstr></vt:variant>\s*<vt:variant>\s*<vt:i4>)(\d+)(</vt:i4>)",
                     lambda m: f"{m.group(1)}{worksheets + 1}{m.group(3)}", app, count=1)
        self.parts.write(name, app.encode())

    def save(self, target: Path) -> None:
        self.parts.save(target)


def rels_path(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def resolve_target(source_part: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source_part), target))


def _relative(source_part: str, target_part: str) -> str:
    return posixpath.relpath(target_part, posixpath.dirname(source_part))


def _prefix(xml: str, local_name: str) -> str:
    """The namespace prefix (with its colon) an element is written with, '' for none."""
    match = re.search(rf"<(\w+:)?{local_name}\b", xml)
    return (match.group(1) or "") if match else ""


def _ns_prefix(xml: str, namespace: str) -> str | None:
    match = re.search(rf'xmlns:(\w+)="{re.escape(namespace)}"', xml)
    return match.group(1) if match else None


def _insert_before_close(xml: str, element: str, new: str) -> str:
    closing = f"</{element}>"
    at = xml.rindex(closing)
    return xml[:at] + new + xml[at:]


def _rels_xml(relationships: list[tuple[str, str, str]]) -> bytes:
    items = "".join(f'<Relationship Id="{i}" Type="{t}" Target="{target}"/>' for i, t, target in relationships)
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="{PKG_REL_NS}">{items}</Relationships>').encode()


_NEW_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    f'<Override PartName="/xl/styles.xml" ContentType="{CONTENT_TYPES["styles"]}"/>'
    '<Override PartName="/docProps/app.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>'
)
_NEW_ROOT_RELS = _rels_xml([
    ("rId1", f"{REL_NS}/officeDocument", "xl/workbook.xml"),
    ("rId2", f"{REL_NS}/extended-properties", "docProps/app.xml"),
]).decode()
_NEW_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    f'xmlns:r="{REL_NS}"><bookViews><workbookView/></bookViews><sheets/></workbook>'
)
_NEW_WORKBOOK_RELS = _rels_xml([("rId1", REL_TYPES["styles"], "styles.xml")]).decode()
_NEW_APP = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
    'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><Application>churnkit</Application>'
    '<HeadingPairs><vt:vector size="2" baseType="variant"><vt:variant><vt:lpstr>Worksheets</vt:lpstr></vt:variant>'
    '<vt:variant><vt:i4>0</vt:i4></vt:variant></vt:vector></HeadingPairs>'
    '<TitlesOfParts><vt:vector size="0" baseType="lpstr"></vt:vector></TitlesOfParts></Properties>'
)
