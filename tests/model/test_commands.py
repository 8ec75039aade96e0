from __future__ import annotations

import pytest

from planner.errors import InvalidInputError
from planner.model.commands import (
    AddLinks,
    AddNodes,
    CommandStack,
    RemoveNodes,
    SetParameters,
    SetResult,
    edit_nodes,
    move_node,
)
from planner.model.nodes import Camera, Link
from planner.model.project import Parameters
from planner.model.results import DocumentRecord


def _state(project):
    return ([(n.id, n) for n in project.iter_nodes()], [lk.id for lk in project.links()],
            project.parameters, dict(project.results))


def test_each_command_round_trips(small_project) -> None:
    p = small_project
    stack = CommandStack(p)
    commands = [
        AddNodes([Camera(id="cam-0003", x=692100.0, y=4796100.0)]),
        move_node(p, "cam-0001", 692010.0, 4796020.0),
        edit_nodes(p, ["cam-0001", "cam-0002"], height_m=9.5, phase="2"),
        AddLinks([Link(id="link-0001", from_id="store-0001", to_id="cmd-0001")]),
        RemoveNodes(["store-0001", "cam-0001"]),
        SetParameters(Parameters(jurisdiction="fr", retention_target_days=8)),
        SetResult(DocumentRecord.of("network", {"days": 6.94})),
        SetResult(DocumentRecord.of("network", {"days": 2.5})),
    ]
    states = [_state(p)]
    for cmd in commands:
        stack.push(cmd)
        states.append(_state(p))
    assert p.node("cam-0002").height_m == 9.5
    assert "cam-0001" not in p and p.links() == []  # the link went with its node
    assert p.parameters.jurisdiction == "FR"
    for expected in reversed(states[:-1]):
        assert stack.undo()
        assert _state(p) == expected  # order of nodes restored too
    assert not stack.undo()
    for expected in states[1:]:
        assert stack.redo()
        assert _state(p) == expected


def test_clean_state_tracking(small_project) -> None:
    stack = CommandStack(small_project)
    events = []
    stack.changed.connect(lambda: events.append(1))
    assert stack.is_clean
    stack.push(move_node(small_project, "cam-0001", 692001.0, 4796001.0))
    assert not stack.is_clean and stack.undo_text == "Move cam-0001"
    stack.set_clean()
    stack.undo()
    assert not stack.is_clean
    stack.push(move_node(small_project, "cam-0002", 692002.0, 4796002.0))
    assert not stack.is_clean  # the saved state is unreachable now
    assert events


def test_failed_command_is_not_recorded(small_project) -> None:
    stack = CommandStack(small_project)
    with pytest.raises(InvalidInputError):
        stack.push(AddNodes([Camera(id="cam-0001", x=0.0, y=0.0)]))
    assert not stack.can_undo
    with pytest.raises(InvalidInputError):
        stack.push(AddLinks([Link(id="l", from_id="cam-0001", to_id="nope")]))
    assert small_project.links() == []


def test_new_id_is_stable_and_fresh(small_project) -> None:
    assert small_project.new_id("camera") == "cam-0003"
    small_project.remove_nodes(["cam-0001"])
    assert small_project.new_id("camera") == "cam-0003"  # never reuses below the top
    assert small_project.new_id("link") == "link-0001"


def test_macro_is_one_step_and_rolls_back_on_failure(small_project) -> None:
    from planner.model.commands import MacroCommand

    stack = CommandStack(small_project)
    before = list(small_project.iter_nodes())
    stack.push(MacroCommand([move_node(small_project, "cam-0001", 692001.0, 4796001.0),
                             RemoveNodes(["cam-0002"])], "Move and delete"))
    assert small_project.node("cam-0001").x == 692001.0 and "cam-0002" not in small_project
    assert stack.undo() and list(small_project.iter_nodes()) == before
    bad = MacroCommand([move_node(small_project, "cam-0001", 692002.0, 4796002.0),
                        AddNodes([Camera(id="cam-0002", x=0.0, y=0.0)])], "Fails half way")
    with pytest.raises(InvalidInputError):
        stack.push(bad)
    assert list(small_project.iter_nodes()) == before  # the first half was rolled back


def test_project_setters_are_the_emitters(small_project) -> None:
    """Study area, DEM and metadata change only through Project methods, each emitting one event."""
    import numpy as np
    import shapely

    from planner.errors import CRSError
    from planner.model.project import Raster

    p = small_project
    events: list[str] = []
    p.changed.connect(events.append)
    old = p.set_study_area(shapely.box(692000, 4796000, 693000, 4797000))
    assert p.area_km2() == 1.0 and old.area == pytest.approx(4e6)  # the 2 km x 2 km square (reprojected)
    with pytest.raises(InvalidInputError):
        p.set_study_area(shapely.Point(0, 0))
    dem = Raster(array=np.zeros((2, 2), dtype="float32"), transform=(1000.0, 0, 692000.0, 0, -1000.0, 4798000.0),
                 crs=p.crs)
    assert p.set_dem(dem) is None and p.dem is dem
    with pytest.raises(CRSError):
        p.set_dem(Raster(array=dem.array, transform=dem.transform, crs="EPSG:32630"))
    assert p.set_metadata("attribution", "test") is None and p.metadata["attribution"] == "test"
    p.set_metadata("attribution", None)
    assert "attribution" not in p.metadata
    assert events == ["layers", "layers", "parameters", "parameters"]
