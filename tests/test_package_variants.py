"""Workbooks written by other programs, which spell their package XML in other valid ways, take churnkit's
sheets; broken package XML and a full disk are one sentence, and change nothing."""
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest

from conftest import monthly_rows, write_orders
from office import convert
from package_edits import replace_part

AS_OF = ("--as-of", "2024-06")
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _book(tmp_path: Path) -> Path:
    """An order workbook as openpyxl writes it with lxml installed: ``xmlns:r`` declared on each ``<sheet>``."""
    rows = monthly_rows("C1", "Acme", [900, 800, 700, 600, 500, 400]) + monthly_rows("C2", "Beta", [500, 0, 0, 0, 0, 0])
    path = write_orders(tmp_path / "orders.xlsx", rows, extra_sheets={"Notes": [["mine"]]})
    workbook = zipfile.ZipFile(path).read("xl/workbook.xml").decode()
    assert f'<sheet xmlns:r="{REL}"' in workbook and "xmlns:r" not in workbook.split("<sheets>")[0]
    return path


def _single_quotes(xml: str) -> str:
    return re.sub(r'(\s[\w:]+)="([^"]*)"', r"\1='\2'", xml)


def _prefixed(xml: str) -> str:
    """The part's namespace bound to a prefix instead of being the default one."""
    xml = re.sub(r'xmlns="([^"]*)"', r'xmlns:x="\1"', xml, count=1)
    return re.sub(r"<(/?)(?![?!])(\w+)(?=[\s/>])", r"<\1x:\2", xml)


def _long_form(xml: str) -> str:
    return re.sub(r"<sheet\b([^>]*?)\s*/>", r"<sheet\1></sheet>", xml)


def _odd_sheet_name(xml: str) -> str:
    return xml.replace('name="Notes"', "name='a>b &amp; &quot;c&quot;'")


VARIANTS = {"single quotes": _single_quotes, "prefixed namespace": _prefixed, "long-form sheet elements": _long_form,
            "a raw > in a sheet name": _odd_sheet_name}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_valid_package_variants_take_every_sheet(churnkit, tmp_path, variant):
    path = _book(tmp_path)
    with zipfile.ZipFile(path) as z:
        parts = {name: z.read(name).decode() for name in
                 ("xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml", "docProps/app.xml")}
    edit = VARIANTS[variant]
    for name, xml in parts.items():
        changed = edit(xml) if name == "xl/workbook.xml" or variant != "a raw > in a sheet name" else xml
        replace_part(path, name, changed.encode())
    for command in (("refresh", path, *AS_OF), ("history", path, "C1", "--write", *AS_OF), ("settings", path),
                    ("refresh", path, *AS_OF, "--lang", "zh")):
        run = churnkit(*command)
        assert run.code == 0, f"{command[0]}: {run.err}"
    notes = 'a>b & "c"' if variant == "a raw > in a sheet name" else "Notes"
    assert openpyxl.load_workbook(path).sheetnames == ["Orders", notes, "流失预警", "赢回名单", "Customer History",
                                                       "Churn Settings"]
    convert(path, tmp_path)


@pytest.mark.parametrize("broken", ['<!DOCTYPE workbook [<!ENTITY x "y">]>', "&undefined;", "&#xD800;"])
def test_broken_workbook_xml_is_one_sentence_and_changes_nothing(churnkit, tmp_path, broken):
    path = _book(tmp_path)
    xml = zipfile.ZipFile(path).read("xl/workbook.xml").decode()
    xml = xml.replace("<workbook", broken + "<workbook", 1) if broken.startswith("<!") else \
        xml.replace('name="Notes"', f'name="Notes{broken}"')
    replace_part(path, "xl/workbook.xml", xml.encode())
    before = path.read_bytes()
    for command in (("refresh", path, *AS_OF), ("settings", path)):
        run = churnkit(*command)
        assert run.code == 2 and run.err.count("\n") == 1, run.err
        assert "xl/workbook.xml" in run.err or "orders.xlsx" in run.err
        assert path.read_bytes() == before
    assert not list(tmp_path.rglob("*.churnkit-tmp"))


def test_a_full_disk_is_one_sentence_and_leaves_no_temporary_file(churnkit, tmp_path):
    """The workbook lives on a small disk (a tmpfs) that fills up while churnkit writes its new version."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=96k", "tmpfs", str(disk)], capture_output=True,
                             text=True)
    if mounted.returncode != 0:
        pytest.fail(f"a small disk could not be mounted (CI runs as root): {mounted.stderr}")
    try:
        path = _book(tmp_path)
        book = shutil.copy(path, disk / "orders.xlsx")
        stat = os.statvfs(disk)
        (disk / "filler").write_bytes(b"\0" * (stat.f_bavail * stat.f_frsize - Path(book).stat().st_size // 2))
        before = Path(book).read_bytes()
        run = churnkit("refresh", book, *AS_OF)
        assert run.code == 2 and run.err.count("\n") == 1, run.err
        assert "the disk is full" in run.err and "not changed" in run.err
        assert Path(book).read_bytes() == before
        left = sorted(str(p.relative_to(disk)) for p in disk.rglob("*") if p.is_file())
        assert left == ["churnkit-backups/.orders.xlsx.lock", "filler", "orders.xlsx"]
    finally:
        subprocess.run(["umount", str(disk)], check=True)
