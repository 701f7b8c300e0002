"""Order lines read where they lie: the per-customer, per-month aggregation runs in the engine that holds them
(DuckDB for files, the database itself), and only customer × month rows come back
(``churn_logic.CustomerMonths``).

The columns are found by their headers as a sheet's are (``churnkit.toml`` mappings, ``--date-column`` …). A
text column of dates or amounts is read as a sheet's cells are read: its distinct texts go through the engine's
own reading (``churn_logic.read_date_texts``), and what each reads as goes back as a small table the rows are
joined with. A typed column (DATE, TIMESTAMP, DECIMAL, DOUBLE) is taken as it is, within the same bounds. Rows
that are not plainly order lines — a missing or unreadable date, amount or customer, a totals row — are few: they
are fetched and judged by ``churn_logic.normalise`` itself, so each is reported (file or table, row, reason) or
left out as a sheet's would be, never dropped silently.
"""
from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import itertools
import math
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from churn_logic import (LARGEST_VALUE, LATEST_FIELDS, POSITION_BITS, UNITS_PER_ONE, CustomerMonths, OrderBook,
                         RawSheet, Settings, date_bounds, find_header_row, no_customer_keys, normalise,
                         normalise_header, purchase_days_of_bits, read_date_texts, read_value_texts)

from ..errors import UserError
from .databases import Relation, free_memory
from .order_book import ReadResult, Steps, _check_lines_read, _date_notes, _Quiet

_TEXT_FIELDS = ("name", "order", "product", "category", "rep", "region", "email")
_OWN = ("_sheet", "_row", "_pos")
_KEY_PARTS = min(4, os.cpu_count() or 1)      # the customer keys are encoded in this many parts at once
# A DECIMAL of up to 18 digits is held in 64 bits, a wider one in 128 (DuckDB's HUGEINT, at about half the
# speed). One of up to 14 digits has its units (4 digits more) in 64 bits, and stays below LARGEST_VALUE.
_INT64_DIGITS, _UNIT_DIGITS = 18, round(math.log10(UNITS_PER_ONE))
_AHEAD = 2               # batches fetched while the ones before are worked on
_LINE_DAYS = 31          # ``day_bits``: bit d for a purchase on day d of the month, bit d + 31 for any line


def read_relation(relation: Relation, settings: Settings, progress: Steps | None = None,
                  today: dt.date | None = None) -> ReadResult:
    """The order lines of ``relation`` added up per customer and month, with the rows that could not be read."""
    import ibis

    progress = progress or _Quiet()
    today = today or dt.date.today()
    columns = _columns(relation, settings)
    with progress.step(f"Reading the dates and amounts of {relation.label}"):
        parsed, date_texts, date_order = _parsed(ibis, relation.table, columns, settings, today)
    good = parsed["_good_date"] & parsed["_good_amount"] & parsed["_customer"].notnull()
    if settings.measure == "quantity":
        good &= parsed["_good_quantity"]
    blank = _blank(parsed[columns["date"]]) & _blank(parsed[columns["customer"]]) & _blank(parsed[columns["amount"]])
    doubtful = ~good & ~blank
    with progress.step(f"Adding up the order lines per customer and month in {relation.label}"):
        parts, lines_read = _parts(_aggregate(ibis, parsed, good, columns, settings.measure == "orders")
                                   .to_pyarrow_batches())
        free_memory(parsed)
        frame = _frame(parts)
    not_lines = int(relation.table.count().execute()) - lines_read         # blank rows among them
    # a key that is no customer's (spaces, Total, 合计 …) is judged once per key, after the sums: not on every row
    keys = frame["customer"].cat.categories
    not_keys = keys[no_customer_keys(pa.array(keys.to_numpy(object), pa.string()))].tolist()
    if not_keys:
        no_key = parsed["_customer"].isin(not_keys)
        doubtful, good = doubtful | no_key, good & ~no_key
        frame = frame[~frame["customer"].isin(not_keys)].reset_index(drop=True)
    with progress.step("Checking the rows that are not plainly order lines"):       # one pass only when there are
        book = _judged(parsed.filter(doubtful), columns, date_texts, settings, today) \
            if not_lines or not_keys else normalise([], settings, today)
    book.date_orders = {relation.sheets[0] if len(relation.sheets) == 1 else relation.label: date_order} \
        if date_order else {}
    if frame.empty:
        _check_lines_read(book, relation.label, [])
        raise UserError(f"{relation.label} holds no order lines.")
    lines = parsed.filter(good)
    latest = _latest_date(frame["month"].to_numpy(), frame.pop("last_line_day").to_numpy())
    months = CustomerMonths(frame, frozenset(f for f in (*_TEXT_FIELDS, "quantity") if f in columns), latest,
                            amounts_by=lambda field, windows: _amounts_by(ibis, lines, field, windows),
                            orders=lambda: _orders(lines, columns),
                            lines_of=lambda customer, as_of: _lines_of(lines, columns, customer, as_of),
                            sums_by=lambda field: _sums_by(lines, field), rep_pairs=lambda: _rep_pairs(lines))
    return ReadResult(book, list(relation.sheets), _date_notes(book), months)


