"""Rendering a :class:`SheetContent` as SpreadsheetML: the worksheet part, its table parts and charts.

Every text is written as an inline string (``t="inlineStr"``), never as a formula, so a
customer named ``=HYPERLINK(…)`` stays text; no shared-strings part is touched.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any, Callable, Sequence
from xml.sax.saxutils import escape, quoteattr

import numpy as np
import pandas as pd

from .. import texttable
from ..sheet_content import Chart, Formula, SheetContent, fit_text
from .styles import Style

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CHART_NS = "http://schemas.openxmlformats.org/drawingml/2006/chart"
DRAWING_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
SHEET_DRAWING_NS = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
RISK_FILLS = {"LOST": "FFD9D9D9", "HIGH": "FFFFC7CE", "MEDIUM": "FFFFEB9C", "LOW": "FFC6EFCE",
              "已流失": "FFD9D9D9", "高风险": "FFFFC7CE", "中风险": "FFFFEB9C", "低风险": "FFC6EFCE"}
KIND_STYLES = {
    "text": Style(), "class": Style(bold=True),
    "int": Style(num_format="0"), "money": Style(num_format="#,##0.00"),
    "date": Style(num_format="yyyy-mm-dd"), "datetime": Style(num_format="yyyy-mm-dd hh:mm"),
}
TITLE = Style(bold=True, size=14, color="FF1F4E79")
LABEL = Style(bold=True, color="FF595959")
CHART_ROWS, CHART_COLUMNS = 18, 9
SERIES_COLOURS = ("2E75B6", "C55A11", "548235")
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_BAD_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def column_letter(index: int) -> str:
    """``A`` for 1, ``AA`` for 27."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def table_range(content: SheetContent, index: int) -> str:
    """A table's cell range, header included."""
    first = content.first_column(index)
    last = first + len(content.tables[index].columns) - 1
    return f"{column_letter(first)}{content.header_row}:{column_letter(last)}{content.last_row(index)}"


def render_sheet(content: SheetContent, style_of: Callable[[Style], int], table_rel_ids: Sequence[str],
                 drawing_rel_id: str | None) -> bytes:
    """The worksheet XML; ``style_of`` gives the ``cellXfs`` index of a style."""
    header = content.header_row
    typed = {kind: style_of(style) for kind, style in KIND_STYLES.items()}
    risk_styles = {risk: style_of(Style(bold=True, fill=fill)) for risk, fill in RISK_FILLS.items()}
    header_style = style_of(Style(bold=True))
    cells: dict[int, list[tuple[int, Any, int]]] = {1: [(1, content.title, style_of(TITLE))]}
    label = style_of(LABEL)
    for offset, (name, value) in enumerate(content.heading):
        cells[2 + offset] = [(1, name, label), (2, value, typed[_kind_of(value)])]
    for index, table in enumerate(content.tables):
        first = content.first_column(index)
        cells.setdefault(header, []).extend((first + i, c.header, header_style) for i, c in enumerate(table.columns))
        for offset, values in enumerate(table.rows):
            row = cells.setdefault(header + 1 + offset, [])
            for i, (column, value) in enumerate(zip(table.columns, values)):
                if column.kind == "risk":
                    style = risk_styles.get(value, typed["text"])
                elif column.kind == "any":
                    style = typed[_kind_of(value)]
                else:
                    style = typed[column.kind]
                row.append((first + i, value, style))
    last_row = max([content.last_row(i) for i in range(len(content.tables))] + [max(cells)])
    widths = {content.first_column(t) + i: c.width for t, table in enumerate(content.tables)
              for i, c in enumerate(table.columns)}
    widths[1] = max([widths.get(1, 8), *(texttable.width(str(label)) + 2 for label, _ in content.heading)])
    cols = "".join(f'<col min="{n}" max="{n}" width="{w:g}" customWidth="1"/>' for n, w in sorted(widths.items()))
    parts = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n',
        f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">',
        f'<sheetPr><tabColor rgb="{content.tab_color}"/><pageSetUpPr fitToPage="1"/></sheetPr>',
        f'<dimension ref="A1:{column_letter(content.width)}{last_row}"/>',
        '<sheetViews><sheetView workbookViewId="0">'
        f'<pane ySplit="{header}" topLeftCell="A{header + 1}" activePane="bottomLeft" state="frozen"/>'
        f'<selection pane="bottomLeft" activeCell="A{header + 1}" sqref="A{header + 1}"/></sheetView></sheetViews>',
        '<sheetFormatPr defaultRowHeight="15"/>',
        f"<cols>{cols}</cols>" if cols else "",
        "<sheetData>",
        *(_row(number, cells[number]) for number in sorted(cells)),
        "</sheetData>",
        _validations(content),
        '<pageMargins left="0.4" right="0.4" top="0.5" bottom="0.5" header="0.3" footer="0.3"/>',
        '<pageSetup orientation="landscape" fitToWidth="1" fitToHeight="0"/>',
        f'<drawing r:id="{drawing_rel_id}"/>' if drawing_rel_id else "",
        f'<tableParts count="{len(table_rel_ids)}">'
        + "".join(f'<tablePart r:id="{rel_id}"/>' for rel_id in table_rel_ids) + "</tableParts>",
        "</worksheet>",
    ]
    return "".join(parts).encode("utf-8")


