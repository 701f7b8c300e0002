"""The settings sheet: every setting with its value, default and a one-line explanation.

It is the sheet ``addin.sources.settings`` reads (column A the setting, column B the value),
so a user changes a value in column B and the next refresh uses it.
"""
from __future__ import annotations

from typing import Any, Mapping

from churn_logic import SPECS

from .model import Column, SheetContent, Table
from .sheet_kinds import KINDS

HEADERS = {"en": ("Setting", "Value", "Default", "Meaning"), "zh": ("设置", "值", "默认值", "说明")}
NOTES = {
    "en": "Change a value in column B; an empty value means the default. "
          "Command-line flags win over this sheet, this sheet over churnkit.toml.",
    "zh": "在 B 列修改取值；留空即使用默认值。命令行参数优先于本表，本表优先于 churnkit.toml。",
}


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
    columns = [Column(HEADERS[lang][0], width=22), Column(HEADERS[lang][1], "any", 16, user=True),
               Column(HEADERS[lang][2], "any", 14), Column(HEADERS[lang][3], width=70)]
    return SheetContent(kind.names[lang], kind.titles[lang], [("", NOTES[lang])],
                        [Table(kind.table, columns, rows)], tab_color="FF7030A0")
