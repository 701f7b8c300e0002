"""churnkit.xlam, built here and checked without Excel: package, VBA project, ribbon, dispatcher, wrappers."""
import inspect
import posixpath
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import olefile
import pytest
import xlwings
from oletools.olevba import VBA_Parser, VBA_Project

import addin.udfs
from addin.content.words import WORDS
from addin.excel.build import ADDIN_NAMES, XLWINGS_DIR, build_addin, vba_modules
from addin.excel.vba.literals import string_assignment
from addin.excel.install import Locations, install, remove, status
from addin.ribbon import ACTIONS

CUSTOM_UI = "{http://schemas.microsoft.com/office/2009/07/customui}"
CODEPAGE = "cp1252"


@pytest.fixture(scope="module")
def xlam(tmp_path_factory) -> Path:
    return build_addin(tmp_path_factory.mktemp("addin"))


@pytest.fixture(scope="module")
def extracted(xlam) -> dict[str, str]:
    """Module name -> source, as olevba extracts it from the built add-in."""
    parser = VBA_Parser(str(xlam))
    modules = {stream.rsplit("/", 1)[-1]: code for _, stream, _, code in parser.extract_macros()}
    parser.close()
    return modules


def test_every_relationship_and_content_type_resolves(xlam):
    with zipfile.ZipFile(xlam) as z:
        names = set(z.namelist())
        types = ET.fromstring(z.read("[Content_Types].xml"))
        defaults = {e.get("Extension") for e in types if e.tag.endswith("Default")}
        overrides = {e.get("PartName").lstrip("/") for e in types if e.tag.endswith("Override")}
        for name in names:
            assert name in overrides or name.rsplit(".", 1)[-1] in defaults, f"{name} has no content type"
        assert overrides <= names
        for rels in (n for n in names if n.endswith(".rels")):
            source = rels.replace("_rels/", "").removesuffix(".rels")
            for rel in ET.fromstring(z.read(rels)):
                target = posixpath.normpath(posixpath.join(posixpath.dirname(source), rel.get("Target")))
                assert target in names, f"{rels}: {rel.get('Target')} is missing"
        main = next(e for e in types if e.get("PartName") == "/xl/workbook.xml")
        assert main.get("ContentType") == "application/vnd.ms-excel.addin.macroEnabled.main+xml"


def test_vba_project_parses_strictly_and_olevba_gets_every_module_byte_for_byte(xlam, extracted):
    with zipfile.ZipFile(xlam) as z:
        vba = z.read("xl/vbaProject.bin")
    ole = olefile.OleFileIO(vba, raise_defects=olefile.DEFECT_INCORRECT)
    assert ole.exists("VBA/dir") and ole.exists("PROJECT")
    ours = {m.name: m.source for m in vba_modules()}
    assert set(extracted) == set(ours)
    for name, source in ours.items():
        assert extracted[name].encode(CODEPAGE) == source.encode(CODEPAGE), name


def test_no_module_is_named_like_the_project(xlam):
    """VBA names ignore case, and the VBA editor refuses a project with a module of the project's name."""
    with zipfile.ZipFile(xlam) as z:
        parser = VBA_Parser("vbaProject.bin", data=z.read("xl/vbaProject.bin"))
    (vba_root, project_path, dir_path), = parser.find_vba_projects()
    project = VBA_Project(parser.ole_file, vba_root, project_path, dir_path)
    project.parse_project_stream()
    list(project.parse_modules())
    names = [module.name for module in project.modules]
    assert project.projectname == "churnkit" and len(names) == len(vba_modules())
    assert project.projectname.lower() not in {name.lower() for name in names}


def test_xlwings_module_is_the_installed_one(extracted):
    installed = (XLWINGS_DIR / "xlwings_custom_addin.bas").read_text(encoding="utf-8")
    assert extracted["xlwings"].splitlines() == installed.replace('"myaddin"', '"churnkit"').splitlines()
    assert f"'Version: {xlwings.__version__}" in extracted["xlwings"]


