"""What the command line prints for scan and history: readable tables, CSV and JSON."""
from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from typing import TYPE_CHECKING

from churn_logic import BACKTEST_MONTHS, RISK_LABELS, Backtest, CustomerHistory, format_number, month_label

from ..content import texttable
from ..content.csv_text import csv_text
from ..content.words import WORDS, plural
from ..ooxml.worksheet import cell_value
from ..content.settings_text import settings_parts
from .json_text import Rows, dumps

if TYPE_CHECKING:
    from ..tasks import Analysis

FIELDS = ["customer", "name", "risk", "reasons", "decline_streak", "low_streak", "months_without_orders",
          "last_order_date", "core_class", "value_last_12m", "value_at_stake", "first_month", "p_no_order",
          "expected_loss", "p_no_order_reason", "dropped_categories", "rep_departed"]
SKIPPED_SHOWN = 20
TABLE_ROWS = 1_000         # customers the terminal table shows, most urgent first: more is no list anyone reads
PROBABILITY_DECIMALS = 4
_EXACT_WHOLE = 2.0 ** 52    # below it every half is a double, and rint and the division are exact


def customer_columns(analysis: Analysis, lang: str, include_low: bool, limit: int | None = None
                     ) -> tuple[list[list[Any]], int]:
    """The customers listed (the flagged ones unless ``include_low``), most urgent first, a field at a time: for
    each of ``FIELDS`` in turn, its JSON-ready value per customer (the first ``limit`` customers); and how many
    customers are listed."""
    model, forecast = analysis.model, analysis.forecast
    listed = model.ranked(flagged_only=not include_low)
    ranked = listed if limit is None else listed.iloc[:limit]
    frame = forecast.of(ranked.assign(reasons=model.reasons(lang, ranked.index.to_numpy()),
                                      p_no_order_reason=np.asarray(forecast.reasons(lang), dtype=object)[ranked.index]))
    columns = {field: _plain_column(frame[field]) for field in FIELDS
               if field not in ("dropped_categories", "p_no_order")}
    columns["dropped_categories"] = frame["dropped_categories"].to_numpy(object).tolist()     # lists of names
    columns["p_no_order"] = _rounded(frame["p_no_order"].to_numpy(float), PROBABILITY_DECIMALS)
    return [columns[field] for field in FIELDS], len(listed)


def probability_record(analysis: Analysis, lang: str) -> dict[str, Any]:
    """How ``p_no_order`` was made: the horizon, and whether and where it was calibrated."""
    forecast = analysis.forecast
    return {"horizon_months": forecast.horizon_months, "calibration": forecast.calibration,
            "calibrated_at": None if forecast.calibrated_at is None else month_label(forecast.calibrated_at),
            "how": forecast.calibration_words(lang)}


def _plain_column(column: pd.Series) -> list[Any]:
    """``_plain`` of each value of a column (as ``itertuples`` hands them over), a whole column at a time."""
    dtype = column.dtype
    if isinstance(dtype, pd.StringDtype) and dtype.na_value is not pd.NA:     # missing: NaN, which _plain makes None
        return column.to_numpy(object, na_value=None).tolist()
    kind = dtype.kind if isinstance(dtype, np.dtype) else None
    if kind in ("i", "b"):
        return column.to_numpy().tolist()
    if kind == "f":
        return _rounded(column.to_numpy(float), 2)
    if dtype == np.dtype("datetime64[ns]"):
        days = np.datetime_as_string(column.to_numpy(), unit="D").tolist()
        return [None if day == "NaT" else day for day in days]
    values = column.to_numpy(object).tolist()
    return values if set(map(type, values)) <= {str, type(None)} else [_plain(value) for value in values]


def _rounded(values: np.ndarray, decimals: int) -> list[float | None]:
    """``round(value, decimals) + 0.0`` of each value (Python's exact rounding), None for NaN, a column at a time.
    ``rint(value · 10^decimals) / 10^decimals`` is the double nearest a whole number of 10^-decimals, as Python's
    is, and the same number unless the product, rounded itself, is a half: every half below 2^52 is a double,
    so a product on one side of a half rounds to that half or stays on its side. Those halves (and values too
    large to scale exactly) are rounded one by one."""
    scale = 10.0 ** decimals
    scaled = values * scale
    whole = np.rint(scaled)
    with np.errstate(invalid="ignore"):         # infinities and NaN are rounded one by one
        clear = (np.abs(scaled - whole) != 0.5) & (np.abs(scaled) < _EXACT_WHOLE)
    out = (np.where(clear, whole / scale, values) + 0.0).tolist()
    for i in np.flatnonzero(~clear).tolist():
        out[i] = None if out[i] != out[i] else round(out[i], decimals) + 0.0
    return out


def _plain(value: Any) -> Any:
    """JSON-ready: a cell's value (``cell_value``) with dates as YYYY-MM-DD and money rounded to cents."""
    value = cell_value(value)
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float):
        return round(value, 2) + 0.0
    return value


def settings_record(analysis: Analysis) -> dict[str, Any]:
    settings = analysis.model.settings
    record = settings.public()
    record["as_of"] = analysis.model.as_of_label
    record["sources"] = dict(settings.sources)
    return record


