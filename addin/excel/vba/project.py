"""An Excel VBA project, ``xl/vbaProject.bin``, built from module source text (MS-OVBA 2.2-2.3).

The project carries source only: every module stream starts with its compressed source
(MODULEOFFSET 0) and ``_VBA_PROJECT`` holds no performance cache and the version 0xFFFF,
which MS-OVBA 1.6 and 2.3.4.1 prescribe so that Office ignores all caches and compiles
from the source. The records and strings that MS-OVBA leaves to the host (SYSKIND,
reference libids, document attributes) are the ones 64-bit Excel writes.
"""
from __future__ import annotations

import re
import struct
import uuid
from dataclasses import dataclass
from typing import Literal

from .cfb import write_compound_file
from .compression import compress

ModuleKind = Literal["standard", "class", "document"]

_CODEPAGE = 1252
_CODEC = "cp1252"
_LCID = 0x0409                      # MS-OVBA 2.3.4.2.1.3: MUST be 0x409
_SYSKIND_WIN64 = 0x00000003         # MS-OVBA 2.3.4.2.1.1, as 64-bit Excel writes it
_VERSION = (1, 0)                   # MS-OVBA 2.3.4.2.1.11 PROJECTVERSION (major, minor)

# MS-OVBA 2.3.4.2.2.5 REFERENCEREGISTERED libids, as 64-bit Excel 2016 and later writes them.
_REFERENCES = (
    ("stdole", r"*\G{00020430-0000-0000-C000-000000000046}#2.0#0#C:\Windows\System32\stdole2.tlb"
               r"#OLE Automation"),
    ("Office", r"*\G{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}#2.0#0#C:\Program Files\Common Files"
               r"\Microsoft Shared\OFFICE16\MSO.DLL#Microsoft Office 16.0 Object Library"),
)

# VB_Base of Excel's document modules (its Workbook and Worksheet type-library classes) and of class modules.
_DOCUMENT_BASES = {"workbook": "0{00020819-0000-0000-C000-000000000046}",
                  "worksheet": "0{00020820-0000-0000-C000-000000000046}"}
_CLASS_BASE = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"

_VBA_PROJECT_STREAM = struct.pack("<HHBH", 0x61CC, 0xFFFF, 0x00, 0x0001)   # MS-OVBA 2.3.4.1, 3.1.1
_HOST_EXTENDER = "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000"   # MS-OVBA 2.3.1 HostExtenderRef
_PROJECT_ITEM = {"document": "Document={}/&H00000000", "standard": "Module={}", "class": "Class={}"}
_MODULE_TYPE_ID = {"standard": 0x0021, "class": 0x0022, "document": 0x0022}   # MS-OVBA 2.3.4.2.3.2.8
_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_BARE_CR_OR_LF = re.compile(r"\r(?!\n)|(?<!\r)\n")
_ATTRIBUTE = re.compile(r"Attribute (\w+) = (.*)\Z")


