"""The workbook interface (``base.Workbook``) and its two adapters: ``file_book.FileWorkbook`` for a file
on disk, edited at the package level and replaced safely (``safe_write``), and
``excel_book.ExcelWorkbook`` for a workbook open in Excel, through xlwings' object model.

It imports ``content`` (what to write), ``ooxml`` (how a file holds it) and the reader; it never imports
xlwings itself (the Excel adapter is handed xlwings' objects).
"""
