"""scipy's ``special`` and ``optimize``, imported when first used.

scipy is a third of churnkit's start (0.35 s of about 1 s), and a run needs it only for the chance of no
order (``bgnbd``, ``calibration``), after the order lines are read: ``warm_up`` imports it meanwhile, on a
thread, while the reader (fastexcel, Arrow) works without Python's lock.
"""
from __future__ import annotations

import importlib
import threading

_MODULES = ("scipy.special", "scipy.optimize")


class _Module:
    """Stands for a module until an attribute is asked of it, then imports it; each attribute asked is kept."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attribute: str):
        value = getattr(importlib.import_module(self._name), attribute)
        setattr(self, attribute, value)         # asked again, found at once
        return value


special = _Module("scipy.special")
optimize = _Module("scipy.optimize")
_thread: threading.Thread | None = None
_starting = threading.Lock()


def warm_up() -> threading.Thread:
    """Import the modules on a thread of their own, started at the first call (every later use finds them
    imported), and return that thread. A run that ends without scipy does not wait for it."""
    global _thread
    with _starting:
        if _thread is None:
            _thread = threading.Thread(target=_import, name="churnkit-warm-up", daemon=True)
            _thread.start()
    return _thread


def _import() -> None:
    try:
        for name in _MODULES:
            importlib.import_module(name)
    except Exception:      # the first use imports it again, and says what is wrong where it is needed
        pass
