"""Hostile workbook packages, built for real: parts that inflate far beyond their size, zip entries
that lie about their size or come twice, sheets with cells far outside their data.

`write_package` writes a zip by hand so that each entry's compressed bytes and declared size can be
anything; `bomb` makes a deflate stream of a part that repeats one chunk many times, in a fraction
of the time zlib would take to compress it (the chunk is compressed once and the stream repeats it).
"""
from __future__ import annotations

import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from package_edits import sheet_part

MB = 1 << 20


@dataclass
class Entry:
    name: str
    deflated: bytes               # raw deflate stream
    crc: int
    size: int                     # the real inflated size
    declared: int | None = None   # the size the zip says it has (the real one when None)


def deflated(data: bytes, name: str) -> Entry:
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    return Entry(name, packer.compress(data) + packer.flush(), zlib.crc32(data), len(data))


def bomb(name: str, head: bytes, chunk: bytes, times: int, tail: bytes, declared: int | None = None) -> Entry:
    """A part of ``head + chunk * times + tail``, deflated without compressing ``chunk`` more than once. Its CRC
    is left 0: a reader runs out of memory long before it reaches the end, where the CRC is checked."""
    def flushed(data: bytes) -> bytes:
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        return packer.compress(data) + packer.flush(zlib.Z_FULL_FLUSH)   # history reset: pieces can be joined
    last = zlib.compressobj(9, zlib.DEFLATED, -15)
    stream = flushed(head) + flushed(chunk) * times + last.compress(tail) + last.flush()
    return Entry(name, stream, 0, len(head) + len(chunk) * times + len(tail), declared)


def entries_of(path: Path) -> list[Entry]:
    """The parts of an existing workbook, as entries to rewrite."""
    with zipfile.ZipFile(path) as package:
        return [deflated(package.read(info.filename), info.filename) for info in package.infolist()]


def write_package(path: Path, entries: list[Entry]) -> Path:
    """A zip of ``entries`` as given: the local headers and the central directory carry ``declared`` sizes."""
    body, directory = bytearray(), bytearray()
    for entry in entries:
        name = entry.name.encode()
        declared = entry.size if entry.declared is None else entry.declared
        fields = struct.pack("<HHHHHIII", 20, 0, 8, 0, 0x21, entry.crc, len(entry.deflated), declared)
        directory += (b"PK\x01\x02" + struct.pack("<H", 20) + fields
                      + struct.pack("<HHHHHII", len(name), 0, 0, 0, 0, 0, len(body)) + name)
        body += b"PK\x03\x04" + fields + struct.pack("<HH", len(name), 0) + name + entry.deflated
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(directory), len(body), 0)
    path.write_bytes(bytes(body + directory + end))
    return path


def replaced(path: Path, out: Path, *new: Entry, drop: tuple[str, ...] = (), twice: tuple[str, ...] = ()) -> Path:
    """A copy of the workbook ``path`` with some parts replaced by ``new`` ones, left out, or stored twice."""
    by_name = {entry.name: entry for entry in new}
    entries = []
    for entry in entries_of(path):
        if entry.name in drop:
            continue
        entry = by_name.pop(entry.name, entry)
        entries += [entry, entry] if entry.name in twice else [entry]
    return write_package(out, entries + list(by_name.values()))


def read_part(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as package:
        return package.read(name)


def with_sheet_xml(path: Path, out: Path, edit, sheet: str = "Orders") -> Path:
    """A copy of the workbook with the XML of one sheet changed by ``edit(bytes) -> bytes``."""
    part = sheet_part(path, sheet)
    return replaced(path, out, deflated(edit(read_part(path, part)), part))
