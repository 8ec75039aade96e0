"""Typed errors shared by every layer of the planner.

Imports nothing from ``planner``. Each front end maps these to its own
presentation: the CLI to exit codes (:data:`EXIT_CODES`), the GUI to message
banners. Messages are one line, name the file or argument in backticks and
include the offending value.
"""

from __future__ import annotations


class PlannerError(Exception):
    """Base class of every error the planner raises on purpose.

    The message is always one line: line breaks that come from the data
    (a CSV header holding a newline, SQLite's multi-line integrity report)
    are shown as `` / ``, and a message is cut at :data:`MAX_MESSAGE` characters.
    """

    MAX_MESSAGE = 1000

    def __init__(self, *args: object) -> None:
        if args and isinstance(args[0], str):
            msg = " / ".join(part.strip() for part in args[0].replace("\r", "\n").split("\n") if part.strip())
            if len(msg) > self.MAX_MESSAGE:
                msg = msg[: self.MAX_MESSAGE - 1] + "…"
            args = (msg, *args[1:])
        super().__init__(*args)


class InvalidInputError(PlannerError, ValueError):
    """A file, argument or value supplied by the user is unusable."""


class CRSError(InvalidInputError):
    """A layer has no CRS, an unknown CRS, or one that does not match."""


class GeometryError(InvalidInputError):
    """Geometries of the wrong type, empty, or out of range."""


class OutOfRangeError(InvalidInputError):
    """A number is outside the range the model accepts."""


class WriteError(InvalidInputError):
    """A file could not be written where the user asked (device, read-only, refused by the system)."""


class DiskFullError(WriteError):
    """A save or export ran out of disk space; the previous file is unchanged."""


class ProjectBusyError(InvalidInputError):
    """Another process holds the project's write lock."""


class ProjectChangedError(InvalidInputError):
    """The project file changed on disk since it was opened; saving would overwrite those changes."""


class BadRowsError(InvalidInputError):
    """Rows of an imported table are unusable; ``problems`` lists every one of them.

    Each problem is a :class:`RowProblem`. The message names the file, the
    number of bad rows and the first few (row, column, value, reason).
    """

    def __init__(self, path: str, problems: list[RowProblem], *, total_rows: int | None = None) -> None:
        self.path = path
        self.problems = list(problems)
        rows = sorted({p.row for p in self.problems})
        shown = "; ".join(p.describe() for p in self.problems[:5])
        more = f"; and {len(self.problems) - 5} more" if len(self.problems) > 5 else ""
        of = f" of {total_rows}" if total_rows is not None else ""
        super().__init__(f"`{path}`: {len(rows)}{of} row(s) are bad: {shown}{more} "
                         "(fix them, or import the good rows with --skip-bad-rows)")

    @property
    def rows(self) -> list[int]:
        return sorted({p.row for p in self.problems})


class RowProblem:
    """One bad value of an imported table: file row number (header = 1), column, value, reason."""

    __slots__ = ("column", "reason", "row", "value")

    def __init__(self, row: int, column: str, value: object, reason: str) -> None:
        self.row, self.column, self.value, self.reason = row, column, value, reason

    def describe(self) -> str:
        v = repr(self.value)
        if len(v) > 40:
            v = v[:37] + "..."
        col = f" column {self.column!r}" if self.column else ""
        return f"row {self.row}{col} value {v}: {self.reason}"

    def to_dict(self) -> dict[str, object]:
        return {"row": self.row, "column": self.column, "value": str(self.value), "reason": self.reason}

    def __repr__(self) -> str:
        return f"RowProblem({self.describe()})"


class ProjectFileError(PlannerError):
    """A project file is missing, truncated, not a planner project, or too new."""


class AnalysisCancelled(PlannerError):
    """Raised from a progress callback to stop a running analysis."""


class Terminated(KeyboardInterrupt):
    """Raised by the command line's SIGTERM handler, so a terminated run cleans up like Ctrl+C."""


EXIT_CODES: dict[type[PlannerError], int] = {
    InvalidInputError: 2,
    ProjectFileError: 3,
    AnalysisCancelled: 130,
}


def exit_code_for(error: BaseException) -> int:
    """Return the CLI exit code for ``error`` (1 for anything unexpected)."""
    for cls in type(error).__mro__:
        if cls in EXIT_CODES:
            return EXIT_CODES[cls]
    return 1
