"""The command stack's public clean state (state ids, set_clean, mark_unsaved), amend() for results
derived from an edit, and SetProjectSettings."""

from __future__ import annotations

import dataclasses

from planner.model.commands import CommandStack, SetProjectSettings, SetResult, move_node
from planner.model.results import DocumentRecord


def test_clean_state_follows_undo_redo_and_new_edits(small_project) -> None:
    p = small_project
    s = CommandStack(p)
    assert s.is_clean and s.state_id == 0
    s.push(move_node(p, "cam-0001", 692010.0, 4796020.0))
    first = s.state_id
    assert not s.is_clean and first != 0
    s.set_clean()  # saved here
    s.push(move_node(p, "cam-0001", 692020.0, 4796030.0))
    assert not s.is_clean
    s.undo()
    assert s.is_clean and s.state_id == first  # back at the saved state
    s.undo()
    assert not s.is_clean and s.state_id == 0
    s.redo()
    assert s.is_clean
    s.undo()
    s.push(move_node(p, "cam-0002", 692030.0, 4796040.0))  # a new branch: the saved state is unreachable
    assert not s.is_clean
    while s.undo():
        assert not s.is_clean


def test_mark_unsaved_is_never_clean_until_saved(small_project) -> None:
    s = CommandStack(small_project)
    s.mark_unsaved()  # a restored recovery file or a new project
    assert not s.is_clean and s.state_id == 0
    s.set_clean()
    assert s.is_clean


def test_amend_joins_the_last_step(small_project) -> None:
    p = small_project
    s = CommandStack(p)
    p.set_result(DocumentRecord.of("network", {"cameras": 2, "version": "before"}))
    s.push(move_node(p, "cam-0001", 692010.0, 4796020.0))
    moved = s.state_id
    s.amend(SetResult(DocumentRecord.of("network", {"cameras": 2, "version": "after the move"})))
    assert s.state_id != moved  # the document changed: a new state
    assert s.undo_text == "Move cam-0001" and s.can_undo
    s.undo()  # one step undoes the move and its derived result
    assert p.node("cam-0001").xy == (692500.0, 4796500.0)
    assert p.results["network"].document["version"] == "before"
    assert not s.can_undo
    s.redo()
    assert p.node("cam-0001").xy == (692010.0, 4796020.0) and p.results["network"].document["version"] == "after the move"


def test_amend_with_nothing_to_undo_is_not_a_step(small_project) -> None:
    p = small_project
    s = CommandStack(p)
    s.amend(SetResult(DocumentRecord.of("network", {"cameras": 2})))
    assert p.results["network"].document == {"cameras": 2}
    assert not s.can_undo and not s.is_clean  # the file on disk does not hold this result


def test_set_project_settings_round_trips(small_project) -> None:
    p = small_project
    before = (p.name, p.parameters, dict(p.metadata))
    params = dataclasses.replace(p.parameters, currency="CLP", jurisdiction="CL", target_height_m=1.2)
    seen = []
    p.changed.connect(seen.append)
    s = CommandStack(p)
    s.push(SetProjectSettings("Santiago", params, {"pole": 1500.0}))
    assert (p.name, p.parameters.currency, p.metadata["unit_prices"]) == ("Santiago", "CLP", {"pole": 1500.0})
    assert seen == ["parameters"]
    s.undo()
    assert (p.name, p.parameters, dict(p.metadata)) == before and "unit_prices" not in p.metadata
