"""The bundled report templates, made with XlsxWriter, in English and Simplified Chinese.

    python -m addin.report.make_templates [--out DIR]

writes ``at-risk``, ``win-back``, ``review``, ``customer-card`` and ``backtest`` (``.xlsx`` and
``.zh.xlsx``) into ``workbook_templates/``. The output is the same on every run. Each
place churnkit fills is a defined name (``ck_…``: ``report_data.CELLS`` and ``BLOCKS``); charts are
native Excel charts reading the blocks churnkit fills. Every sheet prints landscape, one
page wide, and the charts sit above the growing lists so that no chart splits over pages.
"""
from __future__ import annotations

import argparse
import datetime as dt
import math
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_range_abs, xl_rowcol_to_cell

import workbook_templates
from churn_logic import REPORT_MONTHS, RISK_LABELS

from ..content.words import LANGUAGES, WORDS

from .templates import template_name

TEMPLATE_DIR = Path(workbook_templates.__file__).parent     # the source tree's folder, where the templates live

CREATED = dt.datetime(2026, 1, 1)
NAVY, LIGHT, PALE, GREY, RULE = "#1F3864", "#EEF3FA", "#F7F9FC", "#595959", "#D9D9D9"
DARK_RED, DARK_AMBER, DARK_SLATE, DARK_GREEN = "#9C0006", "#9C5700", "#404040", "#375623"
RED, AMBER, BLUE, PURPLE, GREEN = "#C0504D", "#F0A030", "#2E75B6", "#8064A2", "#548235"
TEAL, PINK, ORANGE = "#1A9988", "#E0609A", "#C55A11"
"""The charts' colours; no cell takes one, so a rendered page shows whether each chart drew its data."""
FONTS = {"en": "Arial", "zh": "Microsoft YaHei"}
MONEY, COUNT, PERCENT, SHARE, DATE = "#,##0", "#,##0", "0.0%", "0%", "yyyy-mm-dd"
SCORE, BRIER, LIFT = "0.00", "0.000", '0.0"×"'      # balanced accuracy and AUROC, the Brier score, lift
MARGINS = (0.4, 0.4, 0.5, 0.6)       # inches: left, right, top, bottom
PRINTED = (841.89 - 72 * (MARGINS[0] + MARGINS[1]), 595.28 - 72 * (MARGINS[2] + MARGINS[3]))  # A4 landscape, pt
# A column's width counts digits of the default font (10 pt) plus padding, in pixels: Arial's digits are 7 pixels
# wide; DejaVu Sans, which LibreOffice draws where neither Arial nor Liberation Sans is installed, 9
WIDEST_DIGIT, CELL_PADDING, POINTS_PER_PIXEL = 9, 5, 0.75
RISK_COLOURS = {"LOST": ("#D9D9D9", "#404040"), "HIGH": ("#FFC7CE", "#9C0006"),
                "MEDIUM": ("#FFEB9C", "#9C5700"), "LOW": ("#C6EFCE", "#006100")}



