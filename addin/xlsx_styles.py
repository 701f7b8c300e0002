"""Adding the few cell styles churnkit needs to a workbook's ``xl/styles.xml``, append-only.

Existing entries keep their positions (every other sheet's ``s="…"`` stays valid); an
entry identical to one already there is reused, so refreshing again adds nothing.
The file is edited as text so that nothing else in it changes.
"""
from __future__ import annotations

import dataclasses
import re
from xml.sax.saxutils import quoteattr

FIRST_CUSTOM_NUMFMT = 164
_BUILTIN_NUMFMTS = {"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4}
_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

MINIMAL_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<styleSheet xmlns="{_NS}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/>'
    '</fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)


@dataclasses.dataclass(frozen=True)
class Style:
    """A cell look: font, fill and number format; None means the workbook's default."""
    bold: bool = False
    size: float | None = None
    color: str | None = None        # ARGB font colour
    fill: str | None = None         # ARGB solid fill
    num_format: str | None = None
    wrap: bool = False


class StyleSheet:
    """``styles.xml`` text with helpers to find or append fonts, fills, number formats and cell formats."""

    def __init__(self, xml: str):
        self.xml = xml
        match = re.search(r"<(\w+:)?styleSheet\b", xml)
        self.prefix = match.group(1) or "" if match else ""

    def index(self, style: Style) -> int:
        """The ``cellXfs`` index of a cell format with this look, appended when missing."""
        p = self.prefix
        font = self._find_or_add("fonts", self._font(style)) if (style.bold or style.size or style.color) else 0
        fill = self._find_or_add("fills", f'<{p}fill><{p}patternFill patternType="solid"><{p}fgColor rgb="{style.fill}"/>'
                                          f'<{p}bgColor indexed="64"/></{p}patternFill></{p}fill>') if style.fill else 0
        num_fmt = self._num_format(style.num_format) if style.num_format else 0
        applies = "".join([' applyFont="1"' if font else "", ' applyFill="1"' if fill else "",
                           ' applyNumberFormat="1"' if num_fmt else "", ' applyAlignment="1"' if style.wrap else ""])
        body = f'<{p}alignment vertical="top" wrapText="1"/>' if style.wrap else ""
        xf = (f'<{p}xf numFmtId="{num_fmt}" fontId="{font}" fillId="{fill}" borderId="0" xfId="0"{applies}'
              + (f">{body}</{p}xf>" if body else "/>"))
        return self._find_or_add("cellXfs", xf)

    def _font(self, style: Style) -> str:
        p = self.prefix
        parts = [f"<{p}b/>" if style.bold else "", f'<{p}sz val="{style.size or 11:g}"/>',
                 f'<{p}color rgb="{style.color}"/>' if style.color else "", f'<{p}name val="Calibri"/>',
                 f'<{p}family val="2"/>']
        return f"<{p}font>{''.join(parts)}</{p}font>"

    def _num_format(self, code: str) -> int:
        if code in _BUILTIN_NUMFMTS:
            return _BUILTIN_NUMFMTS[code]
        p = self.prefix
        quoted = quoteattr(code)
        found = re.search(rf'<{p}numFmt numFmtId="(\d+)" formatCode={re.escape(quoted)}\s*/>', self.xml)
        if found:
            return int(found.group(1))
        ids = [int(i) for i in re.findall(r'<(?:\w+:)?numFmt\b[^>]*numFmtId="(\d+)"', self.xml)]
        new_id = max(ids + [FIRST_CUSTOM_NUMFMT - 1]) + 1
        element = f'<{p}numFmt numFmtId="{new_id}" formatCode={quoted}/>'
        if not re.search(rf"<{p}numFmts\b", self.xml):
            self.xml = re.sub(rf"(<{p}styleSheet\b[^>]*>)", rf'\1<{p}numFmts count="0"></{p}numFmts>', self.xml, count=1)
        self._append("numFmts", element)
        return new_id

    def _find_or_add(self, collection: str, element: str) -> int:
        items = self._items(collection)
        if element in items:
            return items.index(element)
        self._append(collection, element)
        return len(items)

    def _items(self, collection: str) -> list[str]:
        p = self.prefix
        block = re.search(rf"<{p}{collection}\b[^>]*?(?:/>|>(.*?)</{p}{collection}>)", self.xml, re.S)
        if block is None or not block.group(1):
            return []
        tag = collection[:-1] if collection != "cellXfs" else "xf"
        return re.findall(rf"<{p}{tag}\b(?:[^>]*/>|.*?</{p}{tag}>)", block.group(1), re.S)

    def _append(self, collection: str, element: str) -> None:
        p = self.prefix
        block = re.search(rf"<{p}{collection}\b([^>]*?)(/?)>", self.xml)
        if block is None:
            raise ValueError(f"styles.xml has no <{collection}> list")
        attrs = re.sub(r'\s*count="\d+"', "", block.group(1))
        count = len(self._items(collection)) + 1
        opening = f'<{p}{collection}{attrs} count="{count}">'
        if block.group(2):   # an empty <fonts/>: open it
            self.xml = self.xml[:block.start()] + opening + element + f"</{p}{collection}>" + self.xml[block.end():]
            return
        end = self.xml.index(f"</{p}{collection}>", block.end())
        self.xml = self.xml[:block.start()] + opening + self.xml[block.end():end] + element + self.xml[end:]
