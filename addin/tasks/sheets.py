"""One customer's history (shown, or written as a sheet), and the settings sheet."""
from __future__ import annotations

import difflib

from churn_logic import ChurnModel, CustomerHistory, SettingsError, canonical_name, customer_history

from ..content.history_sheet import history_sheet
from ..content.settings_sheet import settings_sheet
from ..errors import UserError
from ..sources.settings import settings_from_rows
from ..workbooks.base import Workbook
from .analysis import Analysis


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
