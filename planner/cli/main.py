"""The ``planner`` command line.

Each subcommand lives in its own module under :mod:`planner.cli.commands` and
defines ``NAME``, ``HELP``, ``add_arguments(parser)`` and ``run(args) ->
Report``. This module only discovers them, parses, prints and maps errors to
exit codes: 0 ok, 2 bad input, 3 bad project file, 130 interrupted (Ctrl+C),
143 terminated (SIGTERM), 1 bug.

Commands that rewrite a project (:data:`MODIFYING`) hold the project's
advisory lock (:func:`planner.io.atomic.project_lock`) from before it is read
until after it is saved, so two processes changing one project never lose
each other's work: the second waits for the first (then reads its result) or,
after ``PLANNER_LOCK_TIMEOUT_S`` seconds (default 30), gives up with exit 2.
SIGTERM is handled like Ctrl+C: temporary files are removed, the project
file is left as it was.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import importlib
import os
import pkgutil
import signal
import sys
from collections.abc import Iterator, Sequence

from planner import __version__
from planner.cli import ranges
from planner.cli.output import Report, print_report
from planner.errors import PlannerError, Terminated, exit_code_for

#: Commands that rewrite their ``project`` argument, and the flag that decides it:
#: ``None`` always; ``"no_save"`` unless that flag is set; ``"save"`` only when it is set.
MODIFYING: dict[str, str | None] = {
    "import": None, "blocks": None, "set": None,
    "coverage": "no_save", "radiomap": "no_save", "network": "save",
}


def _modified_project(command: str, args: argparse.Namespace, mod: object) -> str | None:
    if command not in MODIFYING and not getattr(mod, "MODIFIES_PROJECT", False):
        return None
    flag = MODIFYING.get(command)
    project = getattr(args, "project", None)
    if not project:
        return None
    if flag == "no_save" and getattr(args, "no_save", False):
        return None
    if flag == "save" and not getattr(args, "save", False):
        return None
    return str(project)


def _on_sigterm(signum: int, frame: object) -> None:
    raise Terminated()


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    try:
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
    except ValueError:  # not the main thread (embedded use): leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _command_modules() -> list[object]:
    import planner.cli.commands as pkg

    mods: list[object] = []
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        mods.append(importlib.import_module(f"planner.cli.commands.{info.name}"))
    return mods


_SUBPARSERS: dict[str, argparse.ArgumentParser] = {}


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
        ranges.annotate(name, p)
        handlers[name] = mod
        _SUBPARSERS[name] = p
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
    name = args.command
    try:
        with _sigterm_as_interrupt():
            ranges.check(name, args, _SUBPARSERS.get(name))
            target = _modified_project(name, args, mod)
            if target is not None:
                from planner.io.atomic import project_lock

                with project_lock(target):
                    report = mod.run(args)  # type: ignore[attr-defined]
            else:
                report = mod.run(args)  # type: ignore[attr-defined]
    except PlannerError as exc:
        print(f"planner {name}: error: {exc}", file=sys.stderr)
        return exit_code_for(exc)
    except Terminated:
        print(f"planner {name}: terminated (SIGTERM); files being written were discarded", file=sys.stderr)
        return 143
    except KeyboardInterrupt:
        print(f"planner {name}: interrupted", file=sys.stderr)
        return 130
    except MemoryError:
        print(f"planner {name}: error: not enough memory for this input (reduce its size or resolution)",
              file=sys.stderr)
        return 2
    except OSError as exc:
        where = f"`{exc.filename}`: " if getattr(exc, "filename", None) else ""
        what = "the disk is full" if exc.errno in (errno.ENOSPC, errno.EDQUOT) else (
            exc.strerror or os.strerror(exc.errno) if exc.errno else str(exc))
        print(f"planner {name}: error: {where}{what}", file=sys.stderr)
        return 2
    if isinstance(report, Report):
        print_report(report, as_json=as_json)
        return report.exit_code
    return 0 if report is None else int(report)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