def skipped_records(analysis: Analysis) -> list[dict[str, Any]]:
    return [{"sheet": r.sheet, "row": int(r.row), "reason": r.reason}
            for r in analysis.read.book.skipped.itertuples(index=False)]


def scan_json(analysis: Analysis, lang: str, include_low: bool) -> str:
    model = analysis.model
    document = {
        "as_of": model.as_of_label,
        "settings": settings_record(analysis),
        "customers": Rows(FIELDS, customer_columns(analysis, lang, include_low)[0]),
        "skipped": skipped_records(analysis),
        "summary": analysis.model.risk_counts(),
        "probability": probability_record(analysis, lang),
        "sheets": analysis.read.sheets,
        "lines_after_as_of": model.lines_after_as_of,
        "notes": analysis.read.notes,
    }
    return dumps(document)


def scan_csv(analysis: Analysis, lang: str, include_low: bool) -> str:
    """CSV for spreadsheets: a text that a spreadsheet would take for a formula is kept text (``protect_text``)."""
    return csv_text(FIELDS, customer_columns(analysis, lang, include_low)[0])


def scan_table(analysis: Analysis, lang: str, include_low: bool) -> str:
    words = WORDS[lang]["cli"]
    model = analysis.model
    columns, listed = customer_columns(analysis, lang, include_low, TABLE_ROWS)
    records = Rows(FIELDS, columns).records()
    counts = analysis.model.risk_counts()
    lines = [words["title"].format(file=analysis.path.name, sheets=", ".join(f"'{s}'" for s in analysis.read.sheets),
                                   as_of=model.as_of_label, n=f"{len(model.customers):,}",
                                   customers=plural(len(model.customers), "customer")),
             f"{words['settings']}: " + ", ".join(settings_parts(analysis.model, lang)), *analysis.read.notes,
             words["counts"].format(**counts),
             words["probability"].format(k=analysis.forecast.horizon_months, as_of=model.as_of_label,
                                         how=analysis.forecast.calibration_words(lang))]
    if model.lines_after_as_of:
        lines.append(words["after"].format(n=f"{model.lines_after_as_of:,}", lines=plural(model.lines_after_as_of, "line"),
                                           as_of=model.as_of_label))
    lines.append("")
    if records:
        rows = [[RISK_LABELS[lang][r["risk"]], r["customer"], r["name"] or "", r["core_class"], r["decline_streak"],
                 r["low_streak"], r["months_without_orders"], r["last_order_date"] or "",
                 f"{r['value_last_12m']:,.2f}", f"{r['value_at_stake']:,.2f}", _share(r["p_no_order"]),
                 "" if r["expected_loss"] is None else f"{r['expected_loss']:,.2f}", r["reasons"]]
                for r in records]
        headers = [h.format(k=analysis.forecast.horizon_months) for h in words["headers"]]
        lines.append(texttable.render(headers, rows, right=[False] * 4 + [True] * 3 + [False] + [True] * 4))
        if listed > len(records):
            left = listed - len(records)
            lines.append(words["more_customers"].format(n=f"{left:,}", customers=plural(left, "customer")))
    else:
        lines.append(words["none"])
    lines.extend(_skipped_lines(analysis, lang))
    return "\n".join(lines) + "\n"


def _share(value: float | None) -> str:
    return "" if value is None else f"{value:.0%}"


def _skipped_lines(analysis: Analysis, lang: str) -> list[str]:
    words = WORDS[lang]["cli"]
    skipped = analysis.read.book.skipped
    if skipped.empty:
        return []
    out = ["", words["skipped"].format(n=len(skipped), rows=plural(len(skipped), "row"))]
    out += [f"  {words['sheet']} '{r.sheet}' {words['row']} {r.row}: {r.reason}"
            for r in skipped.head(SKIPPED_SHOWN).itertuples(index=False)]
    if len(skipped) > SKIPPED_SHOWN:
        out.append("  " + words["more"].format(n=len(skipped) - SKIPPED_SHOWN))
    return out


def history_table(analysis: Analysis, history: CustomerHistory, lang: str) -> str:
    words = WORDS[lang]["cli"]
    s = history.summary
    summary = words["summary"].format(
        customer=s["customer"], name=f"({s['name']}) " if s.get("name") else "", risk=RISK_LABELS[lang][s["risk"]],
        core_class=s["core_class"], decline_streak=s["decline_streak"], low_streak=s["low_streak"],
        months_without_orders=s["months_without_orders"], last_order_date=_plain(s["last_order_date"]) or "—",
        value=format_number(s["value_last_12m"]))
    out = [summary]
    if s["reasons"]:
        out.append(s["reasons"])
    out.append("")
    peak = max(history.monthly["value"].max(), 0) or 1
    rows = [[m.month, format_number(m.value), format_number(m.amount), m.orders,
             "█" * int(round(max(m.value, 0) / peak * 30))] for m in history.monthly.itertuples(index=False)]
    out.append(texttable.render(words["history_headers"], rows, right=[False, True, True, True, False]))
    out += ["", words["lines"].format(as_of=analysis.model.as_of_label)]
    lines = history.lines
    rows = [[_plain(r["date"]), r.get("order") or "", r.get("product") or "",
             format_number(r["quantity"]) if "quantity" in r and pd.notna(r["quantity"]) else "",
             format_number(r["amount"]), r["sheet"], r["row"]] for r in lines.to_dict("records")]
    out.append(texttable.render(words["lines_headers"], rows, right=[False, False, False, True, True, False, True]))
    return "\n".join(out) + "\n"


