"""What the benchmark scripts share: the machine they ran on, timing a child process, printing a table."""
from __future__ import annotations

import compileall
import os
import platform
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path

LIBRARIES = ("churnkit", "fastexcel", "python-calamine", "pandas", "numpy", "scipy", "pyarrow", "openpyxl",
             "xlsxwriter")
PEER_VENV = Path(__file__).resolve().parent / ".venv"
CHECKOUT = Path(__file__).resolve().parent.parent


def _byte_compiled() -> None:
    """churnkit's modules compiled as ``pip install`` of the wheel leaves them, so that a child process does not
    compile them from source on every run (it would when ``PYTHONDONTWRITEBYTECODE`` is set, as on these
    machines, in an editable install): the peers' libraries are compiled too."""
    for package in ("addin", "churn_logic", "workbook_templates"):
        compileall.compile_dir(CHECKOUT / package, quiet=1)


_byte_compiled()


def peer_python() -> Path:
    """The Python of ``benchmarks/.venv``, with lifetimes installed (made on first use; it sees this Python's
    packages, so both sides use the same numpy, scipy and pandas; lifetimes is not a dependency of churnkit)."""
    python = PEER_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(PEER_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "lifetimes"], check=True)
    return python


def machine() -> str:
    """CPU model, cores, memory, OS, Python and library versions, on one line each."""
    cpu = next((line.split(":", 1)[1].strip() for line in _read("/proc/cpuinfo").splitlines()
                if line.startswith("model name")), platform.processor() or platform.machine())
    memory = next((int(line.split()[1]) / 2**20 for line in _read("/proc/meminfo").splitlines()
                   if line.startswith("MemTotal")), 0.0)
    versions = ", ".join(f"{name} {_version(name)}" for name in LIBRARIES)
    return (f"machine: {cpu}, {os.cpu_count()} cores, {memory:.0f} GiB memory, "
            f"{platform.system()} {platform.release()}\n"
            f"python {platform.python_version()}; {versions}")


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except OSError:
        return ""


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"


# Linux counts the memory of the process that started a child in the child's peak (it is its memory until the
# child's program starts): a small process in between starts the command, so the peak is the command's own
_MEASURED = ("import os, subprocess, sys, time; started = time.perf_counter(); "
             "child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL); _, status, usage = os.wait4(child.pid, 0); "
             "print(os.waitstatus_to_exitcode(status), time.perf_counter() - started, usage.ru_maxrss)")


def run_child(argv: list[str]) -> tuple[float, float]:
    """Run a command to its end, output discarded: (wall seconds, the command's own peak memory in MB)."""
    with tempfile.TemporaryFile() as stderr:
        measured = subprocess.run([sys.executable, "-c", _MEASURED, *argv], stdout=subprocess.PIPE, stderr=stderr,
                                  text=True, check=True)
        code, elapsed, peak = measured.stdout.split()
        if int(code) != 0:
            stderr.seek(0)
            raise SystemExit(f"{' '.join(argv)} failed ({code}): {stderr.read().decode(errors='replace')}")
    return float(elapsed), int(peak) / 1024


def python(code: str, *args: str) -> list[str]:
    """The command line that runs ``code`` in this Python."""
    return [sys.executable, "-c", code, *args]


def table(headers: list[str], rows: list[list[object]]) -> str:
    """A plain text table, numbers right-aligned."""
    cells = [headers] + [[f"{v:,.2f}" if isinstance(v, float) else f"{v:,}" if isinstance(v, int) else str(v)
                          for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths))) for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
