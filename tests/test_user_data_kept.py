"""Nothing the user has is lost: their own sheets with churnkit's names, rows without a customer key,
formulas they typed, and a save another program (or churnkit run) makes while churnkit works."""
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from conftest import monthly_rows, write_orders
from office import convert
from package_edits import replace_part, sheet_part

AS_OF = ("--as-of", "2024-06")


@pytest.fixture
def orders(tmp_path) -> Path:
    """Two at-risk customers (C1 declining, C2 stopped), one lapsed (C3), one fine (C4)."""
    rows = (monthly_rows("C1", "Acme", [900, 800, 700, 600, 500, 400])
            + monthly_rows("C2", "Beta", [500, 600, 0, 0, 0, 0])
            + monthly_rows("C3", "Gamma", [300, 0, 0, 0, 0, 0, 0, 0], start=(2023, 10))
            + monthly_rows("C4", "Delta", [100, 100, 100, 100, 100, 100]))
    return write_orders(tmp_path / "orders.xlsx", rows)


def _cells(path: Path, sheet: str) -> list[tuple]:
    ws = openpyxl.load_workbook(path)[sheet]
    return [tuple(c.value for c in row) for row in ws.iter_rows()]


def _table(path: Path, sheet: str) -> dict[str, dict]:
    rows = _cells(path, sheet)
    header = next(i for i, row in enumerate(rows) if row and row[0] in ("Customer", "客户"))
    return {row[0]: dict(zip(rows[header], row)) for row in rows[header + 1:] if any(v is not None for v in row)}


def _set(path: Path, sheet: str, values: dict[tuple[str, str], object]) -> None:
    """Type values into churnkit's list ({(customer, header): value}) and save, as a user's editor does."""
    book = openpyxl.load_workbook(path)
    ws = book[sheet]
    rows = list(ws.iter_rows())
    header = next(i for i, row in enumerate(rows) if row[0].value == "Customer")
    columns = {cell.value: cell.column for cell in rows[header]}
    for (customer, column), value in values.items():
        row = next(r for r in rows[header + 1:] if r[0].value == customer)
        ws.cell(row=row[0].row, column=columns[column], value=value)
    book.save(path)


# --- 1. a sheet of the user's with churnkit's name ----------------------------------------------------
def test_a_users_own_sheets_named_like_churnkits_are_never_replaced(churnkit, tmp_path):
    path = tmp_path / "orders.xlsx"
    rows = monthly_rows("C1", "Acme", [900, 800, 700, 600, 500, 400])
    mine = [["My own list of risky customers"], ["Customer", "Why"], ["Zeta", "late payer"]]
    write_orders(path, rows, extra_sheets={"At-Risk": mine, "customer history": [["my notes"]]})
    run = churnkit("refresh", path, *AS_OF)
    assert run.code == 0, run.err
    assert "A sheet of yours is named 'At-Risk', so churnkit wrote its list as 'At-Risk (churnkit)'" in run.out
    assert _cells(path, "At-Risk") == [tuple(r) for r in [mine[0] + [None], mine[1], mine[2]]]
    assert "C1" in _table(path, "At-Risk (churnkit)")
    _set(path, "At-Risk (churnkit)", {("C1", "Notes"): "call Monday"})
    assert churnkit("refresh", path, *AS_OF).code == 0         # the next refresh finds its own sheet again
    assert openpyxl.load_workbook(path).sheetnames == ["Orders", "At-Risk", "customer history",
                                                       "At-Risk (churnkit)", "Win-Back"]
    assert _table(path, "At-Risk (churnkit)")["C1"]["Notes"] == "call Monday"
    assert _cells(path, "At-Risk")[2] == ("Zeta", "late payer")

    assert churnkit("history", path, "C1", "--write", *AS_OF).code == 0   # sheet names ignore case, as in Excel
    assert _cells(path, "customer history") == [("my notes",)]
    assert _cells(path, "Customer History (churnkit)")[0][0] == "Customer history: C1"
    convert(path, tmp_path)


def test_a_users_own_settings_sheet_is_read_but_never_rewritten(churnkit, tmp_path):
    path = tmp_path / "orders.xlsx"
    settings = [["My settings, see the wiki"], ["Setting", "Value"], ["low_threshold", 200]]
    write_orders(path, monthly_rows("C1", "Acme", [900, 800, 700]), extra_sheets={"Churn Settings": settings})
    before = path.read_bytes()
    run = churnkit("settings", path)
    assert run.code == 2
    assert run.err.count("\n") == 1 and "'Churn Settings' of orders.xlsx was not written by churnkit" in run.err
    assert path.read_bytes() == before
    assert churnkit("scan", path, "--format", "json").json()["settings"]["low_threshold"] == 200


def test_churnkits_settings_sheet_keeps_the_users_other_lines(churnkit, orders):
    assert churnkit("settings", orders).code == 0
    book = openpyxl.load_workbook(orders)
    ws = book["Churn Settings"]
    ws.append(["smtp_host", "mail.example.com"])
    ws.append(["Note from Ann", "do not change lost_months"])
    book.save(orders)
    assert churnkit("settings", orders, "--lang", "zh").code == 0
    rows = _cells(orders, "流失设置")
    assert ("smtp_host", "mail.example.com", None, None) in rows
    assert ("Note from Ann", "do not change lost_months", None, None) in rows


