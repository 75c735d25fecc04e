"""Run chunks of sweep points: one pure simulation per point, failures recorded as values.

A chunk is a list of point indices with their ``{name: value}`` dicts. Worker processes
(local or Dask) receive the sweep configuration as cloudpickle bytes (lambdas travel too);
a serial sweep uses it directly. Each process builds the model once per
:class:`ModelKey` (:func:`worker_model`). Chunks may run in concurrent threads (a Dask
worker with several threads): the model's caches are bounded and thread-safe and an
engine that is not thread-safe is serialised by the dispatcher
(:func:`rlsmodel.engines.base.run`), so no lock is needed here.
"""
from __future__ import annotations

import hashlib
import json
import pickle
from dataclasses import dataclass, field

import numpy as np

from ..caching import LRUCache
from ..model_spec import ModelSpec
from . import summaries
from .space import PROFILE

#: Models per process, by ModelKey (the caller's model, or one rebuilt from the key).
_MODELS = LRUCache(8)
#: Deserialised sweep configurations, by the digest of their bytes.
_CONFIGS = LRUCache(4)


@dataclass(frozen=True)
class ModelKey:
    """What a worker needs to rebuild (and check) the caller's model: its
    :class:`~rlsmodel.model_spec.ModelSpec` (hypotheses, solver settings, replaced values; a
    user's own mechanism and extra modules travel as their declarations, pickled with the
    sweep configuration, and compare by content) and the structure hash it must reproduce.
    """

    spec: ModelSpec
    structure_hash: str

    @classmethod
    def of(cls, model) -> "ModelKey":
        return cls(model.spec, model.compiled.structure_hash)


@dataclass(frozen=True)
class SweepConfig:
    """Everything a worker needs besides the points.

    ``regimen``: None, an object with ``events(model, days, params)`` and ``describe()``,
    or a factory ``callable(point) -> regimen`` (``regimen_is_factory``).
    ``days``: simulated duration (day); ``sample_every_hours``: output spacing (h).
    """

    model_key: ModelKey
    days: float
    profile: str
    regimen: object
    regimen_is_factory: bool
    outcomes: dict
    parameter_names: frozenset
    keep_trajectories: bool
    sample_every_hours: float


@dataclass
class ChunkResult:
    """Results of one chunk: ``indices`` (m,), ``values`` (m, n_outcomes), ``status`` (m,).

    ``trajectories``: with ``keep="trajectories"``, ``{variable: (m, n_time) array}``
    (NaN rows for failed points), ``time`` (n_time,) in days and ``traj_attrs``.
    """

    indices: np.ndarray
    values: np.ndarray
    status: list
    trajectories: dict = field(default_factory=dict)
    time: np.ndarray = None
    traj_attrs: dict = field(default_factory=dict)


def dumps(config: SweepConfig) -> bytes:
    """Serialise ``config`` (cloudpickle when available, so lambdas travel too)."""
    try:
        import cloudpickle
    except ImportError:  # pragma: no cover - cloudpickle comes with dask
        return pickle.dumps(config)
    return cloudpickle.dumps(config)


def register_model(model) -> ModelKey:
    """Make ``model`` this process's model for its key (forked workers inherit it)."""
    key = ModelKey.of(model)
    _MODELS.put(key, model)
    return key


def worker_model(key: ModelKey):
    """This process's model for ``key``, built once; refuses a model of another structure."""
    return _MODELS.get_or_compute(key, lambda: _build_model(key))


def _build_model(key: ModelKey):
    from ..simulator import Model
    model = Model.from_spec(key.spec)
    if model.compiled.structure_hash != key.structure_hash:
        raise RuntimeError(
            f"worker built a model of structure {model.compiled.structure_hash}, the sweep needs "
            f"{key.structure_hash}: the workers run another rlsmodel version (install the same "
            "version there, or run serially)")
    return model


def _config(blob: bytes) -> SweepConfig:
    return _CONFIGS.get_or_compute(hashlib.sha256(blob).hexdigest(), lambda: pickle.loads(blob))


