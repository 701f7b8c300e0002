"""The namespace URIs, relationship types and content types of the parts churnkit reads and writes (ECMA-376)."""
from __future__ import annotations

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
CHART = "http://schemas.openxmlformats.org/drawingml/2006/chart"
DRAWING = "http://schemas.openxmlformats.org/drawingml/2006/main"
SHEET_DRAWING = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
EXTENDED_PROPERTIES = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
VARIANT_TYPES = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"

REL_TYPES = {kind: f"{REL}/{kind}" for kind in ("officeDocument", "extended-properties", "worksheet", "table",
                                                 "styles", "drawing", "chart", "sharedStrings", "theme", "calcChain")}
REL_TYPES["vbaProject"] = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
REL_TYPES["ribbon"] = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"

_OFFICE = "application/vnd.openxmlformats-officedocument"
CONTENT_TYPES = {
    "relationships": "application/vnd.openxmlformats-package.relationships+xml",
    "xml": "application/xml",
    "workbook": f"{_OFFICE}.spreadsheetml.sheet.main+xml",
    "addin": "application/vnd.ms-excel.addin.macroEnabled.main+xml",
    "worksheet": f"{_OFFICE}.spreadsheetml.worksheet+xml",
    "table": f"{_OFFICE}.spreadsheetml.table+xml",
    "styles": f"{_OFFICE}.spreadsheetml.styles+xml",
    "sharedStrings": f"{_OFFICE}.spreadsheetml.sharedStrings+xml",
    "drawing": f"{_OFFICE}.drawing+xml",
    "chart": f"{_OFFICE}.drawingml.chart+xml",
    "theme": f"{_OFFICE}.theme+xml",
    "extended-properties": f"{_OFFICE}.extended-properties+xml",
    "vbaProject": "application/vnd.ms-office.vbaProject",
}
