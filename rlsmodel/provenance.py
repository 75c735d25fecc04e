"""Provenance of every output: package and dependency versions, git revision, time.

>>> from rlsmodel.provenance import provenance
>>> p = provenance({"profile": "healthy"})
>>> sorted(p)[:3]                                            # doctest: +SKIP
['created_utc', 'git_dirty', 'git_revision']

:func:`provenance` returns plain Python values (``git_revision`` is None outside a git
checkout, ``git_dirty`` None when unknown). :func:`dataset_attrs` returns the same
information in a form every NetCDF/Zarr writer accepts (strings and numbers only; an
unknown revision is the string ``"unknown"``) and, by default, *without* the timestamp,
so that two identical runs produce identical attrs (outputs that must be reproducible
bit for bit, such as ``Model.simulate`` and sweep stores, use it that way).

The git revision (``git rev-parse HEAD`` in the directory holding the package, with a
short timeout) is cached, and the cache refreshes itself: a commit, checkout, reset or
staging changes a file under ``.git`` (``HEAD``, the branch's ref, ``packed-refs``,
``index``) and the next call looks again; edits to the working tree (the ``dirty`` flag)
are seen within :data:`GIT_STATUS_TTL` seconds. A simulation pays a few small file reads
and ``stat`` calls, not a git process.
"""
from __future__ import annotations

import functools
import importlib.metadata
import json
import os
import platform
import subprocess
import time
from datetime import datetime, timezone
from pathlib import Path

from ._version import __version__
from .caching import LRUCache

#: Seconds allowed for each git call; a slow or hung git means "no revision".
GIT_TIMEOUT = 2.0
#: Seconds after which the revision and the dirty flag are looked up again even if no file
#: under ``.git`` changed (working-tree edits change no such file).
GIT_STATUS_TTL = 10.0
#: Checkouts whose revision is cached: root -> (stamp, time looked up, (revision, dirty)).
_GIT_CACHE = LRUCache(4)
#: Libraries whose versions are recorded (key ``<name>_version``).
LIBRARIES = ("numpy", "scipy", "sympy", "xarray")
#: Written instead of None where a file format has no null attribute value.
UNKNOWN = "unknown"


#: Marker of a generated file's model stamp (see :func:`model_stamp`).
STAMP_MARK = "rlsmodel-model:"


def model_stamp(identity: dict) -> str:
    """One line naming the model a generated file came from, e.g.
    ``rlsmodel-model: structure=3f2a... defaults=9c01...`` (``identity`` from
    :meth:`rlsmodel.Model.identity`). Writers embed it in a comment (Markdown ``<!-- -->``,
    a CSV's ``#`` line) or in image metadata; :func:`read_model_stamp` finds it in the bytes."""
    return f"{STAMP_MARK} structure={identity['structure']} defaults={identity['defaults']}"


def read_model_stamp(path) -> dict | None:
    """``{"structure", "defaults"}`` recorded in the file at ``path`` (its raw bytes are
    searched, so Markdown, CSV, text, PNG text chunks and SVG all work), or None if absent."""
    import re
    data = Path(path).read_bytes()
    # exactly 16 hex digits each (Model.identity): in a PNG the text chunk is followed by its
    # binary CRC, whose first byte may happen to be an ASCII hex digit
    m = re.search(rb"rlsmodel-model: structure=([0-9a-f]{16}) defaults=([0-9a-f]{16})", data)
    if m is None:
        return None
    return {"structure": m.group(1).decode(), "defaults": m.group(2).decode()}


def provenance(extra: dict | None = None) -> dict:
    """Where an output came from, as a flat dict.

    Keys: ``rlsmodel_version``, ``git_revision`` (the commit hash of the checkout holding
    the package, or None), ``git_dirty`` (True when tracked files differ from that commit,
    None when unknown), ``python_version``, ``numpy_version``, ``scipy_version``,
    ``sympy_version``, ``xarray_version``, ``created_utc`` (ISO 8601, seconds, UTC).
    ``extra`` (e.g. profile, parameters, regimen) is merged in last and may add keys,
    but not silently replace these: a clash raises ``ValueError``.
    """
    out = _static()
    out["created_utc"] = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    return _merge(out, extra)


def dataset_attrs(extra: dict | None = None, *, timestamp: bool = False) -> dict:
    """:func:`provenance` as NetCDF/Zarr-safe attrs (str/int/float values only).

    None becomes ``"unknown"``, booleans become ``"true"``/``"false"``, and any other
    non-scalar value its JSON text. ``timestamp=False`` (default) leaves out
    ``created_utc`` so that identical runs give identical attrs.
    """
    values = provenance(extra) if timestamp else _merge(_static(), extra)
    return {key: _attr_value(value) for key, value in values.items()}


def git_description() -> str:
    """``"<revision>"``, ``"<revision> (dirty)"`` or ``"unknown"`` (for one-line metadata)."""
    rev, dirty = git_revision()
    if rev is None:
        return UNKNOWN
    return f"{rev} (dirty)" if dirty else rev


