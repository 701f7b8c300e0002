"""The wheel installs like any other package: in a fresh virtual environment, far from the checkout,
``churnkit demo``, every report template and ``churnkit addin build`` work from it."""
import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

from addin.report.templates import KINDS

ROOT = Path(__file__).parents[1]


def _run(*command, cwd: Path, env=None) -> str:
    done = subprocess.run([str(c) for c in command], cwd=cwd, capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, f"{' '.join(map(str, command))}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_the_wheel_runs_every_command_outside_the_checkout(tmp_path):
    source = tmp_path / "source"           # a clean copy: a build/ folder of the checkout could hold stale modules
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".git", "build", "dist", "*.egg-info", "__pycache__",
                                                                ".hypothesis", ".data", "churnkit-demo"))
    _run(sys.executable, "-m", "build", "--wheel", "--outdir", tmp_path / "dist", source, cwd=tmp_path)
    wheel = next((tmp_path / "dist").glob("churnkit-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert {"workbook_templates/sample_orders.xlsx", "addin/excel/xlam/customUI14.xml"} <= set(names)
    modules = {name for name in names if name.endswith(".py")}
    assert modules == {str(path.relative_to(ROOT)) for package in ("addin", "churn_logic", "workbook_templates")
                       for path in (ROOT / package).rglob("*.py")}

    env_dir = tmp_path / "env"
    venv.create(env_dir, with_pip=True)
    bin_dir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    python = bin_dir / "python"
    _run(python, "-m", "pip", "install", "--quiet", wheel, cwd=tmp_path)
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    where = _run(python, "-c", "import addin, workbook_templates; print(addin.__file__)", cwd=work, env=env)
    assert Path(where.strip()).is_relative_to(env_dir), where

    churnkit = bin_dir / "churnkit"
    assert "as of 2026-10" in _run(churnkit, "demo", "--out", "demo", cwd=work, env=env)
    book = work / "demo" / "sample_orders.xlsx"
    customer = _run(churnkit, "scan", book, "--format", "csv", "--quiet", cwd=work, env=env).splitlines()[1].split(",")[0]
    for kind in KINDS:
        for lang in ("en", "zh"):
            extra = ("--customer", customer) if kind == "customer-card" else ()
            out = work / f"{kind}.{lang}.xlsx"
            _run(churnkit, "report", book, "--template", kind, "--lang", lang, "--out", out, "--quiet", *extra,
                 cwd=work, env=env)
            assert zipfile.ZipFile(out).testzip() is None
    _run(churnkit, "addin", "build", "--out", work / "addin", cwd=work, env=env)
    assert zipfile.ZipFile(next((work / "addin").glob("churnkit*.xlam"))).testzip() is None
