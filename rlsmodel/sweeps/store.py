"""Resumable sweep stores: one small NetCDF file per finished chunk, then one final store.

Layout for ``store="out.zarr"`` (or ``"out.nc"``)::

    out.zarr.parts/fingerprint.json           configuration fingerprint (written first)
    out.zarr.parts/part_000000000120_40.nc    points 120.. of one finished chunk (40 points)
    out.zarr                                  the assembled Dataset, written when all points are done

Each part is written to a temporary name and renamed, so a part on disk is always
complete; an interruption loses at most the chunks in flight. When every point is done
the assembled Dataset is written (again via a temporary name) and the parts directory
is removed. Only the calling process writes, and it holds the store's lock
(:class:`rlsmodel.fileio.OutputLock`, file ``out.zarr.lock``) meanwhile: a second sweep into
the same store is refused at once, naming the holder's process id and host (or waits for
it with ``wait=True``). A path that exists but carries no sweep mark in its metadata is
never read, changed or called damaged.

Nothing damaged is read as results (:mod:`.verify`):

* a finished store is verified whenever a sweep resumes into it (and right after it is
  written): every metadata file parses, every variable and chunk file is present and
  decodes, shapes are complete and every block of values matches the checksum recorded
  in ``attrs["sweep_checksums"]``. On damage :class:`~rlsmodel.errors.StoreDamagedError`
  names each damaged file and the fix (delete the store and rerun: every point is then
  recomputed); its results are never returned.
* a part file that does not open, lacks variables, does not match its name or its
  checksum is renamed ``<part>.damaged`` with a :class:`~rlsmodel.errors.StoreRepairWarning`
  naming it, and its points are recomputed.
* a ``fingerprint.json`` that does not parse is rewritten (with a warning) when every part
  carries this configuration's fingerprint; otherwise the sweep refuses, naming the file.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import warnings

import numpy as np
import xarray as xr

from ..errors import StoreDamagedError, StoreRepairWarning
from ..fileio import atomic_output, write_text_atomic
from . import verify
from .verify import brief
from .space import explain_space_change

SUFFIXES = (".zarr", ".nc")
FINGERPRINT_ATTR = "sweep_fingerprint"
COMPONENTS_ATTR = "sweep_configuration"


def check_path(store) -> Path:
    path = Path(store)
    if path.suffix not in SUFFIXES:
        raise ValueError(f"store must be a path ending in .zarr or .nc; got {str(store)!r}")
    return path


def fingerprint(components: dict) -> str:
    """sha256 (first 16 hex digits) of the JSON of ``components``."""
    return hashlib.sha256(json.dumps(components, sort_keys=True).encode()).hexdigest()[:16]


#: Components that describe the configuration for people; compared through "space".
INFORMATIONAL = ("space_description", "space_points")


#: What reading a damaged ``fingerprint.json`` raises (see :func:`read_fingerprint_file`).
FINGERPRINT_FILE_ERRORS = (ValueError, KeyError, TypeError, UnicodeDecodeError)


def read_fingerprint_file(file: Path) -> dict:
    """The ``components`` table stored in a ``fingerprint.json`` (sweep stores and calibration
    directories alike); raises one of :data:`FINGERPRINT_FILE_ERRORS` when the file is damaged."""
    stored = json.loads(Path(file).read_text())["components"]
    if not isinstance(stored, dict):
        raise TypeError("'components' is not a table")
    return stored


def write_fingerprint_file(file: Path, components: dict) -> None:
    """Write ``fingerprint.json``: the fingerprint of ``components`` and the table itself (atomically)."""
    payload = {"fingerprint": fingerprint(components), "components": components}
    write_text_atomic(file, json.dumps(payload, indent=1, sort_keys=True))


def check_match(path: Path, stored: dict, wanted: dict, kind: str = "sweep configuration",
                noun: str = "store", notes=None) -> None:
    """Raise ``ValueError`` naming every component that differs between two configurations;
    a changed space is explained by parameter names and values. ``kind`` and ``noun`` name
    them in the message; ``notes``: ``{component: what it covers}`` added to its line."""
    keys = sorted((set(stored) | set(wanted)) - set(INFORMATIONAL))
    diffs = [k for k in keys if stored.get(k) != wanted.get(k)]
    if not diffs:
        return
    lines = []
    for k in diffs:
        if k == "space":
            lines += ["  space: " + line for line in explain_space_change(stored, wanted)]
        else:
            note = f" ({notes[k]})" if notes and k in notes else ""
            lines.append(f"  {k}{note}: {noun} has {_short(stored.get(k))}, this call has {_short(wanted.get(k))}")
    raise ValueError(f"{noun} {str(path)!r} was made for a different {kind}; refusing to mix "
                     f"results. Use another {noun} path, or delete this one. Differences:\n" + "\n".join(lines))


def _short(value) -> str:
    text = json.dumps(value)
    return text if len(text) <= 120 else text[:117] + "..."


class PartStore:
    """The parts directory of one store path."""

    def __init__(self, path: Path, components: dict):
        self.path = path
        self.parts = path.with_name(path.name + ".parts")
        self.components = components

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.components)

    # -- lifecycle ------------------------------------------------------------------
    def final_exists(self) -> bool:
        return self.path.exists()

    def open_final(self) -> xr.Dataset:
        """The completed store, checked against this configuration and verified, in memory."""
        if not self.written_by_us():
            raise ValueError(
                f"{str(self.path)!r} exists and is not a sweep store written by rlsmodel (its metadata carries no "
                f"{FINGERPRINT_ATTR!r}); nothing in it was read or changed. Choose another store path "
                "(-o in the command line, store= in Python)")
        try:
            ds = read(self.path)
        except Exception as exc:        # any backend failure: find and name the damaged file
            self._refuse(self._file_problems() or [f"{self.path}: cannot be read ({brief(exc)})"])
        if FINGERPRINT_ATTR not in ds.attrs:
            raise ValueError(f"{str(self.path)!r} exists and is not an rlsmodel sweep store; refusing to overwrite it")
        try:
            stored = json.loads(ds.attrs[COMPONENTS_ATTR])
        except (KeyError, ValueError, TypeError) as exc:
            self._refuse([f"{self._meta_file()}: the sweep configuration attr does not parse ({exc})"])
        check_match(self.path, stored, self.components)
        # stores written before checksums were recorded may lack all-NaN chunk files
        problems = self._file_problems(verify.CHECKSUM_ATTR in ds.attrs)
        problems += self._shape_problems(ds)
        if verify.CHECKSUM_ATTR in ds.attrs:
            try:
                recorded = json.loads(ds.attrs[verify.CHECKSUM_ATTR])
            except (ValueError, TypeError) as exc:
                recorded = {}
                problems.append(f"{self._meta_file()}: the checksum attr does not parse ({exc})")
            named = {p.split(": ", 1)[0] for p in problems}     # one line per damaged file
            problems += [p for p in verify.compare(ds, recorded, self._where) if p.split(": ", 1)[0] not in named]
        if problems:
            self._refuse(problems)
        return ds

    def written_by_us(self) -> bool:
        """Whether the existing ``self.path`` carries this package's sweep mark in its metadata
        (read as bytes, so a store whose metadata is damaged is still recognised)."""
        if not (self.path.is_dir() if self.path.suffix == ".zarr" else self.path.is_file()):
            return False
        if self.path.suffix == ".nc" and self._netcdf_unreadable():
            # a damaged NetCDF file may have lost its attributes (HDF5 writes them last): it is
            # treated as a damaged store, and the message asks to check it before deleting
            return True
        return self._has_mark()

    def _has_mark(self) -> bool:
        """This package's sweep mark is in the store's metadata bytes."""
        if self.path.suffix == ".zarr":
            files = [self.path / ".zattrs", self.path / ".zmetadata"]
        else:
            files = [self.path]
        mark = FINGERPRINT_ATTR.encode()
        for file in files:
            try:
                with open(file, "rb") as fh:
                    tail = b""
                    while block := fh.read(1 << 20):
                        if mark in tail + block:
                            return True
                        tail = block[-len(mark):]
            except OSError:
                continue
        return False

    def _netcdf_unreadable(self) -> bool:
        """The file starts like NetCDF/HDF5 but does not open."""
        try:
            with open(self.path, "rb") as fh:
                head = fh.read(8)
        except OSError:
            return False
        if not (head.startswith(b"\x89HDF") or head[:3] == b"CDF"):
            return False
        try:
            with xr.open_dataset(self.path) as ds:
                ds.attrs.get(FINGERPRINT_ATTR)
        except Exception:           # any backend failure: it does not open
            return True
        return False

    def _file_problems(self, all_chunks: bool = True) -> list:
        if self.path.suffix == ".zarr":
            return verify.zarr_files(self.path, all_chunks)
        return []

    def _meta_file(self) -> Path:
        return self.path / ".zattrs" if self.path.suffix == ".zarr" else self.path

    def _where(self, name, block):
        if self.path.suffix != ".zarr":
            return self.path
        if block is None:
            return self.path / name
        ndim = len(json.loads((self.path / name / ".zarray").read_text())["shape"])
        return verify.chunk_path(self.path, name, (block,) + (0,) * (ndim - 1))

    def _shape_problems(self, ds) -> list:
        """Variables whose point dimensions do not cover every point of the sweep."""
        try:
            n = int(ds.attrs["n_points"])
        except (KeyError, ValueError, TypeError):
            return [f"{self._meta_file()}: attr 'n_points' is missing"]
        problems = []
        for name, var in ds.data_vars.items():
            size = int(np.prod([ds.sizes[d] for d in var.dims if d != "time"], dtype=np.int64))
            if size != n:
                problems.append(f"{self._where(name, None)}: {name!r} covers {size} points, the sweep has {n}")
        return problems

    def _refuse(self, problems):
        shown = "\n".join("  " + p for p in problems[:20])
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        kind = "rm -r" if self.path.is_dir() else "rm"
        check = ("" if self._has_mark() else " Its sweep mark could not be read: make sure it is the store a "
                 "previous sweep wrote before you delete it.")
        raise StoreDamagedError(
            f"the finished sweep store {str(self.path)!r} is damaged; its results were not used. Damaged:\n"
            f"{shown}{more}.\nFix: delete it ({kind} '{self.path}') and rerun the same call: every point is "
            f"recomputed (or restore the store from a backup).{check}")

    def prepare(self) -> None:
        """Create the parts directory, or check that an existing one has this fingerprint."""
        file = self.parts / "fingerprint.json"
        if file.exists():
            try:
                stored = read_fingerprint_file(file)
            except FINGERPRINT_FILE_ERRORS as exc:
                self._repair_fingerprint(file, exc)
                return
            check_match(self.path, stored, self.components)
            return
        self.parts.mkdir(parents=True, exist_ok=True)
        self._write_fingerprint(file)

    def _write_fingerprint(self, file: Path) -> None:
        write_fingerprint_file(file, self.components)

    def _repair_fingerprint(self, file: Path, exc) -> None:
        """Rewrite a damaged fingerprint.json if every part carries this configuration's fingerprint."""
        foreign = []
        for part in sorted(self.parts.glob("part_*.nc")):
            try:
                with xr.open_dataset(part) as ds:
                    mark = ds.attrs.get(FINGERPRINT_ATTR)
            except Exception:           # a damaged part is set aside later, not a reason to refuse
                continue
            if mark != self.fingerprint:
                foreign.append(part)
        if foreign:
            raise StoreDamagedError(
                f"{str(file)!r} is damaged ({brief(exc)}), and {len(foreign)} part file(s) (e.g. "
                f"{str(foreign[0])!r}) do not carry this sweep's fingerprint {self.fingerprint}, so they cannot be "
                f"matched to this configuration. Fix: restore fingerprint.json, or delete '{self.parts}' to start "
                "over (its points are then recomputed).")
        self._write_fingerprint(file)
        warnings.warn(f"{str(file)!r} was damaged ({brief(exc)}); rewritten from this call's "
                      "configuration, which every part file in the directory carries", StoreRepairWarning,
                      stacklevel=4)

    def done_indices(self) -> np.ndarray:
        """Point indices of every sound part on disk (damaged parts are set aside)."""
        done = [part["index"].values for part in self.read_parts()]
        return np.concatenate(done) if done else np.zeros(0, dtype=np.int64)

    def read_parts(self) -> list:
        """The sound part files, loaded; a damaged one is renamed ``.damaged`` with a warning."""
        out = []
        for file in sorted(self.parts.glob("part_*.nc")):
            part, problem = self._read_part(file)
            if problem is None:
                out.append(part)
                continue
            aside = file.with_name(file.name + ".damaged")
            os.replace(file, aside)
            warnings.warn(f"damaged sweep part file {str(file)!r} ({problem}): renamed to {aside.name!r}; its "
                          f"points will be recomputed", StoreRepairWarning, stacklevel=4)
        return out

    def _read_part(self, file: Path):
        """(part, None), or (None, what is wrong with ``file``)."""
        if file.stat().st_size == 0:
            return None, "the file is empty"
        try:
            with xr.open_dataset(file) as part:
                part = part.load()
        except Exception as exc:        # truncated or garbled HDF5: the file is damaged
            return None, f"does not open: {brief(exc)}"
        mark = part.attrs.get(FINGERPRINT_ATTR)
        if mark is not None and mark != self.fingerprint:
            raise ValueError(f"part file {str(file)!r} was made for another sweep configuration (fingerprint "
                             f"{mark}, this call {self.fingerprint}); refusing to mix results. Move it away or "
                             f"delete '{self.parts}' to start over")
        missing = [v for v in ("index", "status") + tuple(self.components.get("outcomes", ())) if v not in part]
        if missing:
            return None, f"lacks variable(s) {', '.join(missing)}"
        try:
            first, count = (int(x) for x in file.stem.split("_")[1:3])
        except ValueError:
            return None, "its name is not part_<first index>_<points>.nc"
        index = part["index"].values
        if index.size != count or part.sizes.get("point") != count or (count and int(index.min()) != first):
            start = index.min() if index.size else "-"
            return None, f"holds {index.size} point(s) from {start}, its name says {count} from {first}"
        if verify.CHECKSUM_ATTR in part.attrs:
            recorded = json.loads(part.attrs[verify.CHECKSUM_ATTR])
            bad = verify.compare(part, recorded, lambda name, block: name)
            if bad:
                return None, f"values differ from its checksum ({bad[0]})"
        return part, None

    def write_part(self, part: xr.Dataset) -> None:
        first = int(part["index"].values.min())
        name = f"part_{first:012d}_{part.sizes['point']}.nc"
        part = part.copy()
        part.attrs[verify.CHECKSUM_ATTR] = verify.checksum_attr(part)
        part.attrs[FINGERPRINT_ATTR] = self.fingerprint
        with atomic_output(self.parts / name) as tmp:
            part.to_netcdf(tmp)

    def finish(self, ds: xr.Dataset) -> xr.Dataset:
        """Write the assembled dataset, verify it, remove the parts, and return the store's contents."""
        with atomic_output(self.path, overwrite=False) as tmp:
            write(ds, tmp, self.path.suffix)
        stored = self.open_final()
        shutil.rmtree(self.parts, ignore_errors=True)
        return stored