def test_lists_written_by_an_earlier_version_are_recognised_by_table_and_title(churnkit, orders):
    assert churnkit("refresh", orders, *AS_OF).code == 0
    _set(orders, "At-Risk", {("C1", "Notes"): "from before"})
    workbook = zipfile.ZipFile(orders).read("xl/workbook.xml").decode()
    unmarked = re.sub(r"<definedName name=\"_churnkit_sheet\"[^>]*>[^<]*</definedName>", "", workbook)
    assert unmarked != workbook
    replace_part(orders, "xl/workbook.xml", unmarked.encode())       # as churnkit 0.1 wrote it: no marks
    assert churnkit("refresh", orders, *AS_OF).code == 0
    assert openpyxl.load_workbook(orders).sheetnames == ["Orders", "At-Risk", "Win-Back"]
    assert _table(orders, "At-Risk")["C1"]["Notes"] == "from before"


def test_a_user_sheet_with_a_churnkit_like_table_but_its_own_title_is_the_users(churnkit, tmp_path):
    path = tmp_path / "orders.xlsx"
    write_orders(path, monthly_rows("C1", "Acme", [900, 800, 700, 600, 500, 400]))
    book = openpyxl.load_workbook(path)
    ws = book.create_sheet("At-Risk")
    for row in (["Risky ones (mine)"], ["Customer", "Why"], ["Zeta", "late"]):
        ws.append(row)
    ws.add_table(openpyxl.worksheet.table.Table(displayName="ChurnAtRisk", ref="A2:B3"))
    book.save(path)
    assert churnkit("refresh", path, *AS_OF).code == 0
    assert _cells(path, "At-Risk")[2] == ("Zeta", "late")
    assert "C1" in _table(path, "At-Risk (churnkit)")


def test_churnkits_sheet_renamed_by_the_user_is_still_its_own(churnkit, orders):
    assert churnkit("refresh", orders, *AS_OF).code == 0
    book = openpyxl.load_workbook(orders)
    book["At-Risk"].title = "Calls this week"
    book.save(orders)
    _set(orders, "Calls this week", {("C2", "Owner"): "Ann"})
    assert churnkit("refresh", orders, *AS_OF).code == 0
    assert openpyxl.load_workbook(orders).sheetnames == ["Orders", "Calls this week", "Win-Back"]
    assert _table(orders, "Calls this week")["C2"]["Owner"] == "Ann"


# --- 2. rows without a customer key, and further rows of one customer ---------------------------------
def test_a_blank_customer_cell_drops_no_note(churnkit, orders):
    assert churnkit("refresh", orders, *AS_OF).code == 0
    assert set(_table(orders, "At-Risk")) == {"C1", "C2"}
    _set(orders, "At-Risk", {("C1", "Notes"): "note of the row that lost its key", ("C2", "Notes"): "note below it"})
    book = openpyxl.load_workbook(orders)
    ws = book["At-Risk"]
    header = next(c.row for c in ws["A"] if c.value == "Customer")
    next(c for c in ws["A"] if c.value == "C1").value = None       # the user clears C1's Customer cell
    ws.cell(row=header + 6, column=1, value="C1")                  # and types C1 further down, with other notes
    ws.cell(row=header + 6, column=next(c.column for c in ws[header] if c.value == "Next step"), value="visit")
    book.save(orders)
    for _ in range(2):                                 # a second refresh keeps them all, once each
        assert churnkit("refresh", orders, *AS_OF).code == 0
        at_risk = _table(orders, "At-Risk")
        assert at_risk["C2"]["Notes"] == "note below it"
        assert at_risk["C1"]["Next step"] == "visit"
        keyless = [r for r in _cells(orders, "Closed") if "note of the row that lost its key" in r]
        assert len(keyless) == 1 and "no customer key" in keyless[0] and keyless[0][0] is None


def test_entries_of_a_customer_on_two_lists_are_both_kept(churnkit, orders):
    assert churnkit("refresh", orders, *AS_OF).code == 0
    book = openpyxl.load_workbook(orders)
    wb_sheet = book["Win-Back"]
    header = next(r for r in wb_sheet.iter_rows() if r[0].value == "Customer")
    notes = next(c.column for c in header if c.value == "Notes")
    wb_sheet.cell(row=header[0].row + 2, column=1, value="C1")      # C1 pasted onto Win-Back with a note
    wb_sheet.cell(row=header[0].row + 2, column=notes, value="second note")
    book.save(orders)
    _set(orders, "At-Risk", {("C1", "Notes"): "first note"})
    assert churnkit("refresh", orders, *AS_OF).code == 0
    assert _table(orders, "At-Risk")["C1"]["Notes"] == "first note"
    closed = [r for r in _cells(orders, "Closed") if "second note" in r]
    assert len(closed) == 1 and closed[0][0] == "C1" and "another row of the same customer" in closed[0]


