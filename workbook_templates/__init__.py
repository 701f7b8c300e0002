"""The bundled report templates and the sample order workbook, as package data.

``bundled_file(name)`` gives a file's path on disk whether churnkit runs from a source
checkout or from an installed wheel (read through ``importlib.resources``). The files are
made by ``python -m addin.report.make_templates`` and ``python -m addin.sample_data``.
"""
from __future__ import annotations

import atexit
import contextlib
from importlib import resources
from pathlib import Path

SAMPLE = "sample_orders.xlsx"
_EXTRACTED = contextlib.ExitStack()       # files extracted from a zipped install live until the process ends
atexit.register(_EXTRACTED.close)


def bundled_file(name: str) -> Path | None:
    """The path of a bundled file, None when it is not there."""
    entry = resources.files(__name__) / name
    if not entry.is_file():
        return None
    return _EXTRACTED.enter_context(resources.as_file(entry))
