"""Rendering a :class:`SheetContent` as SpreadsheetML: the worksheet part and its table part.

Every text is written as an inline string (``t="inlineStr"``), never as a formula, so a
customer named ``=HYPERLINK(…)`` stays text; no shared-strings part is touched.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any, Callable
from xml.sax.saxutils import escape, quoteattr

import numpy as np
import pandas as pd

from .sheet_content import Column, SheetContent
from .xlsx_styles import Style

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
RISK_FILLS = {"LOST": "FFD9D9D9", "HIGH": "FFFFC7CE", "MEDIUM": "FFFFEB9C", "LOW": "FFC6EFCE",
              "已流失": "FFD9D9D9", "高风险": "FFFFC7CE", "中风险": "FFFFEB9C", "低风险": "FFC6EFCE"}
KIND_STYLES = {
    "text": Style(), "class": Style(bold=True),
    "int": Style(num_format="0"), "money": Style(num_format="#,##0.00"),
    "date": Style(num_format="yyyy-mm-dd"), "datetime": Style(num_format="yyyy-mm-dd hh:mm"),
}
TITLE = Style(bold=True, size=14, color="FF1F4E79")
LABEL = Style(bold=True, color="FF595959")
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_BAD_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def column_letter(index: int) -> str:
    """``A`` for 1, ``AA`` for 27."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def table_range(content: SheetContent) -> str:
    """The table's cell range, header included (an empty table keeps one blank row)."""
    first = content.header_row
    last = first + max(len(content.rows), 1)
    return f"A{first}:{column_letter(len(content.columns))}{last}"


def render_sheet(content: SheetContent, style_of: Callable[[Style], int], table_rel_id: str) -> bytes:
    """The worksheet XML; ``style_of`` gives the ``cellXfs`` index of a style."""
    width = len(content.columns)
    header = content.header_row
    typed = {kind: style_of(style) for kind, style in KIND_STYLES.items()}
    rows = [_row(1, [(content.title, style_of(TITLE))])]
    label = style_of(LABEL)
    for offset, (name, value) in enumerate(content.heading):
        rows.append(_row(2 + offset, [(name, label), (value, typed[_kind_of(value)])]))
    header_style = style_of(Style(bold=True))
    rows.append(_row(header, [(column.header, header_style) for column in content.columns]))
    risk_styles = {risk: style_of(Style(bold=True, fill=fill)) for risk, fill in RISK_FILLS.items()}
    for offset, values in enumerate(content.rows):
        cells = []
        for column, value in zip(content.columns, values):
            if column.kind == "risk":
                style = risk_styles.get(value, typed["text"])
            elif column.kind == "any":
                style = typed[_kind_of(value)]
            else:
                style = typed[column.kind]
            cells.append((value, style))
        rows.append(_row(header + 1 + offset, cells))
    last_row = header + max(len(content.rows), 1)
    cols = "".join(f'<col min="{i}" max="{i}" width="{c.width:g}" customWidth="1"/>'
                   for i, c in enumerate(content.columns, start=1))
    validations = _validations(content, header + 1, last_row)
    parts = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n',
        f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">',
        f'<sheetPr><tabColor rgb="{content.tab_color}"/><pageSetUpPr fitToPage="1"/></sheetPr>',
        f'<dimension ref="A1:{column_letter(width)}{last_row}"/>',
        '<sheetViews><sheetView workbookViewId="0">'
        f'<pane ySplit="{header}" topLeftCell="A{header + 1}" activePane="bottomLeft" state="frozen"/>'
        f'<selection pane="bottomLeft" activeCell="A{header + 1}" sqref="A{header + 1}"/></sheetView></sheetViews>',
        '<sheetFormatPr defaultRowHeight="15"/>',
        f"<cols>{cols}</cols>",
        f"<sheetData>{''.join(rows)}</sheetData>",
        validations,
        '<pageMargins left="0.4" right="0.4" top="0.5" bottom="0.5" header="0.3" footer="0.3"/>',
        '<pageSetup orientation="landscape" fitToWidth="1" fitToHeight="0"/>',
        f'<tableParts count="1"><tablePart r:id="{table_rel_id}"/></tableParts>',
        "</worksheet>",
    ]
    return "".join(parts).encode("utf-8")


def render_table(content: SheetContent, table_id: int) -> bytes:
    """The table part (an Excel table with filters over the list)."""
    ref = table_range(content)
    columns = "".join(f'<tableColumn id="{i}" name={quoteattr(_clean(c.header))}/>'
                      for i, c in enumerate(content.columns, start=1))
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<table xmlns="{MAIN_NS}" id="{table_id}" name="{content.table_name}" displayName="{content.table_name}" '
        f'ref="{ref}" totalsRowShown="0"><autoFilter ref="{ref}"/>'
        f'<tableColumns count="{len(content.columns)}">{columns}</tableColumns>'
        '<tableStyleInfo name="TableStyleMedium2" showFirstColumn="0" showLastColumn="0" '
        'showRowStripes="1" showColumnStripes="0"/></table>'
    ).encode("utf-8")


def _kind_of(value: Any) -> str:
    """The column kind whose format shows a value the user typed as they typed it."""
    if isinstance(value, dt.datetime):
        return "datetime" if (value.hour, value.minute, value.second) != (0, 0, 0) else "date"
    return "date" if isinstance(value, dt.date) else "text"


def _validations(content: SheetContent, first: int, last: int) -> str:
    items = []
    for i, column in enumerate(content.columns, start=1):
        if not column.choices:
            continue
        letter = column_letter(i)
        formula = escape('"' + ",".join(c.replace('"', "'") for c in column.choices) + '"')
        items.append(f'<dataValidation type="list" allowBlank="1" showInputMessage="1" showErrorMessage="0" '
                     f'sqref="{letter}{first}:{letter}{last}"><formula1>{formula}</formula1></dataValidation>')
    return f'<dataValidations count="{len(items)}">{"".join(items)}</dataValidations>' if items else ""


def _row(number: int, cells: list[tuple[Any, int]]) -> str:
    body = "".join(_cell(f"{column_letter(i)}{number}", value, style)
                   for i, (value, style) in enumerate(cells, start=1))
    return f'<row r="{number}">{body}</row>'


def _cell(ref: str, value: Any, style: int) -> str:
    s = f' s="{style}"' if style else ""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)) or value == "":
        return f'<c r="{ref}"{s}/>'
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"{s}><v>{value!r}</v></c>' if math.isfinite(value) else f'<c r="{ref}"{s}/>'
    if isinstance(value, (dt.datetime, dt.date)):
        moment = value if isinstance(value, dt.datetime) else dt.datetime(value.year, value.month, value.day)
        serial = (moment.replace(tzinfo=None) - _EXCEL_EPOCH) / dt.timedelta(days=1)
        return f'<c r="{ref}"{s}><v>{serial:.10g}</v></c>'
    text = _clean(str(value))
    return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{escape(text)}</t></is></c>'


def _clean(text: str) -> str:
    """Text without the control characters XML cannot hold."""
    return _BAD_XML_CHARS.sub("", text)
