"""The ribbon's entry point: every button of the Churn tab calls :func:`dispatch` with its id.

The add-in's one VBA callback runs
``RunPython "import addin.ribbon as r; r.dispatch('<control id>', '<tag>')"`` (the tag
carries the ribbon's language), so this module stays at this name; a new button needs
only ribbon XML and an entry in ``addin.excel.ribbon_actions.ACTIONS``.
"""
from .excel.ribbon_actions import ACTIONS, dispatch

__all__ = ["ACTIONS", "dispatch"]
