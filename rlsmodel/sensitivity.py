"""Global sensitivity analysis (Sobol' and Morris, with SALib) on the sweep harness.

>>> from rlsmodel import sensitivity
>>> res = sensitivity.sobol("serum_ferritin_final", ["diet_iron", "blood_loss", "k_d2"],
...                         n=64, seed=1, days=60)                    # doctest: +SKIP
>>> res["ST"].to_series().sort_values()                              # doctest: +SKIP
>>> sensitivity.plot_indices(res, "figures/sobol_ferritin.png")     # doctest: +SKIP

SALib draws the design (Saltelli's extension of a scrambled Sobol' sequence, or Morris
trajectories); the design is wrapped as a :class:`rlsmodel.samplers.Sample`
(:func:`rlsmodel.samplers.from_matrix`) and run by :func:`rlsmodel.sweep`, so the model
evaluations are chunked, run on local processes (``workers=``) or a Dask cluster
(``client=``), and saved as they finish (``store=``: rerunning the same call resumes and,
once the store is complete, analyses it without simulating). SALib then analyses the
outcome values. Every evaluation is one simulation of ``days`` days starting from the
profile's daily limit cycle *for that point's parameters* (as :meth:`Model.simulate`).

Results are ``xarray.Dataset`` objects over the dimension ``parameter``:

* Sobol': ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` (fractions of the outcome's variance;
  ``*_conf`` the half-width of the bootstrap confidence interval at ``conf_level``), and
  with ``calc_second_order=True`` also ``S2``, ``S2_conf`` over ``(parameter, parameter_j)``.
* Morris: ``mu_star``, ``mu_star_conf``, ``sigma``, ``mu`` (elementary effects in the
  outcome's unit per whole parameter range).

Coordinates ``low``, ``high``, ``units`` give each parameter's range; attrs record the
method, outcome, sample size, seed, ranges, days, profile, regimen, augmentation
mechanism, model structure hash and :mod:`rlsmodel.provenance` (versions, git revision,
time of the analysis).

The command line runs TOML specs (:func:`run_spec`, ``rlsmodel sensitivity SPEC.toml``);
see ``experiments/sensitivity_example.toml``.
"""
from __future__ import annotations
from .fileio import atomic_output


import json
import math
from pathlib import Path

import numpy as np
import xarray as xr

from . import profiles as _profiles
from . import samplers
from . import checks
from .provenance import dataset_attrs
from .simulator import model_for
from .spec_fields import check_keys, integer, number, read_toml, string
from .sweeps.spec import daily_regimen, regimen_table

WHAT = "sensitivity spec"

METHODS = ("sobol", "morris")
#: Bootstrap resamples for the confidence intervals.
NUM_RESAMPLES = 100


