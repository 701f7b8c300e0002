"""The at-risk list and the win-back list as sheets, keeping what the user typed into them.

Both lists end with the user's own columns (Owner, Status, Next step, Reason category,
Notes, and any column the user added). A refresh matches those entries by customer key:
they follow the customer when rows move or the customer moves between the lists, and
when a customer leaves both lists the entries go to the "Closed" sheet, from which they
come back if the customer returns. Nothing typed there is ever dropped.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from churn_logic import AT_RISK, ChurnModel, most_valuable_first, winback_list
from churn_logic.verdicts import RISK_LABELS

from ..ooxml.worksheet import EXCEL_TEXT_MAX, Formula, cell_value
from .model import Column, SheetContent, Table, cut_long_texts
from .sheet_kinds import KINDS

LIST_KINDS = ("at_risk", "win_back", "closed", "skipped")
SHEET_NAMES = {kind: KINDS[kind].names for kind in LIST_KINDS}
TABLE_NAMES = {kind: KINDS[kind].table for kind in LIST_KINDS}

# key: (English header, Chinese header, kind, width)
_COLUMNS = {
    "customer": ("Customer", "客户", "text", 14), "name": ("Name", "名称", "text", 30),
    "risk": ("Risk", "风险", "risk", 10), "reasons": ("Reasons", "原因", "text", 48),
    "core_class": ("Core class", "客户等级", "class", 10), "value_at_stake": ("Value at stake", "风险金额", "money", 15),
    "value_last_12m": ("Value last 12 months", "近12个月金额", "money", 15),
    "decline_streak": ("Months down", "连续下降月数", "int", 10), "low_streak": ("Low months", "低额月数", "int", 10),
    "months_without_orders": ("Months without orders", "无订单月数", "int", 11),
    "last_order_date": ("Last order", "最近订单", "date", 12), "rep": ("Sales rep", "业务员", "text", 14),
    "region": ("Region", "地区", "text", 14), "email": ("Contact", "联系邮箱", "text", 26),
    "value_before_lapse": ("Value before lapse", "流失前12个月金额", "money", 15),
    "months_dormant": ("Months dormant", "沉睡月数", "int", 10), "lapsed_since": ("Lapsed since", "流失起始月", "text", 11),
    "main_products": ("Main products", "主要产品", "text", 36), "main_category": ("Main category", "主要类别", "text", 16),
    "closed_on": ("Closed on", "关闭日期", "date", 12), "was_on": ("Was on", "原所在名单", "text", 12),
    "because": ("Closed because", "关闭原因", "text", 22),
    "sheet": ("Sheet", "工作表", "text", 16), "row": ("Row", "行号", "int", 8), "reason": ("Reason", "原因", "text", 60),
}
USER_COLUMNS = {  # key: (English header, Chinese header, width, English choices, Chinese choices)
    "owner": ("Owner", "负责人", 14, (), ()),
    "status": ("Status", "状态", 14, ("Open", "Contacted", "Won back", "Lost for good"),
               ("待跟进", "已联系", "已挽回", "确认流失")),
    "next_step": ("Next step", "下一步", 24, (), ()),
    "reason_category": ("Reason category", "流失原因类别", 22,
                        ("Active: natural", "Active: competitive", "Active: service failure",
                         "Passive: non-payment", "Passive: other"),
                        ("主动：自然流失", "主动：竞争流失", "主动：服务失误", "被动：欠款", "被动：其他")),
    "notes": ("Notes", "备注", 40, (), ()),
}
LIST_FIELDS = {
    "at_risk": ["customer", "name", "risk", "reasons", "core_class", "value_at_stake", "value_last_12m",
                "decline_streak", "low_streak", "months_without_orders", "last_order_date", "rep", "region"],
    "win_back": ["customer", "name", "core_class", "value_before_lapse", "months_dormant", "lapsed_since",
                 "last_order_date", "main_products", "main_category", "rep", "region", "email"],
    "closed": ["customer", "name", "closed_on", "was_on", "risk", "because"],
}
_HEADER_TO_FIELD = {h.lower(): key for key, (en, zh, *_) in {**_COLUMNS, **USER_COLUMNS}.items() for h in (en, zh)}
CLOSED_BECAUSE = {
    "en": {"left": "left the lists", "no_key": "no customer key", "duplicate": "another row of the same customer"},
    "zh": {"left": "已离开名单", "no_key": "缺少客户编号", "duplicate": "同一客户的另一行"},
}
WORDS = {
    "en": {"as_of": "As of", "refreshed": "Refreshed", "source": "Orders", "settings": "Settings",
           "customers": "Customers", "skipped_rows": "Skipped rows", "stake": "Value at stake",
           "yours": "Your columns", "none": "none",
           "skipped_where": "{n} {rows} could not be read: see the sheet '{sheet}'",
           "counts": "{LOST} lost · {HIGH} high · {MEDIUM} medium · {LOW} low risk",
           "stake_text": "what the customer bought in the 12 months before the warning signs began",
           "yours_text": "Owner, Status, Next step, Reason category, Notes and any column you add are yours: "
                         "churnkit keeps them by customer at every refresh.",
           "closed_text": "When a customer leaves the lists, what you typed for them moves here; it moves back if they return.",
           "cut": "Cut texts", "cut_text": "{n} {texts} longer than a cell holds ({limit} characters): cut, ending in …",
           "text": "text", "texts": "texts"},
    "zh": {"as_of": "评估月份", "refreshed": "刷新时间", "source": "订单来源",
           "settings": "设置", "customers": "客户数量", "skipped_rows": "跳过的行", "stake": "风险金额",
           "yours": "您的列", "none": "无",
           "skipped_where": "{n} 行无法读取：见工作表“{sheet}”",
           "counts": "已流失 {LOST} · 高风险 {HIGH} · 中风险 {MEDIUM} · 低风险 {LOW}",
           "stake_text": "预警开始前 12 个月内该客户的采购金额",
           "yours_text": "负责人、状态、下一步、流失原因类别、备注以及您新增的列由您填写：每次刷新按客户保留。",
           "closed_text": "客户离开名单后，您填写的内容移到这里；客户回到名单时会自动移回。",
           "cut": "截断的文本", "cut_text": "{n} 处文本超过单元格上限（{limit} 个字符），已截断并以 … 结尾",
           "text": "", "texts": ""},
}


@dataclasses.dataclass
class Entry:
    """One row of a list on which the user typed something."""
    customer: str                    # '' when the row has no customer key
    typed: dict[str, Any]            # the user's columns: USER_COLUMNS keys and "extra:<header>"
    found_on: str                    # the list it was read from ("at_risk", "win_back", "closed")
    closed: dict[str, Any]           # for rows read from the Closed sheet: its other fields as they were


@dataclasses.dataclass
class UserEntries:
    """What the user typed in churnkit's lists, row by row, with the headers of columns they added."""
    entries: list[Entry]
    extra_headers: list[str]

    def primary(self) -> dict[str, Entry]:
        """Per customer, the entry that goes with them onto a list: from At-Risk, else Win-Back, else Closed."""
        found: dict[str, Entry] = {}
        for entry in self.entries:
            if entry.customer:
                found.setdefault(entry.customer, entry)
        return found

    @property
    def had_closed_sheet_rows(self) -> bool:
        return any(entry.found_on == "closed" for entry in self.entries)


