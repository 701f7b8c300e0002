"""What a report e-mail says: a subject with the as-of month and the counts, and a short summary
(headline figures and the top at-risk customers) as plain text and HTML, in English or Chinese."""
from __future__ import annotations

import dataclasses
import html

from churn_logic import format_number

from ..content.words import WORDS
from .report_data import BLOCK_COLUMNS, ReportData

TOP_CUSTOMERS = 5


@dataclasses.dataclass
class MailText:
    subject: str
    text: str
    html: str


def mail_text(data: ReportData, kind: str | None, attachment: str, subject: str | None = None) -> MailText:
    """The subject (``subject`` when the user gave one) and both bodies for one report."""
    words, figures, as_of = WORDS[data.lang]["mail"], data.headlines, data.model.as_of_label
    titles = WORDS[data.lang]["mail"]["titles"]
    title = titles.get(kind, titles["default"])
    counts = {"high": figures["high"], "medium": figures["medium"], "lost": figures["lost"]}
    default_subject = words["subject"].format(title=title, as_of=as_of, **counts)
    if data.rep is not None:
        default_subject += f" — {data.rep}"
    rate = {key: words["na"] if figures[key] is None else f"{figures[key]:.1%}"
            for key in ("churn_rate", "churn_rate_previous")}
    heading = words["heading"].format(title=title, as_of=as_of, scope=data.scope())
    summary = [words["figures"].format(core=figures["core_at_risk"],
                                       stake=format_number(round(figures["value_at_stake"])), **counts),
               words["rate"].format(rate=rate["churn_rate"], previous=rate["churn_rate_previous"])]
    if kind == "backtest":
        summary.append(_backtest_line(data, words))
    fields = BLOCK_COLUMNS["ck_at_risk_rows"]
    rows = [{"customer": r["customer"], "name": r["name"] or "", "risk": r["risk"], "core_class": r["core_class"],
             "stake": format_number(round(r["value_at_stake"])), "reasons": r["reasons"]}
            for r in (dict(zip(fields, row)) for row in data.at_risk_rows()[:TOP_CUSTOMERS])]
    listed = [words["top"], *(f"{i}. " + words["row"].format(**row) for i, row in enumerate(rows, 1))] if rows \
        else [words["none"]]
    text = "\n".join([heading, "", *summary, "", *listed, "", words["attached"].format(file=attachment)]) + "\n"
    return MailText(subject or default_subject, text, _html(heading, summary, rows, words, attachment))


def _backtest_line(data: ReportData, words: dict) -> str:
    """The backtest's headline figures in one sentence ("n/a" where too little history gave none)."""
    figures = data.backtest

    def shown(value, form: str) -> str:
        return words["na"] if value is None or value != value else format(value, form)

    return words["backtest"].format(
        months=len(figures.result.months), precision=shown(figures.verdicts("precision"), ".0%"),
        recall=shown(figures.verdicts("recall"), ".0%"), lift=shown(figures.verdicts("lift"), ".1f"),
        auroc=shown(figures.model_figure("auroc"), ".2f"), brier=shown(figures.model_figure("brier"), ".3f"))


def _html(heading: str, summary: list[str], rows: list[dict], words: dict, attachment: str) -> str:
    e = html.escape
    cell = 'style="padding:4px 8px;border-bottom:1px solid #D9D9D9;text-align:{}"'
    head = "".join(f'<th {cell.format("right" if i == 4 else "left")}>{e(h)}</th>' for i, h in enumerate(words["headers"]))
    body = "".join("<tr>" + "".join(f'<td {cell.format("right" if k == "stake" else "left")}>{e(str(row[k]))}</td>'
                                    for k in ("customer", "name", "risk", "core_class", "stake", "reasons")) + "</tr>"
                   for row in rows)
    table = (f'<p>{e(words["top"])}</p><table style="border-collapse:collapse">'
             f"<tr>{head}</tr>{body}</table>") if rows else f"<p>{e(words['none'])}</p>"
    return ('<html><body style="font-family:Arial,sans-serif;font-size:14px;color:#1F3864">'
            f"<h2>{e(heading)}</h2><p>{'<br>'.join(e(line) for line in summary)}</p>{table}"
            f'<p>{e(words["attached"].format(file=attachment))}</p></body></html>')
