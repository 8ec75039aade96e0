"""File ▸ New…: a project from a boundary file, with optional districts.

The dialog only gathers the inputs of :func:`planner.workflows.new_project`
(the project name, the boundary file whose union becomes the study area, an
optional districts file and the field holding the district names); the main
window creates the project off the GUI thread and then asks where to save it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

VECTOR_FILTER = "Vector files (*.gpkg *.geojson *.json *.shp *.kml *.zip);;All files (*)"


@dataclass(frozen=True)
class NewProjectRequest:
    """What :func:`planner.workflows.new_project` needs, as entered in the dialog."""

    name: str
    boundary: Path
    districts: Path | None = None
    name_field: str | None = None


class NewProjectDialog(QDialog):
    """Project name, boundary file, optional districts file and district name field."""

    def __init__(self, parent: QWidget | None = None, *, start_dir: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("New project")
        self.setMinimumWidth(520)
        self.start_dir = start_dir
        lay = QVBoxLayout(self)
        intro = QLabel("The study area is the union of the boundary file's polygons; the project gets the "
                       "UTM zone of its centre as its coordinate system.")
        intro.setWordWrap(True)
        lay.addWidget(intro)
        form = QFormLayout()
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("e.g. Santiago centre, phase 1")
        form.addRow("Project name", self.name_edit)
        self.boundary_edit, row = self._file_row("Choose the study area boundary")
        form.addRow("Boundary file", row)
        self.districts_edit, row = self._file_row("Choose the districts (optional)")
        self.districts_edit.setPlaceholderText("optional: polygons with a name per district")
        form.addRow("Districts file", row)
        self.name_field_edit = QLineEdit()
        self.name_field_edit.setPlaceholderText("optional: detected (name, nom, nombre, …)")
        form.addRow("District name field", self.name_field_edit)
        lay.addLayout(form)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        lay.addWidget(self.message)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Create")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.boundary_edit.textChanged.connect(self._on_boundary_changed)

    def _file_row(self, title: str) -> tuple[QLineEdit, QWidget]:
        edit = QLineEdit()
        browse = QPushButton("Browse…")
        browse.clicked.connect(lambda: self._browse(edit, title))
        row = QWidget()
        h = QHBoxLayout(row)
        h.setContentsMargins(0, 0, 0, 0)
        h.addWidget(edit, 1)
        h.addWidget(browse)
        return edit, row

    def _browse(self, edit: QLineEdit, title: str) -> None:
        start = edit.text() or self.start_dir
        p, _ = QFileDialog.getOpenFileName(self, title, start, VECTOR_FILTER)
        if p:
            edit.setText(p)

    def _on_boundary_changed(self, text: str) -> None:
        # suggest a name from the file until the user types one
        if text and (not self.name_edit.text() or self.name_edit.property("suggested")):
            stem = Path(text).stem.replace("_", " ").replace("-", " ").strip()
            self.name_edit.setText(stem[:1].upper() + stem[1:])
            self.name_edit.setProperty("suggested", True)

    def request(self) -> NewProjectRequest:
        """The entered values; raises ValueError with a message for the user when one is missing or wrong."""
        name = self.name_edit.text().strip()
        boundary = self.boundary_edit.text().strip()
        districts = self.districts_edit.text().strip()
        if not name:
            raise ValueError("Give the project a name.")
        if not boundary:
            raise ValueError("Choose a boundary file (the study area).")
        if not Path(boundary).exists():
            raise ValueError(f"The boundary file {boundary} does not exist.")
        if districts and not Path(districts).exists():
            raise ValueError(f"The districts file {districts} does not exist.")
        return NewProjectRequest(name=name, boundary=Path(boundary), districts=Path(districts) if districts else None,
                                 name_field=self.name_field_edit.text().strip() or None)

    def accept(self) -> None:
        try:
            self.request()
        except ValueError as exc:
            self.message.setText(str(exc))
            return
        super().accept()
