"""Drawing and chart parts (DrawingML) from :class:`~addin.ooxml.worksheet.ChartSpec`."""
from __future__ import annotations

from typing import Sequence
from xml.sax.saxutils import escape

from .namespaces import CHART, DRAWING, REL, SHEET_DRAWING
from .sheet_xml import clean_text
from .worksheet import ChartSpec, is_number

SERIES_COLOURS = ("2E75B6", "C55A11", "548235")


def render_drawing(charts: Sequence[ChartSpec], chart_rel_ids: Sequence[str]) -> bytes:
    """The drawing part placing each chart at its anchor."""
    anchors = []
    for number, (chart, rel_id) in enumerate(zip(charts, chart_rel_ids)):
        anchors.append(
            f'<xdr:twoCellAnchor><xdr:from><xdr:col>{chart.left}</xdr:col><xdr:colOff>0</xdr:colOff>'
            f'<xdr:row>{chart.top}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:to>'
            f'<xdr:col>{chart.left + chart.columns}</xdr:col><xdr:colOff>0</xdr:colOff>'
            f'<xdr:row>{chart.top + chart.rows}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to>'
            f'<xdr:graphicFrame macro=""><xdr:nvGraphicFramePr><xdr:cNvPr id="{number + 2}" name="Chart {number + 1}"/>'
            '<xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr><xdr:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/>'
            f'</xdr:xfrm><a:graphic><a:graphicData uri="{CHART}"><c:chart xmlns:c="{CHART}" '
            f'xmlns:r="{REL}" r:id="{rel_id}"/></a:graphicData></a:graphic></xdr:graphicFrame>'
            '<xdr:clientData/></xdr:twoCellAnchor>')
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<xdr:wsDr xmlns:xdr="{SHEET_DRAWING}" '
            f'xmlns:a="{DRAWING}">{"".join(anchors)}</xdr:wsDr>').encode("utf-8")


def render_chart(chart: ChartSpec) -> bytes:
    """A native line or column chart, with cached values so it shows without recalculation; each series has
    its own colour and line, so it is drawn the same in every application."""
    count = len(chart.categories.values)
    categories = "".join(f'<c:pt idx="{i}"><c:v>{escape(clean_text(str(value)))}</c:v></c:pt>'
                         for i, value in enumerate(chart.categories.values))
    line = chart.kind == "line"
    marker, smooth = ('<c:marker><c:symbol val="none"/></c:marker>', '<c:smooth val="0"/>') if line else ("", "")
    series = []
    for order, data in enumerate(chart.series):
        colour = f'<a:solidFill><a:srgbClr val="{SERIES_COLOURS[order % len(SERIES_COLOURS)]}"/></a:solidFill>'
        look = (f'<c:spPr><a:ln w="28575" cap="rnd">{colour}<a:round/></a:ln></c:spPr>' if line
                else f"<c:spPr>{colour}</c:spPr>")
        points = "".join(f'<c:pt idx="{i}"><c:v>{float(value)!r}</c:v></c:pt>'
                         for i, value in enumerate(data.values) if is_number(value))
        series.append(
            f'<c:ser><c:idx val="{order}"/><c:order val="{order}"/><c:tx><c:v>{escape(clean_text(data.name))}'
            f'</c:v></c:tx>{look}{marker}'
            f'<c:cat><c:strRef><c:f>{escape(chart.categories.ref)}</c:f><c:strCache><c:ptCount val="{count}"/>'
            f'{categories}</c:strCache></c:strRef></c:cat><c:val><c:numRef><c:f>{escape(data.ref)}</c:f><c:numCache>'
            f'<c:formatCode>General</c:formatCode><c:ptCount val="{count}"/>{points}</c:numCache></c:numRef>'
            f'</c:val>{smooth}</c:ser>')
    plot = '<c:lineChart><c:grouping val="standard"/>' if line else \
        '<c:barChart><c:barDir val="col"/><c:grouping val="clustered"/>'
    close = '<c:marker val="1"/>' if line else '<c:gapWidth val="80"/>'
    end = "</c:lineChart>" if line else "</c:barChart>"
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<c:chartSpace xmlns:c="{CHART}" xmlns:a="{DRAWING}" xmlns:r="{REL}"><c:roundedCorners val="0"/>'
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

