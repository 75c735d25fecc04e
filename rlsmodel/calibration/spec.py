"""Calibration specs: a calibration problem as TOML data (``experiments/calibration/*.toml``).

A spec names the parameters to fit, the targets and the hypothesis; :func:`load_spec`
checks everything before any simulation runs and returns a :class:`CalibrationSpec`::

    description = "two iron parameters from a cohort's ferritin"

    [hypothesis]                       # optional; the model's defaults otherwise
    augmentation = "d2_tolerance"      # rlsmodel.AUGMENTATION_MECHANISMS
    dat_hypothesis = "reduced"         # rlsmodel.DAT_HYPOTHESES
    iron_release = "brain_regulated"   # rlsmodel.model.hypotheses.IRON_RELEASE_HYPOTHESES

    [[parameters]]
    name = "d2_iron_k"                 # a model parameter: its *default* is fitted
    scale = "log"                      # "log" (log10; default for positive parameters) or "linear"
    # lower = 0.1  upper = 2.0         # default: the parameter table's range
    [[parameters]]
    name = "rls_genetic.bbb_uptake_gain"   # a profile's override is fitted

    [[targets]]
    kind = "scorecard"                 # rows of rlsmodel.validation with numeric lo/hi
    ids = ["P5", "S-IRLS"]
    # residual = "range"               # "range" (0 inside [lo, hi]) or "centre"
    # scale = { P1 = 5.0 }             # normaliser of one-sided targets (default |bound|)
    [[targets]]
    kind = "measurements"              # a CSV: profile and/or regimen, time, observable, value, sd
    file = "cohort.csv"                # relative to the spec
    [[targets]]
    kind = "function"                  # the extension point: any callable(model, **args) -> float
    id = "placebo-corrected change"
    ref = "rlsmodel.calibration.predictions:irls_change"   # or "path/to/file.py:func", or a named prediction
    args = { drug = "pramipexole", dose_mg = 0.25 }
    lo = -9.0
    hi = -3.0                          # or: value = -5.7  sd = 0.5

    [regimens.pramipexole_025]         # regimens the CSV's regimen column may name
    drug = "pramipexole"
    dose_mg = 0.25
    clock_hour = 21.0
    start_day = 0                      # Regimen.daily(**table); kind = "once" with day for a single dose

    [options]
    quick = true                       # scorecard targets in quick mode
    starts = 8                         # multistart size (Latin hypercube over the bounds)
    seed = 0
    optimizer = "ls_trf"               # pyPESTO ScipyOptimizer method
    max_iterations = 100
    long_horizon = "envelope"          # long runs follow the slow envelope (default "exact")

    [[predictions]]                    # for prediction bands (rlsmodel.calibration.bands)
    name = "pramipexole 0.25 mg at 12 weeks"
    ref = "irls_change"
    args = { drug = "pramipexole", dose_mg = 0.25, weeks = 12 }

Unknown keys, parameters, targets, profiles, regimens, observables and CSV columns are
``ValueError`` s naming the bad value with close-name hints.
"""
from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..engines.base import default_engine
from ..engines.envelope import LONG_HORIZON_CHOICES, envelope_solver, exact_solver
from ..model.system import closest
from .refs import resolve_callable
from ..model.hypotheses import (DEFAULT_AUGMENTATION, DEFAULT_DAT_HYPOTHESIS, DEFAULT_IRON_RELEASE,
                               IRON_RELEASE_HYPOTHESES)
from ..spec_fields import check_keys, integer, read_toml

WHAT = "calibration spec"
TOP_KEYS = ("description", "hypothesis", "parameters", "targets", "regimens", "options", "predictions",
            "sampling")
