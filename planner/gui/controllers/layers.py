"""The map's layers: building them from the project, their order, visibility and opacity, raster
overlays, the basemap and the legend (the layer panel is the view of this state)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QGraphicsItem

from planner.errors import PlannerError
from planner.gui.map import project_layers as pl
from planner.gui.map.canvas import MapCanvas
from planner.gui.map.layers import LegendEntry
from planner.gui.map.node_layer import NodeLayerItem
from planner.gui.panels.layers_panel import LayersPanel
from planner.model.project import Project
from planner.model.results import ResultKind, document_of

NODE_LAYERS = ("cameras", "radio_sites", "centres")
#: Layers drawn from analysis results (rebuilt when the results change).
DERIVED = ("coverage", "links", "priority_sites", "radio_throughput")


class LayerManager:
    """Owns the scene's layer items; ``on_error(text)`` reports unreadable overlays."""

    def __init__(self, canvas: MapCanvas, panel: LayersPanel, on_error: Callable[[str], None],
                 draw_later: Callable[[Any], None] | None = None) -> None:
        self.canvas = canvas
        #: ``draw_later(record)`` makes a coverage record's polygons and paths off the GUI thread, then
        #: rebuilds the layer; without it they are made here
        self.draw_later = draw_later
        self.panel = panel
        self.on_error = on_error
        self.project: Project | None = None
        self.items: dict[str, QGraphicsItem] = {}
        self.order: list[str] = []  # top to bottom
        self.hidden: set[str] = set()
        self.opacities: dict[str, float] = {}
        self.overlays: dict[str, QGraphicsItem] = {}
        self.basemap: QGraphicsItem | None = None
        self._coverage_paths: list[tuple[Any, Any]] = []
        self._built_from: dict[str, tuple[Any, ...]] = {}
        panel.visibility_changed.connect(self.on_visibility)
        panel.order_changed.connect(self.on_order)
        panel.opacity_changed.connect(self.on_opacity)

    # -- project
    def set_project(self, project: Project) -> None:
        """Forget the previous project's overlays, basemap and layer state; build ``project``'s layers."""
        self.project = project
        self._coverage_paths = []
        self._built_from = {}
        for item in list(self.overlays.values()):
            self.canvas.scene().removeItem(item)
        self.overlays = {}
        if self.basemap is not None:
            self.canvas.scene().removeItem(self.basemap)
            self.basemap = None
        self.order = []
        self.hidden = set()
        self.rebuild()

    def rebuild(self) -> None:
        p = self.project
        assert p is not None
        scene = self.canvas.scene()
        self._built_from = {}
        for key, item in list(self.items.items()):
            if key not in NODE_LAYERS:
                scene.removeItem(item)
                del self.items[key]
        built: dict[str, QGraphicsItem | None] = {
            "study_area": pl.study_area_item(p),
            "hillshade": pl.hillshade_item(p),
            "buildings": pl.buildings_item(p),
            "streets": pl.streets_item(p),
            "coverage": self._coverage_item(p),
            "radio_throughput": pl.radio_item(p),
            "links": pl.links_item(p),
            "priority_sites": pl.priority_item(p),
        }
        districts, labels = pl.districts_item(p)
        built["districts"] = districts
        built["district_labels"] = labels
        if not self.items.get("cameras"):
            for key, item in pl.node_items().items():
                self.items[key] = item
                scene.addItem(item)
        for key, built_item in built.items():
            if built_item is not None:
                self.items[key] = built_item
                scene.addItem(built_item)
        self.canvas.node_layers = [self.items[k] for k in ("radio_sites", "centres", "cameras")]  # type: ignore[misc]
        self.apply_state()

    def node_layers(self) -> list[NodeLayerItem]:
        return [self.items[k] for k in NODE_LAYERS]  # type: ignore[misc]

    # -- coverage drawing (paths built off the GUI thread)
    def _coverage_item(self, p: Project) -> QGraphicsItem | None:
        rec = p.result(ResultKind.COVERAGE)
        if rec is not None and not rec.has_polygons and rec.can_draw and self.draw_later is not None:
            self.draw_later(rec)  # a stored coverage raster: its polygons are made in the background
            return None
        gdf = rec.polygons if rec is not None else None
        built = next((b for g, b in self._coverage_paths if g is gdf), None)
        if built is None and gdf is not None:
            built = pl.coverage_paths(gdf)
            self.remember_coverage_paths(gdf, built)
        return pl.coverage_item(p, built=built) if built is not None else None

    def remember_coverage_paths(self, gdf: Any, built: Any) -> None:
        """Keep the paths drawn from ``gdf`` (the current and two previous: undo and redo redraw at once)."""
        self._coverage_paths = [(g, b) for g, b in self._coverage_paths if g is not gdf][-2:] + [(gdf, built)]

    def _inputs(self, key: str, p: Project) -> tuple[Any, ...]:
        """The results a derived layer is drawn from (compared by identity to skip needless rebuilds)."""
        cov = p.result(ResultKind.COVERAGE)
        return {"coverage": ((cov.cached_polygons if cov.has_polygons else cov) if cov is not None else None,), "links": (p.result(ResultKind.NETWORK),),
                "priority_sites": (cov.document if cov is not None else None,),
                "radio_throughput": (p.result(ResultKind.RADIO),)}[key]

    def rebuild_some(self, keys: list[str] | tuple[str, ...], *, if_changed: bool = False) -> None:
        """Rebuild derived layers; with ``if_changed``, only those whose results changed."""
        p = self.project
        assert p is not None
        builders = {"coverage": self._coverage_item, "links": pl.links_item, "priority_sites": pl.priority_item,
                    "radio_throughput": pl.radio_item}
        scene = self.canvas.scene()
        before = set(self.items)
        for key in keys:
            inputs = self._inputs(key, p)
            built = self._built_from.get(key)
            if if_changed and built is not None and len(built) == len(inputs) and \
                    all(a is b for a, b in zip(built, inputs, strict=True)):
                continue
            self._built_from[key] = inputs
            old = self.items.pop(key, None)
            if old is not None:
                scene.removeItem(old)
            item = builders[key](p)
            if item is not None:
                self.items[key] = item
                scene.addItem(item)
                if set(self.items) == before:  # same layers: place the new item, keep the panel
                    self._place(key, item)
        if set(self.items) != before:
            self.apply_state()
        else:
            self.canvas.viewport().update()

    def apply_network_overlay(self) -> None:
        """Colour radio sectors by the load of the stored network result."""
        net = (document_of(self.project, ResultKind.NETWORK) if self.project else None) or {}
        radio = self.items.get("radio_sites")
        if isinstance(radio, NodeLayerItem):
            radio.sector_load = {(s["site_id"], int(s["sector"])): float(s["utilisation"])
                                 for s in net.get("sectors", [])}
            radio.update()

    # -- order, visibility, opacity
    def _place(self, key: str, item: QGraphicsItem) -> None:
        n = len(self.order)
        i = self.order.index(key) if key in self.order else n
        item.setZValue(n - i)
        item.setVisible(key not in self.hidden)
        if key in self.opacities:
            item.setOpacity(self.opacities[key])

    def _all_keys(self) -> list[str]:
        keys = [k for k, _ in reversed(pl.LAYER_ORDER) if k in self.items]
        ordered = [k for k in self.order if k in self.items or k in self.overlays or
                   (k == "basemap" and self.basemap is not None)]
        default = [d for d, _ in reversed(pl.LAYER_ORDER)]
        for k in keys + list(self.overlays) + (["basemap"] if self.basemap is not None else []):
            if k in ordered:
                continue
            if k in self.overlays or k == "basemap":
                ordered.append(k)
                continue
            pos = len(ordered)  # at its default position relative to the others
            for i, o in enumerate(ordered):
                if o in default and default.index(o) > default.index(k):
                    pos = i
                    break
            ordered.insert(pos, k)
        return ordered

    def item(self, key: str) -> QGraphicsItem | None:
        if key == "basemap":
            return self.basemap
        return self.items.get(key) or self.overlays.get(key)

    def apply_state(self) -> None:
        self.order = self._all_keys()
        n = len(self.order)
        rows = []
        for i, key in enumerate(self.order):
            item = self.item(key)
            if item is None:
                continue
            item.setZValue(n - i)
            item.setVisible(key not in self.hidden)
            if key in self.opacities:
                item.setOpacity(self.opacities[key])
            rows.append((key, getattr(item, "title", key), key not in self.hidden, item.opacity()))
        self.panel.set_layers(rows)
        self.canvas.viewport().update()

    def on_visibility(self, key: str, visible: bool) -> None:
        (self.hidden.discard if visible else self.hidden.add)(key)
        item = self.item(key)
        if item is not None:
            item.setVisible(visible)
        self.canvas.viewport().update()

    def on_order(self, keys: list[str]) -> None:
        self.order = list(keys)
        n = len(keys)
        for i, key in enumerate(keys):
            item = self.item(key)
            if item is not None:
                item.setZValue(n - i)
        self.canvas.viewport().update()

    def on_opacity(self, key: str, value: float) -> None:
        self.opacities[key] = value
        item = self.item(key)
        if item is not None:
            item.setOpacity(value)

    def set_visible(self, key: str, visible: bool) -> None:
        self.panel.set_checked(key, visible)
        self.on_visibility(key, visible)

    def set_hidden_phases(self, hidden: set[str]) -> None:
        for key in NODE_LAYERS:
            item = self.items.get(key)
            if isinstance(item, NodeLayerItem):
                item.set_hidden_phases(hidden)
        self.canvas.viewport().update()

    def legend_entries(self) -> list[LegendEntry]:
        out: list[LegendEntry] = []
        for key in self.order:
            item = self.item(key)
            if item is None or not item.isVisible() or key in self.hidden:
                continue
            out.extend(getattr(item, "legend", lambda: [])())
        return out

    # -- overlays and basemap
    def add_overlay(self, path: str | os.PathLike[str]) -> bool:
        if self.project is None:
            return False
        from planner.gui.map.overlays import load_raster_overlay

        try:
            item = load_raster_overlay(path, self.project.crs)
        except PlannerError as exc:
            self.on_error(str(exc))
            return False
        except Exception as exc:  # GDAL errors on odd files
            self.on_error(f"Could not read {Path(path).name}: {exc}")
            return False
        self.overlays[item.key] = item
        self.canvas.scene().addItem(item)
        self.apply_state()
        return True

    def enable_basemap(self, on: bool, tiles_dir: Path) -> None:
        if self.project is None:
            return
        if on and self.basemap is None:
            from planner.gui.map.overlays import ATTRIBUTION, BasemapItem

            self.basemap = BasemapItem(self.project.crs, tiles_dir)
            self.canvas.scene().addItem(self.basemap)
            self.canvas.attribution = ATTRIBUTION
            self.opacities.setdefault("basemap", 0.85)
            self.opacities.setdefault("study_area", 0.35)
        elif not on and self.basemap is not None:
            self.canvas.scene().removeItem(self.basemap)
            self.basemap = None
            self.canvas.attribution = ""
            self.opacities.pop("study_area", None)
            sa = self.items.get("study_area")
            if sa is not None:
                sa.setOpacity(1.0)
        self.apply_state()