def _ribbon(xlam) -> ET.Element:
    with zipfile.ZipFile(xlam) as z:
        return ET.fromstring(z.read("customUI/customUI14.xml"))


def test_every_button_calls_a_vba_callback_that_exists(xlam, extracted):
    subs = {m.group(1) for code in extracted.values()
            for m in re.finditer(r"^\s*(?:Public\s+)?Sub\s+(\w+)\(control As IRibbonControl\)", code, re.M)}
    buttons = list(_ribbon(xlam).iter(f"{CUSTOM_UI}button"))
    assert buttons
    for button in buttons:
        assert button.get("onAction") in subs, button.get("id")
    assert "r.dispatch('\" & control.Id & \"', '\" & control.Tag & \"')" in extracted["ChurnkitRibbon"]


VBA_PIECE = re.compile(r'"((?:[^"]|"")*)"|ChrW\(&H([0-9A-F]{4})\)|(\w+)')


def run_vba(lines: list[str]) -> tuple[dict[str, str], list[tuple[str, str, list[str]]]]:
    """The string variables that ``lines`` (assignments of ``&``-joined pieces, Describe calls) leave, and the calls."""
    values, calls = {}, []
    for line in (line.strip() for line in lines):
        if describe := re.fullmatch(r'Describe "(\w+)", d, Array\(([\w, ]*)\)', line):
            calls.append((describe[1], values["d"], [values[a] for a in describe[2].split(", ") if a]))
        elif assignment := re.fullmatch(r"(\w+) = (.*)", line):
            utf16 = b""
            pieces = [m[0] for m in VBA_PIECE.finditer(assignment[2])]
            assert " & ".join(pieces) == assignment[2], line
            for piece in pieces:
                literal, code, name = VBA_PIECE.fullmatch(piece).groups()
                if code:
                    utf16 += int(code, 16).to_bytes(2, "little")
                else:
                    utf16 += (values[name] if name else literal.replace('""', '"')).encode("utf-16-le")
            values[assignment[1]] = utf16.decode("utf-16-le")
    return values, calls


def procedure(source: str, header: str) -> list[str]:
    """The body lines of the procedure that starts with ``header``."""
    lines = source.split("\r\n")
    start = lines.index(header) + 1
    return lines[start:next(i for i in range(start, len(lines)) if lines[i].startswith("End "))]