def _columns(relation: Relation, settings: Settings) -> dict[str, str]:
    """Field -> column name, found by the headers as in a sheet."""
    names = [c for c in relation.table.columns if c not in _OWN]
    found = find_header_row([names], settings.columns)
    shown = ", ".join(names[:30])
    headers = {normalise_header(name) for name in names}
    for field, header in settings.columns.items():
        if normalise_header(header) not in headers:
            raise UserError(f"{relation.label} has no column '{header}' (the {field} column you named); its columns "
                            f"are: {shown}.")
    if found is None:
        raise UserError(f"{relation.label} has no date, customer and amount columns that churnkit recognises (its "
                        f"columns are: {shown}); name them with --date-column, --customer-column and --amount-column.")
    return {field: names[position] for field, position in found[1].items()}


def _parsed(ibis, table, columns: dict[str, str], settings: Settings, today: dt.date):
    """The rows with their day, month, amount units (and quantity units), customer key and cleaned texts."""
    first_day, last_day = date_bounds(today)
    schema = table.schema()
    date, date_texts, date_order = table[columns["date"]], None, None
    if schema[columns["date"]].is_date() or schema[columns["date"]].is_timestamp():     # a TIME column is no date
        day = date.cast("date").epoch_days().cast("int64")
        table = table.mutate(_day=day, _month=date.year().cast("int64") * 12 + date.month().cast("int64") - 1,
                             _day_of_month=date.day().cast("int64"))
    else:
        text = date.cast("string")
        date_texts = _distinct(table, text)
        lookup, date_order = read_date_texts(date_texts, settings, today)
        table = _looked_up(ibis, table, text, lookup.rename(columns={"day": "_day", "month": "_month",
                                                                      "day_of_month": "_day_of_month"}))
    table = table.mutate(_good_date=table["_day"].notnull() & table["_day"].between(first_day, last_day))
    for field, name in (("amount", "_units"), ("quantity", "_qunits")):
        if field not in columns:
            continue
        value, kind = table[columns[field]], schema[columns[field]]
        narrow = kind.is_decimal() and (kind.precision or 38) + _UNIT_DIGITS <= _INT64_DIGITS
        if kind.is_decimal():       # in its own width, DECIMAL(5, 0) cannot hold the bounds or the units
            value = value.cast(f"decimal({_INT64_DIGITS if narrow else 38}, {kind.scale or 0})")
        elif kind.is_integer() and kind.nbytes < 8:
            value = value.cast("int64")
        if kind.is_numeric():
            finite = value.notnull() if narrow else value.notnull() & (value.abs() < LARGEST_VALUE)
            if kind.is_floating():
                finite &= ~value.isnan() & ~value.isinf()
            table = table.mutate(**{name: ibis.ifelse(finite, (value * UNITS_PER_ONE).round().cast("int64"), None)})
        else:
            text = value.cast("string")
            lookup = read_value_texts(_distinct(table, text), settings)
            table = _looked_up(ibis, table, text, lookup.rename(columns={"units": name}))
        table = table.mutate(**{f"_good_{field}": table[name].notnull()})
    key = table[columns["customer"]].cast("string")
    table = table.mutate(_customer=key, **{f"_{field}": _cleaned(table[columns[field]])
                                           for field in _TEXT_FIELDS if field in columns})
    return table, date_texts, date_order


