"""Write files atomically, and only where writing is safe.

Every save and export goes through :func:`atomic_path`:

* the target is checked first (:func:`check_target`): symbolic links are
  resolved so the file they point to is replaced (never the link); devices,
  folders, FIFOs and sockets are refused; so are read-only files and folders
  the user cannot write to;
* the data go to a temporary file beside the (resolved) target, named
  ``.<target name>.<pid>-<random>.planner-tmp<suffix>`` so it can be recognised;
  temporary files of the same target left by a process that no longer runs
  (``kill -9``, a power cut) are removed before the next write;
* the temporary file is flushed to disk, given the mode of the file it
  replaces, and renamed over the target (then the folder is synced);
* on any failure the temporary file is removed and the target is untouched;
  a full disk or another operating-system refusal becomes a one-line
  :class:`planner.errors.WriteError` (exit 2), not a traceback.

:func:`project_lock` is the advisory lock (``fcntl.flock`` on a
``.<stem>.planner-lock`` file beside a project) that the command line holds across a
read-modify-write of a project file, so two processes never lose each
other's changes.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import stat
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from planner.errors import DiskFullError, InvalidInputError, PlannerError, ProjectBusyError, WriteError

#: Marker in the name of every temporary file the planner writes.
TEMP_MARKER = ".planner-tmp"
#: Seconds a process waits for another one to release a project's lock.
LOCK_TIMEOUT_S = 30.0


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _umask()

_KIND_NAMES = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
)


def check_target(target: str | os.PathLike[str]) -> Path:
    """Return the real path a write to ``target`` must replace, or raise :class:`InvalidInputError`.

    Symbolic links are followed (a save through a link updates the file it
    points to). Only a regular file or a new name in an existing, writable
    folder is accepted.
    """
    given = Path(target)
    real = Path(os.path.realpath(given))
    try:
        st = os.stat(real)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise InvalidInputError(f"`{given}`: cannot be written ({exc.strerror or exc})") from None
    if st is not None:
        for test, what in _KIND_NAMES:
            if test(st.st_mode):
                raise InvalidInputError(f"`{given}` is {what}, not a regular file; give a file path")
        if not stat.S_ISREG(st.st_mode):
            raise InvalidInputError(f"`{given}` is not a regular file; give a file path")
        if not st.st_mode & 0o222 or not os.access(real, os.W_OK):  # root may write 0444 files: do not
            raise InvalidInputError(f"`{given}` is read-only; make it writable or choose another path")
    parent = real.parent
    if not parent.is_dir():
        raise InvalidInputError(f"`{given}`: the folder `{parent}` does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InvalidInputError(f"`{given}`: the folder `{parent}` is not writable")
    return real


def temp_name(target: Path, suffix: str = ".tmp") -> Path:
    """A recognisable temporary name beside ``target`` (hidden, with this process's id)."""
    return target.parent / f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}{TEMP_MARKER}{suffix}"


_TEMP_RE = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)-[0-9a-f]{8}" + re.escape(TEMP_MARKER) + r"(?:\..*)?$")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return True


def stale_temp_files(target: str | os.PathLike[str]) -> list[Path]:
    """Temporary files of ``target`` left by processes that no longer run."""
    target = Path(target)
    out = []
    try:
        entries = list(target.parent.iterdir())
    except OSError:
        return []
    for p in entries:
        m = _TEMP_RE.match(p.name)
        if m and m.group("name") == target.name and not _alive(int(m.group("pid"))):
            out.append(p)
    return sorted(out)


def remove_stale_temp_files(target: str | os.PathLike[str]) -> list[Path]:
    """Remove :func:`stale_temp_files` of ``target``; returns what was removed."""
    removed = []
    for p in stale_temp_files(target):
        with contextlib.suppress(OSError):
            if p.is_file() and not p.is_symlink():
                p.unlink()
                removed.append(p)
    return removed


def publish(tmp: Path, target: Path) -> None:
    """Give ``tmp`` the permissions a normally created file would have, then rename it over ``target``.

    ``tempfile`` creates private (0600) files; a saved project or export must
    keep the mode of the file it replaces, or get the usual 0666 & ~umask.
    """
    try:
        mode = target.stat().st_mode & 0o777
    except FileNotFoundError:
        mode = 0o666 & ~_UMASK
    os.chmod(tmp, mode)
    os.replace(tmp, target)
    _sync_dir(target.parent)


def _sync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT, getattr(errno, "EFBIG", -1)}
_REFUSED_ERRNOS = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENAMETOOLONG, errno.EISDIR, errno.ENOTDIR}
_FULL_WORDS = ("no space left", "disk is full", "database or disk is full", "disk quota", "file too large")


def _disk_full(exc: BaseException, folder: Path, *, need_bytes: int = 0) -> bool:
    """Whether ``exc`` (from a write into ``folder``) means the disk is full.

    Libraries report it in their own ways (``OSError`` ENOSPC, SQLite's
    "database or disk is full", GDAL's "Failed to commit transaction",
    ``zlib.error`` from a truncated write), so the free space is checked too:
    less than 1 MiB, or less than ``need_bytes`` (what the file being replaced
    takes: a rolled-back SQLite transaction frees what it had written).
    """
    seen: set[int] = set()
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        if isinstance(e, OSError) and e.errno in _FULL_ERRNOS:
            return True
        if any(w in str(e).lower() for w in _FULL_WORDS):
            return True
        e = e.__cause__ or e.__context__
    try:
        sv = os.statvfs(folder)
    except OSError:
        return False
    return sv.f_bavail * sv.f_frsize < max(1024 * 1024, need_bytes)


