"""The settings a user can change, their defaults and how layers of them combine.

SPEC "Verdicts" and "Core customers (ABC)" give the rule settings and defaults; the
reading settings (column mapping, date and number formats) come from SPEC "Input".
Every front end (flags, the settings sheet, ``churnkit.toml``) names settings the same
way, so one registry serves them all.
"""
from __future__ import annotations

import dataclasses
import math
from typing import Any, Iterable, Mapping

from .periods import month_label, parse_month

FIELDS = ("date", "customer", "amount", "name", "quantity", "order", "product",
          "category", "rep", "region", "email")


class SettingsError(ValueError):
    """A setting that does not exist or has a value that cannot be used: ``problem`` says which, ``hint`` (when
    there is one) what would do; the message is both."""

    def __init__(self, problem: str, hint: str = ""):
        super().__init__(f"{problem}. {hint}" if hint else f"{problem}.")
        self.problem, self.hint = problem, hint


@dataclasses.dataclass(frozen=True)
class Spec:
    name: str
    kind: str            # int, pct, number, choice, month, text, bool
    default: Any
    help_en: str
    help_zh: str
    label_zh: str
    choices: tuple[str, ...] = ()


_RULES = [
    Spec("decline_months", "int", 3, "Months of falling sales that make a customer MEDIUM risk.",
         "连续下降多少个月判为中风险。", "连续下降月数"),
    Spec("min_drop_pct", "pct", 0.0, "Each monthly fall must be at least this many percent.",
         "每月至少下降的百分比。", "最小降幅百分比"),
    Spec("low_threshold", "number", 0.0, "A month at or below this value counts as a low month (0 = no orders).",
         "月销售额不高于此值即为低额月份（0 表示无订单）。", "低额阈值"),
    Spec("low_months", "int", 3, "Low months in a row that make a customer HIGH risk.",
         "连续多少个低额月份判为高风险。", "低额月数"),
    Spec("lost_months", "int", 6, "Months in a row without orders that make a customer LOST.",
         "连续多少个月无订单判为已流失。", "流失月数"),
    Spec("measure", "choice", "amount", "What the rules count each month: amount, quantity or orders.",
         "按什么计算每月数据：金额、数量或订单数。", "计量", ("amount", "quantity", "orders")),
    Spec("as_of", "month", None, "The month to judge (YYYY-MM); empty = the last complete month in the data.",
         "评估月份（YYYY-MM）；留空则取数据中最近的完整月份。", "评估月份"),
    Spec("abc_a_pct", "pct", 80.0, "Core customers (class A) bring this share of the last 12 months' sales.",
         "A 类核心客户贡献的近 12 个月销售额占比。", "A类占比"),
    Spec("abc_b_pct", "pct", 95.0, "Classes A and B together bring this share; the rest are class C.",
         "A、B 类合计贡献的占比；其余为 C 类。", "B类占比"),
    Spec("horizon_months", "int", 3,
         "Months after the as-of month in which a customer who orders nothing counts as churned.",
         "评估月份之后的月数：在这些月份内没有任何订单的客户视为已流失。", "流失观察月数"),
    Spec("category_low_months", "int", None,
         "Months in a row without a category that make it a dropped category; empty = low_months.",
         "某品类连续多少个月未购买判为停购品类；留空则同低额月数。", "品类停购月数"),
    Spec("category_window", "int", 12, "Months before a category's streak in which its regular buying is counted.",
         "统计品类常购情况的月数（停购之前）。", "品类观察月数"),
    Spec("category_min_months", "int", 6,
         "A category is regular when it was bought in at least this many months of that window.",
         "在观察月数内至少购买这么多个月的品类才算常购品类。", "品类常购月数"),
    Spec("rep_gone_months", "int", 3, "Months without an order line that make a sales rep departed.",
         "业务员连续多少个月没有订单行即视为已离职。", "业务员离职月数"),
]
_READING = [
    Spec("date_format", "text", None, "Date format for text dates such as 05.03.2024 (e.g. DD.MM.YYYY).",
         "文本日期的格式，例如 DD.MM.YYYY。", "日期格式"),
    Spec("decimal_comma", "bool", False, "Numbers are written with a decimal comma, e.g. 1 200,50.",
         "数字使用逗号作小数点，例如 1 200,50。", "逗号小数"),
] + [
    Spec(f"{field}_column", "text", None, f"Header of the {field} column, when it is not found by itself.",
         f"“{zh}”列的标题（无法自动识别时填写）。", f"{zh}列")
    for field, zh in zip(FIELDS, ("日期", "客户", "金额", "客户名称", "数量", "订单号", "产品",
                                  "类别", "业务员", "地区", "邮箱"))
]
SPECS: dict[str, Spec] = {spec.name: spec for spec in _RULES + _READING}
_ALIASES = {spec.label_zh: spec.name for spec in SPECS.values()}