HYPOTHESIS_KEYS = ("augmentation", "dat_hypothesis", "iron_release")
PARAMETER_KEYS = ("name", "lower", "upper", "scale")
SCALES = ("log", "linear")
TARGET_KINDS = ("scorecard", "measurements", "function")
TARGET_KEYS = {
    "scorecard": ("kind", "ids", "residual", "scale", "weight"),
    "measurements": ("kind", "file", "weight", "sample_every_hours"),
    "function": ("kind", "id", "ref", "args", "lo", "hi", "value", "sd", "residual", "scale", "weight", "unit"),
}
RESIDUAL_MODES = ("range", "centre")
REGIMEN_KEYS = ("kind", "drug", "dose_mg", "clock_hour", "start_day", "stop_day", "day", "allow_off_label")
PREDICTION_KEYS = ("name", "ref", "args", "unit", "percent")
SAMPLING_KEYS = ("n", "seed", "burn_in", "thin", "max_sets")
#: Option name -> (default, type, description).
OPTIONS = {
    "quick": (False, bool, "scorecard targets in quick mode (shorter horizons)"),
    "starts": (8, int, "number of multistart local optimisations"),
    "seed": (0, int, "seed of the Latin hypercube of start points"),
    "start_at_defaults": (False, bool, "make the first start the model's current values (re-fits of a "
                                       "calibrated model); the other starts come from the Latin hypercube"),
    "optimizer": ("ls_trf", str, "pyPESTO ScipyOptimizer method (ls_trf, L-BFGS-B, Powell, Nelder-Mead, ...)"),
    "max_iterations": (100, int, "objective evaluations (least squares) or iterations per start"),
    "fd_step": (1e-3, float, "finite-difference step in the internal (log10 or linear) scale"),
    "nan_residual": (10.0, float, "residual of a target whose simulated value is NaN or whose run failed"),
    "confidence": (0.95, float, "confidence level of profile-likelihood intervals"),
    "long_horizon": ("exact", str, "'envelope': the fitted model runs on cvode with long_horizon='envelope' (runs of "
                                   "60 days or more follow the slow envelope: verdicts as the exact path's in every "
                                   "trial measured, decisions 46 and 54); 'exact': every day integrated (cvode's "
                                   "exact path when cvode is the default engine; else the default solver)"),
}
from .refs import NO_REGIMEN, STEADY  # noqa: F401  (spec vocabulary, re-exported)

#: Methods pyPESTO's ScipyOptimizer accepts: scipy.optimize.least_squares ones (``ls_``) and
#: scipy.optimize.minimize ones (scipy compares those case-insensitively).
OPTIMIZERS = ("ls_trf", "ls_dogbox", "ls_lm", "Nelder-Mead", "Powell", "CG", "BFGS", "Newton-CG", "L-BFGS-B",
              "TNC", "COBYLA", "COBYQA", "SLSQP", "trust-constr", "dogleg", "trust-ncg", "trust-exact",
              "trust-krylov")


# =============================================================================================
# parameters
# =============================================================================================
@dataclass(frozen=True)
class FitParameter:
    """One fitted number: a model default (``profile`` None) or a profile's override.

    ``id``: ``name`` or ``profile.name``; ``lower``/``upper`` in the parameter's unit;
    ``scale``: ``"log"`` (the optimiser sees log10 of the value) or ``"linear"``.
    """

    id: str
    name: str
    profile: str | None
    lower: float
    upper: float
    scale: str
    unit: str
    description: str

    def to_internal(self, value):
        return np.log10(value) if self.scale == "log" else np.asarray(value, dtype=float)

    def from_internal(self, x):
        return np.power(10.0, x) if self.scale == "log" else np.asarray(x, dtype=float)

    @property
    def internal_bounds(self) -> tuple:
        return float(self.to_internal(self.lower)), float(self.to_internal(self.upper))

    @property
    def pypesto_scale(self) -> str:
        return "log10" if self.scale == "log" else "lin"


