"""A seeded, in-process fuzz harness for every importer and the project-file reader.

Seeds are cut from the sample data (``sample_projects/data``: Marseille quartiers and
landmarks, the SRTM tile, the camera-type library) and from a small project built from
them. Each input is a seed mutated by byte-level operators (flips, cuts, splices,
magic tokens, encodings) and structure-aware ones (JSON values replaced by values of the
wrong type, non-finite numbers, deep nesting, odd CRS members; CSV cells, headers,
delimiters, BOMs, NUL bytes; project files altered through SQL: metadata, cells, columns,
views, triggers, tables, gpkg_contents). The input then goes through the same function the
CLI uses (``workflows.import_layer``, ``workflows.new_project``, ``workflows.open_project``),
and a successful import is saved and reopened.

Outcome per input: accepted, refused (a :class:`planner.errors.PlannerError`, the contract),
or a **crash**: any other exception (or more than ``timeout_s`` in one input). Crashes are
grouped into classes by exception type and the innermost planner frame.

``python -m tests.fuzz --count 100000`` runs the long mode (see ``__main__.py``).
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import io
import json
import os
import random
import signal
import sqlite3
import tempfile
import time
import traceback
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "sample_projects" / "data"

#: Targets and the seeds each one mutates.
TARGETS = ("boundary", "districts", "streets", "priority_sites", "buildings", "privacy_masks", "dem",
           "cameras_csv", "cameras_geojson", "radio_sites", "storage_centres", "command_centres",
           "camera_types", "new_project", "project")


class Hang(Exception):
    """One input ran past the harness's time limit."""


@dataclasses.dataclass
class Crash:
    key: str
    target: str
    count: int
    example: bytes
    suffix: str
    trace: str


@dataclasses.dataclass
class Stats:
    inputs: int = 0
    accepted: int = 0
    refused: int = 0
    by_target: dict[str, int] = dataclasses.field(default_factory=dict)
    crashes: dict[str, Crash] = dataclasses.field(default_factory=dict)
    seconds: float = 0.0
    #: how often each target accepted an input, and the commonest refusals (for tuning the mutators)
    accepted_by_target: dict[str, int] = dataclasses.field(default_factory=dict)
    refusals: dict[str, int] = dataclasses.field(default_factory=dict)
    seconds_by_target: dict[str, float] = dataclasses.field(default_factory=dict)

    @property
    def crash_count(self) -> int:
        return sum(c.count for c in self.crashes.values())

    def summary(self) -> str:
        lines = [f"fuzz: {self.inputs} inputs in {self.seconds:.1f} s: {self.accepted} accepted, "
                 f"{self.refused} refused with a one-line error, {self.crash_count} crashes in "
                 f"{len(self.crashes)} crash classes"]
        for key, c in sorted(self.crashes.items(), key=lambda kv: -kv[1].count):
            lines.append(f"  [{c.count}x] {c.target}: {key}")
        return "\n".join(lines)


# ------------------------------------------------------------------ seeds
def _square_wgs(x0: float = 692000.0, y0: float = 4796000.0, size: float = 2000.0) -> Any:
    import geopandas as gpd
    import shapely

    polys = [shapely.box(x0, y0, x0 + size / 2, y0 + size), shapely.box(x0 + size / 2, y0, x0 + size, y0 + size)]
    return gpd.GeoDataFrame({"nom": ["Ouest", "Est"], "code": ["W", "E"]}, geometry=polys, crs=32631).to_crs(4326)


