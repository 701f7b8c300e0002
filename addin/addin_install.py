"""Installing the add-in where Excel loads add-ins at start-up, with its configuration.

Like ``xlwings addin install``: the add-in goes into Excel's user start-up folder
(XLSTART); its configuration file (the Python of this environment, the UDF module) goes
where xlwings' custom add-in module looks for ``churnkit.conf``, so that no VBA editor
step is needed. Excel runs on Windows and macOS only; elsewhere nothing is done.
"""
from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path
from typing import Mapping

from .addin_build import ADDIN_NAME, PROJECT_NAME, UDF_MODULE, build_addin
from .errors import UserError

_MAC_STARTUP = "Library/Group Containers/UBF8T346G9.Office/User Content.localized/Startup.localized/Excel"
_MAC_CONFIG = "Library/Containers/com.microsoft.Excel/Data"


@dataclasses.dataclass(frozen=True)
class Locations:
    startup: Path          # Excel's XLSTART folder for this user
    config: Path           # churnkit.conf, read by the add-in's xlwings module
    interpreter: str       # the Python that runs churnkit
    config_key: str        # INTERPRETER_WIN or INTERPRETER_MAC


def locations(platform: str = sys.platform, env: Mapping[str, str] = os.environ, home: Path | None = None,
              executable: str = sys.executable) -> Locations | None:
    """Where the add-in and its configuration go on this system; None where Excel does not run."""
    home = home or Path.home()
    if platform == "win32":
        windowless = Path(executable).with_name("pythonw.exe")
        return Locations(Path(env["APPDATA"]) / "Microsoft" / "Excel" / "XLSTART",
                         Path(env.get("USERPROFILE", str(home))) / f".{PROJECT_NAME}" / f"{PROJECT_NAME}.conf",
                         str(windowless if windowless.exists() else executable), "INTERPRETER_WIN")
    if platform == "darwin":
        return Locations(home / _MAC_STARTUP, home / _MAC_CONFIG / f"{PROJECT_NAME}.conf", executable,
                         "INTERPRETER_MAC")
    return None


def _no_excel(action: str) -> UserError:
    return UserError(f"Excel runs on Windows and macOS, not here ({sys.platform}), so 'addin {action}' does "
                     f"nothing. On Windows it builds {ADDIN_NAME} for this Python, copies it into Excel's start-up "
                     f"folder (%APPDATA%\\Microsoft\\Excel\\XLSTART) and writes %USERPROFILE%\\.{PROJECT_NAME}\\"
                     f"{PROJECT_NAME}.conf naming this Python and the worksheet functions' module {UDF_MODULE}; "
                     f"'churnkit addin build' works everywhere.")


def install(lang: str = "en", where: Locations | None = None) -> list[str]:
    """Build and install the add-in and write its configuration; returns what was done, in words."""
    where = where or locations()
    if where is None:
        raise _no_excel("install")
    addin = build_addin(where.startup, lang)
    where.config.parent.mkdir(parents=True, exist_ok=True)
    lines = [(where.config_key, where.interpreter), ("UDF MODULES", UDF_MODULE)]
    where.config.write_text("".join(f'"{key}","{value}"\r\n' for key, value in lines), encoding="utf-8")
    return [f"Installed {addin}; Excel loads it at start-up (restart Excel).",
            f"Wrote {where.config}: {where.config_key} = {where.interpreter}, UDF MODULES = {UDF_MODULE}."]


def remove(where: Locations | None = None) -> list[str]:
    where = where or locations()
    if where is None:
        raise _no_excel("remove")
    done = []
    for path in (where.startup / ADDIN_NAME, where.config):
        if path.exists():
            path.unlink()
            done.append(f"Removed {path}.")
    return done or ["The add-in was not installed; nothing to remove."]


def status(where: Locations | None = None) -> list[str]:
    where = where or locations()
    if where is None:
        return [str(_no_excel("status"))]
    addin, config = where.startup / ADDIN_NAME, where.config
    return [f"Add-in: {addin} ({'installed' if addin.exists() else 'not installed'}).",
            f"Configuration: {config}" + (f": {config.read_text(encoding='utf-8').strip()}" if config.exists()
                                          else " (missing).")]
