"""The OOXML package layer: a workbook file as zip parts, XML edited as text at the places a parser finds,
and the parts churnkit writes (worksheets, tables, drawings, charts, styles).

It knows spreadsheet files, not churn: it imports nothing else from ``addin``.
"""