class _Book:
    """One template workbook being designed: formats, names and the common pieces of every sheet."""

    def __init__(self, path: Path, lang: str):
        self.lang, self.t, self.font = lang, WORDS[lang]["templates"], FONTS[lang]
        self.wb = xlsxwriter.Workbook(str(path), {"default_format_properties": {"font_name": self.font, "font_size": 10}})
        self.wb.set_properties({"author": "churnkit", "created": CREATED, "comments": "churnkit report template"})
        self._formats: dict[tuple, Any] = {}
        self._widths: dict[str, list[float]] = {}

    def fmt(self, **props: Any):
        key = tuple(sorted(props.items()))
        if key not in self._formats:
            self._formats[key] = self.wb.add_format({"font_name": self.font, "font_size": 10, "valign": "vcenter", **props})
        return self._formats[key]

    def sheet(self, key: str, width: list[float]):
        ws = self.wb.add_worksheet(self.t["sheets"][key])
        for col, w in enumerate(width):
            ws.set_column(col, col, w)
        ws.hide_gridlines(2)
        ws.set_landscape()
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=MARGINS[0], right=MARGINS[1], top=MARGINS[2], bottom=MARGINS[3])
        ws.set_footer(f"&L&8{self.t['footer']}&R&8&P / &N")
        self._widths[ws.name] = width
        return ws

    def page_breaks(self, ws, rows: list[int]) -> None:
        """Pages that start at ``rows``, each printed whole: at a fixed scale at which the sheet is no wider than
        the page and no page up to a break taller, in the widest font that may stand in for the sheet's. Fitting
        the sheet to the page width would not do: Excel then drops manual page breaks (XlsxWriter's
        ``fit_to_pages``), and the scale depends on the font's widths, which moves the page's end."""
        ws.set_h_pagebreaks(rows)
        width = sum(w * WIDEST_DIGIT + CELL_PADDING for w in self._widths[ws.name]) * POINTS_PER_PIXEL
        heights = [sum(0 if hidden else height for height, hidden in
                       (ws.row_sizes.get(row, (ws.default_row_height, False)) for row in range(top, end)))
                   * POINTS_PER_PIXEL for top, end in zip([0, *rows], rows)]
        ws.set_print_scale(math.floor(100 * min(PRINTED[0] / width, PRINTED[1] / max(heights))))
        ws.center_horizontally()

    def name(self, ws, name: str, row: int, col: int, last_col: int | None = None, last_row: int | None = None) -> None:
        last_row, last_col = (row if last_row is None else last_row), (col if last_col is None else last_col)
        self.wb.define_name(name, f"='{ws.name}'!{xl_range_abs(row, col, last_row, last_col)}")

    def value(self, ws, name: str, row: int, col: int, fmt, last_col: int | None = None) -> None:
        """An empty, styled cell (merged to ``last_col``) that churnkit fills through ``name``."""
        if last_col is not None and last_col > col:
            ws.merge_range(row, col, row, last_col, "", fmt)
        else:
            ws.write_blank(row, col, None, fmt)
        self.name(ws, name, row, col)

    def banner(self, ws, title: str, subtitle: str, last_col: int) -> None:
        ws.set_row(0, 36)
        ws.merge_range(0, 0, 0, last_col, title, self.fmt(bold=True, font_size=18, font_color="white", bg_color=NAVY, indent=1))
        if subtitle:
            ws.set_row(1, 20)
            ws.merge_range(1, 0, 1, last_col, subtitle, self.fmt(italic=True, font_color=GREY, indent=1))

    def info(self, ws, row: int, items: list[tuple[str, str, int, int, str | None]], suffix: str = "") -> None:
        """Label/value pairs on one row: (label key, name, label column, last value column, number format)."""
        ws.set_row(row, 18)
        label = self.fmt(font_color=GREY, font_size=9, align="right")
        for key, name, col, last, num_format in items:
            ws.write(row, col, self.t[key], label)
            fmt = self.fmt(bold=True, font_color=NAVY, align="left", **({"num_format": num_format} if num_format else {}))
            self.value(ws, name + suffix, row, col + 1, fmt, last)

    def card(self, ws, row: int, col: int, last: int, label: str, name: str, num_format: str,
             sub: str | tuple[str, str] | tuple[str, str, str] = "", accent: str = NAVY) -> None:
        """A headline figure: label, big number, and a line under it (text, a filled value (name, format), or a
        label with a filled value (text, name, format))."""
        ws.merge_range(row, col, row, last, label, self.fmt(font_size=9, font_color=GREY, bg_color=LIGHT, top=5,
                                                            top_color=accent, indent=1))
        self.value(ws, name, row + 1, col, self.fmt(bold=True, font_size=20, font_color=NAVY, bg_color=LIGHT,
                                                    num_format=num_format, align="left", indent=1), last)
        small = dict(font_size=9, font_color=GREY, bg_color=LIGHT)
        if isinstance(sub, tuple) and len(sub) == 2:
            self.value(ws, sub[0], row + 2, col, self.fmt(**small, indent=1, num_format=sub[1], align="left"), last)
        elif isinstance(sub, tuple):
            text, sub_name, sub_format = sub
            label = self.fmt(**small, indent=1)
            if last - 1 > col:
                ws.merge_range(row + 2, col, row + 2, last - 1, text, label)
            else:
                ws.write(row + 2, col, text, label)
            self.value(ws, sub_name, row + 2, last, self.fmt(**small, bold=True, num_format=sub_format, align="left"))
        else:
            ws.merge_range(row + 2, col, row + 2, last, sub, self.fmt(**small, indent=1))

    def section(self, ws, row: int, col: int, text: str, last_col: int | None = None) -> None:
        fmt = self.fmt(bold=True, font_size=12, font_color=NAVY, bottom=2, bottom_color=NAVY)
        if last_col is not None and last_col > col:
            ws.merge_range(row, col, row, last_col, text, fmt)
        else:
            ws.write(row, col, text, fmt)

    def block(self, ws, name: str, header_row: int, first_col: int, headers: list[str], formats: list[dict],
              table: bool = False, stripes: bool = True, risk_col: int | None = None) -> None:
        """Column headers, the first (empty, styled) data row named ``name``, zebra stripes, an optional Excel table.

        ``formats`` holds each column's cell format (``head``: its header colour); ``risk_col``
        is a column coloured by risk level.
        """
        last_col = first_col + len(headers) - 1
        ws.set_row(header_row, 30)
        row = header_row + 1
        heads = []
        for offset, (header, extra) in enumerate(zip(headers, formats)):
            col = first_col + offset
            number = "num_format" in extra and extra.get("align") is None
            heads.append(self.fmt(bold=True, font_color="white", bg_color=extra.get("head", NAVY), text_wrap=True,
                                  align="right" if number else extra.get("align", "left"), border=1,
                                  border_color="white"))
            ws.write(header_row, col, header, heads[-1])
            cell = {k: v for k, v in extra.items() if k != "head"}
            ws.write_blank(row, col, None, self.fmt(bottom=1, bottom_color=RULE, **cell))
        if table:
            ws.add_table(header_row, first_col, row, last_col, {
                "style": None, "autofilter": True, "name": name.removeprefix("ck_").removesuffix("_rows").title().replace("_", ""),
                "columns": [{"header": h, "header_format": f} for h, f in zip(headers, heads)]})
        if risk_col is not None:
            self.risk_colours(ws, row, risk_col)
        if stripes:
            ws.conditional_format(row, first_col, row, last_col, {
                "type": "formula", "criteria": "=MOD(ROW(),2)=0", "format": self.wb.add_format({"bg_color": PALE})})
        self.name(ws, name, row, first_col, last_col)

    def risk_colours(self, ws, row: int, col: int) -> None:
        """Risk cells coloured by level (in the template's language)."""
        for risk, (fill, font) in RISK_COLOURS.items():
            ws.conditional_format(row, col, row, col, {
                "type": "cell", "criteria": "==", "value": f'"{RISK_LABELS[self.lang][risk]}"',
                "format": self.wb.add_format({"bg_color": fill, "font_color": font, "bold": True})})

    def chart(self, kind: str, title: str, subtype: str | None = None):
        chart = self.wb.add_chart({"type": kind, **({"subtype": subtype} if subtype else {})})
        font = {"name": self.font, "size": 9, "color": GREY}
        chart.set_title({"name": title, "name_font": {"name": self.font, "size": 11, "bold": True, "color": NAVY},
                         "overlay": False})
        chart.set_legend({"position": "bottom", "font": font})
        chart.set_chartarea({"border": {"none": True}, "fill": {"color": "white"}})
        grid = {"visible": True, "line": {"color": RULE, "width": 0.5}}
        axis = {"num_font": font, "line": {"color": RULE}}
        if kind == "bar":
            chart.set_x_axis({**axis, "visible": False, "major_gridlines": {"visible": False}})
            chart.set_y_axis({**axis, "reverse": True})
        else:
            chart.set_x_axis(axis)
            chart.set_y_axis({**axis, "major_gridlines": grid})
        return chart

    def close(self) -> None:
        self.wb.close()


