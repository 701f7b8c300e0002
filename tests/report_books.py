"""Order books for the report tests: the bundled sample as a CSV export without some of its columns."""
from __future__ import annotations

from pathlib import Path

import fastexcel

from report_checks import SAMPLE


def sample_without(columns: tuple[str, ...], path: Path) -> Path:
    """The sample's order lines, written as ``path`` (a CSV) without ``columns`` (e.g. no ``Sales Rep``)."""
    orders = fastexcel.read_excel(SAMPLE).load_sheet("Orders", header_row=2).to_pandas()
    orders.drop(columns=list(columns)).to_csv(path, index=False)
    return path
