"""Reports of reps (and cards of customers) whose names would make the same file name: each gets a file of
its own, each rep is e-mailed the file built for them, and the send record names each rep exactly."""
import datetime as dt
import email
import json
import unicodedata
from email import policy
from pathlib import Path

import openpyxl

from addin.report.report_names import name_parts
from report_checks import REP, block, report_cli, value  # noqa: F401
from test_report_mail import attachment, one_sentence, smtp_server, workbook  # noqa: F401

AS_OF = "2024-06"
# Reps that the old file names mixed up: punctuation, formula-like text, case only, no letters at all.
REPS = {"A.B": "ab.dot@example.com", "A B": "ab.space@example.com", "=1+1": "eq@example.com",
        "-1+1": "minus@example.com", "Ann": "ann.upper@example.com", "ann": "ann.lower@example.com",
        "***": "stars@example.com", "+++": "plus@example.com", "张伟": "zhang@example.com"}


def fold(name: str) -> str:
    return unicodedata.normalize("NFKC", name.casefold())


def orders_book(path: Path, customers: dict[str, str | None], reps: dict[str, str] | None = None) -> Path:
    """One declining (so at-risk) customer per entry of ``customers`` {key: rep}, and a Reps sheet; text that
    looks like a formula is stored as the text a user typed."""
    book = openpyxl.Workbook()
    orders = book.active
    orders.title = "Orders"
    orders.append(["Order Date", "Customer ID", "Customer Name", "Amount", "Order No", "Sales Rep"])
    for key, rep in customers.items():
        for month, amount in zip(range(1, 7), [900, 800, 700, 600, 500, 400]):
            orders.append([dt.datetime(2024, month, 10), key, f"{key} Ltd", amount, f"SO-{key}-{month}", rep])
    if reps:
        sheet = book.create_sheet("Reps")
        sheet.append(["Sales Rep", "Email"])
        for rep, address in reps.items():
            sheet.append([rep, address])
    for cell in (c for ws in book for row in ws.iter_rows() for c in row
                 if isinstance(c.value, str) and c.value.startswith("=")):
        cell.data_type = "s"
    book.save(path)
    return path


def test_file_name_parts_differ_for_every_name_even_ignoring_case():
    nfc, nfd = unicodedata.normalize("NFC", "José"), unicodedata.normalize("NFD", "José")
    long_a, long_b = "Sales team north " * 4 + "A", "Sales team north " * 4 + "B"
    names = [*REPS, "A-B", "Li Wei", "C00166", nfc, nfd, long_a, long_b, "x", ""]
    parts = name_parts(names)
    assert set(parts) == set(names) and len({fold(p) for p in parts.values()}) == len(names)
    assert (parts["Li Wei"], parts["C00166"], parts["张伟"], parts["x"]) == ("Li-Wei", "C00166", "张伟", "x")
    code = parts["A.B"].rsplit("_", 1)[1]
    assert parts["A.B"].startswith("A-B_") and len(code) == 8 and parts["A-B"].startswith("A-B_")
    assert parts["***"].startswith("_") and parts["+++"].startswith("_") and parts[""].startswith("_")
    assert parts["Ann"].startswith("Ann_") and parts["ann"].startswith("ann_")
    assert parts[nfc].startswith("José_") and parts[nfd].startswith("José_")
    assert all(len(parts[n]) <= 40 + 9 and parts[n].startswith("Sales-team-north-") and "_" in parts[n]
               for n in (long_a, long_b))
    assert name_parts(reversed(names)) == parts                                    # the same on every run
    trap = f"A-B_{code}"          # a name that spells the code of another: plain parts never hold "_"
    assert fold(name_parts([*names, trap])[trap]) not in {fold(p) for p in parts.values()}


