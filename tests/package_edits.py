"""Editing one sheet part of a workbook file in place, the way Excel changes only what a user touched.

Used by the refresh tests to add orders and to type into churnkit's user columns
without re-serialising the rest of the workbook (openpyxl load + save would).
"""
from __future__ import annotations

import hashlib
import re
import shutil
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
EPOCH_ORDINAL = 693594   # date(1899, 12, 30).toordinal()


def digests(path: Path) -> dict[str, str]:
    """{part name: sha256 of its bytes}."""
    with zipfile.ZipFile(path) as z:
        return {n: hashlib.sha256(z.read(n)).hexdigest() for n in z.namelist()}


def sheet_part(path: Path, sheet: str) -> str:
    """The part name of a sheet, found through workbook.xml and its relationships."""
    with zipfile.ZipFile(path) as z:
        workbook = ET.fromstring(z.read("xl/workbook.xml"))
        rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    rel_id = next(s.get(f"{{{NS['r']}}}id") for s in workbook.iter(f"{{{NS['m']}}}sheet") if s.get("name") == sheet)
    target = next(r.get("Target") for r in rels if r.get("Id") == rel_id)
    return target.lstrip("/") if target.startswith("/") else "xl/" + target


def replace_part(path: Path, name: str, data: bytes) -> None:
    """Rewrite the zip with one part's bytes replaced (the others copied as they are)."""
    temp = path.with_name(path.name + ".edit")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            out.writestr(info, data if info.filename == name else src.read(info.filename))
    shutil.move(temp, path)


def append_orders(path: Path, sheet: str, rows: list[list]) -> None:
    """Add order rows (date, then text/number cells) at the end of a sheet's data."""
    part = sheet_part(path, sheet)
    with zipfile.ZipFile(path) as z:
        xml = z.read(part).decode()
    last = max(int(n) for n in re.findall(r'<row r="(\d+)"', xml))
    new_rows = []
    for offset, values in enumerate(rows, start=1):
        cells = []
        for col, value in enumerate(values):
            ref = f"{chr(65 + col)}{last + offset}"
            if hasattr(value, "toordinal"):
                cells.append(f'<c r="{ref}"><v>{value.toordinal() - EPOCH_ORDINAL}</v></c>')
            elif isinstance(value, (int, float)):
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
            else:
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>')
        new_rows.append(f'<row r="{last + offset}">{"".join(cells)}</row>')
    replace_part(path, part, xml.replace("</sheetData>", "".join(new_rows) + "</sheetData>").encode())


def type_into(path: Path, sheet: str, customer: str, header: str, text: str) -> None:
    """Type ``text`` into the ``header`` column of ``customer``'s row on one of churnkit's sheets."""
    part = sheet_part(path, sheet)
    with zipfile.ZipFile(path) as z:
        xml = z.read(part).decode()
    rows = re.findall(r'<row r="(\d+)"[^>]*>(.*?)</row>', xml, re.S)
    cells = {(number, ref): body for number, row in rows
             for ref, body in re.findall(r'<c r="([A-Z]+)\d+"(.*?)(?:/>|</c>)', row, re.S)}
    texts = {key: "".join(re.findall(r"<t[^>]*>(.*?)</t>", body, re.S)) for key, body in cells.items()}
    column = next(ref for (number, ref), value in texts.items() if value == escape(header))
    row = next(number for (number, ref), value in texts.items() if ref == "A" and value == escape(customer))
    new_cell = f'<c r="{column}{row}" t="inlineStr"><is><t>{escape(text)}</t></is></c>'
    xml, count = re.subn(rf'<c r="{column}{row}"(?:[^>]*/>|[^>]*>.*?</c>)', new_cell, xml, count=1, flags=re.S)
    assert count == 1, f"no cell {column}{row}"
    replace_part(path, part, xml.encode())
