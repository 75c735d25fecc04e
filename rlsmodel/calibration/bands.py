"""Prediction bands: what the parameter uncertainty of a fit means for a prediction.

The parameter sets come from the profiles (every re-optimised point along every profile
whose likelihood ratio is above the threshold: the profile-likelihood ensemble, with the
best fit) or from posterior samples (``calibrate(..., sample=True)``; thinned, at most
``[sampling] max_sets``). Each prediction (``[[predictions]]`` of the spec: a named
prediction of :mod:`rlsmodel.calibration.predictions` or any ``f(model, **args) -> float``)
runs on the fitted model of every set; the band is the range over profile sets or the
2.5-97.5 % quantiles over samples.

>>> band = bands_from(ds)["pramipexole 0.5 mg, 52 weeks"]          # doctest: +SKIP
>>> band.format()                                                   # doctest: +SKIP
'7.2% (4.1-11.0%)'
"""
from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
import xarray as xr

#: Quantiles of the band from samples.
QUANTILES = (0.025, 0.975)


@dataclass(frozen=True)
class Band:
    """A prediction at the best fit with its interval (``percent``: a fraction shown in %)."""

    name: str
    best: float
    lower: float
    upper: float
    unit: str = ""
    percent: bool = False
    method: str = ""

    def format_value(self, v, digits: int = 1) -> str:
        if v is None or not np.isfinite(v):
            return "n/a"
        if self.percent:
            return f"{100 * v:.{digits}f}%"
        return f"{v:.{digits}f}" + (f" {self.unit}" if self.unit else "")

    def format(self, digits: int = 1) -> str:
        """``"7.2% (4.1-11.0%)"`` (percent) or ``"-5.7 (-8.1 to -3.0)"``."""
        if self.percent:
            return (f"{100 * self.best:.{digits}f}% ({100 * self.lower:.{digits}f}-"
                    f"{100 * self.upper:.{digits}f}%)")
        unit = f" {self.unit}" if self.unit else ""
        return f"{self.best:.{digits}f}{unit} ({self.lower:.{digits}f} to {self.upper:.{digits}f}{unit})"


def parameter_sets(ds, source=None, max_sets: int = 100) -> tuple:
    """``(values (m, k) in parameter units, method)``: the best fit first, then the accepted
    profile points (``source="profiles"``) or thinned samples (``"samples"``); default:
    samples if the result has them, else profiles."""
    if source is None:
        source = "samples" if "samples" in ds else "profiles"
    best = ds["best"].values[None, :]
    if source == "samples":
        if "samples" not in ds:
            raise ValueError("the result has no samples: calibrate with sample=True (--sample)")
        s = ds["samples"].values
        step = max(1, int(np.ceil(len(s) / max_sets)))
        return np.vstack([best, s[::step]]), "samples"
    if source != "profiles":
        raise ValueError(f"source must be 'profiles' or 'samples'; got {source!r}")
    if "profile_ratio" not in ds:
        raise ValueError("the result has no profiles: calibrate with profiles=True (--profiles)")
    thr = float(ds["profile_ratio"].attrs["threshold"])
    ok = ds["profile_ratio"].values >= thr                       # (parameter, point)
    pts = ds["profile_path"].values[ok]                          # (m, k)
    pts = pts[np.all(np.isfinite(pts), axis=1)]
    if len(pts) > max_sets:
        pts = pts[np.linspace(0, len(pts) - 1, max_sets).round().astype(int)]
    return np.vstack([best, pts]), "profiles"


def _evaluate(args):
    spec, values, predictions = args
    from .refs import resolve_callable
    model = spec.fitted_model(values=dict(zip(spec.ids, values)))
    out = []
    for p in predictions:
        f = resolve_callable(p["ref"], p["base"], p["name"])
        try:
            out.append(float(f(model=model, **p["args"])))
        except ArithmeticError:
            out.append(np.nan)
    return out


