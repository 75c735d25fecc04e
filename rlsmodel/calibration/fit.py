"""``calibrate(spec)``: multistart fit, identifiability profiles and posterior samples.

>>> import rlsmodel
>>> ds = rlsmodel.calibrate("experiments/calibration/synthetic_cohort.toml", out="fit",
...                         workers=2, profiles=True)              # doctest: +SKIP
>>> ds["best"].to_series()                                           # doctest: +SKIP

pyPESTO is the engine: :func:`pypesto.optimize.minimize` runs the multistart from the
spec's Latin hypercube, :func:`pypesto.profile.parameter_profile` computes the profile
likelihoods and :func:`pypesto.sample.sample` (adaptive Metropolis) the samples; their
tasks run on :class:`rlsmodel.calibration.engine.Engine` (serial, local processes or Dask),
which stores each finished task so a rerun resumes.

Output directory (``out=``)::

    OUT/calibration.nc     the Dataset below (NetCDF)
    OUT/waterfall.png      sorted start objectives (the multistart's convergence)
    OUT/residuals.csv      the residual table at the best fit
    OUT/profiles.png       profile likelihoods (with profiles=True)
    OUT/identifiability.md the identifiability table (with profiles=True)
    OUT/parts/             finished starts and profiles, and the journal of every evaluation
                           (the resume store: an interrupted start replays its evaluations)
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import xarray as xr

from .. import checks
from .._version import __version__
from ..fileio import OutputLock, atomic_output, write_text_atomic
from .objective import CalibrationObjective, chi2_threshold, make_optimizer, make_problem
from .result import open_result  # noqa: F401  (public name, re-exported)
from .spec import load_spec

#: Starts within this objective distance of the best count as converged to it.
CONVERGED_TOLERANCE = 0.1


def calibrate(spec, out=None, *, workers=None, client=None, profiles=False, sample=False, bands=False,
              progress=None, wait=False) -> xr.Dataset:
    """Fit the spec's parameters to its targets; return (and with ``out``, write) the result.

    Parameters
    ----------
    spec
        a spec file path, TOML text, dict or :class:`~rlsmodel.calibration.spec.CalibrationSpec`.
    out
        output directory (created; finished starts are stored as they finish and a rerun
        with the same spec resumes; a directory made for another spec is refused).
    workers
        local worker processes for the starts and profiles (None or 1: serial).
    client
        a ``dask.distributed.Client`` to run them on instead.
    profiles
        also compute profile likelihoods, confidence intervals and identifiability.
    sample
        also draw posterior samples (adaptive Metropolis, the spec's ``[sampling]``).
    bands
        also compute prediction bands of the spec's ``[[predictions]]`` (from the
        samples if drawn, else from the profiles).
    progress
        None (bars when stderr is a terminal), True or False.
    wait
        when another process is fitting into ``out`` (it holds ``<out>.lock``), wait for it
        instead of raising :class:`rlsmodel.fileio.LockedError` at once.

    Returns
    -------
    xarray.Dataset
        per ``start`` the fitted ``x`` and start ``x0`` (parameter units),
        ``objective``, ``objective_start``, ``status`` (optimizer exit flag), ``message``,
        ``n_evaluations``, ``seconds``; per ``parameter`` ``best``, ``default`` (the un-fitted
        value), bounds and scale; the residual table at the best fit along ``residual``; with
    profiles
        ``profile_value``, ``profile_ratio``, ``profile_path``, ``ci_lower``,
        ``ci_upper``, ``identifiable``, ``identifiability``; with ``sample``: ``samples``; with
    bands
        ``prediction_*`` variables (see :func:`rlsmodel.calibration.bands.prediction_bands`).
    """
    import pypesto  # noqa: F401  (the calibrate extra: fail before any work without it)
    from .engine import PartStore

    t0 = time.perf_counter()
    workers = checks.whole("workers", workers, 1, optional=True, note=" (local processes; None: serial)")
    spec = load_spec(spec)
    if bands and not spec.predictions:
        raise ValueError("bands=True but the spec has no [[predictions]]")
    store = lock = None
    if out is not None:
        out = Path(out)
        if out.exists() and not out.is_dir():
            raise ValueError(f"out must be a directory; {str(out)!r} is a file")
        lock = OutputLock(out, wait=wait, what="calibration directory").acquire()
    try:
        if out is not None:
            store = PartStore(out, components(spec))
            store.prepare()
        return _calibrate(spec, out, store, t0, workers=workers, client=client, profiles=profiles, sample=sample,
                          bands=bands, progress=progress)
    finally:
        if lock is not None:
            lock.release()


def _calibrate(spec, out, store, t0, *, workers, client, profiles, sample, bands, progress) -> xr.Dataset:
    import pypesto
    import pypesto.optimize
    from .engine import Engine
    engine = Engine(workers=workers, client=client, store=store, progress=progress, desc="calibration starts")
    objective = CalibrationObjective(spec, journal=None if store is None else store.journal)
    problem = make_problem(spec, objective)
    optimizer = make_optimizer(spec)
    n = spec.options["starts"]
    result = pypesto.optimize.minimize(problem, optimizer, n_starts=n, ids=[str(i) for i in range(n)],
                                       engine=engine, progress_bar=False,
                                       options=pypesto.optimize.OptimizeOptions(allow_failed_starts=True))
    _fill_missing_fvals(result, objective)
    result.optimize_result.sort()
    ds = fit_dataset(spec, result, objective)
    _refuse_uncomputable_targets(ds)
    if profiles:
        engine.desc = "profiles"
        prof = profile_dataset(spec, problem, result, optimizer, engine)
        ds = ds.merge(prof)
        ds.attrs.update(prof.attrs)
    if sample:
        ds = ds.merge(sample_dataset(spec, problem, result))
    if bands:
        from .bands import prediction_bands
        pred = prediction_bands(ds, spec, workers=workers, progress=progress)
        ds = ds.merge(pred)
        ds.attrs.update(pred.attrs)
    ds.attrs["seconds"] = round(time.perf_counter() - t0, 1)
    if out is not None:
        write_outputs(ds, out)
    return ds


def _refuse_uncomputable_targets(ds) -> None:
    """A target with no finite simulated value at the best fit was scored only by the
    ``nan_residual`` penalty: the fit cannot have used it, so it is not reported as one."""
    simulated = ds["simulated"].values
    targets = ds["residual_target"].values
    bad = sorted({str(t) for t in targets} - {str(t) for t, v in zip(targets, simulated) if np.isfinite(v)})
    if bad:
        raise ValueError(f"target(s) {', '.join(bad)} gave no number (NaN) at the best fit (objective "
                         f"{float(ds['best_objective']):.4g}, which is then only their nan_residual penalty): the "
                         "fit could not use them and is not reported. Check that the target's function or run returns a finite number at these "
                         "parameter values (e.g. call it on rlsmodel.Model() and the spec's bounds)")


def components(spec) -> dict:
    """What defines a fit's results (a store made for other components is refused)."""
    model = spec.base_model()
    from ..sweeps.store import fingerprint
    return {"spec": spec.digest(), "rlsmodel_version": __version__,
            "model_structure": model.compiled.structure_hash, "solver": model.settings.as_attrs(),
            "parameter_defaults": fingerprint({k: v for k, v in model.resolve_parameters("healthy").items()}),
            "augmentation_mechanism": spec.augmentation, "dat_hypothesis": spec.dat_hypothesis}