# -- public API ------------------------------------------------------------------------
def sobol(outcome, ranges=None, *, n: int = 64, seed: int = 0, days, profile: str = "healthy",
          regimen=None, model=None, store=None, workers=None, client=None, calc_second_order: bool = False,
          conf_level: float = 0.95, augmentation=None, chunk_size=None, progress=None,
          sample_every_hours: float = 1.0) -> xr.Dataset:
    """Sobol' first-order (S1) and total-order (ST) indices of ``outcome``.

    Parameters
    ----------
    outcome
        a built-in sweep outcome name (``"serum_ferritin_final"``,
        ``"symptom_max_last_day"``, ``"irls_last_symptom_day"``...; see
        :mod:`rlsmodel.sweeps.summaries`) or a callable ``f(ds) -> float`` of one simulated
        trajectory (its ``__name__`` names it; an optional ``units`` attribute is recorded).
    ranges
        ``{name: (low, high)}`` in the parameters' units; a list of parameter names
        (their ranges from the parameter table); or None (every parameter of the model,
        with its tabulated range: expensive).
    n
        base sample size N (a power of two keeps the Sobol' sequence balanced). The model
        is run ``N * (k + 2)`` times for ``k`` parameters, ``N * (2k + 2)`` with
        ``calc_second_order``.
    seed
        seeds the design (scrambled Sobol') and the bootstrap of the confidence intervals.
    days
        simulated days per evaluation (> 0).
    profile
        the patient profile (:mod:`rlsmodel.profiles`).
    regimen
        None or a regimen (e.g. :class:`rlsmodel.Regimen`) applied to every evaluation.
    model
        the :class:`rlsmodel.Model` (default ``Model(augmentation)``).
    store
        a ``.zarr`` or ``.nc`` path for the sweep of model evaluations (resumable).
    workers
        local worker processes; client: a ``dask.distributed.Client``.
    calc_second_order
        also compute the second-order indices S2.
    conf_level
        confidence level of the ``*_conf`` half-widths.
    augmentation, chunk_size, progress, sample_every_hours
        as for :func:`rlsmodel.sweep`.

    Notes
    -----
    Raises ``ValueError`` for bad arguments and when any evaluation failed (the indices
    need every one; the message quotes the first failure), ``ImportError`` without SALib.
    """
    salib_sample, salib_analyze = _salib("sobol")
    n = checks.whole("n", n, 1)
    seed = samplers.check_seed(seed)
    conf_level = _check_conf(conf_level)
    model = model_for(model, augmentation)
    names, bounds = samplers.resolve_ranges(ranges, model)
    problem = _problem(names, bounds)
    second = bool(calc_second_order)
    if second and len(names) < 2:
        raise ValueError("calc_second_order needs at least two parameters")
    matrix = salib_sample.sample(problem, n, calc_second_order=second, scramble=True, seed=seed)
    run = _evaluate(outcome, matrix, "saltelli", seed, names, bounds, model=model, days=days, profile=profile,
                    regimen=regimen, store=store, workers=workers, client=client, chunk_size=chunk_size,
                    progress=progress, sample_every_hours=sample_every_hours)
    si = salib_analyze.analyze(problem, run["y"], calc_second_order=second, num_resamples=NUM_RESAMPLES,
                               conf_level=conf_level, print_to_console=False, seed=seed)
    data = {
        "S1": ("parameter", np.asarray(si["S1"], float),
               {"units": "1", "long_name": "first-order Sobol' index",
                "description": "share of the outcome's variance explained by the parameter alone"}),
        "S1_conf": ("parameter", np.asarray(si["S1_conf"], float),
                    {"units": "1", "long_name": "S1 confidence half-width",
                     "description": f"half-width of the {conf_level:g} bootstrap confidence interval of S1"}),
        "ST": ("parameter", np.asarray(si["ST"], float),
               {"units": "1", "long_name": "total-order Sobol' index",
                "description": "share of the outcome's variance involving the parameter, interactions included"}),
        "ST_conf": ("parameter", np.asarray(si["ST_conf"], float),
                    {"units": "1", "long_name": "ST confidence half-width",
                     "description": f"half-width of the {conf_level:g} bootstrap confidence interval of ST"}),
    }
    if second:
        dims = ("parameter", "parameter_j")
        data["S2"] = (dims, np.asarray(si["S2"], float),
                      {"units": "1", "long_name": "second-order Sobol' index",
                       "description": "share of variance from the interaction of the two parameters "
                                      "(upper triangle; NaN elsewhere)"})
        data["S2_conf"] = (dims, np.asarray(si["S2_conf"], float),
                           {"units": "1", "long_name": "S2 confidence half-width"})
    settings = {"n": n, "calc_second_order": "true" if second else "false"}
    return _result("sobol", data, run, model, settings, conf_level, seed, second)


