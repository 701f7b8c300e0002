"""The figures of the backtest report (SPEC "Backtest", "Probability of no order"): its single cells and its
blocks, from one ``tasks.backtest_of``, in the report's language.

Blocks: every rule (``RULE_COLUMNS``), each rule family's thresholds as its chart reads them
(``THRESHOLD_COLUMNS``; the low rule at the user's own low threshold) and the calibration of
``p_no_order`` per tenth of the probability (``CALIBRATION_COLUMNS``). A figure without a
denominator (the precision of a rule that flagged nobody) is an empty cell.
"""
from __future__ import annotations

from typing import Any

from churn_logic import RISK_LABELS, Backtest, RuleResult, Settings

from ..content.words import WORDS

FAMILIES = ("lost", "low", "decline")
RULE_COLUMNS = ["rule", "threshold", "low_threshold", "flagged", "churned_flagged", "precision", "recall", "lift",
                "balanced_accuracy", "new_precision", "precision_lowest", "precision_highest", "note"]
THRESHOLD_COLUMNS = ["threshold", "flagged", "precision", "recall"]
CALIBRATION_COLUMNS = ["tenth", "predicted", "observed", "customers"]


class BacktestFigures:
    """What the backtest template shows of ``result``, run with the user's ``settings``."""

    def __init__(self, result: Backtest, settings: Settings, lang: str):
        self.result, self.settings, self.lang = result, settings, lang
        self.words = WORDS[lang]["backtest_report"]
        self.model = result.model or {}

    # --- single cells ------------------------------------------------------------
    def period(self) -> str:
        months = self.result.months
        return self.words["period"].format(first=months[0], last=months[-1]) if months else self.words["no_period"]

    def history(self) -> str:
        """How the months were checked, or (too little history) why nothing is recommended."""
        recommended, months = self.result.recommended, self.result.months
        if not recommended["enough_history"]:
            return recommended["reason"][self.lang]
        return self.words["history"].format(first=months[0], last=months[-1], months=len(months),
                                            k=self.result.horizon_months)

    def recommended(self, family: str) -> str:
        """The rule's recommended threshold and why (empty with too little history: ``history`` says it once)."""
        if not self.result.recommended["enough_history"]:
            return ""
        return self.result.recommended[family]["reason"][self.lang]

    def why(self) -> str:
        return self.result.recommended["why"][self.lang]

    def verdicts(self, figure: str) -> Any:
        """A figure of the verdicts as the user's settings give them (LOST, HIGH or MEDIUM flagged)."""
        return getattr(self.result.rule("verdict", level="flagged"), figure)

    def model_figure(self, figure: str) -> Any:
        return self.model.get(figure)

    def model_note(self) -> str:
        key = "model" if self.model.get("auroc") is not None else "model_short"
        return self.words[key].format(customers=self.model.get("customers", 0), churned=self.model.get("churned", 0),
                                      k=self.result.horizon_months)

    # --- blocks ------------------------------------------------------------------
    def rule_rows(self) -> list[list[Any]]:
        return [[self._rule_name(rule), rule.threshold, rule.settings.get("low_threshold") if rule.rule == "low"
                 else None, rule.flagged, rule.churned_flagged, rule.precision, rule.recall, rule.lift,
                 rule.balanced_accuracy, rule.new_precision, *rule.precision_range, self._note(rule)]
                for rule in self.result.rules]

    def threshold_rows(self, family: str) -> list[list[Any]]:
        """One family's thresholds (the low rule at the user's low threshold): n, flagged, precision, recall."""
        return [[rule.threshold, rule.flagged, rule.precision, rule.recall] for rule in self.result.rules
                if rule.rule == family and rule.low_threshold_basis in (None, "setting")]

    def calibration_rows(self) -> list[list[Any]]:
        """Per tenth of ``p_no_order`` that holds customers: its range, the mean probability, the share who ordered
        nothing, the customer-months."""
        rows = []
        for tenth in self.model.get("calibration", []):
            label = self.words["tenth"].format(low=round(tenth["low"] * 100), high=round(tenth["high"] * 100))
            rows.append([label, tenth["predicted"], tenth["observed"], tenth["customers"]])
        return rows

    def _rule_name(self, rule: RuleResult) -> str:
        names = self.words["rules"]
        if rule.rule != "verdict":
            return names[rule.rule]
        return names["flagged"] if rule.level == "flagged" else names["level"].format(
            risk=RISK_LABELS[self.lang][rule.level])

    def _note(self, rule: RuleResult) -> str:
        """Whether the rule is the user's own setting, the recommended one, and where a low threshold came from."""
        if rule.threshold is None:           # the verdicts, a dropped category, a departed rep: as set
            return ""
        notes = []
        if all(getattr(self.settings, name) == value for name, value in rule.settings.items()):
            notes.append(self.words["yours"])
        chosen = self.result.recommended[rule.rule]
        if chosen.get("threshold") is not None and chosen["settings"] == rule.settings:
            notes.append(self.words["recommended"])
        if rule.low_threshold_basis not in (None, "setting"):
            notes.append(self.words["bases"][rule.low_threshold_basis])
        return " · ".join(notes)
