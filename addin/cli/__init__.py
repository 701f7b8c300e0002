"""The ``churnkit`` command line (``main``; ``run`` as a process): scan, history, refresh, settings, report, addin
and demo.

It parses arguments, runs the tasks (``addin.tasks``, ``addin.report``, ``addin.excel``) and prints
what they give (``output``); it is the only layer that prints.
"""
from .main import main, run

__all__ = ["main", "run"]