def morris(outcome, ranges=None, *, trajectories: int = 10, levels: int = 4, seed: int = 0, days,
           profile: str = "healthy", regimen=None, model=None, store=None, workers=None, client=None,
           conf_level: float = 0.95, augmentation=None, chunk_size=None, progress=None,
           sample_every_hours: float = 1.0) -> xr.Dataset:
    """Morris elementary-effects screening of ``outcome``: ``mu_star``, ``mu_star_conf``, ``sigma``, ``mu``.

    ``trajectories`` (r >= 2) one-at-a-time paths through a grid of ``levels`` (even, >= 2)
    values per parameter; the model runs ``r * (k + 1)`` times. ``mu_star`` is the mean
    absolute elementary effect (the outcome's change when one parameter moves by
    ``levels / (2 (levels - 1))`` of its range, divided by that fraction: outcome units
    per whole range); ``sigma`` their standard deviation (non-linearity or interactions);
    ``mu`` their signed mean. Other arguments as for :func:`sobol`.
    """
    salib_sample, salib_analyze = _salib("morris")
    trajectories = checks.whole("trajectories", trajectories, 2)
    levels = checks.whole("levels", levels, 2)
    if levels % 2:
        raise ValueError(f"levels must be even (Morris' symmetric grid); got {levels}")
    seed = samplers.check_seed(seed)
    conf_level = _check_conf(conf_level)
    model = model_for(model, augmentation)
    names, bounds = samplers.resolve_ranges(ranges, model)
    problem = _problem(names, bounds)
    matrix = salib_sample.sample(problem, trajectories, num_levels=levels, seed=seed)
    run = _evaluate(outcome, matrix, "morris", seed, names, bounds, model=model, days=days, profile=profile,
                    regimen=regimen, store=store, workers=workers, client=client, chunk_size=chunk_size,
                    progress=progress, sample_every_hours=sample_every_hours)
    si = salib_analyze.analyze(problem, run["matrix"], run["y"], num_resamples=NUM_RESAMPLES,
                               conf_level=conf_level, print_to_console=False, num_levels=levels, seed=seed)
    unit = run["outcome_attrs"].get("units", "")
    per_range = f"{unit} per parameter range" if unit else "outcome per parameter range"
    data = {
        "mu_star": ("parameter", np.asarray(si["mu_star"], float),
                    {"units": unit, "long_name": "mean absolute elementary effect (mu*)",
                     "description": f"{per_range}; ranks the parameters' overall influence"}),
        "mu_star_conf": ("parameter", np.asarray(si["mu_star_conf"], float),
                         {"units": unit, "long_name": "mu* confidence half-width",
                          "description": f"half-width of the {conf_level:g} bootstrap confidence interval"}),
        "sigma": ("parameter", np.asarray(si["sigma"], float),
                  {"units": unit, "long_name": "standard deviation of the elementary effects",
                   "description": "large relative to mu* means non-linear or interacting"}),
        "mu": ("parameter", np.asarray(si["mu"], float),
               {"units": unit, "long_name": "mean elementary effect (signed)",
                "description": per_range}),
    }
    settings = {"trajectories": trajectories, "levels": levels}
    return _result("morris", data, run, model, settings, conf_level, seed, False)


def ranking(result: xr.Dataset) -> list:
    """Parameter names from most to least influential (by ``ST`` for Sobol', ``mu_star`` for Morris)."""
    key = _main_index(result)
    values = np.nan_to_num(result[key].values, nan=-np.inf)
    order = np.argsort(-values, kind="stable")
    return [str(result["parameter"].values[i]) for i in order]


def format_table(result: xr.Dataset) -> str:
    """The indices as an aligned text table, most influential parameter first."""
    cols = (["ST", "ST_conf", "S1", "S1_conf"] if result.attrs.get("method") == "sobol"
            else ["mu_star", "mu_star_conf", "sigma", "mu"])
    rows = []
    for name in ranking(result):
        sel = result.sel(parameter=name)
        rows.append([name] + [f"{float(sel[c]):.4g}" for c in cols])
    header = ["parameter"] + cols
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(len(header))]
    lines = ["  ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(header, widths)))]
    lines += ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
              for r in rows]
    title = (f"{result.attrs.get('method', '?')} sensitivity of {result.attrs.get('outcome', '?')} "
             f"({result.attrs.get('n_evaluations', '?')} model runs, profile {result.attrs.get('profile', '?')}, "
             f"{result.attrs.get('days', '?')} days)")
    return title + "\n" + "\n".join(lines)


def plot_indices(result: xr.Dataset, path, *, title: str | None = None):
    """Tornado/bar figure of the indices, most influential parameter on top; returns the path.

    Sobol': ``ST`` and ``S1`` side by side with their confidence bars. Morris: ``mu_star``
    (with its confidence bar) and ``sigma``. Written with :func:`rlsmodel.plotting.save`
    (PNG, provenance in the metadata).
    """
    from . import plotting
    import matplotlib.pyplot as plt
    method = result.attrs.get("method")
    order = ranking(result)[::-1]          # barh draws bottom-up: most influential last = on top
    sel = result.sel(parameter=order)
    y = np.arange(len(order))
    height = 0.38
    fig, ax = plt.subplots(figsize=(6.4, 1.2 + 0.45 * len(order)))
    if method == "sobol":
        bars = (("ST", "total order (ST)", "#1f77b4"), ("S1", "first order (S1)", "#aec7e8"))
        xlabel = "Sobol' index (share of outcome variance)"
    else:
        bars = (("mu_star", "mu* (mean |effect|)", "#d62728"), ("sigma", "sigma (spread of effects)", "#ff9896"))
        unit = result["mu_star"].attrs.get("units", "")
        xlabel = "elementary effect" + (f" ({unit} per parameter range)" if unit not in ("", "1") else
                                        " (per parameter range)")
    for offset, (var, label, colour) in zip((height / 2, -height / 2), bars):
        conf = sel[var + "_conf"].values if var + "_conf" in sel else None
        ax.barh(y + offset, sel[var].values, height=height, color=colour, label=label,
                xerr=conf, error_kw={"ecolor": "0.25", "capsize": 3, "lw": 1})
    ax.set_yticks(y)
    ax.set_yticklabels(order)
    ax.axvline(0.0, color="0.5", lw=0.8)
    ax.set_xlabel(xlabel)
    ax.legend(loc="lower right", fontsize="small", frameon=False)
    label = "Sobol'" if method == "sobol" else "Morris"
    ax.set_title(title or (f"{label} sensitivity of "
                           f"{result.attrs.get('outcome', '')}\n{result.attrs.get('profile', '')}, "
                           f"{result.attrs.get('days', '')} days, {result.attrs.get('n_evaluations', '')} runs"),
                 fontsize="medium")
    keep = {k: v for k, v in result.attrs.items() if isinstance(v, (str, int, float))}
    return plotting.save(fig, path, provenance=keep)