def _write_error(exc: BaseException, given: Path, real: Path) -> WriteError | None:
    try:
        need = real.stat().st_size
    except OSError:
        need = 0
    if _disk_full(exc, real.parent, need_bytes=need):
        return DiskFullError(f"`{given}`: not written, the disk is full (no space left in `{real.parent}`); "
                             "the previous file is unchanged")
    if isinstance(exc, OSError) and exc.errno in _REFUSED_ERRNOS:
        return WriteError(f"`{given}`: not written ({exc.strerror}); the previous file is unchanged")
    return None


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str], *, suffix: str = ".tmp", create: bool = True) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it over ``target`` on success.

    On any exception the temporary file is removed and ``target`` is untouched,
    so a failed export or save never leaves a half-written file behind.
    ``create=False`` yields a path that does not exist yet (for writers such as
    GDAL that create the file themselves). ``suffix`` ends the temporary name
    (some writers choose their format by extension).
    """
    given = Path(target)
    real = check_target(given)
    remove_stale_temp_files(real)
    tmp_path = temp_name(real, suffix)
    try:
        try:
            if create:
                fd = os.open(tmp_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                os.close(fd)
            yield tmp_path
            with open(tmp_path, "rb+") as fh:
                os.fsync(fh.fileno())
            publish(tmp_path, real)
        except Exception as exc:  # GDAL/zlib/sqlite report a full disk in their own classes
            if isinstance(exc, PlannerError):
                raise
            err = _write_error(exc, given, real)
            if err is None:
                raise
            raise err from None
    finally:
        with contextlib.suppress(OSError):
            tmp_path.unlink()


def atomic_write_text(target: str | os.PathLike[str], text: str) -> Path:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(target)


def atomic_write_with(target: str | os.PathLike[str], writer: Callable[[Path], object]) -> Path:
    with atomic_path(target) as tmp:
        writer(tmp)
    return Path(target)


# ------------------------------------------------------------------ locks
def lock_path(project: str | os.PathLike[str]) -> Path:
    """The lock file of a project: ``.<stem>.planner-lock`` beside the real (link-resolved) file."""
    real = Path(os.path.realpath(project))
    return real.parent / f".{real.stem}.planner-lock"


_held: dict[str, tuple[int, int]] = {}  # lock path -> (fd, depth) while this process holds it
_thread_locks: dict[str, threading.RLock] = {}  # one per lock path: threads of one process take turns
_held_guard = threading.Lock()


@contextlib.contextmanager
def project_lock(project: str | os.PathLike[str], *, timeout_s: float | None = None) -> Iterator[Path]:
    """Hold the advisory write lock of ``project`` (re-entrant within a thread).

    Waits up to ``timeout_s`` (default :data:`LOCK_TIMEOUT_S`, or the
    ``PLANNER_LOCK_TIMEOUT_S`` environment variable) for another process (or
    another thread of this one) to finish, then raises :class:`ProjectBusyError`.
    The lock file is left in place (removing it would race); the lock itself
    dies with its process.
    """
    import fcntl

    lp = lock_path(project)
    key = str(lp)
    if timeout_s is None:
        try:
            timeout_s = float(os.environ.get("PLANNER_LOCK_TIMEOUT_S", LOCK_TIMEOUT_S))
        except ValueError:
            timeout_s = LOCK_TIMEOUT_S
    timeout_s = max(0.0, timeout_s)
    busy = (f"`{project}`: another planner process is changing this project; waited {timeout_s:g} s; "
            "try again when it has finished")
    with _held_guard:
        tlock = _thread_locks.setdefault(key, threading.RLock())
    if not tlock.acquire(timeout=timeout_s):
        raise ProjectBusyError(busy)
    try:
        with _held_guard:
            fd, depth = _held.get(key, (-2, 0))
        if depth == 0:
            fd = _take_file_lock(lp, project, timeout_s, fcntl)
        with _held_guard:
            _held[key] = (fd, depth + 1)
        try:
            yield lp
        finally:
            with _held_guard:
                fd, depth = _held[key]
                if depth > 1:
                    _held[key] = (fd, depth - 1)
                else:
                    del _held[key]
            if depth <= 1 and fd >= 0:
                with contextlib.suppress(OSError):
                    fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)
    finally:
        tlock.release()


def _take_file_lock(lp: Path, project: str | os.PathLike[str], timeout_s: float, fcntl: object) -> int:
    if not lp.parent.is_dir():
        raise InvalidInputError(f"`{project}`: the folder `{lp.parent}` does not exist")
    try:
        fd = os.open(lp, os.O_RDWR | os.O_CREAT, 0o666 & ~_UMASK)
    except OSError:
        return -1  # a read-only folder: nobody can write the project there either
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # type: ignore[attr-defined]
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                other = _lock_owner(fd)
                os.close(fd)
                raise ProjectBusyError(
                    f"`{project}`: another planner process{other} is changing this project; "
                    f"waited {timeout_s:g} s; try again when it has finished") from None
            time.sleep(0.05)
    with contextlib.suppress(OSError):
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
    return fd


def _lock_owner(fd: int) -> str:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return ""
    return f" (pid {text})" if text.isdigit() else ""