def _series(ws, chart, name_cell: tuple[int, int], first_row: int, cat_col: int, val_col: int, colour: str,
            **extra: Any) -> None:
    """A series over one block column (one row now; churnkit refits it to the rows it writes)."""
    width = extra.pop("width", 2.25)
    style = {"line": {"color": colour, "width": width}, "marker": {"type": "none"}} if extra.pop("line", False) \
        else {"fill": {"color": colour}, "border": {"none": True}}
    chart.add_series({"name": [ws.name, *name_cell], "categories": [ws.name, first_row, cat_col, first_row, cat_col],
                      "values": [ws.name, first_row, val_col, first_row, val_col], **style, **extra})


def _at_risk(b: _Book) -> None:
    t = b.t
    ws = b.sheet("summary", [20, 10.5, 10.5, 10.5, 10.5, 13, 3, 20, 10.5, 10.5, 10.5, 10.5, 13])
    b.banner(ws, t["at_risk_title"], t["at_risk_sub"], 12)
    b.info(ws, 2, [("as_of", "ck_as_of", 0, 1, None), ("orders", "ck_source", 2, 5, None),
                   ("scope", "ck_scope", 7, 9, None), ("generated", "ck_generated", 10, 12, DATE)])
    ws.set_row(3, 8)
    b.card(ws, 4, 0, 1, t["high"], "ck_headline_high", COUNT, t["customers"], DARK_RED)
    b.card(ws, 4, 2, 3, t["medium"], "ck_headline_medium", COUNT, t["customers"], DARK_AMBER)
    b.card(ws, 4, 4, 5, t["core_at_risk"], "ck_headline_core_at_risk", COUNT, t["core_sub"])
    b.card(ws, 4, 7, 8, t["stake"], "ck_headline_value_at_stake", MONEY, t["stake_sub"])
    b.card(ws, 4, 9, 10, t["churn_rate"], "ck_headline_churn_rate", PERCENT,
           (t["last_month"], "ck_headline_churn_rate_previous", PERCENT))
    b.card(ws, 4, 11, 12, t["lost"], "ck_headline_lost", COUNT, t["lost_sub"], DARK_SLATE)
    ws.set_row(4, 18)
    ws.set_row(5, 34)
    header, first = 26, 27
    money = {"num_format": MONEY}
    numbers = [{"num_format": COUNT}] * 4 + [money]
    b.section(ws, header - 1, 0, t["by_rep"], 5)
    b.block(ws, "ck_by_rep_rows", header, 0, [t["rep"], *t["breakdown"]], [{}] + numbers)
    b.name(ws, "ck_by_rep_section", header - 1, 0, 5, first)
    b.section(ws, header - 1, 7, t["by_region"], 12)
    b.block(ws, "ck_by_region_rows", header, 7, [t["region"], *t["breakdown"]], [{}] + numbers)
    b.name(ws, "ck_by_region_section", header - 1, 7, 12, first)
    by_rep = b.chart("column", t["chart_by_rep"], "stacked")
    _series(ws, by_rep, (header, 2), first, 0, 2, RED, gap=60)
    _series(ws, by_rep, (header, 3), first, 0, 3, AMBER, gap=60)
    ws.insert_chart(8, 0, by_rep, {"x_offset": 4, "y_offset": 4, "object_position": 3})
    by_rep.set_size({"width": 540, "height": 300})
    by_region = b.chart("bar", t["chart_by_region"])
    _series(ws, by_region, (header, 12), first, 7, 12, BLUE, gap=50,
            data_labels={"value": True, "num_format": MONEY, "font": {"name": b.font, "size": 8, "color": GREY}})
    by_region.set_legend({"none": True})
    by_region.set_size({"width": 560, "height": 300})
    ws.insert_chart(8, 7, by_region, {"x_offset": 4, "y_offset": 4, "object_position": 3})

    ws = b.sheet("list", [11, 26, 10, 7, 13, 14, 12, 14, 14, 45, 11, 12])
    b.banner(ws, t["list_title"], t["list_sub"], 11)
    b.info(ws, 2, [("as_of", "ck_as_of", 0, 1, None), ("scope", "ck_scope", 2, 4, None),
                   ("generated", "ck_generated", 9, 10, DATE)], suffix=".list")
    share = {"num_format": SHARE, "align": "center"}
    formats = [{}, {}, {"align": "center"}, {"align": "center"}, money, money, {"num_format": DATE, "align": "left"},
               {}, {}, {"font_size": 9}, share, money]
    b.block(ws, "ck_at_risk_rows", 4, 0, t["list"], formats + [{}], table=True, risk_col=2)
    ws.repeat_rows(4)
    ws.freeze_panes(5, 2)

    ws = b.sheet("departed", [11, 26, 10, 16, 12, 14, 14, 10, 16])
    b.banner(ws, t["departed_title"], t["departed_sub"], 8)
    b.info(ws, 2, [("as_of", "ck_as_of", 0, 1, None), ("scope", "ck_scope", 2, 4, None),
                   ("generated", "ck_generated", 6, 7, DATE)], suffix=".departed")
    b.block(ws, "ck_departed_rows", 4, 0, t["departed"],
            [{}, {}, {"align": "center"}, {}, {"align": "center"}, money, money, {"num_format": COUNT}, {}],
            table=True, risk_col=2)
    ws.repeat_rows(4)