def all_sheet_names(kind: str) -> tuple[str, ...]:
    return tuple(SHEET_NAMES[kind].values())


def read_user_entries(tables: Mapping[str, Sequence[Sequence[Any]]]) -> UserEntries:
    """Collect the user's entries from the rows of churnkit's existing lists ({list key: rows}): every row of
    each table on which something was typed, with or without a customer key."""
    entries: list[Entry] = []
    seen: set[tuple] = set()
    extras: list[str] = []
    for kind in ("at_risk", "win_back", "closed"):
        for record in _records(tables.get(kind) or [], extras):
            customer = record.pop("customer")
            typed = {k: v for k, v in record.items() if k in USER_COLUMNS or k.startswith("extra:")}
            if not any(_filled(v) for v in typed.values()):
                continue
            same = (customer, tuple(sorted((k, repr(v)) for k, v in typed.items() if _filled(v))))
            if customer and same in seen:
                continue            # a copy of a row already kept: nothing of it is lost
            seen.add(same)
            entries.append(Entry(customer, typed, kind, record if kind == "closed" else {}))
    return UserEntries(entries, extras)


def _records(rows: Sequence[Sequence[Any]], extras: list[str]) -> Iterable[dict[str, Any]]:
    """Every row under the header row (the one starting with Customer/客户) as a dict, '' for a missing key."""
    header_index = next((i for i, row in enumerate(rows) if row and _text(row[0]).lower() in ("customer", "客户")), None)
    if header_index is None:
        return
    keys = []
    for header in rows[header_index]:
        text = _text(header)
        key = _HEADER_TO_FIELD.get(text.lower())
        if key is None and text:
            key = f"extra:{text}"
            if text not in extras:
                extras.append(text)
        keys.append(key)
    for row in rows[header_index + 1:]:
        record = {key: value for key, value in zip(keys, row) if key}
        record["customer"] = _customer_key(row[0] if row else None)
        yield record