@dataclass(frozen=True)
class VBAModule:
    """A module as a VBA project stores it: CRLF lines, starting with ``Attribute VB_Name = "<name>"``."""

    name: str
    source: str
    kind: ModuleKind

    def __post_init__(self):
        if not _IDENTIFIER.match(self.name) or len(self.name) > 31:
            raise ValueError(f"{self.name!r} is not a VBA module name: a letter, then letters, digits "
                             "or underscores, 31 characters at most")
        if self.kind not in _PROJECT_ITEM:
            raise ValueError(f"module {self.name}: kind must be standard, class or document, not {self.kind!r}")
        if not self.source.startswith(f'Attribute VB_Name = "{self.name}"\r\n'):
            raise ValueError(f'module {self.name}: the source must start with the line '
                             f'Attribute VB_Name = "{self.name}"')
        if _BARE_CR_OR_LF.search(self.source):
            raise ValueError(f"module {self.name}: every line of the source must end with CRLF")

    @classmethod
    def from_export(cls, text: str, kind: ModuleKind | None = None) -> VBAModule:
        """The stored form of a ``.bas`` or ``.cls`` file as the VBA editor exports it.

        Drops a class's ``VERSION 1.0 CLASS`` / ``BEGIN`` ... ``END`` header, keeps the
        ``Attribute`` lines and ends every line with CRLF. A class module also gets the
        attributes Excel adds when it imports a ``.cls`` (``VB_Base``, ``VB_TemplateDerived``,
        ``VB_Customizable``) where the file lacks them. The name comes from ``VB_Name``; the
        kind, unless given: a ``.cls`` whose ``VB_Base`` is not the class base is a document
        module, any other ``.cls`` a class, a file without the header a standard module.
        """
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        has_class_header = lines[0].strip() == "VERSION 1.0 CLASS"
        if has_class_header:
            if len(lines) < 2 or lines[1].strip() != "BEGIN":
                raise ValueError("an exported class must have BEGIN on the line after VERSION 1.0 CLASS")
            ends = [i for i, line in enumerate(lines) if line.strip() == "END"]
            if not ends:
                raise ValueError("an exported class's BEGIN block has no END line")
            lines = lines[ends[0] + 1:]
        elif lines[0].startswith("VERSION "):
            raise ValueError(f"only .bas and .cls exports are supported, not a file starting {lines[0]!r}")
        attributes = _leading_attributes(lines)
        if "VB_Name" not in attributes:
            raise ValueError("an exported module must start with its Attribute VB_Name line")
        if kind is None:
            base = attributes.get("VB_Base", f'"{_CLASS_BASE}"')
            kind = "standard" if not has_class_header else "class" if base == f'"{_CLASS_BASE}"' else "document"
        if kind == "class":
            lines = _with_class_attributes(lines, attributes)
        return cls(attributes["VB_Name"].strip('"'), "\r\n".join(lines), kind)

    @classmethod
    def document(cls, name: str, base: Literal["workbook", "worksheet"], code: str = "") -> VBAModule:
        """A document module (``ThisWorkbook``, ``Sheet1``) with the attributes Excel stores for it, then ``code``."""
        attributes = [f'VB_Name = "{name}"', f'VB_Base = "{_DOCUMENT_BASES[base]}"', "VB_GlobalNameSpace = False",
                      "VB_Creatable = False", "VB_PredeclaredId = True", "VB_Exposed = True",
                      "VB_TemplateDerived = False", "VB_Customizable = True"]
        return cls(name, "".join(f"Attribute {a}\r\n" for a in attributes) + code, "document")


def _leading_attributes(lines: list[str]) -> dict[str, str]:
    """The ``Attribute name = value`` lines that open a module, as name -> value text."""
    attributes = {}
    for line in lines:
        match = _ATTRIBUTE.match(line)
        if not match:
            break
        attributes[match[1]] = match[2]
    return attributes


def _with_class_attributes(lines: list[str], present: dict[str, str]) -> list[str]:
    """``lines`` with VB_Base after VB_Name and VB_TemplateDerived, VB_Customizable after VB_Exposed, if missing."""
    out, in_header = [], True
    for line in lines:
        out.append(line)
        match = in_header and _ATTRIBUTE.match(line)
        in_header = bool(match)
        if match and match[1] == "VB_Name" and "VB_Base" not in present:
            out.append(f'Attribute VB_Base = "{_CLASS_BASE}"')
        if match and match[1] == "VB_Exposed":
            out += [f"Attribute {a} = False" for a in ("VB_TemplateDerived", "VB_Customizable") if a not in present]
    return out


