"""Typed errors shared by every layer of the planner.

Imports nothing from ``planner``. Each front end maps these to its own
presentation: the CLI to exit codes (:data:`EXIT_CODES`), the GUI to message
banners. Messages are one line, name the file or argument in backticks and
include the offending value.
"""

from __future__ import annotations


class PlannerError(Exception):
    """Base class of every error the planner raises on purpose."""


class InvalidInputError(PlannerError, ValueError):
    """A file, argument or value supplied by the user is unusable."""


class CRSError(InvalidInputError):
    """A layer has no CRS, an unknown CRS, or one that does not match."""


class GeometryError(InvalidInputError):
    """Geometries of the wrong type, empty, or out of range."""


class OutOfRangeError(InvalidInputError):
    """A number is outside the range the model accepts."""


class ProjectFileError(PlannerError):
    """A project file is missing, truncated, not a planner project, or too new."""


class AnalysisCancelled(PlannerError):
    """Raised from a progress callback to stop a running analysis."""


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
