"""Parameter sweeps: chunked, resumable, local-parallel or distributed on Dask.

>>> import rlsmodel
>>> ds = rlsmodel.sweep({"diet_iron": [8.0, 15.0], "bbb_uptake_gain": [0.5, 1.0, 2.0]},
...                     days=30)                                   # doctest: +SKIP
>>> ds["serum_ferritin_final"].sel(diet_iron=8.0)                  # doctest: +SKIP

``rlsmodel.sweep`` is the function :func:`sweep`, exported by the package facade; this
package (``rlsmodel.sweeps``) implements it, so ``rlsmodel.sweep(space, days=...)`` and
``rlsmodel.sweeps.sweep(...)`` are the same call. Modules: :mod:`.space` (points), :mod:`.summaries` (outcome functions),
:mod:`.runner` (one chunk), :mod:`.execute` (serial / processes / Dask), :mod:`.store`
(resumable stores), :mod:`.assemble` (the labelled Dataset), :mod:`.spec` (TOML specs).
"""
from __future__ import annotations

import json
import math
import sys
import warnings

import numpy as np
import xarray as xr

from .. import checks as _checks
from .._version import __version__
from .. import profiles as _profiles
from ..errors import ParameterRangeWarning, RegimenWarning
from ..provenance import dataset_attrs
from ..simulator import model_for
from . import summaries
from .assemble import assemble, part_dataset
from .execute import results
from .runner import SweepConfig, register_model
from .summaries import OutcomeGroup
from .space import PROFILE, REGIMEN_FIELDS, distinct_regimen_points, make_space
from ..fileio import OutputLock  # noqa: I001  (fileio is the lowest layer)
from .store import COMPONENTS_ATTR, FINGERPRINT_ATTR, PartStore, check_path, fingerprint

#: Largest and smallest default chunk (points per task).
MAX_CHUNK, MIN_CHUNK = 200, 10
RESERVED = ("status", "index", "point", "sample", "time")


def sweep(space, *, days, regimen=None, profile="healthy", outcomes=None, store=None, client=None,
          chunk_size=None, workers=None, model=None, keep=None, progress=None, augmentation=None,
          sample_every_hours=1.0, wait=False) -> xr.Dataset:
    """Simulate every point of ``space`` and return its outcomes as a labelled Dataset.

    Parameters
    ----------
    space
        ``{name: [values...]}`` (a full grid; one dimension per name, the values as
        coordinates, in the parameter's unit) or a :class:`rlsmodel.samplers.Sample`
        (dimension ``sample``; parameter values as coordinates along it). Names are
        model parameters, ``"profile"`` (profile names) and, with a regimen factory, its
        fields (``regimen.fields``, default ``drug, dose_mg, clock_hour, start_day, stop_day``).
    days
        simulated duration of every point (day, > 0).
    regimen
        None; a regimen object (``events(model, days, params)``, ``describe()``) for
        every point; or a factory ``callable(point: dict) -> regimen`` called per point
        (recorded under its qualified name, or what its ``name()`` method returns).
    profile
        the profile of points that do not sweep ``profile``.
    outcomes
        None (final dynamic states, final serum ferritin and brain iron, the last
        day's peak symptom when samples are at most 3 h apart and days >= 1), a list of built-in
        names (:mod:`rlsmodel.sweeps.summaries`),
        or ``{name: callable(ds) -> float}``; an :class:`OutcomeGroup` (in the list, or as a
        value under any key) adds several outcomes computed by one call per point.
    store
        a path ending ``.zarr`` or ``.nc``: finished chunks are saved as they finish
        and a rerun of the same call computes only what is missing.
    client
        a ``dask.distributed.Client``: chunks run on its cluster.
    chunk_size
        points per task (default: from the number of points and workers, 10-200).
    workers
        local worker processes (None or 1: serial in this process).
    model
        the :class:`rlsmodel.Model` to use (default: ``Model(augmentation)``).
    keep
        None (outcomes only) or ``"trajectories"`` (also every variable over ``time``).
    progress
        None (a tqdm bar when stderr is a terminal and there is more than one
        chunk), True or False.
    augmentation
        augmentation mechanism: a built-in name or your own Module
        (:mod:`rlsmodel.model.hypotheses`); default
        :data:`~rlsmodel.model.hypotheses.DEFAULT_AUGMENTATION`, or the model's.
    sample_every_hours
        trajectory sample spacing (h); outcomes see these samples.
    wait
        when another process is writing ``store`` (it holds ``<store>.lock``), wait for it
        to finish instead of raising :class:`rlsmodel.fileio.LockedError` at once.

    Returns
    -------
    xarray.Dataset
        with one variable per outcome and ``status`` ("ok" or
        "failed: <message>"; failed points have NaN outcomes). Identical whatever the
        chunking, worker count, executor or interruptions.
    """
    model = model_for(model, augmentation)
    run = _prepare(space, model, days=days, regimen=regimen, profile=profile, outcomes=outcomes,
                   keep=keep, sample_every_hours=sample_every_hours)
    _check_execution(store, client, chunk_size, workers, progress)
    if store is None:
        return _run(run, None, client=client, chunk_size=chunk_size, workers=workers, progress=progress)
    part_store = PartStore(check_path(store), run["components"])
    if part_store.final_exists() and not part_store.written_by_us():
        part_store.open_final()                      # raises: not a store of ours, nothing touched
    with OutputLock(part_store.path, wait=wait, what="sweep store"):
        if part_store.final_exists():
            return part_store.open_final()
        part_store.prepare()
        return _run(run, part_store, client=client, chunk_size=chunk_size, workers=workers, progress=progress)