def build_seeds(folder: Path) -> dict[str, list[tuple[str, bytes]]]:
    """Small seeds cut from the sample data; ``{target: [(suffix, bytes), ...]}``."""
    import geopandas as gpd
    import numpy as np
    import rasterio
    import shapely
    from affine import Affine

    folder.mkdir(parents=True, exist_ok=True)
    seeds: dict[str, list[tuple[str, bytes]]] = {t: [] for t in TARGETS}
    quart = gpd.read_file(DATA / "marseille" / "quartiers_111.geojson")
    # the quartiers around the Vieux-Port: a real boundary with real districts, simplified
    centre = shapely.Point(5.37, 43.295)
    near = quart[quart.geometry.intersects(centre.buffer(0.01))].head(4).copy()
    near["geometry"] = near.geometry.simplify(0.0005)
    districts = near.to_json(drop_id=True).encode()
    boundary = gpd.GeoDataFrame({"name": ["centre"]}, geometry=[shapely.union_all(near.geometry.values)],
                                crs=4326).to_json(drop_id=True).encode()
    seeds["boundary"] = [(".geojson", boundary), (".geojson", _square_wgs().to_json(drop_id=True).encode())]
    seeds["new_project"] = list(seeds["boundary"]) + [(".geojson", districts)]
    seeds["districts"] = [(".geojson", districts)]
    lm = json.loads((DATA / "marseille" / "landmarks_113.geojson").read_text(encoding="utf-8"))
    pts = [f for f in lm["features"] if abs(f["geometry"]["coordinates"][0] - 5.37) < 0.02
           and abs(f["geometry"]["coordinates"][1] - 43.295) < 0.02][:6]
    pts_doc = json.dumps({"type": "FeatureCollection", "features": pts}).encode()
    seeds["priority_sites"] = [(".geojson", pts_doc)]
    seeds["command_centres"] = [(".geojson", json.dumps({"type": "FeatureCollection", "features": pts[:1]}).encode())]
    cams = [{"type": "Feature", "geometry": f["geometry"],
             "properties": {"name": f["properties"].get("name", "x"), "height_m": 6 + i, "azimuth_deg": 30 * i,
                            "camera_type": "bullet-1080p-4", "phase": "2016"}} for i, f in enumerate(pts)]
    seeds["cameras_geojson"] = [(".geojson", json.dumps({"type": "FeatureCollection", "features": cams}).encode())]
    rows = ["id,name,lon,lat,height_m,azimuth_deg,tilt_deg,camera_type,phase"]
    for i, f in enumerate(pts):
        lon, lat = f["geometry"]["coordinates"]
        rows.append(f"c{i},\"{f['properties'].get('name', 'x')}\",{lon},{lat},{6 + i},{45 * i},15,bullet-1080p-4,2016")
    seeds["cameras_csv"] = [(".csv", ("\n".join(rows) + "\n").encode()),
                            (".csv", ("\n".join(r.replace(",", ";") for r in rows) + "\n").encode("cp1252"))]
    seeds["radio_sites"] = [(".csv", b"name,lon,lat,height_m,freq_mhz\nsite A,5.372,43.296,30,1447\n"
                                     b"site B,5.365,43.291,25,1447\n")]
    seeds["storage_centres"] = [(".csv", b"name;longitude;latitude;capacity_tb\nS1;5.370;43.295;150\n"
                                         b"S2;5,368;43,293;300\n")]
    streets = gpd.GeoDataFrame({"name": ["La Canebiere", "Rue de Rome"], "highway": ["primary", "secondary"]},
                               geometry=[shapely.LineString([(5.370, 43.297), (5.380, 43.299)]),
                                         shapely.LineString([(5.376, 43.294), (5.378, 43.288)])], crs=4326)
    seeds["streets"] = [(".geojson", streets.to_json(drop_id=True).encode())]
    blds = gpd.GeoDataFrame({"height": ["12 m", "30"], "building:levels": [None, 4]},
                            geometry=[shapely.box(5.371, 43.294, 5.3715, 43.2945),
                                      shapely.box(5.373, 43.296, 5.3738, 43.2966)], crs=4326)
    seeds["buildings"] = [(".geojson", blds.to_json(drop_id=True).encode())]
    seeds["privacy_masks"] = [(".geojson", blds[["geometry"]].to_json(drop_id=True).encode())]
    # DEM: a crop of the SRTM tile around the centre, as a GeoTIFF (and one in an engineering CRS)
    from planner.io.raster import read_dem

    src = read_dem(DATA / "marseille" / "srtm3_N43E005.hgt.zip")
    a, _, c, _, e, f = tuple(src.transform)[:6]
    col0, row0 = int((5.30 - c) / a), int((43.35 - f) / e)
    crop = np.asarray(src.array[row0:row0 + 140, col0:col0 + 150], dtype="float32")
    for crs in ("EPSG:4326", 'LOCAL_CS["local",UNIT["metre",1]]'):
        buf = io.BytesIO()
        with rasterio.MemoryFile() as mem:
            with mem.open(driver="GTiff", width=crop.shape[1], height=crop.shape[0], count=1, dtype="float32",
                          crs=rasterio.crs.CRS.from_user_input(crs) if crs.startswith("EPSG")
                          else rasterio.crs.CRS.from_wkt(crs),
                          transform=Affine(a, 0.0, c + col0 * a, 0.0, e, f + row0 * e)) as ds:
                ds.write(crop, 1)
            buf.write(mem.read())
        seeds["dem"].append((".tif", buf.getvalue()))
    lib = json.loads((ROOT / "resources" / "camera_types.json").read_text(encoding="utf-8"))
    own = []
    for t in lib["types"][:2]:
        t = copy.deepcopy(t)
        t["id"] = "my-" + t["id"]
        own.append(t)
    seeds["camera_types"] = [(".json", json.dumps({"schema_version": 1, "types": own}).encode())]
    seeds["project"] = [(".gpkg", _seed_project_bytes(folder, boundary, districts, rows, streets))]
    return seeds


