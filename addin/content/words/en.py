"""Every word churnkit's front ends show in English, by where it is shown (the engine's own words — the
reasons, the risk labels, the settings' help — are in ``churn_logic.verdicts`` and ``churn_logic.settings``)."""

WORDS = {
    "sheets": {
        "at_risk": {
            "name": "At-Risk",
            "title": "At-risk customers",
        },
        "win_back": {
            "name": "Win-Back",
            "title": "Win-back list: lapsed customers",
        },
        "closed": {
            "name": "Closed",
            "title": "Closed: notes of customers no longer on a list",
        },
        "skipped": {
            "name": "Skipped Rows",
            "title": "Order rows churnkit could not read",
        },
        "history": {
            "name": "Customer History",
            "title": "Customer history: ",
        },
        "settings": {
            "name": "Churn Settings",
            "title": "churnkit settings",
        },
        "departed": {
            "name": "Departed Reps",
            "title": "Customers of departed reps",
        },
    },
    "lists": {
        "yes": "yes",
        "departed_text": (
            "Reps with no order lines for {g} months, or marked gone on the Reps sheet; their customers, what "
            "they bought in the 12 months up to the rep's last month and since, and who has them now."
        ),
        "as_of": "As of",
        "refreshed": "Refreshed",
        "source": "Orders",
        "settings": "Settings",
        "customers": "Customers",
        "skipped_rows": "Skipped rows",
        "stake": "Value at stake",
        "yours": "Your columns",
        "chance": "Chance of no order",
        "chance_text": (
            "that the customer orders nothing in the {k} months after {as_of} ({how}); expected loss = that "
            "chance × value at stake"
        ),
        "none": "none",
        "skipped_where": "{n} {rows} could not be read: see the sheet '{sheet}'",
        "counts": "{LOST} lost · {HIGH} high · {MEDIUM} medium · {LOW} low risk",
        "stake_text": "what the customer bought in the 12 months before the warning signs began",
        "yours_text": (
            "Owner, Status, Next step, Reason category, Notes and any column you add are yours: churnkit "
            "keeps them by customer at every refresh."
        ),
        "closed_text": (
            "When a customer leaves the lists, what you typed for them moves here; it moves back if they "
            "return."
        ),
        "capped": "Rows shown",
        "capped_text": "{n} of {total}: the first ones and every row you typed into; all {total} are in {file}, beside this workbook",
        "cut": "Cut texts",
        "cut_text": "{n} {texts} longer than a cell holds ({limit} characters): cut, ending in …",
        "text": "text",
        "texts": "texts",
    },
    "closed_because": {
        "left": "left the lists",
        "no_key": "no customer key",
        "duplicate": "another row of the same customer",
    },
    "columns": {
        "dropped_categories": "Dropped categories",
        "rep_departed": "Rep left",
        "departed_rep": "Departed rep",
        "rep_last_month": "Rep's last month",
        "value_before": "12 months before",
        "value_since": "Since then",
        "months_since": "Months since",
        "taken_over_by": "Taken over by",
        "customer": "Customer",
        "name": "Name",
        "risk": "Risk",
        "reasons": "Reasons",
        "core_class": "Core class",
        "value_at_stake": "Value at stake",
        "value_last_12m": "Value last 12 months",
        "p_no_order": "Chance of no order",
        "expected_loss": "Expected loss",
        "decline_streak": "Months down",
        "low_streak": "Low months",
        "months_without_orders": "Months without orders",
        "last_order_date": "Last order",
        "rep": "Sales rep",
        "region": "Region",
        "email": "Contact",
        "value_before_lapse": "Value before lapse",
        "months_dormant": "Months dormant",
        "lapsed_since": "Lapsed since",
        "main_products": "Main products",
        "main_category": "Main category",
        "closed_on": "Closed on",
        "was_on": "Was on",
        "because": "Closed because",
        "sheet": "Sheet",
        "row": "Row",
        "reason": "Reason",
    },
    "user_columns": {
        "owner": "Owner",
        "status": "Status",
        "next_step": "Next step",
        "reason_category": "Reason category",
        "notes": "Notes",
    },
    "choices": {
        "status": ("Open", "Contacted", "Won back", "Lost for good"),
        "reason_category": (
            "Active: natural",
            "Active: competitive",
            "Active: service failure",
            "Passive: non-payment",
            "Passive: other",
        ),
    },
    "history": {
        "name": "Name",
        "risk": "Risk",
        "reasons": "Reasons",
        "class": "Core class",
        "streaks": "Months down / low / without orders",
        "value": "Value last 12 months",
        "as_of": "As of",
        "chart": "Monthly sales",
        "monthly": ("Month", "Value", "Amount", "Orders"),
        "lines": ("Date", "Order", "Product", "Quantity", "Amount", "Sheet", "Row"),
    },
    "settings_sheet": {
        "headers": ("Setting", "Value", "Default", "Meaning"),
        "note": (
            "Change a value in column B; an empty value means the default. Command-line flags win over "
            "this sheet, this sheet over churnkit.toml."
        ),
    },
    "settings_text": {
        "from": "from",
    },
    "cli": {
        "title": "churnkit · {file} · {sheets} · as of {as_of} · {n} {customers} scored",
        "settings": "Settings",
        "default": "default",
        "from": "from",
        "counts": "At risk: {LOST} LOST, {HIGH} HIGH, {MEDIUM} MEDIUM · {LOW} LOW",
        "none": "No customer is at risk.",
        "after": "{n} order {lines} after {as_of} were not scored.",
        "skipped": "Skipped {n} {rows} that could not be read:",
        "more": "… and {n} more (use --format json to list them all).",
        "more_customers": "… and {n} more {customers}, less urgent (--format csv or --format json lists them all, with --out FILE into a file).",
        "headers": [
            "Risk",
            "Customer",
            "Name",
            "Class",
            "Down",
            "Low",
            "No orders",
            "Last order",
            "Value 12m",
            "At stake",
            "No order {k}m",
            "Expected loss",
            "Reasons",
        ],
        "probability": "Probability of no order in the {k} months after {as_of}: {how}.",
        "backtest_title": (
            "Backtest · {file} · {months} as-of months {first} … {last} · horizon {k} months · base rate "
            "{rate} ({churned:,} of {scored:,} customer-months ordered nothing in the next {k} months)"
        ),
        "backtest_headers": [
            "Rule",
            "Flagged",
            "Churned",
            "Precision",
            "Recall",
            "Lift",
            "Bal. acc.",
            "New prec.",
            "Precision by month",
        ],
        "backtest_rules": {
            "lost": "no orders ≥ {n} months",
            "low": "≤ {x} for ≥ {n} months",
            "decline": "down ≥ {n} months",
            "verdict": "verdict {level}",
            "partial": "dropped a regular category",
            "rep_departed": "rep departed",
        },
        "your_setting": "(yours)",
        "recommended": "Recommended:",
        "model": (
            "p_no_order over the latest {months} months: AUROC {auroc}, Brier {brier} ({customers:,} "
            "customer-months, {churned:,} ordered nothing)."
        ),
        "no_model": "p_no_order could not be scored on this history.",
        "calibration_headers": ["Predicted", "Observed", "Customer-months"],
        "sheet": "sheet",
        "row": "row",
        "history_headers": ["Month", "Value", "Amount", "Orders", ""],
        "lines_headers": ["Date", "Order", "Product", "Qty", "Amount", "Sheet", "Row"],
        "summary": (
            "{customer} {name}· {risk} · class {core_class} · down {decline_streak} · low {low_streak} · "
            "no orders {months_without_orders} · last order {last_order_date} · value 12m {value}"
        ),
        "lines": "Order lines up to {as_of}:",
    },
    "ribbon": {
        "refreshed": "Refreshed: {sheets}.",
        "history": "Wrote the sheet '{sheet}'.",
        "settings": "Wrote the sheet '{sheet}': change values in its column B, then refresh.",
        "no_customer": "Select a cell that holds a customer key, then click Customer history.",
        "unknown": "This button ({control}) has no action in this version of churnkit.",
        "help": (
            "Churn tab: Refresh at-risk list writes the At-Risk and Win-Back sheets; Customer history "
            "shows the customer in the selected cell; Build report writes the at-risk report beside the "
            "workbook and Email report sends it; Backtest writes a report of how right the rules were on the "
            "workbook's own history; Settings creates the settings sheet. Worksheet functions: "
            "=CHURN_RISK(A2), =AT_RISK_LIST(), … See the churnkit README for the rules."
        ),
        "no_workbook": (
            "Open the order workbook first (and click Enable Editing if Excel shows it in Protected View), "
            "then click the button again."
        ),
    },
    "report_buttons": {
        "built": "Wrote the report {path}.",
        "unsaved": "Save the workbook first: the report is written beside it.",
    },
    "ribbon_labels": {
        "tab": "Churn",
        "lists": "At-risk customers",
        "refresh": "Refresh at-risk list",
        "refresh_tip": "Write the At-Risk and Win-Back sheets from this workbook's orders",
        "history": "Customer history",
        "history_tip": "Trend, chart and order lines of the customer in the selected cell",
        "reports": "Reports",
        "report": "Build report",
        "report_tip": "Write a report workbook with charts",
        "email": "Email report",
        "email_tip": "Send the report to the owner and the sales reps",
        "setup": "Setup",
        "settings": "Settings",
        "settings_tip": "Create the settings sheet with every setting",
        "help": "Help",
        "help_tip": "What the buttons and worksheet functions do",
        "backtest": "Backtest",
        "backtest_tip": "Write a report of how right the churn rules were on this workbook's own history",
    },
    "report": {
        "all": "All customers",
        "rep": "Sales rep: {rep}",
        "no_group": "(not given)",
        "none": "No customers",
    },
    "mail": {
        "subject": "{title} {as_of}: {high} high risk, {medium} medium risk, {lost} lost",
        "heading": "{title}, as of {as_of} ({scope})",
        "figures": (
            "{high} high risk, {medium} medium risk and {lost} lost customers; {core} core customers at "
            "risk; value at stake {stake}."
        ),
        "rate": "Churn rate this month {rate} (last month {previous}).",
        "backtest": ("Checked on {months} past months: your verdicts' precision {precision}, recall {recall}, "
                     "lift {lift}; the chance of no order: AUROC {auroc}, Brier score {brier}."),
        "top": "Top at-risk customers:",
        "none": "No customer is at high or medium risk.",
        "row": "{customer} {name} — {risk}, class {core_class}, value at stake {stake}: {reasons}",
        "attached": "The report is attached: {file}",
        "na": "n/a",
        "headers": ["Customer", "Name", "Risk", "Class", "Value at stake", "Reasons"],
        "titles": {
            "at-risk": "At-risk report",
            "win-back": "Win-back campaign",
            "review": "Monthly churn review",
            "customer-card": "Customer card",
            "backtest": "Backtest of the churn rules",
            "default": "Churn report",
        },
    },
    "templates": {
        "as_of": "As of",
        "orders": "Orders",
        "scope": "Customers",
        "generated": "Generated",
        "footer": "churnkit",
        "at_risk_title": "Customers at risk",
        "at_risk_sub": "Who is buying less, or only token amounts, and what the business stands to lose.",
        "high": "High risk",
        "medium": "Medium risk",
        "lost": "Lost",
        "customers": "customers",
        "core_at_risk": "Core customers at risk",
        "core_sub": "class A, high or medium risk",
        "class_a": "class A customers",
        "stake": "Value at stake",
        "stake_sub": "12 months before the warning signs",
        "churn_rate": "Churn rate this month",
        "last_month": "last month",
        "lost_sub": "see the win-back report",
        "chart_by_rep": "At-risk customers by sales rep",
        "chart_by_region": "Value at stake by region",
        "by_rep": "By sales rep",
        "by_region": "By region",
        "breakdown": ["Customers", "High", "Medium", "Lost", "Value at stake"],
        "rep": "Sales rep",
        "region": "Region",
        "departed_title": "Customers of departed reps",
        "departed_sub": ("Reps with no order lines for rep_gone_months months, or marked gone on the Reps sheet: their "
                         "customers, what they bought in the 12 months up to the rep's last month and since, and who "
                         "has them now."),
        "departed": ["Customer", "Name", "Risk", "Departed rep", "Rep's last month", "12 months before",
                     "Since then", "Months since", "Taken over by"],
        "list_title": "At-risk customers",
        "list_sub": ("High and medium risk, most valuable first within each core class. Chance of no order: that "
                     "the customer orders nothing in the months after the as-of month (horizon_months); expected "
                     "loss: that chance × the value at stake."),
        "list": [
            "Customer",
            "Name",
            "Risk",
            "Class",
            "Value at stake",
            "Value last 12 months",
            "Last order",
            "Sales rep",
            "Region",
            "Reasons",
            "Chance of no order",
            "Expected loss",
            "Dropped categories",
        ],
        "sheets": {
            "summary": "Summary",
            "list": "At-risk list",
            "departed": "Departed reps",
            "win_back": "Win-back",
            "review": "Review",
            "cohorts": "Cohorts",
            "card": "Customer",
            "lines": "Order lines",
            "backtest": "Backtest",
            "probability": "Probability",
            "rules": "Every rule",
        },
        "wb_title": "Win-back campaign",
        "wb_sub": "Lapsed customers, ranked by what they used to buy. Fill in the campaign columns as you go.",
        "lapsed": "Lapsed customers",
        "lapsed_value": "What they used to buy",
        "lapsed_value_sub": "in the 12 months before they lapsed",
        "core_lapsed": "Core customers lapsed",
        "churned_12m": "Lapsed in the last 12 months",
        "reactivated": "came back",
        "wb_group": "Customer",
        "campaign_group": "Campaign",
        "wb": [
            "#",
            "Customer",
            "Name",
            "Class",
            "Value before lapse",
            "Lapsed since",
            "Last order",
            "Main products",
            "Sales rep",
            "Contact",
        ],
        "campaign": ["Contacted on", "Offer", "Outcome", "Won-back value", "Notes"],
        "outcomes": ["Not contacted", "Contacted", "Interested", "Won back", "Declined"],
        "review_title": "Monthly churn review",
        "review_sub": "Active, new, churned and reactivated customers month by month, and what churn cost.",
        "active": "Active customers",
        "active_sub": "not lost at the end of the month",
        "churned_12m_card": "Churned, last 12 months",
        "revenue_lost_12m": "Revenue lost, last 12 months",
        "new_12m": "new customers",
        "chart_rate": "Customer churn rate",
        "chart_revenue_lost": "Revenue lost",
        "chart_flow": "New, churned and reactivated customers",
        "monthly_title": "Month by month",
        "monthly": [
            "Month",
            "Active",
            "New",
            "Churned",
            "Reactivated",
            "Churn rate",
            "Revenue",
            "Revenue lost",
        ],
        "cohort_title": "Cohort retention",
        "cohort_sub": (
            "Customers grouped by the month of their first order: the share still active (not lost) each "
            "month after it."
        ),
        "cohort": ["First order", "Customers"],
        "months_since": "Months since the first order",
        "card_title": "Customer card",
        "verdict": "Verdict",
        "class": "Core class",
        "value_12m": "Value last 12 months",
        "why": "Why",
        "first_order": "First order",
        "last_order": "Last order",
        "no_orders": "Months without orders",
        "months_down": "Months down",
        "low_months": "Low months",
        "contact": "Contact",
        "chart_trend": "Monthly sales",
        "trend_title": "Month by month",
        "card_monthly": ["Month", "Sales", "Orders", "Value the rules count"],
        "lines_title": "Order lines",
        "lines": ["Date", "Order", "Product", "Category", "Quantity", "Amount"],
    },
    "function_arguments": {
        "customer": "The customer key, exactly as in the orders (00042 is not 42).",
        "orders": (
            "The orders with their header row (e.g. Orders[#All]), or a CHURN_MODEL handle; omitted: this "
            "workbook's orders."
        ),
        "settings": "Optional two columns: setting, value (e.g. decline_months 4; lang zh).",
    },
    "backtest_template": {
        "bt_title": "How right the churn rules are",
        "bt_sub": (
            "The rules checked on your own history: at every past month, whom they flagged, and who then "
            "ordered nothing."
        ),
        "horizon": "Horizon",
        "months_format": '[=1]0 "month";0 "months"',
        "months_checked": "Months checked",
        "customer_months": "Customer-months scored",
        "churned_sub": "churned",
        "base_rate": "Base rate",
        "base_rate_sub": "churned ÷ scored",
        "verdict_precision": "Your verdicts: precision",
        "recall": "recall",
        "verdict_balanced_accuracy": "Your verdicts: balanced accuracy",
        "lift": "lift",
        "auroc_card": "Probability: AUROC",
        "brier": "Brier",
        "recommended": "Recommended thresholds",
        "families": {"lost": "Lost", "low": "Low", "decline": "Decline"},
        "chart_lost": "Lost: no orders for n months",
        "chart_low": "Low: n months at your threshold",
        "chart_decline": "Decline: down n months in a row",
        "chart_axis": "n (months in a row)",
        "by_threshold": "Precision and recall by threshold (the charts' figures)",
        "threshold_heads": {
            "lost": "Lost: months without orders ≥",
            "low": "Low: low months ≥",
            "decline": "Decline: months down ≥",
        },
        "threshold_block": ["Flagged", "Precision", "Recall"],
        "prob_title": "Probability of no order: how right it was",
        "prob_sub": (
            "p_no_order made at past months from the orders up to each month only, against what the customers "
            "then did."
        ),
        "auroc": "AUROC",
        "auroc_sub": "0.5 is chance, 1 tells every case apart",
        "brier_card": "Brier score",
        "brier_sub": "mean squared error; lower is better",
        "with_probability": "Customer-months with a probability",
        "calibration": "Calibration by tenth of the probability",
        "chart_calibration": "Predicted and observed share ordering nothing",
        "calibration_block": ["p_no_order", "Predicted", "Observed", "Customer-months"],
        "rules_title": "Every rule checked",
        "rules_sub": "Each rule alone at every threshold n, and your verdicts; every figure pools the months checked.",
        "glossary": [
            ("n", "A rule flags a customer whose streak (months without orders, low months, months down) has "
                  "reached n months in a row."),
            ("Precision", "Of the customers a rule flagged, the share who then ordered nothing (churned)."),
            ("Recall", "Of the customers who churned, the share the rule had flagged."),
            ("Lift", "Precision ÷ base rate: how many times better than flagging customers at random."),
            ("Balanced accuracy", "(Recall + the share of customers who stayed that the rule left alone) ÷ 2: "
                                  "0.5 is chance, 1 is perfect."),
            ("New precision", "The precision among customers flagged for the first time that month."),
        ],
        "rules_block": [
            "Rule",
            "n",
            "Low threshold",
            "Flagged",
            "Churned among flagged",
            "Precision",
            "Recall",
            "Lift",
            "Balanced accuracy",
            "New precision",
            "Precision: lowest month",
            "Precision: highest month",
            "Note",
        ],
    },
    "backtest_report": {
        "history": (
            "Each month from {first} to {last} ({months} months) was scored as if it were the as-of month and "
            "checked against the {k} months after it: a customer churned there when they ordered nothing in them."
        ),
        "period": "{first} – {last}",
        "no_period": "none",
        "rules": {
            "lost": "Lost",
            "low": "Low",
            "decline": "Decline",
            "flagged": "Your verdicts: LOST, HIGH or MEDIUM",
            "level": "Your verdicts: {risk}",
            "partial": "Dropped a regular category",
            "rep_departed": "Their rep departed",
        },
        "yours": "your setting",
        "recommended": "recommended",
        "bases": {
            "percentile_10": "10th percentile of the months with orders",
            "percentile_25": "25th percentile of the months with orders",
            "percentile_50": "median of the months with orders",
        },
        "tenth": "{low}–{high} %",
        "model": (
            "{customers:,} customer-months had a probability, made at the latest months checked from the orders "
            "up to each; {churned:,} of them ordered nothing in the next {k} months. Each tenth of the probability "
            "shows the probability its customers were given on average and the share who then ordered nothing: "
            "the closer the two, the better calibrated."
        ),
        "model_short": (
            "Too little history to check the probability of no order: {customers:,} customer-months had one, "
            "{churned:,} of which ordered nothing in the next {k} months; both outcomes are needed."
        ),
    },
}
