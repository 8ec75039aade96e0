"""User preferences of the desktop app (recent files, basemap): one small dataclass, no Qt.

Stored as JSON in the user config folder (``platformdirs``), or in
``$PLANNER_CONFIG_DIR`` when set (tests set it, so they never touch the real one).
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PREFS_VERSION = 1
MAX_RECENT = 10


def config_dir() -> Path:
    env = os.environ.get("PLANNER_CONFIG_DIR")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_config_dir("planner", appauthor=False))


def cache_dir() -> Path:
    env = os.environ.get("PLANNER_CONFIG_DIR")
    if env:
        return Path(env) / "cache"
    import platformdirs

    return Path(platformdirs.user_cache_dir("planner", appauthor=False))


@dataclass
class Preferences:
    """What the app remembers between sessions."""

    recent_files: list[str] = field(default_factory=list)
    basemap: bool = False  # OpenStreetMap tiles; off by default (and in tests)
    autosave_seconds: int = 60
    last_dir: str = ""
    schema_version: int = PREFS_VERSION

    def add_recent(self, path: str | os.PathLike[str]) -> None:
        p = str(Path(path).resolve())
        self.recent_files = [p] + [r for r in self.recent_files if r != p]
        del self.recent_files[MAX_RECENT:]

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Preferences:
        known = {f.name for f in dataclasses.fields(cls)}
        prefs = cls(**{k: v for k, v in d.items() if k in known})
        prefs.recent_files = [str(r) for r in prefs.recent_files if isinstance(r, str)][:MAX_RECENT]
        prefs.basemap = bool(prefs.basemap)
        prefs.autosave_seconds = max(10, int(prefs.autosave_seconds))
        return prefs


def prefs_path() -> Path:
    return config_dir() / "preferences.json"


def load_preferences() -> Preferences:
    """The saved preferences, or defaults if the file is missing or unreadable."""
    path = prefs_path()
    try:
        return Preferences.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return Preferences()


def save_preferences(prefs: Preferences) -> None:
    path = prefs_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(prefs.to_dict(), indent=2), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:  # preferences are a convenience; never fail the app for them
        pass
