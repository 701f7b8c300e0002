"""Churn models kept between worksheet-function calls (the UDFs of ``addin/udfs.py``).

A model is built once per content: its key is a hash of the orders and settings it was
built from, and the handle text that =CHURN_MODEL(...) shows ends with that key. When
the orders change, the handle text changes and Excel recalculates every cell that uses
it; a cell that passes the handle costs a dictionary lookup. Only the last
``MAX_MODELS`` models used are kept. A handle whose model is gone (dropped from the
cache, or saved in a workbook and reopened in a new Python session) is not rebuilt:
the cells say so, and recalculating CHURN_MODEL rebuilds it.
"""
from __future__ import annotations

import collections
import dataclasses
import functools
import hashlib
import re
from typing import Any, Callable

from churn_logic import ChurnModel, NoOrderForecast, forecast_no_order

MAX_MODELS = 4
KEY_CHARS = 8
HANDLE_PREFIX = "churn model · "
_HANDLE = re.compile(rf"^{re.escape(HANDLE_PREFIX)}.* · #([0-9a-f]{{{KEY_CHARS}}})$")


@dataclasses.dataclass
class Cached:
    """One model and what the per-customer functions read from it, as plain lists by row."""
    key: str
    model: ChurnModel
    lang: str                   # the language of the settings it was built with
    skipped: int                # order rows that could not be read
    _columns: dict[str, list] = dataclasses.field(default_factory=dict)
    _reasons: dict[str, list[str]] = dataclasses.field(default_factory=dict)

    @property
    def handle(self) -> str:
        """``churn model · 300 customers · as of 2026-10 · 2 rows skipped · #3f9a2c0d``."""
        skipped = (f" · {self.skipped:,} {'row' if self.skipped == 1 else 'rows'} skipped"
                   if self.skipped else "")
        return (f"{HANDLE_PREFIX}{len(self.model.customers):,} customers · as of {self.model.as_of_label}"
                f"{skipped} · #{self.key}")

    def column(self, name: str) -> list:
        if name not in self._columns:
            self._columns[name] = self.model.customers[name].tolist()
        return self._columns[name]

    def reasons(self, lang: str) -> list[str]:
        if lang not in self._reasons:
            self._reasons[lang] = self.model.reasons(lang).tolist()
        return self._reasons[lang]

    @functools.cached_property
    def forecast(self) -> NoOrderForecast:
        """Each customer's chance of no order in the settings' horizon, made when a cell first asks for it."""
        return forecast_no_order(self.model, self.model.settings.horizon_months)


_models: collections.OrderedDict[str, Cached] = collections.OrderedDict()


def content_key(*parts: Any) -> str:
    """A short hash of values as Excel passed them; a list is hashed row by row."""
    digest = hashlib.blake2b(digest_size=KEY_CHARS // 2)
    for part in parts:
        for row in part if isinstance(part, list) else [part]:
            digest.update(repr(row).encode())
            digest.update(b"\n")
        digest.update(b"\0")
    return digest.hexdigest()


def is_handle(text: str) -> bool:
    return _handle_key(text) is not None


def lookup(handle: str) -> Cached | None:
    """The model a handle names, or None when it is no longer loaded."""
    key = _handle_key(handle)
    cached = _models.get(key) if key else None
    if cached is not None:
        _models.move_to_end(cached.key)
    return cached


@functools.lru_cache(maxsize=256)
def _handle_key(text: str) -> str | None:
    """The key at the end of a handle's text (None when it is no handle); cells pass the same text again and again."""
    match = _HANDLE.match(text.strip())
    return match.group(1) if match else None


def get_or_build(key: str, lang: str, build: Callable[[], tuple[ChurnModel, int]]) -> Cached:
    """The model for ``key``, built by ``build`` (model, skipped rows) when it is not cached."""
    cached = _models.get(key)
    if cached is None:
        model, skipped = build()
        cached = _models[key] = Cached(key, model, lang, skipped)
        while len(_models) > MAX_MODELS:
            _models.popitem(last=False)
    _models.move_to_end(key)
    return cached
