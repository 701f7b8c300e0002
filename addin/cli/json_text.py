"""Indented JSON as the json module writes it, several times faster for the command line's big documents."""
from __future__ import annotations

import dataclasses
import functools
import json
import math
from json.encoder import encode_basestring
from typing import Any, Sequence

_SCALARS = {str, int, float, bool, type(None)}
# json's C encoder with a NUL between items: it writes a NUL inside a text as \u0000, so a NUL splits the items
_SPLIT_ITEMS = json.JSONEncoder(ensure_ascii=False, separators=("\0", ": ")).encode


@dataclasses.dataclass(frozen=True)
class Rows:
    """A table given a column at a time (``columns[i]`` holds field ``keys[i]`` of every row), which ``dumps``
    writes as the list of its rows, each a dict of ``keys``: the customers of ``scan``, without a dict each."""
    keys: Sequence[str]
    columns: Sequence[Sequence[Any]]

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.keys, values)) for values in zip(*self.columns)]


def dumps(value: Any) -> str:
    """``json.dumps(value, ensure_ascii=False, indent=2)``, a ``Rows`` written as its ``records()``.

    The json module writes indented JSON with its pure-Python encoder; this writes the same text for dicts,
    lists, strings, numbers, booleans and None (lists of scalars and a table's columns with json's C
    encoder), and leaves anything else to the json module (which raises the same error it always did).
    """
    try:
        return _dumps(value, "\n")
    except TypeError:
        return json.dumps(value, ensure_ascii=False, indent=2, default=_records)


def _records(value: Any) -> Any:
    if isinstance(value, Rows):
        return value.records()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _dumps(value: Any, newline: str) -> str:
    if isinstance(value, str):
        return encode_basestring(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return _float_json(value)
    if isinstance(value, Rows):
        return _rows_json(value, newline)
    if not isinstance(value, (list, tuple, dict)):
        raise TypeError(type(value).__name__)
    if not value:
        return "{}" if isinstance(value, dict) else "[]"
    inner = newline + "  "
    items = value.values() if isinstance(value, dict) else value
    if all(type(item) in _SCALARS for item in items):     # one line per item: json's C encoder can write it
        text = _flat_encoder(inner)(value)
        return text[0] + inner + text[1:-1] + newline + text[-1]
    if isinstance(value, dict):
        return "{" + inner + ("," + inner).join([_json_key(key) + ": " + _dumps(item, inner)
                                                 for key, item in value.items()]) + newline + "}"
    return "[" + inner + ("," + inner).join([_dumps(item, inner) for item in value]) + newline + "]"


def _rows_json(rows: Rows, newline: str) -> str:
    """The rows of a table, each as ``_dumps`` writes a dict, made a column at a time: a column of scalars is
    one call of json's C encoder."""
    if not rows.columns or not len(rows.columns[0]):
        return "[]"
    inner, field = newline + "  ", newline + "    "
    template = "{" + field + ("," + field).join(_json_key(key).replace("%", "%%") + ": %s" for key in rows.keys) \
        + inner + "}"
    texts = [_SPLIT_ITEMS(column)[1:-1].split("\0") if set(map(type, column)) <= _SCALARS
             else [_dumps(item, field) for item in column] for column in rows.columns]
    return "[" + inner + ("," + inner).join([template % values for values in zip(*texts)]) + newline + "]"


@functools.lru_cache
def _flat_encoder(inner: str):
    """json's C encoder, with each item on its own line: exact for containers of scalars."""
    return json.JSONEncoder(ensure_ascii=False, separators=("," + inner, ": ")).encode


def _float_json(value: float) -> str:
    if value != value:
        return "NaN"
    if value in (math.inf, -math.inf):
        return "Infinity" if value > 0 else "-Infinity"
    return float.__repr__(value)


def _json_key(key: Any) -> str:
    if isinstance(key, str):
        return encode_basestring(key)
    if isinstance(key, float):
        return encode_basestring(_float_json(key))
    if key is True or key is False or key is None:
        return encode_basestring(_dumps(key, ""))
    if isinstance(key, int):
        return encode_basestring(int.__repr__(key))
    raise TypeError(type(key).__name__)
