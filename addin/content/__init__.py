"""What churnkit writes into workbooks, whoever writes it: the lists, the Customer History and settings
sheets (as :class:`~addin.content.model.SheetContent`), which sheets are churnkit's (``sheet_kinds``) and
how they look (``look``).

It imports the engine (``churn_logic``) and the cell values of ``addin.ooxml``; nothing that reads or
writes a file or talks to Excel.
"""
