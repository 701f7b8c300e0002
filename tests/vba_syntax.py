"""VBA syntax checks without Excel: ``#If`` resolved by vba_precompiler, then parsed by antlr4-vba's grammar.

Both are ANTLR grammars run by ANTLR's Python runtime, which is slow, so:

- vba_precompiler reads a skeleton of the module: its leading attributes, every
  ``#If``/``#ElseIf``/``#Else``/``#End If``/``#Const`` line, and one stand-in line per
  stretch of code between them. Whether it comments out a stretch's stand-in tells
  whether that stretch is compiled; the stretch's lines are then commented out in the
  module. (This is also what keeps line continuations away from it: fed whole modules,
  it loses count of lines after a continued line inside an ``#If`` block.)
- the module is parsed in SLL mode first, which accepts nearly all VBA; where SLL fails,
  each procedure is parsed on its own and SLL's failures again in full LL mode, whose
  verdict counts. A procedure that reads the same on both platforms is parsed once.

What the grammar is given is the module as the VBA editor exports it: a class gets its
``VERSION 1.0 CLASS`` header, and the attribute lines that only the project stores
(``VB_Base``, ``VB_TemplateDerived``, descriptions, member attributes) are left out.
"""
from __future__ import annotations

import functools
import re

from antlr4 import CommonTokenStream, InputStream
from antlr4.atn.PredictionMode import PredictionMode
from antlr4.error.ErrorListener import ErrorListener
from antlr4.error.ErrorStrategy import BailErrorStrategy
from antlr4.error.Errors import ParseCancellationException
from antlr4_vba.vba_ccLexer import vba_ccLexer
from antlr4_vba.vba_ccParser import vba_ccParser
from antlr4_vba.vbaLexer import vbaLexer
from antlr4_vba.vbaParser import vbaParser
from vba_precompiler.precompiler_visitor import PrecompilerVisitor

# The conditional compilation constants of 64-bit Excel for Windows and of Excel 2016+ for Mac (VBA 7).
PLATFORMS = {
    "Win64": {"WIN16": False, "WIN32": True, "WIN64": True, "MAC": False, "VBA6": False, "VBA7": True,
              "MAC_OFFICE_VERSION": 0},
    "Mac": {"WIN16": False, "WIN32": False, "WIN64": False, "MAC": True, "VBA6": False, "VBA7": True,
            "MAC_OFFICE_VERSION": 16},
}
CLASS_HEADER = "VERSION 1.0 CLASS\r\nBEGIN\r\n  MultiUse = -1  'True\r\nEND\r\n"
_DIRECTIVE = re.compile(r"\s*#(?:If|ElseIf|Else|End\s*If|Const)\b", re.I)
_STORED_ONLY = re.compile(r"(?im)^Attribute (?:VB_Base|VB_TemplateDerived|VB_Description|\w+\.VB_\w+) = .*\r\n")
_BLANK_WITH_SPACES = re.compile(r"(?m)^[ \t]+(?=\r$)")
_PROCEDURE_START = re.compile(r"(?i)(?:(?:Public|Private|Friend)\s+)?(?:Static\s+)?"
                              r"(?:Sub|Function|Property\s+(?:Get|Let|Set))\s")
_PROCEDURE_END = re.compile(r"(?i)End\s+(?:Sub|Function|Property)\b")


class _Errors(ErrorListener):
    def __init__(self):
        self.messages: list[str] = []

    def syntaxError(self, recognizer, offending, line, column, message, error):  # noqa: N802 (ANTLR's name)
        self.messages.append(f"line {line}:{column} {message}")


def _parser(parser_class, lexer_class, text: str) -> tuple:
    errors = _Errors()
    lexer = lexer_class(InputStream(text))
    parser = parser_class(CommonTokenStream(lexer))
    for recognizer in (lexer, parser):
        recognizer.removeErrorListeners()
        recognizer.addErrorListener(errors)
    return parser, errors


def resolve(source: str, platform: str) -> str:
    """``source`` with the lines ``#If`` leaves out on ``platform``, and the directives, commented out."""
    lines = source.split("\r\n")
    kinds, continued = [], False
    for i, line in enumerate(lines):
        if _DIRECTIVE.match(line) and not continued:
            kinds.append("directive")
        elif line.startswith("Attribute ") and all(kind == "header" for kind in kinds):
            kinds.append("header")
        else:
            kinds.append("code")
        continued = line.endswith(" _")
    skeleton, stand_in, stretch, stretch_of = [], {}, 0, []
    for line, kind in zip(lines, kinds):
        if kind == "code":
            if stretch not in stand_in:
                skeleton.append("x")
                stand_in[stretch] = len(skeleton)
        else:
            stretch += kind == "directive"
            skeleton.append(line.strip())
        stretch_of.append(stretch)
    parser, errors = _parser(vba_ccParser, vba_ccLexer, "\r\n".join(skeleton) + "\r\n")
    tree = parser.startRule()
    if errors.messages:
        raise SyntaxError(f"#If directives: {errors.messages[0]}")
    visitor = PrecompilerVisitor()
    visitor.env = dict(PLATFORMS[platform])
    left_out = set(visitor.visit(tree))
    return "\r\n".join("'" + line if kind == "directive" or (kind == "code" and stand_in[s] in left_out) else line
                       for line, kind, s in zip(lines, kinds, stretch_of))


def exported(source: str, kind: str) -> str:
    """The module text the grammar reads: as exported, blank lines without spaces."""
    text = _STORED_ONLY.sub("", _BLANK_WITH_SPACES.sub("", source))
    return CLASS_HEADER + text if kind != "standard" else text


def syntax_errors(source: str, kind: str, platform: str) -> list[str]:
    """The grammar's complaints about the module as compiled on ``platform``; empty when it parses."""
    text = exported(resolve(source, platform), kind)
    if _parses_in_sll(text):
        return []
    header_end = re.match(r"(?:(?:VERSION|BEGIN|END|  |Attribute )[^\r]*\r\n)*", text).end()
    header, body = text[:header_end], text[header_end:].split("\r\n")
    errors, start = [], 0
    for i, line in enumerate(body):
        if _PROCEDURE_START.match(line) and not any(_PROCEDURE_START.match(b) for b in body[start:i]):
            errors += _chunk_errors(header, body, start, i)
            start = i
        elif _PROCEDURE_END.match(line):
            errors += _chunk_errors(header, body, start, i + 1)
            start = i + 1
    return errors + _chunk_errors(header, body, start, len(body))


def _chunk_errors(header: str, body: list[str], start: int, end: int) -> list[str]:
    """Errors of body lines ``start:end`` parsed after the header (blank lines keep the line numbers)."""
    return [] if start == end else list(_text_errors(header + "\r\n" * start + "\r\n".join(body[start:end]) + "\r\n"))


@functools.lru_cache(maxsize=None)
def _text_errors(text: str) -> tuple[str, ...]:
    """Parse errors of ``text``; cached, since most procedures read the same on both platforms."""
    if _parses_in_sll(text):
        return ()
    parser, errors = _parser(vbaParser, vbaLexer, text)
    parser.startRule()
    return tuple(errors.messages)


def _parses_in_sll(text: str) -> bool:
    parser, _ = _parser(vbaParser, vbaLexer, text)
    parser._interp.predictionMode = PredictionMode.SLL
    parser._errHandler = BailErrorStrategy()
    try:
        parser.startRule()
    except ParseCancellationException:
        return False
    return True