def render_table(content: SheetContent, index: int, table_id: int, name: str) -> bytes:
    """The table part (an Excel table with filters over one table of the sheet)."""
    ref = table_range(content, index)
    columns = "".join(f'<tableColumn id="{i}" name={quoteattr(clean_text(c.header))}/>'
                      for i, c in enumerate(content.tables[index].columns, start=1))
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<table xmlns="{MAIN_NS}" id="{table_id}" name="{name}" displayName="{name}" '
        f'ref="{ref}" totalsRowShown="0"><autoFilter ref="{ref}"/>'
        f'<tableColumns count="{len(content.tables[index].columns)}">{columns}</tableColumns>'
        '<tableStyleInfo name="TableStyleMedium2" showFirstColumn="0" showLastColumn="0" '
        'showRowStripes="1" showColumnStripes="0"/></table>'
    ).encode("utf-8")


def render_drawing(content: SheetContent, chart_rel_ids: Sequence[str]) -> bytes:
    """The drawing part placing each chart to the right of the tables, one under the other."""
    anchors = []
    left = content.width + 1
    for number, rel_id in enumerate(chart_rel_ids):
        top = 1 + number * (CHART_ROWS + 1)
        anchors.append(
            f'<xdr:twoCellAnchor><xdr:from><xdr:col>{left}</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>{top}</xdr:row>'
            f'<xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:to><xdr:col>{left + CHART_COLUMNS}</xdr:col><xdr:colOff>0'
            f'</xdr:colOff><xdr:row>{top + CHART_ROWS}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to>'
            f'<xdr:graphicFrame macro=""><xdr:nvGraphicFramePr><xdr:cNvPr id="{number + 2}" name="Chart {number + 1}"/>'
            '<xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr><xdr:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/>'
            f'</xdr:xfrm><a:graphic><a:graphicData uri="{CHART_NS}"><c:chart xmlns:c="{CHART_NS}" '
            f'xmlns:r="{REL_NS}" r:id="{rel_id}"/></a:graphicData></a:graphic></xdr:graphicFrame>'
            '<xdr:clientData/></xdr:twoCellAnchor>')
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<xdr:wsDr xmlns:xdr="{SHEET_DRAWING_NS}" '
            f'xmlns:a="{DRAWING_NS}">{"".join(anchors)}</xdr:wsDr>').encode("utf-8")


def render_chart(content: SheetContent, chart: Chart) -> bytes:
    """A native line or column chart over table columns, with cached values so it shows without recalculation."""
    table = content.tables[chart.table]
    first_col = content.first_column(chart.table)
    first, last = content.header_row + 1, content.header_row + max(len(table.rows), 1)
    sheet = "'" + content.name.replace("'", "''") + "'"

    def ref(column: int) -> str:
        letter = column_letter(first_col + column)
        return f"{sheet}!${letter}${first}:${letter}${last}"

    categories = "".join(f'<c:pt idx="{i}"><c:v>{escape(clean_text(str(row[chart.category])))}</c:v></c:pt>'
                         for i, row in enumerate(table.rows))
    line = chart.kind == "line"
    marker, smooth = ('<c:marker><c:symbol val="none"/></c:marker>', '<c:smooth val="0"/>') if line else ("", "")
    series = []
    for order, column in enumerate(chart.values):
        colour = f'<a:solidFill><a:srgbClr val="{SERIES_COLOURS[order % len(SERIES_COLOURS)]}"/></a:solidFill>'
        look = (f'<c:spPr><a:ln w="28575" cap="rnd">{colour}<a:round/></a:ln></c:spPr>' if line
                else f"<c:spPr>{colour}</c:spPr>")      # drawn the same in every application, not left to defaults
        points = "".join(f'<c:pt idx="{i}"><c:v>{float(row[column])!r}</c:v></c:pt>'
                         for i, row in enumerate(table.rows) if _is_number(row[column]))
        series.append(
            f'<c:ser><c:idx val="{order}"/><c:order val="{order}"/><c:tx><c:v>{escape(clean_text(table.columns[column].header))}'
            f'</c:v></c:tx>{look}{marker}'
            f'<c:cat><c:strRef><c:f>{escape(ref(chart.category))}</c:f><c:strCache><c:ptCount val="{len(table.rows)}"/>'
            f'{categories}</c:strCache></c:strRef></c:cat><c:val><c:numRef><c:f>{escape(ref(column))}</c:f><c:numCache>'
            f'<c:formatCode>General</c:formatCode><c:ptCount val="{len(table.rows)}"/>{points}</c:numCache></c:numRef>'
            f'</c:val>{smooth}</c:ser>')
    plot = '<c:lineChart><c:grouping val="standard"/>' if line else \
        '<c:barChart><c:barDir val="col"/><c:grouping val="clustered"/>'
    close = '<c:marker val="1"/>' if line else '<c:gapWidth val="80"/>'
    end = "</c:lineChart>" if line else "</c:barChart>"
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<c:chartSpace xmlns:c="{CHART_NS}" xmlns:a="{DRAWING_NS}" xmlns:r="{REL_NS}"><c:roundedCorners val="0"/>'
        f'<c:chart><c:title><c:tx><c:rich><a:bodyPr/><a:p><a:r><a:t>{escape(clean_text(chart.title))}</a:t></a:r></a:p>'
        '</c:rich></c:tx><c:overlay val="0"/></c:title><c:autoTitleDeleted val="0"/><c:plotArea><c:layout/>'
        f'{plot}<c:varyColors val="0"/>{"".join(series)}{close}<c:axId val="1"/><c:axId val="2"/>{end}'
        '<c:catAx><c:axId val="1"/><c:scaling><c:orientation val="minMax"/></c:scaling><c:delete val="0"/>'
        '<c:axPos val="b"/><c:tickLblPos val="nextTo"/><c:crossAx val="2"/><c:crosses val="autoZero"/>'
        '<c:auto val="1"/><c:lblAlgn val="ctr"/><c:lblOffset val="100"/></c:catAx>'
        '<c:valAx><c:axId val="2"/><c:scaling><c:orientation val="minMax"/></c:scaling><c:delete val="0"/>'
        '<c:axPos val="l"/><c:majorGridlines/><c:numFmt formatCode="#,##0" sourceLinked="0"/>'
        '<c:tickLblPos val="nextTo"/><c:crossAx val="1"/><c:crosses val="autoZero"/></c:valAx></c:plotArea>'
        '<c:legend><c:legendPos val="b"/><c:overlay val="0"/></c:legend><c:plotVisOnly val="1"/></c:chart>'
        '</c:chartSpace>'
    ).encode("utf-8")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool) \
        and math.isfinite(float(value))


