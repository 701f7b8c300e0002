"""scipy's ``special`` and ``optimize``, imported when first used.

scipy is a third of churnkit's start (0.35 s of about 1 s), and a run needs it only for the chance of no
order (``bgnbd``, ``calibration``), after the order lines are read: ``warm_up`` imports it meanwhile, on a
thread, while the reader (fastexcel, Arrow) works without Python's lock.
"""
from __future__ import annotations

import importlib
import threading
from types import ModuleType

_MODULES = ("scipy.special", "scipy.optimize")


class _Module:
    """Stands for a module until an attribute is asked of it, then imports it (once: Python keeps it)."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attribute: str):
        module: ModuleType = importlib.import_module(self._name)
        return getattr(module, attribute)


special = _Module("scipy.special")
optimize = _Module("scipy.optimize")
_thread: threading.Thread | None = None
_starting = threading.Lock()


def warm_up() -> threading.Thread:
    """Import the modules on a thread of their own, started at the first call (every later use finds them
    imported); the thread."""
    global _thread
    with _starting:
        if _thread is None:
            _thread = threading.Thread(target=_import, name="churnkit-warm-up")
            _thread.start()
    return _thread


def _import() -> None:
    for name in _MODULES:
        importlib.import_module(name)
