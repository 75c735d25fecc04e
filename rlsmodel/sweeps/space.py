"""Swept spaces: a full grid of named value lists, or a :class:`~rlsmodel.samplers.Sample`.

A :class:`Space` numbers its points 0..n-1 (row-major over the grid dimensions, or the
sample index) and validates every name and value against the model before any work.
"""
from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass

import numpy as np

from .. import profiles as _profiles
from ..model.system import closest
from ..samplers import Sample

#: Swept names that are not model parameters.
PROFILE = "profile"
#: Regimen fields a regimen factory may receive (``regimen=callable(point) -> Regimen``).
REGIMEN_FIELDS = ("drug", "dose_mg", "clock_hour", "start_day", "stop_day")


@dataclass(frozen=True, eq=False)
class Space:
    """The validated points of a sweep.

    Attributes
    ----------
    names
        swept names in dimension order.
    kind
        ``"grid"`` or ``"sample"``.
    grid_values
        for a grid, a tuple of value tuples (one per name); for a sample, None.
    sample
        the :class:`Sample` (or None for a grid).
    """

    names: tuple
    kind: str
    grid_values: tuple = None
    sample: Sample = None

    @property
    def dims(self) -> tuple:
        return self.names if self.kind == "grid" else ("sample",)

    @property
    def shape(self) -> tuple:
        if self.kind == "grid":
            return tuple(len(v) for v in self.grid_values)
        return (len(self.sample),)

    @property
    def n_points(self) -> int:
        return int(np.prod(self.shape))

    def point(self, i: int) -> dict:
        """Point ``i`` as ``{name: value}`` (floats for parameters, str for profile/drug)."""
        if self.kind == "sample":
            return self.sample.point(i)
        idx = np.unravel_index(int(i), self.shape)
        return {n: v[j] for n, v, j in zip(self.names, self.grid_values, idx)}

    def points(self, indices) -> list:
        return [self.point(i) for i in indices]

    def digest(self) -> str:
        """A hash of every point (names, values, sampler and seed)."""
        h = hashlib.sha256()
        if self.kind == "grid":
            h.update(json.dumps([self.names, self.grid_values], default=repr).encode())
        else:
            s = self.sample
            h.update(json.dumps([s.names, s.method, s.seed, s.ranges]).encode())
            h.update(np.ascontiguousarray(s.values, dtype="<f8").tobytes())
        return h.hexdigest()[:16]

    def points_description(self) -> dict:
        """What the points are, in names and values (JSON-able; explains a changed space)."""
        if self.kind == "grid":
            return {"kind": "grid", "values": {n: list(v) for n, v in zip(self.names, self.grid_values)}}
        s = self.sample
        return {"kind": "sample", "names": list(s.names), "method": s.method, "seed": s.seed, "n": len(s),
                "ranges": {n: list(r) for n, r in zip(s.names, s.ranges)}}

    def describe(self) -> str:
        if self.kind == "grid":
            return "grid " + " x ".join(f"{n}[{len(v)}]" for n, v in zip(self.names, self.grid_values))
        s = self.sample
        return f"{s.method} sample, n = {len(s)}, seed = {s.seed}, over {', '.join(s.names)}"


def make_space(space, model, regimen_fields=()) -> Space:
    """Validate ``space`` (dict of lists, or a Sample) against ``model``; return a :class:`Space`.

    ``regimen_fields``: extra names allowed because a regimen factory consumes them.
    Raises ``ValueError`` naming the field for empty spaces, unknown names, duplicate
    grid values and values outside a parameter's physical domain.
    """
    if isinstance(space, Sample):
        return _sample_space(space, model, regimen_fields)
    if not hasattr(space, "items"):
        raise ValueError("space must be a dict name -> list of values or a samplers.Sample; "
                         f"got {type(space).__name__}")
    if not space:
        raise ValueError("space is empty: give at least one name -> list of values")
    names, values = [], []
    for name, vals in space.items():
        _check_name(name, model, regimen_fields)
        values.append(_grid_values(name, vals, model))
        names.append(name)
    return Space(tuple(names), "grid", grid_values=tuple(values))


def _sample_space(sample: Sample, model, regimen_fields=()) -> Space:
    if len(sample) < 1:
        raise ValueError("space is empty: the sample has no points")
    for j, name in enumerate(sample.names):
        if name not in model.parameters:
            if name in regimen_fields:
                continue    # a column the regimen factory consumes (e.g. a patient index)
            raise ValueError(f"unknown parameter {name!r} in the sample; " + closest(name, model.parameters))
        for v in sample.values[:, j]:
            model.parameters[name].check_value(v)
    return Space(tuple(sample.names), "sample", sample=sample)