def _customer_key(value: Any) -> str:
    if isinstance(value, Formula):
        value = value.cached
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None or (isinstance(value, str) and not value.strip()) else str(value)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _filled(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip()) and not (
        isinstance(value, float) and np.isnan(value))


def build_sheets(model: ChurnModel, previous: UserEntries, lang: str, now: dt.datetime,
                 heading: list[tuple[str, Any]], skipped: pd.DataFrame, has_closed_sheet: bool,
                 has_skipped_sheet: bool) -> list[tuple[str, SheetContent]]:
    """The sheets of one refresh, each with its kind: At-Risk, Win-Back, Closed (when it has rows or was
    there) and Skipped Rows (when needed)."""
    words = WORDS[lang]
    customers = model.customers.assign(reasons=model.reasons(lang))
    at_risk = most_valuable_first(customers[customers["risk"].isin(AT_RISK)])
    winback = most_valuable_first(winback_list(model), "value_before_lapse")
    at_risk = at_risk.assign(risk=at_risk["risk"].map(RISK_LABELS[lang]))
    extras = previous.extra_headers
    listed = set(at_risk["customer"]) | set(winback["customer"])
    primary = {customer: entry for customer, entry in previous.primary().items() if customer in listed}
    sheets = [
        ("at_risk", _list_sheet("at_risk", at_risk, model, primary, extras, lang, heading)),
        ("win_back", _list_sheet("win_back", winback, model, primary, extras, lang, heading)),
    ]
    closed = _closed_rows(previous, primary, customers, lang, now)
    if closed or has_closed_sheet:
        fields = LIST_FIELDS["closed"]
        rows = [[row.get(f) for f in fields] + _user_values(row, extras) for row in closed]
        table = Table(TABLE_NAMES["closed"], _columns(fields, lang, extras), rows)
        sheets.append(("closed", SheetContent(
            SHEET_NAMES["closed"][lang], KINDS["closed"].titles[lang],
            _cut_note([(words["refreshed"], now), ("", words["closed_text"])], table, lang),
            [table], tab_color="FF7F7F7F")))
    if len(skipped) or has_skipped_sheet:
        table = Table(TABLE_NAMES["skipped"], _columns(["sheet", "row", "reason"], lang, None),
                      skipped[["sheet", "row", "reason"]].values.tolist())
        sheets.append(("skipped", SheetContent(SHEET_NAMES["skipped"][lang], KINDS["skipped"].titles[lang],
                                               _cut_note([(words["refreshed"], now)], table, lang),
                                               [table], tab_color="FFBF9000")))
    return sheets


