"""How churnkit's sheets look: the cell styles of each kind of column, the risk colours, title and labels.

Both adapters draw from here (the file adapter through ``workbooks.layout``, the live-Excel
adapter through xlwings), so a sheet looks the same however it was written.
"""
from __future__ import annotations

from ..ooxml.styles import Style

RISK_FILLS = {"LOST": "FFD9D9D9", "HIGH": "FFFFC7CE", "MEDIUM": "FFFFEB9C", "LOW": "FFC6EFCE",
              "已流失": "FFD9D9D9", "高风险": "FFFFC7CE", "中风险": "FFFFEB9C", "低风险": "FFC6EFCE"}
KIND_STYLES = {
    "text": Style(), "class": Style(bold=True),
    "int": Style(num_format="0"), "money": Style(num_format="#,##0.00"),
    "date": Style(num_format="yyyy-mm-dd"), "datetime": Style(num_format="yyyy-mm-dd hh:mm"),
    "pct": Style(num_format="0%"),
}
TITLE = Style(bold=True, size=14, color="FF1F4E79")
LABEL = Style(bold=True, color="FF595959")
HEADER = Style(bold=True)
CHART_ROWS, CHART_COLUMNS = 18, 9       # the size of each chart, in cells


def risk_style(value: object) -> Style:
    """A risk cell's look: bold on its colour (plain text for anything else)."""
    fill = RISK_FILLS.get(value) if isinstance(value, str) else None
    return Style(bold=True, fill=fill) if fill else KIND_STYLES["text"]
