"""E-mailing a report: the message, address checks, sending over SMTP, or writing .eml files instead.

Every failure is a :class:`MailError`, one sentence a person can act on; none of them, and
nothing printed, ever holds the SMTP password.
"""
from __future__ import annotations

import re
import smtplib
import socket
import ssl
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid, parseaddr
from pathlib import Path
from typing import Sequence

from ..errors import UserError
from .mail_settings import PASSWORD_VARIABLE, KEYRING_SERVICE, SmtpSettings, smtp_password

XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
TIMEOUT = 30
_ADDRESS = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                      r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")


class MailError(UserError):
    """Sending failed; the message is one sentence."""


class RecipientRefused(MailError):
    """The server refused a recipient of one message; other messages may still go."""


def check_header(text: str, what: str) -> str:
    """Refuse text with a line break (it would add e-mail headers of its own: header injection)."""
    if re.search(r"[\r\n\x00]", text):
        raise UserError(f"{what} contains a line break, which could smuggle in e-mail headers; churnkit refuses it.")
    return text


def check_address(text: str, what: str = "The address") -> str:
    """``name@example.com`` or ``Name <name@example.com>``, checked; returns it in canonical form."""
    check_header(text, what)
    name, address = parseaddr(text)
    if not _ADDRESS.match(address) or ".." in address or text.count("@") != 1:
        raise UserError(f"{what} '{text}' is not an e-mail address such as name@example.com.")
    return formataddr((name, address)) if name else address


def build_message(report: Path, sender: str, to: Sequence[str], subject: str, text: str, html: str,
                  cc: Sequence[str] = ()) -> EmailMessage:
    """A message with a plain-text and an HTML body and the report attached as an Excel workbook."""
    message = EmailMessage()
    message["Subject"] = check_header(subject, "The subject")
    message["From"] = check_address(sender, "The sender")
    message["To"] = ", ".join(check_address(a) for a in to)
    if cc:
        message["Cc"] = ", ".join(check_address(a) for a in cc)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid("churnkit", domain=parseaddr(sender)[1].rsplit("@", 1)[1])
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    message.add_attachment(report.read_bytes(), maintype=XLSX_TYPE[0], subtype=XLSX_TYPE[1], filename=report.name)
    return message


def recipients(message: EmailMessage) -> list[str]:
    """The bare addresses a message goes to (To and Cc)."""
    return [parseaddr(a.strip())[1] for field in ("To", "Cc") for a in (message.get(field) or "").split(",") if a.strip()]


class DryRun:
    """Writes each message as an .eml file beside its report instead of sending it."""

    def __init__(self, folder: Path):
        self.folder = folder

    def __enter__(self) -> "DryRun":
        return self

    def __exit__(self, *exc) -> None:
        return None

    def send(self, message: EmailMessage, report: Path) -> Path:
        path = report.with_suffix(".eml")
        path.write_bytes(bytes(message))
        return path


class Mailer:
    """One SMTP connection (plain, STARTTLS or SSL, with login when a user is set) for a batch of messages."""

    def __init__(self, settings: SmtpSettings):
        if not settings.host:
            raise MailError("No mail server is set: give --smtp-host, or host under [smtp] in churnkit.toml.")
        self.settings = settings
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> "Mailer":
        s = self.settings
        password = None
        if s.user:
            password = smtp_password(s)
            if not password:
                raise MailError(f"There is no password for the SMTP user {s.user}: set {PASSWORD_VARIABLE}, or keep "
                                f"it in the keyring (service {KEYRING_SERVICE.format(host=s.host)}, user {s.user}).")
        context = ssl.create_default_context()
        try:
            if s.security == "ssl":
                self.smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=TIMEOUT, context=context)
            else:
                self.smtp = smtplib.SMTP(s.host, s.port, timeout=TIMEOUT)
                if s.security == "starttls":
                    self.smtp.starttls(context=context)
            if s.user:
                self.smtp.login(s.user, password)
        except (OSError, smtplib.SMTPException) as exc:
            self._close()
            raise MailError(_failure(exc, s)) from None
        return self

    def send(self, message: EmailMessage, report: Path) -> None:
        """Send one message; :class:`RecipientRefused` when the server refuses any of its recipients."""
        try:
            refused = self.smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            refused = exc.recipients
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(_failure(exc, self.settings)) from None
        if refused:
            address, (code, answer) = next(iter(refused.items()))
            raise RecipientRefused(f"The mail server refused the recipient {address} ({code} {_said(answer)}).")

    def __exit__(self, *exc) -> None:
        self._close()

    def _close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                self.smtp.close()
            self.smtp = None


def _failure(exc: BaseException, s: SmtpSettings) -> str:
    """One sentence for a failed connection, TLS handshake, login or send."""
    where = s.where
    if isinstance(exc, ConnectionRefusedError):
        return f"The mail server {where} refused the connection; check --smtp-host and --smtp-port."
    if isinstance(exc, socket.gaierror):
        return f"The mail server {s.host} cannot be found; check --smtp-host."
    if isinstance(exc, TimeoutError):
        return f"The mail server {where} did not answer in time."
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"The mail server {where} showed a certificate that cannot be trusted ({exc.verify_message})."
    if isinstance(exc, ssl.SSLError):
        return f"The secure (TLS) connection to {where} failed ({exc.reason or 'handshake failed'}); " \
               "check --smtp-security and --smtp-port."
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return f"The mail server {where} refused the login of {s.user}: the user name or password is wrong."
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        if "STARTTLS" in str(exc).upper():
            return f"The mail server {where} does not offer STARTTLS; use --smtp-security ssl, or none on a trusted network."
        return f"The mail server {where} does not accept a login; leave out --smtp-user."
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return f"The mail server {where} refused the sender {exc.sender} ({exc.smtp_code} {_said(exc.smtp_error)})."
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"The mail server {where} closed the connection unexpectedly."
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"The mail server {where} answered {exc.smtp_code} {_said(exc.smtp_error)}."
    if isinstance(exc, OSError):
        return f"Could not talk to the mail server {where} ({exc.strerror or exc})."
    return f"Sending through {where} failed ({_said(str(exc))})."


def _said(answer: bytes | str) -> str:
    """A server's answer on one line, without a trailing full stop."""
    text = answer.decode("utf-8", "replace") if isinstance(answer, bytes) else str(answer)
    return " ".join(text.split()).rstrip(".")