def _list_sheet(kind: str, frame: pd.DataFrame, model: ChurnModel, entries: Mapping[str, Entry],
                extras: list[str], lang: str, heading: list[tuple[str, Any]]) -> SheetContent:
    fields = [f for f in LIST_FIELDS[kind] if f in frame.columns and (f not in ("rep", "region", "email")
                                                                      or f in model.lines.columns)]
    records = frame[fields].to_dict("records")
    rows = [[cell_value(r[f]) for f in fields] + _user_values(entries[r["customer"]].typed if r["customer"] in entries
                                                                else {}, extras) for r in records]
    tab = "FFC00000" if kind == "at_risk" else "FF375623"
    table = Table(TABLE_NAMES[kind], _columns(fields, lang, extras), rows)
    return SheetContent(SHEET_NAMES[kind][lang], KINDS[kind].titles[lang], _cut_note(heading, table, lang), [table],
                        tab_color=tab)


def _cut_note(heading: list[tuple[str, Any]], table: Table, lang: str) -> list[tuple[str, Any]]:
    """The heading, with a line saying how many texts were cut to what a cell holds (when any were)."""
    cut = cut_long_texts([table])
    if not cut:
        return heading
    words = WORDS[lang]
    texts = words["text"] if cut == 1 else words["texts"]
    return [*heading, (words["cut"], words["cut_text"].format(n=cut, texts=texts, limit=f"{EXCEL_TEXT_MAX:,}"))]


def _closed_rows(previous: UserEntries, on_lists: Mapping[str, Entry], customers: pd.DataFrame, lang: str,
                 now: dt.datetime) -> list[dict]:
    """Closed-sheet rows: every entry that is not going onto a list. Earlier Closed rows stay as they were;
    entries of customers who left the lists, of rows without a customer key and of further rows of a listed
    customer come with the date, the list they were on and why."""
    risk = dict(zip(customers["customer"], customers["risk"]))
    names = dict(zip(customers["customer"], customers["name"]))
    primary = previous.primary()
    why = CLOSED_BECAUSE[lang]
    rows = []
    for entry in previous.entries:
        if on_lists.get(entry.customer) is entry:
            continue
        if entry.found_on == "closed":
            base = entry.closed
        else:
            because = why["no_key"] if not entry.customer else \
                why["duplicate"] if primary.get(entry.customer) is not entry else why["left"]
            base = {"closed_on": now, "was_on": SHEET_NAMES[entry.found_on]["en"], "risk": risk.get(entry.customer),
                    "because": because}
        name = names.get(entry.customer, base.get("name")) if entry.customer else base.get("name")
        rows.append({**base, **entry.typed, "customer": entry.customer or None, "name": cell_value(name)})
    return sorted(rows, key=lambda r: (_sort_date(r.get("closed_on")), r["customer"] or ""), reverse=True)


def _sort_date(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    return dt.datetime.min


def _user_values(entry: Mapping[str, Any], extras: Sequence[str] | None) -> list[Any]:
    return [entry.get(key) for key in USER_COLUMNS] + [entry.get(f"extra:{h}") for h in (extras or [])]


def _columns(fields: Sequence[str], lang: str, extras: Sequence[str] | None) -> list[Column]:
    index = 0 if lang == "en" else 1
    columns = [Column(_COLUMNS[f][index], _COLUMNS[f][2], _COLUMNS[f][3]) for f in fields]
    if extras is None:
        return columns
    columns += [Column(spec[index], "any", spec[2], user=True, choices=spec[3 + index]) for spec in USER_COLUMNS.values()]
    columns += [Column(header, "any", 16, user=True) for header in extras]
    return columns
