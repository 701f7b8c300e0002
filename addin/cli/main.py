"""The ``churnkit`` commands and their arguments (see README "Commands")."""
from __future__ import annotations

import argparse
import gc
import os
import shutil
import sys
from pathlib import Path
from typing import Sequence

from churn_logic import SPECS
from workbook_templates import SAMPLE, bundled_file

from ..tasks import analyse_workbook, backtest_of, history_of, refresh_lists, write_customer_history, write_settings_sheet
from . import output
from ..content.words import plural
from ..errors import UserError
from ..sources import line_cache
from ..sources.line_cache import LineCache
from .progress import Progress
from .report_command import add_report_parser, run_report
from ..workbooks.file_book import FileWorkbook

EXIT_USER_ERROR = 2
EXIT_UNEXPECTED = 3


def _source(text: str) -> Path | str:
    """A file or folder as a path; a database URL as written (a path would fold its ``//``)."""
    return text if "://" in text else Path(text)


def _add_settings_flags(parser: argparse.ArgumentParser) -> None:
    """One flag per setting of the engine's registry (``decline_months`` → ``--decline-months``)."""
    group = parser.add_argument_group("settings (they win over the settings sheet and churnkit.toml)")
    for name, spec in SPECS.items():
        flag = "--" + name.replace("_", "-")
        default = "" if spec.default in (None, False) else f" (default {_shown(spec.default)})"
        if spec.kind == "bool":
            group.add_argument(flag, dest=name, action="store_const", const="yes", help=spec.help_en)
        else:
            metavar = {"month": "YYYY-MM", "choice": "|".join(spec.choices)}.get(spec.kind, "VALUE")
            if name.endswith("_column"):
                metavar = "HEADER"
            group.add_argument(flag, dest=name, metavar=metavar, help=spec.help_en + default)


