"""Reading: the order lines of a workbook file, a CSV export or an open workbook's values (``order_book``,
every cell as text, the header row found by itself), checked before anything reads them (``files``,
``guard``), the order lines of sheets read before (``line_cache``), and the settings of ``churnkit.toml`` and
the settings sheet (``settings``).

It imports the engine (``churn_logic``), ``content.sheet_kinds`` (to leave churnkit's own sheets out) and
Excel's cell limit from ``ooxml``; it writes nothing but its cache, in the user's cache folder.
"""
