"""Which threshold of each rule to use, from its backtest, and why in words (en, zh).

Thresholds are chosen by balanced accuracy, (recall + specificity) ÷ 2: it rewards catching the
customers who churn and leaving alone those who stay equally, so flagging everyone scores 0.5,
as chance does. F1 cannot choose: when most customers churn, flagging everyone maximises it.
Of thresholds with the same balanced accuracy the one that flags fewer customers wins: above 0.5, it is
also the one with the higher precision.

There is no recommendation when the history is too short to tell: fewer than ``MIN_MONTHS``
eligible months, or fewer than ``MIN_OUTCOMES`` customer-months that churned or that did not
(below that, one customer moves recall or specificity by more than 3 points); nor for a rule
none of whose thresholds is clearly better than chance: balanced accuracy below
``MIN_BALANCED_ACCURACY``, 5 points above chance (a rule that flags a few dozen customer-months,
one of whom churned, scores just above 0.5).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .settings import SPECS, Settings
from .verdicts import _MEASURE_WORDS

if TYPE_CHECKING:
    from .backtest import Backtest, RuleResult

MIN_MONTHS = 3
MIN_OUTCOMES = 30
MIN_BALANCED_ACCURACY = 0.55
FAMILIES = ("lost", "low", "decline")

WHY = {
    "en": "Thresholds are chosen by balanced accuracy, the average of the share of churners a rule flags "
          "(recall) and the share of customers who stayed that it leaves alone (specificity): flagging "
          "everyone scores 0.5, no better than chance. F1 cannot choose, because when most customers churn, "
          "flagging everyone maximises it.",
    "zh": "阈值按平衡准确率选择，即规则标出的流失客户比例（召回率）与未被标出的留存客户比例（特异度）的平均值："
          "标出所有客户只得 0.5，与随机无异。F1 不能用来选择，因为当大多数客户流失时，标出所有客户就能使 F1 最大。",
}
_TEXT = {
    "en": {
        "lost": "no orders for {n} months in a row",
        "low": "{measure} at or below {x} for {n} months in a row",
        "low_zero": "no orders for {n} months in a row",
        "decline": "{measure} down {n} months in a row",
        "decline_pct": "{measure} down by at least {p} % a month, {n} months in a row",
        "family": {"lost": "lost", "low": "low", "decline": "decline"},
        "best": "“{rule}” ({setting}) tells churners from customers who stayed best: balanced accuracy {ba:.2f} "
                "over {months} months. It flagged {flagged:,} customer-months, of which {cf:,} ordered nothing in "
                "the next {k} months (precision {precision:.0%}, {lift:.1f} × the base rate of {base:.0%}), and "
                "caught {cf:,} of the {churned:,} that did (recall {recall:.0%}).",
        "yours": " Your setting, “{rule}” ({setting}), scores {ba:.2f}.",
        "same": " It is your setting.",
        "chance": "No {family} threshold tells churners from customers who stayed clearly better than chance (the "
                  "best, “{rule}”, has balanced accuracy {ba:.2f}; chance is 0.50 and at least {min:.2f} is needed): "
                  "in your history the {family} rule is no sign of churn.",
        "few_months": "Too little history to recommend thresholds: months that have the {k} later months needed "
                      "to check them: {months}; at least {min} are needed ({need} months of history).",
        "few_outcomes": "Too little history to recommend thresholds: over {months} months, {churned:,} "
                        "customer-months churned and {stayed:,} did not; at least {min} of each are needed.",
    },
    "zh": {
        "lost": "连续{n}个月无订单",
        "low": "{measure}连续{n}个月不超过{x}",
        "low_zero": "连续{n}个月无订单",
        "decline": "{measure}连续{n}个月下降",
        "decline_pct": "{measure}连续{n}个月每月下降至少{p}%",
        "family": {"lost": "流失", "low": "低额", "decline": "下降"},
        "best": "“{rule}”（{setting}）最能区分流失客户与留存客户：{months}个月的平衡准确率为 {ba:.2f}。共标出 {flagged:,} 个"
                "客户月，其中 {cf:,} 个在随后 {k} 个月内没有订单（精确率 {precision:.0%}，是基准流失率 {base:.0%} 的 "
                "{lift:.1f} 倍），在 {churned:,} 个流失的客户月中找出了 {cf:,} 个（召回率 {recall:.0%}）。",
        "yours": "您的设置“{rule}”（{setting}）为 {ba:.2f}。",
        "same": "这正是您的设置。",
        "chance": "没有任何{family}阈值能明显比随机更好地区分流失客户与留存客户（最好的“{rule}”平衡准确率为 {ba:.2f}；"
                  "随机为 0.50，至少需要 {min:.2f}）：在您的历史数据中，{family}规则并不预示流失。",
        "few_months": "历史数据不足，无法推荐阈值：只有 {months} 个月之后还有 {k} 个月的数据可供检验，至少需要 {min} 个月"
                      "（即 {need} 个月的历史）。",
        "few_outcomes": "历史数据不足，无法推荐阈值：{months} 个月内有 {churned:,} 个客户月流失、{stayed:,} 个未流失，"
                        "两者各至少需要 {min} 个。",
    },
}


def recommend(result: Backtest, settings: Settings) -> dict[str, Any]:
    """Per rule family, the threshold with the best balanced accuracy, its figures, the user's own and why."""
    months, churned, scored = len(result.months), result.churned, result.scored
    out: dict[str, Any] = {"by": "balanced_accuracy", "why": dict(WHY),
                           "minimums": {"months": MIN_MONTHS, "churned": MIN_OUTCOMES, "not_churned": MIN_OUTCOMES,
                                        "balanced_accuracy": MIN_BALANCED_ACCURACY}}
    k = result.horizon_months
    if months < MIN_MONTHS:
        short = _both("few_months", months=months, k=k, min=MIN_MONTHS, need=MIN_MONTHS + k)
    elif min(churned, scored - churned) < MIN_OUTCOMES:
        short = _both("few_outcomes", months=months, churned=churned, stayed=scored - churned, min=MIN_OUTCOMES)
    else:
        short = None
    out["enough_history"] = short is None
    if short is not None:
        out["reason"] = short
    for family in FAMILIES:
        candidates = [rule for rule in result.rules if rule.rule == family]
        out[family] = ({"rule": family, "threshold": None, "reason": short} if short is not None
                       else _choose(family, candidates, _own(family, candidates, settings), result, settings))
    return out


