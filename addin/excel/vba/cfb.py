"""A writer for Compound File Binary files (MS-CFB), version 3: 512-byte sectors, 64-byte mini sectors.

The input is a tree: a mapping from names to either ``bytes`` (a stream) or another
mapping (a storage). Layout of the output, in sectors after the header: the FAT, the
DIFAT sectors (only beyond 109 FAT sectors), the directory, the MiniFAT, the mini stream,
then every stream of 4096 bytes or more, each in consecutive sectors. Nothing depends on
the clock or on chance, so the same tree always gives the same bytes.
"""
from __future__ import annotations

import math
import struct
from dataclasses import dataclass, field
from typing import Mapping, Union

Tree = Mapping[str, Union[bytes, "Tree"]]

SECTOR_SIZE = 512
MINI_SECTOR_SIZE = 64
MINI_STREAM_CUTOFF = 4096
_HEADER_DIFAT_ENTRIES = 109
_IDS_PER_SECTOR = SECTOR_SIZE // 4
_DIFAT_IDS_PER_SECTOR = _IDS_PER_SECTOR - 1          # the last slot links to the next DIFAT sector
_ENTRY_SIZE = 128

# Special sector numbers and stream ids (MS-CFB 2.1)
DIFSECT, FATSECT, ENDOFCHAIN, FREESECT = 0xFFFFFFFC, 0xFFFFFFFD, 0xFFFFFFFE, 0xFFFFFFFF
NOSTREAM = 0xFFFFFFFF

# Object types and colours of a directory entry (MS-CFB 2.6.1)
_STORAGE, _STREAM, _ROOT = 0x01, 0x02, 0x05
_RED, _BLACK = 0x00, 0x01

_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
_ILLEGAL_NAME_CHARS = set("/\\:!")


@dataclass
class _Entry:
    """One directory entry (MS-CFB 2.6.1) while the file is laid out."""

    name: str
    kind: int
    data: bytes = b""
    children: list[int] = field(default_factory=list)
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM
    color: int = _BLACK
    start: int = ENDOFCHAIN
    size: int = 0

    def pack(self) -> bytes:
        name = self.name.encode("utf-16-le") + b"\0\0"
        return struct.pack("<64sHBBIII16sIQQIQ", name, len(name), self.kind, self.color,
                           self.left, self.right, self.child, bytes(16), 0, 0, 0, self.start, self.size)


def write_compound_file(tree: Tree) -> bytes:
    """MS-CFB 2.2-2.9: a version 3 compound file whose root storage holds ``tree``."""
    entries = [_Entry("Root Entry", _ROOT)]
    _add_children(entries, 0, tree)
    for entry in entries:
        if entry.children:
            entry.child = _link_red_black_tree(entries, entry.children)

    small = [e for e in entries if e.kind == _STREAM and 0 < len(e.data) < MINI_STREAM_CUTOFF]
    large = [e for e in entries if e.kind == _STREAM and len(e.data) >= MINI_STREAM_CUTOFF]

    mini_stream, minifat = bytearray(), []
    for entry in small:
        entry.start, entry.size = len(mini_stream) // MINI_SECTOR_SIZE, len(entry.data)
        count = _sectors(len(entry.data), MINI_SECTOR_SIZE)
        minifat += _chain(entry.start, count)
        mini_stream += entry.data.ljust(count * MINI_SECTOR_SIZE, b"\0")
    for entry in large:
        entry.size = len(entry.data)

    directory_sectors = _sectors(len(entries) * _ENTRY_SIZE, SECTOR_SIZE)
    minifat_sectors = _sectors(len(minifat) * 4, SECTOR_SIZE)
    mini_stream_sectors = _sectors(len(mini_stream), SECTOR_SIZE)
    other = directory_sectors + minifat_sectors + mini_stream_sectors + \
        sum(_sectors(len(e.data), SECTOR_SIZE) for e in large)
    fat_sectors, difat_sectors = _fat_size(other)

    fat: list[int] = [FATSECT] * fat_sectors + [DIFSECT] * difat_sectors
    directory_start = len(fat)
    fat += _chain(directory_start, directory_sectors)
    minifat_start = len(fat) if minifat_sectors else ENDOFCHAIN
    fat += _chain(len(fat), minifat_sectors)
    entries[0].start = len(fat) if mini_stream else ENDOFCHAIN
    entries[0].size = len(mini_stream)
    fat += _chain(len(fat), mini_stream_sectors)
    for entry in large:
        entry.start = len(fat)
        fat += _chain(entry.start, _sectors(len(entry.data), SECTOR_SIZE))
    fat += [FREESECT] * (fat_sectors * _IDS_PER_SECTOR - len(fat))

    fat_locations = list(range(fat_sectors))
    difat_start = fat_sectors if difat_sectors else ENDOFCHAIN
    header = struct.pack("<8s16sHHHHH6sIIIIIIIII", _SIGNATURE, bytes(16), 0x003E, 0x0003, 0xFFFE,
                         9, 6, bytes(6), 0, fat_sectors, directory_start, 0, MINI_STREAM_CUTOFF,
                         minifat_start, minifat_sectors, difat_start, difat_sectors)
    header += _ids(fat_locations[:_HEADER_DIFAT_ENTRIES], _HEADER_DIFAT_ENTRIES)

    out = bytearray(header)
    out += _ids(fat, len(fat))
    out += _difat_sectors(fat_locations[_HEADER_DIFAT_ENTRIES:], fat_sectors, difat_sectors)
    out += _padded(b"".join(e.pack() for e in entries), _unused_entry())
    out += _padded(_ids(minifat, len(minifat)), _ids([], 1))
    out += _padded(bytes(mini_stream), b"\0")
    for entry in large:
        out += _padded(entry.data, b"\0")
    return bytes(out)