def _win_back(b: _Book) -> None:
    t = b.t
    widths = [5, 10, 24, 6, 12, 10, 11, 24, 12, 25, 11, 16, 13, 12, 20]
    ws = b.sheet("win_back", widths)
    last = len(widths) - 1
    b.banner(ws, t["wb_title"], t["wb_sub"], last)
    b.info(ws, 2, [("as_of", "ck_as_of", 1, 2, None), ("orders", "ck_source", 3, 6, None),
                   ("scope", "ck_scope", 8, 9, None), ("generated", "ck_generated", 11, 12, DATE)])
    ws.set_row(3, 8)
    b.card(ws, 4, 0, 2, t["lapsed"], "ck_headline_lost", COUNT, t["customers"], DARK_SLATE)
    b.card(ws, 4, 3, 5, t["lapsed_value"], "ck_headline_lost_value", MONEY, t["lapsed_value_sub"])
    b.card(ws, 4, 6, 7, t["core_lapsed"], "ck_headline_core_lost", COUNT, t["class_a"], DARK_RED)
    b.card(ws, 4, 8, 9, t["churned_12m"], "ck_headline_churned_12m", COUNT,
           (t["reactivated"], "ck_headline_reactivated_12m", COUNT), DARK_AMBER)
    ws.set_row(4, 18)
    ws.set_row(5, 34)
    ws.merge_range(8, 0, 8, 9, t["wb_group"], b.fmt(bold=True, font_color=NAVY, bottom=2, bottom_color=NAVY))
    ws.merge_range(8, 10, 8, last, t["campaign_group"],
                   b.fmt(bold=True, font_color=DARK_GREEN, bottom=2, bottom_color=DARK_GREEN))
    money = {"num_format": MONEY}
    formats = [{"align": "center"}, {}, {}, {"align": "center"}, money, {"align": "center"},
               {"num_format": DATE, "align": "left"}, {"font_size": 8, "text_wrap": True}, {}, {"font_size": 9}]
    green = {"head": DARK_GREEN}
    campaign = [{"num_format": DATE, "align": "left", **green}, green, green, {**money, **green}, green]
    b.block(ws, "ck_win_back_rows", 9, 0, t["wb"] + t["campaign"], formats + campaign, table=True)
    ws.set_row(10, 26)     # two lines for the main products; every row written takes this height
    ws.data_validation(10, 12, 10, 12, {"validate": "list", "source": t["outcomes"], "ignore_blank": True,
                                        "error_type": "information"})
    ws.repeat_rows(8, 9)
    ws.freeze_panes(10, 3)


