"""The backtest report (`churnkit report --template backtest`): every figure is backtest_of's, in the report's
language, and a short history says so in one sentence."""
import datetime as dt
import re
import zipfile

import openpyxl
import pytest

from churn_logic import RISK_LABELS

from addin.report.build import build_report
from addin.tasks import analyse_workbook, backtest_of
from report_checks import AS_OF, SAMPLE, block, report_cli, value  # noqa: F401
from test_report_build import analysis, reports  # noqa: F401  (the sample and its reports, built once)

FIGURES = ("flagged", "churned_flagged", "precision", "recall", "lift", "balanced_accuracy", "new_precision")


@pytest.fixture(scope="module")
def result(analysis):
    return backtest_of(analysis)


def rule_figures(rule) -> list:
    low = rule.settings["low_threshold"] if rule.rule == "low" else None
    return [rule.threshold, low, *(getattr(rule, f) for f in FIGURES), *rule.precision_range]


def test_backtest_report_holds_backtest_of_s_figures(analysis, reports, result):
    book = openpyxl.load_workbook(reports["backtest"])
    assert value(book, "ck_as_of") == value(book, "ck_as_of.rules") == AS_OF
    assert value(book, "ck_backtest_horizon") == result.horizon_months == analysis.model.settings.horizon_months
    assert value(book, "ck_backtest_months") == len(result.months) > 12
    assert value(book, "ck_backtest_period") == f"{result.months[0]} – {result.months[-1]}"
    assert (value(book, "ck_backtest_scored"), value(book, "ck_backtest_churned")) == (result.scored, result.churned)
    assert value(book, "ck_backtest_base_rate") == result.base_rate == result.churned / result.scored
    verdicts = result.rule("verdict", level="flagged")
    for figure in ("precision", "recall", "lift", "balanced_accuracy"):
        assert value(book, f"ck_backtest_verdict_{figure}") == getattr(verdicts, figure), figure
    for figure in ("auroc", "brier"):
        assert value(book, f"ck_backtest_{figure}") == value(book, f"ck_backtest_{figure}.probability") \
            == result.model[figure], figure
    assert value(book, "ck_backtest_model_customers") == result.model["customers"]
    assert value(book, "ck_backtest_model_churned") == result.model["churned"]
    assert value(book, "ck_backtest_history").startswith(
        f"Each month from {result.months[0]} to {result.months[-1]} ({len(result.months)} months)")
    assert value(book, "ck_backtest_why") == result.recommended["why"]["en"]
    for family in ("lost", "low", "decline"):
        assert value(book, f"ck_backtest_recommended_{family}") == result.recommended[family]["reason"]["en"]

    rows = block(book, "ck_backtest_rules_rows")
    assert [row[1:12] for row in rows] == [rule_figures(rule) for rule in result.rules]
    assert [row[0] for row in rows if row[0].startswith("Your verdicts")] == [
        "Your verdicts: LOST, HIGH or MEDIUM", "Your verdicts: LOST", "Your verdicts: HIGH", "Your verdicts: MEDIUM"]
    notes = {(row[0], row[1], row[2]): row[12] or "" for row in rows}
    settings = analysis.model.settings
    assert "your setting" in notes[("Lost", settings.lost_months, None)]
    assert "your setting" in notes[("Low", settings.low_months, settings.low_threshold)]
    assert sum("your setting" in note for note in notes.values()) == 3
    chosen = result.recommended["lost"]
    assert chosen["threshold"] is not None and "recommended" in notes[("Lost", chosen["threshold"], None)]
    with zipfile.ZipFile(reports["backtest"]) as z:
        tables = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/tables/")]
    top = int(re.search(r"\d+", book.defined_names["ck_backtest_rules_rows"].attr_text.split("!")[1]).group())
    assert any(f'ref="A{top - 1}:M{top + len(rows) - 1}"' in table for table in tables)

    for family in ("lost", "low", "decline"):
        expected = [[r.threshold, r.flagged, r.precision, r.recall] for r in result.rules if r.rule == family
                    and r.settings.get("low_threshold", settings.low_threshold) == settings.low_threshold]
        assert block(book, f"ck_backtest_{family}_rows") == expected and len(expected) >= 5, family

    calibration = block(book, "ck_backtest_calibration_rows")
    assert [row[1:] for row in calibration] == [[c["predicted"], c["observed"], c["customers"]]
                                                for c in result.model["calibration"]]
    for label, predicted, _, _ in calibration:
        low, high = map(int, re.fullmatch(r"(\d+)–(\d+) %", label).groups())
        assert high == low + 10 and (low <= predicted * 100 < high or predicted * 100 == high == 100), label
    assert sum(row[3] for row in calibration) == result.model["customers"]