def _shown(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _add_common_flags(parser: argparse.ArgumentParser) -> None:
    """Flags every command takes, after its name as well as before it."""
    parser.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show the full error on unexpected failures")


def _add_reading_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", type=_source, nargs="?",
                        help="the order workbook (.xlsx, .xlsm) or .csv file; Parquet or CSV files (a file, a folder, "
                             "a glob); a database (duckdb:///file.duckdb, postgresql://user@host/database)")
    parser.add_argument("--table", metavar="NAME", help="the database table of order lines")
    parser.add_argument("--query", metavar="SQL", help="a query whose rows are the order lines")
    parser.add_argument("--sheet", nargs="+", metavar="NAME", help="read these sheets (one or several)")
    parser.add_argument("--all-sheets", action="store_true", help="read every sheet that looks like orders")
    parser.add_argument("--strict", action="store_true", help="stop when a row cannot be read")
    parser.add_argument("--lang", choices=("en", "zh"), default="en", help="language of words (default en)")
    parser.add_argument("--quiet", action="store_true", help="no progress messages")
    parser.add_argument("--no-cache", action="store_true",
                        help="read every sheet again, not the order lines kept from an earlier run (churnkit cache)")
    _add_settings_flags(parser)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="churnkit", description="Find the customers you are losing, from the order workbook you keep.")
    parser.add_argument("--debug", action="store_true", help="show the full error on unexpected failures")
    commands = _Commands(parser.add_subparsers(dest="command", required=True, metavar="COMMAND"))

    scan = commands.add_parser("scan", help="list at-risk customers", description="List at-risk customers.")
    _add_reading_flags(scan)
    scan.add_argument("--all", action="store_true", help="list every scored customer, not only those at risk")
    scan.add_argument("--format", choices=("table", "csv", "json"), default="table",
                      help="a readable table, or CSV / JSON for other programs (default table)")
    scan.add_argument("--out", type=Path, metavar="FILE",
                      help="write to this file (UTF-8; CSV with the byte-order mark Excel needs) instead of the screen")

    history = commands.add_parser("history", help="one customer's monthly trend and order lines",
                                  description="Show one customer's monthly trend and order lines.")
    _add_reading_flags(history)
    history.add_argument("customer", help="the customer key, exactly as in the workbook (or a customer's name)")
    history.add_argument("--format", choices=("table", "json"), default="table", help="default table")
    history.add_argument("--write", action="store_true",
                         help="write the Customer History sheet (trend, chart, order lines) into the workbook")

    settings = commands.add_parser("settings", help="create the settings sheet in the workbook",
                                   description="Create or renew the settings sheet (every setting, its default and "
                                               "meaning), keeping the values already set there.")
    settings.add_argument("path", type=Path, help="the order workbook (.xlsx, .xlsm)")
    settings.add_argument("--lang", choices=("en", "zh"), default="en", help="language of the sheet (default en)")

    refresh = commands.add_parser(
        "refresh", help="write the at-risk and win-back lists into the workbook",
        description="Add or update the sheets At-Risk and Win-Back in the order workbook (or in --out), "
                    "keeping everything else in it as it was and what you typed into the lists.")
    _add_reading_flags(refresh)
    refresh.add_argument("--out", type=Path, metavar="FILE",
                         help="write the lists into this workbook instead (created when missing)")

    backtest = commands.add_parser(
        "backtest", help="how right the rules were on your own history",
        description="Check every rule (and your settings' verdicts) at every past as-of month against what the "
                    "customers did in the --horizon-months after it, recommend thresholds, and score the "
                    "probability of no order.")
    _add_reading_flags(backtest)
    backtest.add_argument("--format", choices=("table", "csv", "json"), default="table",
                          help="a readable table, or CSV / JSON for other programs (default table)")

    add_report_parser(commands, _add_reading_flags)

    addin = commands.add_parser("addin", help="build or install the Excel add-in",
                                description="Build churnkit.xlam, or install it where Excel loads add-ins.")
    addin_commands = commands.add_subparsers(addin, dest="addin_command", required=True, metavar="ACTION")
    build = addin_commands.add_parser("build", help="write churnkit.xlam")
    build.add_argument("--out", type=Path, default=Path("."), metavar="DIR", help="folder for churnkit.xlam")
    build.add_argument("--lang", choices=("en", "zh"), default="en", help="language of the ribbon")
    install = addin_commands.add_parser("install", help="build and install the add-in for this Python")
    install.add_argument("--lang", choices=("en", "zh"), default="en", help="language of the ribbon")
    addin_commands.add_parser("remove", help="uninstall the add-in and its configuration")
    addin_commands.add_parser("status", help="where the add-in and its configuration are")

    cache = commands.add_parser("cache", help="the order lines kept from earlier runs",
                                description="Where churnkit keeps the order lines it read (so that an unchanged sheet "
                                            "is not read again), and removing them.")
    cache_commands = commands.add_subparsers(cache, dest="cache_command", required=True, metavar="ACTION")
    cache_commands.add_parser("clear", help="remove every order line kept")
    cache_commands.add_parser("status", help="where the cache is, and how much it holds")

    demo = commands.add_parser("demo", help="build the sample order workbook and scan it",
                               description="Build the bundled sample order workbook and list its at-risk customers.")
    demo.add_argument("--out", type=Path, default=Path("churnkit-demo"), help="folder for the sample (default ./churnkit-demo)")
    demo.add_argument("--lang", choices=("en", "zh"), default="en", help="language of the list (default en)")
    return parser


