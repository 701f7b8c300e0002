"""Where the report templates are: the bundled ones by kind and language, or the user's own file."""
from __future__ import annotations

from pathlib import Path

from ..errors import UserError

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "workbook_templates"
KINDS = ("at-risk", "win-back", "review", "customer-card")


def template_file(kind: str, lang: str) -> Path:
    """The bundled template of a kind: ``at-risk.xlsx``, ``at-risk.zh.xlsx`` …"""
    return TEMPLATE_DIR / (f"{kind}.xlsx" if lang == "en" else f"{kind}.{lang}.xlsx")


def find_template(template: str | Path, lang: str) -> Path:
    """A kind's bundled template, or the user's template file (which must exist and be .xlsx/.xlsm)."""
    if str(template) in KINDS:
        path = template_file(str(template), lang)
        if not path.exists():
            raise UserError(f"The bundled template {path.name} is missing; run python -m addin.report.make_templates.")
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
