"""Installing the add-in where Excel loads add-ins at start-up, with its configuration.

As ``xlwings addin install`` does: the add-in goes into Excel's user start-up folder, the
one Excel itself names (``Application.StartupPath``, asked of a running Excel or of a
hidden one, the default folder when Excel cannot be asked); on a Mac, xlwings'
AppleScript, through which ``RunPython`` runs there, goes into Excel's script folder; the
configuration (the Python of this environment, the UDF module) goes where xlwings'
custom add-in module looks for ``churnkit.conf``, written as xlwings writes its own
config: quoted pairs, one a line, in the encoding the add-in's VBA reads it in (the
system's ANSI code page on Windows). No VBA editor step is needed. Excel runs on
Windows and macOS only; elsewhere nothing is done.
"""
from __future__ import annotations

import dataclasses
import locale
import os
import re
import shutil
import sys
import zipfile
from pathlib import Path
from typing import Callable, Mapping

import xlwings

from .build import ADDIN_NAMES, PROJECT_NAME, UDF_MODULE, XLWINGS_DIR, build_addin
from ..errors import UserError
from .vba.reading import module_source

_MAC_STARTUP = "Library/Group Containers/UBF8T346G9.Office/User Content.localized/Startup.localized/Excel"
_MAC_CONFIG = "Library/Containers/com.microsoft.Excel/Data"
_MAC_SCRIPTS = "Library/Application Scripts/com.microsoft.Excel"
_DLL = re.compile(r'"xlwings(?:32|64)-([^"]+)\.dll"')


@dataclasses.dataclass(frozen=True)
class Locations:
    startup: Path          # Excel's start-up folder (XLSTART) for this user
    config: Path           # churnkit.conf, read by the add-in's xlwings module
    interpreter: str       # the Python that runs churnkit
    config_key: str        # INTERPRETER_WIN or INTERPRETER_MAC
    config_encoding: str = "utf-8"     # the encoding the add-in's VBA reads churnkit.conf in
    line_end: str = "\r\n"
    scripts: Path | None = None        # macOS: Excel's AppleScript folder, for xlwings' RunPython script
    note: str = ""                     # how the start-up folder was found, when Excel could not be asked


def excel_startup_folder() -> Path | None:
    """Excel's own start-up folder, asked as ``xlwings addin install`` asks it; None when Excel cannot be asked."""
    try:
        if xlwings.apps:
            return Path(xlwings.apps.active.startup_path)
        with xlwings.App(visible=False) as app:
            return Path(app.startup_path)
    except Exception:  # noqa: BLE001 - no Excel, or Excel refused: the default folder is used and said so
        return None


def locations(platform: str = sys.platform, env: Mapping[str, str] = os.environ, home: Path | None = None,
              executable: str = sys.executable,
              ask_excel: Callable[[], Path | None] = excel_startup_folder) -> Locations | None:
    """Where the add-in and its configuration go on this system; None where Excel does not run."""
    home = home or Path.home()
    if platform == "win32":
        windowless = Path(executable).with_name("pythonw.exe")
        default = Path(env["APPDATA"]) / "Microsoft" / "Excel" / "XLSTART"
        startup = ask_excel()
        return Locations(startup or default,
                         Path(env.get("USERPROFILE", str(home))) / f".{PROJECT_NAME}" / f"{PROJECT_NAME}.conf",
                         str(windowless if windowless.exists() else executable), "INTERPRETER_WIN",
                         config_encoding=locale.getencoding(), note="" if startup else _default_note(default))
    if platform == "darwin":
        default = home / _MAC_STARTUP
        startup = ask_excel()
        return Locations(startup or default, home / _MAC_CONFIG / f"{PROJECT_NAME}.conf", executable,
                         "INTERPRETER_MAC", config_encoding="utf-8", line_end="\n", scripts=home / _MAC_SCRIPTS,
                         note="" if startup else _default_note(default))
    return None


def _default_note(default: Path) -> str:
    return f"Excel could not be asked for its start-up folder, so the default one is used: {default}."


def _no_excel(action: str) -> UserError:
    return UserError(f"Excel runs on Windows and macOS, not here ({sys.platform}), so 'addin {action}' does "
                     f"nothing. On Windows it builds {ADDIN_NAMES['en']} for this Python, copies it into Excel's "
                     f"start-up folder (%APPDATA%\\Microsoft\\Excel\\XLSTART) and writes %USERPROFILE%\\."
                     f"{PROJECT_NAME}\\{PROJECT_NAME}.conf naming this Python and the worksheet functions' module "
                     f"{UDF_MODULE}; 'churnkit addin build' works everywhere.")


