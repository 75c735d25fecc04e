"""Chunk results to per-chunk Datasets (dimension ``point``) and those to the sweep Dataset."""
from __future__ import annotations

import numpy as np
import xarray as xr

from .verify import CHECKSUM_ATTR, checksum_attr

TRAJ_PREFIX = "traj__"


def part_dataset(result, outcome_names) -> xr.Dataset:
    """One chunk's results as a Dataset over ``point`` (what a part file holds)."""
    data = {"index": ("point", result.indices),
            "status": ("point", np.array(result.status, dtype=str))}
    for j, name in enumerate(outcome_names):
        data[name] = ("point", result.values[:, j])
    coords = {}
    if result.time is not None:
        coords["time"] = ("time", result.time)
        for name, arr in result.trajectories.items():
            data[TRAJ_PREFIX + name] = (("point", "time"), arr, result.traj_attrs.get(name, {}))
    return xr.Dataset(data, coords=coords)


def assemble(space, parts, outcome_names, outcome_attrs, coord_attrs, attrs) -> xr.Dataset:
    """The labelled sweep Dataset from part Datasets covering every point exactly once."""
    n = space.n_points
    index = np.concatenate([p["index"].values for p in parts]) if parts else np.zeros(0, int)
    _check_cover(index, n)
    status = np.empty(n, dtype=object)
    status[index] = np.concatenate([p["status"].values.astype(str) for p in parts])
    dims, shape = space.dims, space.shape
    data = {"status": (dims, status.astype(str).reshape(shape),
                       {"long_name": "point status", "description": "ok, or failed: <solver or outcome message>"})}
    for name in outcome_names:
        flat = np.full(n, np.nan)
        flat[index] = np.concatenate([p[name].values for p in parts])
        data[name] = (dims, flat.reshape(shape), outcome_attrs[name])
    ds = xr.Dataset(data, coords=_coords(space, coord_attrs))
    ds = _add_trajectories(ds, space, parts)
    ds.attrs.update(attrs)
    ds.attrs["n_points"] = n
    ds.attrs["n_failed"] = int(np.sum(status != "ok"))
    ds.attrs[CHECKSUM_ATTR] = checksum_attr(ds)     # verified whenever a store of it is resumed into
    return ds


def _check_cover(index, n) -> None:
    if index.size != n or np.unique(index).size != n:
        missing = n - np.unique(index).size
        raise RuntimeError(f"internal error: results cover {np.unique(index).size} of {n} points "
                           f"({missing} missing, {index.size - np.unique(index).size} duplicated)")


def _coords(space, coord_attrs) -> dict:
    if space.kind == "grid":
        return {name: (name, np.array(values), coord_attrs.get(name, {}))
                for name, values in zip(space.names, space.grid_values)}
    s = space.sample
    coords = {"sample": ("sample", np.arange(len(s)), {"long_name": "sample index"})}
    for j, name in enumerate(s.names):
        coords[name] = ("sample", np.array(s.values[:, j]), coord_attrs.get(name, {}))
    return coords


def _add_trajectories(ds, space, parts) -> xr.Dataset:
    with_time = [p for p in parts if "time" in p.coords]
    if not with_time:
        return ds
    time = with_time[0]["time"].values
    names = [v[len(TRAJ_PREFIX):] for v in with_time[0].data_vars if v.startswith(TRAJ_PREFIX)]
    n = space.n_points
    ds = ds.assign_coords(time=("time", time, {"units": "day", "long_name": "time since midnight of day 0"}))
    for name in names:
        flat = np.full((n, time.size), np.nan)
        for part in parts:
            if TRAJ_PREFIX + name in part:
                flat[part["index"].values] = part[TRAJ_PREFIX + name].values
        attrs = dict(with_time[0][TRAJ_PREFIX + name].attrs)
        ds[name] = (space.dims + ("time",), flat.reshape(space.shape + (time.size,)), attrs)
    return ds