def prediction_bands(ds, spec, source=None, predictions=None, workers=None, progress=None,
                     max_sets=None) -> xr.Dataset:
    """Run every prediction on every accepted parameter set; return the bands.

    ``ds``: a calibration result; ``spec``: its spec; ``predictions``: list of
    ``{name, ref, args, unit, percent}`` (default: the spec's). ``workers``: local
    processes over parameter sets.

    Returns a Dataset over ``prediction`` and ``parameter_set``: ``prediction_values``,
    ``prediction_best``, ``prediction_lower``, ``prediction_upper`` and the sets used
    (``prediction_sets``).
    """
    import sys
    from tqdm.auto import tqdm
    from .spec import load_spec
    spec = load_spec(spec)
    preds = list(predictions if predictions is not None else spec.predictions)
    if not preds:
        raise ValueError("no predictions: give [[predictions]] in the spec or predictions=[...]")
    preds = [{"args": {}, "unit": "", "percent": False, "base": ".", **p} for p in preds]
    sets, method = parameter_sets(ds, source, max_sets or spec.sampling.get("max_sets", 100))
    jobs = [(spec, row, preds) for row in sets]
    show = progress if progress is not None else sys.stderr.isatty()
    if workers is not None and workers > 1 and len(jobs) > 1:
        from ..sweeps.execute import mp_context
        with ProcessPoolExecutor(max_workers=workers, mp_context=mp_context()) as pool:
            values = list(tqdm(pool.map(_evaluate, jobs), total=len(jobs), desc="prediction bands",
                               disable=not show, file=sys.stderr))
    else:
        values = [_evaluate(j) for j in tqdm(jobs, desc="prediction bands", disable=not show, file=sys.stderr)]
    values = np.array(values, dtype=float).T                     # (prediction, set)
    if method == "samples":
        with np.errstate(all="ignore"):
            lower = np.nanquantile(values[:, 1:], QUANTILES[0], axis=1)
            upper = np.nanquantile(values[:, 1:], QUANTILES[1], axis=1)
        how = f"{100 * QUANTILES[0]:g}-{100 * QUANTILES[1]:g} % quantiles over posterior samples"
    else:
        lower, upper = np.nanmin(values, axis=1), np.nanmax(values, axis=1)
        how = "range over the profile-likelihood ensemble (points above the threshold, and the best fit)"
    names = np.array([p["name"] for p in preds], dtype=str)
    return xr.Dataset({
        "prediction_values": (("prediction", "parameter_set"), values, {"long_name": "prediction per parameter set"}),
        "prediction_best": ("prediction", values[:, 0], {"long_name": "prediction at the best fit"}),
        "prediction_lower": ("prediction", lower, {"long_name": "lower end of the prediction band", "method": how}),
        "prediction_upper": ("prediction", upper, {"long_name": "upper end of the prediction band", "method": how}),
        "prediction_unit": ("prediction", np.array([p["unit"] for p in preds], dtype=str)),
        "prediction_percent": ("prediction", np.array([bool(p["percent"]) for p in preds])),
        "prediction_ref": ("prediction", np.array([p["ref"] for p in preds], dtype=str)),
        "prediction_sets": (("parameter_set", "parameter"), sets, {"long_name": "parameter sets (parameter units)"}),
    }, coords={"prediction": ("prediction", names), "parameter_set": ("parameter_set", np.arange(len(sets))),
               "parameter": ("parameter", np.array(spec.ids, dtype=str))},
        attrs={"band_method": how})


def bands_from(ds) -> dict:
    """``{prediction name: Band}`` from a result with ``prediction_*`` variables (a
    calibration result or the Dataset of :func:`prediction_bands`, or a path to either)."""
    if not hasattr(ds, "data_vars"):
        from .result import open_result
        from pathlib import Path
        path = Path(ds)
        if path.suffix == ".nc" and path.is_file():
            with xr.open_dataset(path) as d:
                ds = d.load()
        else:
            ds = open_result(path)
    if "prediction_best" not in ds:
        raise ValueError("no prediction bands in this result (calibrate with bands=True / --bands)")
    out = {}
    for i, name in enumerate(ds["prediction"].values):
        out[str(name)] = Band(str(name), float(ds["prediction_best"].values[i]),
                              float(ds["prediction_lower"].values[i]), float(ds["prediction_upper"].values[i]),
                              str(ds["prediction_unit"].values[i]), bool(ds["prediction_percent"].values[i]),
                              ds["prediction_lower"].attrs.get("method", ""))
    return out


__all__ = ["Band", "prediction_bands", "parameter_sets", "bands_from", "QUANTILES"]
