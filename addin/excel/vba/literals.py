"""Text as VBA source: string expressions that hold any Unicode text in ASCII source lines.

A module's source is stored in the project's code page (1252) and shown by the VBA editor
in the system's; only ASCII reads the same everywhere. Other characters become
``ChrW(&H....)`` calls (UTF-16 code units, so characters beyond the BMP work too).
"""
from __future__ import annotations

_LINE = 900            # characters of expression per source line (VBA allows 1023)
_RUN = 200             # characters of one string literal


def string_assignment(variable: str, text: str) -> list[str]:
    """VBA statements that set ``variable`` to ``text``, each line well within VBA's line length."""
    pieces = _pieces(text) or ['""']
    lines, current = [], []
    for piece in pieces:
        if current and sum(len(p) + 3 for p in current) + len(piece) > _LINE:
            lines.append(current)
            current = []
        current.append(piece)
    lines.append(current)
    return [f"{variable} = " + ("" if i == 0 else f"{variable} & ") + " & ".join(parts)
            for i, parts in enumerate(lines)]


def _pieces(text: str) -> list[str]:
    """Quoted runs of printable ASCII and ChrW calls for everything else, in order."""
    pieces, run = [], ""
    for char in text:
        if " " <= char <= "~":
            run += '""' if char == '"' else char
            if len(run) >= _RUN:
                pieces.append(f'"{run}"')
                run = ""
            continue
        if run:
            pieces.append(f'"{run}"')
            run = ""
        units = char.encode("utf-16-le")
        pieces += [f"ChrW(&H{int.from_bytes(units[i:i + 2], 'little'):04X})" for i in range(0, len(units), 2)]
    if run:
        pieces.append(f'"{run}"')
    return pieces