def build_vba_project(modules: list[VBAModule], project_name: str = "VBAProject") -> bytes:
    """The bytes of ``xl/vbaProject.bin`` (MS-OVBA 2.2.1) holding ``modules``, source only.

    The project's ID is derived from ``project_name``, so the same input always gives the
    same bytes. Raises ValueError for an invalid or duplicate name (a module named like the
    project, too: the VBA editor refuses to load such a project), or for text that code page
    1252 cannot hold.
    """
    if not _IDENTIFIER.match(project_name) or len(project_name) > 128:
        raise ValueError(f"{project_name!r} is not a VBA project name: a letter, then letters, digits "
                         "or underscores, 128 characters at most")
    seen = {"dir", project_name.lower()}      # the VBA storage's own stream names, and the project's name
    for module in modules:
        if module.name.lower() in seen:
            raise ValueError(f"a module cannot be named {module.name!r}: the name is taken "
                             "(VBA names ignore case)")
        seen.add(module.name.lower())
    project_id = "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"churnkit:vba-project:{project_name}")).upper() + "}"
    vba = {"_VBA_PROJECT": _VBA_PROJECT_STREAM, "dir": compress(_dir_stream(modules, project_name))}
    for module in modules:
        vba[module.name] = compress(_encoded(module.source, f"module {module.name}"))   # MS-OVBA 2.3.4.3
    return write_compound_file({
        "VBA": vba,
        "PROJECT": _project_stream(modules, project_name, project_id),
        "PROJECTwm": _projectwm_stream(modules),
    })


def _encoded(text: str, what: str) -> bytes:
    """``text`` in the project's code page, or ValueError naming the first character it cannot hold."""
    try:
        return text.encode(_CODEC)
    except UnicodeEncodeError as error:
        line = text.count("\n", 0, error.start) + 1
        raise ValueError(f"{what}: {text[error.start]!r} (line {line}) cannot be written in code page "
                         f"{_CODEPAGE}, the VBA project's code page") from None


def _record(record_id: int, data: bytes) -> bytes:
    """MS-OVBA 2.3.4.2: a record id, the size of its data, then the data."""
    return struct.pack("<HI", record_id, len(data)) + data


def _name_records(name_id: int, unicode_id: int, name: str) -> bytes:
    """A name in the code page, then after the given reserved id in UTF-16 (MS-OVBA 2.3.4.2.2.2, 2.3.4.2.3.2.1-3)."""
    return _record(name_id, _encoded(name, "name")) + _record(unicode_id, name.encode("utf-16-le"))


def _dir_stream(modules: list[VBAModule], project_name: str) -> bytes:
    """MS-OVBA 2.3.4.2: PROJECTINFORMATION, PROJECTREFERENCES, PROJECTMODULES and the terminator, uncompressed."""
    information = b"".join([
        _record(0x0001, struct.pack("<I", _SYSKIND_WIN64)),        # 2.3.4.2.1.1 PROJECTSYSKIND
        _record(0x0002, struct.pack("<I", _LCID)),                 # 2.3.4.2.1.3 PROJECTLCID
        _record(0x0014, struct.pack("<I", _LCID)),                 # 2.3.4.2.1.4 PROJECTLCIDINVOKE
        _record(0x0003, struct.pack("<H", _CODEPAGE)),              # 2.3.4.2.1.5 PROJECTCODEPAGE
        _record(0x0004, _encoded(project_name, "project name")),   # 2.3.4.2.1.6 PROJECTNAME
        _record(0x0005, b"") + _record(0x0040, b""),               # 2.3.4.2.1.7 PROJECTDOCSTRING: none
        _record(0x0006, b"") + _record(0x003D, b""),               # 2.3.4.2.1.8 PROJECTHELPFILEPATH: none
        _record(0x0007, struct.pack("<I", 0)),                     # 2.3.4.2.1.9 PROJECTHELPCONTEXT
        _record(0x0008, struct.pack("<I", 0)),                     # 2.3.4.2.1.10 PROJECTLIBFLAGS
        struct.pack("<HIIH", 0x0009, 4, *_VERSION),                # 2.3.4.2.1.11 PROJECTVERSION: Reserved is 4
        _record(0x000C, b"") + _record(0x003C, b""),               # 2.3.4.2.1.12 PROJECTCONSTANTS: none
    ])
    references = b"".join(                                         # 2.3.4.2.2.2 REFERENCENAME + .5 REGISTERED
        _name_records(0x0016, 0x003E, name)
        + _record(0x000D, _sized(_encoded(libid, "libid")) + struct.pack("<IH", 0, 0))
        for name, libid in _REFERENCES)
    module_records = b"".join(
        _name_records(0x0019, 0x0047, m.name)                      # 2.3.4.2.3.2.1-2 MODULENAME(UNICODE)
        + _name_records(0x001A, 0x0032, m.name)                    # 2.3.4.2.3.2.3 MODULESTREAMNAME
        + _record(0x001C, b"") + _record(0x0048, b"")              # 2.3.4.2.3.2.4 MODULEDOCSTRING: none
        + _record(0x0031, struct.pack("<I", 0))                    # 2.3.4.2.3.2.5 MODULEOFFSET: no p-code
        + _record(0x001E, struct.pack("<I", 0))                    # 2.3.4.2.3.2.6 MODULEHELPCONTEXT
        + _record(0x002C, struct.pack("<H", 0xFFFF))               # 2.3.4.2.3.2.7 MODULECOOKIE: 0xFFFF on write
        + _record(_MODULE_TYPE_ID[m.kind], b"")                    # 2.3.4.2.3.2.8 MODULETYPE
        + _record(0x002B, b"")                                     # MODULE terminator
        for m in modules)
    modules_header = (_record(0x000F, struct.pack("<H", len(modules)))   # 2.3.4.2.3 PROJECTMODULES
                      + _record(0x0013, struct.pack("<H", 0xFFFF)))      # 2.3.4.2.3.1 PROJECTCOOKIE
    return information + references + modules_header + module_records + _record(0x0010, b"")


