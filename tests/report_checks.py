"""Reading what ``churnkit report`` wrote: defined names, blocks, chart series; and the command wired as cli.py will."""
from __future__ import annotations

import html
import re
import shutil
import struct
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest

from addin import cli
from addin.report.cell_ranges import parse_area
from addin.report.report_data import BLOCK_COLUMNS
from package_edits import replace_part

ROOT = Path(__file__).parents[1]
SAMPLE = ROOT / "workbook_templates" / "sample_orders.xlsx"
AS_OF = "2026-10"
REP = BLOCK_COLUMNS["ck_at_risk_rows"].index("rep")     # where an at-risk row holds the customer's rep


def defined_cells(book: openpyxl.Workbook) -> dict[str, tuple[str, str]]:
    """{defined name: (sheet, first cell)} of churnkit's names."""
    out = {}
    for name, definition in book.defined_names.items():
        if name.startswith("ck_"):
            sheet, ref = next(iter(definition.destinations))
            out[name] = (sheet, ref.replace("$", "").split(":")[0])
    return out


def value(book: openpyxl.Workbook, name: str):
    sheet, cell = defined_cells(book)[name]
    return book[sheet][cell].value


def block(book: openpyxl.Workbook, name: str, width: int | None = None) -> list[list]:
    """The rows of a block, from its first row down to the first row whose first cell is empty."""
    sheet, first = defined_cells(book)[name]
    area = parse_area(book.defined_names[name].attr_text)
    ws = book[sheet]
    rows, row = [], area.top
    width = width or area.right - area.left + 1
    while ws.cell(row, area.left).value is not None:
        rows.append([ws.cell(row, area.left + k).value for k in range(width)])
        row += 1
    return rows


def chart_series(path: Path) -> list[tuple[str, str, list[str]]]:
    """(chart part, range formula, cached values) of every series reference in the package's charts."""
    out = []
    with zipfile.ZipFile(path) as z:
        for part in sorted(n for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)):
            xml = z.read(part).decode()
            for kind, formula, rest in re.findall(r"<c:(numRef|strRef)><c:f>(.*?)</c:f>(.*?)</c:\1>", xml, re.S):
                out.append((part, html.unescape(formula), [html.unescape(v) for v in re.findall(r"<c:v>(.*?)</c:v>", rest)]))
    return out


@pytest.fixture
def report_cli(capsys):
    """Run ``churnkit …`` through cli.main: (exit code, stdout, stderr)."""
    def run(*argv):
        code = cli.main([str(a) for a in argv])
        captured = capsys.readouterr()
        return code, captured.out, captured.err
    return run


def png(width: int = 8, height: int = 8) -> bytes:
    """A small solid blue PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\x00" + b"\x1f\x4e\x79" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


LOGO = ('<xdr:oneCellAnchor><xdr:from><xdr:col>11</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>0</xdr:row>'
        '<xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:ext cx="400000" cy="400000"/><xdr:pic><xdr:nvPicPr>'
        '<xdr:cNvPr id="90" name="Logo"/><xdr:cNvPicPr/></xdr:nvPicPr><xdr:blipFill>'
        '<a:blip xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:embed="rIdLogo"/>'
        '<a:stretch><a:fillRect/></a:stretch></xdr:blipFill><xdr:spPr><a:xfrm><a:off x="0" y="0"/>'
        '<a:ext cx="400000" cy="400000"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></xdr:spPr>'
        '</xdr:pic><xdr:clientData/></xdr:oneCellAnchor>')
NOTE = ('<xdr:oneCellAnchor><xdr:from><xdr:col>0</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>23</xdr:row>'
        '<xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:ext cx="3000000" cy="300000"/><xdr:sp macro="" textlink="">'
        '<xdr:nvSpPr><xdr:cNvPr id="91" name="Note"/><xdr:cNvSpPr txBox="1"/></xdr:nvSpPr><xdr:spPr><a:xfrm>'
        '<a:off x="0" y="0"/><a:ext cx="3000000" cy="300000"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/>'
        '</a:prstGeom></xdr:spPr><xdr:txBody><a:bodyPr/><a:p><a:r><a:t>Prepared for our partners</a:t></a:r></a:p>'
        '</xdr:txBody></xdr:sp><xdr:clientData/></xdr:oneCellAnchor>')


def restyle(template: Path, target: Path) -> Path:
    """The at-risk template as a user restyles it in Excel: another banner colour, a logo, a text box."""
    shutil.copy(template, target)
    with zipfile.ZipFile(target) as z:
        styles = z.read("xl/styles.xml").decode()
        drawing = z.read("xl/drawings/drawing1.xml").decode()
        rels = z.read("xl/drawings/_rels/drawing1.xml.rels").decode()
        types = z.read("[Content_Types].xml").decode()
    assert "FF1F3864" in styles
    replace_part(target, "xl/styles.xml", styles.replace("FF1F3864", "FF7030A0").encode())
    replace_part(target, "xl/drawings/drawing1.xml", drawing.replace("</xdr:wsDr>", LOGO + NOTE + "</xdr:wsDr>").encode())
    rel = ('<Relationship Id="rIdLogo" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" '
           'Target="../media/logo.png"/>')
    replace_part(target, "xl/drawings/_rels/drawing1.xml.rels", rels.replace("</Relationships>", rel + "</Relationships>").encode())
    if 'Extension="png"' not in types:
        types = types.replace("<Default ", '<Default Extension="png" ContentType="image/png"/><Default ', 1)
    replace_part(target, "[Content_Types].xml", types.encode())
    with zipfile.ZipFile(target, "a") as z:
        z.writestr("xl/media/logo.png", png())
    return target
