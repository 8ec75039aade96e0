"""Edits as commands on one undo stack (glue's Command/CommandStack pattern).

Every user edit, from the map, the inspector, the table or a menu, is a
:class:`Command` pushed on the project's :class:`CommandStack`; nothing calls
the model's mutators directly. Each command's ``undo`` restores exactly the
state before its ``do``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from planner.errors import InvalidInputError
from planner.model.events import Signal
from planner.model.nodes import Link, Node
from planner.model.project import Parameters, Project


class Command(Protocol):
    text: str

    def do(self, project: Project) -> None: ...

    def undo(self, project: Project) -> None: ...


class AddNodes:
    def __init__(self, nodes: Sequence[Node], text: str | None = None) -> None:
        self.nodes = list(nodes)
        self.text = text or (f"Add {self.nodes[0].kind.value.replace('_', ' ')}" if len(self.nodes) == 1
                             else f"Add {len(self.nodes)} nodes")

    def do(self, project: Project) -> None:
        project.add_nodes(self.nodes)

    def undo(self, project: Project) -> None:
        project.remove_nodes([n.id for n in self.nodes])


class RemoveNodes:
    def __init__(self, ids: Iterable[str], text: str | None = None) -> None:
        self.ids = list(ids)
        self.text = text or (f"Delete {self.ids[0]}" if len(self.ids) == 1 else f"Delete {len(self.ids)} nodes")
        self._removed: list[Node] = []
        self._index: dict[str, int] = {}
        self._links: list[Link] = []

    def do(self, project: Project) -> None:
        gone = set(self.ids)
        self._links = [lk for lk in project.links() if lk.from_id in gone or lk.to_id in gone]
        if self._links:
            project.remove_links([lk.id for lk in self._links])
        self._removed, self._index = project.remove_nodes(self.ids)

    def undo(self, project: Project) -> None:
        project.add_nodes(self._removed, index=self._index)
        if self._links:
            project.add_links(self._links)


class UpdateNodes:
    """Replace nodes by new versions (same ids): moves, field edits, bulk edits."""

    def __init__(self, new_nodes: Sequence[Node], text: str = "Edit") -> None:
        self.new_nodes = list(new_nodes)
        self.text = text
        self._old: list[Node] = []

    def do(self, project: Project) -> None:
        self._old = project.replace_nodes(self.new_nodes)

    def undo(self, project: Project) -> None:
        project.replace_nodes(self._old)


def move_node(project: Project, node_id: str, x: float, y: float) -> UpdateNodes:
    return UpdateNodes([project.node(node_id).moved(x, y)], text=f"Move {node_id}")


def edit_nodes(project: Project, ids: Iterable[str], **changes: Any) -> UpdateNodes:
    ids = list(ids)
    label = ", ".join(sorted(changes))
    return UpdateNodes([project.node(i).with_changes(**changes) for i in ids],
                       text=f"Set {label} on {ids[0] if len(ids) == 1 else f'{len(ids)} nodes'}")


class AddLinks:
    def __init__(self, links: Sequence[Link], text: str = "Add link") -> None:
        self.links = list(links)
        self.text = text

    def do(self, project: Project) -> None:
        for lk in self.links:
            for end in (lk.from_id, lk.to_id):
                if end not in project:
                    raise InvalidInputError(f"link {lk.id!r}: no node {end!r}")
        project.add_links(self.links)

    def undo(self, project: Project) -> None:
        project.remove_links([lk.id for lk in self.links])


class SetParameters:
    def __init__(self, parameters: Parameters, text: str = "Change project parameters") -> None:
        self.parameters = parameters
        self.text = text
        self._old: Parameters | None = None

    def do(self, project: Project) -> None:
        self._old = project.set_parameters(self.parameters)

    def undo(self, project: Project) -> None:
        assert self._old is not None
        project.set_parameters(self._old)


class SetResult:
    """Store an analysis result (a :mod:`planner.model.results` record), undoably."""

    def __init__(self, result: Any, text: str = "Apply analysis results") -> None:
        from planner.model.results import check_result

        self.result = check_result(result)
        self.text = text
        self._old: Any = None

    def do(self, project: Project) -> None:
        self._old = project.set_result(self.result)

    def undo(self, project: Project) -> None:
        if self._old is not None:
            project.set_result(self._old)
        else:
            project.clear_result(self.result.kind)


class MacroCommand:
    """Several commands as one undo step."""

    def __init__(self, commands: list[Command], text: str) -> None:
        self.commands = commands
        self.text = text

    def do(self, project: Project) -> None:
        done: list[Command] = []
        try:
            for c in self.commands:
                c.do(project)
                done.append(c)
        except BaseException:  # roll back what was done, then let the error through
            for c in reversed(done):
                c.undo(project)
            raise

    def undo(self, project: Project) -> None:
        for c in reversed(self.commands):
            c.undo(project)


class CommandStack:
    """One linear undo history per open project.

    Every state of the document the stack can reach has a number,
    :attr:`state_id` (0 before any edit; each push or :meth:`amend` makes a new
    one; undo and redo return to earlier ones). :meth:`set_clean` records the
    current one as saved; :meth:`mark_unsaved` says the document differs from
    every file on disk (a new or restored project), so it is not clean until
    the next save. Autosave compares :attr:`state_id` to know whether anything
    changed since its last write.

    Events: ``changed()`` after push/undo/redo/amend/clean, for menu enablement.
    """

    def __init__(self, project: Project, *, limit: int = 500) -> None:
        self.project = project
        self._done: list[tuple[int, Command]] = []
        self._undone: list[tuple[int, Command]] = []
        self._serial = 0
        self._clean_state: int | None = 0
        self.limit = limit
        self.changed = Signal()

    def _next_serial(self) -> int:
        self._serial += 1
        return self._serial

    @property
    def state_id(self) -> int:
        """The number of the document's current state (see the class notes)."""
        return self._done[-1][0] if self._done else 0

    def push(self, command: Command) -> None:
        command.do(self.project)  # raises before anything is recorded
        self._done.append((self._next_serial(), command))
        self._undone.clear()
        if len(self._done) > self.limit:
            self._done.pop(0)
        self.changed.emit()

    def amend(self, command: Command) -> None:
        """Do ``command`` as part of the last undo step (results derived from that edit: undoing the
        edit undoes them too). With nothing to undo, ``command`` is done without a step: it derives
        from the state the project was opened in."""
        command.do(self.project)
        if self._done:
            _serial, last = self._done[-1]
            self._done[-1] = (self._next_serial(), MacroCommand([last, command], last.text))
        elif self._clean_state == 0:
            self._clean_state = None  # the document now differs from the file it was opened from
        self.changed.emit()

    def undo(self) -> bool:
        if not self._done:
            return False
        entry = self._done.pop()
        entry[1].undo(self.project)
        self._undone.append(entry)
        self.changed.emit()
        return True

    def redo(self) -> bool:
        if not self._undone:
            return False
        entry = self._undone.pop()
        entry[1].do(self.project)
        self._done.append(entry)
        self.changed.emit()
        return True

    @property
    def can_undo(self) -> bool:
        return bool(self._done)

    @property
    def can_redo(self) -> bool:
        return bool(self._undone)

    @property
    def undo_text(self) -> str:
        return self._done[-1][1].text if self._done else ""

    @property
    def redo_text(self) -> str:
        return self._undone[-1][1].text if self._undone else ""

    def set_clean(self) -> None:
        """The current state is the one on disk (after a save)."""
        self._clean_state = self.state_id
        self.changed.emit()

    def mark_unsaved(self) -> None:
        """No state of this history is on disk (a new project, restored unsaved work)."""
        self._clean_state = None
        self.changed.emit()

    @property
    def is_clean(self) -> bool:
        return self._clean_state == self.state_id


class SetProjectSettings:
    """Change the project's name, parameters and unit-price overrides (``metadata["unit_prices"]``) in one
    undoable step (Project ▸ Properties, ``planner set``)."""

    def __init__(self, name: str, parameters: Parameters, unit_prices: dict[str, Any],
                 text: str = "Change project properties") -> None:
        self.name, self.parameters, self.unit_prices = name, parameters, dict(unit_prices)
        self.text = text
        self._old: tuple[str, Parameters, Any, bool] | None = None

    @staticmethod
    def _apply(project: Project, name: str, parameters: Parameters, prices: Any, has_prices: bool) -> None:
        project.name = name
        if has_prices:
            project.metadata["unit_prices"] = prices
        else:
            project.metadata.pop("unit_prices", None)
        project.set_parameters(parameters)  # emits changed("parameters")

    def do(self, project: Project) -> None:
        self._old = (project.name, project.parameters, project.metadata.get("unit_prices"),
                     "unit_prices" in project.metadata)
        self._apply(project, self.name, self.parameters, dict(self.unit_prices), bool(self.unit_prices))

    def undo(self, project: Project) -> None:
        assert self._old is not None
        self._apply(project, *self._old)
