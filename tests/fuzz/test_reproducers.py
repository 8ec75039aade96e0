"""One reproducer per crash class the long fuzz runs found (``tests/data/fuzz``): each is now accepted or
refused with a one-line :class:`planner.errors.PlannerError`."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from planner.errors import PlannerError
from tests.fuzz.harness import Fuzzer

DATA = Path(__file__).resolve().parents[1] / "data" / "fuzz"
#: reproducer -> (harness target, what went wrong before the fix)
REPRODUCERS = {
    "null-id.geojson": ("command_centres", "TypeError: a null `id` (pandas 3 keeps NaN through astype(str))"),
    "building-heights.geojson": ("buildings", "ValueError: filling missing heights in a read-only array"),
    "quick-check-multiline.gpkg.gz": ("project", "a multi-line message from SQLite's integrity report"),
    "schema-not-utf8.gpkg.gz": ("project", "UnicodeDecodeError: SQLite's error text quoting non-UTF-8 bytes"),
    "header-newline.csv": ("cameras_csv", "a multi-line message: a CSV header cell holding a newline"),
}


@pytest.fixture(scope="module")
def fuzzer(tmp_path_factory: pytest.TempPathFactory) -> Fuzzer:
    return Fuzzer(tmp_path_factory.mktemp("fz"), seed=0)


@pytest.mark.parametrize("name", sorted(REPRODUCERS))
def test_reproducer_is_accepted_or_refused_in_one_line(fuzzer: Fuzzer, tmp_path: Path, name: str) -> None:
    target, _ = REPRODUCERS[name]
    data = (DATA / name).read_bytes()
    if name.endswith(".gz"):
        data = gzip.decompress(data)
        name = name[:-3]
    path = tmp_path / ("input" + Path(name).suffix)
    path.write_bytes(data)
    try:
        fuzzer._exercise(target, path)  # the harness's own code path
    except PlannerError as exc:
        assert "\n" not in str(exc) and str(exc).strip()


def test_every_reproducer_is_listed() -> None:
    assert sorted(p.name for p in DATA.iterdir()) == sorted(REPRODUCERS)


def test_planner_errors_are_always_one_line() -> None:
    e = PlannerError("`x.csv`: columns are a, b\nc;d\r\ne")
    assert str(e) == "`x.csv`: columns are a, b / c;d / e"
    assert len(str(PlannerError("y" * 5000))) == PlannerError.MAX_MESSAGE
