"""``python -m addin.cli``: the same as the ``churnkit`` command."""
import sys

from .main import main

sys.exit(main())
