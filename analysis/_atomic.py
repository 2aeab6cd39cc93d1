"""Outputs that cannot be half-written.

Every file the package writes goes through :func:`atomic_path` (or the helpers built on
it): the content is written to a temporary name in the *same folder*, flushed to disk
and renamed over the target with :func:`os.replace`, which POSIX makes atomic. A reader,
or a run killed at any instant, sees either the old complete file or the new complete
file, never a truncated one. Folders of outputs (a report) are built in a staging folder
beside the target and swapped in with :func:`staged_dir`; :class:`OutputLock` keeps two
builds from writing into one folder at once.

Temporary names start with ``.``, hold the writer's PID and end with ``.tmp``
(``.changepoints.png.4711.k3j2.tmp``), so that a crash leaves only hidden debris, which
the next write of the same target removes once its PID is no longer running.

Several files that belong together (normalize's series and ledger) go through
:func:`atomic_files`: every file is written to its temporary name first, then a small
journal lists the renames, the renames run back to back and the journal is removed. A
run killed before the journal leaves the old files; one killed within the renames leaves
the journal, and the next write of the same files (or :func:`recover_files`) completes
the renames before doing anything else.

Kill tests
----------
:func:`checkpoint` marks the points where a test may stop a run: with the environment
variable ``INCIDENT_TRENDS_PAUSE_AT`` naming a checkpoint, the process writes that name
to the file ``INCIDENT_TRENDS_PAUSE_FILE`` when it gets there and waits (for a SIGKILL).
Unset, a checkpoint costs one dictionary lookup.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from glob import escape as glob_escape
from typing import Iterator

from .schema import IncidentTrendsError

__all__ = ["atomic_path", "atomic_write_text", "atomic_write_bytes", "atomic_files", "recover_files",
           "staged_dir", "clean_stale", "OutputLock", "OutputLockedError", "checkpoint"]

PAUSE_AT = "INCIDENT_TRENDS_PAUSE_AT"
PAUSE_FILE = "INCIDENT_TRENDS_PAUSE_FILE"


def checkpoint(name: str) -> None:
    """A point where a kill test may stop the run (see the module docstring)."""
    want = os.environ.get(PAUSE_AT)
    if not want or name not in want.split(","):
        return
    marker = os.environ.get(PAUSE_FILE)
    if marker:
        with open(marker, "a", encoding="utf-8") as fh:
            fh.write(f"{name}\n")
    while True:  # until killed
        time.sleep(60)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError as exc:
        return exc.errno == errno.EPERM
    return True


def _temp_beside(path: Path) -> Path:
    """A new empty temporary file beside ``path`` (``.<name>.<pid>.<random>.tmp``), after
    removing the temporary files of earlier writers of ``path`` that are no longer running."""
    folder = path.parent if str(path.parent) else Path(".")
    prefix = f".{path.name}."
    with contextlib.suppress(OSError):
        for old in folder.glob(f"{glob_escape(prefix)}*.tmp"):
            pid = old.name[len(prefix):].split(".", 1)[0]
            if pid.isdigit() and int(pid) != os.getpid() and not _pid_alive(int(pid)):
                with contextlib.suppress(OSError):
                    old.unlink()
    fd, name = tempfile.mkstemp(prefix=f"{prefix}{os.getpid()}.", suffix=".tmp", dir=folder)
    os.close(fd)
    return Path(name)


@contextlib.contextmanager
def atomic_path(path, *, fsync: bool = True) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` on success.

    Write the whole output to the yielded path (any writer that takes a path:
    ``DataFrame.to_csv``, ``Figure.savefig``...). If the block raises, the temporary
    file is removed and ``path`` is left as it was.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with atomic_path(d / "out.txt") as tmp:
    ...     _ = tmp.write_text("complete")
    >>> (d / "out.txt").read_text(), sorted(p.name for p in d.iterdir())
    ('complete', ['out.txt'])
    """
    path = Path(path)
    tmp = _temp_beside(path)
    try:
        yield tmp
        if fsync:
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
        os.replace(tmp, path)
        if fsync:
            _fsync_dir(path.parent if str(path.parent) else Path("."))
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def atomic_write_text(path, text: str, *, encoding: str = "utf-8", newline: str | None = "") -> Path:
    """Write ``text`` to ``path`` atomically; returns the path."""
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding=encoding, newline=newline) as fh:
            fh.write(text)
    return Path(path)