def _seed_project_bytes(folder: Path, boundary: bytes, districts: bytes, rows: list[str], streets: Any) -> bytes:
    from planner import workflows

    b = folder / "seed-boundary.geojson"
    b.write_bytes(boundary)
    d = folder / "seed-districts.geojson"
    d.write_bytes(districts)
    project = workflows.new_project("Seed", boundary=b, districts=d)
    c = folder / "seed-cams.csv"
    c.write_text("\n".join(rows) + "\n", encoding="utf-8")
    workflows.import_layer(project, "cameras", c)
    s = folder / "seed-streets.geojson"
    s.write_text(streets.to_json(drop_id=True), encoding="utf-8")
    workflows.import_layer(project, "streets", s)
    workflows.import_layer(project, "storage_centres", _write(folder / "seed-st.csv",
                                                              b"name,lon,lat,capacity_tb\nS,5.37,43.295,150\n"))
    out = folder / "seed-project.gpkg"
    workflows.save(project, out)
    return out.read_bytes()


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# ------------------------------------------------------------------ mutators
MAGIC_TEXT = ["", "-", "NaN", "nan", "inf", "-Infinity", "1e308", "-1e308", "1e-320", "0", "-0", "-1",
              "99999999999999999999999", "0x10", "1,5", "abc", "\x00", "null", "true", "[]", "{}", "\"",
              "'", ";", ",", "\t", "\n", "\r\n", "\ufeff", "é", "名", "$x$", "<script>", "=1+1", "%s%n",
              "../../etc/passwd", "A" * 300]
MAGIC_VALUES: list[Any] = [None, "", "abc", 0, -1, 1, 1e308, -1e308, 1e-320, 10 ** 30, True, False, [], {},
                           [1, 2], {"a": 1}, "NaN", "\x00x", "名前", "$\\alpha$", 3.5, -200.0, 400.0, "EPSG:0",
                           [[0, 0]], [[[0, 0], [1, 1], [0, 0]]], "1e308"]
MAGIC_NUMBERS = ["NaN", "Infinity", "-Infinity", "1e308", "-1e308", "1e400", "0", "-0.0", "180.0000001",
                 "91", "-91", "1e-320", "12345678901234567890"]


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


