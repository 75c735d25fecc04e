"""Resumable sweep stores: one small NetCDF file per finished chunk, then one final store.

Layout for ``store="out.zarr"`` (or ``"out.nc"``)::

    out.zarr.parts/fingerprint.json           configuration fingerprint (written first)
    out.zarr.parts/part_000000000120_40.nc    points 120.. of one finished chunk (40 points)
    out.zarr                                  the assembled Dataset, written when all points are done

Each part is written to a temporary name and renamed, so a part on disk is always
complete; an interruption loses at most the chunks in flight. When every point is done
the assembled Dataset is written (again via a temporary name) and the parts directory
is removed. Only the calling process writes.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import numpy as np
import xarray as xr

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


def check_match(path: Path, stored: dict, wanted: dict) -> None:
    """Raise ``ValueError`` naming every component that differs between two configurations."""
    keys = sorted(set(stored) | set(wanted))
    diffs = [k for k in keys if stored.get(k) != wanted.get(k)]
    if not diffs:
        return
    lines = [f"  {k}: store has {_short(stored.get(k))}, this call has {_short(wanted.get(k))}" for k in diffs]
    raise ValueError(f"store {str(path)!r} was made for a different sweep configuration; refusing to mix "
                     "results. Use another store path, or delete this one. Differences:\n" + "\n".join(lines))


def _short(value) -> str:
    text = json.dumps(value)
    return text if len(text) <= 120 else text[:117] + "..."


class PartStore:
    """The parts directory of one store path."""

    def __init__(self, path: Path, components: dict):
        self.path = path
        self.parts = path.with_name(path.name + ".parts")
        self.components = components

    # -- lifecycle ------------------------------------------------------------------
    def final_exists(self) -> bool:
        return self.path.exists()

    def open_final(self) -> xr.Dataset:
        """The completed store, checked against this configuration, loaded into memory."""
        ds = read(self.path)
        if FINGERPRINT_ATTR not in ds.attrs:
            raise ValueError(f"{str(self.path)!r} exists and is not an rlsmodel sweep store; refusing to overwrite it")
        check_match(self.path, json.loads(ds.attrs[COMPONENTS_ATTR]), self.components)
        return ds

    def prepare(self) -> None:
        """Create the parts directory, or check that an existing one has this fingerprint."""
        file = self.parts / "fingerprint.json"
        if file.exists():
            check_match(self.path, json.loads(file.read_text())["components"], self.components)
            return
        self.parts.mkdir(parents=True, exist_ok=True)
        payload = {"fingerprint": fingerprint(self.components), "components": self.components}
        _atomic_text(file, json.dumps(payload, indent=1, sort_keys=True))

    def done_indices(self) -> np.ndarray:
        """Point indices of every part on disk."""
        done = [part["index"].values for part in self.read_parts()]
        return np.concatenate(done) if done else np.zeros(0, dtype=np.int64)

    def read_parts(self) -> list:
        out = []
        for file in sorted(self.parts.glob("part_*.nc")):
            with xr.open_dataset(file) as part:
                out.append(part.load())
        return out

    def write_part(self, part: xr.Dataset) -> None:
        first = int(part["index"].values.min())
        name = f"part_{first:012d}_{part.sizes['point']}.nc"
        tmp = self.parts / (name + f".tmp{os.getpid()}")
        part.to_netcdf(tmp)
        os.replace(tmp, self.parts / name)

    def finish(self, ds: xr.Dataset) -> xr.Dataset:
        """Write the assembled dataset, remove the parts, and return the store's contents."""
        tmp = self.path.with_name(self.path.name + f".tmp{os.getpid()}")
        _remove(tmp)
        write(ds, tmp, self.path.suffix)
        os.replace(tmp, self.path)
        shutil.rmtree(self.parts, ignore_errors=True)
        return read(self.path)


def write(ds: xr.Dataset, path: Path, suffix: str) -> None:
    """Write ``ds`` to ``path`` as Zarr (format 2, consolidated) if ``suffix`` is .zarr, else NetCDF."""
    if suffix == ".zarr":
        ds.to_zarr(path, mode="w", zarr_format=2, consolidated=True)
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
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    tmp.write_text(text)
    os.replace(tmp, path)


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()