def _run(run, part_store, *, client, chunk_size, workers, progress) -> xr.Dataset:
    """Compute the missing points, assemble them, and finish the store (if any)."""
    done = part_store.done_indices() if part_store is not None else np.zeros(0, dtype=np.int64)
    parts = _compute(run, done, part_store, client=client, chunk_size=chunk_size, workers=workers,
                     progress=progress)
    if part_store is not None:
        parts = part_store.read_parts()
    ds = assemble(run["space"], parts, list(run["outcomes"]), run["outcome_attrs"], run["coord_attrs"],
                  run["attrs"])
    return part_store.finish(ds) if part_store is not None else ds


# -- validation ------------------------------------------------------------------------
def _prepare(space, model, *, days, regimen, profile, outcomes, keep, sample_every_hours) -> dict:
    """Validate everything that defines the results; return the run description."""
    days = _positive("days", days)
    dt_h = _positive("sample_every_hours", sample_every_hours)
    if keep not in (None, "trajectories"):
        raise ValueError(f"keep must be None or 'trajectories'; got {keep!r}")
    profile = _profiles.get(profile).name
    is_factory = regimen is not None and callable(regimen) and not hasattr(regimen, "events")
    fields = tuple(getattr(regimen, "fields", REGIMEN_FIELDS)) if is_factory else ()
    sp = make_space(space, model, regimen_fields=fields)
    outside = _outside_ranges(sp, model)
    _warn_ranges(outside, sp, model)
    regimen_text = _regimen_description(regimen, is_factory, sp, [n for n in sp.names if n in fields],
                                        model, days, profile)
    funcs = summaries.resolve(outcomes, model, days, dt_h)
    summaries.check_sampling(funcs, days, dt_h)
    _check_outcome_names(funcs, sp, model, keep)
    if keep == "trajectories":
        _check_trajectory_size(sp, model, days, dt_h)
    config = SweepConfig(register_model(model), days, profile, regimen, is_factory, funcs,
                         frozenset(model.parameters), keep == "trajectories", dt_h)
    components = _components(sp, model, config, regimen_text)
    return {"space": sp, "outcomes": funcs, "config": config, "components": components,
            "outcome_attrs": {n: summaries.attrs(n, f, model) for n, f in funcs.items()},
            "coord_attrs": _coord_attrs(sp, model),
            "attrs": {**_attrs(sp, model, config, regimen_text, components),
                      _checks.OUTSIDE_RANGE_ATTR: json.dumps(outside, sort_keys=True)}}


