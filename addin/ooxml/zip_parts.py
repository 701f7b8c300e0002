"""Reading and writing the parts of an OOXML package (a zip), copying unchanged parts as they are.

Unchanged parts are copied with their compressed bytes untouched, so writing a big
workbook back costs a file copy, not a decompress and recompress of its order sheet.
"""
from __future__ import annotations

import copy
import struct
import zipfile
from pathlib import Path
from typing import Iterable

_LOCAL_HEADER = 30
_DATA_DESCRIPTOR_FLAG = 0x08


class ZipParts:
    """The entries of a zip file: unchanged ones stay in the source file, changed ones in memory."""

    def __init__(self, path: Path | None = None):
        self.path = path
        self._zip = zipfile.ZipFile(path) if path else None
        self.order: list[str] = [info.filename for info in self._zip.infolist()] if self._zip else []
        self.changed: dict[str, bytes] = {}
        self.removed: set[str] = set()

    def __contains__(self, name: str) -> bool:
        return name not in self.removed and (name in self.changed or name in self._originals())

    def names(self) -> list[str]:
        return [n for n in self.order if n not in self.removed] + \
            [n for n in self.changed if n not in self.order]

    def read(self, name: str) -> bytes:
        if name in self.changed:
            return self.changed[name]
        if name in self.removed or self._zip is None:
            raise KeyError(name)
        return self._zip.read(name)

    def write(self, name: str, data: bytes) -> None:
        self.changed[name] = data
        self.removed.discard(name)

    def remove(self, name: str) -> None:
        self.changed.pop(name, None)
        self.removed.add(name)

    def untouched(self) -> list[str]:
        """Names of the source's parts that are neither changed nor removed."""
        return [n for n in self.order if n not in self.changed and n not in self.removed]

    def _originals(self) -> set[str]:
        return set(self.order)

    def save(self, target: Path) -> None:
        """Write every part to ``target`` (unchanged ones byte for byte, still compressed)."""
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
            for name in self.names():
                if name in self.changed:
                    info = self._info_for(name)
                    out.writestr(info, self.changed[name])
                else:
                    copy_raw(self._zip, self._zip.getinfo(name), out)

    def _info_for(self, name: str) -> zipfile.ZipInfo:
        if self._zip is not None and name in self._originals():
            old = self._zip.getinfo(name)
            info = zipfile.ZipInfo(name, date_time=old.date_time)
        else:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        return info

    def differing(self, written: zipfile.ZipFile, names: Iterable[str]) -> list[str]:
        """The names among ``names`` whose stored bytes in ``written`` differ from the source's."""
        return [n for n in names if raw_bytes(written, written.getinfo(n)) != raw_bytes(self._zip, self._zip.getinfo(n))]

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()


def raw_bytes(source: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """An entry's stored (still compressed) bytes."""
    fp = source.fp
    fp.seek(info.header_offset)
    header = fp.read(_LOCAL_HEADER)
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    fp.seek(info.header_offset + _LOCAL_HEADER + name_length + extra_length)
    return fp.read(info.compress_size)


def copy_raw(source: zipfile.ZipFile, info: zipfile.ZipInfo, out: zipfile.ZipFile) -> None:
    """Append one entry of ``source`` to ``out`` without decompressing it."""
    data = raw_bytes(source, info)
    entry = copy.copy(info)
    entry.flag_bits &= ~_DATA_DESCRIPTOR_FLAG
    entry.extra = b""
    entry.header_offset = out.fp.tell()
    out.fp.write(entry.FileHeader(zip64=info.file_size > zipfile.ZIP64_LIMIT or info.compress_size > zipfile.ZIP64_LIMIT))
    out.fp.write(data)
    out.filelist.append(entry)
    out.NameToInfo[entry.filename] = entry
    out.start_dir = out.fp.tell()
    out._didModify = True