def _distinct(table, text) -> pd.Series:
    values = table.select(_text=text).distinct().to_pyarrow()["_text"]
    return pd.Series(values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values,
                     dtype=pd.ArrowDtype(pa.string()))


def _looked_up(ibis, table, text, lookup: pd.DataFrame):
    """``table`` with the columns of ``lookup`` (keyed by ``text``) joined to each row by its text."""
    found = ibis.memtable(lookup.rename(columns={"text": "_text"}),
                          schema={"_text": "string", **{c: "int64" for c in lookup.columns if c != "text"}})
    joined = table.mutate(_key=text).left_join(found, ibis._["_key"] == found["_text"])
    return joined.drop("_key", "_text")


def _cleaned(column):
    """A text field as the sheet reader cleans it: trimmed, empty as missing."""
    text = column.cast("string").strip()
    return text.nullif("")


def _blank(column):
    return column.isnull() | (column.strip() == "") if column.type().is_string() else column.isnull()


def _judged(rows, columns: dict[str, str], date_texts: pd.Series | None, settings: Settings,
            today: dt.date) -> OrderBook:
    """The rows that are not plainly order lines, judged by the engine's own reading."""
    fetched = rows.order_by("_pos").select("_sheet", "_row", **{
        field: rows[name].cast("string") for field, name in columns.items()}).to_pandas()
    sheets = []
    for sheet, part in fetched.groupby("_sheet", sort=False):
        cells = {field: part[field].astype(pd.ArrowDtype(pa.string())).reset_index(drop=True) for field in columns}
        sheets.append(RawSheet(str(sheet), part["_row"].to_numpy(np.int64), cells, date_texts))
    book = normalise(sheets, settings, today)
    if len(book.lines):
        raise RuntimeError(f"{len(book.lines)} rows left out by the database query are order lines")
    return dataclasses.replace(book, lines=pd.DataFrame())


def _aggregate(ibis, rows, good, columns: dict[str, str], with_orders: bool):
    """The customer × month figures of the ``good`` rows (``churn_logic.customer_months``). The days of the
    month are ORed together as the bits of one number, which every database does faster than it counts distinct
    days or finds the first and last: each line's day d sets bit d + _LINE_DAYS (the latest line's day is the
    highest of them), a line with a positive amount bit d too (``churn_logic.purchase_days_of_bits``). The rows
    that are no order lines are all rows (which a Parquet file's metadata says) less the lines: not a figure per
    group."""
    positive = good & (rows["_units"] > 0)
    one, day_of_month = ibis.literal(1).cast("int64"), rows["_day_of_month"].cast("int32")
    at = rows["_day"] * (1 << POSITION_BITS) + rows["_pos"].cast("int64")
    # a CASE, not the comparison cast to a number: PostgreSQL casts a boolean to no BIGINT
    bought = ibis.ifelse(rows["_units"] > 0, one << day_of_month, ibis.literal(0).cast("int64"))
    figures = {
        "lines": rows.count(where=good),
        "amount": rows["_units"].sum(where=good).cast("int64"),
        "day_bits": ((one << (day_of_month + _LINE_DAYS)) | bought).bit_or(where=good),
    }
    if with_orders:
        figures["orders"] = _order_count(rows, columns, positive)
    if "quantity" in columns:
        figures["quantity"] = rows["_qunits"].sum(where=good).cast("int64")
    for field in LATEST_FIELDS:
        if field in columns:
            known = good & rows[f"_{field}"].notnull()
            figures[field] = rows[f"_{field}"].argmax(at, where=known)
            figures[f"{field}_at"] = at.max(where=known)
    return rows.group_by(customer=rows["_customer"], month=rows["_month"]).aggregate(**figures)


def _order_count(rows, columns: dict[str, str], positive):
    return rows["_order"].fill_null("").nunique(where=positive) if "order" in columns \
        else rows["_units"].count(where=positive)


