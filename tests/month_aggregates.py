"""Order lines added up per customer and month in plain pandas, as churn_logic/customer_months.py defines the rows:
what a database's GROUP BY gives, made independently of the SQL that churnkit sends."""
import numpy as np
import pandas as pd

from churn_logic import LATEST_FIELDS, POSITION_BITS, CustomerMonths
from churn_logic.money import to_units

_TEXTS = ("name", "order", "product", "category", "rep", "region", "email")


def aggregate(lines: pd.DataFrame) -> CustomerMonths:
    """The customer × month rows of ``lines`` (the engine's order lines, in their order)."""
    frame = pd.DataFrame({"customer": lines["customer"].astype(object).to_numpy(),
                          "day": lines["date"].to_numpy("datetime64[D]").astype(np.int64),
                          "amount": to_units(lines["amount"].to_numpy(float))})
    frame["month"] = lines["date"].dt.year.to_numpy() * 12 + lines["date"].dt.month.to_numpy() - 1
    frame["day_of_month"] = lines["date"].dt.day.to_numpy()
    frame["position"] = np.arange(len(frame))
    for field in _TEXTS:
        if field in lines.columns:
            frame[field] = lines[field].astype(object).where(lines[field].notna(), None).to_numpy()
    if "quantity" in lines.columns:
        frame["quantity"] = to_units(lines["quantity"].to_numpy(float))
    rows = []
    for (customer, month), group in frame.groupby(["customer", "month"], sort=False):
        positive = group[group["amount"] > 0]
        row = {"customer": customer, "month": month, "lines": len(group), "amount": int(group["amount"].sum()),
               "orders": positive["order"].fillna("").nunique() if "order" in group else len(positive),
               "purchase_days": positive["day"].nunique(),
               "first_purchase_day": positive["day_of_month"].min() if len(positive) else 0,
               "last_purchase_day": positive["day_of_month"].max() if len(positive) else 0}
        if "quantity" in group:
            row["quantity"] = int(group["quantity"].sum())
        for field in LATEST_FIELDS:
            if field in group:
                known = group[group[field].notna()]
                at = known["day"].to_numpy() * (1 << POSITION_BITS) + known["position"].to_numpy()
                row[field] = known[field].iloc[int(np.argmax(at))] if len(known) else None
                row[f"{field}_at"] = int(at.max()) if len(known) else np.iinfo(np.int64).min
        rows.append(row)

    def amounts_by(field: str, windows: pd.DataFrame) -> pd.DataFrame:
        picked = frame.merge(windows, on="customer")
        picked = picked[(picked["month"] >= picked["first_month"]) & (picked["month"] <= picked["last_month"])
                        & picked[field].notna()]
        sums = picked.groupby(["customer", field], sort=False)["amount"].sum().reset_index()
        return pd.DataFrame({"customer": sums["customer"], "text": sums[field], "units": sums["amount"]})

    def sums_by(field: str) -> pd.DataFrame:
        named = frame[frame[field].notna()]
        sums = named.groupby(["customer", "month", field], sort=False)["amount"].sum().reset_index()
        return pd.DataFrame({"customer": sums["customer"], "month": sums["month"], "text": sums[field],
                             "units": sums["amount"]})

    def rep_pairs() -> pd.DataFrame:
        return frame.loc[frame["rep"].notna(), ["rep", "month"]].drop_duplicates()

    fields = frozenset(f for f in (*_TEXTS, "quantity") if f in lines.columns)
    return CustomerMonths(pd.DataFrame(rows), fields, lines["date"].max(), amounts_by, sums_by=sums_by,
                          rep_pairs=rep_pairs)
