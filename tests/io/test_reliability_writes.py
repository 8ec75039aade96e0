"""Writes never destroy or lose data: targets, links, read-only files, temp files, full disks, locks, signals."""

from __future__ import annotations

import errno
import os
import signal
import socket
import stat
import subprocess
import sys
import textwrap
import time
import zlib
from pathlib import Path

import pytest

from planner.cli.main import main
from planner.errors import DiskFullError, InvalidInputError, ProjectBusyError, ProjectChangedError
from planner.io import atomic, project_file
from planner.io.project_file import load_project, save_project
from planner.model.nodes import Camera
from planner.workflows import export as exports
from tests.conftest import ROOT

PY = sys.executable


def _temps(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if atomic.TEMP_MARKER in p.name or ".tmp" in p.name)


# ------------------------------------------------------------ 11.1 targets
def test_export_to_a_device_is_refused_and_the_device_survives(small_project, capsys) -> None:
    before = os.stat("/dev/full")
    with pytest.raises(InvalidInputError, match="character device"):
        exports.export_all(small_project, "/dev/full", "geojson")
    after = os.stat("/dev/full")
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev


def test_cli_export_to_dev_full_exits_2(tmp_path, capsys) -> None:
    sample = str(ROOT / "sample_projects" / "santiago.gpkg")
    assert main(["export", sample, "--format", "geojson", "--out", "/dev/full"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "character device" in err[0]
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_fifo_socket_and_folder_targets_are_refused(small_project, tmp_path) -> None:
    fifo = tmp_path / "pipe.gpkg"
    os.mkfifo(fifo)
    sock_path = tmp_path / "s.gpkg"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(sock_path))
    folder = tmp_path / "dir.gpkg"
    folder.mkdir()
    try:
        for target, word in ((fifo, "FIFO"), (sock_path, "socket"), (folder, "folder")):
            with pytest.raises(InvalidInputError, match=word):
                save_project(small_project, target)
            with pytest.raises(InvalidInputError):
                exports.export_all(small_project, target.with_suffix(".gpkg"), "csv")
        assert stat.S_ISFIFO(os.stat(fifo).st_mode) and stat.S_ISSOCK(os.stat(sock_path).st_mode)
        assert folder.is_dir() and list(folder.iterdir()) == []
    finally:
        sock.close()


# ------------------------------------------------------------ 11.3 links, read-only
def test_save_through_a_symlink_updates_the_target_and_keeps_the_link(small_project, tmp_path) -> None:
    real = save_project(small_project, tmp_path / "real.gpkg")
    link = tmp_path / "link.gpkg"
    link.symlink_to(real.name)
    small_project.add_nodes([Camera(id="cam-0077", x=692100.0, y=4796100.0)])
    save_project(small_project, link)
    assert link.is_symlink() and os.readlink(link) == "real.gpkg"
    assert "cam-0077" in load_project(real)
    assert _temps(tmp_path) == []


def test_export_through_a_symlink_writes_the_target(small_project, tmp_path) -> None:
    real = tmp_path / "bom.csv"
    real.write_text("old")
    link = tmp_path / "bom-link.csv"
    link.symlink_to(real)
    exports.export_all(small_project, link, "csv")
    assert link.is_symlink() and real.read_text(encoding="utf-8-sig") != "old"


def test_read_only_project_is_refused_not_replaced(small_project, tmp_path) -> None:
    path = save_project(small_project, tmp_path / "p.gpkg")
    before = path.read_bytes()
    path.chmod(0o444)
    small_project.add_nodes([Camera(id="cam-0078", x=692100.0, y=4796100.0)])
    with pytest.raises(InvalidInputError, match="read-only"):
        save_project(small_project, path)
    assert path.read_bytes() == before and stat.S_IMODE(path.stat().st_mode) == 0o444


# ------------------------------------------------------------ 11.4 temp files
def _dead_pid() -> int:
    p = subprocess.Popen([PY, "-c", "pass"])
    p.wait()
    return p.pid


def test_temp_files_are_recognisable_and_stale_ones_cleaned(small_project, tmp_path) -> None:
    path = save_project(small_project, tmp_path / "p.gpkg")
    dead = _dead_pid()
    stale = tmp_path / f".p.gpkg.{dead}-0123abcd{atomic.TEMP_MARKER}.gpkg"
    stale.write_bytes(b"x" * 1000)
    live = tmp_path / f".p.gpkg.{os.getppid()}-89abcdef{atomic.TEMP_MARKER}.gpkg"  # a running process
    live.write_bytes(b"y")
    other = tmp_path / f".q.gpkg.{dead}-0123abcd{atomic.TEMP_MARKER}.gpkg"  # another target's
    other.write_bytes(b"z")
    assert atomic.stale_temp_files(path) == [stale]
    save_project(small_project, path)
    assert not stale.exists() and live.exists() and other.exists()
    names = []
    orig = project_file._write

    def spy(project, tmp):
        names.append(Path(tmp).name)
        orig(project, tmp)

    project_file._write = spy
    try:
        save_project(small_project, path)
    finally:
        project_file._write = orig
    assert names[0].startswith(f".p.gpkg.{os.getpid()}-") and atomic.TEMP_MARKER in names[0]


def test_sigterm_during_a_save_cleans_up_like_ctrl_c(small_project, tmp_path) -> None:
    path = save_project(small_project, tmp_path / "p.gpkg")
    before = path.read_bytes()
    csv = tmp_path / "cams.csv"
    csv.write_text("lon,lat\n5.375,43.30\n", encoding="utf-8")
    code = textwrap.dedent(f"""
        import sys, time
        from planner.io import project_file
        orig = project_file._write
        def slow(project, tmp):
            orig(project, tmp)
            print("writing", flush=True)
            time.sleep(60)
        project_file._write = slow
        from planner.cli.main import main
        sys.exit(main(["import", {str(path)!r}, "--layer", "cameras", {str(csv)!r}]))
    """)
    proc = subprocess.Popen([PY, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.strip() == "writing", proc.stderr.read() if proc.stderr else ""
    assert any(atomic.TEMP_MARKER in p.name for p in tmp_path.iterdir())  # mid-save: a temp file exists
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 143 and "terminated" in err and "Traceback" not in err
    assert _temps(tmp_path) == [] and path.read_bytes() == before


# ------------------------------------------------------------ 11.5 disk full
def test_disk_full_during_save_is_one_line_and_keeps_the_old_file(small_project, tmp_path, monkeypatch,
                                                                     capsys) -> None:
    path = save_project(small_project, tmp_path / "p.gpkg")
    before = path.read_bytes()

    def full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(project_file, "_write_meta", full)
    small_project.add_nodes([Camera(id="cam-0079", x=692100.0, y=4796100.0)])
    with pytest.raises(DiskFullError, match="disk is full"):
        save_project(small_project, path)
    assert path.read_bytes() == before and _temps(tmp_path) == []
    csv = tmp_path / "cams.csv"
    csv.write_text("lon,lat\n5.375,43.30\n", encoding="utf-8")
    assert main(["import", str(path), "--layer", "cameras", str(csv)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "disk is full" in err[0]
    assert path.read_bytes() == before


def test_sqlite_and_gdal_full_disk_messages_are_recognised(small_project, tmp_path, monkeypatch) -> None:
    import sqlite3

    path = save_project(small_project, tmp_path / "p.gpkg")
    for exc in (sqlite3.OperationalError("database or disk is full"),
                RuntimeError("Failed to commit transaction: No space left on device")):
        def boom(*a, _e=exc, **k):
            raise _e

        monkeypatch.setattr(project_file, "_write_meta", boom)
        with pytest.raises(DiskFullError):
            save_project(small_project, path)


def test_zlib_error_on_a_full_disk_is_one_line(small_project, tmp_path, monkeypatch) -> None:
    """A full disk shows up in compressing writers (PDF, KMZ) as ``zlib.error``: the free space decides."""
    import zipfile

    def boom(*a, **k):
        raise zlib.error("Error -3 while compressing data")

    monkeypatch.setattr(zipfile.ZipFile, "writestr", boom)

    class Full:
        f_bavail, f_frsize = 0, 4096

    monkeypatch.setattr(atomic.os, "statvfs", lambda p: Full())
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(DiskFullError):
        exports.export_all(small_project, out / "x.kmz", "kmz")
    assert list(out.iterdir()) == []


def test_unrelated_errors_are_not_called_disk_full(small_project, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr("planner.io.export_kml.kml_document", lambda *a, **k: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        exports.export_all(small_project, tmp_path / "x.kml", "kml")


# ------------------------------------------------------------ 11.2 two writers
def test_changed_on_disk_since_opened_is_detected(small_project, tmp_path) -> None:
    path = save_project(small_project, tmp_path / "p.gpkg")
    mine = load_project(path)
    theirs = load_project(path)
    theirs.add_nodes([Camera(id="cam-0100", x=692100.0, y=4796100.0)])
    save_project(theirs, path)
    assert project_file.changed_on_disk(mine)
    with pytest.raises(ProjectChangedError, match="changed on disk"):
        project_file.check_unchanged(mine)
    mine.add_nodes([Camera(id="cam-0200", x=692200.0, y=4796200.0)])
    with pytest.raises(ProjectChangedError):
        save_project(mine, path)
    assert "cam-0100" in load_project(path)  # their work is still there
    save_project(mine, tmp_path / "other.gpkg")  # save as elsewhere is fine
    save_project(mine, path, overwrite_changed=True)  # the user said overwrite
    save_project(mine, path)  # and from then on the file is "ours" again
    assert not project_file.changed_on_disk(mine)


def test_touch_without_change_is_not_a_conflict(small_project, tmp_path) -> None:
    path = save_project(small_project, tmp_path / "p.gpkg")
    mine = load_project(path)
    os.utime(path, (time.time() + 5, time.time() + 5))
    assert not project_file.changed_on_disk(mine)
    save_project(mine, path)


def test_lock_held_elsewhere_makes_a_writer_wait_then_refuse(small_project, tmp_path) -> None:
    path = save_project(small_project, tmp_path / "p.gpkg")
    before = path.read_bytes()
    holder = subprocess.Popen(
        [PY, "-c", "import sys, time; from planner.io.atomic import project_lock\n"
                   f"with project_lock({str(path)!r}):\n print('held', flush=True); time.sleep(30)"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(ProjectBusyError, match="another planner process"):
            with atomic.project_lock(path, timeout_s=0.3):
                pass
        small_project.add_nodes([Camera(id="cam-0101", x=692100.0, y=4796100.0)])
        os.environ["PLANNER_LOCK_TIMEOUT_S"] = "0.3"
        try:
            with pytest.raises(ProjectBusyError):
                save_project(small_project, path)
        finally:
            del os.environ["PLANNER_LOCK_TIMEOUT_S"]
        assert path.read_bytes() == before
    finally:
        holder.kill()
        holder.wait()
    with atomic.project_lock(path, timeout_s=5):  # released when its process died
        with atomic.project_lock(path):  # re-entrant within a process
            pass


@pytest.mark.slow
def test_two_processes_importing_at_once_keep_both_sets(small_project, tmp_path) -> None:
    """Two real ``planner import`` processes on one project: both sets of cameras are kept (3 pairs;
    PLANNER_WRITER_PAIRS for more)."""
    for pair in range(int(os.environ.get("PLANNER_WRITER_PAIRS", "3"))):
        path = save_project(small_project, tmp_path / f"p{pair}.gpkg")
        files = []
        for k, lon in enumerate((5.370, 5.376)):
            f = tmp_path / f"cams{pair}{k}.csv"
            f.write_text("lon,lat,name\n" + "".join(f"{lon + i * 1e-4:.5f},43.29{5 + i},n{k}{i}\n" for i in range(5)),
                         encoding="utf-8")
            files.append(f)
        procs = [subprocess.Popen([PY, "-m", "planner", "import", str(path), "--layer", "cameras", str(f)],
                                  cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for f in files]
        outs = [p.communicate(timeout=120) for p in procs]
        assert [p.returncode for p in procs] == [0, 0], [o[1] for o in outs]
        names = sorted(c.name for c in load_project(path).cameras())
        assert names == sorted(["A", "B"] + [f"n{k}{i}" for k in range(2) for i in range(5)])
        assert _temps(tmp_path) == []


@pytest.mark.skipif(not os.environ.get("PLANNER_TEST_SMALL_FS"),
                    reason="set PLANNER_TEST_SMALL_FS to a small writable file system (e.g. a 600 KiB tmpfs)")
def test_a_really_full_disk(tmp_path, capsys) -> None:
    """On a real small file system: the save and each export fail in one line, exit 2, old files kept."""
    import shutil

    fs = Path(os.environ["PLANNER_TEST_SMALL_FS"])
    work = fs / f"full-{os.getpid()}"
    work.mkdir()
    try:
        project = work / "santiago.gpkg"
        shutil.copyfile(ROOT / "sample_projects" / "santiago.gpkg", project)
        before = project.read_bytes()
        filler = work / "filler"
        with open(filler, "wb") as fh:  # leave less room than one more copy of the project
            free = shutil.disk_usage(work).free
            fh.write(b"\0" * max(0, free - 100_000))
        csv = tmp_path / "c.csv"
        csv.write_text("lon,lat\n-70.65,-33.44\n", encoding="utf-8")
        codes = [main(["import", str(project), "--layer", "cameras", str(csv)])]
        for fmt in ("gpkg", "pdf", "kmz", "html"):
            codes.append(main(["export", str(project), "--format", fmt, "--out", str(work / f"r.{fmt}")]))
        err = capsys.readouterr().err.strip().splitlines()
        assert codes == [2] * 5 and len(err) == 5 and all("disk is full" in e for e in err), err
        assert project.read_bytes() == before
        assert sorted(p.name for p in work.iterdir() if not p.name.startswith(".santiago.planner-lock")) == \
            ["filler", "santiago.gpkg"]
    finally:
        shutil.rmtree(work, ignore_errors=True)


def test_threads_of_one_process_take_turns(tmp_path) -> None:
    import threading

    order: list[tuple[str, int]] = []

    def worker(n: int) -> None:
        with atomic.project_lock(tmp_path / "p.gpkg"):
            order.append(("in", n))
            time.sleep(0.05)
            order.append(("out", n))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [kind for kind, _ in order] == ["in", "out"] * 4  # never two inside at once
    assert all(order[2 * i][1] == order[2 * i + 1][1] for i in range(4))
