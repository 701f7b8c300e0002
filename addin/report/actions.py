"""Report actions shared by the command line and the ribbon: build reports, e-mail one, e-mail one per rep."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from churn_logic import rep_customers

from ..errors import UserError
from .build import build_report
from .delivery import Job, Outcome, SentLog, deliver
from .mail import DryRun, Mailer, build_message, check_address
from .mail_settings import SmtpSettings
from .mail_text import mail_text
from .report_data import ReportData
from .report_names import default_report_name, name_parts
from .templates import KINDS

if TYPE_CHECKING:
    from ..tasks import Analysis


def sales_reps(analysis: Analysis) -> list[str]:
    """The reps of the scored customers (the rep on each customer's latest line that names one)."""
    reps = sorted({r.strip() for r in analysis.model.customers["rep"] if isinstance(r, str) and r.strip()})
    if not reps:
        raise UserError(f"{analysis.path.name} has no sales rep column (or no rep on any line), so there is "
                        "nobody to make per-rep reports for.")
    return reps


def build_per_rep(analysis: Analysis, template: str | Path, lang: str, folder: Path) -> dict[str, Path]:
    """One report per sales rep in ``folder``, each with only that rep's customers, each in a file of its own."""
    if str(template) == "backtest":
        raise UserError("--per-rep makes one report per sales rep; the backtest checks the rules on the whole order "
                        "book, so it is one report.")
    parts = name_parts(sales_reps(analysis))
    return {rep: build_report(analysis, template, folder / default_report_name(analysis, template, lang, part),
                              lang, rep=rep) for rep, part in sorted(parts.items())}


def sender_of(settings: SmtpSettings) -> str:
    """The From address: the ``from`` setting, else the SMTP user when it is an address."""
    sender = settings.sender or (settings.user if settings.user and "@" in settings.user else None)
    if sender is None:
        raise UserError("Say who the e-mail is from: --from ADDR, or from under [smtp] in churnkit.toml.")
    return check_address(sender, "The sender")


def email_report(analysis: Analysis, report: Path, template: str | Path, lang: str, to: Sequence[str],
                 settings: SmtpSettings, subject: str | None = None, customer: str | None = None,
                 dry_run: bool = False) -> str:
    """Send ``report`` (or write its .eml when ``dry_run``); returns what to tell the user."""
    if not to:
        raise UserError("Say who gets the report: --email-to ADDR, or to under [smtp] in churnkit.toml.")
    data = ReportData(analysis, analysis.model, lang, customer)
    text = mail_text(data, _kind(template), report.name, subject)
    message = build_message(report, sender_of(settings), to, text.subject, text.text, text.html)
    with (DryRun(report.parent) if dry_run else Mailer(settings)) as transport:
        written = transport.send(message, report)
    return f"Wrote the message to {written} (not sent: --dry-run)." if written else \
        f"Sent {report.name} to {', '.join(to)}."


def email_per_rep(analysis: Analysis, reports: dict[str, Path], template: str | Path, lang: str,
                  addresses: dict[str, str] | None, copies: Sequence[str], settings: SmtpSettings,
                  subject: str | None = None, dry_run: bool = False) -> tuple[list[Outcome], SentLog | None]:
    """Send each rep their report: to the rep's address (``addresses``; None: to ``copies`` only), with
    ``copies`` in Cc; a departed rep's report (docs/spec.md "Rep turnover") goes to the owner instead: ``copies``,
    else the ``to`` of the mail settings. Reps a previous run already served are skipped (the record is beside
    the reports)."""
    sender = sender_of(settings)
    departed = set(analysis.model.turnover.reps["rep"])
    owner = [check_address(a, "The owner's address") for a in (copies or settings.to)]
    jobs = []
    for rep, report in reports.items():
        to = [check_address(addresses[rep], f"The address of {rep}")] if addresses and rep in addresses else []
        message = None
        if rep in departed:
            if owner:
                text = mail_text(ReportData(analysis, rep_customers(analysis.model, rep), lang, rep=rep),
                                 _kind(template), report.name, subject)
                message = build_message(report, sender, owner, text.subject, text.text, text.html)
        elif to or (addresses is None and copies):
            text = mail_text(ReportData(analysis, rep_customers(analysis.model, rep), lang, rep=rep), _kind(template),
                             report.name, subject)
            message = build_message(report, sender, to or copies, text.subject, text.text, text.html,
                                    cc=copies if to else ())
        jobs.append(Job(rep, report, message, "no_owner" if rep in departed else "no_address"))
    folder = next(iter(reports.values())).parent
    log = None if dry_run else SentLog(SentLog.file_for(folder / default_report_name(analysis, template, lang)))
    with (DryRun(folder) if dry_run else Mailer(settings)) as transport:
        return deliver(jobs, transport, log), log


def per_rep_summary(outcomes: list[Outcome], log: SentLog | None) -> tuple[list[str], str | None]:
    """One line per rep served, and one sentence naming everyone who did not get theirs (None when all did)."""
    lines = []
    for o in outcomes:
        if o.status == "sent":
            lines.append(f"Sent {o.rep}'s report to {', '.join(o.to)}.")
        elif o.status == "written":
            lines.append(f"Wrote {o.rep}'s message to {o.detail} (not sent: --dry-run).")
        elif o.status == "already":
            lines.append(f"{o.rep} already got this report on {o.detail} (to {', '.join(o.to)}); not sent again.")
    missing = [o for o in outcomes if o.status not in ("sent", "written", "already")]
    if not missing:
        return lines, None
    reasons = {"no_address": "no e-mail address (add it on the Reps sheet)",
               "no_owner": "has left, so the report goes to the owner: give --email-to or 'to' under [smtp]",
               "refused": "{detail}",
                   "stopped": "not sent, {detail}"}
    said = "; ".join(f"{o.rep}: " + reasons[o.status].format(detail=o.detail[:1].lower() + o.detail[1:].rstrip("."))
                     for o in missing)
    record = f" ({log.path.name} records who got theirs)" if log else ""
    return lines, (f"{len(missing)} of {len(outcomes)} reports were not sent — {said} — run the same command "
                   f"again to send the rest{record}.")


def _kind(template: str | Path) -> str | None:
    return str(template) if str(template) in KINDS else None
