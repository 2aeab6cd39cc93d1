"""Outputs that cannot be half-written.

Every file the package writes goes through :func:`atomic_path` (or the helpers built on
it): the content is written to a temporary name in the *same folder*, flushed to disk
and renamed over the target with :func:`os.replace`, which POSIX makes atomic. A reader,
or a run killed at any instant, sees either the old complete file or the new complete
file, never a truncated one. Folders of outputs (a report) are built in a staging folder
beside the target and swapped in with :func:`staged_dir`; :class:`OutputLock` keeps two
builds from writing into one folder at once.

Temporary names start with ``.`` and end with ``.tmp`` (``.changepoints.png.1234.tmp``),
so that a crash leaves only hidden debris that the next successful write of the same
target removes.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

__all__ = ["atomic_path", "atomic_write_text", "atomic_write_bytes", "staged_dir",
           "OutputLock", "OutputLockedError"]


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
    folder = path.parent if str(path.parent) else Path(".")
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        if fsync:
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
        os.replace(tmp, path)
        if fsync:
            _fsync_dir(folder)
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


@contextlib.contextmanager
def staged_dir(target) -> Iterator[Path]:
    """Build a folder of outputs in a staging folder and swap it in only when complete.

    Yields an empty staging folder beside ``target``. On success the old ``target`` (if
    any) is renamed aside, the staging folder renamed onto ``target`` and the old copy
    removed; the window in which ``target`` is missing is two renames long, and
    ``target`` never holds a mix of old and new files. On failure the staging folder is
    removed and ``target`` is untouched.
    """
    target = Path(target)
    parent = target.parent if str(target.parent) else Path(".")
    parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{target.name}.staging.", dir=parent))
    try:
        yield stage
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=parent))
        old.rmdir()
        os.replace(target, old)
    try:
        os.replace(stage, target)
    except BaseException:
        if old is not None:
            os.replace(old, target)
        raise
    _fsync_dir(parent)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


class OutputLockedError(RuntimeError):
    """Another process holds the lock on an output folder."""


class OutputLock:
    """An exclusive lock file ``.<name>.lock`` beside an output folder or file.

    Created with ``O_CREAT | O_EXCL`` and holding the owner's PID. A lock whose PID is
    no longer running (a killed build) is stale and is taken over.
    """

    def __init__(self, target):
        target = Path(target)
        parent = target.parent if str(target.parent) else Path(".")
        self.path = parent / f".{target.name}.lock"
        self._held = False

    def _owner(self) -> int | None:
        try:
            return int(self.path.read_text().strip() or 0) or None
        except (OSError, ValueError):
            return None

    @staticmethod
    def _alive(pid: int) -> bool:
        try:
            os.kill(pid, 0)
        except OSError as exc:
            return exc.errno == errno.EPERM
        return True

    def acquire(self) -> "OutputLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                pid = self._owner()
                if pid is not None and pid != os.getpid() and self._alive(pid):
                    raise OutputLockedError(
                        f"{self.path.parent / self.path.name[1:-5]} is being written by "
                        f"another process (PID {pid}, lock file {self.path}); wait for it "
                        "to finish, or remove the lock file if that process is gone"
                    ) from None
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
                self.path.unlink()
            self._held = False

    def __enter__(self) -> "OutputLock":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()