def _fill_missing_fvals(result, objective) -> None:
    """Least-squares optimisers report no function value: compute it at the end point."""
    for r in result.optimize_result.list:
        if r.x is not None and (r.fval is None or not np.isfinite(r.fval)):
            r.fval = objective.fval(r.x)


# =============================================================================================
# the fit as a Dataset
# =============================================================================================
def _to_units(spec, x):
    return np.array([float(p.from_internal(v)) for p, v in zip(spec.parameters, x)])


def fit_dataset(spec, result, objective) -> xr.Dataset:
    from ..provenance import dataset_attrs
    starts = sorted(result.optimize_result.list, key=lambda r: int(r.id) if str(r.id).isdigit() else 0)
    k = len(spec.parameters)
    nan_row = np.full(k, np.nan)
    x = np.array([_to_units(spec, r.x) if r.x is not None else nan_row for r in starts])
    x0 = np.array([_to_units(spec, r.x0) if r.x0 is not None else nan_row for r in starts])
    fvals = np.array([np.nan if r.fval is None else float(r.fval) for r in starts])
    best_i = int(np.nanargmin(fvals)) if np.isfinite(fvals).any() else 0
    best = starts[best_i]
    rows = objective.rows(best.x)
    base = spec.base_model()
    defaults = []
    for p in spec.parameters:
        values = base.resolve_parameters(p.profile or "healthy")
        defaults.append(values[p.name])
    data = {
        "x": (("start", "parameter"), x, {"long_name": "fitted parameter values per start", "units": "parameter units"}),
        "x0": (("start", "parameter"), x0, {"long_name": "start point (Latin hypercube)"}),
        "objective": ("start", fvals, {"long_name": "objective at the end of the start",
                                       "description": "0.5 * sum(residual ** 2)"}),
        "objective_start": ("start", np.array([np.nan if r.fval0 is None else float(r.fval0) for r in starts]),
                            {"long_name": "objective at the start point"}),
        "status": ("start", np.array([-99 if r.exitflag is None else int(r.exitflag) for r in starts]),
                   {"long_name": "optimizer exit flag (scipy convention; > 0 converged)"}),
        "message": ("start", np.array([str(r.message) for r in starts], dtype=str), {"long_name": "optimizer message"}),
        "n_evaluations": ("start", np.array([int(r.n_fval or 0) + int(r.n_res or 0) for r in starts]),
                          {"long_name": "objective / residual evaluations (finite differences not counted)"}),
        "seconds": ("start", np.array([float(r.time or 0.0) for r in starts]), {"units": "s"}),
        "best": ("parameter", x[best_i], {"long_name": "best fit (parameter units)"}),
        "default": ("parameter", np.array(defaults, dtype=float),
                    {"long_name": "un-fitted value (model default, or the profile's override)"}),
        "lower": ("parameter", np.array([p.lower for p in spec.parameters]), {"long_name": "fit lower bound"}),
        "upper": ("parameter", np.array([p.upper for p in spec.parameters]), {"long_name": "fit upper bound"}),
        "best_objective": ((), float(fvals[best_i])),
        "best_start": ((), best_i),
        "n_converged": ((), int(np.sum(fvals <= fvals[best_i] + CONVERGED_TOLERANCE)),
                        {"long_name": f"starts within {CONVERGED_TOLERANCE} of the best objective"}),
    }
    cols = ("target", "kind", "label", "observable", "time")
    for c in cols:
        data[f"residual_{c}"] = ("residual", np.array([str(r[c]) for r in rows], dtype=str))
    for c, desc in (("simulated", "simulated value at the best fit"), ("observed", "measured value (NaN for ranges)"),
                    ("lo", "lower end of the accepted range"), ("hi", "upper end of the accepted range"),
                    ("scale", "normaliser: sd, half-range or scale"), ("residual", "normalised residual")):
        name = c if c in ("simulated", "observed") else f"residual_{c}" if c != "residual" else "residual_value"
        data[name] = ("residual", np.array([r[c] for r in rows], dtype=float), {"long_name": desc})
    coords = {
        "start": ("start", np.arange(len(starts))),
        "parameter": ("parameter", np.array(spec.ids, dtype=str)),
        "residual": ("residual", np.arange(len(rows))),
        "unit": ("parameter", np.array([p.unit for p in spec.parameters], dtype=str)),
        "scale": ("parameter", np.array([p.scale for p in spec.parameters], dtype=str)),
    }
    ds = xr.Dataset(data, coords=coords)
    ds.attrs.update({
        "title": "rlsmodel calibration", "description": spec.description,
        "spec": spec.source, "spec_path": str(spec.path) if spec.path else "",
        "spec_digest": spec.digest(), "model_structure": base.compiled.structure_hash,
        **base.spec.attrs(),    # the un-fitted model's description, as every output records it
        "optimizer": spec.options["optimizer"],
        "options": json.dumps(spec.options, sort_keys=True),
        "targets": json.dumps([t.id for t in spec.targets]),
        "objective": "0.5 * sum(residual ** 2); residuals normalised by sd, half-range or scale "
                     "(rlsmodel.calibration.targets)",
        "n_residuals": spec.n_residuals, "fit_date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        **dataset_attrs(),
    })
    return ds


