"""Installing the add-in as ``xlwings addin install`` does, on folders of this machine standing for Excel's."""
from __future__ import annotations

import csv
import io
import locale
import types
from pathlib import Path

import pytest
import xlwings

import addin.excel.install as addin_install
from addin.excel.install import Locations, applescript, excel_startup_folder, install, locations, remove, status
from addin.errors import UserError

CHINESE_PYTHON = r"C:\Users\张伟\AppData\Local\Programs\Python\Python311\pythonw.exe"


def windows(tmp_path: Path, interpreter: str = r"C:\Python311\pythonw.exe", encoding: str = "cp1252") -> Locations:
    return Locations(tmp_path / "XLSTART", tmp_path / ".churnkit" / "churnkit.conf", interpreter, "INTERPRETER_WIN",
                     config_encoding=encoding)


def mac(tmp_path: Path) -> Locations:
    home = tmp_path / "home"
    return locations("darwin", {}, home, "/Users/zw/venv/bin/python", ask_excel=lambda: home / "Excel Startup")


def read_as_vba(config: Path, code_page: str) -> dict[str, str]:
    """churnkit.conf as the add-in's VBA reads it: ``Input #`` of quoted pairs, bytes decoded in the code page."""
    return {key: value for key, value in csv.reader(io.StringIO(config.read_bytes().decode(code_page)))}


def test_a_chinese_user_name_is_written_in_the_code_page_vba_reads(tmp_path):
    where = windows(tmp_path, CHINESE_PYTHON, "cp936")              # Chinese Windows: ANSI code page 936
    install("en", where)
    assert where.config.read_bytes() == \
        f'"INTERPRETER_WIN","{CHINESE_PYTHON}"\r\n"UDF MODULES","addin.udfs"\r\n'.encode("cp936")
    assert read_as_vba(where.config, "cp936") == {"INTERPRETER_WIN": CHINESE_PYTHON, "UDF MODULES": "addin.udfs"}
    assert CHINESE_PYTHON in status(where)[-1]


def test_a_path_the_code_page_cannot_hold_is_one_sentence_and_installs_nothing(tmp_path):
    where = windows(tmp_path, CHINESE_PYTHON, "cp1252")             # a Chinese name on Western Windows
    with pytest.raises(UserError, match=r"code page \(cp1252\).*C:\\Python311") as error:
        install("en", where)
    assert "\n" not in str(error.value) and CHINESE_PYTHON in str(error.value)
    assert not where.startup.exists() and not where.config.exists()


def test_windows_reads_the_config_in_the_ansi_code_page_and_asks_excel_for_its_startup_folder(tmp_path):
    env = {"APPDATA": str(tmp_path / "AppData"), "USERPROFILE": str(tmp_path)}
    asked = locations("win32", env, tmp_path, CHINESE_PYTHON, ask_excel=lambda: tmp_path / "Excel's own XLSTART")
    assert asked.startup == tmp_path / "Excel's own XLSTART" and not asked.note
    assert (asked.config_encoding, asked.line_end, asked.scripts) == (locale.getencoding(), "\r\n", None)
    default = locations("win32", env, tmp_path, CHINESE_PYTHON, ask_excel=lambda: None)
    assert default.startup == tmp_path / "AppData" / "Microsoft" / "Excel" / "XLSTART"
    assert "could not be asked" in default.note and "could not be asked" in install("en", default)[0]


def test_on_a_mac_runpython_s_applescript_is_installed_and_the_config_is_utf8(tmp_path):
    where = mac(tmp_path)
    assert where.startup == tmp_path / "home" / "Excel Startup"
    done = install("en", where)
    script = tmp_path / "home" / "Library" / "Application Scripts" / "com.microsoft.Excel" / \
        f"xlwings-{xlwings.__version__}.applescript"
    assert script.read_bytes() == applescript().read_bytes() and any(script.name in line for line in done)
    assert (where.startup / "churnkit.xlam").exists()
    assert where.config == tmp_path / "home" / "Library" / "Containers" / "com.microsoft.Excel" / "Data" / \
        "churnkit.conf"
    assert where.config.read_bytes() == b'"INTERPRETER_MAC","/Users/zw/venv/bin/python"\n"UDF MODULES","addin.udfs"\n'
    assert "(present)" in next(line for line in status(where) if line.startswith("RunPython script"))


def test_excel_is_asked_for_its_startup_folder_as_xlwings_asks_it(monkeypatch, tmp_path):
    running = types.SimpleNamespace(active=types.SimpleNamespace(startup_path=str(tmp_path / "running")))
    monkeypatch.setattr(addin_install.xlwings, "apps", running, raising=False)
    assert excel_startup_folder() == tmp_path / "running"

    class HiddenExcel:
        def __init__(self, visible):
            assert visible is False
            self.startup_path = str(tmp_path / "hidden")

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(addin_install.xlwings, "apps", [], raising=False)
    monkeypatch.setattr(addin_install.xlwings, "App", HiddenExcel)
    assert excel_startup_folder() == tmp_path / "hidden"

    def no_excel(visible):
        raise OSError("Excel is not installed")

    monkeypatch.setattr(addin_install.xlwings, "App", no_excel)
    assert excel_startup_folder() is None


def test_one_language_at_a_time_and_remove_takes_both(tmp_path):
    where = windows(tmp_path)
    install("en", where)
    done = install("zh", where)
    assert sorted(p.name for p in where.startup.iterdir()) == ["churnkit-zh.xlam"]
    assert "two Churn tabs" in done[0]
    assert "churnkit-zh.xlam (installed, built for xlwings" in status(where)[0]
    assert len(remove(where)) == 2 and not any(where.startup.iterdir())


def test_status_says_when_the_addin_was_built_for_another_xlwings(monkeypatch, tmp_path):
    where = windows(tmp_path)
    install("zh", where)
    built = xlwings.__version__
    assert f"built for xlwings {built})" in status(where)[0]
    monkeypatch.setattr(addin_install.xlwings, "__version__", "99.0.0")       # xlwings upgraded since
    line = status(where)[0]
    assert f"built for xlwings {built} while this Python has xlwings 99.0.0" in line
    assert f"xlwings64-{built}.dll" in line and "churnkit addin install --lang zh" in line


def test_status_of_an_addin_that_is_not_a_workbook(tmp_path):
    where = windows(tmp_path)
    where.startup.mkdir(parents=True)
    (where.startup / "churnkit.xlam").write_bytes(b"not a zip")
    assert "cannot be read" in status(where)[0] and "churnkit addin install" in status(where)[0]
