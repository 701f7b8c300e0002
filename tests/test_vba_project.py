"""The add-in's VBA project written from source (addin.vba): compression, compound file, project streams.

Independent readers check what we write: oletools' olevba (decompression, dir stream,
module source), olefile in strict mode (the compound file), LibreOffice (its own VBA
importer), and the vbaProject.bin files Excel saved in the installed xlwings package.
"""
from __future__ import annotations

import io
import random
import re
import struct
import uuid
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import olefile
import pytest
import xlsxwriter
import xlwings
from oletools.olevba import VBA_Parser, VBA_Project, decompress_stream

from addin.excel.vba import VBAModule, build_vba_project
from addin.excel.vba.cfb import write_compound_file
from addin.excel.vba.compression import compress, decompress
from addin.excel.vba.reading import module_source
from office import convert

XLWINGS = Path(xlwings.__file__).parent
TEXT = (XLWINGS / "addin" / "WebHelpers.bas").read_bytes()          # 117 KB of real VBA
RANDOM = random.Random(20261123).randbytes(300 * 1024 + 3700)        # ends in a short incompressible chunk

# MS-OVBA 3.2.1-3.2.3: example inputs and their compressed bytes.
SPEC_EXAMPLES = [
    (b"abcdefghijklmnopqrstuv.",
     "01 19 B0 00 61 62 63 64 65 66 67 68 00 69 6A 6B 6C 6D 6E 6F 70 00 71 72 73 74 75 76 2E"),
    (b"#aaabcdefaaaaghijaaaaaklaaamnopqaaaaaaaaaaaarstuvwxyzaaa",
     "01 2F B0 00 23 61 61 61 62 63 64 65 82 66 00 70 61 67 68 69 6A 01 38 08 61 6B 6C 00 20 6D 6E 6F "
     "70 06 71 02 70 04 00 72 73 74 75 76 10 77 78 79 7A 00 2C"),
    (b"a" * 73, "01 03 B0 02 61 45 00"),
]
# Earlier revisions of MS-OVBA printed 3.2.2 with other (equally valid) copy-token offsets.
OLDER_NORMAL_EXAMPLE = ("01 2F B0 00 23 61 61 61 62 63 64 65 82 66 00 70 61 67 68 69 6A 01 38 08 61 6B 6C 00 30 "
                        "6D 6E 6F 70 06 71 02 70 04 10 72 73 74 75 76 10 77 78 79 7A 00 3C")


def chunk_headers(container: bytes) -> list[tuple[bool, int]]:
    """(compressed?, size) of each chunk of a compressed container (MS-OVBA 2.4.1.1.5)."""
    headers, pos = [], 1
    while pos < len(container):
        header = int.from_bytes(container[pos:pos + 2], "little")
        headers.append((bool(header & 0x8000), (header & 0x0FFF) + 3))
        pos += (header & 0x0FFF) + 3
    return headers


def spec_compress(data: bytes) -> bytes:
    """MS-OVBA 2.4.1.3.6-2.4.1.3.19 transcribed line by line, quadratic: the oracle for small inputs."""
    out = bytearray([0x01])
    for chunk_start in range(0, len(data), 4096):
        end = min(chunk_start + 4096, len(data))
        header_at = len(out)
        out += b"\0\0"
        compressed_end = header_at + 4098
        current = chunk_start
        while current < end and len(out) < compressed_end:
            flag_at = len(out)
            out.append(0)
            for index in range(8):
                if not (current < end and len(out) < compressed_end):
                    continue
                candidate, best_length, best = current - 1, 0, 0
                while candidate >= chunk_start:
                    c, d, length = candidate, current, 0
                    while d < end and data[d] == data[c]:
                        length, c, d = length + 1, c + 1, d + 1
                    if length > best_length:
                        best_length, best = length, candidate
                    candidate -= 1
                if best_length >= 3:
                    bit_count = max(4, (current - chunk_start - 1).bit_length())
                    length = min(best_length, (0xFFFF >> bit_count) + 3)
                    if len(out) + 1 < compressed_end:
                        token = ((current - best - 1) << (16 - bit_count)) | (length - 3)
                        out += token.to_bytes(2, "little")
                        out[flag_at] |= 1 << index
                        current += length
                    else:
                        out += b"\0" * (compressed_end - len(out))
                else:
                    out.append(data[current])
                    current += 1
        if current < end:
            del out[header_at:]
            out += (0x3000 | 4095).to_bytes(2, "little") + data[chunk_start:end].ljust(4096, b"\0")
        else:
            out[header_at:header_at + 2] = (0xB000 | (len(out) - header_at - 3)).to_bytes(2, "little")
    return bytes(out)


