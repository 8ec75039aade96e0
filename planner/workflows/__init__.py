"""Use-cases shared by the CLI and the GUI (the layer between them and analysis/io).

* :mod:`~planner.workflows.project`: create, open, import, inspect, save;
* :mod:`~planner.workflows.validate`: every problem of a project at once;
* :mod:`~planner.workflows.reports`: the analyses as reports and their results, the main job;
* :mod:`~planner.workflows.export`: plans to hand over (imported on demand: ``from planner.workflows import
  export``).

``from planner import workflows`` gives the names of the first three, as before the split.
"""

from __future__ import annotations

from planner.workflows.project import (
    CODE_FIELDS,
    LAYER_KINDS,
    NAME_FIELDS,
    NODE_ALIASES,
    NODE_LAYER_KINDS,
    OUTSIDE_LIMIT_M,
    ImportSummary,
    check_project_metadata,
    derive_blocks,
    districts_from,
    format_info,
    import_camera_types,
    import_layer,
    info,
    new_project,
    nodes_from_table,
    open_project,
    project_camera_type_ids,
    read_boundary,
    read_dem_for_project,
    save,
)
from planner.workflows.reports import (
    ANALYSES,
    apply_result,
    coverage_record,
    coverage_report,
    format_network,
    format_summary,
    network_record,
    network_report,
    radio_map_report,
    radio_record,
    run_all,
    write_raster,
    write_summary,
)
from planner.workflows.validate import Issue, validate

__all__ = [
    "ANALYSES", "CODE_FIELDS", "ImportSummary", "Issue", "LAYER_KINDS", "NAME_FIELDS", "NODE_ALIASES",
    "NODE_LAYER_KINDS", "OUTSIDE_LIMIT_M", "apply_result", "check_project_metadata", "coverage_record",
    "coverage_report", "derive_blocks", "districts_from", "format_info", "format_network", "format_summary",
    "import_camera_types", "import_layer", "info", "network_record", "network_report", "new_project",
    "nodes_from_table", "open_project", "project_camera_type_ids", "radio_map_report", "radio_record",
    "read_boundary", "read_dem_for_project", "run_all", "save", "validate", "write_raster", "write_summary",
]