def run_chunk(config, indices, points) -> ChunkResult:
    """Simulate every point of a chunk; a failing point gives NaN outcomes and its message.

    ``config``: a :class:`SweepConfig`, or its :func:`dumps` bytes (how workers receive it).
    """
    config = _config(config) if isinstance(config, bytes) else config
    model = worker_model(config.model_key)
    names = list(config.outcomes)
    values = np.full((len(indices), len(names)), np.nan)
    status, trajectories = [], []
    arrays_only = not config.keep_trajectories and summaries.reads_arrays_only(config.outcomes)
    for row, point in enumerate(points):
        try:
            run = _simulate(model, config, point)
            ds = run if arrays_only else _dataset(run, point)
            values[row] = [_scalar(name, v) for name, v in zip(names, summaries.evaluate(config.outcomes, ds))]
            status.append("ok")
            trajectories.append(ds if config.keep_trajectories else None)
        except Exception as exc:  # a failure is a value, never a crashed sweep
            values[row] = np.nan
            status.append("failed: " + _message(exc))
            trajectories.append(None)
    result = ChunkResult(np.asarray(indices, dtype=np.int64), values, status)
    if config.keep_trajectories:
        _collect_trajectories(result, trajectories)
    return result


def _simulate(model, config: SweepConfig, point: dict):
    """One pure simulation of ``point`` (parameters, profile, regimen fields): a
    :class:`~rlsmodel.simulator.Run` (its Dataset is built only when an outcome needs it).

    A regimen factory with a ``simulate_point(model, point, days, profile, params,
    sample_every_hours) -> Run`` method runs the point itself (a virtual trial shares each
    patient's untreated baseline across arms, :mod:`rlsmodel.trial_runs`); it must return
    what ``model.run`` would, up to the integrator's tolerance."""
    params = {k: v for k, v in point.items() if k in config.parameter_names}
    profile = point.get(PROFILE, config.profile)
    own = getattr(config.regimen, "simulate_point", None) if config.regimen_is_factory else None
    if own is not None:          # a factory that runs its points itself (virtual_trial: shared baselines)
        return own(model, dict(point), config.days, profile, params, config.sample_every_hours)
    regimen = config.regimen(dict(point)) if config.regimen_is_factory else config.regimen
    # warn=False: out-of-range values and dose-less regimens are flagged once per sweep, before
    # any work (rlsmodel.sweep), and recorded in its attrs; progress=False: no bar per point
    return model.run(config.days, profile=profile, params=params, regimen=regimen,
                     sample_every_hours=config.sample_every_hours, progress=False, warn=False)


def _dataset(run, point: dict):
    ds = run.dataset()
    ds.attrs["sweep_point"] = json.dumps(point, sort_keys=True, default=float)   # for outcome functions
    return ds


def _scalar(name: str, value) -> float:
    arr = np.asarray(value, dtype=float)
    if arr.size != 1:
        raise ValueError(f"outcome {name!r} returned {arr.size} values, not one number")
    return float(arr.reshape(()))


def _message(exc: Exception) -> str:
    from ..engines.base import IntegrationError
    text = str(exc).strip() or "(no message)"
    return text if isinstance(exc, IntegrationError) else f"{type(exc).__name__}: {text}"


def _collect_trajectories(result: ChunkResult, datasets) -> None:
    ok = [ds for ds in datasets if ds is not None]
    if not ok:
        return
    first = ok[0]
    result.time = first["time"].values.copy()
    names = [n for n, v in first.data_vars.items() if v.dtype.kind == "f" and v.dims == ("time",)]
    for name in names:
        arr = np.full((len(datasets), result.time.size), np.nan)
        for row, ds in enumerate(datasets):
            if ds is not None:
                arr[row] = ds[name].values
        result.trajectories[name] = arr
        result.traj_attrs[name] = {k: v for k, v in first[name].attrs.items() if k in ("units", "long_name")}
