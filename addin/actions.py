"""What churnkit does, independent of who asks (command line, ribbon, worksheet functions)."""
from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
from pathlib import Path
from typing import Any, Mapping, Sequence

from churn_logic import (ChurnModel, CustomerHistory, NoOrdersError, Settings, SettingsError, UnknownCustomerError,
                         analyse, customer_history, may_be_incomplete, month_label)
from churn_logic.settings import canonical_name

from .errors import UserError
from .formats import risk_counts, settings_line
from .content.history_sheet import history_sheet
from .content.lists import LIST_KINDS, SHEET_NAMES, WORDS as LIST_WORDS, build_sheets, read_user_entries
from .progress import Progress
from .reader import (ExcelFileTables, ReadResult, ValueTables, check_file, open_workbook,
                     read_order_book, read_order_values)
from .content.settings_sheet import settings_sheet
from .settings_sources import gather, settings_from_rows
from .workbooks.base import Workbook

STRICT_EXAMPLES = 3


@dataclasses.dataclass
class Analysis:
    """A workbook read and scored."""
    path: Path
    read: ReadResult
    model: ChurnModel


def analyse_workbook(path: Path | str, flags: Mapping[str, Any] | None = None,
                     sheets: Sequence[str] | None = None, all_sheets: bool = False, strict: bool = False,
                     progress: Progress | None = None, today: dt.date | None = None) -> Analysis:
    """Read the orders of the workbook or CSV file ``path`` with every settings source, and score every customer."""
    path = Path(path)
    check_file(path)
    tables = None if path.suffix.lower() == ".csv" else ExcelFileTables(open_workbook(path), path.name)
    settings = gather(path.parent, flags or {}, tables)
    read = read_order_book(path, settings, sheets, all_sheets, progress, tables)
    return _score(path, read, settings, strict, today)


def analyse_values(tables: ValueTables, path: Path, flags: Mapping[str, Any] | None = None,
                   sheets: Sequence[str] | None = None, all_sheets: bool = False, strict: bool = False,
                   today: dt.date | None = None) -> Analysis:
    """The same from the sheet values of an open workbook saved at ``path`` (its folder may hold churnkit.toml)."""
    folder = path.parent if path.is_absolute() else None       # an unsaved workbook has no folder yet
    settings = gather(folder, flags or {}, tables)
    return _score(path, read_order_values(tables, settings, sheets, all_sheets), settings, strict, today)


def _score(path: Path, read: ReadResult, settings: Settings, strict: bool, today: dt.date | None) -> Analysis:
    skipped = read.book.skipped
    if strict and len(skipped):
        examples = "; ".join(f"sheet '{r.sheet}' row {r.row}: {r.reason}"
                             for r in skipped.head(STRICT_EXAMPLES).itertuples())
        more = f" (and {len(skipped) - STRICT_EXAMPLES} more)" if len(skipped) > STRICT_EXAMPLES else ""
        raise UserError(f"{len(skipped)} rows of {path.name} cannot be read — {examples}{more}; "
                        "fix them, or run without --strict to skip such rows.")
    try:
        model = analyse(read.book.lines, settings, today)
    except NoOrdersError as exc:
        raise UserError(f"{path.name}: {exc}") from exc
    latest = read.book.lines["date"].max().date()        # lines after the as-of month too: then it is over
    if may_be_incomplete(model.as_of, latest):
        read.notes.append(f"The as-of month {model.as_of_label} may be incomplete: the latest order line is from "
                          f"{latest:%Y-%m-%d}. Give --as-of {month_label(model.as_of - 1)} to judge the last month "
                          "the orders cover in full.")
    ignored = read.book.ignored_rows
    if ignored:
        read.notes.append(f"Not read as order lines: {ignored} {'row' if ignored == 1 else 'rows'} holding a total, "
                          "a subtotal or a single note.")
    return Analysis(path, read, model)


@dataclasses.dataclass
class RefreshResult:
    sheets: dict[str, int]          # sheet name -> rows written
    backup: Path | None
    renamed: dict[str, str]         # churnkit's usual sheet name -> the name it used, where a sheet of yours had it