def _own(family: str, candidates: list[RuleResult], settings: Settings) -> RuleResult:
    """The candidate the user's settings make."""
    n = {"lost": settings.lost_months, "low": settings.low_months, "decline": settings.decline_months}[family]
    return next(rule for rule in candidates if rule.threshold == n
                and (family != "low" or rule.low_threshold_basis == "setting"))


def _choose(family: str, candidates: list[RuleResult], own: RuleResult, result: Backtest,
            settings: Settings) -> dict[str, Any]:
    best = min(candidates, key=lambda rule: (-rule.balanced_accuracy, rule.flagged))
    words = {lang: _rule_words(best, settings, lang) for lang in _TEXT}
    if best.balanced_accuracy < MIN_BALANCED_ACCURACY:
        return {"rule": family, "threshold": None, "best": _figures(best),
                "reason": {lang: _TEXT[lang]["chance"].format(family=_TEXT[lang]["family"][family], rule=words[lang],
                                                              ba=best.balanced_accuracy, min=MIN_BALANCED_ACCURACY)
                           for lang in _TEXT}}
    reason = {}
    for lang, text in _TEXT.items():
        reason[lang] = text["best"].format(
            rule=words[lang], setting=_assignment(best, lang), ba=best.balanced_accuracy, months=len(result.months),
            flagged=best.flagged, cf=best.churned_flagged, k=result.horizon_months, precision=best.precision,
            lift=best.lift, base=result.base_rate, churned=best.churned, recall=best.recall)
        reason[lang] += (text["same"] if best is own else
                         text["yours"].format(rule=_rule_words(own, settings, lang), setting=_assignment(own, lang),
                                              ba=own.balanced_accuracy))
    return {**_figures(best), "yours": _figures(own), "reason": reason}


def _figures(rule: RuleResult) -> dict[str, Any]:
    out = {"rule": rule.rule, "threshold": rule.threshold, "settings": dict(rule.settings)}
    for name in ("balanced_accuracy", "precision", "recall", "lift", "flagged", "churned_flagged", "churned",
                 "scored"):
        out[name] = getattr(rule, name)
    return out


def _rule_words(rule: RuleResult, settings: Settings, lang: str) -> str:
    text = _TEXT[lang]
    measure = _MEASURE_WORDS[lang][settings.measure]
    key = {"decline": "decline_pct" if settings.min_drop_pct else "decline",
           "low": "low" if rule.settings.get("low_threshold") else "low_zero"}.get(rule.rule, rule.rule)
    return text[key].format(n=rule.threshold, measure=measure, x=_number(rule.settings.get("low_threshold", 0.0)),
                            p=_number(settings.min_drop_pct))


def _assignment(rule: RuleResult, lang: str) -> str:
    """The settings that make the rule, as the user writes them: ``low_threshold = 420, low_months = 2``."""
    return ("，" if lang == "zh" else ", ").join(f"{name if lang == 'en' else SPECS[name].label_zh} = {_number(value)}"
                                                for name, value in rule.settings.items())


def _number(value: float) -> str:
    """A setting as written: ``1,200``, ``0.037``, ``49.99``."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"


def _both(key: str, **values) -> dict[str, str]:
    return {lang: text[key].format(**values) for lang, text in _TEXT.items()}