def _orders(lines, columns: dict[str, str]) -> pd.DataFrame:
    """The orders of each customer and month (asked for when something reads them)."""
    return lines.group_by(customer=lines["_customer"], month=lines["_month"]).aggregate(
        orders=_order_count(lines, columns, lines["_units"] > 0)).to_pandas()


def _parts(batches: pa.RecordBatchReader) -> tuple[dict[str, list], int]:
    """The aggregated rows taken batch by batch as they arrive (``_figures``: a million customers' months are not
    held twice), and how many order lines they add up. DuckDB hands the rows over on one thread: each batch is
    worked on the other while the next is fetched, at most ``_AHEAD`` batches waiting."""
    parts: dict[str, list] = collections.defaultdict(list)
    lines = 0
    waiting: collections.deque = collections.deque()

    def take(done) -> None:
        nonlocal lines
        figures, batch_lines = done.result()
        lines += batch_lines
        for name, values in figures.items():
            parts[name].append(values)

    with ThreadPoolExecutor(1) as pool:
        for batch in itertools.chain([pa.RecordBatch.from_pylist([], schema=batches.schema)], batches):
            waiting.append(pool.submit(_batch_figures, batch))
            if len(waiting) > _AHEAD:
                take(waiting.popleft())
        while waiting:
            take(waiting.popleft())
    return parts, lines


def _batch_figures(batch: pa.RecordBatch) -> tuple[dict, int]:
    """``_figures`` of a batch's groups with lines, and how many lines they add up."""
    lines = pc.sum(batch["lines"]).as_py() or 0
    if not pc.all(pc.greater(batch["lines"], 0)).as_py():
        batch = batch.filter(pc.greater(batch["lines"], 0))
    return _figures(batch), lines