def _review(b: _Book) -> None:
    t = b.t
    ws = b.sheet("review", [11] * 12)
    b.banner(ws, t["review_title"], t["review_sub"], 11)
    b.info(ws, 2, [("as_of", "ck_as_of", 0, 1, None), ("orders", "ck_source", 2, 5, None),
                   ("scope", "ck_scope", 6, 8, None), ("generated", "ck_generated", 9, 10, DATE)])
    ws.set_row(3, 8)
    b.card(ws, 4, 0, 2, t["active"], "ck_headline_active", COUNT, t["active_sub"])
    b.card(ws, 4, 3, 5, t["churn_rate"], "ck_headline_churn_rate", PERCENT,
           (t["last_month"], "ck_headline_churn_rate_previous", PERCENT), DARK_RED)
    b.card(ws, 4, 6, 8, t["churned_12m_card"], "ck_headline_churned_12m", COUNT,
           (t["reactivated"], "ck_headline_reactivated_12m", COUNT), DARK_AMBER)
    b.card(ws, 4, 9, 11, t["revenue_lost_12m"], "ck_headline_revenue_lost_12m", MONEY,
           (t["new_12m"], "ck_headline_new_12m", COUNT), DARK_SLATE)
    ws.set_row(4, 18)
    ws.set_row(5, 34)
    header, first = 34, 35
    axis_font = {"name": b.font, "size": 9, "color": GREY}
    grid = {"visible": True, "line": {"color": RULE, "width": 0.5}}
    rate = b.chart("line", t["chart_rate"])
    _series(ws, rate, (header, 5), first, 0, 5, AMBER, line=True)
    rate.set_y_axis({"num_format": "0%", "num_font": axis_font, "major_gridlines": grid, "line": {"none": True}})
    rate.set_legend({"none": True})
    rate.set_size({"width": 500, "height": 220})
    ws.insert_chart(8, 0, rate, {"x_offset": 4, "y_offset": 4, "object_position": 3})
    revenue = b.chart("column", t["chart_revenue_lost"])
    _series(ws, revenue, (header, 7), first, 0, 7, PURPLE, gap=40)
    revenue.set_y_axis({"num_format": MONEY, "num_font": axis_font, "major_gridlines": grid, "line": {"none": True}})
    revenue.set_legend({"none": True})
    revenue.set_size({"width": 500, "height": 220})
    ws.insert_chart(8, 6, revenue, {"x_offset": 4, "y_offset": 4, "object_position": 3})
    flow = b.chart("column", t["chart_flow"])
    for col, colour in ((2, BLUE), (3, RED), (4, GREEN)):
        _series(ws, flow, (header, col), first, 0, col, colour, gap=40)
    flow.set_size({"width": 1010, "height": 230})
    ws.insert_chart(20, 0, flow, {"x_offset": 4, "y_offset": 4, "object_position": 3})
    b.page_breaks(ws, [header - 2])
    b.section(ws, header - 1, 0, t["monthly_title"], 7)
    count, money = {"num_format": COUNT}, {"num_format": MONEY}
    b.block(ws, "ck_monthly_rows", header, 0, t["monthly"],
            [{"align": "left"}, count, count, count, count, {"num_format": PERCENT}, money, money], table=True)
    ws.repeat_rows(header)

    widths = [12, 10] + [5.2] * (REPORT_MONTHS + 1)
    ws = b.sheet("cohorts", widths)
    last = len(widths) - 1
    b.banner(ws, t["cohort_title"], t["cohort_sub"], last)
    b.info(ws, 2, [("as_of", "ck_as_of", 0, 1, None), ("scope", "ck_scope", 3, 8, None),
                   ("generated", "ck_generated", 11, 14, DATE)], suffix=".cohorts")
    ws.merge_range(4, 2, 4, last, t["months_since"], b.fmt(bold=True, font_color=NAVY, align="center",
                                                             bottom=2, bottom_color=NAVY))
    share = {"num_format": "0%", "align": "center", "font_size": 8}
    b.block(ws, "ck_cohort_rows", 5, 0, t["cohort"] + [str(k) for k in range(REPORT_MONTHS + 1)],
            [{"align": "left"}, {"num_format": COUNT}] + [share] * (REPORT_MONTHS + 1), stripes=False)
    ws.conditional_format(6, 2, 6, last, {"type": "3_color_scale", "min_type": "num", "min_value": 0.5,
                                          "min_color": "#F8696B", "mid_type": "num", "mid_value": 0.8,
                                          "mid_color": "#FFEB84", "max_type": "num", "max_value": 1,
                                          "max_color": "#63BE7B"})
    ws.repeat_rows(4, 5)
    ws.freeze_panes(6, 2)


