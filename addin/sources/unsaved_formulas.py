"""Finding formulas without saved results, to say why a column of a workbook reads as empty.

fastexcel reads a formula cell's saved result; a workbook written by a program that does
not calculate (a report generator, a script) and never opened in Excel or LibreOffice has
none, so its Amount column reads as empty. Only asked when no order line could be read.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

from ..ooxml.formulas import formulas_without_results
from ..ooxml.package import PackageError, WorkbookPackage
from ..ooxml.xml_text import XmlError


def rows_with_unsaved_formulas(path: Path, sheet: str) -> set[int]:
    """The Excel rows of a sheet with a formula cell that has no saved result (empty when the file is
    not an OOXML package or cannot be looked into)."""
    try:
        package = WorkbookPackage.open(path)
        part = next((s.part for s in package.sheets() if s.name == sheet and s.part in package.parts), None)
        return {row for row, _ in formulas_without_results(package.parts.read(part))} if part else set()
    except (OSError, zipfile.BadZipFile, PackageError, XmlError):
        return set()
