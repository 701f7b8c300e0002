"""Sending a batch of reports (one per sales rep) and remembering who got theirs, so a re-run sends only the rest.

The record is a small JSON file beside the reports, ``churnkit-sent-<report>-<month>.json``:
``{"sent": {rep: {"to": [...], "at": "YYYY-MM-DDTHH:MM:SS"}}}``. It is rewritten after every
message sent, so an interrupted run loses nothing.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from .mail import MailError, RecipientRefused, recipients


class Transport(Protocol):
    def send(self, message: EmailMessage, report: Path) -> object: ...


@dataclasses.dataclass
class Job:
    rep: str
    report: Path
    message: EmailMessage | None        # None: the rep has no address


@dataclasses.dataclass
class Outcome:
    rep: str
    report: Path
    status: str                         # sent, written (dry run), already (sent before), no_address, refused, stopped
    detail: str = ""
    to: tuple[str, ...] = ()


class SentLog:
    """Which reps got their report for one kind of report and month."""

    def __init__(self, path: Path):
        self.path = path
        self.sent: dict[str, dict] = json.loads(path.read_text(encoding="utf-8"))["sent"] if path.exists() else {}

    @staticmethod
    def file_for(folder: Path, label: str, as_of: str) -> Path:
        return folder / f"churnkit-sent-{label}-{as_of}.json"

    def mark(self, rep: str, to: list[str], now: dt.datetime) -> None:
        self.sent[rep] = {"to": to, "at": now.replace(microsecond=0).isoformat()}
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
            outcomes.append(Outcome(job.rep, job.report, "no_address"))
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
                log.mark(job.rep, list(to), dt.datetime.now())
            outcomes.append(Outcome(job.rep, job.report, "written" if written else "sent", str(written or ""), to))
    return outcomes
