"""The sheets churnkit writes, and how it knows a sheet is its own.

Each kind of sheet has a name per language, the name of its (first) Excel table and the
start of its title in cell A1. A sheet churnkit wrote carries a hidden, sheet-scoped
defined name ``_churnkit_sheet`` whose value is the kind (``"at_risk"``): Excel keeps it
when the sheet is renamed or moved and drops it with the sheet. Sheets written before
these marks existed are recognised by their name, their table and their title together.
churnkit replaces only sheets it wrote; a sheet of the user's that bears one of these
names is left alone (see ``choose_name``).
"""
from __future__ import annotations

import dataclasses
import re

MARK_NAME = "_churnkit_sheet"
OWN_SUFFIX = " (churnkit)"
EXCEL_SHEET_NAME_MAX = 31


@dataclasses.dataclass(frozen=True)
class SheetKind:
    key: str
    names: dict[str, str]             # language -> sheet name
    table: str                        # the name churnkit gives its first table
    titles: dict[str, str]            # language -> the title in A1 (how it starts, for the history sheet)
    user_may_own: bool = False        # a sheet of this name is the user's input to churnkit: never write beside it

    def all_names(self) -> tuple[str, ...]:
        return tuple(self.names.values())


KINDS = {kind.key: kind for kind in (
    SheetKind("at_risk", {"en": "At-Risk", "zh": "流失预警"}, "ChurnAtRisk",
              {"en": "At-risk customers", "zh": "流失预警客户"}),
    SheetKind("win_back", {"en": "Win-Back", "zh": "赢回名单"}, "ChurnWinBack",
              {"en": "Win-back list: lapsed customers", "zh": "赢回名单：已流失客户"}),
    SheetKind("closed", {"en": "Closed", "zh": "已关闭"}, "ChurnClosed",
              {"en": "Closed: notes of customers no longer on a list", "zh": "已关闭：已离开名单的客户备注"}),
    SheetKind("skipped", {"en": "Skipped Rows", "zh": "跳过的行"}, "ChurnSkipped",
              {"en": "Order rows churnkit could not read", "zh": "无法读取的订单行"}),
    SheetKind("history", {"en": "Customer History", "zh": "客户历史"}, "ChurnHistoryMonths",
              {"en": "Customer history: ", "zh": "客户历史："}),
    SheetKind("settings", {"en": "Churn Settings", "zh": "流失设置"}, "ChurnSettings",
              {"en": "churnkit settings", "zh": "churnkit 设置"}, user_may_own=True),
)}
SETTINGS_SHEETS = KINDS["settings"].all_names()
OUR_SHEET_NAMES = {name for kind in KINDS.values() for name in kind.all_names()}


def mark_formula(kind: str) -> str:
    """The defined name's value (a formula: a text constant) that marks a sheet of ``kind``."""
    return f'"{kind}"'


def kind_of_mark(formula: str) -> str | None:
    """The kind a mark's value names, None when it names none."""
    match = re.fullmatch(r'\s*=?\s*"(\w+)"\s*', formula or "")
    return match.group(1) if match and match.group(1) in KINDS else None


def looks_like_earlier_version(kind: SheetKind, sheet: str, tables: list[str], title: object) -> bool:
    """A sheet without a mark that churnkit wrote before marks existed: its name, table and title all agree."""
    table = re.compile(rf"{re.escape(kind.table)}\d*", re.IGNORECASE)
    return (sheet in kind.all_names() and any(table.fullmatch(t) for t in tables)
            and isinstance(title, str) and title.startswith(tuple(kind.titles.values())))


def choose_name(wanted: str, taken: list[str]) -> str:
    """``wanted``, or when a sheet of someone else's has that name, ``wanted (churnkit)`` (then 2, 3 …)."""
    used = {name.casefold() for name in taken}           # Excel's sheet names ignore case
    candidates = [wanted] + [_with_suffix(wanted, OWN_SUFFIX if n == 1 else f" (churnkit {n})") for n in range(1, 100)]
    return next(name for name in candidates if name.casefold() not in used)


def _with_suffix(name: str, suffix: str) -> str:
    return name[:EXCEL_SHEET_NAME_MAX - len(suffix)] + suffix
