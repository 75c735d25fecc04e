"""Safe output files: atomic writes, no silent overwrites, and locks on stores and directories.

Three primitives every writer in the package uses (decision 36):

* :func:`check_new_output` refuses an existing output before any work unless
  ``overwrite=True`` (the command line's ``--overwrite``);
* :func:`atomic_output` (and :func:`write_text_atomic`, :func:`write_bytes_atomic`) writes
  to a temporary name in the destination's directory, flushes it to disk and renames it
  over the destination in one step: a reader, or a run interrupted at any instant (kill -9,
  power loss after the rename), sees either the old complete file or the new complete one,
  never a mixture or a truncated file. An interruption may leave a temporary file
  ``.<stem>.tmp-<pid>-<random><suffix>`` beside the destination; it is never read and is removed by
  :func:`remove_stale_temporaries` when the same output is written again;
* :class:`OutputLock` marks a store or directory as being written by one process. The lock
  is a file ``<path>.lock`` beside it holding the holder's process id and host, with a POSIX
  record lock (``fcntl.lockf``) on it while held. The kernel drops the record lock when the
  holder dies, however it dies, so a lock file left behind by a dead process is detected
  (and named in a warning) and taken over; a live holder is named in the error, and
  ``wait=True`` (``--wait``) waits for it instead.

This module is the lowest layer: it imports nothing from the package.
"""
from __future__ import annotations

import contextlib
import errno
import json
import os
import secrets
import shutil
import socket
import threading
import time
import warnings
from pathlib import Path

#: Seconds between two attempts while waiting for a lock.
POLL_SECONDS = 0.5


class OutputExistsError(FileExistsError):
    """The output exists and ``overwrite`` was not given."""


class LockedError(RuntimeError):
    """Another live process (or this one) is writing the same store or directory."""


class StaleLockWarning(UserWarning):
    """A lock file left by a process that no longer runs was found and taken over."""


# -- existing outputs ---------------------------------------------------------------------------

def check_new_output(path, overwrite: bool = False, *, flag: str = "--overwrite",
                     keyword: str = "overwrite=True") -> Path:
    """``path`` as a Path; :class:`OutputExistsError` if it exists and ``overwrite`` is false.

    Call it before any work, so a refused output costs nothing. The message names the file
    and both ways to replace it (the command-line ``flag`` and the API ``keyword``).
    """
    out = Path(path)
    if (out.exists() or out.is_symlink()) and not overwrite:
        kind = "directory" if out.is_dir() else "file"
        raise OutputExistsError(
            f"{str(out)!r} exists (a {kind}); refusing to replace it. Choose another name, or pass "
            f"{flag} ({keyword} in Python) to replace it")
    return out


# -- atomic writes -----------------------------------------------------------------------------

def temporary_name(path) -> Path:
    """A unique temporary path beside ``path`` (same directory, so the rename is atomic):
    ``.<stem>.tmp-<pid>-<random><suffix>`` (the suffix kept, so writers that choose the format
    by the suffix, e.g. matplotlib, write the right one)."""
    path = Path(path)
    return path.with_name(f".{path.stem}.tmp-{os.getpid()}-{secrets.token_hex(4)}{path.suffix}")


def _fsync_path(path: Path) -> None:
    """Flush a file, or every file of a directory tree, and the directories, to disk."""
    if path.is_dir():
        for root, _dirs, files in os.walk(path):
            for name in files:
                _fsync_file(Path(root) / name)
            _fsync_dir(Path(root))
    elif path.exists():
        _fsync_file(path)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:          # some platforms cannot open directories; the rename still happened
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


@contextlib.contextmanager
def atomic_output(path, overwrite: bool = True, *, sync: bool = True):
    """Context manager yielding a temporary path; on success it replaces ``path``.

    Write the file (or a directory tree, e.g. a Zarr store) to the yielded path. When the
    block ends without an exception the temporary is flushed to disk (``sync``) and renamed
    to ``path`` (a directory already at ``path`` is moved aside first and removed after the
    rename); on an exception the temporary is removed and ``path`` is untouched.
    ``overwrite=False`` refuses an existing ``path`` (checked again at the rename, so a file
    that appeared meanwhile is not replaced either).
    """
    path = Path(path)
    check_new_output(path, overwrite)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_name(path)
    try:
        yield tmp
        if sync:
            _fsync_path(tmp)
        _commit(tmp, path, overwrite)
    except BaseException:
        _remove(tmp)
        raise
    if sync:
        _fsync_dir(path.parent)


def _commit(tmp: Path, path: Path, overwrite: bool) -> None:
    if not overwrite:
        check_new_output(path, overwrite)
    if path.is_dir() and not path.is_symlink():
        # os.replace cannot replace a non-empty directory: move the old one aside first
        aside = temporary_name(path)
        os.replace(path, aside)
        try:
            os.replace(tmp, path)
        except BaseException:
            os.replace(aside, path)
            raise
        _remove(aside)
    else:
        os.replace(tmp, path)