# --- 3. formulas the user typed, and saves that land while churnkit works ------------------------------
def test_a_formula_typed_into_notes_comes_back_as_that_formula(churnkit, orders, tmp_path):
    assert churnkit("refresh", orders, *AS_OF).code == 0
    _set(orders, "At-Risk", {("C2", "Notes"): '=CONCAT("call ", B2)', ("C2", "Owner"): "=1+1"})
    assert churnkit("refresh", orders, *AS_OF).code == 0
    assert _table(orders, "At-Risk")["C2"]["Notes"] == '=CONCAT("call ", B2)'
    assert _table(orders, "At-Risk")["C2"]["Owner"] == "=1+1"
    ws = openpyxl.load_workbook(orders)["At-Risk"]
    assert [c.data_type for c in ws["A"] if c.value == "C1"] == ["s"]     # churnkit's own texts stay text
    convert(orders, tmp_path)


def test_a_formula_filled_down_is_kept_in_every_cell(churnkit, orders):
    """Excel writes a formula filled down once, as a shared formula; each cell gets its own back."""
    assert churnkit("refresh", orders, *AS_OF).code == 0
    part = sheet_part(orders, "At-Risk")
    xml = zipfile.ZipFile(orders).read(part).decode()
    rows = _cells(orders, "At-Risk")
    header = next(i for i, row in enumerate(rows) if row[0] == "Customer") + 1
    column = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[rows[header - 1].index("Notes")]
    first, second = header + 1, header + 2
    customers = {rows[first - 1][0]: first, rows[second - 1][0]: second}
    shared = {first: f'<f t="shared" ref="{column}{first}:{column}{second}" si="0">LEN(A{first})</f><v>2</v>',
              second: '<f t="shared" si="0"/><v>2</v>'}
    for row, body in shared.items():
        xml, count = re.subn(rf'<c r="{column}{row}"([^>]*?)/>', rf'<c r="{column}{row}"\1>{body}</c>', xml)
        assert count == 1
    replace_part(orders, part, xml.encode())
    assert churnkit("refresh", orders, *AS_OF).code == 0
    table = _table(orders, "At-Risk")
    assert {c: table[c]["Notes"] for c in customers} == {c: f"=LEN(A{row})" for c, row in customers.items()}


def test_a_save_that_lands_while_churnkit_writes_is_kept(orders, monkeypatch):
    """Another program saves the workbook after churnkit read it, at each step before the replace."""
    from addin.workbooks import safe_write
    from addin.tasks import analyse_workbook, refresh_lists
    from addin.errors import UserError
    from addin.workbooks.file_book import FileWorkbook

    book = openpyxl.load_workbook(orders)
    book["Orders"]["C2"] = "Acme Trading"                          # what the other program saved
    book.save(orders.with_suffix(".theirs"))
    theirs = orders.with_suffix(".theirs").read_bytes()
    for step in ("write", "back up"):
        shutil.copy(orders, orders.with_suffix(".orig"))
        workbook = FileWorkbook(orders)
        analysis = analyse_workbook(orders, {"as_of": "2024-06"})

        def other_program_saves(*args, real=safe_write._back_up if step == "back up" else workbook.package.save):
            result = real(*args)
            stat = orders.stat()
            orders.write_bytes(theirs)
            import os
            os.utime(orders, ns=(stat.st_atime_ns, stat.st_mtime_ns))     # even with the old time
            return result

        if step == "write":
            monkeypatch.setattr(workbook.package, "save", other_program_saves)
        else:
            monkeypatch.setattr(safe_write, "_back_up", other_program_saves)
        with pytest.raises(UserError, match="changed while churnkit was working on it"):
            refresh_lists(analysis, workbook)
        assert orders.read_bytes() == theirs, step
        assert not list(orders.parent.glob("*.churnkit-tmp"))
        monkeypatch.undo()
        shutil.copy(orders.with_suffix(".orig"), orders)


def test_a_file_rewritten_with_its_old_size_and_time_counts_as_changed(orders):
    import os

    from addin.workbooks.safe_write import identity

    before, stat = identity(orders), orders.stat()
    data = bytearray(orders.read_bytes())
    data[40] ^= 1
    orders.write_bytes(bytes(data))
    os.utime(orders, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert identity(orders)[:2] == before[:2] and identity(orders) != before


def test_churnkit_writers_of_one_workbook_take_turns(churnkit, orders):
    """A history --write started while a refresh has the workbook waits, then writes into the refreshed one."""
    from addin.tasks import analyse_workbook, refresh_lists
    from addin.workbooks.file_book import FileWorkbook

    workbook = FileWorkbook(orders)                                   # this run has the workbook
    other = subprocess.Popen([sys.executable, "-m", "addin.cli", "history", str(orders), "C1", "--write", *AS_OF],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert "Another churnkit run is writing orders.xlsx; waiting" in other.stderr.readline()
    refresh_lists(analyse_workbook(orders, {"as_of": "2024-06"}), workbook)
    out, err = other.communicate(timeout=120)
    assert other.returncode == 0, err
    assert openpyxl.load_workbook(orders).sheetnames == ["Orders", "At-Risk", "Win-Back", "Customer History"]
