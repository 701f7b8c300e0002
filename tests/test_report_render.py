"""Every report, in both languages, opens in LibreOffice, prints its headline numbers to PDF, and draws its charts
with their data (pixels of each series' colour on the rendered page)."""
import functools
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from churn_logic import customer_history, winback_list
from churn_logic.headlines import headline_figures

from addin.tasks import analyse_workbook, backtest_of
from addin.report.build import build_report
from addin.report.make_templates import TEMPLATE_DIR
from addin.report.templates import KINDS
from office import count_near, page_count, page_pixels, pdf_text, soffice, tool
from report_books import sample_without
from report_checks import AS_OF, SAMPLE, restyle

CARD_CUSTOMER = "C00166"
CHARTED = [kind for kind in KINDS if kind != "win-back"]
WITHOUT = {"no-rep": ("Sales Rep", "Region"), "no-region": ("Region",)}
DRAWN = 100
"""Pixels of a series' colour on a page rendered at 50 dpi that show the chart drew the series: a legend key has
under 10, the sample's thinnest series (the churn-rate line, the reactivated customers) about 250."""

TITLES = {"at-risk": ("Customers at risk", "流失预警报告"), "win-back": ("Win-back campaign", "客户赢回行动"),
          "review": ("Monthly churn review", "月度流失回顾"), "customer-card": ("Customer card", "客户档案"),
          "backtest": ("How right the churn rules are", "流失规则有多准")}
CHART_PAGES = {"backtest": (1, 3)}
"""The pages that hold charts when it is not just the first: the backtest's rule charts are on page 1, its calibration
chart on page 3 (the Backtest sheet prints on two pages, the Probability sheet on one)."""


def convert_all(paths: list[Path], out_dir: Path) -> dict[Path, Path]:
    """Convert workbooks to PDF in one LibreOffice run (it starts once: ~2 s instead of ~2 s each)."""
    result = subprocess.run(
        [soffice(), "--headless", "--norestore", f"-env:UserInstallation=file://{out_dir / 'lo-profile'}",
         "--convert-to", "pdf", "--outdir", str(out_dir), *map(str, paths)],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0 and "Error" not in result.stderr, result.stderr
    pdfs = {path: out_dir / (path.stem + ".pdf") for path in paths}
    missing = [path.name for path, pdf in pdfs.items() if not pdf.exists()]
    assert not missing, f"LibreOffice could not convert {missing}: {result.stderr}"
    return pdfs


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """Every report in both languages, a restyled one, at-risk reports of books without reps or without regions,
    and the bundled templates (charts without data), as PDFs of one LibreOffice run: (analysis, workbooks, pdfs)."""
    folder = tmp_path_factory.mktemp("render")      # names without dots: page_pixels names its image after the PDF's
    analysis = analyse_workbook(SAMPLE)
    books = {(kind, lang): build_report(analysis, kind, folder / f"{kind}-{lang}.xlsx", lang, customer=CARD_CUSTOMER)
             for kind in KINDS for lang in ("en", "zh")}
    books[("restyled", "en")] = build_report(analysis, restyle(TEMPLATE_DIR / "at-risk.xlsx", folder / "ours.xlsx"),
                                             folder / "restyled-en.xlsx")
    for name, columns in WITHOUT.items():
        orders = analyse_workbook(sample_without(columns, folder / f"{name}.csv"))
        books[(name, "en")] = build_report(orders, "at-risk", folder / f"{name}-en.xlsx")
    for kind in CHARTED:
        books[("template", kind)] = Path(shutil.copy(TEMPLATE_DIR / f"{kind}.xlsx", folder / f"template-{kind}.xlsx"))
    pdfs = convert_all(list(books.values()), folder)
    return analysis, books, {key: pdfs[path] for key, path in books.items()}


@pytest.fixture(scope="module")
def pdf_texts(rendered):
    analysis, books, pdfs = rendered
    return analysis, {key: pdf_text(pdf) for key, pdf in pdfs.items()}, {key: pdf_fonts(pdfs[key]) for key in books}


def pdf_fonts(pdf: Path) -> str:
    """The fonts a PDF embeds, as poppler's pdffonts lists them."""
    return subprocess.run([tool("pdffonts", "poppler-utils"), str(pdf)], capture_output=True, text=True,
                          check=True).stdout


@pytest.mark.parametrize("kind", KINDS)
def test_chinese_reports_are_drawn_in_a_chinese_font(pdf_texts, kind):
    """Without a CJK font LibreOffice draws Chinese as boxes; the text would still read back from the PDF."""
    _, _, fonts = pdf_texts
    assert any(word in fonts[(kind, "zh")] for word in ("CJK", "WenQuanYi", "Droid")), fonts[(kind, "zh")]


def money(value: float) -> str:
    return f"{value:,.0f}"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_at_risk_report_prints_its_headline_numbers(pdf_texts, lang):
    analysis, texts, _ = pdf_texts
    figures = headline_figures(analysis.model)
    for kind in ("at-risk", "restyled") if lang == "en" else ("at-risk",):
        text = texts[(kind, lang)]
        assert TITLES["at-risk"][lang == "zh"] in text
        assert AS_OF in text and money(figures["value_at_stake"]) in text
        assert f"{figures['churn_rate']:.1%}" in text and f"{figures['churn_rate_previous']:.1%}" in text
        assert f"{figures['high']}" in text and "C00166" in text


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_win_back_review_and_card_print_their_numbers(pdf_texts, lang):
    analysis, texts, _ = pdf_texts
    model, figures = analysis.model, headline_figures(analysis.model)
    win_back = texts[("win-back", lang)]
    assert TITLES["win-back"][lang == "zh"] in win_back and money(figures["lost_value"]) in win_back
    assert winback_list(model)["customer"].iat[0] in win_back
    review = texts[("review", lang)]
    assert TITLES["review"][lang == "zh"] in review
    assert money(figures["revenue_lost_12m"]) in review and f"{figures['active']}" in review
    assert "2024-11" in review                      # the cohort table's rows are there too
    card = texts[("customer-card", lang)]
    history = customer_history(model, CARD_CUSTOMER)
    assert TITLES["customer-card"][lang == "zh"] in card and CARD_CUSTOMER in card
    assert money(history.summary["value_at_stake"]) in card


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_backtest_report_prints_its_figures(pdf_texts, lang):
    analysis, texts, _ = pdf_texts
    result, text = backtest_of(analysis), texts[("backtest", lang)]
    verdicts = result.rule("verdict", level="flagged")
    assert TITLES["backtest"][lang == "zh"] in text and f"{result.months[0]} – {result.months[-1]}" in text
    assert f"{result.base_rate:.1%}" in text and f"{result.scored:,}" in text and f"{verdicts.precision:.1%}" in text
    assert f"{result.model['auroc']:.2f}" in text and f"{result.model['brier']:.3f}" in text
    assert f"{max(tenth['customers'] for tenth in result.model['calibration']):,}" in text


def series_colours(workbook: Path) -> dict[str, list[str]]:
    """{chart part: the colour (RRGGBB) of each of its series}, as the chart parts give them."""
    with zipfile.ZipFile(workbook) as z:
        charts = {n: z.read(n).decode() for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)}
    return {part: [re.search(r'<c:spPr>.*?<a:srgbClr val="(\w{6})"', series, re.S).group(1)
                   for series in re.findall(r"<c:ser>.*?</c:ser>", xml, re.S)] for part, xml in charts.items()}