def history_json(analysis: Analysis, history: CustomerHistory) -> str:
    summary = {k: _plain(v) for k, v in history.summary.items()}
    lines = [{k: _plain(v) for k, v in row.items()} for row in history.lines.to_dict("records")]
    monthly = [{k: _plain(v) for k, v in row.items()} for row in history.monthly.to_dict("records")]
    return dumps({"as_of": analysis.model.as_of_label, "customer": summary, "monthly": monthly, "lines": lines})



# --- the backtest ------------------------------------------------------------------------------------------
BACKTEST_FIELDS = ["rule", "threshold", "level", "low_threshold", "flagged", "churned_flagged", "precision",
                   "recall", "lift", "balanced_accuracy", "new_precision", "precision_low", "precision_high",
                   "churned", "scored", "yours"]


def backtest_json(analysis: Analysis, result: Backtest) -> str:
    return dumps({"as_of": analysis.model.as_of_label, **result.to_dict()})


def backtest_csv(analysis: Analysis, result: Backtest) -> str:
    """One row per rule and threshold (CSV for spreadsheets, as ``scan_csv``)."""
    rows = _backtest_rows(analysis, result)
    return csv_text(BACKTEST_FIELDS, [[rule.get(field) for rule in rows] for field in BACKTEST_FIELDS])


def _backtest_rows(analysis: Analysis, result: Backtest) -> list[dict[str, Any]]:
    settings = analysis.model.settings
    own = {"lost": settings.lost_months, "low": settings.low_months, "decline": settings.decline_months}
    rows = []
    for rule in result.to_dict()["rules"]:
        low, high = rule["precision_range"] or (None, None)
        yours = rule["rule"] in own and rule["threshold"] == own[rule["rule"]] and \
            (rule["rule"] != "low" or rule["low_threshold"] == settings.low_threshold)
        rows.append({**rule, "precision_low": low, "precision_high": high, "yours": yours})
    return rows


def backtest_table(analysis: Analysis, result: Backtest, lang: str) -> str:
    words = WORDS[lang]["cli"]
    data = result.to_dict()
    months = data["months"]
    if not months:
        return words["backtest_title"].split(" · ")[0] + f" · {analysis.path.name}\n" + \
            data["recommended"].get("reason", {}).get(lang, "") + "\n"
    k = data["horizon_months"]
    lines = [words["backtest_title"].format(file=analysis.path.name, months=len(months), first=months[0],
                                            last=months[-1], k=k, rate=_percent(data["base_rate"]),
                                            churned=data["churned"], scored=data["scored"]), ""]
    rows = []
    for rule in _backtest_rows(analysis, result):
        name = words["backtest_rules"][rule["rule"]].format(
            n=rule["threshold"], level=rule.get("level"),
            x=format_number(rule["low_threshold"]) if rule.get("low_threshold") is not None else "")
        spread = "" if rule["precision_low"] is None else \
            f"{_percent(rule['precision_low'])}–{_percent(rule['precision_high'])}"
        rows.append([name + (" " + words["your_setting"] if rule["yours"] else ""), f"{rule['flagged']:,}",
                     f"{rule['churned_flagged']:,}", _percent(rule["precision"]), _percent(rule["recall"]),
                     _fixed(rule["lift"], 1), _fixed(rule["balanced_accuracy"], 2), _percent(rule["new_precision"]),
                     spread])
    lines.append(texttable.render(words["backtest_headers"], rows, right=[False] + [True] * 7 + [False]))
    recommended = data["recommended"]
    lines += ["", words["recommended"], recommended["why"][lang]]
    for family in ("lost", "low", "decline"):
        choice = recommended.get(family)
        if choice is None:
            continue
        lines.append("- " + choice["reason"][lang])
    if "reason" in recommended:
        lines.append(recommended["reason"][lang])
    model = data["model"]
    lines.append("")
    if model and model.get("auroc") is not None:
        lines.append(words["model"].format(months=min(len(months), BACKTEST_MONTHS), auroc=_fixed(model["auroc"], 3),
                                           brier=_fixed(model["brier"], 3), customers=model["customers"],
                                           churned=model["churned"]))
        lines.append(texttable.render(words["calibration_headers"],
                                      [[_percent(b["predicted"]), _percent(b["observed"]), f"{b['customers']:,}"]
                                       for b in model["calibration"]], right=[True, True, True]))
    else:
        lines.append(words["no_model"])
    return "\n".join(lines) + "\n"


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value:.1%}"


def _fixed(value: float | None, places: int) -> str:
    return "" if value is None else f"{value:.{places}f}"
