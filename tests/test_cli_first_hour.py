"""The command line as a new user meets it: flags in any order, help with defaults, a customer found by
name or a close key, output that never fails on a console's code page."""
import datetime as dt
import io
import os
import subprocess
import sys

import pytest

from addin.cli.progress import Progress
from conftest import monthly_rows, write_orders


@pytest.fixture
def orders(tmp_path):
    rows = monthly_rows("00042", "Acme Ltd", [900, 800, 700, 600, 500, 400]) + \
        monthly_rows("C7", "北京贸易 £", [500, 0, 0, 0, 0, 0])
    return write_orders(tmp_path / "orders.xlsx", rows, extra_sheets={"Notes": [["x"]]})


def test_sheet_names_before_the_file_and_debug_after_the_command(churnkit, orders):
    run = churnkit("scan", "--sheet", "Orders", orders, "--debug", "--as-of", "2024-06", "--format", "json")
    assert run.code == 0, run.err
    assert run.json()["sheets"] == ["Orders"]
    with pytest.raises(SystemExit) as stopped:
        churnkit("scan", "--sheet", "Orders")
    assert stopped.value.code == 2


def test_help_shows_every_flag_with_its_default(capsys):
    from addin.cli import main

    with pytest.raises(SystemExit):
        main(["scan", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "(default 3)" in text and "(default 6)" in text and "(default amount)" in text
    assert "--format {table,csv,json} a readable table" in text


def test_history_finds_a_customer_by_name_and_names_close_keys(churnkit, orders):
    by_name = churnkit("history", orders, "acme ltd", "--as-of", "2024-06", "--format", "json")
    assert by_name.code == 0, by_name.err
    assert by_name.json()["customer"]["customer"] == "00042"
    wrong = churnkit("history", orders, "42", "--as-of", "2024-06")
    assert wrong.code == 2
    assert "Did you mean '00042' (Acme Ltd)?" in wrong.err


def test_a_console_that_cannot_show_chinese_gets_question_marks_and_csv_stays_utf8(orders, tmp_path):
    env = {**os.environ, "PYTHONIOENCODING": "cp1252"}
    table = subprocess.run([sys.executable, "-m", "addin.cli", "scan", str(orders), "--as-of", "2024-06", "--lang", "zh"],
                           capture_output=True, env=env)
    assert table.returncode == 0, table.stderr.decode("cp1252")
    assert "??" in table.stdout.decode("cp1252") and b"Traceback" not in table.stderr
    csv_run = subprocess.run([sys.executable, "-m", "addin.cli", "scan", str(orders), "--as-of", "2024-06",
                              "--format", "csv"], capture_output=True, env=env)
    assert csv_run.returncode == 0
    assert csv_run.stdout.startswith("\ufeff".encode()) and "北京贸易 £" in csv_run.stdout.decode("utf-8-sig")
    out = tmp_path / "at-risk.csv"
    assert subprocess.run([sys.executable, "-m", "addin.cli", "scan", str(orders), "--as-of", "2024-06", "--format",
                           "csv", "--out", str(out)], env=env).returncode == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbfcustomer,") and "北京贸易 £" in out.read_text("utf-8-sig")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_shows_on_a_terminal_only():
    terminal, log = _Terminal(), io.StringIO()
    for stream in (terminal, log):
        with Progress(stream).step("Reading orders.xlsx"):
            pass
    assert "Reading orders.xlsx… done in" in terminal.getvalue()
    assert log.getvalue() == ""
    quiet = _Terminal()
    with Progress(quiet, quiet=True).step("Reading"):
        pass
    assert quiet.getvalue() == ""


def test_the_as_of_month_default_is_never_a_month_still_running(churnkit, tmp_path):
    today = dt.date.today()
    rows = [[dt.datetime(today.year, today.month, 1), "C1", "Acme", 100.0, "SO-1"]]
    path = write_orders(tmp_path / "orders.xlsx", rows)
    result = churnkit("scan", path, "--format", "json", "--all")
    assert result.code == 2 and "No order lines fall on or before the as-of month" in result.err
