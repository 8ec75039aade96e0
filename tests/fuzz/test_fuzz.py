"""The bounded fuzz run of the normal suite: every importer and the project-file reader, zero crash classes.

The long mode is ``python -m tests.fuzz --count 100000`` (see ``tests/fuzz/__main__.py``).
"""

from __future__ import annotations

import pytest

from tests.fuzz.harness import TARGETS, Fuzzer, mutate_bytes, mutate_csv, mutate_json, run_fuzz

#: Inputs in the suite's run (about 100 s on two idle cores); the long mode runs 100,000.
CI_COUNT = 2000


@pytest.mark.slow
def test_bounded_fuzz_run_has_no_crash_class(capsys) -> None:
    stats = run_fuzz(CI_COUNT, seed=20261201, save_every=10)
    print(stats.summary())
    assert stats.inputs == CI_COUNT
    assert set(stats.by_target) == set(TARGETS)
    # the mutators reach past the parsers: a fair share of inputs is accepted, saved and reopened
    assert stats.accepted > CI_COUNT // 10 and stats.refused > CI_COUNT // 10
    assert stats.crashes == {}, stats.summary() + "\n\n" + "\n\n".join(c.trace for c in stats.crashes.values())


def test_mutators_are_seeded_and_change_their_input() -> None:
    import random

    data = b'{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": null, "properties": {}}]}'
    a = [mutate_json(random.Random(7), data) for _ in range(3)]
    b = [mutate_json(random.Random(7), data) for _ in range(3)]
    assert a == b
    csv = b"lon,lat\n5.37,43.29\n"
    outs = {mutate_csv(random.Random(i), csv) for i in range(30)} | {mutate_bytes(random.Random(i), csv)
                                                                   for i in range(30)}
    assert len(outs) > 40 and csv not in outs


def test_mutators_survive_their_own_deep_output() -> None:
    """The long run stopped once: a mutation nested a value 100,000 deep and the next mutation walked it."""
    import random

    deep = ("[" * 100_000 + "]" * 100_000).encode()
    assert mutate_json(random.Random(1), deep) != deep
    nested = ("[" * 900 + "1" + "]" * 900).encode()  # parses, but too deep to walk recursively
    mutate_json(random.Random(2), nested)


def test_a_crash_is_counted_as_a_class(tmp_path, monkeypatch) -> None:
    """The harness itself: an exception that is not a PlannerError is a crash, grouped by where it happened."""
    from planner import workflows

    fz = Fuzzer(tmp_path, seed=1)

    def broken(*a, **k):
        raise KeyError("boom")

    monkeypatch.setattr(workflows, "import_layer", broken)
    stats = fz.run(4, targets=("cameras_csv", "streets"))
    assert stats.inputs == 4 and len(stats.crashes) == 1 and next(iter(stats.crashes.values())).count == 4