# =============================================================================================
# the spec
# =============================================================================================
@dataclass(frozen=True)
class CalibrationSpec:
    """A checked calibration problem (see the module docstring).

    ``targets``: :mod:`rlsmodel.calibration.targets` objects; ``regimens``: name ->
    ``rlsmodel.Regimen``; ``options``: every :data:`OPTIONS` key; ``predictions``: list
    of ``{name, ref, args, unit, percent}``; ``sampling``: the ``[sampling]`` table;
    ``source``: the spec text (recorded in outputs); ``path``: the spec file or None.
    """

    description: str
    augmentation: str
    dat_hypothesis: str
    parameters: tuple
    targets: tuple
    regimens: dict
    options: dict
    predictions: tuple = ()
    sampling: dict = field(default_factory=dict)
    source: str = ""
    path: Path | None = None
    iron_release: str = DEFAULT_IRON_RELEASE

    @property
    def ids(self) -> list:
        return [p.id for p in self.parameters]

    @property
    def n_residuals(self) -> int:
        return sum(t.n_residuals for t in self.targets)

    def values(self, x_internal) -> dict:
        """``{id: value}`` in parameter units from an internal vector."""
        return {p.id: float(p.from_internal(v)) for p, v in zip(self.parameters, np.asarray(x_internal, float))}

    def model_arguments(self, x_internal) -> tuple:
        """``(parameter_defaults, profile_overrides)`` for :meth:`rlsmodel.Model.with_defaults`."""
        defaults, profiles = {}, {}
        for p, v in zip(self.parameters, np.asarray(x_internal, float)):
            value = float(p.from_internal(v))
            if p.profile is None:
                defaults[p.name] = value
            else:
                profiles.setdefault(p.profile, {})[p.name] = value
        return defaults, profiles

    def base_model(self):
        """The un-fitted model of the spec's hypothesis (compiled once per process)."""
        from ..simulator import Model
        horizon = self.options.get("long_horizon")
        if horizon == "envelope":
            solver = envelope_solver()
        elif horizon == "exact" and default_engine() == "cvode":
            solver = exact_solver()      # cvode's default is the envelope (decision 60): pin the exact path
        else:
            solver = {}
        return Model(augmentation=self.augmentation, dat_hypothesis=self.dat_hypothesis,
                     iron_release=self.iron_release, **solver)

    def fitted_model(self, values=None, x_internal=None):
        """The base model with fitted values (``{id: value}`` or an internal vector)."""
        if x_internal is None:
            x_internal = [float(p.to_internal(values[p.id])) for p in self.parameters]
        defaults, profiles = self.model_arguments(x_internal)
        return self.base_model().with_defaults(defaults, profiles)

    def digest(self) -> str:
        """sha256 (16 hex digits) of what defines the fit: the spec text, every data file and
        the source of every function a target calls."""
        h = hashlib.sha256(self.source.encode())
        for t in self.targets:
            for blob in getattr(t, "data_digests", lambda: [])():
                h.update(blob.encode())
        return h.hexdigest()[:16]


def load_spec(spec) -> CalibrationSpec:
    """Parse and check a spec: a path to a TOML file, a TOML string, a dict, or a
    :class:`CalibrationSpec` (returned as is)."""
    if isinstance(spec, CalibrationSpec):
        return spec
    path = None
    if isinstance(spec, dict):
        raw, source, base = spec, json.dumps(spec, sort_keys=True, default=str), Path(".")
    else:
        text = str(spec)
        if "\n" not in text and (text.endswith(".toml") or Path(text).exists()):
            path = Path(text)
            raw = read_toml(path, WHAT)
            source, base = path.read_text(), path.parent
        else:
            import sys
            if sys.version_info >= (3, 11):
                import tomllib
            else:  # pragma: no cover
                import tomli as tomllib
            try:
                raw = tomllib.loads(text)
            except tomllib.TOMLDecodeError as exc:
                raise ValueError(f"{WHAT} is not valid TOML: {exc}") from None
            source, base = text, Path(".")
    return _build(raw, source, base, path)