def atomic_write_bytes(path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; returns the path."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def _fsync_tree(folder: Path) -> None:
    """Flush every file and folder under ``folder`` to disk (so that a power cut after the
    swap cannot leave empty files in the new folder)."""
    for dirpath, _, names in os.walk(folder):
        for n in names:
            with contextlib.suppress(OSError):
                fd = os.open(os.path.join(dirpath, n), os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
        _fsync_dir(Path(dirpath))


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux ``renameat2(RENAME_EXCHANGE)``); False
    where the platform or file system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    at_fdcwd, rename_exchange = -100, 2
    if fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EXDEV, errno.ENOTSUP, errno.EPERM):
        return False
    raise OSError(err, os.strerror(err), str(b))


@contextlib.contextmanager
def staged_dir(target) -> Iterator[Path]:
    """Build a folder of outputs in a staging folder and swap it in only when complete.

    Yields an empty staging folder beside ``target``. On success the staging folder and
    ``target`` are exchanged in one atomic step where the system allows it (Linux
    ``renameat2``), so ``target`` is at every instant either the old complete folder or
    the new one; elsewhere the old folder is renamed aside first, a window of two renames
    in which ``target`` is missing (:func:`clean_stale` puts the old folder back if a run
    dies there). The old copy is removed afterwards. On failure the staging folder is
    removed and ``target`` is untouched. Use it under an :class:`OutputLock`.
    """
    target = Path(target)
    parent = target.parent if str(target.parent) else Path(".")
    parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{target.name}.staging.", dir=parent))
    try:
        yield stage
        _fsync_tree(stage)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    checkpoint("swap")
    if target.exists() and _exchange(stage, target):
        _fsync_dir(parent)
        checkpoint("swapped")
        shutil.rmtree(stage, ignore_errors=True)  # now the old folder
        return
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=parent))
        old.rmdir()
        os.replace(target, old)
        checkpoint("swap-aside")
    try:
        os.replace(stage, target)
    except BaseException:
        if old is not None:
            os.replace(old, target)
        raise
    _fsync_dir(parent)
    checkpoint("swapped")
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def clean_stale(target) -> list[Path]:
    """Remove what killed runs of :func:`staged_dir` left beside ``target``; returns it.

    Staging folders are removed. An old folder renamed aside is put back when ``target``
    is missing (a run died between the two renames of the fallback swap), else removed.
    Call it only while holding the :class:`OutputLock` of ``target``.
    """
    target = Path(target)
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        return []
    removed = []
    olds = sorted(parent.glob(f".{target.name}.old.*"), key=lambda p: p.stat().st_mtime)
    if olds and not target.exists():
        os.replace(olds.pop(), target)
    for p in [*parent.glob(f".{target.name}.staging.*"), *olds]:
        shutil.rmtree(p, ignore_errors=True)
        removed.append(p)
    return removed


def _journal(first: Path) -> Path:
    return first.parent / f".{first.name}.commit.json"


def recover_files(*paths) -> bool:
    """Complete an interrupted :func:`atomic_files` commit whose first file is ``paths[0]``.

    Returns True when a journal was found (and its remaining renames done).
    """
    first = Path(paths[0])
    journal = _journal(first)
    try:
        entries = json.loads(journal.read_text(encoding="utf-8"))["renames"]
    except FileNotFoundError:
        return False
    except (ValueError, KeyError, TypeError):  # a journal is written atomically: unreadable = foreign
        raise IncidentTrendsError(f"{journal}: not a commit journal; remove it by hand") from None
    for tmp, dest in entries:
        if os.path.exists(tmp):
            os.replace(tmp, dest)
    for folder in {Path(d).parent for _, d in entries}:
        _fsync_dir(folder)
    journal.unlink()
    return True


