"""E-mailing reports through a real SMTP server on 127.0.0.1 (aiosmtpd): plain, STARTTLS and SSL with a
certificate the test makes (trustme), login, refused recipients, per-rep sending and re-runs, dry runs."""
import datetime as dt
import email
import io
import json
import shutil
import socket
import ssl
import sys
import types
from email import policy
from pathlib import Path

import openpyxl
import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from churn_logic.headlines import headline_figures
from churn_logic.subset import rep_customers
from workbook_templates.sample_data import DEPARTED_REP

from addin.tasks import analyse_workbook
from addin.report.mail_settings import SmtpSettings, smtp_password, smtp_settings
from addin.report.rep_addresses import file_tables, rep_addresses
from conftest import write_orders
from package_edits import type_into
from report_checks import AS_OF, REP, SAMPLE, block, report_cli, value  # noqa: F401

PASSWORD = "Tr0ub4dor&3-for-tests"
USER = "reports@example.com"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REPS = {"Chen Jing": "chen.jing@example.com", "Emma Clarke": "emma.clarke@example.com", "Li Wei": "li.wei@example.com",
        "Sara Lopez": "sara.lopez@example.com", "Tom Becker": "tom.becker@example.com",
        "Zhang Min": "zhang.min@example.com"}


class Inbox:
    """What the test server received; it refuses the addresses in ``refuse``."""

    def __init__(self):
        self.messages: list[tuple[str, list[str], email.message.EmailMessage]] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=policy.default)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def login(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (USER.encode(), PASSWORD.encode())
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def certificate(tmp_path, monkeypatch):
    """A CA the client trusts (through SSL_CERT_FILE) and a server context with a certificate for 127.0.0.1."""
    ca = trustme.CA()
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(server)
    trusted = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(trusted))
    monkeypatch.setenv("SSL_CERT_FILE", str(trusted))
    return server


@pytest.fixture
def smtp_server():
    """Start a test server: ``smtp_server(**aiosmtpd options)`` -> (inbox, port)."""
    controllers = []

    def start(**options):
        inbox, port = Inbox(), free_port()
        controller = Controller(inbox, hostname="127.0.0.1", port=port, **options)
        controller.start()
        controllers.append(controller)
        return inbox, port
    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture
def book(tmp_path):
    path = tmp_path / "orders.xlsx"
    shutil.copy(SAMPLE, path)
    return path


def attachment(message) -> tuple[str, str, bytes]:
    part = next(message.iter_attachments())
    return part.get_content_type(), part.get_filename(), part.get_payload(decode=True)


