"""Where settings come from: ``churnkit.toml`` next to the workbook, the workbook's
settings sheet, and the command line — flags win over the sheet, the sheet over the
file, the file over the defaults.
"""
from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Mapping

from churn_logic import Settings, SettingsError, resolve

from ..errors import UserError
from ..content.sheet_kinds import SETTINGS_SHEETS
from .tables import SheetTables

CONFIG_FILE = "churnkit.toml"
MAIL_TABLE = "smtp"             # churnkit.toml's [smtp] table: read by addin.report.mail_settings
MAIL_SHEET_NAMES = {"smtp_host": "host", "smtp_port": "port", "smtp_security": "security", "smtp_user": "user",
                    "smtp_from": "from", "smtp_to": "to", "smtp服务器": "host", "smtp端口": "port", "smtp加密": "security",
                    "smtp用户": "user", "发件人": "from", "收件人": "to"}
PASSWORD_NAMES = {"password", "smtp_password", "smtp密码", "密码"}
_HEADER_WORDS = {"setting", "settings", "name", "设置", "设置项", "参数"}


def file_settings(folder: Path) -> dict[str, Any]:
    """Settings from ``churnkit.toml`` in the workbook's folder (a ``[columns]`` table maps fields to headers)."""
    path = folder / CONFIG_FILE
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UserError(f"{path} is not valid TOML: {exc}.") from exc
    columns = data.pop("columns", {})
    if not isinstance(columns, dict):
        raise UserError(f"In {path}, 'columns' must be a table such as [columns] date = \"Order Date\".")
    data.pop(MAIL_TABLE, None)
    nested = data.pop("settings", {})
    merged = {**data, **nested}
    merged.update({f"{field}_column": header for field, header in columns.items()})
    return merged


def sheet_settings(tables: SheetTables | None) -> tuple[str, dict[str, Any]]:
    """Settings from the workbook's settings sheet, with the sheet's name ('' when there is none)."""
    name = next((s for s in SETTINGS_SHEETS if tables is not None and s in tables.sheet_names), None)
    if name is None:
        return "", {}
    _, table = tables.load(name)
    return name, settings_from_rows([list(row.values()) for row in table.to_pylist()])


def settings_from_rows(rows: list[list[Any]]) -> dict[str, Any]:
    """Column A the setting, column B its value; rows above a header row (Setting | Value) are a title."""
    header = next((i for i, row in enumerate(rows) if row and _key(row[0]).lower() in _HEADER_WORDS), None)
    values: dict[str, Any] = {}
    for row in rows[header + 1 if header is not None else 0:]:
        key = _key(row[0]) if row else ""
        if key:
            values[key] = row[1] if len(row) > 1 else None
    return values


def _key(cell: Any) -> str:
    return cell.strip() if isinstance(cell, str) else ""


def canonical_mail_name(key: str) -> str:
    return str(key).strip().lower().replace("-", "_").replace(" ", "_")


def is_mail_setting(key: str) -> bool:
    """True for a settings row that belongs to e-mail (``smtp_host``, ``SMTP服务器`` …), not to the rules."""
    name = canonical_mail_name(key)
    return name in MAIL_SHEET_NAMES or name in PASSWORD_NAMES


def gather(folder: Path | None, flags: Mapping[str, Any], tables: SheetTables | None = None) -> Settings:
    """Resolve the settings for one workbook: ``churnkit.toml`` in ``folder``, its settings sheet, the flags."""
    sheet_name, from_sheet = sheet_settings(tables)
    from_sheet = {key: value for key, value in from_sheet.items() if not is_mail_setting(key)}
    layers = [(CONFIG_FILE, file_settings(folder) if folder is not None else {}),
              (f"the '{sheet_name}' sheet", from_sheet),
              ("the command line", {k: v for k, v in flags.items() if v is not None})]
    try:
        return resolve(layers)
    except SettingsError as exc:
        raise UserError(str(exc), short=exc.problem) from exc
