"""The ``planner`` command line.

Each subcommand lives in its own module under :mod:`planner.cli.commands` and
defines ``NAME``, ``HELP``, ``add_arguments(parser)`` and ``run(args) ->
Report``. This module only discovers them, parses, prints and maps errors to
exit codes: 0 ok, 2 bad input, 3 bad project file, 130 cancelled, 1 bug.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from planner import __version__
from planner.cli.output import Report, print_report
from planner.errors import PlannerError, exit_code_for


def _command_modules() -> list[object]:
    import planner.cli.commands as pkg

    mods = []
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        mods.append(importlib.import_module(f"planner.cli.commands.{info.name}"))
    return mods


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, object]]:
    parser = argparse.ArgumentParser(
        prog="planner",
        description="Plan and audit city-scale video-surveillance deployments.",
    )
    parser.add_argument("--version", action="version", version=f"planner {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    handlers: dict[str, object] = {}
    for mod in _command_modules():
        name = mod.NAME  # type: ignore[attr-defined]
        p = sub.add_parser(name, help=mod.HELP, description=mod.HELP)  # type: ignore[attr-defined]
        if getattr(mod, "REPORTS", True):
            p.add_argument("--json", action="store_true", help="print one JSON document on stdout")
        mod.add_arguments(p)  # type: ignore[attr-defined]
        handlers[name] = mod
    return parser, handlers


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code (also used by ``python -m planner``)."""
    parser, handlers = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 0
    mod = handlers[args.command]
    as_json = bool(getattr(args, "json", False))
    try:
        report = mod.run(args)  # type: ignore[attr-defined]
    except PlannerError as exc:
        print(f"planner {args.command}: error: {exc}", file=sys.stderr)
        return exit_code_for(exc)
    except KeyboardInterrupt:
        print(f"planner {args.command}: interrupted", file=sys.stderr)
        return 130
    if isinstance(report, Report):
        print_report(report, as_json=as_json)
        return report.exit_code
    return 0 if report is None else int(report)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