@functools.cache
def inked(pdf: Path, pages: tuple[int, ...] = (1,)) -> list[tuple[int, int, int]]:
    """The pixels that are not white of the pages that hold the charts (the first, unless ``CHART_PAGES`` says)."""
    assert max(pages) <= page_count(pdf), pdf.name
    return [pixel for page in pages for pixel in page_pixels(pdf, page, dpi=50) if pixel != (255, 255, 255)]


def pixels_of(pdf: Path, colours: list[str], pages: tuple[int, ...] = (1,)) -> dict[str, int]:
    assert len(set(colours)) == len(colours), f"two series share a colour: {colours}"
    return {colour: count_near(inked(pdf, pages), colour) for colour in colours}


@pytest.mark.parametrize("key", [(kind, lang) for kind in CHARTED for lang in ("en", "zh")] + [("restyled", "en")])
def test_every_chart_draws_every_series(rendered, key):
    _, books, pdfs = rendered
    colours = [colour for chart in series_colours(books[key]).values() for colour in chart]
    assert colours and all(series_colours(books[key]).values())
    counts = pixels_of(pdfs[key], colours, CHART_PAGES.get(key[0], (1,)))
    assert min(counts.values()) > DRAWN, counts


@pytest.mark.parametrize("kind", CHARTED)
def test_the_pixel_check_fails_on_charts_without_data(rendered, kind):
    """The templates' charts read one empty row: no series colour may show, so none is a colour of the page's cells
    either, and a chart that drew nothing fails the check above."""
    _, books, pdfs = rendered
    colours = [colour for chart in series_colours(books[("template", kind)]).values() for colour in chart]
    counts = pixels_of(pdfs[("template", kind)], colours, CHART_PAGES.get(kind, (1,)))
    assert max(counts.values()) < DRAWN, counts


def test_books_without_reps_or_regions_show_no_breakdown_of_one_bar(rendered, pdf_texts):
    _, books, pdfs = rendered
    texts = pdf_texts[1]
    by_rep, by_region = series_colours(books[("template", "at-risk")]).values()
    assert not series_colours(books[("no-rep", "en")])
    assert max(pixels_of(pdfs[("no-rep", "en")], by_rep + by_region).values()) < DRAWN
    assert not any(word in texts[("no-rep", "en")] for word in ("By sales rep", "By region", "(not given)"))
    assert min(pixels_of(pdfs[("no-region", "en")], by_rep).values()) > DRAWN
    assert max(pixels_of(pdfs[("no-region", "en")], by_region).values()) < DRAWN
    assert "By sales rep" in texts[("no-region", "en")] and "By region" not in texts[("no-region", "en")]
    assert "Li Wei" in texts[("no-region", "en")]
