"""``churnkit report``: build a report workbook from a template, and optionally e-mail it.

    churnkit report PATH [--template at-risk|win-back|review|customer-card|FILE] [--customer KEY]
                         [--out FILE] [--per-rep] [reading and settings flags as for scan]
                         [--email-to ADDR ...] [--email] [--from ADDR] [--subject TEXT] [--smtp-host H]
                         [--smtp-port P] [--smtp-security none|starttls|ssl] [--smtp-user U] [--dry-run]

Every failure a person can act on is a :class:`UserError`: one sentence.
"""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Callable

from churn_logic import SPECS

from ..errors import UserError
from ..report.actions import build_per_rep, email_per_rep, email_report, per_rep_summary, sender_of
from ..report.build import build_report
from ..report.mail import check_address, check_header
from ..report.mail_settings import SECURITY, smtp_settings
from ..report.rep_addresses import file_tables, rep_addresses
from ..report.report_names import customer_part, default_report_name
from ..report.templates import KINDS
from ..tasks import analyse_workbook
from .progress import Progress


def add_report_parser(subparsers, add_reading_flags: Callable[[argparse.ArgumentParser], None]
                      ) -> argparse.ArgumentParser:
    """Add the ``report`` command to ``subparsers``; ``add_reading_flags`` adds PATH and the scan flags."""
    report = subparsers.add_parser(
        "report", help="write a report workbook from a template, and e-mail it",
        description="Fill a report template (at-risk, win-back, review, customer-card, or your own) with the "
                    "numbers of the order workbook and write it as a new workbook; the order workbook is not changed.")
    add_reading_flags(report)
    report.add_argument("--template", default="at-risk", metavar="|".join(KINDS) + "|FILE",
                        help="the report to make, or a template workbook of yours (default at-risk)")
    report.add_argument("--customer", metavar="KEY", help="the customer of a customer card, exactly as in the workbook")
    report.add_argument("--out", type=Path, metavar="FILE",
                        help="the report to write (with --per-rep: a folder); default beside the order workbook")
    report.add_argument("--per-rep", action="store_true", help="one report per sales rep, with only their customers")
    mail = report.add_argument_group("e-mail (the password comes from CHURNKIT_SMTP_PASSWORD or the keyring)")
    mail.add_argument("--email-to", action="append", default=[], metavar="ADDR",
                      help="send the report to this address (repeat for more); with --per-rep, every rep's "
                           "report, in copy when --email sends it to the rep")
    mail.add_argument("--email", action="store_true",
                      help="send the report to the addresses of the smtp 'to' setting; with --per-rep, each rep's "
                           "report to the rep's address (Reps sheet or rep e-mail column)")
    mail.add_argument("--from", dest="sender", metavar="ADDR", help="the sender's address")
    mail.add_argument("--subject", metavar="TEXT", help="the subject (default: report, month and counts)")
    mail.add_argument("--smtp-host", metavar="H")
    mail.add_argument("--smtp-port", metavar="P")
    mail.add_argument("--smtp-security", choices=SECURITY, help="default starttls")
    mail.add_argument("--smtp-user", metavar="U", help="log in as this user")
    mail.add_argument("--dry-run", action="store_true", help="write the messages as .eml files instead of sending")
    return report


def run_report(args: argparse.Namespace) -> int:
    """Build the report (or one per rep) and, when asked, e-mail it; exit code 0, or a UserError."""
    emailing = bool(args.email_to) or args.email
    if args.dry_run and not emailing:
        raise UserError("--dry-run is for e-mail: add --email-to ADDR (or --email).")
    if args.per_rep and args.template == "customer-card":
        raise UserError("--per-rep makes one report per sales rep; a customer card is about one customer.")
    copies = [check_address(a, "The --email-to address") for a in args.email_to]
    if args.subject is not None:
        check_header(args.subject, "The subject")
    flags = {name: getattr(args, name) for name in SPECS if getattr(args, name, None) is not None}
    analysis = analyse_workbook(args.path, flags, args.sheet, args.all_sheets, args.strict, Progress(quiet=args.quiet),
                                cache=not args.no_cache, table=args.table, query=args.query)
    tables = analysis.tables or file_tables(analysis.path)
    settings = smtp_settings(analysis.path.parent, {"host": args.smtp_host, "port": args.smtp_port,
                                                    "security": args.smtp_security, "user": args.smtp_user,
                                                    "from": args.sender}, tables) if emailing else None
    if emailing:
        sender_of(settings)             # say so before building anything when nobody sends it
    if args.per_rep:
        folder = args.out or analysis.path.parent
        if folder.suffix.lower() in (".xlsx", ".xlsm"):
            raise UserError("With --per-rep, --out names a folder for the reports, not a workbook.")
        reports = build_per_rep(analysis, args.template, args.lang, folder)
        print("\n".join(f"Wrote {path}" for path in reports.values()))
        if not emailing:
            return 0
        addresses = rep_addresses(tables, analysis.read.sheets) if args.email else None
        outcomes, log = email_per_rep(analysis, reports, args.template, args.lang, addresses,
                                      copies, settings, args.subject, args.dry_run)
        lines, failure = per_rep_summary(outcomes, log)
        print("\n".join(lines))
        if failure:
            raise UserError(failure)
        return 0
    out = args.out or analysis.path.parent / default_report_name(
        analysis, args.template, args.lang, customer_part(analysis, args.customer) if args.customer else None)
    report = build_report(analysis, args.template, out, args.lang, customer=args.customer)
    print(f"Wrote {report}")
    if emailing:
        print(email_report(analysis, report, args.template, args.lang, copies or list(settings.to), settings,
                           args.subject, args.customer, args.dry_run))
    return 0