def _sized(data: bytes) -> bytes:
    return struct.pack("<I", len(data)) + data


def _project_stream(modules: list[VBAModule], project_name: str, project_id: str) -> bytes:
    """MS-OVBA 2.3.1: the PROJECT stream's text, CRLF lines in the project's code page."""
    seed = int(project_id[1:3], 16)          # any byte will do (2.4.3.2); this one keeps the output fixed
    lines = [f'ID="{project_id}"']                                             # 2.3.1.2
    lines += [_PROJECT_ITEM[m.kind].format(m.name) for m in modules]           # 2.3.1.3-2.3.1.6
    lines += [
        f'Name="{project_name}"',                                              # 2.3.1.11
        'HelpContextID="0"',                                                   # 2.3.1.12
        'VersionCompatible32="393222000"',                                     # 2.3.1.14
        f'CMG="{_encrypt(bytes(4), project_id, seed)}"',                       # 2.3.1.15: not protected
        f'DPB="{_encrypt(bytes(1), project_id, seed)}"',                       # 2.3.1.16: no password
        f'GC="{_encrypt(bytes([0xFF]), project_id, seed)}"',                   # 2.3.1.17: visible
        "",
        "[Host Extender Info]",                                                # HostExtenders
        _HOST_EXTENDER,
        "",
        "[Workspace]",                                                         # ProjectWorkspace: closed
        *(f"{m.name}=0, 0, 0, 0, C" for m in modules),
    ]
    return _encoded("\r\n".join(lines) + "\r\n", "PROJECT stream")


def _encrypt(data: bytes, project_id: str, seed: int) -> str:
    """MS-OVBA 2.4.3.2 Data Encryption, as the hex digits the PROJECT stream holds (2.4.3.1).

    The key is the byte sum of the project's ID text; the ignored bytes are zeros.
    """
    project_key = sum(project_id.encode(_CODEC)) & 0xFF
    version_enc, key_enc = seed ^ 2, seed ^ project_key
    out = [seed, version_enc, key_enc]
    unencrypted, encrypted1, encrypted2 = project_key, key_enc, version_enc
    for byte in bytes((seed & 6) // 2) + struct.pack("<I", len(data)) + data:
        byte_enc = byte ^ ((encrypted2 + unencrypted) & 0xFF)
        out.append(byte_enc)
        encrypted2, encrypted1, unencrypted = encrypted1, byte_enc, byte
    return bytes(out).hex().upper()


def _projectwm_stream(modules: list[VBAModule]) -> bytes:
    """MS-OVBA 2.3.3: each module's name in the code page and in UTF-16, each null-terminated, then 0x0000."""
    return b"".join(_encoded(m.name, "module name") + b"\0" + m.name.encode("utf-16-le") + b"\0\0"
                    for m in modules) + b"\0\0"