# =============================================================================================
# identifiability: profile likelihoods
# =============================================================================================
def profile_dataset(spec, problem, result, optimizer, engine) -> xr.Dataset:
    """Profile every fitted parameter (pyPESTO), then the interval and identifiability table.

    A parameter is *identifiable* from the targets when its profile rises above the
    chi-square threshold (``options.confidence``, one degree of freedom) on both sides
    within its bounds; its interval is where the profile stays below the threshold (at a
    bound when it never rises on that side).
    """
    import pypesto.profile
    conf = spec.options["confidence"]
    ratio_min = pypesto.profile.chi2_quantile_to_ratio(conf)
    options = pypesto.profile.ProfileOptions(ratio_min=ratio_min, max_step_size_absolute=0.1,
                                             step_size_precheck_mode="off")
    result = pypesto.profile.parameter_profile(problem, result, optimizer, engine=engine,
                                               profile_options=options, progress_bar=False)
    profiles = result.profile_result.list[-1]
    k = len(spec.parameters)
    n_pts = max(len(p.x_path[0]) if p is not None else 0 for p in profiles)
    value = np.full((k, n_pts), np.nan)
    ratio = np.full((k, n_pts), np.nan)
    path = np.full((k, n_pts, k), np.nan)
    ci = np.full((k, 2), np.nan)
    ident, verdict = [], []
    for i, prof in enumerate(profiles):
        p = spec.parameters[i]
        xs = np.asarray(prof.x_path)            # (k, n_points), internal scale
        order = np.argsort(xs[i])
        xs = xs[:, order]
        r = np.asarray(prof.ratio_path)[order]
        m = xs.shape[1]
        value[i, :m] = p.from_internal(xs[i])
        ratio[i, :m] = r
        path[i, :m, :] = np.array([[float(q.from_internal(v)) for q, v in zip(spec.parameters, col)] for col in xs.T])
        best_idx = int(np.argmax(r))
        low_side, high_side = r[:best_idx + 1], r[best_idx:]
        bounded_low = bool(np.any(low_side < ratio_min))
        bounded_high = bool(np.any(high_side < ratio_min))
        lo_i, hi_i = pypesto.profile.calculate_approximate_ci(xs[i], r, ratio_min)
        ci[i] = [float(p.from_internal(lo_i)), float(p.from_internal(hi_i))]
        ident.append(bounded_low and bounded_high)
        verdict.append("identifiable" if bounded_low and bounded_high else
                       "bounded below only" if bounded_low else "bounded above only" if bounded_high
                       else "not identifiable")
    delta = chi2_threshold(conf)
    return xr.Dataset({
        "profile_value": (("parameter", "profile_point"), value,
                          {"long_name": "profiled parameter value (parameter units), sorted"}),
        "profile_ratio": (("parameter", "profile_point"), ratio,
                          {"long_name": "likelihood ratio exp(best objective - objective) along the profile",
                           "threshold": ratio_min, "confidence": conf}),
        "profile_path": (("parameter", "profile_point", "path_parameter"), path,
                         {"long_name": "every fitted parameter along each profile (re-optimised)"}),
        "ci_lower": ("parameter", ci[:, 0], {"long_name": f"{100 * conf:g} % profile-likelihood interval, lower end"}),
        "ci_upper": ("parameter", ci[:, 1], {"long_name": f"{100 * conf:g} % profile-likelihood interval, upper end"}),
        "identifiable": ("parameter", np.array(ident, dtype=bool),
                         {"long_name": "profile rises above the threshold on both sides within the bounds"}),
        "identifiability": ("parameter", np.array(verdict, dtype=str)),
    }, coords={"path_parameter": ("path_parameter", np.array(spec.ids, dtype=str))},
        attrs={"confidence": conf, "ratio_threshold": ratio_min, "objective_threshold": delta})


