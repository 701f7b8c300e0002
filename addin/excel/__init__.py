"""The Excel add-in: building ``churnkit.xlam`` (``build``, with the VBA project writer ``vba`` and the ribbon
XML and VBA source in ``xlam/``), installing it (``install``), the ribbon's actions (``ribbon_actions``,
``report_buttons``) and the worksheet functions' work (``functions``, ``model_cache``, and ``recalculation``: one read of the calling
workbook per recalculation).

With the two entry points ``addin.ribbon`` and ``addin.udfs``, this is the only place that imports xlwings.
"""
