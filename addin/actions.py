"""What churnkit does, independent of who asks (command line, ribbon, worksheet functions)."""
from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any, Mapping, Sequence

from churn_logic import ChurnModel, NoOrdersError, analyse

from .errors import UserError
from .progress import Progress
from .reader import ReadResult, check_file, open_workbook, read_order_book
from .settings_sources import gather

STRICT_EXAMPLES = 3


@dataclasses.dataclass
class Analysis:
    """A workbook read and scored."""
    path: Path
    read: ReadResult
    model: ChurnModel


def analyse_workbook(path: Path | str, flags: Mapping[str, Any] | None = None,
                     sheets: Sequence[str] | None = None, all_sheets: bool = False, strict: bool = False,
                     progress: Progress | None = None, today: dt.date | None = None) -> Analysis:
    """Read the orders of ``path`` with every settings source, and score every customer."""
    path = Path(path)
    check_file(path)
    reader = None if path.suffix.lower() == ".csv" else open_workbook(path)
    settings = gather(path, flags or {}, reader)
    read = read_order_book(path, settings, sheets, all_sheets, progress, reader)
    skipped = read.book.skipped
    if strict and len(skipped):
        examples = "; ".join(f"sheet '{r.sheet}' row {r.row}: {r.reason}"
                             for r in skipped.head(STRICT_EXAMPLES).itertuples())
        more = f" (and {len(skipped) - STRICT_EXAMPLES} more)" if len(skipped) > STRICT_EXAMPLES else ""
        raise UserError(f"{len(skipped)} rows of {path.name} cannot be read — {examples}{more}; "
                        "fix them, or run without --strict to skip such rows.")
    try:
        model = analyse(read.book.lines, settings, today)
    except NoOrdersError as exc:
        raise UserError(f"{path.name}: {exc}") from exc
    return Analysis(path, read, model)