def _positive(name, value) -> float:
    return _checks.positive(name, value)


def _regimen_description(regimen, is_factory, space, fields, model, days, profile) -> str:
    """Text naming the regimen(s); a factory is called once per distinct swept regimen.

    Before any work: a regimen that gives no dose within ``days`` warns once
    (:class:`RegimenWarning`); a factory that fails for some swept combinations warns once
    and those points become recorded failures; one that fails for every combination of a
    grid raises ``ValueError`` (nothing could be computed).
    """
    if regimen is None:
        return "none"
    values = model.resolve_parameters(profile)
    if not is_factory:
        if not (hasattr(regimen, "events") and hasattr(regimen, "describe")):
            raise ValueError("regimen must be None, an object with events(model, days, params) and "
                             "describe() (e.g. rlsmodel.Regimen), or a callable(point) -> regimen; got "
                             + _checks.describe_value(regimen))
        if not regimen.events(model, days, params=values):
            warnings.warn(f"sweep: {_checks.no_dose_message(regimen, days)}; every point runs untreated",
                          RegimenWarning, stacklevel=4)
        return str(regimen.describe())
    texts, failed, no_dose = [], [], []
    tried = distinct_regimen_points(space, fields)
    for point in tried:
        shown = {f: point[f] for f in fields} or {"point": 0}
        try:
            made = regimen(dict(point))
        except (TypeError, ValueError) as exc:
            failed.append(f"{shown}: {exc}")
            texts.append(f"invalid for {shown}: {exc}")
            continue
        if not (hasattr(made, "events") and hasattr(made, "describe")):
            raise ValueError("the regimen factory must return an object with events() and describe(); "
                             f"got {type(made).__name__}")
        if not made.events(model, days, params=values):
            no_dose.append(f"{shown}: {_checks.no_dose_message(made, days)}")
        texts.append(str(made.describe()))
    if failed and len(failed) == len(tried) and space.kind == "grid":
        raise ValueError(f"regimen factory failed for every swept combination ({len(failed)}); first: {failed[0]}")
    if failed:
        warnings.warn(f"sweep: the regimen is invalid for {len(failed)} of {len(tried)} swept regimen "
                      f"combination(s); their points are recorded as failed (status) and the rest run. "
                      + "; ".join(failed[:3]) + (" ..." if len(failed) > 3 else ""), RegimenWarning, stacklevel=4)
    if no_dose:
        warnings.warn(f"sweep: the regimen gives no dose within the run for {len(no_dose)} of {len(tried)} "
                      "swept regimen combination(s); those points run untreated. " + "; ".join(no_dose[:3])
                      + (" ..." if len(no_dose) > 3 else ""), RegimenWarning, stacklevel=4)
    return f"factory {factory_name(regimen)}: " + " | ".join(texts)


def factory_name(factory) -> str:
    """How a regimen factory is named in a sweep's provenance and store fingerprint: its
    ``name()`` method if it has one (e.g. a trial's arms and scoring), else its qualified
    name (a function's, or its class's)."""
    if callable(getattr(factory, "name", None)):
        return str(factory.name())
    return getattr(factory, "__qualname__", type(factory).__qualname__)