def _check_name(name, model, regimen_fields) -> None:
    if not isinstance(name, str):
        raise ValueError(f"swept names must be strings; got {name!r}")
    if name in model.parameters or name == PROFILE or name in regimen_fields:
        return
    valid = list(model.parameters) + [PROFILE] + list(regimen_fields)
    hint = ""
    if name in REGIMEN_FIELDS:
        hint = " (regimen fields can be swept only with regimen=callable(point) -> Regimen)"
    raise ValueError(f"unknown name {name!r} in space{hint}; " + closest(name, valid))


def _grid_values(name, vals, model) -> tuple:
    if isinstance(vals, (str, bytes)) or not hasattr(vals, "__iter__"):
        raise ValueError(f"space[{name!r}] must be a list of values; got {vals!r}")
    vals = list(vals)
    if not vals:
        raise ValueError(f"space[{name!r}] is empty: give at least one value")
    if name == PROFILE:
        out = tuple(_profiles.get(v).name for v in vals)
    elif name in model.parameters:
        out = tuple(model.parameters[name].check_value(v) for v in vals)
    else:
        out = tuple(v if isinstance(v, str) else _number(name, v) for v in vals)
    if len(set(out)) != len(out):
        dup = [v for v in out if out.count(v) > 1][0]
        raise ValueError(f"space[{name!r}] repeats the value {dup!r}; grid coordinates must be unique")
    return out


def _number(name, v) -> float:
    try:
        f = float(v)
    except (TypeError, ValueError):
        raise ValueError(f"space[{name!r}]: value {v!r} is not a number or a string") from None
    if not np.isfinite(f):
        raise ValueError(f"space[{name!r}]: value {v!r} is not finite")
    return f


def distinct_regimen_points(space: Space, fields) -> list:
    """One representative point per distinct combination of the regimen ``fields``."""
    if not fields:
        return [space.point(0)]
    if space.kind != "grid":
        return [space.point(0)]
    base = space.point(0)
    lists = [space.grid_values[space.names.index(f)] for f in fields]
    return [{**base, **dict(zip(fields, combo))} for combo in itertools.product(*lists)]


def explain_space_change(stored: dict, wanted: dict) -> list:
    """Lines saying, by parameter names and values, how the space of two sweep
    configurations (their ``space_points`` components) differs."""
    a, b = stored.get("space_points"), wanted.get("space_points")
    if not isinstance(a, dict) or not isinstance(b, dict):
        return [f"store has {stored.get('space_description', stored.get('space'))!s}, this call has "
                f"{wanted.get('space_description', wanted.get('space'))!s} (the store predates value-level "
                "descriptions)"]
    if a.get("kind") != b.get("kind"):
        return [f"store has {stored.get('space_description')}, this call has {wanted.get('space_description')}"]
    if a["kind"] == "grid":
        return _grid_change(a["values"], b["values"])
    lines = [f"{key}: store has {_show(a.get(key))}, this call has {_show(b.get(key))}"
             for key in ("names", "method", "n", "seed", "ranges") if a.get(key) != b.get(key)]
    return lines or ["same names, method, n, seed and ranges, but different sample values (a sample "
                     "made another way, e.g. samplers.from_matrix)"]


def _grid_change(a: dict, b: dict) -> list:
    lines = []
    for name in a:
        if name not in b:
            lines.append(f"{name} is swept in the store ({_show(a[name])}), not in this call")
    for name in b:
        if name not in a:
            lines.append(f"{name} is swept in this call ({_show(b[name])}), not in the store")
    for name in a:
        if name in b and a[name] != b[name]:
            added = [v for v in b[name] if v not in a[name]]
            removed = [v for v in a[name] if v not in b[name]]
            detail = "; ".join(part for part in (
                f"added {_show(added)}" if added else "", f"removed {_show(removed)}" if removed else "",
                "same values in another order" if not added and not removed else "") if part)
            lines.append(f"{name}: store has {_show(a[name])}, this call has {_show(b[name])} ({detail})")
    if not lines and list(a) != list(b):
        lines.append(f"dimension order: store has {', '.join(a)}, this call has {', '.join(b)}")
    return lines


def _show(value) -> str:
    text = json.dumps(value)
    return text if len(text) <= 100 else text[:97] + "..."