# -- TOML specs ------------------------------------------------------------------------
TOP_KEYS = ("method", "parameters", "n", "trajectories", "levels", "seed", "days", "profile", "mechanism",
            "regimen", "outcome", "second_order", "store", "sample_every_hours", "chunk_size", "conf_level",
            "description")
REQUIRED_KEYS = ("method", "parameters", "days", "outcome")
METHOD_KEYS = {"sobol": ("n", "second_order"), "morris": ("trajectories", "levels")}


def load_spec(spec_path) -> dict:
    """Parse and check a sensitivity spec; return ``{"method": ..., **keyword arguments}``.

    Keys: ``method`` (sobol|morris), ``parameters`` (a list of names with their tabulated
    ranges, or a table ``name = [low, high]``), ``outcome`` (a built-in outcome name),
    ``days``; optional ``n`` and ``second_order`` (Sobol'), ``trajectories`` and
    ``levels`` (Morris), ``seed``, ``profile``, ``mechanism`` (augmentation mechanism),
    ``[regimen]`` (``Regimen.daily`` fields: drug, dose_mg, clock_hour, start_day,
    stop_day), ``store`` (resumable store of the model runs), ``sample_every_hours``,
    ``chunk_size``, ``conf_level``, ``description``. Unknown keys and wrong types raise
    ``ValueError`` naming the key.
    """
    path = Path(spec_path)
    raw = read_toml(path, WHAT)
    check_keys(raw, TOP_KEYS, "", WHAT)
    for key in REQUIRED_KEYS:
        if key not in raw:
            raise ValueError(f"sensitivity spec {str(path)!r}: missing required key {key!r}")
    method = string(raw["method"], "method")
    if method not in METHODS:
        raise ValueError(f"method {method!r} is unknown; valid: {', '.join(METHODS)}")
    other = next(m for m in METHODS if m != method)
    for key in METHOD_KEYS[other]:
        if key in raw:
            raise ValueError(f"key {key!r} belongs to method {other!r}, but method = {method!r}")
    kwargs = {"method": method, "ranges": _parameters(raw["parameters"]),
              "outcome": string(raw["outcome"], "outcome"), "days": number(raw["days"], "days")}
    for key in ("n", "trajectories", "levels", "seed", "chunk_size"):
        if key in raw:
            kwargs[key] = integer(raw[key], key)
    for key, name in (("profile", "profile"), ("mechanism", "augmentation"), ("store", "store")):
        if key in raw:
            kwargs[name] = string(raw[key], key)
    for key in ("sample_every_hours", "conf_level"):
        if key in raw:
            kwargs[key] = number(raw[key], key)
    if "second_order" in raw:
        if not isinstance(raw["second_order"], bool):
            raise ValueError(f"second_order must be true or false; got {raw['second_order']!r}")
        kwargs["calc_second_order"] = raw["second_order"]
    if "description" in raw:
        string(raw["description"], "description")
    if "regimen" in raw:
        kwargs["regimen"] = _regimen(raw["regimen"])
    return kwargs