def test_reps_whose_names_would_share_a_file_each_get_their_own_customers_by_mail(report_cli, smtp_server,
                                                                                 tmp_path):
    customers = {f"K{i}": rep for i, rep in enumerate(REPS, 1)}
    mine = {rep: key for key, rep in customers.items()}
    path = orders_book(tmp_path / "orders.xlsx", customers, REPS)
    inbox, port = smtp_server()
    inbox.refuse.add(REPS["A B"])
    flags = ["--quiet", "--per-rep", "--email", "--from", "manager@example.com", "--as-of", AS_OF,
             "--smtp-host", "127.0.0.1", "--smtp-port", port, "--smtp-security", "none"]
    code, out, err = report_cli("report", path, *flags)
    assert code == 2 and one_sentence(err).startswith("churnkit: 1 of 9 reports were not sent — A B: the mail "
                                                      "server refused the recipient ab.space@example.com")
    reports = sorted(tmp_path.glob(f"orders-at-risk-{AS_OF}-*.xlsx"))
    assert len(reports) == len(REPS) and len({fold(p.name) for p in reports}) == len(REPS)

    by_address = {to: message for _, [to], message in inbox.messages}
    assert set(by_address) == set(REPS.values()) - {REPS["A B"]}
    record = json.loads((tmp_path / f"churnkit-sent-orders-at-risk-{AS_OF}.json").read_text(encoding="utf-8"))["sent"]
    assert set(record) == set(REPS) - {"A B"}                         # each rep by their exact name
    for rep, address in REPS.items():
        if rep == "A B":
            continue
        kind, name, data = attachment(by_address[address])
        assert data == (tmp_path / name).read_bytes()                 # the file built for this rep, as it is on disk
        sent = workbook(data)
        assert value(sent, "ck_scope") == f"Sales rep: {rep}"
        assert [(r[0], r[REP]) for r in block(sent, "ck_at_risk_rows")] == [(mine[rep], rep)]
        assert record[rep]["to"] == [address] and record[rep]["report"] == name
        assert f"Sent {rep}'s report to {address}." in out

    inbox.refuse.clear()
    inbox.messages.clear()
    code, out, err = report_cli("report", path, *flags)
    assert code == 0, err
    [(_, to, message)] = inbox.messages                               # only the rep not served before
    assert to == [REPS["A B"]]
    assert [r[0] for r in block(workbook(attachment(message)[2]), "ck_at_risk_rows")] == [mine["A B"]]
    assert "A.B already got this report on" in out
    assert set(json.loads((tmp_path / f"churnkit-sent-orders-at-risk-{AS_OF}.json").read_text(
        encoding="utf-8"))["sent"]) == set(REPS)


def test_customers_whose_keys_would_share_a_file_each_get_their_own_card(report_cli, tmp_path):
    keys = ["A.B", "A B", "c1", "C1", "***"]
    path = orders_book(tmp_path / "orders.xlsx", {key: "Ann" for key in keys})
    cards = {}
    for key in keys:
        code, out, err = report_cli("report", path, "--quiet", "--template", "customer-card", "--customer", key,
                                    "--as-of", AS_OF)
        assert code == 0, err
        cards[key] = Path(out.strip().removeprefix("Wrote "))
    assert len({fold(card.name) for card in cards.values()}) == len(keys)
    assert not (tmp_path / "churnkit-backups").exists()              # no card replaced another
    for key, card in cards.items():
        assert value(openpyxl.load_workbook(card), "ck_card_customer") == key


def test_each_workbooks_reports_have_their_own_send_record_and_a_broken_one_is_one_sentence(report_cli,
                                                                                           smtp_server, tmp_path):
    """The same rep in two order workbooks in one folder gets both reports; a record that cannot be read
    stops the run before anything is sent (it could have been anyone's)."""
    inbox, port = smtp_server()
    flags = ["--quiet", "--per-rep", "--email", "--from", "manager@example.com", "--as-of", AS_OF,
             "--smtp-host", "127.0.0.1", "--smtp-port", port, "--smtp-security", "none"]
    for book, key in (("east.xlsx", "E1"), ("west.xlsx", "W1")):
        code, out, err = report_cli("report", orders_book(tmp_path / book, {key: "Ann"}, {"Ann": "ann@example.com"}),
                                    *flags)
        assert code == 0, err
    sent = [[r[0] for r in block(workbook(attachment(message)[2]), "ck_at_risk_rows")] for _, _, message in inbox.messages]
    assert sent == [["E1"], ["W1"]]

    inbox.messages.clear()
    record = tmp_path / f"churnkit-sent-west-at-risk-{AS_OF}.json"
    for broken in ('{"sent": {"Ann": ', '{"sent": ["Ann"]}', '{"sent": {"Ann": {"to": "ann@example.com"}}}'):
        record.write_text(broken, encoding="utf-8")
        code, out, err = report_cli("report", tmp_path / "west.xlsx", *flags)
        assert code == 2 and f"The send record {record} cannot be read" in one_sentence(err)
        assert not inbox.messages and record.read_text(encoding="utf-8") == broken


def test_dry_run_messages_stay_beside_each_reps_own_report(report_cli, tmp_path):
    path = orders_book(tmp_path / "orders.xlsx", {"K1": "Ann", "K2": "ann"}, {"Ann": "a@example.com",
                                                                              "ann": "b@example.com"})
    code, out, err = report_cli("report", path, "--quiet", "--per-rep", "--email", "--from", "me@example.com",
                                "--dry-run", "--as-of", AS_OF)
    assert code == 0, err
    emls = sorted(tmp_path.glob("*.eml"))
    assert len({fold(e.name) for e in emls}) == 2
    for eml in emls:
        message = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
        kind, name, data = attachment(message)
        assert eml.name == Path(name).with_suffix(".eml").name and data == (tmp_path / name).read_bytes()
        rep = {"a@example.com": "Ann", "b@example.com": "ann"}[message["To"]]
        assert [r[REP] for r in block(workbook(data), "ck_at_risk_rows")] == [rep]