class _Commands:
    """The subcommands' parsers, each taking the flags every command takes (``_add_common_flags``)."""

    def __init__(self, action):
        self.action = action

    def add_parser(self, name: str, **kwargs) -> argparse.ArgumentParser:
        parser = self.action.add_parser(name, **kwargs)
        _add_common_flags(parser)
        return parser

    def add_subparsers(self, parser: argparse.ArgumentParser, **kwargs) -> "_Commands":
        return _Commands(parser.add_subparsers(**kwargs))


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """The arguments; ``--sheet A B orders.xlsx`` reads as sheets A and B of orders.xlsx."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if "path" in args and args.path is None:
        if args.sheet and len(args.sheet) > 1:
            args.path = Path(args.sheet.pop())
        else:
            parser.error(f"{args.command}: give the order workbook (.xlsx, .xlsm or .csv)")
    return args


def _flags(args: argparse.Namespace) -> dict[str, str]:
    return {name: getattr(args, name) for name in SPECS if getattr(args, name, None) is not None}


def _analyse(args: argparse.Namespace, workbook: FileWorkbook | None = None):
    """The orders of ``args.path`` read and scored (through ``workbook`` when it is that file, opened already)."""
    return analyse_workbook(workbook or args.path, _flags(args), args.sheet, args.all_sheets, args.strict,
                            Progress(quiet=args.quiet), cache=not args.no_cache, table=args.table, query=args.query)


def run_scan(args: argparse.Namespace) -> int:
    analysis = _analyse(args)
    render = {"table": output.scan_table, "csv": output.scan_csv, "json": output.scan_json}[args.format]
    text = render(analysis, args.lang, args.all) + ("\n" if args.format == "json" else "")
    if args.out is not None:
        try:
            args.out.write_text(text, encoding="utf-8-sig" if args.format == "csv" else "utf-8", newline="")
        except OSError as exc:
            raise UserError(f"{args.out} could not be written ({exc.strerror or exc}).") from None
        print(f"Wrote {args.out}.", file=sys.stderr)
    elif args.format == "table":
        sys.stdout.write(text)
    else:
        _write_utf8(text, bom=args.format == "csv" and not sys.stdout.isatty())
    return 0


def _write_utf8(text: str, bom: bool) -> None:
    """CSV and JSON are UTF-8 whatever the console's code page (CSV for Excel with its byte-order mark)."""
    sys.stdout.flush()
    data = ("\ufeff" + text if bom else text).encode("utf-8")
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:                 # a text-only stream (a test's capture): it holds any text
        sys.stdout.write(text)
    else:
        buffer.write(data)
        buffer.flush()


def run_backtest(args: argparse.Namespace) -> int:
    analysis = _analyse(args)
    result = backtest_of(analysis)
    if args.format == "table":
        sys.stdout.write(output.backtest_table(analysis, result, args.lang))
    elif args.format == "json":
        _write_utf8(output.backtest_json(analysis, result) + "\n", bom=False)
    else:
        _write_utf8(output.backtest_csv(analysis, result), bom=not sys.stdout.isatty())
    return 0


def run_history(args: argparse.Namespace) -> int:
    if args.write:
        return _write_history(args)
    analysis = _analyse(args)
    history = history_of(analysis, args.customer, args.lang)
    text = output.history_table(analysis, history, args.lang) if args.format == "table" else \
        output.history_json(analysis, history) + "\n"
    sys.stdout.write(text)
    return 0


def _write_history(args: argparse.Namespace) -> int:
    with _open_for_writing(_writable(args.path), args.quiet) as workbook:
        name = write_customer_history(_analyse(args, workbook), workbook, args.customer, args.lang)
    print(f"Wrote the sheet '{name}' into {args.path}.")
    return 0


def run_settings(args: argparse.Namespace) -> int:
    with _open_for_writing(_writable(args.path), quiet=False) as workbook:
        name = write_settings_sheet(workbook, args.lang)
    print(f"Wrote the sheet '{name}' into {args.path}; change values in its column B.")
    return 0


def _open_for_writing(path: Path, quiet: bool) -> FileWorkbook:
    """The workbook, with the turn to write it (saying so when another churnkit run has it)."""
    def waiting() -> None:
        if not quiet:
            print(f"Another churnkit run is writing {path.name}; waiting for it to finish…", file=sys.stderr)
    return FileWorkbook(path, on_wait=waiting)


def _writable(path: Path) -> Path:
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise UserError(f"{path.name} is not an .xlsx or .xlsm workbook, so churnkit cannot add sheets to it.")
    return path