def run_spec(spec_path, out=None, *, workers=None, scheduler=None, figure=None, progress=None) -> xr.Dataset:
    """Run the analysis a TOML spec describes (the CLI's ``rlsmodel sensitivity``).

    ``out``: write the indices to this ``.nc`` (NetCDF) or ``.zarr`` path. ``workers``: a
    Dask ``LocalCluster`` with that many single-threaded worker processes; ``scheduler``:
    the address of an existing Dask scheduler; neither: serial. ``figure``: also draw
    :func:`plot_indices` to this path. Returns the indices Dataset.
    """
    from .sweeps.execute import dask_client
    kwargs = load_spec(spec_path)
    method = kwargs.pop("method")
    if out is not None and Path(out).suffix not in (".nc", ".zarr"):
        raise ValueError(f"output must be a path ending in .nc or .zarr; got {str(out)!r}")
    if workers is not None and scheduler is not None:
        raise ValueError("give workers (a local Dask cluster) or scheduler (an existing one), not both")
    func = sobol if method == "sobol" else morris
    if workers is None and scheduler is None:
        result = func(progress=progress, **kwargs)
    else:
        client, cluster = dask_client(workers, scheduler)
        try:
            result = func(client=client, progress=progress, **kwargs)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    result.attrs["spec"] = str(spec_path)
    if out is not None:
        write(result, out)
    if figure is not None:
        plot_indices(result, figure)
    return result