def _check_trajectory_size(space, model, days, dt_h) -> None:
    """``keep="trajectories"`` holds every float variable of every point in memory (twice,
    while the result is assembled): refuse before any work above the run memory limit."""
    from .. import runplan
    from ..errors import RunTooLargeError
    n_vars = len([n for n in model.kept_variables(None) if n != "activity"])
    samples = runplan.n_samples(days, dt_h)
    nbytes = 2.0 * space.n_points * samples * n_vars * 8.0
    limit = runplan.limit("RLSMODEL_MAX_MEMORY_GB", runplan.MAX_MEMORY_GB)
    if nbytes > limit * runplan.GIB:
        raise RunTooLargeError(
            f"keep='trajectories' would hold {space.n_points} points x {samples:,} samples x {n_vars} variables: "
            f"about {nbytes / runplan.GIB:.3g} GiB, above the limit of {limit:g} GiB (RLSMODEL_MAX_MEMORY_GB). "
            "Keep outcomes only (keep=None; add the summaries you need as outcomes), sample less often "
            "(sample_every_hours), sweep fewer points, or raise the limit")


def _outside_ranges(space, model) -> dict:
    """Swept parameter values outside their declared ranges: ``{name: {range, unit, n_points,
    min, max}}`` (points counted over the whole space)."""
    out = {}
    for j, name in enumerate(space.names):
        if name not in model.parameters:
            continue
        lo, hi = model.parameters[name].range
        if space.kind == "grid":
            values = np.array(space.grid_values[j], dtype=float)
            per_value = space.n_points // len(values)
        else:
            values = np.asarray(space.sample.values[:, j], dtype=float)
            per_value = 1
        bad = values[(values < lo) | (values > hi)]
        if bad.size:
            out[name] = {"range": [float(lo), float(hi)], "unit": model.parameters[name].unit,
                         "n_points": int(bad.size * per_value), "min": float(bad.min()), "max": float(bad.max())}
    return out


def _warn_ranges(outside: dict, space, model) -> None:
    if not outside:
        return
    parts = []
    for name, info in outside.items():
        lo, hi = info["range"]
        unit = "" if info["unit"] == "1" else " " + info["unit"]
        values = (f"value {info['min']:g}{unit}" if info["min"] == info["max"]
                  else f"values {info['min']:g} to {info['max']:g}{unit}")
        parts.append(f"{name} at {info['n_points']} of {space.n_points} points ({values}; declared range "
                     f"{lo:g}-{hi:g}{unit})")
    warnings.warn("sweep: values outside the declared parameter ranges: " + "; ".join(parts)
                  + ". The model is not calibrated there: results are an extrapolation. The values are used as "
                  f"given, warned about once per sweep (not per point) and recorded in the attrs "
                  f"{_checks.OUTSIDE_RANGE_ATTR!r}. Silence with warnings.simplefilter('ignore', "
                  "rlsmodel.ParameterRangeWarning).", ParameterRangeWarning, stacklevel=4)


def _check_outcome_names(funcs, space, model, keep) -> None:
    taken = set(space.names) | set(RESERVED)
    if keep == "trajectories":
        taken |= set(summaries.variable_units(model))
    for name in funcs:
        if name in taken:
            raise ValueError(f"outcome name {name!r} clashes with a dimension, coordinate or variable "
                             "of the result; rename it")


def _check_execution(store, client, chunk_size, workers, progress) -> None:
    if store is not None:
        check_path(store)
    if client is not None and workers not in (None, 1):
        raise ValueError("give workers= (local processes) or client= (a Dask cluster), not both")
    for name, value in (("chunk_size", chunk_size), ("workers", workers)):
        _checks.whole(name, value, 1, optional=True)
    if progress not in (None, True, False):
        raise ValueError(f"progress must be None, True or False; got {progress!r}")


# -- provenance ------------------------------------------------------------------------
def _components(space, model, config: SweepConfig, regimen_text: str) -> dict:
    """What defines the results: a store made for other components is refused."""
    defaults = model.resolve_parameters(config.profile)
    return {
        "space": space.digest(), "space_description": space.describe(),
        "space_points": space.points_description(), "days": config.days,
        "profile": config.profile, "regimen": regimen_text, "outcomes": list(config.outcomes),
        "augmentation_mechanism": model.augmentation, "dat_hypothesis": model.dat_hypothesis,
        "model_structure": model.compiled.structure_hash,
        "parameter_defaults": fingerprint(dict(defaults)),
        "solver": model.settings.as_attrs(), "rlsmodel_version": __version__,
        "keep": config.keep_trajectories and "trajectories" or "outcomes",
        "sample_every_hours": config.sample_every_hours,
    }