def _kind_of(value: Any) -> str:
    """The column kind whose format shows a value the user typed as they typed it."""
    if isinstance(value, Formula):
        value = value.cached
    if isinstance(value, dt.datetime):
        return "datetime" if (value.hour, value.minute, value.second) != (0, 0, 0) else "date"
    return "date" if isinstance(value, dt.date) else "text"


def _validations(content: SheetContent) -> str:
    items = []
    for index, table in enumerate(content.tables):
        first, last = content.header_row + 1, content.last_row(index)
        for i, column in enumerate(table.columns):
            if not column.choices:
                continue
            letter = column_letter(content.first_column(index) + i)
            formula = escape('"' + ",".join(c.replace('"', "'") for c in column.choices) + '"')
            items.append(f'<dataValidation type="list" allowBlank="1" showInputMessage="1" showErrorMessage="0" '
                         f'sqref="{letter}{first}:{letter}{last}"><formula1>{formula}</formula1></dataValidation>')
    return f'<dataValidations count="{len(items)}">{"".join(items)}</dataValidations>' if items else ""


def _row(number: int, cells: list[tuple[int, Any, int]]) -> str:
    body = "".join(cell_xml(f"{column_letter(col)}{number}", value, style) for col, value, style in sorted(cells, key=lambda c: c[0]))
    return f'<row r="{number}">{body}</row>'


def cell_xml(ref: str, value: Any, style: int) -> str:
    s = f' s="{style}"' if style else ""
    if isinstance(value, Formula):
        return _formula_xml(ref, s, value)
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)) or value == "":
        return f'<c r="{ref}"{s}/>'
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"{s}><v>{value!r}</v></c>' if math.isfinite(value) else f'<c r="{ref}"{s}/>'
    if isinstance(value, (dt.datetime, dt.date)):
        return f'<c r="{ref}"{s}><v>{_serial(value)}</v></c>'
    text = clean_text(fit_text(str(value)))
    return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{escape(text)}</t></is></c>'


def _serial(value: dt.date) -> str:
    """A date as Excel's serial number."""
    moment = value if isinstance(value, dt.datetime) else dt.datetime(value.year, value.month, value.day)
    return f"{(moment.replace(tzinfo=None) - _EXCEL_EPOCH) / dt.timedelta(days=1):.10g}"


def _formula_xml(ref: str, s: str, formula: Formula) -> str:
    """A formula cell with the value it last showed (so it shows without recalculation)."""
    body = f"<f>{escape(clean_text(formula.text[1:]))}</f>"
    cached = formula.cached
    if isinstance(cached, bool):
        return f'<c r="{ref}"{s} t="b">{body}<v>{int(cached)}</v></c>'
    if isinstance(cached, (int, float)) and math.isfinite(cached):
        return f'<c r="{ref}"{s}>{body}<v>{cached!r}</v></c>'
    if isinstance(cached, (dt.datetime, dt.date)):
        return f'<c r="{ref}"{s}>{body}<v>{_serial(cached)}</v></c>'
    if isinstance(cached, str) and cached:
        return f'<c r="{ref}"{s} t="str">{body}<v>{escape(clean_text(cached))}</v></c>'
    return f'<c r="{ref}"{s}>{body}</c>'


def clean_text(text: str) -> str:
    """Text without the control characters XML cannot hold."""
    return _BAD_XML_CHARS.sub("", text)
