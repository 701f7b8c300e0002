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
KILL_POINTS = [0.5 + 0.08 * i for i in range(10)]   # fractions of a whole run: the reading, then the writing


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


def test_killed_refresh_never_breaks_the_workbook(tmp_path):
    book = tmp_path / "orders.xlsx"
    shutil.copy(SAMPLE, book)
    started = time.monotonic()
    assert _refresh(book).wait() == 0
    whole_run = time.monotonic() - started
    seen = set()
    for point in KILL_POINTS:
        shutil.copy(SAMPLE, book)
        process = _refresh(book)
        time.sleep(whole_run * point)
        process.send_signal(signal.SIGKILL)
        process.wait()
        seen.add(_state(book))
        assert _refresh(book).wait() == 0     # the next run cleans up after the killed one and succeeds
        assert _state(book) == "new"
        assert not list(tmp_path.glob("*.churnkit-tmp"))
    assert seen == {"old", "new"}, "the kills should land both before and after the file was replaced"


def test_two_refreshes_at_once_never_break_the_workbook(tmp_path):
    """Each run writes its own temporary file; a run that finds the workbook changed under it says so."""
    book = tmp_path / "orders.xlsx"
    shutil.copy(SAMPLE, book)
    for delay in (0.0, 0.3, 0.6):
        first = subprocess.Popen([sys.executable, "-m", "addin.cli", "refresh", str(book), "--quiet"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        time.sleep(delay)
        second = subprocess.run([sys.executable, "-m", "addin.cli", "refresh", str(book), "--quiet"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        for code, err in ((first.wait(), first.stderr.read()), (second.returncode, second.stderr)):
            assert code == 0 or (code == 2 and ("Another churnkit run" in err or "changed while" in err)), err
        assert _state(book) == "new"
        assert not list(tmp_path.glob("*.churnkit-tmp"))


def test_a_workbook_saved_by_another_program_meanwhile_is_not_replaced(tmp_path):
    from addin.errors import UserError
    from addin.workbook import FileWorkbook

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
    from addin.safe_write import replace_file

    book = tmp_path / "orders.xlsx"
    shutil.copy(SAMPLE, book)

    def write_then_lose(temp: Path) -> None:
        shutil.copy(SAMPLE, temp)
        temp.unlink()               # what a second run starting now does to a first run's leftovers

    with pytest.raises(UserError, match="Another churnkit run started writing orders.xlsx"):
        replace_file(book, write_then_lose, lambda written: None)
    assert book.read_bytes() == SAMPLE.read_bytes()


def test_only_leftovers_of_runs_that_are_gone_are_removed(tmp_path):
    from addin.safe_write import _left_over

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()           # a process that has ended
    names = ["orders.xlsx.churnkit-tmp", f"orders.xlsx.{gone}.churnkit-tmp", f"orders.xlsx.{os.getppid()}.churnkit-tmp",
             "orders.xlsx2.xlsx.churnkit-tmp", "orders.xlsx.abc.churnkit-tmp"]
    for name in names:
        (tmp_path / name).write_bytes(b"")
    assert sorted(p.name for p in _left_over(tmp_path / "orders.xlsx")) == sorted(names[:2])
