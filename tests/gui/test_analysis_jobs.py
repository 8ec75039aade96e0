"""The analysis controller: a registry of jobs, results applied through the undo stack (issue 12)."""

from __future__ import annotations

from planner.gui.controllers.analysis import Job
from planner.model.commands import move_node
from planner.model.results import DocumentRecord


def test_a_registered_job_runs_and_its_result_is_one_undo_step(window, qtbot):
    w = window
    applied = []

    def build(factor: float):
        cams = len(w.project.cameras())

        def fn(progress):
            progress(0.5, "counting")
            return {"cameras": cams, "scaled": cams * factor}

        return fn

    def apply(result):
        applied.append(result)
        w.analyses.store([DocumentRecord.of("optimise", result)], "Apply audit")

    w.analyses.register(Job("audit", "Audit", build, apply))
    with qtbot.waitSignal(w.runner.done, timeout=10000):
        assert w.analyses.run("audit", factor=1.5)
    assert applied == [{"cameras": 2, "scaled": 3.0}]
    assert w.project.results["optimise"].document == {"cameras": 2, "scaled": 3.0}
    assert w.stack.undo_text == "Apply audit"
    w.undo_actions.undo.trigger()
    assert "optimise" not in w.project.results


def test_coverage_update_joins_the_edit_undo_step(window, qtbot):
    w = window
    with qtbot.waitSignal(w.runner.done, timeout=60000):
        w.run_analysis("coverage")
    doc0 = w.project.results["coverage"]
    engine0 = w.coverage_result
    assert engine0 is not None
    cam = w.project.node("cam-0002")
    with qtbot.waitSignal(w.update_runner.done, timeout=60000):
        w.push(move_node(w.project, "cam-0002", cam.x - 400, cam.y - 400))
    qtbot.waitUntil(lambda: w.project.results["coverage"] is not doc0, timeout=10000)
    assert w.stack.undo_text == "Move cam-0002"  # no separate "update coverage" step
    doc1 = w.project.results["coverage"]
    assert doc1 is not doc0 and doc1.engine is not doc0.engine  # the moved camera in the engine state
    w.undo_actions.undo.trigger()  # the move and its coverage go together
    assert w.project.node("cam-0002").xy == cam.xy
    assert w.project.results["coverage"] is doc0
    assert w.coverage_result is engine0  # the engine state that matches the restored document
    assert w.stack.undo_text == "Apply coverage results"
