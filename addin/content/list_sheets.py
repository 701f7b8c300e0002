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
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from churn_logic import AT_RISK, RISK_LABELS, ChurnModel, NoOrderForecast, most_valuable_first, winback_list

from ..ooxml.worksheet import EXCEL_TEXT_MAX, Formula, cell_value
from .model import Column, SheetContent, Table, cut_long_texts
from .sheet_kinds import KINDS
from .words import LANGUAGES, WORDS

LIST_KINDS = ("at_risk", "win_back", "closed", "skipped", "departed")
WITHOUT_USER_COLUMNS = ("skipped", "departed")     # churnkit's sheets that hold nothing the user types
SHEET_ROW_CAP = 10_000     # rows a list sheet holds: a longer list is no list anyone reads; all of it goes beside
FullList = Callable[[str, list[str], list[list[Any]]], str]    # (kind, headers, rows) -> the file it wrote
SHEET_NAMES = {kind: KINDS[kind].names for kind in LIST_KINDS}
TABLE_NAMES = {kind: KINDS[kind].table for kind in LIST_KINDS}

COLUMNS = {  # field: (kind, width); the headers are the words' "columns"
    "customer": ("text", 14), "name": ("text", 30), "risk": ("risk", 10), "reasons": ("text", 48),
    "core_class": ("class", 10), "value_at_stake": ("money", 15), "value_last_12m": ("money", 15),
    "p_no_order": ("pct", 11), "expected_loss": ("money", 15),
    "decline_streak": ("int", 10), "low_streak": ("int", 10), "months_without_orders": ("int", 11),
    "last_order_date": ("date", 12), "rep": ("text", 14), "region": ("text", 14), "email": ("text", 26),
    "value_before_lapse": ("money", 15), "months_dormant": ("int", 10), "lapsed_since": ("text", 11),
    "main_products": ("text", 36), "main_category": ("text", 16), "closed_on": ("date", 12), "was_on": ("text", 12),
    "because": ("text", 22), "sheet": ("text", 16), "row": ("int", 8), "reason": ("text", 60),
    "dropped_categories": ("text", 28), "rep_departed": ("text", 9), "departed_rep": ("text", 14),
    "rep_last_month": ("text", 11), "value_before": ("money", 15), "value_since": ("money", 15),
    "months_since": ("int", 10), "taken_over_by": ("text", 14),
}
USER_COLUMNS = {"owner": 14, "status": 14, "next_step": 24, "reason_category": 22, "notes": 40}   # key: width
LIST_FIELDS = {
    "at_risk": ["customer", "name", "risk", "reasons", "core_class", "value_at_stake", "p_no_order", "expected_loss",
                "value_last_12m", "decline_streak", "low_streak", "months_without_orders", "last_order_date", "rep",
                "region", "dropped_categories", "rep_departed"],
    "win_back": ["customer", "name", "core_class", "value_before_lapse", "p_no_order", "expected_loss",
                 "months_dormant", "lapsed_since", "last_order_date", "main_products", "main_category", "rep",
                 "region", "email"],
    "closed": ["customer", "name", "closed_on", "was_on", "risk", "because"],
    "departed": ["customer", "name", "risk", "departed_rep", "rep_last_month", "value_before", "value_since",
                 "months_since", "taken_over_by"],
}
DEPARTED_FIELDS = LIST_FIELDS["departed"]
NEEDS_COLUMN = {"rep": "rep", "region": "region", "email": "email", "rep_departed": "rep"}   # field: order column
_HEADER_TO_FIELD = {header.lower(): key for lang in LANGUAGES
                    for key, header in {**WORDS[lang]["columns"], **WORDS[lang]["user_columns"]}.items()}


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


