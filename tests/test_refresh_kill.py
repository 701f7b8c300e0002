"""A refresh killed at any moment leaves the old workbook or the new one, never a broken one."""
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import fastexcel
import pytest

SAMPLE = Path(__file__).parents[1] / "workbook_templates" / "sample_orders.xlsx"


def _state(path: Path) -> str:
    """'old' or 'new' for a sound workbook; fails the test for anything else."""
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
        names = set(z.namelist())
        orders = hashlib.sha256(z.read("xl/worksheets/sheet1.xml")).hexdigest()
    assert orders == ORDERS_DIGEST
    sheets = fastexcel.read_excel(path).sheet_names
    assert sheets[:3] == ["Orders", "Reps", "Read me"]
    return "new" if "At-Risk" in sheets and any(n.startswith("xl/worksheets/sheet4") for n in names) else "old"


with zipfile.ZipFile(SAMPLE) as _z:
    ORDERS_DIGEST = hashlib.sha256(_z.read("xl/worksheets/sheet1.xml")).hexdigest()


def _refresh(book: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "addin.cli", "refresh", str(book), "--quiet"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _kill_when(book: Path, reached) -> str:
    """Start a refresh, kill it (SIGKILL) as soon as ``reached()`` is true (or when it ends), and say
    what the workbook is then; the next refresh must clean up after it and succeed."""
    shutil.copy(SAMPLE, book)
    before = book.stat().st_mtime_ns, set((book.parent / "churnkit-backups").glob("orders-*"))
    process = _refresh(book)
    while process.poll() is None and not reached(before):
        time.sleep(0.001)
    process.send_signal(signal.SIGKILL)
    process.wait()
    state = _state(book)
    assert _refresh(book).wait() == 0     # the next run cleans up after the killed one and succeeds
    assert _state(book) == "new"
    assert not list(book.parent.glob("*.churnkit-tmp"))
    assert not list((book.parent / "churnkit-backups").glob("*.churnkit-tmp"))
    return state


def test_killed_refresh_never_breaks_the_workbook(tmp_path):
    """Killed at each step of its run, found by what it leaves on disk (not by the clock)."""
    book = tmp_path / "orders.xlsx"
    backups = tmp_path / "churnkit-backups"
    steps = {
        "at once": lambda before: True,
        "writing the new version": lambda before: any(tmp_path.glob("orders.xlsx.*.churnkit-tmp")),
        "backing up": lambda before: set(backups.glob("orders-*")) != before[1],
        "after the replace": lambda before: book.stat().st_mtime_ns != before[0],
    }
    states = {step: _kill_when(book, reached) for step, reached in steps.items()}
    assert states["at once"] == "old" and states["after the replace"] == "new"
    assert set(states.values()) <= {"old", "new"}


def test_two_refreshes_at_once_never_break_the_workbook(tmp_path):
    """churnkit's writers of one workbook take turns; whoever comes second writes into the first one's result."""
    book = tmp_path / "orders.xlsx"
    shutil.copy(SAMPLE, book)
    for delay in (0.0, 0.3, 0.6):
        first = subprocess.Popen([sys.executable, "-m", "addin.cli", "refresh", str(book), "--quiet"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        time.sleep(delay)
        second = subprocess.run([sys.executable, "-m", "addin.cli", "refresh", str(book), "--quiet"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        for code, err in ((first.wait(), first.stderr.read()), (second.returncode, second.stderr)):
            assert code == 0, err          # they take turns: both write, one after the other
        assert _state(book) == "new"
        assert not list(tmp_path.glob("*.churnkit-tmp"))


def test_a_workbook_saved_by_another_program_meanwhile_is_not_replaced(tmp_path):
    from addin.errors import UserError
    from addin.workbooks.file_book import FileWorkbook

    book = tmp_path / "orders.xlsx"
    shutil.copy(SAMPLE, book)
    workbook = FileWorkbook(book)
    book.write_bytes(SAMPLE.read_bytes())       # another program saves it meanwhile
    os.utime(book, ns=(time.time_ns() + 10**9, time.time_ns() + 10**9))
    with pytest.raises(UserError, match="orders.xlsx changed while churnkit was working on it"):
        workbook.save()
    assert book.read_bytes() == SAMPLE.read_bytes()


def test_a_run_whose_temporary_file_vanished_stops_with_one_sentence(tmp_path):
    from addin.errors import UserError
    from addin.workbooks.safe_write import replace_file

    book = tmp_path / "orders.xlsx"
    shutil.copy(SAMPLE, book)

    def write_then_lose(temp: Path) -> None:
        shutil.copy(SAMPLE, temp)
        temp.unlink()               # what a second run starting now does to a first run's leftovers

    with pytest.raises(UserError, match="Another churnkit run started writing orders.xlsx"):
        replace_file(book, write_then_lose, lambda written: None)
    assert book.read_bytes() == SAMPLE.read_bytes()


def test_only_leftovers_of_runs_that_are_gone_are_removed(tmp_path):
    from addin.workbooks.safe_write import _left_over

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()           # a process that has ended
    names = ["orders.xlsx.churnkit-tmp", f"orders.xlsx.{gone}.churnkit-tmp", f"orders.xlsx.{os.getppid()}.churnkit-tmp",
             "orders.xlsx2.xlsx.churnkit-tmp", "orders.xlsx.abc.churnkit-tmp"]
    for name in names:
        (tmp_path / name).write_bytes(b"")
    assert sorted(p.name for p in _left_over(tmp_path / "orders.xlsx")) == sorted(names[:2])