def write_bytes_atomic(path, data: bytes, overwrite: bool = True, *, sync: bool = True) -> Path:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_output`); return the path."""
    with atomic_output(path, overwrite, sync=sync) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def write_text_atomic(path, text: str, overwrite: bool = True, *, sync: bool = True) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically (see :func:`atomic_output`); return the path."""
    return write_bytes_atomic(path, text.encode("utf-8"), overwrite, sync=sync)


def remove_stale_temporaries(path) -> list:
    """Remove temporaries of ``path`` left by processes that no longer run on this host.

    Only names made by :func:`temporary_name` (``.<stem>.tmp-<pid>-<hex><suffix>``) whose process id
    is not alive are removed; returns the removed paths.
    """
    path = Path(path)
    removed = []
    if not path.parent.is_dir():
        return removed
    prefix = f".{path.stem}.tmp-"
    for cand in path.parent.iterdir():
        if not (cand.name.startswith(prefix) and cand.name.endswith(path.suffix)):
            continue
        pid_text = cand.name[len(prefix):].split("-", 1)[0]
        if pid_text.isdigit() and not pid_alive(int(pid_text)):
            _remove(cand)
            removed.append(cand)
    return removed


# -- locks -------------------------------------------------------------------------------------

def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` runs on this host (a zombie counts as not running)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


def lock_path(path) -> Path:
    """The lock file of the store or directory ``path``: ``<path>.lock`` beside it."""
    path = Path(path)
    return path.with_name(path.name + ".lock")


_HELD = set()                 # lock files held by this process (record locks are per process)
_HELD_GUARD = threading.Lock()


class OutputLock:
    """Exclusive right to write the store or directory ``path`` (see the module docstring).

    Use as a context manager (``with OutputLock(path): ...``) or call :meth:`acquire` and
    :meth:`release`. ``wait=False`` raises :class:`LockedError` at once when another process
    holds it, naming its process id and host; ``wait=True`` polls until it is free
    (``timeout`` seconds at most, None for no limit). ``what`` names the output in messages.
    """

    def __init__(self, path, *, wait: bool = False, timeout: float | None = None, what: str = "output"):
        self.path = Path(path)
        self.file = lock_path(self.path)
        self.wait = wait
        self.timeout = timeout
        self.what = what
        self._fd = None

    # -- context manager
    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc):
        self.release()
        return False

    def acquire(self) -> "OutputLock":
        """Take the lock (or raise :class:`LockedError`); return self."""
        import fcntl
        key = str(self.file.parent.resolve() / self.file.name)
        deadline = None if self.timeout is None else time.monotonic() + self.timeout
        while True:
            with _HELD_GUARD:
                busy_here = key in _HELD
            if not busy_here:
                self.file.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.file, os.O_RDWR | os.O_CREAT, 0o644)
                try:
                    fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError as exc:
                    os.close(fd)
                    if exc.errno not in (errno.EACCES, errno.EAGAIN):
                        raise
                else:
                    if self._still_linked(fd):
                        self._take(fd, key)
                        return self
                    os.close(fd)          # the holder removed the file as we opened it: retry
                    continue
            holder = read_holder(self.file) if not busy_here else {"pid": os.getpid(), "host": _host()}
            if not self.wait or (deadline is not None and time.monotonic() >= deadline):
                raise LockedError(self._busy_message(holder, busy_here))
            time.sleep(POLL_SECONDS)

    def _still_linked(self, fd) -> bool:
        try:
            return os.fstat(fd).st_ino == os.stat(self.file).st_ino
        except FileNotFoundError:
            return False

    def _take(self, fd, key) -> None:
        previous = _read_fd(fd)
        if previous:
            warnings.warn(
                f"stale lock {str(self.file)!r} of process {previous.get('pid', '?')} on host "
                f"{previous.get('host', '?')} (started {previous.get('started', '?')}): that process no longer "
                f"holds it (it ended without cleaning up, e.g. killed); taking the lock over. Temporary files it "
                f"left are never read as results", StaleLockWarning, stacklevel=4)
        record = {"pid": os.getpid(), "host": _host(), "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                  "what": self.what, "path": str(self.path)}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(record).encode(), 0)
        os.fsync(fd)
        self._fd = fd
        self._key = key
        with _HELD_GUARD:
            _HELD.add(key)

    def _busy_message(self, holder, here) -> str:
        who = (f"process {holder.get('pid', '?')} on host {holder.get('host', '?')}"
               + (f" (started {holder['started']})" if holder.get("started") else ""))
        if here:
            who = f"this process ({os.getpid()} on {_host()}), in another call still running"
        return (f"the {self.what} {str(self.path)!r} is being written by {who}; lock file {str(self.file)!r}. "
                "Wait for it to finish (--wait, or wait=True in Python, waits for the lock), or write to "
                "another path")

    def release(self) -> None:
        """Give the lock up and remove its file (a no-op when not held)."""
        if self._fd is None:
            return
        import fcntl
        try:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.file)
            fcntl.lockf(self._fd, fcntl.LOCK_UN)
        finally:
            os.close(self._fd)
            self._fd = None
            with _HELD_GUARD:
                _HELD.discard(self._key)

    @property
    def held(self) -> bool:
        return self._fd is not None


def read_holder(file) -> dict:
    """``{"pid", "host", "started", ...}`` recorded in lock file ``file`` ({} if unreadable)."""
    try:
        return json.loads(Path(file).read_text() or "{}")
    except (OSError, ValueError):
        return {}


def _read_fd(fd) -> dict:
    try:
        data = os.pread(fd, 65536, 0)
        return json.loads(data) if data.strip() else {}
    except (OSError, ValueError):
        return {"pid": "?", "host": "?"}


def _host() -> str:
    return socket.gethostname()
