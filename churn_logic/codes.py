"""Text columns as integer codes into their sorted distinct texts, what ``pd.factorize(sort=True)`` gives.

Order lines from ``normalise`` carry their text fields as categoricals whose categories are
sorted, so the codes are already there and a million texts are not hashed again.
"""
from __future__ import annotations

import numpy as np
import pandas as pd


def sorted_codes(column: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Per line, the position of its text among the sorted distinct texts (-1: missing), and those texts."""
    if isinstance(column.dtype, pd.CategoricalDtype) and column.cat.categories.is_monotonic_increasing:
        codes = column.cat.codes.to_numpy().astype(np.intp)
        texts = column.cat.categories
        used = np.zeros(len(texts) + 1, bool)
        used[codes] = True              # a missing text's code, -1, marks the last place
        used = used[:-1]
        if used.all():
            return codes, texts
        renumber = np.append(np.cumsum(used) - 1, -1)       # position -1 (missing) stays -1
        return renumber[codes], texts[used]
    codes, texts = pd.factorize(column, sort=True)
    return codes, pd.Index(texts)
