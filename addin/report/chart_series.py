"""Refitting chart series to a filled block: the range each series reads, and the values charts keep cached.

A series whose categories or values read a column of a block from the block's first row
(``<c:f>Sheet!$B$12:$B$13</c:f>``) is made to read exactly the rows written, and its
cache (``<c:numCache>``/``<c:strCache>``) is replaced by those values, so the chart is
right the moment the workbook opens, without recalculation. Everything else in the chart
part (its look, titles, colours) stays as it was.
"""
from __future__ import annotations

import re
from typing import Any, Callable, Sequence
from xml.sax.saxutils import escape

from ..ooxml.xml_text import unescape
from ..ooxml.sheet_xml import clean_text
from ..ooxml.worksheet import cell_value, is_number
from .cell_ranges import Area, parse_area

_REF = re.compile(r"<(?P<p>\w+:)?(?P<kind>numRef|strRef)>\s*<(?P=p)?f>(?P<f>.*?)</(?P=p)?f>(?P<rest>.*?)"
                  r"</(?P=p)?(?P=kind)>", re.S)
_FORMAT_CODE = re.compile(r"<(?:\w+:)?formatCode>(.*?)</(?:\w+:)?formatCode>", re.S)

Lookup = Callable[[Area], Sequence[Any] | None]
"""The values of a one-column area that starts at a block's first row (None when it does not)."""


def refit_chart(xml: str, lookup: Lookup) -> str:
    """The chart part with every series that reads a filled block refitted to it."""
    def refit(match: re.Match) -> str:
        formula = unescape(match.group("f"))
        area = parse_area(formula)
        values = lookup(area) if area is not None and area.sheet is not None and area.left == area.right else None
        if values is None:
            return match.group(0)
        values = [cell_value(v) for v in values]
        p = match.group("p") or ""
        sheet_text = formula.rsplit("!", 1)[0]
        new_area = area.with_bottom(area.top + max(len(values), 1) - 1)
        ref = escape(f"{sheet_text}!{new_area.a1(absolute=True)}")
        numbers = all(is_number(v) for v in values if v is not None)
        if numbers:
            code = _FORMAT_CODE.search(match.group("rest"))
            cache = (f"<{p}numCache><{p}formatCode>{code.group(1) if code else 'General'}</{p}formatCode>"
                     + _points(p, values, repr) + f"</{p}numCache>")
            kind = "numRef"
        else:
            cache = f"<{p}strCache>" + _points(p, values, lambda v: escape(clean_text(str(v)))) + f"</{p}strCache>"
            kind = "strRef"
        return f"<{p}{kind}><{p}f>{ref}</{p}f>{cache}</{p}{kind}>"
    return _REF.sub(refit, xml)


def series_areas(xml: str) -> list[Area]:
    """The areas a chart's series read (names, categories, values) that name a sheet."""
    areas = (parse_area(unescape(match.group("f"))) for match in _REF.finditer(xml))
    return [area for area in areas if area is not None and area.sheet is not None]


def _points(p: str, values: Sequence[Any], text: Callable[[Any], str]) -> str:
    points = "".join(f'<{p}pt idx="{i}"><{p}v>{text(v)}</{p}v></{p}pt>'
                     for i, v in enumerate(values) if v is not None)
    return f'<{p}ptCount val="{len(values)}"/>{points}'