def build_sheets(model: ChurnModel, forecast: NoOrderForecast, previous: UserEntries, lang: str, now: dt.datetime,
                 heading: list[tuple[str, Any]], skipped: pd.DataFrame, has_closed_sheet: bool,
                 has_skipped_sheet: bool, has_departed_sheet: bool = False, full_list: FullList | None = None
                 ) -> list[tuple[str, SheetContent]]:
    """The sheets of one refresh, each with its kind: At-Risk, Win-Back, Closed (when it has rows or was
    there), Skipped Rows and Departed Reps (when needed). Both lists show each customer's chance of no order and
    expected loss (``forecast``), so they can be sorted by them. At-Risk holds the HIGH and MEDIUM customers and
    the others, but LOST, with a dropped category or a rep who left. A list or Skipped Rows longer than
    ``SHEET_ROW_CAP`` rows keeps its first rows (the most valuable; and every row you typed into), and
    ``full_list`` writes it all beside the workbook."""
    words = WORDS[lang]["lists"]
    customers = forecast.of(model.customers.assign(reasons=model.reasons(lang)))
    watched = model.watched & (customers["risk"] != "LOST").to_numpy()
    at_risk = most_valuable_first(customers[customers["risk"].isin(AT_RISK).to_numpy() | watched])
    winback = forecast.of(most_valuable_first(winback_list(model), "value_before_lapse"))
    at_risk = at_risk.assign(risk=at_risk["risk"].map(RISK_LABELS[lang]),
                             rep_departed=at_risk["rep_departed"].map({True: words["yes"], False: None}))
    if model.category_cells.field is None:
        at_risk = at_risk.drop(columns="dropped_categories")
    extras = previous.extra_headers
    listed = set(at_risk["customer"]) | set(winback["customer"])
    primary = {customer: entry for customer, entry in previous.primary().items() if customer in listed}
    sheets = [
        ("at_risk", _list_sheet("at_risk", at_risk, model, primary, extras, lang, heading, full_list)),
        ("win_back", _list_sheet("win_back", winback, model, primary, extras, lang, heading, full_list)),
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
    departed = departed_rep_customers(model, customers, lang)
    if len(departed) or has_departed_sheet:
        table = Table(TABLE_NAMES["departed"], _columns(LIST_FIELDS["departed"], lang, None),
                      [[cell_value(value) for value in row] for row in departed.itertuples(index=False)])
        text = words["departed_text"].format(g=model.settings.rep_gone_months)
        sheets.append(("departed", SheetContent(SHEET_NAMES["departed"][lang], KINDS["departed"].titles[lang],
                                                _cut_note([(words["refreshed"], now), ("", text)], table, lang),
                                                [table], tab_color="FF7030A0")))
    if len(skipped) or has_skipped_sheet:
        table = Table(TABLE_NAMES["skipped"], _columns(["sheet", "row", "reason"], lang, None),
                      skipped[["sheet", "row", "reason"]].values.tolist())
        note = _capped("skipped", table, np.zeros(len(table.rows), bool), lang, full_list)
        sheets.append(("skipped", SheetContent(SHEET_NAMES["skipped"][lang], KINDS["skipped"].titles[lang],
                                               _cut_note([(words["refreshed"], now), *note], table, lang),
                                               [table], tab_color="FFBF9000")))
    return sheets


def departed_rep_customers(model: ChurnModel, customers: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The customers of departed reps (``LIST_FIELDS["departed"]``), by departed rep, then value before."""
    handed = model.turnover.customers.merge(customers[["customer", "name", "risk"]], on="customer", how="left")
    handed["risk"] = handed["risk"].map(RISK_LABELS[lang])
    order = np.lexsort((handed["customer"].astype(str).to_numpy(), -handed["value_before"].to_numpy(float),
                        handed["departed_rep"].astype(str).to_numpy()))
    return handed.iloc[order][LIST_FIELDS["departed"]].reset_index(drop=True)


def _list_sheet(kind: str, frame: pd.DataFrame, model: ChurnModel, entries: Mapping[str, Entry],
                extras: list[str], lang: str, heading: list[tuple[str, Any]], full_list: FullList | None
                ) -> SheetContent:
    fields = [f for f in LIST_FIELDS[kind] if f in frame.columns and (f not in NEEDS_COLUMN
                                                                      or NEEDS_COLUMN[f] in model.lines.columns)]
    records = frame[fields].to_dict("records")
    rows = [[cell_value(r[f]) for f in fields] + _user_values(entries[r["customer"]].typed if r["customer"] in entries
                                                                else {}, extras) for r in records]
    tab = "FFC00000" if kind == "at_risk" else "FF375623"
    table = Table(TABLE_NAMES[kind], _columns(fields, lang, extras), rows)
    typed_into = frame["customer"].isin(list(entries)).to_numpy()
    heading = [*heading, *_capped(kind, table, typed_into, lang, full_list)]
    return SheetContent(SHEET_NAMES[kind][lang], KINDS[kind].titles[lang], _cut_note(heading, table, lang), [table],
                        tab_color=tab)


def _capped(kind: str, table: Table, keep: np.ndarray, lang: str, full_list: FullList | None
            ) -> list[tuple[str, Any]]:
    """Cut ``table`` to its first ``SHEET_ROW_CAP`` rows and those where ``keep``, the whole of it written by
    ``full_list``; the heading line that says so (none when nothing was cut)."""
    if len(table.rows) <= SHEET_ROW_CAP or full_list is None:
        return []
    keep = keep.copy()
    keep[:SHEET_ROW_CAP] = True
    name = full_list(kind, [column.header for column in table.columns], table.rows)
    total = len(table.rows)
    table.rows = [row for row, kept in zip(table.rows, keep) if kept]
    words = WORDS[lang]["lists"]
    return [(words["capped"], words["capped_text"].format(n=f"{len(table.rows):,}", total=f"{total:,}", file=name))]


def _cut_note(heading: list[tuple[str, Any]], table: Table, lang: str) -> list[tuple[str, Any]]:
    """The heading, with a line saying how many texts were cut to what a cell holds (when any were)."""
    cut = cut_long_texts([table])
    if not cut:
        return heading
    words = WORDS[lang]["lists"]
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
    why = WORDS[lang]["closed_because"]
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
    headers, choices = WORDS[lang]["columns"], WORDS[lang]["choices"]
    columns = [Column(headers[f], *COLUMNS[f]) for f in fields]
    if extras is None:
        return columns
    columns += [Column(WORDS[lang]["user_columns"][key], "any", width, user=True, choices=choices.get(key, ()))
                for key, width in USER_COLUMNS.items()]
    columns += [Column(header, "any", 16, user=True) for header in extras]
    return columns