@contextlib.contextmanager
def atomic_files(*paths) -> Iterator[list[Path]]:
    """Write several files that belong together: yields one temporary path per file.

    Write every file to its temporary path. When the block ends without error the files
    are flushed, a journal of the renames is written (atomically) beside the first file,
    the renames run back to back, and the journal is removed. A run killed before the
    journal exists leaves every old file; one killed within the renames leaves the
    journal, and the next :func:`atomic_files` (or :func:`recover_files`) of the same
    files completes the renames first. On error nothing is renamed.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with atomic_files(d / "series.csv", d / "ledger.csv") as (s, l):
    ...     _ = s.write_text("series"), l.write_text("ledger")
    >>> sorted(p.name for p in d.iterdir())
    ['ledger.csv', 'series.csv']
    """
    targets = [Path(p) for p in paths]
    if len({t.resolve() for t in targets}) < len(targets):
        raise ValueError(f"atomic_files: the same file is named twice: {[str(t) for t in targets]}")
    recover_files(*targets)
    tmps = []
    try:
        for t in targets:
            tmps.append(_temp_beside(t))
        yield tmps
        for tmp in tmps:
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
        checkpoint("commit")
        atomic_write_text(_journal(targets[0]), json.dumps(
            {"renames": [[str(tmp.resolve()), str(t.resolve())] for tmp, t in zip(tmps, targets)]}))
    except BaseException:
        for tmp in tmps:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        raise
    for i, (tmp, t) in enumerate(zip(tmps, targets)):
        if i:
            checkpoint("commit-between")
        os.replace(tmp, t)
    for folder in {t.parent for t in targets}:
        _fsync_dir(folder if str(folder) else Path("."))
    _journal(targets[0]).unlink()


class OutputLockedError(IncidentTrendsError, RuntimeError):
    """Another process holds the lock on an output folder (the CLI exits 1 with its message)."""


class OutputLock:
    """An exclusive lock file ``.<name>.lock`` beside an output folder or file.

    On POSIX the lock is an ``flock`` on that file, which the system releases when its
    holder dies however it dies (SIGKILL included), so a killed build never blocks the
    next one; the file holds the owner's PID for the message a second writer gets. After
    taking the lock the holder checks that the path still names the file it locked (an
    earlier holder may have removed it meanwhile) and tries again if not. Where ``flock``
    is missing the file is created with ``O_CREAT | O_EXCL`` instead, and a lock whose PID
    is no longer running is stale and taken over.
    """

    def __init__(self, target):
        target = Path(target)
        parent = target.parent if str(target.parent) else Path(".")
        self.path = parent / f".{target.name}.lock"
        self._held = False
        self._fd: int | None = None

    def _owner(self) -> int | None:
        try:
            return int(self.path.read_text().strip() or 0) or None
        except (OSError, ValueError):
            return None

    _alive = staticmethod(_pid_alive)

    def _locked_error(self, pid) -> OutputLockedError:
        who = f"PID {pid}" if pid else "PID unknown"
        return OutputLockedError(
            f"{self.path.parent / self.path.name[1:-5]} is being written by another process "
            f"({who}, lock file {self.path}); wait for it to finish, or remove the lock file if "
            "that process is gone")

    def acquire(self) -> "OutputLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX
            return self._acquire_excl()
        for _ in range(20):
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                os.close(fd)
                if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    raise self._locked_error(self._owner()) from None
                raise
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(self.path))
            except FileNotFoundError:
                same = False
            if not same:  # the file we locked was removed by its previous holder
                os.close(fd)
                continue
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
            self._fd, self._held = fd, True
            return self
        raise OutputLockedError(f"could not take the lock file {self.path}")

    def _acquire_excl(self) -> "OutputLock":  # pragma: no cover - not POSIX
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                pid = self._owner()
                if pid is not None and pid != os.getpid() and self._alive(pid):
                    raise self._locked_error(pid) from None
                with contextlib.suppress(FileNotFoundError):
                    self.path.unlink()  # stale: its owner is gone
                continue
            with os.fdopen(fd, "w") as fh:
                fh.write(f"{os.getpid()}\n")
            self._held = True
            return self
        raise OutputLockedError(f"could not take the lock file {self.path}")

    def release(self) -> None:
        if self._held:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()  # while still locked: a waiter then sees a new file
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
            self._held = False

    def __enter__(self) -> "OutputLock":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()
