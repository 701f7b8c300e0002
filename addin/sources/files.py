"""Telling what a file is before anything reads it: there, a workbook (not an old .xls, not encrypted), and
safe to open (``guard``); opening it with fastexcel."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import fastexcel
import olefile

from ..errors import UserError
from .guard import PackageGuard

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclasses.dataclass
class OpenWorkbook:
    """A workbook file opened by fastexcel, with the guard that checks each sheet before it is loaded."""
    reader: fastexcel.ExcelReader
    guard: PackageGuard


def open_workbook(path: Path, guard: PackageGuard | None = None) -> OpenWorkbook:
    """Open an Excel workbook with fastexcel (``guard``: its checks, when they were made already), or raise a
    :class:`UserError` that says why not."""
    guard = guard or check_file(path)
    try:
        return OpenWorkbook(fastexcel.read_excel(path), guard)
    except Exception as exc:  # fastexcel raises its own error types for every kind of bad file
        raise UserError(f"{path.name} could not be read as an Excel workbook ({first_line(exc)}).") from exc


def check_file(path: Path) -> PackageGuard | None:
    """Refuse what is not there, not a workbook, password-protected, damaged or too large to read, with a
    clear sentence; for a workbook, the guard of its package (see ``package_guard``)."""
    if not path.exists():
        raise UserError(f"File not found: {path}")
    if path.is_dir():
        raise UserError(f"{path} is a folder, not a workbook.")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return None
    with path.open("rb") as handle:
        magic = handle.read(8)
    if magic == _OLE_MAGIC:
        raise UserError(_ole_sentence(path))
    if suffix not in EXCEL_SUFFIXES or not magic.startswith(b"PK"):
        raise UserError(f"{path.name} is not an Excel workbook (.xlsx, .xlsm) or a .csv file.")
    return PackageGuard(path)


def _ole_sentence(path: Path) -> str:
    """What an OLE compound file is: an encrypted workbook (a package with a password) or an old .xls."""
    try:
        with olefile.OleFileIO(str(path)) as ole:
            encrypted = ole.exists("EncryptionInfo") and ole.exists("EncryptedPackage")
            old_style = ole.exists("Workbook") or ole.exists("Book")
    except OSError:
        encrypted = old_style = False
    if encrypted:
        return (f"{path.name} is password-protected (encrypted); save a copy without a password "
                "and run churnkit on that copy.")
    if old_style:
        named = f", although its name ends in {path.suffix}" if path.suffix.lower() in EXCEL_SUFFIXES else ""
        return (f"{path.name} is an old-style Excel 97-2003 workbook (.xls){named}; open it in Excel and save it "
                "as .xlsx.")
    return f"{path.name} is not an Excel workbook (.xlsx, .xlsm) or a .csv file."


def first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