# --- compression (MS-OVBA 2.4.1) --------------------------------------------------------------

@pytest.mark.parametrize("data, expected", SPEC_EXAMPLES, ids=["no-compression", "normal", "maximum"])
def test_spec_examples_compress_byte_for_byte(data, expected):
    assert compress(data) == bytes.fromhex(expected)
    assert decompress(bytes.fromhex(expected)) == data
    assert bytes(decompress_stream(bytearray.fromhex(expected))) == data


def test_older_spec_revision_of_the_normal_example_decodes_to_the_same_text():
    assert decompress(bytes.fromhex(OLDER_NORMAL_EXAMPLE)) == SPEC_EXAMPLES[1][0]


@pytest.mark.parametrize("data", [
    TEXT[:9000],                                                    # two chunks of VBA text
    random.Random(7).randbytes(600) + b"%" + bytes(range(3, 83)) + b"#" + bytes(range(3, 73)) + b"!"
    + bytes(range(3, 83)) + b"tail",                                # longest match beyond the length cap
    random.Random(8).randbytes(4096 + 3700),                        # incompressible: raw chunks
], ids=["vba-text", "capped-longest-match", "random"])
def test_compression_follows_the_spec_pseudocode(data):
    expected = spec_compress(data)
    if chunk_headers(expected)[-1] == (False, 4098) and len(data) % 4096:
        expected = expected[:len(expected) - 4096 + len(data) % 4096]   # ours leaves a short raw chunk unpadded
    assert compress(data) == expected