def _build(raw, source, base, path) -> CalibrationSpec:
    if not isinstance(raw, dict):
        raise ValueError(f"{WHAT} must be a table")
    check_keys(raw, TOP_KEYS, "", WHAT)
    from ..simulator import AUGMENTATION_MECHANISMS, DAT_HYPOTHESES
    hyp = raw.get("hypothesis", {})
    _table(hyp, "hypothesis")
    check_keys(hyp, HYPOTHESIS_KEYS, "hypothesis.", WHAT)
    augmentation = _choice(hyp.get("augmentation", DEFAULT_AUGMENTATION), AUGMENTATION_MECHANISMS, "hypothesis.augmentation")
    dat = _choice(hyp.get("dat_hypothesis", DEFAULT_DAT_HYPOTHESIS), tuple(DAT_HYPOTHESES), "hypothesis.dat_hypothesis")
    iron = _choice(hyp.get("iron_release", DEFAULT_IRON_RELEASE), tuple(IRON_RELEASE_HYPOTHESES),
                   "hypothesis.iron_release")
    options = _options(raw.get("options", {}))
    from ..simulator import Model
    model = Model(augmentation=augmentation, dat_hypothesis=dat, iron_release=iron)
    parameters = _parameters(raw.get("parameters"), model)
    regimens = _regimens(raw.get("regimens", {}))
    from .targets import make_target
    targets_raw = raw.get("targets")
    if not isinstance(targets_raw, list) or not targets_raw:
        raise ValueError(f"{WHAT}: give at least one [[targets]] table (kinds: {', '.join(TARGET_KINDS)})")
    targets = []
    for i, t in enumerate(targets_raw):
        _table(t, f"targets[{i}]")
        kind = t.get("kind")
        if kind not in TARGET_KINDS:
            raise ValueError(f"targets[{i}].kind {kind!r} is unknown; "
                             + (closest(str(kind), TARGET_KINDS) if kind else f"valid: {', '.join(TARGET_KINDS)}"))
        check_keys(t, TARGET_KEYS[kind], f"targets[{i}].", WHAT)
        targets.append(make_target(kind, t, i, model=model, regimens=regimens, base=base, options=options))
    ids = [t.id for t in targets]
    dup = next((x for x in ids if ids.count(x) > 1), None)
    if dup is not None:
        raise ValueError(f"{WHAT}: target id {dup!r} is used twice; give function targets distinct ids")
    predictions = _predictions(raw.get("predictions", []), base)
    sampling = _sampling(raw.get("sampling", {}))
    description = raw.get("description", "")
    if not isinstance(description, str):
        raise ValueError(f"description must be a string; got {description!r}")
    return CalibrationSpec(description, augmentation, dat, tuple(parameters), tuple(targets), regimens, options,
                           tuple(predictions), sampling, source, path, iron)


# -- parts --------------------------------------------------------------------------------------
def _table(value, where):
    if not isinstance(value, dict):
        raise ValueError(f"{WHAT}: {where} must be a table; got {value!r}")


def _choice(value, valid, where):
    if value not in valid:
        raise ValueError(f"{where} {value!r} is unknown; " + closest(str(value), valid))
    return value


def _number(value, where) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{where} must be a finite number; got {value!r}")
    return float(value)


def _options(table) -> dict:
    _table(table, "options")
    check_keys(table, tuple(OPTIONS), "options.", WHAT)
    out = {}
    for key, (default, kind, _) in OPTIONS.items():
        value = table.get(key, default)
        if kind is bool and not isinstance(value, bool):
            raise ValueError(f"options.{key} must be true or false; got {value!r}")
        minimum = 0 if key == "seed" else 1
        if kind is int:
            value = integer(value, f"options.{key}", minimum)
        if kind is float:
            value = _number(value, f"options.{key}")
        if kind is str and not isinstance(value, str):
            raise ValueError(f"options.{key} must be a string; got {value!r}")
        out[key] = value
    if key_bad := [k for k in ("fd_step", "nan_residual") if not out[k] > 0]:
        raise ValueError(f"options.{key_bad[0]} must be > 0; got {out[key_bad[0]]!r}")
    if out["long_horizon"] not in LONG_HORIZON_CHOICES:
        raise ValueError(f"options.long_horizon {out['long_horizon']!r} is unknown; "
                         + closest(str(out["long_horizon"]), LONG_HORIZON_CHOICES))
    if not 0 < out["confidence"] < 1:
        raise ValueError(f"options.confidence must lie in (0, 1); got {out['confidence']!r}")
    name = out["optimizer"]
    least_squares = [m for m in OPTIMIZERS if m.startswith("ls_")]
    minimize = {m.lower() for m in OPTIMIZERS if not m.startswith("ls_")}
    if name not in least_squares and (name.startswith("ls_") or name.lower() not in minimize):
        raise ValueError(f"options.optimizer {name!r} is unknown; " + closest(name, OPTIMIZERS))
    return out