def mutate_bytes(rng: random.Random, data: bytes) -> bytes:
    b = bytearray(data)
    for _ in range(rng.choice((1, 1, 2, 3, 8))):
        op = rng.randrange(9)
        n = len(b)
        if n == 0:
            b += rng.randbytes(rng.randint(1, 16))
            continue
        i = rng.randrange(n)
        if op == 0:
            b[i] ^= 1 << rng.randrange(8)
        elif op == 1:
            del b[i:i + rng.randint(1, max(1, n // 8))]
        elif op == 2:
            b[i:i] = rng.randbytes(rng.randint(1, 32))
        elif op == 3:
            j = rng.randrange(n)
            b[i:i] = b[j:j + rng.randint(1, 64)]
        elif op == 4:
            del b[rng.randrange(n):]
        elif op == 5:
            b[i:i] = rng.choice(MAGIC_TEXT).encode("utf-8")
        elif op == 6:
            b[i] = rng.choice(b"\x00\xff\x7f\"',;{}[]\n")
        elif op == 7:
            j = min(n, i + rng.randint(1, 16))
            b[i:j] = rng.choice(MAGIC_NUMBERS).encode()
        else:
            b = b + b[: rng.randint(0, n)]
    return bytes(b)


def _paths(doc: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc[:50]):
            yield from _paths(v, prefix + (i,))


def _set(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    cur = doc
    for p in path[:-1]:
        cur = cur[p]
    cur[path[-1]] = value
    return doc


def _get(doc: Any, path: tuple[Any, ...]) -> Any:
    for p in path:
        doc = doc[p]
    return doc


CRS_MEMBERS: list[Any] = [{"properties": "name"}, {"type": "name", "properties": {"name": "EPSG:3857"}},
                          {"type": "name", "properties": {"name": "EPSG:0"}}, {"type": "name"}, "EPSG:4326",
                          {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32631"}},
                          {"type": "link", "properties": {"href": "http://example.com/crs"}}, [], None, 5]


def mutate_json(rng: random.Random, data: bytes) -> bytes:
    try:
        return _mutate_json(rng, data)
    except (RecursionError, ValueError):  # an earlier mutation nested it too deeply to walk: bytes then
        return mutate_bytes(rng, data)


def _mutate_json(rng: random.Random, data: bytes) -> bytes:
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError):
        return mutate_bytes(rng, data)
    special: str | None = None
    for _ in range(rng.choice((1, 1, 2, 3))):
        paths = list(_paths(doc))
        path = rng.choice(paths)
        op = rng.randrange(10)
        try:
            target = _get(doc, path)
        except (KeyError, IndexError, TypeError):
            continue
        if op <= 2:
            doc = _set(doc, path, copy.deepcopy(rng.choice(MAGIC_VALUES)))
        elif op == 3 and isinstance(target, dict) and target:
            del target[rng.choice(list(target))]
        elif op == 4 and isinstance(target, list) and target:
            if rng.random() < 0.5:
                target.append(copy.deepcopy(rng.choice(target)))
            else:
                del target[rng.randrange(len(target))]
        elif op == 5 and isinstance(target, (int, float)) and not isinstance(target, bool):
            doc = _set(doc, path, rng.choice([target * 1e6, -target, target + 180, target * 1e-9, 0.0]))
        elif op == 6 and isinstance(target, list) and len(target) == 2 and all(
                isinstance(v, (int, float)) for v in target):
            target.reverse()  # swap lon/lat
        elif op == 7 and isinstance(doc, dict):
            doc["crs"] = copy.deepcopy(rng.choice(CRS_MEMBERS))
        elif op == 8 and isinstance(target, dict) and rng.random() < 0.7:
            key = rng.choice(["fid", "geom", "NAME", "Name", "id", "height_m", "camera_type", "FID", "ogc_fid",
                              "name", "type", "geometry", "properties", "x", "y", "\x00", ""])
            target[key] = copy.deepcopy(rng.choice(MAGIC_VALUES))
        elif op == 9 and rng.random() < 0.5:
            special = rng.choice(["nan", "nan", "deep", "big"])
            doc = _set(doc, path, "__SPECIAL__")
    text = json.dumps(doc, ensure_ascii=rng.random() < 0.5)
    if special == "nan":
        text = text.replace('"__SPECIAL__"', rng.choice(["NaN", "Infinity", "-Infinity"]))
    elif special == "deep":
        text = text.replace('"__SPECIAL__"', _deep(rng.choice([50, 1000, 100_000])))
    elif special == "big":
        text = text.replace('"__SPECIAL__"', rng.choice(["1e400", "-1e400", "9" * 400]))
    out = text.encode("utf-8")
    if rng.random() < 0.15:
        out = mutate_bytes(rng, out)
    return out


def mutate_csv(rng: random.Random, data: bytes) -> bytes:
    text = data.decode("utf-8", errors="replace") if rng.random() < 0.9 else data.decode("latin-1")
    delim = ";" if text.count(";") > text.count(",") else ","
    rows = [r.split(delim) for r in text.splitlines()]
    for _ in range(rng.choice((1, 1, 2, 4))):
        op = rng.randrange(9)
        if not rows:
            rows = [["lon", "lat"]]
        r = rng.randrange(len(rows))
        if op <= 2 and rows[r]:
            rows[r][rng.randrange(len(rows[r]))] = rng.choice(MAGIC_TEXT)
        elif op == 3:
            rows.append(list(rng.choice(rows)))
        elif op == 4 and len(rows) > 1:
            del rows[rng.randrange(1, len(rows))]
        elif op == 5:
            rows[0].append(rng.choice(["fid", "geom", "NAME", "name", "id", "height_m", "x", "y", "lon", ""]))
            for row in rows[1:]:
                row.append(rng.choice(MAGIC_TEXT[:12] + ["5", "7"]))
        elif op == 6:
            rows[0] = [rng.choice(["lon", "lat", "x", "y", "easting", "LAT", "Longitude", c]) for c in rows[0]]
        elif op == 7 and rows[r]:
            del rows[r][rng.randrange(len(rows[r]))]
        else:
            delim = rng.choice([",", ";", "\t", "|", " "])
    out_text = "\n".join(delim.join(row) for row in rows) + rng.choice(["\n", "", "\r\n"])
    enc = rng.choices(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252"], weights=[6, 2, 2, 1, 1])[0]
    out = out_text.encode(enc, errors="replace")
    if rng.random() < 0.2:
        out = mutate_bytes(rng, out)
    return out


def mutate_project(rng: random.Random, data: bytes, work: Path) -> bytes:
    """Alter a project GeoPackage through SQL (or its bytes)."""
    if rng.random() < 0.2:
        return mutate_bytes(rng, data)
    p = work / "mut.gpkg"
    p.write_bytes(data)
    con = sqlite3.connect(p)
    con.create_function("ST_IsEmpty", 1, lambda g: 0)  # GDAL's R-tree triggers call SpatiaLite functions
    for f in ("ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY"):
        con.create_function(f, 1, lambda g: 0.0)
    try:
        tables = [r[0] for r in con.execute("SELECT table_name FROM gpkg_contents")]
        for _ in range(rng.choice((1, 1, 2, 3))):
            op = rng.randrange(12)
            try:
                if op <= 3:
                    key = rng.choice([r[0] for r in con.execute("SELECT key FROM planner_metadata")] + ["extra"])
                    row = con.execute("SELECT value FROM planner_metadata WHERE key=?", (key,)).fetchone()
                    value = mutate_json(rng, row[0].encode()).decode("utf-8", "replace") if row and \
                        rng.random() < 0.7 else rng.choice(
                            ["[]", "\"x\"", "1", "null", "NaN", _deep(100_000), "{\"a\": NaN}", "{}", "not json"])
                    con.execute("INSERT OR REPLACE INTO planner_metadata (key, value) VALUES (?, ?)", (key, value))
                elif op <= 6:
                    t = rng.choice(tables)
                    cols = [r[1] for r in con.execute(f'PRAGMA table_info("{t}")')]
                    if cols:
                        c = rng.choice(cols)
                        v = rng.choice([None, "abc", -1, 1e308, 0, "", b"\x00\x01", "[1,2]", _deep(2000), 10 ** 18,
                                        "{\"kind\": 5}", "[{\"kind\": \"record\", \"fps\": \"x\"}]"])
                        con.execute(f'UPDATE "{t}" SET "{c}" = ? WHERE rowid IN (SELECT rowid FROM "{t}" '
                                    "ORDER BY random() LIMIT 1)", (v,))
                elif op == 7:
                    t = rng.choice(tables)
                    con.execute(f'ALTER TABLE "{t}" ADD COLUMN "{rng.choice(["extra", "fid2", "NAME", "x"])}" TEXT')
                elif op == 8:
                    con.execute(rng.choice([
                        "CREATE VIEW v AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM r) "
                        "SELECT n FROM r",
                        "CREATE TABLE extra_table (a)",
                        "CREATE TRIGGER t AFTER INSERT ON planner_metadata BEGIN DELETE FROM cameras; END",
                    ]))
                    if rng.random() < 0.5:
                        con.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier) "
                                    "SELECT name, 'features', name FROM sqlite_master WHERE name IN ('v', "
                                    "'extra_table')")
                elif op == 9:
                    con.execute("DELETE FROM gpkg_contents WHERE table_name = ?", (rng.choice(tables),))
                elif op == 10:
                    t = rng.choice(tables)
                    con.execute(f'DELETE FROM "{t}" WHERE rowid IN (SELECT rowid FROM "{t}" ORDER BY random() '
                                "LIMIT 1)")
                else:
                    con.execute("UPDATE gpkg_contents SET data_type = ? WHERE table_name = ?",
                                (rng.choice(["tiles", "attributes", "x"]), rng.choice(tables)))
            except sqlite3.Error:
                pass
        con.commit()
    finally:
        con.close()
    return p.read_bytes()


# ------------------------------------------------------------------ runs
@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    def on_alarm(signum: int, frame: Any) -> None:
        raise Hang(f"over {seconds:g} s")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _crash_key(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    mine = [f for f in frames if "/planner/" in f.filename.replace("\\", "/")]
    f = (mine or frames or [None])[-1]
    where = f"{Path(f.filename).name}:{f.lineno} {f.name}" if f else "?"
    return f"{type(exc).__name__} at {where}"


class Fuzzer:
    """Holds the seeds, a base project and a work folder; :meth:`run` feeds mutated inputs."""

    def __init__(self, work: Path, *, seed: int = 0, timeout_s: float = 20.0, save_every: int = 1,
                 crash_dir: Path | None = None) -> None:
        from planner import workflows

        self.work = work
        self.crash_dir = crash_dir
        self.rng = random.Random(seed)
        self.timeout_s = timeout_s
        self.save_every = save_every
        self.seeds = build_seeds(work / "seeds")
        seed_project = work / "seeds" / "seed-project.gpkg"
        self.base = workflows.open_project(seed_project)
        self.stats = Stats()

    def _mutate(self, target: str, suffix: str, data: bytes) -> bytes:
        rng = self.rng
        if target == "project":
            return mutate_project(rng, data, self.work)
        if suffix == ".csv":
            return mutate_csv(rng, data) if rng.random() < 0.8 else mutate_bytes(rng, data)
        if suffix in (".geojson", ".json"):
            return mutate_json(rng, data) if rng.random() < 0.8 else mutate_bytes(rng, data)
        return mutate_bytes(rng, data)

    def one(self, target: str) -> None:
        suffix, data = self.rng.choice(self.seeds[target])
        blob = self._mutate(target, suffix, data)
        path = self.work / f"input{suffix}"
        path.write_bytes(blob)
        self.stats.inputs += 1
        self.stats.by_target[target] = self.stats.by_target.get(target, 0) + 1
        t0 = time.perf_counter()
        try:
            self._one(target, suffix, path, blob)
        finally:
            self.stats.seconds_by_target[target] = (self.stats.seconds_by_target.get(target, 0.0)
                                                    + time.perf_counter() - t0)

    def _one(self, target: str, suffix: str, path: Path, blob: bytes) -> None:
        try:
            with _time_limit(self.timeout_s), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self._exercise(target, path)
            self.stats.accepted += 1
            self.stats.accepted_by_target[target] = self.stats.accepted_by_target.get(target, 0) + 1
        except Exception as exc:  # the point: classify everything
            from planner.errors import PlannerError

            if isinstance(exc, PlannerError) and not isinstance(exc, Hang):
                msg = str(exc)
                if "\n" in msg.strip() or not msg.strip():
                    self._crash(target, suffix, blob, exc, key=f"multi-line or empty message from "
                                                               f"{type(exc).__name__}")
                else:
                    self.stats.refused += 1
                    import re

                    reason = f"{target}: " + re.sub(r"`[^`]*`|'[^']*'|\"[^\"]*\"|[0-9.e+-]+", "_", msg)[:90]
                    self.stats.refusals[reason] = self.stats.refusals.get(reason, 0) + 1
                return
            self._crash(target, suffix, blob, exc)

    def _crash(self, target: str, suffix: str, blob: bytes, exc: BaseException, key: str | None = None) -> None:
        key = key or _crash_key(exc)
        c = self.stats.crashes.get(key)
        if c is None:
            c = self.stats.crashes[key] = Crash(key, target, 1, blob, suffix,
                                                "".join(traceback.format_exception(exc))[-3000:])
            if self.crash_dir is not None:  # written at once, so a long run that is stopped keeps them
                i = len(self.stats.crashes) - 1
                self.crash_dir.mkdir(parents=True, exist_ok=True)
                (self.crash_dir / f"crash-{i:03d}-{target}{suffix}").write_bytes(blob)
                (self.crash_dir / f"crash-{i:03d}-{target}.txt").write_text(key + "\n\n" + c.trace, encoding="utf-8")
        else:
            c.count += 1

    def _exercise(self, target: str, path: Path) -> None:
        from planner import workflows

        if target == "project":
            p = workflows.open_project(path)
            workflows.info(p, path=path)
            if self.stats.inputs % self.save_every == 0:
                workflows.save(p, self.work / "resaved.gpkg")
            return
        if target == "new_project":
            p = workflows.new_project("Fuzz", boundary=path)
            workflows.info(p)
            self._save_and_reopen(p)
            return
        kind = {"cameras_csv": "cameras", "cameras_geojson": "cameras"}.get(target, target)
        project = self.base.snapshot()
        workflows.import_layer(project, kind, path)
        workflows.info(project)
        if self.stats.inputs % self.save_every == 0:
            self._save_and_reopen(project)

    def _save_and_reopen(self, project: Any) -> None:
        from planner import workflows

        out = self.work / "saved.gpkg"
        workflows.save(project, out)
        workflows.open_project(out)

    def run(self, count: int, *, targets: tuple[str, ...] = TARGETS,
            progress: Callable[[Stats], None] | None = None, every: int = 1000) -> Stats:
        t0 = time.perf_counter()
        for i in range(count):
            self.one(targets[i % len(targets)])
            if progress is not None and (i + 1) % every == 0:
                self.stats.seconds = time.perf_counter() - t0
                progress(self.stats)
        self.stats.seconds = time.perf_counter() - t0
        return self.stats


def run_fuzz(count: int, *, seed: int = 0, targets: tuple[str, ...] = TARGETS, save_every: int = 1,
             progress: Callable[[Stats], None] | None = None, every: int = 1000,
             crash_dir: Path | None = None) -> Stats:
    """Run ``count`` inputs (round-robin over ``targets``) and return the statistics."""
    with tempfile.TemporaryDirectory(prefix="planner-fuzz-") as tmp:
        fz = Fuzzer(Path(tmp), seed=seed, save_every=save_every, crash_dir=crash_dir)
        stats = fz.run(count, targets=targets, progress=progress, every=every)
    return stats


__all__ = ["Fuzzer", "Stats", "TARGETS", "build_seeds", "mutate_bytes", "mutate_csv", "mutate_json",
           "mutate_project", "run_fuzz"]

if os.environ.get("PLANNER_FUZZ_DEBUG"):  # pragma: no cover
    print("fuzz harness loaded from", __file__)
