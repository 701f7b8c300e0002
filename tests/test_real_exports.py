"""Order books as small businesses' software exports them: an ERP ledger (U8 / Kingdee headers, a subtotal
after every month, a footnote) and an accounting package's invoice list (Sage's A/C Ref)."""
import datetime as dt

from conftest import write_orders


def test_an_erp_ledger_with_monthly_subtotals_and_a_footnote(churnkit, tmp_path):
    rows = []
    for month in range(1, 7):
        rows.append([dt.datetime(2024, month, 8), "华东贸易", "清洁剂", 1200.0 - 100 * month])
        rows.append([dt.datetime(2024, month, 9), "北方商行", "纸巾", 300.0])
        rows.append(["本月小计", None, None, 1500.0 - 100 * month])
    rows.append(["注：金额为价税合计，单位元。", None, None, None])
    path = write_orders(tmp_path / "ledger.xlsx", rows, header=["单据日期", "客户简称", "存货名称", "价税合计"])
    result = churnkit("scan", path, "--as-of", "2024-06", "--all", "--format", "json").json()
    assert result["skipped"] == []
    assert "Not read as order lines: 7 rows holding a total, a subtotal or a single note." in result["notes"]
    by_key = {c["customer"]: c for c in result["customers"]}
    assert by_key["华东贸易"]["decline_streak"] == 5 and by_key["北方商行"]["risk"] == "LOW"
    history = churnkit("history", path, "华东贸易", "--as-of", "2024-06", "--format", "json").json()
    assert {line["product"] for line in history["lines"]} == {"清洁剂"}


def test_an_accounting_export_keyed_by_account_reference(churnkit, tmp_path):
    rows = [[dt.datetime(2024, m, 3), "ACME001", "Acme Ltd", 500.0 - 50 * m] for m in range(1, 7)]
    rows.append(["Subtotal", None, None, 1950.0])
    path = write_orders(tmp_path / "invoices.xlsx", rows, header=["Date", "A/C Ref", "Name", "Net"])
    result = churnkit("scan", path, "--as-of", "2024-06", "--format", "json").json()
    assert [(c["customer"], c["name"], c["risk"]) for c in result["customers"]] == [("ACME001", "Acme Ltd", "MEDIUM")]
    assert result["skipped"] == []


def test_an_as_of_month_the_orders_do_not_cover_in_full_is_named(churnkit, tmp_path):
    rows = [[dt.datetime(2024, m, 10), "C1", "Acme", 100.0] for m in range(1, 6)]
    rows += [[dt.datetime(2024, 6, 1), "C1", "Acme", 20.0], [dt.datetime(2024, 6, 2), "C2", "Beta", 30.0]]
    path = write_orders(tmp_path / "orders.xlsx", rows, header=["Date", "Customer", "Name", "Amount"])
    notes = churnkit("scan", path, "--as-of", "2024-06", "--format", "json").json()["notes"]
    assert ("The as-of month 2024-06 may be incomplete: the latest order line is from 2024-06-02. "
            "Give --as-of 2024-05 to judge the last month the orders cover in full.") in notes
    assert not any("incomplete" in n for n in churnkit("scan", path, "--as-of", "2024-05", "--format", "json").json()[
        "notes"])


def test_csv_saved_by_excel_on_western_or_chinese_windows_is_read_in_its_encoding(churnkit, tmp_path):
    western = tmp_path / "west.csv"
    western.write_bytes("Date,Customer,Amount\r\n2024-05-03,Café Royal,£100.50\r\n2024-06-03,Café Royal,£80\r\n"
                        .encode("cp1252"))
    result = churnkit("scan", western, "--as-of", "2024-06", "--all", "--format", "json").json()
    assert [(c["customer"], c["value_last_12m"]) for c in result["customers"]] == [("Café Royal", 180.5)]
    assert "Read west.csv as text in cp1252 (it is not UTF-8)." in result["notes"]
    chinese = tmp_path / "china.csv"
    chinese.write_bytes('日期,客户,金额\r\n2024-05-03,北京贸易,"¥1,200.00"\r\n2024-06-03,北京贸易,900\r\n'.encode("gb18030"))
    result = churnkit("scan", chinese, "--as-of", "2024-06", "--all", "--format", "json").json()
    assert [(c["customer"], c["decline_streak"]) for c in result["customers"]] == [("北京贸易", 1)]
    assert "Read china.csv as text in gb18030 (it is not UTF-8)." in result["notes"]