def _parameters(items, model) -> list:
    if not isinstance(items, list) or not items:
        raise ValueError(f"{WHAT}: give at least one [[parameters]] table with a name")
    from .. import profiles as _profiles
    out = []
    for i, item in enumerate(items):
        _table(item, f"parameters[{i}]")
        check_keys(item, PARAMETER_KEYS, f"parameters[{i}].", WHAT)
        if "name" not in item or not isinstance(item["name"], str):
            raise ValueError(f"parameters[{i}] needs name = \"<parameter>\" or \"<profile>.<parameter>\"")
        pid = item["name"]
        profile, _, name = pid.rpartition(".")
        profile = profile or None
        if profile is not None and profile not in _profiles.PROFILES:
            raise ValueError(f"parameters[{i}]: unknown profile {profile!r} in {pid!r}; "
                             + closest(profile, _profiles.PROFILES))
        if name not in model.parameters:
            raise ValueError(f"parameters[{i}]: unknown parameter {name!r}; " + closest(name, model.parameters))
        par = model.parameters[name]
        lo, hi = par.range
        lower = _number(item.get("lower", lo), f"parameters[{i}].lower")
        upper = _number(item.get("upper", hi), f"parameters[{i}].upper")
        for v, which in ((lower, "lower"), (upper, "upper")):
            try:
                par.check_value(v)
            except ValueError as exc:
                raise ValueError(f"parameters[{i}].{which} ({pid}): {exc}") from None
        if not lower < upper:
            raise ValueError(f"parameters[{i}] ({pid}): lower {lower!r} must be < upper {upper!r}")
        scale = item.get("scale", "log" if lower > 0 else "linear")
        if scale not in SCALES:
            raise ValueError(f"parameters[{i}].scale {scale!r} is unknown; valid: log, linear")
        if scale == "log" and not lower > 0:
            raise ValueError(f"parameters[{i}] ({pid}): scale = \"log\" needs lower > 0; got {lower!r} "
                             "(use scale = \"linear\" or a positive lower bound)")
        out.append(FitParameter(pid, name, profile, lower, upper, scale, par.unit, par.description))
    ids = [p.id for p in out]
    dup = next((x for x in ids if ids.count(x) > 1), None)
    if dup is not None:
        raise ValueError(f"{WHAT}: parameter {dup!r} is listed twice")
    return out


def _regimens(table) -> dict:
    _table(table, "regimens")
    from ..pharmacology import Regimen
    out = {}
    for name, item in table.items():
        _table(item, f"regimens.{name}")
        check_keys(item, REGIMEN_KEYS, f"regimens.{name}.", WHAT)
        if name.lower() in NO_REGIMEN:
            raise ValueError(f"regimens.{name}: {name!r} is reserved for 'no regimen'; choose another name")
        kwargs = {k: v for k, v in item.items() if k != "kind"}
        kind = item.get("kind", "daily")
        try:
            if kind == "daily":
                out[name] = Regimen.daily(**kwargs)
            elif kind == "once":
                out[name] = Regimen.once(**kwargs)
            else:
                raise ValueError(f"kind {kind!r} is unknown; valid: daily, once")
        except (TypeError, ValueError) as exc:
            raise ValueError(f"regimens.{name}: {exc}") from None
    return out


def _predictions(items, base) -> list:
    if not isinstance(items, list):
        raise ValueError(f"{WHAT}: predictions must be an array of tables [[predictions]]")
    out = []
    for i, item in enumerate(items):
        _table(item, f"predictions[{i}]")
        check_keys(item, PREDICTION_KEYS, f"predictions[{i}].", WHAT)
        for key in ("name", "ref"):
            if not isinstance(item.get(key), str):
                raise ValueError(f"predictions[{i}] needs {key} = \"...\"")
        args = item.get("args", {})
        _table(args, f"predictions[{i}].args")
        resolve_callable(item["ref"], base, f"predictions[{i}].ref")
        out.append({"name": item["name"], "ref": item["ref"], "args": dict(args), "unit": item.get("unit", ""),
                    "percent": bool(item.get("percent", False)), "base": str(base)})
    names = [p["name"] for p in out]
    dup = next((x for x in names if names.count(x) > 1), None)
    if dup is not None:
        raise ValueError(f"{WHAT}: prediction {dup!r} is named twice")
    return out


def _sampling(table) -> dict:
    _table(table, "sampling")
    check_keys(table, SAMPLING_KEYS, "sampling.", WHAT)
    out = {"n": 2000, "seed": 0, "burn_in": None, "thin": 10, "max_sets": 100}
    for key in SAMPLING_KEYS:
        if key in table:
            v = table[key]
            out[key] = integer(v, f"sampling.{key}", 0 if key in ("seed", "burn_in") else 1)
    return out


# =============================================================================================
# callables named in specs (function targets and predictions)
# =============================================================================================
__all__ = ["CalibrationSpec", "FitParameter", "load_spec", "resolve_callable", "OPTIONS", "TARGET_KINDS"]
