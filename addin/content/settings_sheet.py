"""The settings sheet: every setting with its value, default and a one-line explanation.

It is the sheet ``addin.sources.settings`` reads (column A the setting, column B the value),
so a user changes a value in column B and the next refresh uses it.
"""
from __future__ import annotations

from typing import Any, Mapping

from churn_logic import SPECS

from .model import Column, SheetContent, Table
from .sheet_kinds import KINDS
from .words import WORDS


def settings_sheet(current: Mapping[str, Any], lang: str = "en", others: Mapping[str, Any] | None = None
                   ) -> SheetContent:
    """The settings sheet, keeping the values already set (``current``: setting name -> value) and, below
    the settings, the user's other lines (e-mail settings, notes: ``others``, column A -> column B)."""
    kind = KINDS["settings"]
    rows = []
    for name, spec in SPECS.items():
        label = name if lang == "en" else spec.label_zh
        value = current.get(name)
        default = "" if spec.default is None else spec.default
        rows.append([label, value, default, spec.help_en if lang == "en" else spec.help_zh])
    rows += [[key, value, None, None] for key, value in (others or {}).items()]
    words = WORDS[lang]["settings_sheet"]
    headers = words["headers"]           # setting, value, default, meaning
    columns = [Column(headers[0], width=22), Column(headers[1], "any", 16, user=True), Column(headers[2], "any", 14),
               Column(headers[3], width=70)]
    return SheetContent(kind.names[lang], kind.titles[lang], [("", words["note"])],
                        [Table(kind.table, columns, rows)], tab_color="FF7030A0")