def _customer_card(b: _Book) -> None:
    t = b.t
    ws = b.sheet("card", [11] * 12)
    b.banner(ws, t["card_title"], "", 11)
    name_fmt = b.fmt(bold=True, font_size=14, font_color=NAVY, indent=1)
    b.value(ws, "ck_card_customer", 1, 0, b.fmt(bold=True, font_size=14, font_color=NAVY, indent=1), 1)
    b.value(ws, "ck_card_name", 1, 2, name_fmt, 11)
    ws.set_row(1, 26)
    b.info(ws, 2, [("as_of", "ck_as_of", 0, 1, None), ("orders", "ck_source", 2, 5, None),
                   ("generated", "ck_generated", 9, 10, DATE)])
    ws.set_row(3, 8)
    b.card(ws, 4, 0, 2, t["verdict"], "ck_card_risk", "@", (t["months_down"], "ck_card_months_down", COUNT), DARK_RED)
    b.risk_colours(ws, 5, 0)
    b.card(ws, 4, 3, 5, t["class"], "ck_card_core_class", "@", (t["low_months"], "ck_card_low_months", COUNT))
    b.card(ws, 4, 6, 8, t["value_12m"], "ck_card_value_last_12m", MONEY,
           (t["first_order"], "ck_card_first_month", "@"))
    b.card(ws, 4, 9, 11, t["stake"], "ck_card_value_at_stake", MONEY,
           (t["no_orders"], "ck_card_months_without_orders", COUNT), DARK_SLATE)
    ws.set_row(4, 18)
    ws.set_row(5, 34)
    label = b.fmt(font_color=GREY, font_size=9, align="right", valign="top")
    ws.set_row(8, 32)
    ws.write(8, 0, t["why"], label)
    b.value(ws, "ck_card_reasons", 8, 1, b.fmt(text_wrap=True, valign="top", font_color=NAVY), 11)
    details = [("last_order", "ck_card_last_order", DATE), ("rep", "ck_card_rep", None),
               ("region", "ck_card_region", None), ("contact", "ck_card_email", None)]
    ws.set_row(9, 18)
    for (key, name, num_format), col in zip(details, (0, 3, 6, 8)):
        ws.write(9, col, t[key], b.fmt(font_color=GREY, font_size=9, align="right"))
        fmt = b.fmt(bold=True, font_color=NAVY, align="left", **({"num_format": num_format} if num_format else {}))
        b.value(ws, name, 9, col + 1, fmt, col + (1 if col < 8 else 3))
    header, first = 30, 31
    trend = b.chart("column", t["chart_trend"])
    _series(ws, trend, (header, 1), first, 0, 1, BLUE, gap=30)
    trend.set_y_axis({"num_format": MONEY, "num_font": {"name": b.font, "size": 9, "color": GREY},
                      "major_gridlines": {"visible": True, "line": {"color": RULE, "width": 0.5}}, "line": {"none": True}})
    trend.set_legend({"none": True})
    trend.set_size({"width": 1010, "height": 300})
    ws.insert_chart(11, 0, trend, {"x_offset": 4, "y_offset": 4, "object_position": 3})
    b.page_breaks(ws, [header - 1])
    b.section(ws, header - 1, 0, t["trend_title"], 3)
    count, money = {"num_format": COUNT}, {"num_format": MONEY}
    b.block(ws, "ck_card_monthly_rows", header, 0, t["card_monthly"], [{"align": "left"}, money, count, money], table=True)
    ws.repeat_rows(header)

    ws = b.sheet("lines", [12, 14, 32, 18, 11, 13])
    b.banner(ws, t["lines_title"], "", 5)
    b.value(ws, "ck_card_customer.lines", 1, 0, b.fmt(bold=True, font_color=NAVY, indent=1))
    b.value(ws, "ck_card_name.lines", 1, 1, b.fmt(bold=True, font_color=NAVY), 5)
    b.block(ws, "ck_card_lines_rows", 3, 0, t["lines"],
            [{"num_format": DATE, "align": "left"}, {}, {}, {}, {"num_format": "#,##0.##"}, {"num_format": "#,##0.00"}],
            table=True)
    ws.repeat_rows(3)
    ws.freeze_panes(4, 0)


