"""Where the SMTP settings come from, and the password, which never lives in a file churnkit reads.

Settings (later wins): ``[smtp]`` in ``churnkit.toml`` beside the workbook (``host``,
``port``, ``security``, ``user``, ``from``, ``to``: who gets reports when nobody is named),
rows ``smtp_host`` … ``smtp_from``, ``smtp_to`` (or ``SMTP服务器``, ``SMTP端口``, ``SMTP加密``,
``SMTP用户``, ``发件人``, ``收件人``) on the workbook's settings sheet, then the command line. The password comes from the environment variable
``CHURNKIT_SMTP_PASSWORD``, else from the operating system's keyring (service
``churnkit-smtp:HOST``, user name the SMTP user); a password written in the file or the
sheet is refused, without repeating it.
"""
from __future__ import annotations

import dataclasses
import os
import tomllib
from pathlib import Path
from typing import Any, Mapping

from ..errors import UserError
from ..sources.settings import (CONFIG_FILE, MAIL_SHEET_NAMES, MAIL_TABLE, PASSWORD_NAMES, canonical_mail_name,
                                is_mail_setting, sheet_settings)
from ..sources.tables import SheetTables

PASSWORD_VARIABLE = "CHURNKIT_SMTP_PASSWORD"
KEYRING_SERVICE = "churnkit-smtp:{host}"
SECURITY = ("starttls", "ssl", "none")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}


@dataclasses.dataclass(frozen=True)
class SmtpSettings:
    host: str | None = None
    port: int = DEFAULT_PORTS["starttls"]
    security: str = "starttls"
    user: str | None = None
    sender: str | None = None
    to: tuple[str, ...] = ()

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


def smtp_settings(folder: Path | None, flags: Mapping[str, Any], tables: SheetTables | None = None) -> SmtpSettings:
    """The SMTP settings: ``churnkit.toml`` in ``folder``, the settings sheet of ``tables``, then ``flags``
    (keys ``host``, ``port``, ``security``, ``user``, ``from``; None = not given)."""
    values: dict[str, Any] = {}
    layers = ((CONFIG_FILE, _file_layer(folder) if folder is not None else {}),
              ("the settings sheet", _sheet_layer(tables)), ("the command line", flags))
    for source, layer in layers:
        for key, value in layer.items():
            if canonical_mail_name(key) in PASSWORD_NAMES:
                raise UserError(f"{source} must not hold the SMTP password; set {PASSWORD_VARIABLE} or keep it in "
                                "the keyring instead, and remove it from there.")
            if value not in (None, ""):
                values[key] = value if isinstance(value, list) else str(value).strip()
    security = values.get("security", "starttls").lower()
    if security not in SECURITY:
        raise UserError(f"The SMTP security '{security}' is not one of {', '.join(SECURITY)}.")
    port_text = values.get("port", str(DEFAULT_PORTS[security]))
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise UserError(f"The SMTP port '{port_text}' is not a port number (1–65535).")
    to = values.get("to", [])
    to = tuple(a.strip() for a in (to if isinstance(to, list) else to.split(",")) if a.strip())
    return SmtpSettings(values.get("host"), int(port_text), security, values.get("user"), values.get("from"), to)


def _file_layer(folder: Path) -> dict[str, Any]:
    path = folder / CONFIG_FILE
    if not path.exists():
        return {}
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8")).get(MAIL_TABLE, {})
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UserError(f"{path} is not valid TOML: {exc}.") from exc
    if not isinstance(table, dict):
        raise UserError(f"In {path}, 'smtp' must be a table such as [smtp] host = \"smtp.example.com\".")
    return table


def _sheet_layer(tables: SheetTables | None) -> dict[str, Any]:
    _, rows = sheet_settings(tables)
    return {(MAIL_SHEET_NAMES.get(canonical_mail_name(k)) or canonical_mail_name(k)): v
            for k, v in rows.items() if is_mail_setting(k)}


def smtp_password(settings: SmtpSettings) -> str | None:
    """The SMTP password: ``CHURNKIT_SMTP_PASSWORD``, else the keyring; None when neither has one.

    A missing or broken keyring counts as no password, never as an error.
    """
    password = os.environ.get(PASSWORD_VARIABLE)
    if password:
        return password
    try:
        import keyring
        return keyring.get_password(KEYRING_SERVICE.format(host=settings.host), settings.user or "")
    except Exception:  # no keyring package, no backend, a locked store: all mean "no password here"
        return None