def git_revision(root=None) -> tuple:
    """``(revision, dirty)`` of the git checkout holding the package, or ``(None, None)``.

    ``root``: the checkout's top directory (default: the one holding the ``rlsmodel``
    package). None unless ``rlsmodel/__init__.py`` is tracked there. ``dirty`` is True
    when tracked files differ from the commit (untracked files are ignored) and None if
    that could not be determined. Cached; refreshed after a commit, checkout or reset
    and at least every :data:`GIT_STATUS_TTL` seconds (see the module docstring). Runs
    only read-only git commands (``--no-optional-locks``: the index is not refreshed).
    """
    root = Path(root).resolve() if root is not None else Path(__file__).resolve().parent.parent
    stamp = _git_stamp(root)
    now = time.monotonic()
    cached = _GIT_CACHE.get(root)
    if cached is not None and cached[0] == stamp and now - cached[1] < GIT_STATUS_TTL:
        return cached[2]
    value = _lookup_revision(root)
    _GIT_CACHE.put(root, (stamp, now, value))
    return value


def clear_cache() -> None:
    """Forget cached git revisions (the next call runs git again)."""
    _GIT_CACHE.clear()


def _lookup_revision(root: Path) -> tuple:
    # the package must be tracked there: a site-packages copy inside some other repository
    # (say, a virtualenv in a project checkout) must not report that project's revision
    if not _git(root, "ls-files", "--", "rlsmodel/__init__.py"):
        return None, None
    rev = _git(root, "rev-parse", "HEAD")
    if rev is None or len(rev) < 7:
        return None, None
    status = _git(root, "status", "--porcelain", "--untracked-files=no")
    dirty = None if status is None else bool(status.strip())
    return rev, dirty


def _git_stamp(root: Path) -> tuple:
    """What a commit, checkout, reset or ``git add`` changes under ``.git``, read cheaply.

    The text of ``HEAD`` and of the branch ref it names (a new commit changes the ref's
    text whatever the file system's timestamp resolution), and the modification time and
    size of ``packed-refs`` and ``index``. Handles a ``.git`` directory and a ``.git`` file
    (worktrees, submodules: ``gitdir: <path>``, with shared refs in the ``commondir``).
    Empty when ``root`` holds no ``.git``: the TTL alone then decides.
    """
    dot_git = root / ".git"
    try:
        if dot_git.is_file():
            text = dot_git.read_text().strip()
            git_dir = Path(text.partition("gitdir:")[2].strip())
            git_dir = git_dir if git_dir.is_absolute() else (root / git_dir)
        elif dot_git.is_dir():
            git_dir = dot_git
        else:
            return ()
        common = git_dir
        if (git_dir / "commondir").is_file():
            rel = Path((git_dir / "commondir").read_text().strip())
            common = rel if rel.is_absolute() else git_dir / rel
        head = (git_dir / "HEAD").read_text().strip()
    except OSError:
        return ()
    stamp = [head, _mtime(git_dir / "index"), _mtime(common / "packed-refs")]
    if head.startswith("ref:"):
        ref = head[4:].strip()
        stamp += [_text(git_dir / ref), _text(common / ref)]
    return tuple(stamp)


def _mtime(path: Path):
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


def _text(path: Path):
    try:
        return path.read_text().strip()
    except OSError:
        return None


def _git(root: Path, *args) -> str | None:
    """stdout of ``git args`` run in ``root``, or None when git fails, is missing or hangs."""
    try:
        proc = subprocess.run(["git", "--no-optional-locks", *args], cwd=root, capture_output=True,
                              text=True, timeout=GIT_TIMEOUT, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode != 0:
        return None
    return proc.stdout.strip()


@functools.lru_cache(maxsize=1)
def _versions() -> tuple:
    out = [("python_version", platform.python_version())]
    for lib in LIBRARIES:
        try:
            version = importlib.metadata.version(lib)
        except importlib.metadata.PackageNotFoundError:
            version = None
        out.append((f"{lib}_version", version))
    return tuple(out)


def _static() -> dict:
    """Everything but the timestamp."""
    rev, dirty = git_revision()
    return {"rlsmodel_version": __version__, "git_revision": rev, "git_dirty": dirty, **dict(_versions())}


def _merge(base: dict, extra: dict | None) -> dict:
    if not extra:
        return base
    if not hasattr(extra, "items"):
        raise ValueError(f"extra provenance must be a dict; got {type(extra).__name__}")
    clash = sorted(k for k in extra if k in base and extra[k] != base[k])
    if clash:
        raise ValueError(f"extra provenance would replace {', '.join(map(repr, clash))}; use other key names")
    return {**base, **{str(k): v for k, v in extra.items()}}


def _attr_value(value):
    if value is None:
        return UNKNOWN
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return value
    return json.dumps(value, sort_keys=True, default=str)


__all__ = ["provenance", "dataset_attrs", "git_revision", "git_description", "clear_cache", "UNKNOWN"]
