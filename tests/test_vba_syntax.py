"""Every VBA module of the add-in parses, as 64-bit Windows Excel and as Mac Excel compile it (vba_syntax)."""
from __future__ import annotations

import pytest

from addin.excel.build import vba_modules
from addin.excel.vba import VBAModule
from vba_syntax import PLATFORMS, resolve, syntax_errors

MODULES = {f"{m.name}-{lang}": m for lang in ("en", "zh") for m in vba_modules(lang)
           if lang == "en" or m.name == "ChurnkitWords"}           # only the words differ by language
# One broken module of each kind of mistake; "mac-only" is broken only where #If Mac compiles its line.
BROKEN = {
    "if-without-end-if": "Sub A()\r\n    If x Then\r\n        y = 1\r\nEnd Sub\r\n",
    "sub-without-end": "Sub A()\r\n    y = 1\r\n",
    "bad-expression": "Sub A()\r\n    y = (1 + \r\nEnd Sub\r\n",
    "mac-only": "Sub A()\r\n#If Mac Then\r\n    MsgBox (\r\n#Else\r\n    MsgBox \"ok\"\r\n#End If\r\nEnd Sub\r\n",
    "continued-line": "Sub A()\r\n    y = Array(1, _\r\n        2,\r\nEnd Sub\r\n",
}


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("name", MODULES)
def test_every_module_parses(name, platform):
    module = MODULES[name]
    assert syntax_errors(module.source, module.kind, platform) == [], name


@pytest.mark.parametrize("name", BROKEN)
def test_a_broken_module_does_not_parse(name):
    module = VBAModule("Broken", 'Attribute VB_Name = "Broken"\r\n' + BROKEN[name], "standard")
    windows, mac = (syntax_errors(module.source, module.kind, p) for p in PLATFORMS)
    assert mac, name
    assert bool(windows) == (name != "mac-only"), name


def test_if_blocks_are_resolved_for_each_platform():
    source = ('Attribute VB_Name = "M"\r\n#Const App = "Microsoft Excel"\r\n#If Mac Then\r\n    a = _\r\n'
              '        1\r\n#ElseIf Win64 And App = "Microsoft Excel" Then\r\n    b = 2\r\n#Else\r\n    c = 3\r\n#End If\r\n'
              "d = 4")
    assert resolve(source, "Mac").split("\r\n")[2:] == [
        "'#If Mac Then", "    a = _", "        1", "'#ElseIf Win64 And App = \"Microsoft Excel\" Then", "'    b = 2",
        "'#Else", "'    c = 3", "'#End If", "d = 4"]
    assert resolve(source, "Win64").split("\r\n")[2:] == [
        "'#If Mac Then", "'    a = _", "'        1", "'#ElseIf Win64 And App = \"Microsoft Excel\" Then", "    b = 2",
        "'#Else", "'    c = 3", "'#End If", "d = 4"]
