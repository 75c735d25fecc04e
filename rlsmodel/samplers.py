"""Space-filling samples of parameter space for :func:`rlsmodel.sweep`.

>>> from rlsmodel import samplers
>>> s = samplers.latin_hypercube({"diet_iron": (5.0, 30.0), "bbb_uptake_gain": (0.2, 2.0)}, n=64, seed=1)
>>> s.values.shape
(64, 2)

Both samplers scale a scrambled unit-hypercube design (:mod:`scipy.stats.qmc`) to the
given ranges, in each parameter's own unit (the unit of the parameter table). ``ranges``
is a mapping ``name -> (low, high)``; ``None`` means every parameter of the model with
its tabulated plausible range, and a list of names means those parameters with their
tabulated ranges. The same seed always gives the same points.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Optional

import numpy as np
from scipy.stats import qmc

from . import checks

METHODS = ("latin_hypercube", "sobol")


@dataclass(frozen=True, eq=False)
class Sample:
    """An immutable set of ``n`` points in ``k`` parameters.

    Attributes
    ----------
    names
        tuple of the ``k`` parameter names (column order of ``values``).
    values
        read-only float array (n, k); column j is in the unit of parameter ``names[j]``.
    seed
        the integer seed that produced the points.
    method
        ``"latin_hypercube"`` or ``"sobol"``, or the label given to :func:`from_matrix`
        (e.g. ``"saltelli"``, ``"morris"``) for an explicit design.
    ranges
        tuple of ``(low, high)`` per name, the box the points fill.
    """

    names: tuple
    values: np.ndarray
    seed: int
    method: str
    ranges: tuple

    def __len__(self) -> int:
        return int(self.values.shape[0])

    def point(self, i: int) -> dict:
        """Point ``i`` as ``{name: value}``."""
        return {n: float(v) for n, v in zip(self.names, self.values[i])}

    def __eq__(self, other) -> bool:
        return (isinstance(other, Sample) and self.names == other.names and self.seed == other.seed
                and self.method == other.method and self.ranges == other.ranges
                and np.array_equal(self.values, other.values))

    def __hash__(self) -> int:
        return hash((self.names, self.seed, self.method, self.ranges, self.values.tobytes()))

    def __repr__(self) -> str:
        return f"Sample(method={self.method!r}, n={len(self)}, seed={self.seed}, names={list(self.names)})"


def latin_hypercube(ranges=None, n: int = 100, seed: int = 0, *, model=None) -> Sample:
    """Latin hypercube sample (scrambled, one point per stratum in every parameter).

    ``ranges``: ``{name: (low, high)}`` in the parameters' units, a list of names (their
    tabulated ranges) or None (all parameters, tabulated ranges). ``n`` >= 1 points,
    ``seed`` an integer. ``model`` is needed only to look up tabulated ranges (default:
    a fresh :class:`rlsmodel.Model`).
    """
    return _sample("latin_hypercube", ranges, n, seed, model)


def sobol(ranges=None, n: int = 128, seed: int = 0, *, model=None) -> Sample:
    """Scrambled Sobol' sample; ``n`` should be a power of two to keep its balance.

    Arguments as for :func:`latin_hypercube`.
    """
    return _sample("sobol", ranges, n, seed, model)


def from_matrix(names, values, method: str = "explicit", *, seed: int = 0, ranges=None,
                model=None) -> Sample:
    """Wrap an explicit ``(n, k)`` matrix of points as a :class:`Sample` (for :func:`rlsmodel.sweep`).

    For designs made elsewhere (SALib's Saltelli or Morris matrices, a hand-made table):
    row ``i`` is point ``i``, column ``j`` parameter ``names[j]`` in its own unit.

    ``names``: the ``k`` distinct parameter names. ``values``: array-like ``(n, k)`` of
    finite numbers (copied and made read-only). ``method``: a label recorded with the
    sample (e.g. ``"saltelli"``, ``"morris"``). ``seed``: the seed that produced the
    matrix, recorded (default 0). ``ranges``: ``{name: (low, high)}`` or a list of
    ``(low, high)`` in ``names`` order, the box the design was drawn in; every value
    must lie inside it. Default: each column's min and max. ``model``: if given, names
    are checked against its parameters (a sweep checks them and every value anyway).
    Raises ``ValueError`` naming the problem.
    """
    names = tuple(str(n) for n in names) if not isinstance(names, str) else (names,)
    if not names:
        raise ValueError("from_matrix: no parameter names given")
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise ValueError(f"from_matrix: parameter {dup!r} is named twice")
    if not isinstance(method, str) or not method:
        raise ValueError(f"from_matrix: method must be a non-empty string; got {method!r}")
    seed = check_seed(seed)
    try:
        matrix = np.array(values, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("from_matrix: values must be a numeric (n, k) array") from None
    if matrix.ndim == 1 and len(names) == 1:
        matrix = matrix[:, None]
    if matrix.ndim != 2 or matrix.shape[1] != len(names):
        raise ValueError(f"from_matrix: values must have shape (n, {len(names)}) for names {list(names)}; "
                         f"got {matrix.shape}")
    if matrix.shape[0] < 1:
        raise ValueError("from_matrix: values has no rows (points)")
    if not np.all(np.isfinite(matrix)):
        raise ValueError("from_matrix: values must be finite (no NaN or inf)")
    if model is not None:
        for name in names:
            _check_known(name, model)
    bounds = _matrix_bounds(names, matrix, ranges)
    matrix.flags.writeable = False
    return Sample(names, matrix, seed, method, bounds)


def _matrix_bounds(names, matrix, ranges) -> tuple:
    """The ``(low, high)`` per column for :func:`from_matrix`, checked to contain the values."""
    if ranges is None:
        return tuple((float(lo), float(hi)) for lo, hi in zip(matrix.min(axis=0), matrix.max(axis=0)))
    if hasattr(ranges, "items"):
        missing = [n for n in names if n not in ranges]
        extra = [n for n in ranges if n not in names]
        if missing or extra:
            raise ValueError(f"from_matrix: ranges must name exactly the columns {list(names)}; "
                             f"missing {missing}, extra {extra}")
        ranges = [ranges[n] for n in names]
    ranges = list(ranges)
    if len(ranges) != len(names):
        raise ValueError(f"from_matrix: {len(ranges)} ranges for {len(names)} names")
    bounds = []
    for j, (name, rng) in enumerate(zip(names, ranges)):
        low, high = _check_range(name, rng, None)
        col = matrix[:, j]
        if col.min() < low or col.max() > high:
            raise ValueError(f"from_matrix: values of {name!r} span [{col.min()!r}, {col.max()!r}], "
                             f"outside its range ({low!r}, {high!r})")
        bounds.append((low, high))
    return tuple(bounds)


def _sample(method: str, ranges, n, seed, model) -> Sample:
    n = checks.whole("n", n, 1, note=" (number of points)")
    seed = check_seed(seed)
    names, bounds = resolve_ranges(ranges, model)
    unit = _unit_points(method, len(names), n, seed)
    low = np.array([b[0] for b in bounds])
    high = np.array([b[1] for b in bounds])
    values = low + unit * (high - low)
    values.flags.writeable = False
    return Sample(tuple(names), values, seed, method, tuple(bounds))


def _unit_points(method: str, k: int, n: int, seed: int) -> np.ndarray:
    """``n`` points in the unit hypercube [0, 1)^k."""
    if method == "latin_hypercube":
        return qmc.LatinHypercube(d=k, scramble=True, seed=seed).random(n)
    engine = qmc.Sobol(d=k, scramble=True, seed=seed)
    m = int(math.log2(n))
    if 2 ** m == n:
        return engine.random_base2(m)
    warnings.warn(f"sobol: n = {n} is not a power of two; the sample loses Sobol' balance "
                  f"(use n = {2 ** (m + 1)} or {2 ** m})", UserWarning, stacklevel=4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return engine.random(n)


def check_seed(seed) -> int:
    """A sampler's (or an analysis') seed as an int >= 0 (:func:`rlsmodel.checks.whole`)."""
    return checks.whole("seed", seed, 0)


def resolve_ranges(ranges, model):
    """(names, [(low, high), ...]) with every range checked."""
    if ranges is None or isinstance(ranges, (list, tuple)):
        model = _default_model(model)
        names = list(model.parameters) if ranges is None else list(ranges)
        if not names:
            raise ValueError("ranges: no parameters given (empty list)")
        ranges = {}
        for name in names:
            _check_known(name, model)
            ranges[name] = tuple(model.parameters[name].range)
    if not hasattr(ranges, "items"):
        raise ValueError("ranges must be a mapping name -> (low, high), a list of names or None; "
                         f"got {type(ranges).__name__}")
    if not ranges:
        raise ValueError("ranges: no parameters given (empty mapping)")
    names, bounds = [], []
    for name, rng in ranges.items():
        if model is not None:
            _check_known(name, model)
        bounds.append(_check_range(name, rng, model))
        names.append(str(name))
    return names, bounds


def _check_range(name, rng, model) -> tuple:
    try:
        low, high = rng
    except (TypeError, ValueError):
        raise ValueError(f"range of {name!r} must be a pair (low, high) of numbers; got {rng!r}") from None
    if isinstance(rng, (str, bytes)):
        raise ValueError(f"range of {name!r} must be a pair (low, high) of numbers; got {rng!r}")
    from .checks import real
    low = real(f"low end of the range of {name!r}", low)
    high = real(f"high end of the range of {name!r}", high)
    if not (np.isfinite(low) and np.isfinite(high)):
        raise ValueError(f"range of {name!r} must be finite; got ({low!r}, {high!r})")
    if not low < high:
        raise ValueError(f"range of {name!r} is inverted or empty: low {low!r} must be < high {high!r}")
    if model is not None:
        param = model.parameters[name]
        param.check_value(low)
        param.check_value(high)
    return (low, high)


def _check_known(name, model) -> None:
    if name not in model.parameters:
        from .model.system import closest
        raise ValueError(f"unknown parameter {name!r} in ranges; " + closest(str(name), model.parameters))


def _default_model(model: Optional[object]):
    if model is not None:
        return model
    from .simulator import Model
    return Model()


__all__ = ["Sample", "latin_hypercube", "sobol", "from_matrix", "METHODS"]