# =============================================================================================
# posterior samples
# =============================================================================================
def sample_dataset(spec, problem, result) -> xr.Dataset:
    """Adaptive-Metropolis samples of exp(-objective) within the bounds (pyPESTO), from the
    best fit; burn-in by Geweke's test unless ``[sampling] burn_in`` is given; thinned."""
    import pypesto.sample
    s = spec.sampling
    state = np.random.get_state()
    np.random.seed(s["seed"])
    try:
        sampler = pypesto.sample.AdaptiveMetropolisSampler(options={"show_progress": False})
        res = pypesto.sample.sample(problem, n_samples=s["n"], sampler=sampler,
                                    x0=np.asarray(result.optimize_result.list[0].x), result=result)
    finally:
        np.random.set_state(state)
    if s["burn_in"] is None:
        pypesto.sample.geweke_test(res)
        burn = int(res.sample_result.burn_in or 0)
    else:
        burn = s["burn_in"]
    trace = np.asarray(res.sample_result.trace_x)[0]       # (n + 1, k) internal
    kept = trace[burn::s["thin"]]
    values = np.array([_to_units(spec, row) for row in kept])
    fvals = np.asarray(res.sample_result.trace_neglogpost)[0][burn::s["thin"]]
    return xr.Dataset({
        "samples": (("sample", "parameter"), values, {"long_name": "posterior samples (parameter units)",
                                                      "sampler": "pyPESTO AdaptiveMetropolisSampler",
                                                      "burn_in": burn, "thin": s["thin"], "seed": s["seed"]}),
        "sample_objective": ("sample", fvals, {"long_name": "objective of each sample"}),
    }, coords={"sample": ("sample", np.arange(len(values)))})


# =============================================================================================
# writing
# =============================================================================================
def write_outputs(ds, out) -> dict:
    """Write the Dataset, waterfall, residual CSV (and profile figure / table) to ``out``."""
    from .report import identifiability_markdown, plot_profiles, plot_waterfall, residual_csv
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"dataset": out / "calibration.nc", "waterfall": out / "waterfall.png", "residuals": out / "residuals.csv"}
    # each file via a temporary name and a rename (rlsmodel.fileio): never half-written
    with atomic_output(paths["dataset"]) as tmp:
        ds.to_netcdf(tmp)
    with atomic_output(paths["waterfall"]) as tmp:
        plot_waterfall(ds, tmp)
    with atomic_output(paths["residuals"]) as tmp:
        residual_csv(ds, tmp)
    if "profile_ratio" in ds:
        with atomic_output(out / "profiles.png") as tmp:
            plot_profiles(ds, tmp)
        paths["profiles"] = out / "profiles.png"
        paths["identifiability"] = write_text_atomic(out / "identifiability.md", identifiability_markdown(ds))
    return paths


__all__ = ["calibrate", "fit_dataset", "profile_dataset", "sample_dataset", "write_outputs", "open_result",
           "components"]
