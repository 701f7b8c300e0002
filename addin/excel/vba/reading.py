"""Reading a module's source back from a VBA project (MS-OVBA 2.3.4.2 dir stream, 2.3.4.3 module stream).

Works on projects Excel saved (with p-code before the source) as well as on the
source-only projects ``addin.vba`` writes.
"""
from __future__ import annotations

import struct

import olefile

from .compression import decompress

_PROJECTCODEPAGE, _PROJECTVERSION = 0x0003, 0x0009
_MODULESTREAMNAME, _MODULEOFFSET, _MODULE_END = 0x001A, 0x0031, 0x002B


def module_source(project: bytes, name: str) -> str | None:
    """The source text of module ``name`` of a ``vbaProject.bin``, or None when it has no such module.

    Raises ValueError (or olefile's OSError) for bytes that are not a VBA project.
    """
    with olefile.OleFileIO(project) as ole:
        if not ole.exists("VBA/dir"):
            raise ValueError("not a VBA project: it has no VBA/dir stream")
        codepage, offsets = _directory(decompress(ole.openstream("VBA/dir").read()))
        if name.lower() not in offsets:
            return None
        stream_name, offset = offsets[name.lower()]
        data = ole.openstream(["VBA", stream_name]).read()
    return decompress(data[offset:]).decode(f"cp{codepage}", errors="replace")


def _directory(dir_stream: bytes) -> tuple[int, dict[str, tuple[str, int]]]:
    """The project's code page, and each module's stream name and source offset by lower-case name."""
    codepage, modules, stream, pos = 1252, {}, None, 0
    while pos + 6 <= len(dir_stream):
        record_id, size = struct.unpack_from("<HI", dir_stream, pos)
        if record_id == _PROJECTVERSION:         # its Reserved field reads as a size of 4; 6 bytes follow
            size = 6
        data = dir_stream[pos + 6:pos + 6 + size]
        if record_id == _PROJECTCODEPAGE:
            codepage = struct.unpack("<H", data)[0]
        elif record_id == _MODULESTREAMNAME:
            stream = data.decode(f"cp{codepage}")
        elif record_id == _MODULEOFFSET and stream is not None:
            modules[stream.lower()] = (stream, struct.unpack("<I", data)[0])
        elif record_id == _MODULE_END:
            stream = None
        pos += 6 + size
    return codepage, modules