def _latest_date(month: np.ndarray, last_line_day: np.ndarray) -> pd.Timestamp:
    """The date of the latest line of customer-months: the last line's day of the latest month."""
    last = int(month.max())
    return pd.Timestamp(last // 12, last % 12 + 1, int(last_line_day[month == last].max()))


def _frame(parts: dict[str, list]) -> pd.DataFrame:
    """The rows as ``CustomerMonths`` reads them, of the batches' ``parts`` (taken out of it as they are joined):
    the keys as a categorical (a million customers' keys are not repeated for each of their months), the figures
    as the smallest integers that hold them."""
    out = {"customer": pd.Categorical.from_codes(*_codes(pa.chunked_array(parts.pop("customer"), pa.string())))}
    while parts:
        name, values = parts.popitem()
        out[name] = pa.chunked_array(values, values[0].type).to_pandas().astype(object).where(
            lambda v: v.notna(), None).to_numpy() if name in LATEST_FIELDS else np.concatenate(values)
        del values
    pa.default_memory_pool().release_unused()       # Arrow's allocator keeps what the keys' encoding used
    return pd.DataFrame(out, copy=False)            # copy=False: the columns are not gathered into blocks


def _figures(batch: pa.RecordBatch) -> dict:
    """One batch's columns: texts as Arrow arrays, figures as numbers (``last_line_day``: the day of the month of
    the month's last line)."""
    out = {"customer": _own(batch["customer"])}
    bits = _numbers(batch["day_bits"], 0, np.int64)
    out["purchase_days"], out["first_purchase_day"], out["last_purchase_day"] = purchase_days_of_bits(
        bits & ((1 << (_LINE_DAYS + 1)) - 1))
    out["last_line_day"] = purchase_days_of_bits(bits >> _LINE_DAYS)[2]
    for name in (n for n in batch.schema.names if n not in ("customer", "day_bits")):
        if name in LATEST_FIELDS:
            out[name] = _own(batch[name])
        elif name.endswith("_at"):
            out[name] = _numbers(batch[name], np.iinfo(np.int64).min, np.int64)
        else:
            out[name] = _numbers(batch[name], 0, np.int64 if name in ("amount", "quantity") else np.int32)
    return out


def _own(texts: pa.Array) -> pa.Array:
    """Texts copied into Arrow's own memory: a column of DuckDB's batch keeps the batch's whole chunk of DuckDB's
    memory while it is held (with a million customers, 1.3 GB more while the frame is made)."""
    return texts.copy_to(pa.default_cpu_memory_manager())


def _numbers(column: pa.Array, filler: int, dtype) -> np.ndarray:
    """A column of whole numbers as ``dtype``; a sum may come as a decimal (DuckDB's HUGEINT): not as objects."""
    whole = column.cast(pa.int64())
    return pc.fill_null(whole, filler).to_numpy(zero_copy_only=False).astype(dtype, copy=False)


def _codes(keys: pa.ChunkedArray) -> tuple[np.ndarray, pd.Index]:
    """Codes into the sorted distinct keys, and those keys. The keys are encoded in parts at once (Arrow's kernels
    let go of Python's lock; hashing a million distinct keys waits on memory: 35 million rows took 9.1 s in one
    part, 5.2 s in two on two cores), then the parts' dictionaries are unified."""
    size = max(1, -(-len(keys) // _KEY_PARTS))
    with ThreadPoolExecutor(_KEY_PARTS) as pool:
        parts = list(pool.map(lambda start: pc.dictionary_encode(keys.slice(start, size).combine_chunks()),
                              range(0, len(keys), size)))
    if not parts:
        return np.zeros(0, np.int32), pd.Index([], dtype=object)
    unified = pa.chunked_array(parts).unify_dictionaries()
    dictionary = unified.chunks[0].dictionary
    indices = pa.chunked_array([chunk.indices for chunk in unified.chunks]).combine_chunks()
    order = pc.array_sort_indices(dictionary).to_numpy()
    rank = np.empty(len(order), np.int32)
    rank[order] = np.arange(len(order), dtype=np.int32)
    return rank[indices.to_numpy()], pd.Index(dictionary.take(order).to_pylist(), dtype=object)


def _amounts_by(ibis, lines, field: str, windows: pd.DataFrame) -> pd.DataFrame:
    """Per customer of ``windows`` and text of ``field``, the amount units of their lines in its months."""
    if windows.empty:
        return pd.DataFrame({"customer": [], "text": [], "units": []})
    wanted = ibis.memtable(windows.rename(columns={"customer": "_wanted"}))
    joined = lines.join(wanted, lines["_customer"] == wanted["_wanted"])
    picked = joined.filter((joined["_month"] >= joined["first_month"]) & (joined["_month"] <= joined["last_month"])
                           & joined[f"_{field}"].notnull())
    sums = picked.group_by(customer=picked["_customer"], text=picked[f"_{field}"]).aggregate(
        units=picked["_units"].sum().cast("int64")).to_pandas()
    return sums.astype({"units": np.int64})


def _sums_by(lines, field: str) -> pd.DataFrame:
    """Per customer, month and text of ``field``, the amount units of the lines that name it."""
    named = lines.filter(lines[f"_{field}"].notnull())
    return named.group_by(customer=named["_customer"], month=named["_month"], text=named[f"_{field}"]).aggregate(
        units=named["_units"].sum().cast("int64")).to_pandas()


def _rep_pairs(lines) -> pd.DataFrame:
    """The distinct (rep, month) of the lines that name a rep."""
    named = lines.filter(lines["_rep"].notnull())
    return named.select(rep=named["_rep"], month=named["_month"]).distinct().to_pandas()


def _lines_of(lines, columns: dict[str, str], customer: str, as_of: int) -> pd.DataFrame:
    """One customer's order lines up to the end of month ``as_of``, as the sheet reader gives them."""
    picked = lines.filter((lines["_customer"] == customer) & (lines["_month"] <= as_of)).order_by("_pos")
    fields = {field: picked[f"_{field}"] for field in _TEXT_FIELDS if field in columns}
    if "quantity" in columns:
        fields["quantity"] = picked["_qunits"]
    found = picked.select(customer=picked["_customer"], date=picked["_day"], amount=picked["_units"], **fields,
                          sheet=picked["_sheet"], row=picked["_row"]).to_pandas()
    found["date"] = pd.to_datetime(found["date"].astype(np.int64), unit="D")
    for column in ("amount", "quantity"):
        if column in found:
            found[column] = found[column].astype(np.int64) / UNITS_PER_ONE
    return found