def run_refresh(args: argparse.Namespace) -> int:
    target = args.out or args.path
    if target == args.path and target.suffix.lower() in (".xlsx", ".xlsm"):
        with _open_for_writing(target, args.quiet) as workbook:        # one opening: read, then write
            result = refresh_lists(_analyse(args, workbook), workbook, args.lang)
    else:
        analysis = _analyse(args)       # what is wrong with the orders comes first, before where the lists go
        if target.suffix.lower() not in (".xlsx", ".xlsm"):
            if args.out is not None:
                raise UserError(f"--out must name an .xlsx or .xlsm workbook, not {target.name}.")
            target = args.path.with_name(args.path.stem + "-churnkit.xlsx")
            print(f"A .csv file cannot hold the lists; writing them to {target.name}.", file=sys.stderr)
        with _open_for_writing(target, args.quiet) as workbook:
            result = refresh_lists(analysis, workbook, args.lang)
    written = ", ".join(f"{name} ({rows:,} {plural(rows, 'row')})" for name, rows in result.sheets.items())
    print(f"Updated {target}: {written}.")
    for usual, used in result.renamed.items():
        print(f"A sheet of yours is named '{usual}', so churnkit wrote its list as '{used}' and left yours as it is.")
    if result.backup:
        print(f"The workbook as it was is saved as {result.backup}.")
    return 0


def run_addin(args: argparse.Namespace) -> int:
    from ..excel import install as addin_install
    from ..excel.build import build_addin

    if args.addin_command == "build":
        print(f"Wrote {build_addin(args.out, args.lang)}.")
        return 0
    lines = {"install": lambda: addin_install.install(args.lang), "remove": addin_install.remove,
             "status": addin_install.status}[args.addin_command]()
    print("\n".join(lines))
    return 0


def run_cache(args: argparse.Namespace) -> int:
    cache = LineCache(line_cache.folder(), line_cache.limit_bytes())
    if args.cache_command == "clear":
        count, size = cache.clear()
        print(f"Removed {count:,} {plural(count, 'file')} ({size / 2**20:,.1f} MB) from {cache.folder}.")
    else:
        count, size = cache.usage()
        print(f"{cache.folder}: {count:,} {plural(count, 'file')}, {size / 2**20:,.1f} MB of at most "
              f"{cache.limit / 2**20:,.0f} MB ({line_cache.SIZE_VARIABLE}; 0 turns the cache off).")
    return 0


def run_demo(args: argparse.Namespace) -> int:
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / SAMPLE
    shutil.copyfile(bundled_file(SAMPLE), path)
    print(f"Wrote the sample order workbook {path}", file=sys.stderr)
    analysis = analyse_workbook(path, {}, progress=Progress())
    sys.stdout.write(output.scan_table(analysis, args.lang, include_low=False))
    return 0


COMMANDS = {"scan": run_scan, "backtest": run_backtest, "history": run_history, "refresh": run_refresh, "settings": run_settings,
            "report": run_report, "addin": run_addin, "cache": run_cache, "demo": run_demo}


def run() -> int:
    """The ``churnkit`` process: ``main``, the objects its imports made kept out of the garbage collector's rounds
    (they live as long as the process; a round over them took a tenth of a second of a scan)."""
    gc.freeze()
    return main()


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):           # a console that cannot show a character shows "?", never fails
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    args = parse(argv)
    try:
        return COMMANDS[args.command](args)
    except UserError as exc:
        print(f"churnkit: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("churnkit: stopped.", file=sys.stderr)
        return 130
    except Exception as exc:  # the last guard: a person sees one sentence, --debug shows the rest
        if args.debug or os.environ.get("CHURNKIT_DEBUG"):
            raise
        print(f"churnkit: unexpected error: {exc!r}. Run again with --debug and report it, please.", file=sys.stderr)
        return EXIT_UNEXPECTED