@pytest.mark.parametrize("data", [
    b"", b"x", TEXT[:4096], TEXT[:4097], b'Debug.Print "x"\r\n' * 20000, TEXT * 3, RANDOM,
], ids=["empty", "one-byte", "4096", "4097", "repetitive", "350KB-vba", "300KB-random"])
def test_round_trip_through_ours_and_olevba(data):
    container = compress(data)
    assert decompress(container) == data
    assert bytes(decompress_stream(bytearray(container))) == data
    headers = chunk_headers(container)
    assert len(headers) == -(-len(data) // 4096)
    assert all(size <= 4098 for _, size in headers)


def test_text_is_compressed_and_random_bytes_are_stored_raw():
    assert all(compressed for compressed, _ in chunk_headers(compress(TEXT * 3)))
    assert len(compress(TEXT * 3)) < len(TEXT * 3) / 2
    assert chunk_headers(compress(RANDOM)) == [(False, 4098)] * (len(RANDOM) // 4096 + 1)


def test_decompress_rejects_malformed_containers():
    with pytest.raises(ValueError, match="first byte"):
        decompress(b"\x00\x19\xb0")
    with pytest.raises(ValueError, match="before the start"):
        decompress(bytes.fromhex("01 03 B0 01 61 45 00"))       # a copy token as the chunk's first token


# --- compound file (MS-CFB) -------------------------------------------------------------------

def read_tree(ole: olefile.OleFileIO, tree, path=()) -> None:
    """Assert every storage and stream of ``tree`` is in ``ole`` with the same contents."""
    for name, value in tree.items():
        entry = [*path, name]
        if isinstance(value, dict):
            assert ole.get_type(entry) == olefile.STGTY_STORAGE
            read_tree(ole, value, entry)
        else:
            assert ole.get_type(entry) == olefile.STGTY_STREAM
            assert ole.openstream(entry).read() == value, "/".join(entry)


def cfb_order(name: str) -> tuple[int, str]:
    return len(name), name.upper()


def check_red_black(ole: olefile.OleFileIO, sid: int) -> tuple[int, list[str]]:
    """Black height and in-order names of the subtree at ``sid``; asserts the red-black rules."""
    if sid == olefile.NOSTREAM:
        return 1, []
    entry = ole.direntries[sid]
    for child in (entry.sid_left, entry.sid_right):
        if entry.color == 0 and child != olefile.NOSTREAM:
            assert ole.direntries[child].color == 1, "a red node with a red child"
    left_height, left = check_red_black(ole, entry.sid_left)
    right_height, right = check_red_black(ole, entry.sid_right)
    assert left_height == right_height, "paths with different numbers of black nodes"
    return left_height + entry.color, left + [entry.name] + right


def test_compound_file_parses_strictly_and_round_trips(tmp_path):
    rng = random.Random(3)
    tree = {
        "VBA": {"dir": rng.randbytes(700), "_VBA_PROJECT": bytes.fromhex("CC61FFFF000100"), "empty": b"",
                "Big": rng.randbytes(5000), "Edge": b"e" * 4096, "Mini": b"m" * 4095,
                "Nested": {"deeper": b"hello", "Huge": rng.randbytes(300_000)}},
        "PROJECT": b"ID=...", "PROJECTwm": b"\0\0",
        **{f"Stream{i:02d}": rng.randbytes(i * 97) for i in range(30)},
    }
    data = write_compound_file(tree)
    path = tmp_path / "x.bin"
    path.write_bytes(data)
    for source in (data, str(path)):
        ole = olefile.OleFileIO(source, raise_defects=olefile.DEFECT_INCORRECT)
        read_tree(ole, tree)
        assert ole.num_fat_sectors > 1 and ole.num_difat_sectors == 0
        assert ole.root.size % 64 == 0 and ole.root.size > 0      # the mini stream
        assert sum(e is not None for e in ole.direntries) == 43    # 11 directory sectors
    assert len(data) % 512 == 0


def test_compound_file_beyond_109_fat_sectors_uses_difat():
    tree = {"Large": random.Random(4).randbytes(8_000_000), "small": b"s"}
    ole = olefile.OleFileIO(write_compound_file(tree), raise_defects=olefile.DEFECT_INCORRECT)
    assert ole.num_fat_sectors > 109 and ole.num_difat_sectors == 1
    read_tree(ole, tree)


def test_directory_is_a_sorted_red_black_tree_per_storage():
    names = ["PROJECT", "PROJECTwm", "a", "B", "ccc", "dd", "Module1", "module10", "ZZ", "_VBA_PROJECT"]
    tree = {"VBA": {n: n.encode() for n in names}, **{n: {"x": b"1"} for n in names[:4]}, "dir": b"2"}
    ole = olefile.OleFileIO(write_compound_file(tree), raise_defects=olefile.DEFECT_INCORRECT)
    storages = [ole.root] + [e for e in ole.direntries if e is not None and e.entry_type == olefile.STGTY_STORAGE]
    assert len(storages) == 6
    for storage in storages:
        root = ole.direntries[storage.sid_child]
        assert root.color == 1
        _, in_order = check_red_black(ole, storage.sid_child)
        assert in_order == sorted(in_order, key=cfb_order)
        assert sorted(in_order) == sorted(e.name for e in storage.kids)


@pytest.mark.parametrize("tree, message", [
    ({"a" * 32: b""}, "not a valid"),
    ({"a/b": b""}, "not a valid"),
    ({"Same": b"", "SAME": b""}, "case-insensitively"),
])
def test_compound_file_rejects_bad_names(tree, message):
    with pytest.raises(ValueError, match=message):
        write_compound_file(tree)


# --- the VBA project (MS-OVBA 2.3) ------------------------------------------------------------

RIBBON = VBAModule("Ribbon", 'Attribute VB_Name = "Ribbon"\r\nOption Explicit\r\n\r\n'
                   "Sub Dispatch(control As IRibbonControl)\r\n"
                   "    MsgBox \"Clicked: \" & control.Id & \" \u00e9t\u00e9 \u20ac\"\r\nEnd Sub\r\n", "standard")


def exported(relative: str) -> str:
    """A module file shipped with xlwings, as the VBA editor exported it (code page 1252)."""
    return (XLWINGS / relative).read_bytes().decode("cp1252")


@pytest.fixture(scope="module")
def modules() -> list[VBAModule]:
    return [
        VBAModule.document("ThisWorkbook", base="workbook"),
        VBAModule.document("Sheet1", base="worksheet"),
        VBAModule.from_export(exported("xlwings_custom_addin.bas")),
        VBAModule.from_export(exported("addin/Dictionary.cls")),
        VBAModule.from_export(exported("addin/WebHelpers.bas")),
        RIBBON,
    ]


@pytest.fixture(scope="module")
def project(modules) -> bytes:
    return build_vba_project(modules, "churnkit")


def excel_saved_project(package: str) -> bytes:
    """xl/vbaProject.bin of a workbook that Excel saved and xlwings ships."""
    with zipfile.ZipFile(XLWINGS / package) as book:
        return book.read("xl/vbaProject.bin")


def parsed_by_olevba(data: bytes) -> VBA_Project:
    """olevba's strict parse (relaxed=False raises on any value MS-OVBA does not allow)."""
    parser = VBA_Parser("vbaProject.bin", data=data, relaxed=False)
    (vba_root, project_path, dir_path), = parser.find_vba_projects()
    parsed = VBA_Project(parser.ole_file, vba_root, project_path, dir_path, relaxed=False)
    parsed.parse_project_stream()
    list(parsed.parse_modules())
    return parsed


def dir_records(dir_stream: bytes) -> list[tuple[int, bytes]]:
    """(id, data) of each record of a decompressed dir stream (MS-OVBA 2.3.4.2)."""
    records, pos = [], 0
    while pos < len(dir_stream):
        record_id, size = struct.unpack_from("<HI", dir_stream, pos)
        if record_id == 0x0009:                 # PROJECTVERSION: Reserved (4), then 6 bytes of version
            size = 6
        records.append((record_id, dir_stream[pos + 6:pos + 6 + size]))
        pos += 6 + size
    assert pos == len(dir_stream)
    return records


def decrypt(hex_text: str) -> tuple[int, int, bytes]:
    """MS-OVBA 2.4.3.3 Data Decryption: (version, project key, data)."""
    encrypted = bytes.fromhex(hex_text)
    seed, version_enc, key_enc = encrypted[:3]
    key = seed ^ key_enc
    unencrypted, encrypted1, encrypted2 = key, key_enc, version_enc
    plain = bytearray()
    for byte_enc in encrypted[3:]:
        plain.append(byte_enc ^ ((encrypted2 + unencrypted) & 0xFF))
        encrypted2, encrypted1, unencrypted = encrypted1, byte_enc, plain[-1]
    ignored = (seed & 6) // 2
    length = int.from_bytes(plain[ignored:ignored + 4], "little")
    data = bytes(plain[ignored + 4:])
    assert len(data) == length
    return seed ^ version_enc, key, data


def test_decrypt_reads_the_spec_example_and_excel_files():
    # MS-OVBA 3.1.6, ID="{917DED54-440B-4FD1-A5C1-74ACF261E600}": key = byte sum of the ID text.
    key = sum(b"{917DED54-440B-4FD1-A5C1-74ACF261E600}") & 0xFF
    assert decrypt("0705D8E3D8EDDBF1DBF1DBF1DBF1") == (2, key, bytes(4))
    assert decrypt("0E0CD1ECDFF4E7F5E7F5E7") == (2, key, b"\0")
    assert decrypt("1517CAF1D6F9D7F9D706") == (2, key, b"\xff")
    text = olefile.OleFileIO(excel_saved_project("quickstart.xlsm")).openstream("PROJECT").read().decode("cp1252")
    project_id = re.search(r'ID="(\{[^}]+\})"', text)[1]
    for field, data in (("CMG", bytes(4)), ("DPB", b"\0"), ("GC", b"\xff")):
        assert decrypt(re.search(field + r'="([0-9A-F]+)"', text)[1]) == (2, sum(project_id.encode()) & 0xFF, data)


def test_project_is_a_strict_compound_file_with_the_vba_streams(project, modules):
    ole = olefile.OleFileIO(project, raise_defects=olefile.DEFECT_INCORRECT)
    streams = sorted("/".join(p) for p in ole.listdir())
    assert streams == sorted(["PROJECT", "PROJECTwm", "VBA/_VBA_PROJECT", "VBA/dir",
                              *(f"VBA/{m.name}" for m in modules)])
    # MS-OVBA 2.3.4.1: Reserved1 0x61CC, Version 0xFFFF (no performance cache), Reserved2 0, Reserved3.
    assert ole.openstream("VBA/_VBA_PROJECT").read() == bytes.fromhex("CC61FFFF000100")
    for module in modules:
        assert decompress(ole.openstream(["VBA", module.name]).read()) == module.source.encode("cp1252")


def test_olevba_extracts_every_module_byte_for_byte(project, modules):
    parsed = parsed_by_olevba(project)
    assert (parsed.projectname, parsed.codepage, parsed.syskind, parsed.lcid) == ("churnkit", 1252, 3, 0x409)
    assert [m.name for m in parsed.modules] == [m.name for m in modules]
    for theirs, ours in zip(parsed.modules, modules):
        assert theirs.streamname == ours.name
        assert theirs.type == (0x21 if ours.kind == "standard" else 0x22)
        assert theirs.textoffset == 0
        assert theirs.code_raw == ours.source.encode("cp1252")
        assert parsed.module_ext[ours.name.lower()] == ("bas" if ours.kind == "standard" else "cls")
    extracted = {path: code for _, path, _, code in VBA_Parser("x.bin", data=project, relaxed=False).extract_macros()}
    assert {p: c.encode("cp1252") for p, c in extracted.items()} == \
        {f"VBA/{m.name}": m.source.encode("cp1252") for m in modules}


def test_a_module_larger_than_64kb(project, modules):
    big = next(m for m in modules if m.name == "WebHelpers").source.encode("cp1252")
    assert len(big) > 64 * 1024
    stored = olefile.OleFileIO(project).openstream("VBA/WebHelpers").read()
    assert decompress(stored) == bytes(decompress_stream(bytearray(stored))) == big


def test_dir_stream_has_the_records_excel_writes(project, modules):
    ours = dir_records(decompress(olefile.OleFileIO(project).openstream("VBA/dir").read()))
    excel = [r for r in dir_records(bytes(decompress_stream(bytearray(
        olefile.OleFileIO(excel_saved_project("addin/xlwings.xlam")).openstream("VBA/dir").read()))))
        if r[0] != 0x004A]                                   # PROJECTCOMPATVERSION is optional
    module_ids = [0x19, 0x47, 0x1A, 0x32, 0x1C, 0x48, 0x31, 0x1E, 0x2C]
    excel_ids = [i for i, _ in excel]
    start = excel_ids.index(0x0F)
    assert [i for i, _ in ours] == excel_ids[:start + 2] + sum(
        (module_ids + [0x21 if m.kind == "standard" else 0x22, 0x2B] for m in modules), []) + [0x10]
    # The same SYSKIND, LCIDs, code page, empty strings and references (stdole, Office) as Excel wrote.
    assert ours[:4] == excel[:4] and ours[5:11] == excel[5:11] and ours[12:start] == excel[12:start]
    assert [data for i, data in ours if i == 0x16] == [b"stdole", b"Office"]
    assert dict(ours)[0x04] == b"churnkit"
    for record_id in (0x19, 0x1A):                                # MODULENAME, MODULESTREAMNAME
        assert [d for i, d in ours if i == record_id] == [m.name.encode() for m in modules]
    for record_id in (0x47, 0x32):                                # and their UTF-16 forms
        assert [d for i, d in ours if i == record_id] == [m.name.encode("utf-16-le") for m in modules]
    for record_id, data in ours:
        if record_id in (0x13, 0x2C):
            assert data == b"\xff\xff"                            # cookies: 0xFFFF on write
        if record_id == 0x31:
            assert data == bytes(4)                               # MODULEOFFSET 0: no p-code


ABNF = [                                                         # MS-OVBA 2.3.1, the lines we write
    r'ID="\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}"',
    r"(?:Document=[A-Za-z]\w*/&H[0-9A-F]{8}|Module=[A-Za-z]\w*|Class=[A-Za-z]\w*)",
    r'Name="[^"]{1,128}"',
    r'HelpContextID="-?\d+"',
    r'VersionCompatible32="393222000"',
    r'CMG="[0-9A-F]{22,28}"',
    r'DPB="[0-9A-F]{16,}"',
    r'GC="[0-9A-F]{16,22}"',
    r"",
    r"\[Host Extender Info\]",
    r"&H[0-9A-F]{8}=\{[0-9A-F-]{36}\};VBE;&H[0-9A-F]{8}",
    r"",
    r"\[Workspace\]",
    r"[A-Za-z]\w*=-?\d+, -?\d+, -?\d+, -?\d+, [CZI]?",
]


def test_project_stream_follows_the_grammar(project, modules):
    ole = olefile.OleFileIO(project)
    raw = ole.openstream("PROJECT").read()
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    lines = raw.decode("cp1252").split("\r\n")[:-1]
    n = len(modules)
    for line, rule in zip(lines, [ABNF[0], *[ABNF[1]] * n, *ABNF[2:-1], *[ABNF[-1]] * n], strict=True):
        assert re.fullmatch(rule, line), line
    items, windows = lines[1:1 + n], lines[-n:]
    kinds = {"document": "Document={}/&H00000000", "standard": "Module={}", "class": "Class={}"}
    assert items == [kinds[m.kind].format(m.name) for m in modules]
    assert windows == [f"{m.name}=0, 0, 0, 0, C" for m in modules]
    project_id = lines[0][4:-1]
    assert project_id == "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, "churnkit:vba-project:churnkit")).upper() + "}"
    key = sum(project_id.encode()) & 0xFF
    values = dict(line.split("=", 1) for line in lines if line.startswith(("CMG=", "DPB=", "GC=")))
    assert decrypt(values["CMG"].strip('"')) == (2, key, bytes(4))       # not protected
    assert decrypt(values["DPB"].strip('"')) == (2, key, b"\0")          # no password
    assert decrypt(values["GC"].strip('"')) == (2, key, b"\xff")         # visible
    assert ole.openstream("PROJECTwm").read() == b"".join(
        m.name.encode() + b"\0" + m.name.encode("utf-16-le") + b"\0\0" for m in modules) + b"\0\0"


def test_building_twice_gives_the_same_bytes_and_the_id_follows_the_name(modules, project):
    assert build_vba_project(modules, "churnkit") == project
    other = olefile.OleFileIO(build_vba_project(modules, "Other")).openstream("PROJECT").read()
    assert other.split(b"\r\n")[0] != olefile.OleFileIO(project).openstream("PROJECT").read().split(b"\r\n")[0]


LO_ADDED_LINES = re.compile(r"Rem Attribute VBA_ModuleType=\w+|Option VBASupport 1|Option ClassModule")


def test_libreoffice_imports_every_module(project, modules, tmp_path):
    book = tmp_path / "book.xlsm"
    workbook = xlsxwriter.Workbook(book)
    workbook.add_worksheet()
    workbook.add_vba_project(io.BytesIO(project), is_stream=True)
    workbook.close()
    with zipfile.ZipFile(convert(book, tmp_path, "ods")) as ods:
        library = {Path(n).stem: ET.fromstring(ods.read(n)) for n in ods.namelist() if n.startswith("Basic/churnkit/")}
    lo_types = {"standard": "normal", "class": "class", "document": "document"}
    assert sorted(library) == sorted([m.name for m in modules] + ["script-lb"])
    for module in modules:
        imported = library[module.name]
        assert imported.get("{http://openoffice.org/2000/script}moduleType") == lo_types[module.kind]
        # LibreOffice keeps the code with LF line ends, drops Attribute lines and adds its own header lines.
        lines = imported.text.split("\n")
        while LO_ADDED_LINES.fullmatch(lines[0]):
            lines.pop(0)
        body = [line for line in module.source.split("\r\n") if not line.startswith("Attribute ")]
        assert "\n".join(lines).rstrip("\n") == "\n".join(body).rstrip("\n"), module.name


# --- reading a module back ---------------------------------------------------------------------

@pytest.mark.parametrize("package", ["quickstart.xlsm", "addin/xlwings.xlam"])
def test_module_source_reads_what_olevba_reads_from_projects_excel_saved(package):
    project = excel_saved_project(package)
    modules = stored_modules(project)
    assert len(modules) > 2
    for name, code in modules.items():
        assert module_source(project, name) == code, name
    assert module_source(project, "NoSuchModule") is None


def test_module_source_reads_our_projects(project, modules):
    for module in modules:
        assert module_source(project, module.name.upper()) == module.source
    with pytest.raises(ValueError, match="not a VBA project"):
        module_source(write_compound_file({"PROJECT": b"x"}), "Ribbon")


# --- modules from exported files ----------------------------------------------------------------

def stored_modules(data: bytes) -> dict[str, str]:
    return {path.split("/")[-1]: code for _, path, _, code in VBA_Parser("x.bin", data=data).extract_macros()}


def attribute_lines(source: str) -> list[str]:
    lines = source.split("\r\n")
    return lines[:next(i for i, line in enumerate(lines) if not line.startswith("Attribute "))]


def test_from_export_gives_what_excel_stored_for_the_same_files():
    excel = stored_modules(excel_saved_project("addin/xlwings.xlam"))
    files = sorted((XLWINGS / "addin").glob("*.bas")) + sorted((XLWINGS / "addin").glob("*.cls"))
    assert len(files) > 10
    for file in files:
        module = VBAModule.from_export(file.read_bytes().decode("cp1252"))
        assert module.name == file.stem
        assert module.kind == ("standard" if file.suffix == ".bas" else "class")
        assert attribute_lines(module.source) == attribute_lines(excel[module.name]), file.name
    assert VBAModule.from_export(exported("addin/Dictionary.cls")).source == excel["Dictionary"]


def test_from_export_drops_the_class_header_and_normalises_line_ends():
    text = ('VERSION 1.0 CLASS\nBEGIN\n  MultiUse = -1  \'True\nEND\nAttribute VB_Name = "Job"\r'
            'Attribute VB_Exposed = False\n\nPublic Name As String\n')
    module = VBAModule.from_export(text)
    assert (module.name, module.kind) == ("Job", "class")
    assert module.source == ('Attribute VB_Name = "Job"\r\n'
                             'Attribute VB_Base = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"\r\n'
                             'Attribute VB_Exposed = False\r\n'
                             'Attribute VB_TemplateDerived = False\r\n'
                             'Attribute VB_Customizable = False\r\n'
                             '\r\nPublic Name As String\r\n')
    assert VBAModule.from_export('Attribute VB_Name = "M"\nSub A()\nEnd Sub\n').source == \
        'Attribute VB_Name = "M"\r\nSub A()\r\nEnd Sub\r\n'
    assert VBAModule.from_export('Attribute VB_Name = "M"\n', kind="class").kind == "class"


def test_exported_document_module_is_recognised():
    text = ("VERSION 1.0 CLASS\r\nBEGIN\r\n  MultiUse = -1  'True\r\nEND\r\n"
            + VBAModule.document("Sheet1", base="worksheet").source + "Private Sub Worksheet_Activate()\r\nEnd Sub\r\n")
    module = VBAModule.from_export(text)
    assert (module.name, module.kind) == ("Sheet1", "document")
    assert module.source == text.split("END\r\n", 1)[1]


def test_document_modules_carry_the_attributes_excel_stores():
    excel = stored_modules(excel_saved_project("quickstart.xlsm"))
    assert VBAModule.document("ThisWorkbook", base="workbook").source == excel["ThisWorkbook"]
    assert VBAModule.document("Sheet1", base="worksheet").source == excel["Sheet1"]
    assert VBAModule.document("Sheet2", base="worksheet").source == excel["Sheet2"]


@pytest.mark.parametrize("make, message", [
    (lambda: build_vba_project([VBAModule("M", 'Attribute VB_Name = "M"\r\n\' \u2713\r\n', "standard")]),
     r"'\u2713' \(line 2\) cannot be written in code page 1252"),
    (lambda: build_vba_project([RIBBON, VBAModule("ribbon", 'Attribute VB_Name = "ribbon"\r\n', "standard")]),
     "name is taken"),
    (lambda: build_vba_project([VBAModule("Dir", 'Attribute VB_Name = "Dir"\r\n', "standard")]), "name is taken"),
    (lambda: build_vba_project([VBAModule("Churnkit", 'Attribute VB_Name = "Churnkit"\r\n', "standard")], "churnkit"),
     "name is taken"),
    (lambda: build_vba_project([RIBBON], "my project"), "not a VBA project name"),
    (lambda: VBAModule("1st", 'Attribute VB_Name = "1st"\r\n', "standard"), "not a VBA module name"),
    (lambda: VBAModule("M", 'Attribute VB_Name = "N"\r\n', "standard"), "must start with"),
    (lambda: VBAModule("M", 'Attribute VB_Name = "M"\r\nSub A()\nEnd Sub\r\n', "standard"), "CRLF"),
    (lambda: VBAModule("M", 'Attribute VB_Name = "M"\r\n', "form"), "kind must be"),
    (lambda: VBAModule.from_export("Sub A()\r\nEnd Sub\r\n"), "Attribute VB_Name"),
    (lambda: VBAModule.from_export('VERSION 5.00\r\nBegin {C62A69F0} F\r\nEnd\r\nAttribute VB_Name = "F"\r\n'),
     "only .bas and .cls"),
])
def test_invalid_input_is_rejected_with_a_clear_error(make, message):
    with pytest.raises(ValueError, match=message):
        make()
