"""The settings a list or a table was made with, in words: every rule setting, and where the others came from."""
from __future__ import annotations

from churn_logic import ChurnModel, format_number

from .words import WORDS

RULE_SETTINGS = ("decline_months", "min_drop_pct", "low_threshold", "low_months", "lost_months", "measure",
                 "abc_a_pct", "abc_b_pct")


def settings_parts(model: ChurnModel, lang: str) -> list[str]:
    """``decline_months 3``, ``low_threshold 200 (from churnkit.toml)`` …: each rule setting with its value,
    the as-of month and column headers when they were given, each with where it came from."""
    settings = model.settings
    word = WORDS[lang]["settings_text"]["from"]
    parts = []
    for name in RULE_SETTINGS:
        value = getattr(settings, name)
        shown = format_number(value) if isinstance(value, float) else value
        source = settings.sources.get(name)
        parts.append(f"{name} {shown}" + (f" ({word} {source})" if source else ""))
    if settings.as_of is not None:
        parts.append(f"as_of {model.as_of_label} ({word} {settings.sources.get('as_of')})")
    for field, header in settings.columns.items():
        parts.append(f"{field}_column '{header}' ({word} {settings.sources.get(field + '_column')})")
    return parts