def _backtest(b: _Book) -> None:
    """The rules' figures with the recommendations and a chart per rule family (page 1, their figures on page 2),
    the probability's calibration, and every rule; its words are ``backtest_template``'s besides ``templates``'."""
    t = b.t = {**b.t, **WORDS[b.lang]["backtest_template"]}
    font = {"name": b.font, "size": 9, "color": GREY}
    grid = {"visible": True, "line": {"color": RULE, "width": 0.5}}
    months = t["months_format"]
    widths = [14, 11, 11, 11, 2.5] * 2 + [14, 11, 11, 11]
    ws = b.sheet("backtest", widths)
    last = len(widths) - 1
    b.banner(ws, t["bt_title"], t["bt_sub"], last)
    b.info(ws, 2, [("as_of", "ck_as_of", 0, 1, None), ("orders", "ck_source", 2, 6, None),
                   ("horizon", "ck_backtest_horizon", 7, 8, months),
                   ("generated", "ck_generated", 11, 12, DATE)])
    ws.set_row(3, 8)
    b.card(ws, 4, 0, 1, t["months_checked"], "ck_backtest_months", COUNT, ("ck_backtest_period", "@"))
    b.card(ws, 4, 2, 3, t["customer_months"], "ck_backtest_scored", COUNT,
           (t["churned_sub"], "ck_backtest_churned", COUNT))
    b.card(ws, 4, 5, 6, t["base_rate"], "ck_backtest_base_rate", PERCENT, t["base_rate_sub"], DARK_RED)
    b.card(ws, 4, 7, 8, t["verdict_precision"], "ck_backtest_verdict_precision", PERCENT,
           (t["recall"], "ck_backtest_verdict_recall", PERCENT), DARK_AMBER)
    b.card(ws, 4, 10, 11, t["verdict_balanced_accuracy"], "ck_backtest_verdict_balanced_accuracy", SCORE,
           (t["lift"], "ck_backtest_verdict_lift", LIFT), DARK_AMBER)
    b.card(ws, 4, 12, 13, t["auroc_card"], "ck_backtest_auroc", SCORE, (t["brier"], "ck_backtest_brier", BRIER),
           DARK_SLATE)
    ws.set_row(4, 18)
    ws.set_row(5, 34)
    ws.set_row(8, 30)
    b.value(ws, "ck_backtest_history", 8, 0, b.fmt(text_wrap=True, font_color=NAVY, valign="top"), last)
    b.section(ws, 10, 0, t["recommended"], last)
    label = b.fmt(bold=True, font_color=NAVY, valign="top")
    for row, family in enumerate(("lost", "low", "decline"), 11):
        ws.set_row(row, 40)
        ws.write(row, 0, t["families"][family], label)
        b.value(ws, f"ck_backtest_recommended_{family}", row, 1,
                b.fmt(text_wrap=True, valign="top", font_size=9, bottom=1, bottom_color=RULE), last)
    ws.set_row(14, 30)
    b.value(ws, "ck_backtest_why", 14, 0, b.fmt(text_wrap=True, italic=True, font_size=8, font_color=GREY,
                                                valign="top"), last)
    header, first = 33, 34
    b.section(ws, header - 1, 0, t["by_threshold"], last)
    numbers = [{"num_format": "0", "align": "center"}, {"num_format": COUNT}, {"num_format": PERCENT},
               {"num_format": PERCENT}]
    # shares reach 100 % at most; the decline rule's are mostly small, so its chart scales to them
    charts = (("lost", BLUE, RED, 1), ("low", TEAL, AMBER, 1), ("decline", PURPLE, PINK, None))
    for (family, precision, recall, top), col in zip(charts, (0, 5, 10)):
        b.block(ws, f"ck_backtest_{family}_rows", header, col, [t["threshold_heads"][family], *t["threshold_block"]],
                numbers)
        chart = b.chart("line", t[f"chart_{family}"])
        for offset, colour in ((2, precision), (3, recall)):
            _series(ws, chart, (header, col + offset), first, col, col + offset, colour, line=True, width=3,
                    marker={"type": "circle", "size": 7, "fill": {"color": colour}, "border": {"color": colour}})
        chart.set_x_axis({"name": t["chart_axis"], "name_font": {**font, "bold": False}, "num_font": font,
                          "line": {"color": RULE}})
        chart.set_y_axis({"num_format": "0%", "min": 0, **({"max": top} if top else {}), "num_font": font,
                          "major_gridlines": grid, "line": {"none": True}})
        chart.set_size({"width": 340, "height": 265})
        ws.insert_chart(16, col, chart, {"x_offset": 2, "y_offset": 2, "object_position": 3})
    ws.set_row(header, 42)
    b.page_breaks(ws, [header - 2])

    ws = b.sheet("probability", [11] * 9 + [13, 11, 11, 13])
    last = 12
    b.banner(ws, t["prob_title"], t["prob_sub"], last)
    b.info(ws, 2, [("as_of", "ck_as_of", 0, 1, None), ("orders", "ck_source", 2, 5, None),
                   ("horizon", "ck_backtest_horizon", 6, 7, months),
                   ("generated", "ck_generated", 9, 10, DATE)], suffix=".probability")
    ws.set_row(3, 8)
    b.card(ws, 4, 0, 3, t["auroc"], "ck_backtest_auroc.probability", SCORE, t["auroc_sub"])
    b.card(ws, 4, 4, 7, t["brier_card"], "ck_backtest_brier.probability", BRIER, t["brier_sub"], DARK_SLATE)
    b.card(ws, 4, 8, 12, t["with_probability"], "ck_backtest_model_customers", COUNT,
           (t["churned_sub"], "ck_backtest_model_churned", COUNT), DARK_RED)
    ws.set_row(4, 18)
    ws.set_row(5, 34)
    ws.set_row(8, 44)
    b.value(ws, "ck_backtest_model_note", 8, 0, b.fmt(text_wrap=True, font_color=NAVY, valign="top"), last)
    b.section(ws, 10, 0, t["calibration"], last)
    header, first = 11, 12
    b.block(ws, "ck_backtest_calibration_rows", header, 9, t["calibration_block"],
            [{"align": "left"}, {"num_format": PERCENT}, {"num_format": PERCENT}, {"num_format": COUNT}])
    calibration = b.chart("column", t["chart_calibration"])
    _series(ws, calibration, (header, 10), first, 9, 10, GREEN, gap=60)
    _series(ws, calibration, (header, 11), first, 9, 11, ORANGE, gap=60)
    calibration.set_y_axis({"num_format": "0%", "min": 0, "max": 1, "num_font": font, "major_gridlines": grid,
                            "line": {"none": True}})
    calibration.set_size({"width": 640, "height": 320})
    ws.insert_chart(header, 0, calibration, {"x_offset": 2, "y_offset": 6, "object_position": 3})

    widths = [34, 5, 10, 9, 11, 9, 9, 7, 10, 10, 11, 11, 34]
    ws = b.sheet("rules", widths)
    last = len(widths) - 1
    b.banner(ws, t["rules_title"], t["rules_sub"], last)
    b.info(ws, 2, [("as_of", "ck_as_of", 0, 2, None), ("orders", "ck_source", 3, 7, None),
                   ("horizon", "ck_backtest_horizon", 8, 9, months),
                   ("generated", "ck_generated", 10, 11, DATE)], suffix=".rules")
    term = b.fmt(bold=True, font_color=NAVY, font_size=9, align="right")
    meaning = b.fmt(font_color=GREY, font_size=9, indent=1)
    for row, (word, text) in enumerate(t["glossary"], 4):
        ws.write(row, 0, word, term)
        ws.merge_range(row, 1, row, last, text, meaning)
    header = 5 + len(t["glossary"])
    share = {"num_format": PERCENT}
    ws.conditional_format(header + 1, 0, header + 1, last, {         # before the stripes: LibreOffice takes one
        "type": "formula", "criteria": f'=ISNUMBER(SEARCH("{WORDS[b.lang]["backtest_report"]["recommended"]}", '
                                      f'{xl_rowcol_to_cell(header + 1, last, col_abs=True)}))',
        "format": b.wb.add_format({"bold": True, "font_color": NAVY})})
    b.block(ws, "ck_backtest_rules_rows", header, 0, t["rules_block"],
            [{}, {"num_format": "0", "align": "center"}, {"num_format": "General", "align": "right"},
             {"num_format": COUNT}, {"num_format": COUNT}, share, share, {"num_format": LIFT},
             {"num_format": SCORE}, share, share, share, {"font_size": 9, "indent": 1}], table=True)
    ws.set_row(header, 42)
    ws.repeat_rows(header)
    ws.freeze_panes(header + 1, 1)


DESIGNS = {"at-risk": _at_risk, "win-back": _win_back, "review": _review, "customer-card": _customer_card,
           "backtest": _backtest}


def write_templates(folder: Path = TEMPLATE_DIR) -> list[Path]:
    """Write every bundled template in both languages; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, design in DESIGNS.items():
        for lang in LANGUAGES:
            path = folder / template_name(kind, lang)
            book = _Book(path, lang)
            design(book)
            book.close()
            written.append(path)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write churnkit's report templates.")
    parser.add_argument("--out", type=Path, default=TEMPLATE_DIR, help="folder (default workbook_templates/)")
    for path in write_templates(parser.parse_args(argv).out):
        print(path)


if __name__ == "__main__":
    main()