def refresh_lists(analysis: Analysis, workbook: Workbook, lang: str = "en",
                  now: dt.datetime | None = None) -> RefreshResult:
    """Write the at-risk and win-back lists into ``workbook``, keeping what the user typed in them."""
    now = (now or dt.datetime.now()).replace(microsecond=0)
    own = {kind: workbook.own_sheet(kind) for kind in LIST_KINDS}
    tables = {kind: workbook.read_rows(name) for kind, name in own.items() if name is not None and kind != "skipped"}
    sheets = build_sheets(analysis.model, read_user_entries(tables), lang, now, list_heading(analysis, lang, now),
                          analysis.read.book.skipped, own["closed"] is not None, own["skipped"] is not None)
    written, renamed = {}, {}
    for kind, content in sheets:
        name = workbook.put_sheet(content, kind)
        written[name] = len(content.tables[0].rows)
        if name != content.name:
            renamed[content.name] = name
    workbook.save()
    return RefreshResult(written, getattr(workbook, "backup", None), renamed)


def list_heading(analysis: Analysis, lang: str, now: dt.datetime) -> list[tuple[str, object]]:
    """The heading block above both lists: as-of month, source, settings, counts, skipped rows."""
    words = LIST_WORDS[lang]
    skipped = len(analysis.read.book.skipped)
    where = words["skipped_where"].format(n=skipped, rows="row" if skipped == 1 else "rows",
                                          sheet=SHEET_NAMES["skipped"][lang]) if skipped else words["none"]
    source = f"{analysis.path.name} · " + ", ".join(analysis.read.sheets)
    return [(words["as_of"], analysis.model.as_of_label), (words["refreshed"], now), (words["source"], source),
            (words["settings"], settings_line(analysis, lang).split(": ", 1)[1]),
            (words["customers"], words["counts"].format(**risk_counts(analysis))),
            (words["skipped_rows"], where), (words["stake"], words["stake_text"]), (words["yours"], words["yours_text"])]


def history_of(analysis: Analysis, customer: str, lang: str = "en") -> CustomerHistory:
    """One customer's history, by exact key or by a name only one customer has; else a clear error that
    names the closest keys."""
    model = analysis.model
    key = customer if model.position(customer) is not None else customer_by_name(model, customer)
    if key is not None:
        return customer_history(model, key, lang)
    close = close_customers(model, customer)
    hint = f" Did you mean {', '.join(close)}?" if close else ""
    raise UserError(f"No customer '{customer}' is scored in {analysis.path.name} "
                    f"(as of {model.as_of_label}); the key must match the workbook exactly.{hint}")


def customer_by_name(model: ChurnModel, name: str) -> str | None:
    """The key of the one customer whose name is ``name`` (ignoring case and spaces around it), if just one."""
    wanted = name.strip().casefold()
    names = model.customers["name"].astype(object)
    found = model.customers["customer"][[isinstance(n, str) and n.strip().casefold() == wanted for n in names]]
    return found.iloc[0] if len(found) == 1 else None


def close_customers(model: ChurnModel, text: str, most: int = 3) -> list[str]:
    """The keys most like ``text`` (the same but for case, spaces or leading zeros; else similar keys or
    names), each shown with its name."""
    customers = model.customers
    keys = customers["customer"].astype(str).tolist()
    names = dict(zip(keys, customers["name"].astype(object)))

    def plain(key: str) -> str:
        return key.strip().casefold().lstrip("0")

    same = [key for key in keys if plain(key) == plain(text)]
    by_name = {str(n).casefold(): key for key, n in names.items() if isinstance(n, str)}
    similar = difflib.get_close_matches(text, keys, n=most) + [
        by_name[n] for n in difflib.get_close_matches(text.casefold(), list(by_name), n=most)]
    chosen = list(dict.fromkeys(same + similar))[:most]
    return [f"'{key}'" + (f" ({names[key]})" if isinstance(names[key], str) else "") for key in chosen]


def write_customer_history(analysis: Analysis, workbook: Workbook, customer: str, lang: str = "en") -> str:
    """Write the Customer History sheet for one customer; returns the sheet's name."""
    history = history_of(analysis, customer, lang)
    name = workbook.put_sheet(history_sheet(analysis.model, history, lang), "history")
    workbook.save()
    return name


def write_settings_sheet(workbook: Workbook, lang: str = "en") -> str:
    """Create or renew the settings sheet, keeping every value already set there; returns its name."""
    own = workbook.own_sheet("settings")
    current, others = {}, {}
    for key, value in (settings_from_rows(workbook.read_rows(own)) if own else {}).items():
        try:
            current[canonical_name(key)] = value
        except SettingsError:
            others[key] = value       # a line the user added that is no rule setting (e-mail, a note): kept
    name = workbook.put_sheet(settings_sheet(current, lang, others), "settings")
    workbook.save()
    return name