def write(ds: xr.Dataset, path: Path, suffix: str) -> None:
    """Write ``ds`` to ``path`` as Zarr (format 2, consolidated) if ``suffix`` is .zarr, else NetCDF."""
    if suffix == ".zarr":
        ds.to_zarr(path, mode="w", zarr_format=2, consolidated=True, write_empty_chunks=True,
                   encoding=verify.zarr_encoding(ds))
    else:
        ds.to_netcdf(path)


def read(path: Path) -> xr.Dataset:
    """A store's dataset, loaded; strings as numpy unicode whatever the backend."""
    if path.suffix == ".zarr":
        with xr.open_zarr(path, consolidated=True) as ds:
            ds = ds.load()
    else:
        with xr.open_dataset(path) as ds:
            ds = ds.load()
    return normalise_strings(ds)


def normalise_strings(ds: xr.Dataset) -> xr.Dataset:
    """Cast object / variable-width string variables and coordinates to numpy ``<U``."""
    def fix(var):
        if var.dtype.kind in ("O", "T"):
            return var.astype(str)
        return var
    ds = ds.copy()
    for name in list(ds.variables):
        var = ds.variables[name]
        if var.dtype.kind in ("O", "T"):
            if name in ds.coords:
                ds = ds.assign_coords({name: fix(ds[name])})
            else:
                ds[name] = fix(ds[name])
    return ds


def _atomic_text(path: Path, text: str) -> None:
    write_text_atomic(path, text)
