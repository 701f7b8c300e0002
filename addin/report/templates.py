"""Where the report templates are: the bundled ones by kind and language, or the user's own file."""
from __future__ import annotations

from pathlib import Path

from workbook_templates import bundled_file

from ..errors import UserError

KINDS = ("at-risk", "win-back", "review", "customer-card", "backtest")


def template_name(kind: str, lang: str) -> str:
    """The file name of a bundled template: ``at-risk.xlsx``, ``at-risk.zh.xlsx`` …"""
    return f"{kind}.xlsx" if lang == "en" else f"{kind}.{lang}.xlsx"


def find_template(template: str | Path, lang: str) -> Path:
    """A kind's bundled template, or the user's template file (which must exist and be .xlsx/.xlsm)."""
    if str(template) in KINDS:
        name = template_name(str(template), lang)
        path = bundled_file(name)
        if path is None:
            raise UserError(f"The bundled template {name} is missing from this installation of churnkit; "
                            "reinstall it (pip install --force-reinstall churnkit).")
        return path
    path = Path(template)
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise UserError(f"--template must be one of {', '.join(KINDS)} or an .xlsx template file, not '{template}'.")
    if not path.is_file():
        raise UserError(f"The template {path} does not exist.")
    return path


def template_label(template: str | Path) -> str:
    """The word for a template in file names: its kind, or its file's stem."""
    return str(template) if str(template) in KINDS else Path(template).stem.split(".")[0]