def write(result: xr.Dataset, path) -> Path:
    """Write a result to ``path`` (``.nc``: NetCDF via h5netcdf; ``.zarr``: Zarr format 2)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix not in (".zarr", ".nc"):
        raise ValueError(f"output must be a path ending in .nc or .zarr; got {str(path)!r}")
    with atomic_output(path) as tmp:
        if path.suffix == ".zarr":
            result.to_zarr(tmp, mode="w", zarr_format=2, consolidated=True)
        else:
            result.to_netcdf(tmp, engine="h5netcdf")
    return path


# -- internals -------------------------------------------------------------------------
def _salib(method: str):
    """(sample module, analyze module) of SALib for ``method``; ImportError with the fix."""
    try:
        if method == "sobol":
            from SALib.analyze import sobol as analyze
            from SALib.sample import sobol as sample
        else:
            from SALib.analyze import morris as analyze
            from SALib.sample import morris as sample
    except ImportError as exc:
        raise ImportError(f"global sensitivity needs SALib ({exc}); install it with "
                          "pip install 'rlsmodel[sensitivity]'") from exc
    return sample, analyze


def _problem(names, bounds) -> dict:
    return {"num_vars": len(names), "names": list(names), "bounds": [list(b) for b in bounds]}


def _outcome(outcome, model):
    """(name, the sweep's ``outcomes=`` argument, a description for attrs)."""
    from .sweeps import summaries
    if isinstance(outcome, str):
        summaries.builtin(outcome, model)          # raises ValueError naming close matches
        return outcome, [outcome], outcome
    if not callable(outcome):
        raise ValueError("outcome must be a built-in outcome name or a callable(ds) -> float; "
                         f"got {type(outcome).__name__}")
    name = getattr(outcome, "__name__", "")
    if not (isinstance(name, str) and name.isidentifier()):
        name = "outcome"
    described = getattr(outcome, "__qualname__", type(outcome).__qualname__)
    module = getattr(outcome, "__module__", None)
    return name, {name: outcome}, f"callable {module + '.' if module else ''}{described}"


def _evaluate(outcome, matrix, design, seed, names, bounds, *, model, days, profile, regimen, store, workers,
              client, chunk_size, progress, sample_every_hours) -> dict:
    """Run every row of ``matrix`` on the sweep harness; return the outcome vector and context."""
    from .sweeps import sweep
    name, outcomes, described = _outcome(outcome, model)
    sample = samplers.from_matrix(names, matrix, design, seed=seed, ranges=bounds)
    ds = sweep(sample, days=days, regimen=regimen, profile=profile, outcomes=outcomes, store=store,
               client=client, chunk_size=chunk_size, workers=workers, model=model, progress=progress,
               sample_every_hours=sample_every_hours)
    status = ds["status"].values.astype(str)
    y = np.asarray(ds[name].values, dtype=float)
    bad = np.flatnonzero((status != "ok") | ~np.isfinite(y))
    if bad.size:
        first = int(bad[0])
        why = status[first] if status[first] != "ok" else f"outcome {name!r} is {y[first]!r}"
        where = f"; the runs are kept in {str(store)!r}" if store is not None else ""
        raise ValueError(f"{bad.size} of {y.size} model evaluations gave no finite {name!r} "
                         f"(first, point {sample.point(first)}: {why}); the indices need every "
                         f"evaluation: narrow the ranges or lengthen/shorten days{where}")
    return {"y": y, "matrix": np.asarray(sample.values), "names": list(names), "bounds": list(bounds),
            "outcome": name, "outcome_description": described, "outcome_attrs": dict(ds[name].attrs),
            "sweep_attrs": dict(ds.attrs), "days": float(days), "profile": _profiles.get(profile).name,
            "store": None if store is None else str(store)}


def _result(method, data, run, model, settings, conf_level, seed, second) -> xr.Dataset:
    names, bounds = run["names"], run["bounds"]
    coords = {
        "parameter": ("parameter", np.array(names, dtype=str), {"long_name": "model parameter"}),
        "low": ("parameter", np.array([b[0] for b in bounds]), {"long_name": "lower end of the sampled range",
                                                                "description": "in the parameter's unit"}),
        "high": ("parameter", np.array([b[1] for b in bounds]), {"long_name": "upper end of the sampled range",
                                                                 "description": "in the parameter's unit"}),
        "units": ("parameter", np.array([model.parameters[n].unit for n in names], dtype=str),
                  {"long_name": "unit of the parameter (and of low, high)"}),
    }
    if second:
        coords["parameter_j"] = ("parameter_j", np.array(names, dtype=str), {"long_name": "second parameter"})
    ds = xr.Dataset(data, coords=coords)
    sweep_attrs = run["sweep_attrs"]
    y = run["y"]
    ds.attrs.update({
        "title": f"rlsmodel global sensitivity ({method})",
        "method": method,
        "outcome": run["outcome"],
        "outcome_definition": run["outcome_description"],
        "outcome_units": str(run["outcome_attrs"].get("units", "")),
        "outcome_mean": float(np.mean(y)),
        "outcome_std": float(np.std(y)),
        **settings,
        "n_evaluations": int(y.size),
        "seed": int(seed),
        "conf_level": float(conf_level),
        "num_resamples": NUM_RESAMPLES,
        "ranges": json.dumps({n: list(b) for n, b in zip(names, bounds)}),
        "days": run["days"],
        "days_units": "day",
        "profile": run["profile"],
        "regimen": str(sweep_attrs.get("regimen", "none")),
        "augmentation_mechanism": model.augmentation,
        "dat_hypothesis": model.dat_hypothesis,
        "model_structure": model.compiled.structure_hash,
        "sample_every_hours": float(sweep_attrs.get("sample_every_hours", math.nan)),
        "sweep_fingerprint": str(sweep_attrs.get("sweep_fingerprint", "")),
        "sweep_store": run["store"] or "none",
        "salib_version": _salib_version(),
        **dataset_attrs(timestamp=True),       # includes rlsmodel_version
    })
    return ds


def _salib_version() -> str:
    try:
        import importlib.metadata
        return importlib.metadata.version("SALib")
    except Exception:  # pragma: no cover - SALib imported from a path without metadata
        return "unknown"


def _main_index(result) -> str:
    for key in ("ST", "mu_star"):
        if key in result:
            return key
    raise ValueError("not a sensitivity result: it has neither ST (Sobol') nor mu_star (Morris)")


def _parameters(value):
    """``parameters`` of a spec: a list of names or a table name -> [low, high]."""
    if isinstance(value, list):
        if not value or not all(isinstance(v, str) for v in value):
            raise ValueError(f"parameters must be a non-empty list of names or a table name = [low, high]; "
                             f"got {value!r}")
        return list(value)
    if isinstance(value, dict):
        if not value:
            raise ValueError("parameters: the table is empty; give name = [low, high]")
        out = {}
        for name, rng in value.items():
            if not (isinstance(rng, list) and len(rng) == 2
                    and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in rng)):
                raise ValueError(f"parameters.{name} must be [low, high] (two numbers); got {rng!r}")
            out[name] = (float(rng[0]), float(rng[1]))
        return out
    raise ValueError(f"parameters must be a list of names or a table name = [low, high]; got {value!r}")


def _regimen(table):
    if not isinstance(table, dict):
        raise ValueError("regimen must be a table: [regimen] drug = ..., dose_mg = ..., clock_hour = ...")
    return daily_regimen(regimen_table(table, WHAT), [])


def _check_conf(value) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"conf_level must be a number in (0, 1); got {value!r}") from None
    if not 0.0 < v < 1.0:
        raise ValueError(f"conf_level must be in (0, 1); got {value!r}")
    return v


__all__ = ["sobol", "morris", "ranking", "format_table", "plot_indices", "load_spec", "run_spec", "write",
           "METHODS"]