def _add_children(entries: list[_Entry], parent: int, tree: Tree) -> None:
    """Append an entry for each member of ``tree`` (storages depth first) and list them on ``parent``."""
    seen: set[str] = set()
    for name, value in tree.items():
        _check_name(name)
        if _sort_key(name) in seen:
            raise ValueError(f"two entries named {name!r} (names are compared case-insensitively)")
        seen.add(_sort_key(name))
        entries[parent].children.append(len(entries))
        if isinstance(value, Mapping):
            entries.append(_Entry(name, _STORAGE, start=0))
            _add_children(entries, len(entries) - 1, value)
        else:
            entries.append(_Entry(name, _STREAM, bytes(value)))


def _check_name(name: str) -> None:
    """MS-CFB 2.6.1: 1 to 31 UTF-16 code units, none of / \\ : !"""
    if not name or len(name.encode("utf-16-le")) > 62 or _ILLEGAL_NAME_CHARS & set(name):
        raise ValueError(f"{name!r} is not a valid compound file entry name")


def _sort_key(name: str) -> tuple[int, str]:
    """MS-CFB 2.6.4: shorter names first, then by code point of the simple upper-case form."""
    upper = "".join(c.upper() if len(c.upper()) == 1 else c for c in name)
    return len(name.encode("utf-16-le")), upper


def _link_red_black_tree(entries: list[_Entry], ids: list[int]) -> int:
    """MS-CFB 2.6.4: a balanced tree of one storage's children; returns the id of its root.

    Splitting the sorted list at its middle fills every level but the deepest; colouring
    the nodes of that deepest level red (never the root) gives every path from the root
    the same number of black nodes, so the tree is a valid red-black tree.
    """
    ordered = sorted(ids, key=lambda i: _sort_key(entries[i].name))
    deepest = len(ordered).bit_length()

    def build(lo: int, hi: int, depth: int) -> int:
        if lo >= hi:
            return NOSTREAM
        mid = (lo + hi) // 2
        node = entries[ordered[mid]]
        node.left = build(lo, mid, depth + 1)
        node.right = build(mid + 1, hi, depth + 1)
        node.color = _RED if depth == deepest and depth > 1 else _BLACK
        return ordered[mid]

    return build(0, len(ordered), 1)


def _fat_size(other_sectors: int) -> tuple[int, int]:
    """MS-CFB 2.3, 2.5: FAT and DIFAT sector counts, the FAT also covering its own and the DIFAT's sectors."""
    fat = difat = 0
    while True:
        needed_fat = _sectors(other_sectors + fat + difat, _IDS_PER_SECTOR)
        needed_difat = _sectors(max(needed_fat - _HEADER_DIFAT_ENTRIES, 0), _DIFAT_IDS_PER_SECTOR)
        if (needed_fat, needed_difat) == (fat, difat):
            return fat, difat
        fat, difat = needed_fat, needed_difat


def _difat_sectors(locations: list[int], first: int, count: int) -> bytes:
    """MS-CFB 2.5: DIFAT sectors listing the FAT sectors beyond the header's 109, chained by their last slot."""
    out = bytearray()
    for n in range(count):
        part = locations[n * _DIFAT_IDS_PER_SECTOR:(n + 1) * _DIFAT_IDS_PER_SECTOR]
        out += _ids(part, _DIFAT_IDS_PER_SECTOR)
        out += struct.pack("<I", first + n + 1 if n + 1 < count else ENDOFCHAIN)
    return bytes(out)


def _chain(start: int, count: int) -> list[int]:
    """FAT or MiniFAT entries for ``count`` consecutive sectors from ``start``, ending the chain."""
    return [start + i + 1 for i in range(count - 1)] + [ENDOFCHAIN] * (count > 0)


def _sectors(size: int, sector_size: int) -> int:
    return math.ceil(size / sector_size)


def _ids(values: list[int], slots: int) -> bytes:
    """Little-endian sector numbers, padded with FREESECT to ``slots`` entries."""
    return struct.pack(f"<{slots}I", *values, *[FREESECT] * (slots - len(values)))


def _unused_entry() -> bytes:
    """MS-CFB 2.6.3: a free directory entry (all zeros, no siblings and no child)."""
    return struct.pack("<64sHBBIII16sIQQIQ", b"", 0, 0, 0, NOSTREAM, NOSTREAM, NOSTREAM, bytes(16), 0, 0, 0, 0, 0)


def _padded(data: bytes, filler: bytes) -> bytes:
    """``data`` followed by whole copies of ``filler`` up to the next sector boundary."""
    missing = -len(data) % SECTOR_SIZE
    return data + filler * (missing // len(filler))