@pytest.mark.parametrize("text", ["plain", 'say "hi" & "bye"', "请先打开订单工作簿。", "emoji \U0001F600 end", "", "x" * 3000])
def test_vba_string_assignments_hold_any_text_in_short_ascii_lines(text):
    lines = string_assignment("t", text)
    assert all(line.isascii() and len(line) < 1023 for line in lines)
    assert run_vba(lines)[0]["t"] == text


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_button_without_a_workbook_says_what_to_do(lang):
    modules = {m.name: m.source for m in vba_modules(lang)}
    button = procedure(modules["ChurnkitRibbon"], "Sub ChurnkitButton(control As IRibbonControl)")
    guard = button.index("    If ActiveWorkbook Is Nothing Then")
    assert guard < next(i for i, line in enumerate(button) if "RunPython" in line)   # RunPython uses ActiveWorkbook
    assert button[guard + 1:guard + 3] == ['        MsgBox NoWorkbookMessage(), vbInformation, "churnkit"',
                                           "        Exit Sub"]
    message = run_vba(procedure(modules["ChurnkitWords"], "Function NoWorkbookMessage() As String"))[0]
    assert message["NoWorkbookMessage"] == WORDS[lang]["ribbon"]["no_workbook"]
    assert "Protected View" in WORDS["en"]["ribbon"]["no_workbook"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_insert_function_gets_each_function_s_description_and_argument_help(lang):
    modules = {m.name: m.source for m in vba_modules(lang)}
    assert procedure(modules["ThisWorkbook"], "Private Sub Workbook_Open()") == ["    DescribeFunctions"]
    calls = {name: (description, arguments) for name, description, arguments in
             run_vba(procedure(modules["ChurnkitWords"], "Sub DescribeFunctions()"))[1]}
    functions = {name: f for name, f in vars(addin.udfs).items()
                 if callable(f) and name.isupper() and getattr(f, "__module__", "") == "addin.udfs"}
    assert set(calls) == set(functions)
    for name, function in functions.items():
        description, arguments = calls[name]
        english, chinese = inspect.getdoc(function).split("\n\n")
        parameters = [p for p in inspect.signature(function).parameters if p != "caller"]
        assert description == {"en": english, "zh": chinese}[lang]
        assert len(arguments) == len(parameters) and all(arguments), name
        if lang == "zh":
            assert arguments == [addin.udfs.ARGUMENT_HELP_ZH[p] for p in parameters]
        assert all(len(text) <= 255 for text in [description, *arguments])
    assert "Application.MacroOptions Macro:=\"'\" & ThisWorkbook.Name & \"'!\" & name" in modules["ChurnkitWords"]


def test_the_chinese_addin_has_its_own_file(tmp_path):
    english = build_addin(tmp_path)
    before = english.read_bytes()
    chinese = build_addin(tmp_path, lang="zh")
    assert (english.name, chinese.name) == (ADDIN_NAMES["en"], ADDIN_NAMES["zh"]) == ("churnkit.xlam", "churnkit-zh.xlam")
    assert english.read_bytes() == before


def test_buttons_and_python_actions_match(xlam):
    ids = {button.get("id") for button in _ribbon(xlam).iter(f"{CUSTOM_UI}button")}
    assert ids == set(ACTIONS)
    assert {b.get("label") for b in _ribbon(xlam).iter(f"{CUSTOM_UI}button")} >= {"Refresh at-risk list"}


def test_chinese_ribbon(tmp_path):
    ribbon = _ribbon(build_addin(tmp_path, lang="zh"))
    assert next(ribbon.iter(f"{CUSTOM_UI}tab")).get("label") == "流失分析"
    assert {b.get("tag") for b in ribbon.iter(f"{CUSTOM_UI}button")} == {"zh"}


def test_every_worksheet_function_has_a_wrapper_with_the_same_arguments(extracted):
    wrappers = {m.group(1): [a.replace("Optional ", "").strip() for a in m.group(2).split(",") if a.strip()]
                for m in re.finditer(r"^Function (\w+)\((.*)\)", extracted["xlwings_udfs"], re.M)}
    functions = {name: f for name, f in vars(addin.udfs).items()
                 if callable(f) and name.isupper() and getattr(f, "__module__", "") == "addin.udfs"}
    assert functions and set(wrappers) == set(functions)
    for name, function in functions.items():
        parameters = [p for p in inspect.signature(function).parameters if p != "caller"]
        assert wrappers[name] == parameters, name
        assert f'XLPy.CallUDF("addin.udfs", "{name}"' in extracted["xlwings_udfs"]


def test_building_twice_gives_the_same_vba_project(tmp_path, xlam):
    again = build_addin(tmp_path)
    with zipfile.ZipFile(xlam) as a, zipfile.ZipFile(again) as b:
        assert a.read("xl/vbaProject.bin") == b.read("xl/vbaProject.bin")


def test_install_remove_and_status_where_excel_runs(tmp_path):
    where = Locations(tmp_path / "XLSTART", tmp_path / ".churnkit" / "churnkit.conf",
                      r"C:\Python311\pythonw.exe", "INTERPRETER_WIN")
    done = install("en", where)
    assert (where.startup / "churnkit.xlam").exists() and "Installed" in done[0]
    assert where.config.read_bytes() == \
        b'"INTERPRETER_WIN","C:\\Python311\\pythonw.exe"\r\n"UDF MODULES","addin.udfs"\r\n'
    assert "installed" in status(where)[0]
    assert len(remove(where)) == 2 and not where.config.exists()
    assert "not installed" in status(where)[0]


def test_install_on_linux_says_excel_is_needed(churnkit):
    run = churnkit("addin", "install")
    assert run.code == 2 and "Excel runs on Windows and macOS" in run.err and "XLSTART" in run.err
