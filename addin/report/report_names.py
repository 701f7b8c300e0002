"""Report file names: ``orders-at-risk-2026-10[-<rep or customer>][.zh].xlsx``, one file for each rep or customer.

A rep's or customer's name goes into the file name as its letters and digits (any script), with
runs of anything else as one ``-``. Where that could give two of them one file — names that
differ only in punctuation, spaces or letter case (Windows and macOS do not tell ``Ann`` from
``ann``), a name with no letters or digits, a name cut to its first 40 characters — each such
name gets ``_`` and a code made from the exact name (``A-B_4b861d8b``, the same on every run).
A plain part never holds ``_``, so it cannot meet a coded one.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from .templates import template_label

if TYPE_CHECKING:
    from ..tasks import Analysis

NAME_LENGTH = 40        # characters of a name kept in a file name
CODE_LENGTH = 8         # hex digits of the code that tells apart names that would share a file


def default_report_name(analysis: Analysis, template: str | Path, lang: str, part: str | None = None) -> str:
    """``orders-at-risk-2026-10.xlsx``; with ``part`` (from :func:`name_parts`) for a rep or customer, and
    ``.zh`` for Chinese when they apply (``.xlsm`` for a macro-enabled template of the user's)."""
    parts = [analysis.path.stem, template_label(template), analysis.model.as_of_label] + ([part] if part else [])
    suffix = ".xlsm" if str(template).lower().endswith(".xlsm") else ".xlsx"
    return "-".join(parts) + (f".{lang}" if lang != "en" else "") + suffix


def name_parts(names: Iterable[str]) -> dict[str, str]:
    """{name: its part of a file name} for reports side by side; no two parts alike, even ignoring case."""
    slugs = {name: _slug(name) for name in set(names)}
    alike = Counter(_fold(slug) for slug in slugs.values())
    return {name: slug if slug and len(slug) <= NAME_LENGTH and alike[_fold(slug)] == 1
            else f"{slug[:NAME_LENGTH].rstrip('-')}_{_code(name)}" for name, slug in slugs.items()}


def customer_part(analysis: Analysis, customer: str) -> str:
    """The file-name part of one customer's report, told apart from every other customer of the book."""
    return name_parts({*analysis.model.customers["customer"], customer})[customer]


def _slug(text: str) -> str:
    return re.sub(r"[\W_]+", "-", unicodedata.normalize("NFC", text)).strip("-")


def _fold(slug: str) -> str:
    """What a case-insensitive file system sees of a name (Windows, macOS): no case, one Unicode form."""
    return unicodedata.normalize("NFKC", slug.casefold())


def _code(name: str) -> str:
    return hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:CODE_LENGTH]