def _attrs(space, model, config, regimen_text, components) -> dict:
    attrs = {
        "title": "rlsmodel parameter sweep", "rlsmodel_version": __version__,
        "model_structure": model.compiled.structure_hash,
        **model.spec.attrs(),   # hypotheses, replaced values, solver settings: as every output records them
        "profile": config.profile, "regimen": regimen_text,
        "days": config.days, "days_units": "day", "sample_every_hours": config.sample_every_hours,
        "space": space.describe(), "outcomes": ", ".join(config.outcomes),
        FINGERPRINT_ATTR: fingerprint(components), COMPONENTS_ATTR: json.dumps(components, sort_keys=True),
        **dataset_attrs(),      # git revision and library versions (not in the fingerprint)
    }
    if PROFILE in space.names:
        attrs["profile"] = f"swept (dimension {PROFILE!r})"
    if space.kind == "sample":
        attrs.update({"sampler": space.sample.method, "sampler_seed": space.sample.seed,
                      "sampler_ranges": json.dumps(dict(zip(space.sample.names, space.sample.ranges)))})
    return attrs


def _coord_attrs(space, model) -> dict:
    out = {}
    for name in space.names:
        if name in model.parameters:
            p = model.parameters[name]
            out[name] = {"units": p.unit, "long_name": p.description, "source": p.source}
        elif name == PROFILE:
            out[name] = {"long_name": "patient profile (rlsmodel.profiles)"}
        else:
            out[name] = {"long_name": f"regimen field {name}"}
    return out


# -- execution -------------------------------------------------------------------------
def default_chunk_size(n_points: int, n_workers: int) -> int:
    """About four chunks per worker, 10-200 points each; smaller only so every worker gets one."""
    workers = max(n_workers, 1)
    target = math.ceil(n_points / (4 * workers))
    floor = min(MIN_CHUNK, math.ceil(n_points / workers))
    return max(1, min(MAX_CHUNK, max(target, floor)))


def _compute(run, done, part_store, *, client, chunk_size, workers, progress) -> list:
    """Run the points not in ``done``; write (store) or collect (memory) their parts."""
    space, config = run["space"], run["config"]
    missing = np.setdiff1d(np.arange(space.n_points, dtype=np.int64), done)
    n_workers = _n_dask_workers(client) if client is not None else (workers or 1)
    size = chunk_size or default_chunk_size(missing.size, n_workers)
    chunks = [missing[i:i + size] for i in range(0, missing.size, size)]
    tasks = ((idx.tolist(), space.points(idx)) for idx in chunks)   # lazy: built as submitted
    collected = []
    bar = _progress_bar(progress, space.n_points, done.size, len(chunks))
    try:
        stream = results(tasks, config, n_tasks=len(chunks), workers=workers, client=client)
        for result in stream:
            part = part_dataset(result, list(run["outcomes"]))
            if part_store is not None:
                part_store.write_part(part)
            else:
                collected.append(part)
            bar.update(len(result.indices))
    finally:
        bar.close()
    return collected


def _n_dask_workers(client) -> int:
    try:
        return max(1, len(client.scheduler_info()["workers"]))
    except Exception:  # pragma: no cover - scheduler without worker info
        return 1


def _progress_bar(progress, total, initial, n_chunks):
    from tqdm.auto import tqdm
    show = progress if progress is not None else (sys.stderr.isatty() and n_chunks > 1)
    return tqdm(total=total, initial=initial, disable=not show, unit="point", desc="sweep",
                file=sys.stderr, dynamic_ncols=True)


from .spec import run_spec  # noqa: E402  (needs sweep above)

__all__ = ["sweep", "run_spec", "default_chunk_size", "OutcomeGroup"]