@dataclasses.dataclass(frozen=True)
class Settings:
    """Resolved settings; ``sources`` says where each non-default value came from."""
    decline_months: int = 3
    min_drop_pct: float = 0.0
    low_threshold: float = 0.0
    low_months: int = 3
    lost_months: int = 6
    measure: str = "amount"
    as_of: int | None = None
    abc_a_pct: float = 80.0
    abc_b_pct: float = 95.0
    horizon_months: int = 3
    category_low_months: int | None = None
    category_window: int = 12
    category_min_months: int = 6
    rep_gone_months: int = 3
    date_format: str | None = None
    decimal_comma: bool = False
    columns: Mapping[str, str] = dataclasses.field(default_factory=dict)
    sources: Mapping[str, str] = dataclasses.field(default_factory=dict, compare=False)

    def public(self) -> dict[str, Any]:
        """Settings as plain values for JSON and display (months as ``YYYY-MM``)."""
        out = {name: getattr(self, name) for name in SPECS if not name.endswith("_column")}
        out["as_of"] = month_label(self.as_of) if self.as_of is not None else None
        if self.columns:
            out["columns"] = dict(self.columns)
        return out

    @property
    def category_months(self) -> int:
        """N_c: the category low streak that drops a category (``category_low_months``, else ``low_months``)."""
        return self.low_months if self.category_low_months is None else self.category_low_months


def canonical_name(key: str) -> str:
    """Map a user's way of naming a setting (``--decline-months``, ``Decline months``, ``连续下降月数``) to its name."""
    text = str(key).strip()
    if text in _ALIASES:
        return _ALIASES[text]
    name = text.lower().lstrip("-").replace("-", "_").replace(" ", "_")
    if name not in SPECS:
        raise SettingsError(f"Unknown setting '{key}'", f"Known settings: {', '.join(SPECS)}.")
    return name


def _convert(spec: Spec, value: Any, where: str) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        return spec.default
    if isinstance(value, float) and math.isnan(value):
        return spec.default
    bad = SettingsError(f"Setting '{spec.name}' {where}: '{value}' is not {_KIND_WORDS[spec.kind]}")
    text = str(value).strip()
    try:
        if spec.kind == "int":
            number = float(text)
            if number != int(number) or number < 1:
                raise bad
            return int(number)
        if spec.kind in ("pct", "number"):
            number = float(text.rstrip("%"))
            if not math.isfinite(number) or number < 0 or (spec.kind == "pct" and number > 100):
                raise bad
            return number
        if spec.kind == "choice":
            if text.lower() not in spec.choices:
                raise bad
            return text.lower()
        if spec.kind == "month":
            return parse_month(text)
        if spec.kind == "bool":
            lowered = text.lower()
            if lowered in ("1", "true", "yes", "y", "on", "是"):
                return True
            if lowered in ("0", "false", "no", "n", "off", "否"):
                return False
            raise bad
        return text
    except ValueError as exc:
        raise bad from exc


_KIND_WORDS = {
    "int": "a whole number of at least 1",
    "pct": "a percentage from 0 to 100",
    "number": "a number of at least 0",
    "choice": "one of amount, quantity, orders",
    "month": "a month written YYYY-MM",
    "bool": "yes or no",
    "text": "text",
}


def resolve(layers: Iterable[tuple[str, Mapping[str, Any]]]) -> Settings:
    """Combine setting layers, lowest priority first (e.g. file, sheet, flags).

    Each layer is ``(source name, {setting: value})``; unknown names and bad values
    raise :class:`SettingsError` naming the setting and where it came from.
    """
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for source, mapping in layers:
        for key, raw in mapping.items():
            if raw is None:
                continue
            name = canonical_name(key)
            values[name] = _convert(SPECS[name], raw, f"in {source}")
            sources[name] = source
    columns = {name[: -len("_column")]: values.pop(name) for name in list(values)
               if name.endswith("_column") and values[name] is not None}
    settings = Settings(**values, columns=columns, sources=sources)
    if settings.abc_b_pct < settings.abc_a_pct:
        raise SettingsError(f"Setting 'abc_b_pct' ({settings.abc_b_pct:g}) must not be below "
                            f"'abc_a_pct' ({settings.abc_a_pct:g})")
    if settings.category_min_months > settings.category_window:
        raise SettingsError(f"Setting 'category_min_months' ({settings.category_min_months}) must not be above "
                            f"'category_window' ({settings.category_window})")
    return settings