def applescript() -> Path:
    """xlwings' AppleScript for this xlwings version: the add-in's RunPython calls it by this name on a Mac."""
    return XLWINGS_DIR / f"xlwings-{xlwings.__version__}.applescript"


def install(lang: str = "en", where: Locations | None = None) -> list[str]:
    """Build and install the add-in and write its configuration; returns what was done, in words."""
    where = where or locations()
    if where is None:
        raise _no_excel("install")
    config = _config_bytes(where, [(where.config_key, where.interpreter), ("UDF MODULES", UDF_MODULE)])
    done = [where.note] if where.note else []
    for other in (name for code, name in ADDIN_NAMES.items() if code != lang):
        if (where.startup / other).exists():
            (where.startup / other).unlink()
            done.append(f"Removed {where.startup / other}: Excel would show two Churn tabs.")
    addin = build_addin(where.startup, lang)
    done.append(f"Installed {addin}; Excel loads it at start-up (restart Excel).")
    if where.scripts is not None:
        where.scripts.mkdir(parents=True, exist_ok=True)
        shutil.copy(applescript(), where.scripts)
        done.append(f"Copied {applescript().name} into {where.scripts}: the buttons run Python through it.")
    where.config.parent.mkdir(parents=True, exist_ok=True)
    where.config.write_bytes(config)
    done.append(f"Wrote {where.config}: {where.config_key} = {where.interpreter}, UDF MODULES = {UDF_MODULE}.")
    return done


def _config_bytes(where: Locations, lines: list[tuple[str, str]]) -> bytes:
    """``"KEY","value"`` lines as xlwings writes its config, in the encoding the add-in's VBA reads them in."""
    for path in (where.interpreter, str(where.config)):
        try:
            path.encode(where.config_encoding)
        except UnicodeEncodeError:
            raise UserError(f"The path {path} has characters that this system's code page "
                            f"({where.config_encoding}), in which Excel's VBA reads {where.config.name}, cannot "
                            "hold, so the add-in could not find this Python: install Python in a folder whose "
                            r"path has only such characters (e.g. C:\Python311) and run 'churnkit addin install' "
                            "with it.") from None
    return "".join(f'"{key}","{value}"{where.line_end}' for key, value in lines).encode(where.config_encoding)


def remove(where: Locations | None = None) -> list[str]:
    where = where or locations()
    if where is None:
        raise _no_excel("remove")
    done = []
    for path in (*(where.startup / name for name in ADDIN_NAMES.values()), where.config):
        if path.exists():
            path.unlink()
            done.append(f"Removed {path}.")
    return done or ["The add-in was not installed; nothing to remove."]


def status(where: Locations | None = None) -> list[str]:
    where = where or locations()
    if where is None:
        return [str(_no_excel("status"))]
    installed = [where.startup / name for name in ADDIN_NAMES.values() if (where.startup / name).exists()]
    lines = [where.note] if where.note else []
    lines += [f"Add-in: {addin} (installed{_built_for(addin)})." for addin in installed] or \
        [f"Add-in: {where.startup / ADDIN_NAMES['en']} (not installed)."]
    if where.scripts is not None:
        script = where.scripts / applescript().name
        lines.append(f"RunPython script: {script} ({'present' if script.exists() else 'missing'}).")
    config = where.config
    lines.append(f"Configuration: {config}" + (
        f": {config.read_bytes().decode(where.config_encoding, errors='replace').strip()}" if config.exists()
        else " (missing)."))
    return lines


def _built_for(addin: Path) -> str:
    """The xlwings version the add-in's VBA was built for, and what to do when it is not this one's."""
    try:
        with zipfile.ZipFile(addin) as package:
            source = module_source(package.read("xl/vbaProject.bin"), "xlwings")
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        return f", but it cannot be read ({exc}): reinstall it with 'churnkit addin install'"
    found = _DLL.search(source or "")
    if found is None:
        return ", but it has no xlwings module: reinstall it with 'churnkit addin install'"
    built = found[1]
    if built == xlwings.__version__:
        return f", built for xlwings {built}"
    lang = next(code for code, name in ADDIN_NAMES.items() if name == addin.name)
    return (f", but built for xlwings {built} while this Python has xlwings {xlwings.__version__}: its VBA calls "
            f"xlwings64-{built}.dll and xlwings-{built}.applescript, which this xlwings does not have, so the "
            f"buttons and worksheet functions fail; rebuild it with 'churnkit addin install"
            f"{' --lang zh' if lang == 'zh' else ''}'")
