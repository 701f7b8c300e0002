"""Adding the few cell styles churnkit needs to a workbook's ``xl/styles.xml``, append-only.

Existing entries keep their positions (every other sheet's ``s="…"`` stays valid); an
entry identical to one already there is reused, so refreshing again adds nothing.
The part is edited as text (``xml_text``) so that nothing else in it changes.
"""
from __future__ import annotations

import dataclasses
from xml.sax.saxutils import quoteattr

from . import xml_text
from .namespaces import MAIN
from .xml_text import Element

FIRST_CUSTOM_NUMFMT = 164
_BUILTIN_NUMFMTS = {"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4}

MINIMAL_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<styleSheet xmlns="{MAIN}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
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
    """``styles.xml`` with helpers to find or append fonts, fills, number formats and cell formats."""

    def __init__(self, data: bytes):
        self.data = data
        self._root: Element | None = None

    @property
    def root(self) -> Element:
        if self._root is None:
            self._root = xml_text.parse(self.data)
        return self._root

    def index(self, style: Style) -> int:
        """The ``cellXfs`` index of a cell format with this look, appended when missing."""
        p = self._prefix()
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

    def _prefix(self) -> str:
        prefix = self.root.qname.rpartition(":")[0]
        return f"{prefix}:" if prefix else ""

    def _font(self, style: Style) -> str:
        p = self._prefix()
        parts = [f"<{p}b/>" if style.bold else "", f'<{p}sz val="{style.size or 11:g}"/>',
                 f'<{p}color rgb="{style.color}"/>' if style.color else "", f'<{p}name val="Calibri"/>',
                 f'<{p}family val="2"/>']
        return f"<{p}font>{''.join(parts)}</{p}font>"

    def _num_format(self, code: str) -> int:
        if code in _BUILTIN_NUMFMTS:
            return _BUILTIN_NUMFMTS[code]
        formats = self.root.find("numFmts")
        known = formats.findall("numFmt") if formats is not None else []
        for element in known:
            if element.get("formatCode") == code and str(element.get("numFmtId", "")).isdigit():
                return int(element.get("numFmtId"))
        ids = [int(e.get("numFmtId")) for e in known if str(e.get("numFmtId", "")).isdigit()]
        new_id = max(ids + [FIRST_CUSTOM_NUMFMT - 1]) + 1
        p = self._prefix()
        element = f'<{p}numFmt numFmtId="{new_id}" formatCode={quoteattr(code)}/>'
        if formats is None:
            first = self.root.children[0] if self.root.children else None
            block = f'<{p}numFmts count="1">{element}</{p}numFmts>'
            self._set(xml_text.insert_before(self.data, first, block) if first else
                      xml_text.append_child(self.data, self.root, block))
        else:
            self._append(formats, element)
        return new_id

    def _find_or_add(self, collection: str, element: str) -> int:
        block = self.root.find(collection)
        if block is None:
            raise ValueError(f"styles.xml has no <{collection}> list")
        items = [self.data[child.start:child.end].decode() for child in block.children]
        if element in items:
            return items.index(element)
        self._append(block, element)
        return len(items)

    def _append(self, block: Element, element: str) -> None:
        count = len(block.children) + 1
        data = xml_text.append_child(self.data, block, element)
        self._set(xml_text.set_attribute(data, xml_text.parse(data).find(block.local), "count", str(count)))

    def _set(self, data: bytes) -> None:
        self.data, self._root = data, None
