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

from .words import LANGUAGES, WORDS

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


TABLES = {"at_risk": "ChurnAtRisk", "win_back": "ChurnWinBack", "closed": "ChurnClosed", "skipped": "ChurnSkipped",
          "history": "ChurnHistoryMonths", "settings": "ChurnSettings", "departed": "ChurnDepartedReps"}
KINDS = {key: SheetKind(key, {lang: WORDS[lang]["sheets"][key]["name"] for lang in LANGUAGES}, table,
                        {lang: WORDS[lang]["sheets"][key]["title"] for lang in LANGUAGES}, user_may_own=key == "settings")
         for key, table in TABLES.items()}
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
