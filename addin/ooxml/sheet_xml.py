"""Worksheet and table parts (SpreadsheetML) from a :class:`~addin.ooxml.worksheet.Worksheet`.

Every text is written as an inline string (``t="inlineStr"``), never as a formula, so a
customer named ``=HYPERLINK(…)`` stays text; only a :class:`Formula` is a formula. No
shared-strings part is touched.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any, Callable, Sequence
from xml.sax.saxutils import escape, quoteattr

import numpy as np
import pandas as pd

from .namespaces import MAIN, REL
from .styles import Style
from .worksheet import Formula, ListValidation, TableSpec, Worksheet, column_letter, fit_text

_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_BAD_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def render_sheet(sheet: Worksheet, style_of: Callable[[Style], int], table_rel_ids: Sequence[str],
                 drawing_rel_id: str | None) -> bytes:
    """The worksheet XML; ``style_of`` gives the ``cellXfs`` index of a look."""
    for style in sheet.styles:          # added to the workbook's styles in this order
        style_of(style)
    frozen = sheet.frozen_rows
    cols = "".join(f'<col min="{n}" max="{n}" width="{w:g}" customWidth="1"/>' for n, w in sorted(sheet.widths.items()))
    parts = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n',
        f'<worksheet xmlns="{MAIN}" xmlns:r="{REL}">',
        f'<sheetPr><tabColor rgb="{sheet.tab_color}"/><pageSetUpPr fitToPage="1"/></sheetPr>',
        f'<dimension ref="A1:{column_letter(sheet.last_column)}{sheet.last_row}"/>',
        '<sheetViews><sheetView workbookViewId="0">'
        f'<pane ySplit="{frozen}" topLeftCell="A{frozen + 1}" activePane="bottomLeft" state="frozen"/>'
        f'<selection pane="bottomLeft" activeCell="A{frozen + 1}" sqref="A{frozen + 1}"/></sheetView></sheetViews>',
        '<sheetFormatPr defaultRowHeight="15"/>',
        f"<cols>{cols}</cols>" if cols else "",
        "<sheetData>",
        *(_row(number, [(col, value, style_of(look)) for col, value, look in sheet.cells[number]])
          for number in sorted(sheet.cells)),
        "</sheetData>",
        _validations(sheet.validations),
        '<pageMargins left="0.4" right="0.4" top="0.5" bottom="0.5" header="0.3" footer="0.3"/>',
        '<pageSetup orientation="landscape" fitToWidth="1" fitToHeight="0"/>',
        f'<drawing r:id="{drawing_rel_id}"/>' if drawing_rel_id else "",
        f'<tableParts count="{len(table_rel_ids)}">'
        + "".join(f'<tablePart r:id="{rel_id}"/>' for rel_id in table_rel_ids) + "</tableParts>",
        "</worksheet>",
    ]
    return "".join(parts).encode("utf-8")


def render_table(table: TableSpec, table_id: int, name: str) -> bytes:
    """The table part (an Excel table with filters)."""
    columns = "".join(f'<tableColumn id="{i}" name={quoteattr(clean_text(header))}/>'
                      for i, header in enumerate(table.headers, start=1))
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<table xmlns="{MAIN}" id="{table_id}" name="{name}" displayName="{name}" '
        f'ref="{table.ref}" totalsRowShown="0"><autoFilter ref="{table.ref}"/>'
        f'<tableColumns count="{len(table.headers)}">{columns}</tableColumns>'
        '<tableStyleInfo name="TableStyleMedium2" showFirstColumn="0" showLastColumn="0" '
        'showRowStripes="1" showColumnStripes="0"/></table>'
    ).encode("utf-8")


def _validations(validations: list[ListValidation]) -> str:
    items = []
    for validation in validations:
        formula = escape('"' + ",".join(c.replace('"', "'") for c in validation.choices) + '"')
        items.append(f'<dataValidation type="list" allowBlank="1" showInputMessage="1" showErrorMessage="0" '
                     f'sqref="{validation.sqref}"><formula1>{formula}</formula1></dataValidation>')
    return f'<dataValidations count="{len(items)}">{"".join(items)}</dataValidations>' if items else ""


def _row(number: int, cells: list[tuple[int, Any, int]]) -> str:
    body = "".join(cell_xml(f"{column_letter(col)}{number}", value, style)
                   for col, value, style in sorted(cells, key=lambda c: c[0]))
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