def workbook(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def one_sentence(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("churnkit: ") and lines[0].endswith("."), err
    assert "Traceback" not in err
    return lines[0]


def nowhere(secret: str, *texts: str, folder: Path) -> None:
    for text in texts:
        assert secret not in text
    for path in folder.rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), path.name


def test_plain_smtp_delivers_the_report(report_cli, smtp_server, book):
    inbox, port = smtp_server()
    code, out, err = report_cli("report", book, "--quiet", "--email-to", "owner@example.com", "--email-to",
                                "Partner <partner@example.com>", "--from", "churnkit@example.com",
                                "--smtp-host", "127.0.0.1", "--smtp-port", port, "--smtp-security", "none")
    assert code == 0, err
    [(sender, recipients, message)] = inbox.messages
    assert sender == "churnkit@example.com" and recipients == ["owner@example.com", "partner@example.com"]
    figures = headline_figures(analyse_workbook(book).model)
    assert message["Subject"] == (f"At-risk report {AS_OF}: {figures['high']} high risk, {figures['medium']} "
                                  f"medium risk, {figures['lost']} lost")
    kind, name, data = attachment(message)
    assert (kind, name) == (XLSX, f"orders-at-risk-{AS_OF}.xlsx")
    sent = workbook(data)
    assert value(sent, "ck_headline_value_at_stake") == figures["value_at_stake"]
    assert len(block(sent, "ck_at_risk_rows")) == figures["at_risk"]
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Top at-risk customers:" in text and "1. C00166" in text and "<td" in html and "C00166" in html
    assert f"Sent orders-at-risk-{AS_OF}.xlsx to owner@example.com, Partner <partner@example.com>." in out


def test_starttls_and_login_with_the_password_from_the_environment(report_cli, smtp_server, certificate, book,
                                                                   monkeypatch, caplog):
    inbox, port = smtp_server(tls_context=certificate, require_starttls=True, authenticator=login, auth_required=True)
    monkeypatch.setenv("CHURNKIT_SMTP_PASSWORD", PASSWORD)
    code, out, err = report_cli("report", book, "--quiet", "--template", "review", "--lang", "zh",
                                "--email-to", "owner@example.com", "--smtp-host", "127.0.0.1", "--smtp-port", port,
                                "--smtp-user", USER)
    assert code == 0, err
    [(sender, recipients, message)] = inbox.messages
    assert sender == USER and recipients == ["owner@example.com"]
    assert message["Subject"].startswith(f"月度流失回顾 {AS_OF}：高风险 ")
    kind, name, data = attachment(message)
    assert kind == XLSX and name == f"orders-review-{AS_OF}.zh.xlsx"
    assert workbook(data).sheetnames == ["月度回顾", "客户群留存"]
    nowhere(PASSWORD, out, err, caplog.text, folder=book.parent)


def test_ssl_from_the_first_byte(report_cli, smtp_server, certificate, book):
    inbox, port = smtp_server(ssl_context=certificate)
    code, out, err = report_cli("report", book, "--quiet", "--email-to", "owner@example.com", "--from",
                                "me@example.com", "--smtp-host", "127.0.0.1", "--smtp-port", port,
                                "--smtp-security", "ssl")
    assert code == 0, err
    assert len(inbox.messages) == 1


def test_a_wrong_password_is_one_sentence_without_the_password(report_cli, smtp_server, certificate, book,
                                                               monkeypatch, caplog):
    inbox, port = smtp_server(tls_context=certificate, require_starttls=True, authenticator=login, auth_required=True)
    wrong = "not-" + PASSWORD
    monkeypatch.setenv("CHURNKIT_SMTP_PASSWORD", wrong)
    code, out, err = report_cli("report", book, "--quiet", "--email-to", "owner@example.com", "--smtp-host",
                                "127.0.0.1", "--smtp-port", port, "--smtp-user", USER)
    assert code == 2 and not inbox.messages
    assert f"refused the login of {USER}: the user name or password is wrong" in one_sentence(err)
    nowhere(wrong, out, err, caplog.text, folder=book.parent)


def test_an_untrusted_certificate_is_one_sentence(report_cli, smtp_server, certificate, book, monkeypatch):
    inbox, port = smtp_server(tls_context=certificate, require_starttls=True)
    monkeypatch.delenv("SSL_CERT_FILE")
    code, out, err = report_cli("report", book, "--quiet", "--email-to", "owner@example.com", "--from",
                                "me@example.com", "--smtp-host", "127.0.0.1", "--smtp-port", port)
    assert code == 2 and "showed a certificate that cannot be trusted" in one_sentence(err)


def test_no_password_anywhere_is_one_sentence(report_cli, book, monkeypatch):
    monkeypatch.delenv("CHURNKIT_SMTP_PASSWORD", raising=False)
    monkeypatch.setitem(sys.modules, "keyring", None)          # no keyring package at all
    code, out, err = report_cli("report", book, "--quiet", "--email-to", "owner@example.com", "--smtp-host",
                                "127.0.0.1", "--smtp-user", USER)
    assert code == 2 and "There is no password for the SMTP user" in one_sentence(err)


def test_connection_refused_is_one_sentence(report_cli, book):
    code, out, err = report_cli("report", book, "--quiet", "--email-to", "owner@example.com", "--from",
                                "me@example.com", "--smtp-host", "127.0.0.1", "--smtp-port", free_port())
    assert code == 2 and "refused the connection; check --smtp-host and --smtp-port" in one_sentence(err)
    assert (book.parent / f"orders-at-risk-{AS_OF}.xlsx").exists()      # the report itself was written


def test_a_refused_recipient_is_one_sentence(report_cli, smtp_server, book):
    inbox, port = smtp_server()
    inbox.refuse.add("gone@example.com")
    code, out, err = report_cli("report", book, "--quiet", "--email-to", "gone@example.com", "--from",
                                "me@example.com", "--smtp-host", "127.0.0.1", "--smtp-port", port,
                                "--smtp-security", "none")
    assert code == 2 and not inbox.messages
    assert "The mail server refused the recipient gone@example.com (550 5.1.1 Mailbox unavailable)" in one_sentence(err)


def test_per_rep_send_reports_who_got_theirs_and_a_rerun_sends_the_rest(report_cli, smtp_server, book):
    inbox, port = smtp_server()
    inbox.refuse.add(REPS["Chen Jing"])
    flags = ["--quiet", "--per-rep", "--email", "--from", "manager@example.com", "--smtp-host", "127.0.0.1",
             "--smtp-port", port, "--smtp-security", "none"]
    code, out, err = report_cli("report", book, *flags)
    assert code == 2
    sentence = one_sentence(err)
    assert sentence.startswith("churnkit: 2 of 7 reports were not sent — Chen Jing: the mail server refused "
                               "the recipient chen.jing@example.com")
    assert "Mark Evans: has left, so the report goes to the owner: give --email-to" in sentence
    assert "run the same command again to send the rest" in sentence
    got = {recipients[0]: message for _, recipients, message in inbox.messages}
    assert set(got) == set(REPS.values()) - {REPS["Chen Jing"]}
    model = analyse_workbook(book).model
    for rep, address in REPS.items():
        if address in got:
            assert f"Sent {rep}'s report to {address}." in out
            assert got[address]["Subject"].endswith(f" — {rep}")
            sent = workbook(attachment(got[address])[2])
            rows = block(sent, "ck_at_risk_rows")
            mine = rep_customers(model, rep).customers
            assert sorted(r[0] for r in rows if r[0] != "No customers") == \
                sorted(mine.loc[mine["risk"].isin(["HIGH", "MEDIUM"]), "customer"])
            assert all(r[REP] == rep for r in rows if r[0] != "No customers")
    record = json.loads((book.parent / f"churnkit-sent-orders-at-risk-{AS_OF}.json").read_text())
    assert set(record["sent"]) == set(REPS) - {"Chen Jing"}

    inbox.refuse.clear()
    inbox.messages.clear()
    code, out, err = report_cli("report", book, *flags, "--email-to", "owner@example.com")
    assert code == 0, err
    assert sorted(recipients for _, recipients, _ in inbox.messages) == [[REPS["Chen Jing"], "owner@example.com"],
                                                                         ["owner@example.com"]]
    assert "Li Wei already got this report on" in out and "Sent Chen Jing's report to chen.jing@example.com" in out
    assert "Sent Mark Evans's report to owner@example.com." in out


def test_per_rep_copies_go_to_the_manager_and_reps_without_an_address_are_named(report_cli, tmp_path):
    rows = [[dt.datetime(2024, m, 10), c, f"{c} Ltd", amount, f"SO-{c}-{m}", rep]
            for c, rep, amounts in (("K1", "Ann", [500] * 6), ("K2", "Bob", [900, 800, 700, 600, 500, 400]))
            for m, amount in zip(range(1, 7), amounts)]
    path = write_orders(tmp_path / "orders.xlsx", rows, header=["Order Date", "Customer ID", "Customer Name", "Amount",
                                                                 "Order No", "Sales Rep"],
                        extra_sheets={"Reps": [["Sales Rep", "Email"], ["Ann", "ann@example.com"], ["Bob", None]]})
    code, out, err = report_cli("report", path, "--quiet", "--per-rep", "--email", "--email-to", "boss@example.com",
                                "--from", "me@example.com", "--dry-run", "--as-of", "2024-06")
    assert code == 2 and "1 of 2 reports were not sent — Bob: no e-mail address (add it on the Reps sheet)" in one_sentence(err)
    message = email.message_from_bytes((tmp_path / "orders-at-risk-2024-06-Ann.eml").read_bytes(), policy=policy.default)
    assert (message["To"], message["Cc"]) == ("ann@example.com", "boss@example.com")
    assert not (tmp_path / "orders-at-risk-2024-06-Bob.eml").exists()
    assert (tmp_path / "orders-at-risk-2024-06-Bob.xlsx").exists()


def test_dry_run_writes_eml_files_and_sends_nothing(report_cli, book):
    code, out, err = report_cli("report", book, "--quiet", "--per-rep", "--email", "--from", "me@example.com",
                                "--email-to", "owner@example.com", "--dry-run")
    assert code == 0, err
    emls = sorted(book.parent.glob("*.eml"))
    assert len(emls) == 7
    departed = email.message_from_bytes(emls[3].read_bytes(), policy=policy.default)    # Mark Evans left: to the owner
    assert (departed["To"], departed["Cc"]) == ("owner@example.com", None)
    assert attachment(departed)[1] == f"orders-at-risk-{AS_OF}-Mark-Evans.xlsx"
    message = email.message_from_bytes(emls[2].read_bytes(), policy=policy.default)
    assert message["To"] == REPS["Li Wei"] and message["From"] == "me@example.com"
    kind, name, data = attachment(message)
    assert kind == XLSX and name == f"orders-at-risk-{AS_OF}-Li-Wei.xlsx"
    assert value(workbook(data), "ck_scope") == "Sales rep: Li Wei"
    assert not list(book.parent.glob("churnkit-sent-*.json"))       # a dry run records nothing as sent
    assert "(not sent: --dry-run)" in out


@pytest.mark.parametrize("flags, what", [
    (["--email-to", "owner@example.com", "--subject", "Report\nBcc: everyone@example.com"], "The subject"),
    (["--email-to", "owner@example.com\r\nBcc: everyone@example.com"], "The --email-to address"),
    (["--email-to", "owner@example.com", "--from", "me@example.com\nBcc: x@example.com"], "The sender"),
])
def test_header_injection_is_refused(report_cli, book, flags, what):
    code, out, err = report_cli("report", book, "--quiet", "--dry-run", "--from", "me@example.com", *flags)
    assert code == 2 and one_sentence(err).startswith(f"churnkit: {what} contains a line break")
    assert not list(book.parent.glob("*.eml"))


@pytest.mark.parametrize("address", ["not-an-address", "owner@localhost", "owner@@example.com", "two words@example.com",
                                     "owner@example..com", "a@b.c, d@e.f"])
def test_invalid_addresses_are_refused(report_cli, book, address):
    code, out, err = report_cli("report", book, "--quiet", "--dry-run", "--from", "me@example.com",
                                "--email-to", address)
    assert code == 2 and "is not an e-mail address such as name@example.com" in one_sentence(err)


def test_rep_addresses_from_a_rep_email_column(tmp_path):
    rows = [[dt.datetime(2024, 1, 10), "K1", "K1 Ltd", 500, "SO-1", "Ann", "ann@example.com"],
            [dt.datetime(2024, 2, 10), "K2", "K2 Ltd", 500, "SO-2", "Bob", "bob@example.com"]]
    path = write_orders(tmp_path / "orders.xlsx", rows, header=["Order Date", "Customer ID", "Customer Name", "Amount",
                                                                 "Order No", "Sales Rep", "Rep Email"])
    assert rep_addresses(file_tables(path), ["Orders"]) == {"Ann": "ann@example.com", "Bob": "bob@example.com"}
    assert rep_addresses(file_tables(SAMPLE), ["Orders"]) == {**REPS, DEPARTED_REP[0]: DEPARTED_REP[1]}


def test_smtp_settings_come_from_the_file_the_sheet_and_the_flags(tmp_path):
    path = write_orders(tmp_path / "orders.xlsx", [], extra_sheets={"Churn Settings": [
        ["Setting", "Value"], ["SMTP用户", "sheet-user@example.com"], ["smtp_port", "2525"]]})
    (tmp_path / "churnkit.toml").write_text('[smtp]\nhost = "mail.example.com"\nsecurity = "ssl"\nport = 465\n'
                                            'from = "file@example.com"\nto = ["boss@example.com", "partner@example.com"]\n', encoding="utf-8")
    flags = {"host": None, "port": None, "security": None, "user": None, "from": "flag@example.com"}
    settings = smtp_settings(tmp_path, flags, file_tables(path))
    assert settings == SmtpSettings("mail.example.com", 2525, "ssl", "sheet-user@example.com", "flag@example.com",
                                    ("boss@example.com", "partner@example.com"))
    (tmp_path / "churnkit.toml").write_text(f'[smtp]\nhost = "mail.example.com"\npassword = "{PASSWORD}"\n')
    with pytest.raises(Exception) as refused:
        smtp_settings(tmp_path, {}, file_tables(path))
    assert "must not hold the SMTP password" in str(refused.value) and PASSWORD not in str(refused.value)


def test_password_from_the_keyring_and_a_broken_keyring_is_no_password(monkeypatch):
    monkeypatch.delenv("CHURNKIT_SMTP_PASSWORD", raising=False)
    settings = SmtpSettings("mail.example.com", 587, "starttls", USER)
    asked = []
    store = types.SimpleNamespace(get_password=lambda service, user: asked.append((service, user)) or PASSWORD)
    monkeypatch.setitem(sys.modules, "keyring", store)
    assert smtp_password(settings) == PASSWORD and asked == [("churnkit-smtp:mail.example.com", USER)]

    def broken(service, user):
        raise RuntimeError("No recommended backend was available")
    monkeypatch.setitem(sys.modules, "keyring", types.SimpleNamespace(get_password=broken))
    assert smtp_password(settings) is None
    monkeypatch.setenv("CHURNKIT_SMTP_PASSWORD", "from-env")
    assert smtp_password(settings) == "from-env"


def test_smtp_settings_from_the_file_and_the_sheet_leave_the_rules_alone(report_cli, churnkit, smtp_server, book):
    """[smtp] in churnkit.toml and smtp rows on the settings sheet: scan still runs, and --email uses them."""
    inbox, port = smtp_server()
    (book.parent / "churnkit.toml").write_text(
        f'decline_months = 3\n[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
        'from = "churnkit@example.com"\n', encoding="utf-8")
    assert churnkit("settings", book).code == 0
    type_into(book, "Churn Settings", "date_column", "Value", "Order Date")        # a rules row, and below
    run = churnkit("scan", book, "--format", "json")
    assert run.code == 0, run.err

    loaded = openpyxl.load_workbook(book)          # a workbook of test data: re-saving it is fine here
    loaded["Churn Settings"].append(["smtp_to", "owner@example.com"])
    loaded.save(book)
    assert churnkit("scan", book, "--format", "json").code == 0
    code, out, err = report_cli("report", book, "--quiet", "--email")
    assert code == 0, err
    [(sender, recipients, _)] = inbox.messages
    assert sender == "churnkit@example.com" and recipients == ["owner@example.com"]
