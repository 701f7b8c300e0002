"""Sending a batch of reports (one per sales rep) and remembering who got theirs, so a re-run sends only the rest.

The record is a small JSON file beside the reports, named after the whole book's report
(``churnkit-sent-orders-at-risk-2026-10[.zh].json``, so another workbook's, report's, month's or
language's reports have their own), keyed by each rep's exact name:
``{"sent": {rep: {"to": [...], "report": file name, "at": "YYYY-MM-DDTHH:MM:SS"}}}``. It is
rewritten after every message sent, so an interrupted run loses nothing.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from ..errors import UserError
from .mail import MailError, RecipientRefused, recipients


class Transport(Protocol):
    def send(self, message: EmailMessage, report: Path) -> object: ...


@dataclasses.dataclass
class Job:
    rep: str
    report: Path
    message: EmailMessage | None        # None: nobody to send it to (``missing`` says why)
    missing: str = "no_address"         # no_address: the rep has none; no_owner: a departed rep's, and no owner


@dataclasses.dataclass
class Outcome:
    rep: str
    report: Path
    status: str                         # sent, written (dry run), already (sent before), no_address, no_owner,
    #                                     refused, stopped
    detail: str = ""
    to: tuple[str, ...] = ()


class SentLog:
    """Which reps got their report, for the per-rep reports of one whole-book report."""

    def __init__(self, path: Path):
        self.path = path
        self.sent: dict[str, dict] = _read(path) if path.exists() else {}

    @staticmethod
    def file_for(report: Path) -> Path:
        """The record beside ``report``, the whole book's report (``orders-at-risk-2026-10.xlsx``)."""
        return report.with_name(f"churnkit-sent-{Path(report.name).stem}.json")

    def mark(self, rep: str, to: list[str], report: Path, now: dt.datetime) -> None:
        self.sent[rep] = {"to": to, "report": report.name, "at": now.replace(microsecond=0).isoformat()}
        temp = self.path.with_name(self.path.name + ".tmp")
        temp.write_text(json.dumps({"sent": self.sent}, ensure_ascii=False, indent=2), encoding="utf-8")
        os.replace(temp, self.path)


def deliver(jobs: list[Job], transport: Transport, log: SentLog | None) -> list[Outcome]:
    """Send each job's message, skipping reps ``log`` says got theirs; a failure of the connection
    stops the batch (the rest are "stopped"), a refused recipient only fails that rep."""
    outcomes = []
    stopped: MailError | None = None
    for job in jobs:
        to = tuple(recipients(job.message)) if job.message is not None else ()
        if log is not None and job.rep in log.sent:
            outcomes.append(Outcome(job.rep, job.report, "already", log.sent[job.rep]["at"], tuple(log.sent[job.rep]["to"])))
        elif job.message is None:
            outcomes.append(Outcome(job.rep, job.report, job.missing))
        elif stopped is not None:
            outcomes.append(Outcome(job.rep, job.report, "stopped", str(stopped), to))
        else:
            try:
                written = transport.send(job.message, job.report)
            except RecipientRefused as exc:
                outcomes.append(Outcome(job.rep, job.report, "refused", str(exc), to))
                continue
            except MailError as exc:
                stopped = exc
                outcomes.append(Outcome(job.rep, job.report, "stopped", str(exc), to))
                continue
            if log is not None:
                log.mark(job.rep, list(to), job.report, dt.datetime.now())
            outcomes.append(Outcome(job.rep, job.report, "written" if written else "sent", str(written or ""), to))
    return outcomes


def _read(path: Path) -> dict[str, dict]:
    """The record's reps; one that cannot be read is an error, not "nobody was sent anything"."""
    try:
        sent = json.loads(path.read_text(encoding="utf-8"))["sent"]
        sound = isinstance(sent, dict) and all(
            isinstance(entry, dict) and isinstance(entry.get("at"), str) and isinstance(entry.get("to"), list)
            and all(isinstance(a, str) for a in entry["to"]) for entry in sent.values())
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        sound = False
    if not sound:
        raise UserError(f"The send record {path} cannot be read, so churnkit cannot tell who already got their "
                        "report; restore it, or delete it to send every report again.")
    return sent
