"""GUI-side commands that wrap workflows which mutate the project (imports).

They live here rather than in :mod:`planner.model.commands` because imports are
workflows (file reading), which the model layer must not depend on.
"""

from __future__ import annotations

from typing import Any

from planner.model.nodes import Node
from planner.model.project import Project


class ImportCommand:
    """Run :func:`planner.workflows.import_layer` as an undoable edit.

    The first ``do`` runs the import (which raises before changing anything);
    undo/redo swap the layer state and the added nodes.
    """

    def __init__(self, kind: str, path: str, **options: Any) -> None:
        self.kind, self.path, self.options = kind, path, options
        self.text = f"Import {kind.replace('_', ' ')}"
        self.summary: Any = None
        self._before: dict[str, Any] | None = None
        self._after: dict[str, Any] | None = None
        self._added: list[Node] = []

    @staticmethod
    def _state(project: Project) -> dict[str, Any]:
        return {"study_area": project.study_area, "districts": project.districts, "layers": dict(project.layers),
                "dem": project.dem}

    @staticmethod
    def _restore(project: Project, state: dict[str, Any]) -> None:
        project.restore_layers(study_area=state["study_area"], districts=state["districts"],
                               layers=state["layers"], dem=state["dem"])

    def do(self, project: Project) -> None:
        if self._after is None:
            from planner import workflows

            self._before = self._state(project)
            ids_before = {n.id for n in project.iter_nodes()}
            self.summary = workflows.import_layer(project, self.kind, self.path, **self.options)
            self._after = self._state(project)
            self._added = [n for n in project.iter_nodes() if n.id not in ids_before]
            return
        self._restore(project, self._after)
        if self._added:
            project.add_nodes(self._added)

    def undo(self, project: Project) -> None:
        if self._added:
            project.remove_nodes([n.id for n in self._added])
        assert self._before is not None
        self._restore(project, self._before)
