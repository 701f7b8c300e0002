"""`churnkit demo` and the bundled sample, checked against LibreOffice's reading of the same file."""
import contextlib
import csv
import datetime as dt
import io
from collections import defaultdict
from pathlib import Path

import pytest

from addin.cli import main
from workbook_templates.sample_data import planted, write_sample_workbook
from office import CSV_RAW_VALUES, convert

BUNDLED = Path(__file__).parents[1] / "workbook_templates" / "sample_orders.xlsx"
INTENDED = {"decline": "MEDIUM", "token": "HIGH", "lapsed": "LOST"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out_dir = tmp_path_factory.mktemp("demo")
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(["demo", "--out", str(out_dir)])
    assert code == 0, stderr.getvalue()
    return out_dir / "sample_orders.xlsx", stdout.getvalue()


def test_demo_writes_the_sample_and_lists_every_verdict(demo):
    path, output = demo
    assert path.exists()
    for words in ("LOST", "HIGH", "MEDIUM", "as of 2026-10", "no orders for", "sales down"):
        assert words in output


def test_bundled_sample_is_what_the_generator_makes(tmp_path):
    fresh = write_sample_workbook(tmp_path / "fresh.xlsx")
    assert fresh.read_bytes() == BUNDLED.read_bytes(), "run: python -m addin.sample_data"


def test_planted_customers_get_their_verdicts(churnkit, demo):
    doc = churnkit("scan", demo[0], "--all", "--format", "json").json()
    risk = {c["customer"]: c["risk"] for c in doc["customers"]}
    for group, verdict in INTENDED.items():
        assert {risk[key] for key in planted()[group]} == {verdict}, group
    tiny = churnkit("scan", demo[0], "--all", "--format", "json", "--low-threshold", "200").json()
    assert {c["risk"] for c in tiny["customers"] if c["customer"] in planted()["token_tiny"]} == {"HIGH"}


def test_numbers_agree_with_libreoffice_reading_of_the_sample(churnkit, demo, tmp_path):
    """LibreOffice reads the workbook on its own; plain Python sums its CSV; churnkit must agree."""
    exported = convert(demo[0], tmp_path, CSV_RAW_VALUES)
    rows = list(csv.reader(exported.open(encoding="utf-8")))
    header = rows.index(next(r for r in rows if r[:2] == ["Order No", "Order Date"]))
    col = {name: i for i, name in enumerate(rows[header])}
    last_12m, last_positive = defaultdict(float), {}
    for row in rows[header + 1:]:
        day = dt.date.fromisoformat(row[col["Order Date"]])
        customer, amount = row[col["Customer ID"]], float(row[col["Amount"]])
        if dt.date(2025, 11, 1) <= day <= dt.date(2026, 10, 31):
            last_12m[customer] += amount
        if amount > 0:
            last_positive[customer] = max(last_positive.get(customer, day), day)
    doc = churnkit("scan", demo[0], "--all", "--format", "json").json()
    assert len(doc["customers"]) == len(last_positive) == 300
    for c in doc["customers"]:
        assert c["value_last_12m"] == pytest.approx(last_12m.get(c["customer"], 0.0), abs=0.005), c["customer"]
        assert c["last_order_date"] == last_positive[c["customer"]].isoformat()
