"""``python -m addin.cli``: the same as the ``churnkit`` command."""
import sys

from .main import run

sys.exit(run())
