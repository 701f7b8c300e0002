"""Writing the at-risk and win-back lists into a workbook, keeping what the user typed into them."""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from pathlib import Path
from typing import Any

from ..content.csv_text import csv_text
from ..content.list_sheets import LIST_KINDS, SHEET_NAMES, WITHOUT_USER_COLUMNS, build_sheets, read_user_entries
from ..content.settings_text import settings_parts
from ..content.words import plural, words as words_of
from ..errors import UserError
from ..workbooks.base import Workbook
from .analysis import Analysis


@dataclasses.dataclass
class RefreshResult:
    sheets: dict[str, int]          # sheet name -> rows written
    backup: Path | None
    renamed: dict[str, str]         # churnkit's usual sheet name -> the name it used, where a sheet of yours had it


def refresh_lists(analysis: Analysis, workbook: Workbook, lang: str = "en",
                  now: dt.datetime | None = None) -> RefreshResult:
    """Write the at-risk and win-back lists into ``workbook``, keeping what the user typed in them."""
    now = (now or dt.datetime.now()).replace(microsecond=0)
    own = {kind: workbook.own_sheet(kind) for kind in LIST_KINDS}
    tables = {kind: workbook.read_rows(name) for kind, name in own.items()
              if name is not None and kind not in WITHOUT_USER_COLUMNS}
    sheets = build_sheets(analysis.model, analysis.forecast, read_user_entries(tables), lang, now,
                          list_heading(analysis, lang, now), analysis.read.book.skipped, own["closed"] is not None,
                          own["skipped"] is not None, own["departed"] is not None,
                          functools.partial(_write_beside, workbook.path, lang))
    written, renamed = {}, {}
    for kind, content in sheets:
        name = workbook.put_sheet(content, kind)
        written[name] = len(content.tables[0].rows)
        if name != content.name:
            renamed[content.name] = name
    return RefreshResult(written, workbook.save().backup, renamed)


def _write_beside(workbook: Path, lang: str, kind: str, headers: list[str], rows: list[list[Any]]) -> str:
    """A whole list as a CSV file beside the workbook (``orders - Win-Back.csv``); its name."""
    path = workbook.with_name(f"{workbook.stem} - {SHEET_NAMES[kind][lang]}.csv")
    columns = [[getattr(value, "text", value) for value in column] for column in zip(*rows)] if rows else \
        [[] for _ in headers]
    try:
        path.write_text(csv_text(headers, columns), encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise UserError(f"{path} could not be written ({exc.strerror or exc}).") from None
    return path.name


def list_heading(analysis: Analysis, lang: str, now: dt.datetime) -> list[tuple[str, object]]:
    """The heading block above both lists: as-of month, source, settings, counts, skipped rows."""
    words = words_of(lang, "lists")
    skipped = len(analysis.read.book.skipped)
    where = words["skipped_where"].format(n=skipped, rows=plural(skipped, "row"),
                                          sheet=SHEET_NAMES["skipped"][lang]) if skipped else words["none"]
    source = f"{analysis.path.name} · " + ", ".join(analysis.read.sheets)
    return [(words["as_of"], analysis.model.as_of_label), (words["refreshed"], now), (words["source"], source),
            (words["settings"], ", ".join(settings_parts(analysis.model, lang))),
            (words["customers"], words["counts"].format(**analysis.model.risk_counts())),
            (words["skipped_rows"], where), (words["stake"], words["stake_text"]),
            (words["chance"], words["chance_text"].format(k=analysis.forecast.horizon_months,
                                                        as_of=analysis.model.as_of_label,
                                                        how=analysis.forecast.calibration_words(lang))),
            (words["yours"], words["yours_text"])]