def test_the_chinese_backtest_report_is_in_chinese(analysis, result, tmp_path):
    book = openpyxl.load_workbook(build_report(analysis, "backtest", tmp_path / "backtest.zh.xlsx", "zh"))
    assert book.sheetnames == ["规则回测", "无订单概率", "全部规则"]
    for family in ("lost", "low", "decline"):
        assert value(book, f"ck_backtest_recommended_{family}") == result.recommended[family]["reason"]["zh"]
    assert value(book, "ck_backtest_history").startswith(f"从 {result.months[0]} 到 {result.months[-1]} 的每个月")
    names = [row[0] for row in block(book, "ck_backtest_rules_rows")]
    assert names[0] == "流失" and names[-3] == f"您的结论：{RISK_LABELS['zh']['MEDIUM']}"
    assert names[-2:] == ["停购常购品类", "业务员已离职"]


def test_too_little_history_is_said_in_one_plain_sentence(tmp_path):
    """Five months of orders leave two months to check against a 3-month horizon: nothing is recommended, the
    probability cannot be checked, and the report says both plainly."""
    orders = tmp_path / "orders.csv"
    lines = ["Order Date,Customer ID,Amount"] + [f"2026-{m:02d}-10,C{c:02d},{100 + c}" for m in range(1, 6)
                                                 for c in range(8) if (m + c) % 3]
    orders.write_text("\n".join(lines) + "\n", encoding="utf-8")
    shallow = analyse_workbook(orders, today=dt.date(2026, 6, 15))
    result = backtest_of(shallow)
    assert len(result.months) == 2 and not result.recommended["enough_history"]
    book = openpyxl.load_workbook(build_report(shallow, "backtest", tmp_path / "report.xlsx"))
    assert value(book, "ck_backtest_history") == result.recommended["reason"]["en"]
    assert value(book, "ck_backtest_history").startswith("Too little history to recommend thresholds")
    assert [value(book, f"ck_backtest_recommended_{rule}") for rule in ("lost", "low", "decline")] == [None] * 3
    assert value(book, "ck_backtest_model_note").startswith("Too little history to check the probability of no order")
    assert value(book, "ck_backtest_auroc") is None
    assert block(book, "ck_backtest_calibration_rows") == [["No customers", None, None, None]]
    assert value(book, "ck_backtest_months") == 2


def test_the_command_line_makes_the_backtest_report_and_refuses_one_per_rep(report_cli, tmp_path):
    orders = tmp_path / "orders.xlsx"
    orders.write_bytes(SAMPLE.read_bytes())
    code, out, err = report_cli("report", orders, "--template", "backtest", "--quiet")
    report = tmp_path / f"orders-backtest-{AS_OF}.xlsx"
    assert (code, out, err) == (0, f"Wrote {report}\n", "")
    assert value(openpyxl.load_workbook(report), "ck_backtest_months") > 0
    code, out, err = report_cli("report", orders, "--template", "backtest", "--per-rep", "--quiet")
    assert code == 2 and out == ""
    assert err.strip() == ("churnkit: --per-rep makes one report per sales rep; the backtest checks the rules on "
                           "the whole order book, so it is one report.")
    assert sorted(p.name for p in tmp_path.glob("*.xlsx")) == sorted(["orders.xlsx", report.name])


def test_the_backtest_e_mail_says_the_backtest_s_headline_figures(report_cli, result, tmp_path):
    import email
    from email import policy
    orders = tmp_path / "orders.xlsx"
    orders.write_bytes(SAMPLE.read_bytes())
    code, out, err = report_cli("report", orders, "--template", "backtest", "--quiet", "--email-to",
                                "owner@example.com", "--from", "me@example.com", "--dry-run")
    assert code == 0, err
    message = email.message_from_bytes(next(tmp_path.glob("*.eml")).read_bytes(), policy=policy.default)
    text = message.get_body(("plain",)).get_content()
    verdicts, model = result.rule("verdict", level="flagged"), result.model
    assert message["Subject"].strip().startswith("Backtest of the churn rules")   # folded after "Subject:"
    assert (f"Checked on {len(result.months)} past months: your verdicts' precision {verdicts.precision:.0%}, "
            f"recall {verdicts.recall:.0%}, lift {verdicts.lift:.1f}; the chance of no order: AUROC "
            f"{model['auroc']:.2f}, Brier score {model['brier']:.3f}.") in text
