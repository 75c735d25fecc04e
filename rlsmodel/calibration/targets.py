"""What a calibration is fitted to: scorecard rows, measurements and custom functions.

Every target turns a model into a fixed number of *rows*, one per residual, each a dict
with ``target, kind, label, observable, time, simulated, observed, lo, hi, scale,
residual``. The objective is ``0.5 * sum(residual ** 2)`` (a Gaussian negative
log-likelihood up to a constant), so a residual is a number of standard deviations:

* **measurement** (``value``, ``sd``): ``(simulated - value) / sd``.
* **range** ``[lo, hi]`` (scorecard rows, function targets with ``lo``/``hi``): ``0``
  inside the range; outside, the distance to the nearest bound divided by the
  normaliser -- the half-range ``(hi - lo) / 2`` for two-sided ranges, the target's
  ``scale`` (default ``|bound|``, or 1 for a bound of 0) for one-sided ones. Positive
  above, negative below. A published acceptance range says "anything in here is
  consistent", so the residual does not pull towards the middle; a parameter that only
  has to keep a value inside a range then shows a *flat* profile inside it (and is
  reported not identifiable), which is the honest answer.
* ``residual = "centre"`` (two-sided ranges only): ``(simulated - centre) / half-range``,
  a Gaussian with the range as +-1 sd, for targets whose range is an estimate around a
  central value.
* A simulated value that is NaN (e.g. "days to augmentation" when it never happens) or a
  failed run gives ``options.nan_residual`` (default 10) for that row.

``weight`` multiplies a target's residuals.
"""
from __future__ import annotations

import csv
import hashlib
import math
import warnings
from pathlib import Path

import numpy as np

from ..clinical.readouts import READOUTS
from ..model.system import closest

#: Daily outcomes of :func:`rlsmodel.outcomes.daily` usable as measured observables (time =
#: symptom day number; day d covers 06:00 of day d to 06:00 of day d + 1).
DAILY_OUTCOMES = tuple(READOUTS)
#: Simulation variables beyond the declared states and observables (kept for importers: since
#: issue 16 these three are declared observables).
EXTRA_VARIABLES = ("total_body_iron", "symptom", "activity_factor")
#: Columns of a measurement CSV.
REQUIRED_COLUMNS = ("time", "observable", "value", "sd")
CONDITION_COLUMNS = ("profile", "regimen")
OPTIONAL_COLUMNS = ("label",)


def range_residual(value, lo, hi, scale=None, mode="range") -> float:
    """Normalised distance of ``value`` outside ``[lo, hi]`` (see the module docstring)."""
    if lo is None and hi is None:
        raise ValueError("a range target needs lo, hi or both")
    if lo is not None and hi is not None:
        half = (hi - lo) / 2.0
        norm = scale if scale is not None else half
        if mode == "centre":
            return (value - (lo + hi) / 2.0) / norm
    else:
        bound = lo if lo is not None else hi
        norm = scale if scale is not None else (abs(bound) if bound != 0 else 1.0)
    if hi is not None and value > hi:
        return (value - hi) / norm
    if lo is not None and value < lo:
        return (value - lo) / norm
    return 0.0


def _row(target, kind, label, observable, time, simulated, observed=math.nan, lo=None, hi=None, scale=math.nan,
         residual=math.nan):
    return {"target": target, "kind": kind, "label": label, "observable": observable, "time": time,
            "simulated": float(simulated), "observed": float(observed),
            "lo": math.nan if lo is None else float(lo), "hi": math.nan if hi is None else float(hi),
            "scale": float(scale), "residual": float(residual)}


def _finish(rows, weight, nan_residual):
    for r in rows:
        if not np.isfinite(r["simulated"]) or not np.isfinite(r["residual"]):
            r["residual"] = nan_residual
        r["residual"] *= weight
    return rows


# =============================================================================================
# scorecard rows
# =============================================================================================
class ScorecardTarget:
    """Rows of :mod:`rlsmodel.validation` (by id), scored on their numeric ``lo``/``hi``.

    Only the headline value is fitted; the extra pass checks of a row are not (they are
    reported by ``rlsmodel validate`` on the fitted model).
    """

    kind = "scorecard"

    def __init__(self, ids, residual="range", scale=None, weight=1.0, quick=False, nan_residual=10.0):
        from .. import validation
        known = [t.id for t in validation.TARGETS]
        self.ids = tuple(ids)
        self.scales = {}
        for i in self.ids:
            if i not in known:
                raise ValueError(f"unknown scorecard target {i!r}; " + closest(str(i), known))
            t = validation.get(i)
            if t.not_modelled:
                raise ValueError(f"scorecard target {i!r} is not modelled ({t.not_modelled}); it cannot be fitted")
            if t.needs_population:
                raise ValueError(f"scorecard target {i!r} is a population rate (scored on a virtual trial with "
                                 "rlsmodel validate --population N); it cannot be fitted as a scorecard row: fit "
                                 "the trial's incidence with a function target instead")
            if not t.numeric:
                raise ValueError(f"scorecard target {i!r} has no numeric range (lo and hi are None); "
                                 "fit it with a function target that returns a number and give lo/hi")
            if residual == "centre" and (t.lo is None or t.hi is None):
                raise ValueError(f"residual = \"centre\" needs a two-sided range; {i!r} is one-sided")
        if scale is not None:
            if isinstance(scale, dict):
                for k, v in scale.items():
                    if k not in self.ids:
                        raise ValueError(f"scale names {k!r}, which is not among the ids; " + closest(k, self.ids))
                    self.scales[k] = _positive(v, f"scale.{k}")
            else:
                s = _positive(scale, "scale")
                self.scales = {i: s for i in self.ids}
        self.residual_mode = residual
        self.weight = weight
        self.quick = quick
        self.nan_residual = nan_residual
        self.id = "scorecard:" + ",".join(self.ids)

    @property
    def n_residuals(self) -> int:
        return len(self.ids)

    def rows(self, model) -> list:
        from .. import validation
        card = validation.validate(model=model, quick=self.quick, targets=list(self.ids))
        by_id = {r["id"]: r for r in card}
        out = []
        for i in self.ids:
            r = by_id[i]
            lo = None if r["lo"] is None else float(r["lo"])
            hi = None if r["hi"] is None else float(r["hi"])
            v = float(r["value"])
            scale = self.scales.get(i)
            res = range_residual(v, lo, hi, scale, self.residual_mode) if np.isfinite(v) else math.nan
            norm = scale if scale is not None else ((hi - lo) / 2 if lo is not None and hi is not None
                                                    else abs(lo if lo is not None else hi) or 1.0)
            out.append(_row(i, self.kind, r["target"], r["unit"], "", v, lo=lo, hi=hi, scale=norm, residual=res))
        return _finish(out, self.weight, self.nan_residual)


def _positive(v, where):
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not v > 0 or not math.isfinite(v):
        raise ValueError(f"{where} must be a positive number; got {v!r}")
    return float(v)


# =============================================================================================
# measurements
# =============================================================================================
class MeasurementTarget:
    """User data: a CSV with ``profile`` and/or ``regimen``, ``time``, ``observable``,
    ``value``, ``sd`` (and optionally ``label``).

    * ``profile``: a profile name (default: ``healthy``); ``regimen``: a name from the
      spec's ``[regimens]`` or empty/``none``.
    * ``time``: days since the start of the simulation (midnight of day 0; every condition
      starts on its profile's daily limit cycle), or ``steady`` for the day-averaged steady
      state (:meth:`rlsmodel.Model.steady_state`; no regimen). For a daily outcome
      (:data:`DAILY_OUTCOMES`, e.g. ``irls``) ``time`` is the symptom day number.
    * ``observable``: a state, observable, ``total_body_iron`` or ``symptom``, or a daily outcome.
    * ``value`` in the observable's unit; ``sd`` > 0 its measurement standard deviation.

    One simulation per (profile, regimen) condition covers all its rows, sampled every
    ``sample_every_hours`` (default 1 h) and interpolated linearly at the measured times.
    """

    kind = "measurements"

    def __init__(self, file, model, regimens, weight=1.0, sample_every_hours=1.0, nan_residual=10.0, base="."):
        path = Path(file)
        if not path.is_absolute():
            path = Path(base) / path
        self.path = path
        self.weight = weight
        self.sample_every_hours = _positive(sample_every_hours, "sample_every_hours")
        self.nan_residual = nan_residual
        self.regimens = regimens
        self.id = f"measurements:{path.name}"
        self.data = read_measurements(path, model, regimens)
        self._digest = hashlib.sha256(path.read_bytes()).hexdigest()
        self._check_runs(model)
        self._check_origin(model)

    def _check_origin(self, model) -> None:
        """Warn when the file records (``rlsmodel-model:`` stamp) that it was made with another
        model than ``model``: a fit would then recover neither model's values."""
        from ..provenance import read_model_stamp
        stamp = read_model_stamp(self.path)
        if stamp is None or not hasattr(model, "identity"):
            return
        here = model.identity()
        if stamp != here:
            warnings.warn(
                f"{self.path.name} was made with another model (structure {stamp['structure']}, parameter defaults "
                f"{stamp['defaults']}) than the one fitted now (structure {here['structure']}, defaults "
                f"{here['defaults']}): its truth is not this model's. Regenerate the data (for the worked example: "
                "rlsmodel run synthetic_cohort) or fit it with the model that made it", DataModelWarning,
                stacklevel=5)

    def _run_days(self, idx) -> float:
        """Length (days) of the run that covers rows ``idx`` of one condition."""
        timed = [i for i in idx if self.data[i]["time"] is not None]
        end = max(self.data[i]["time"] for i in timed)
        daily = [i for i in timed if self.data[i]["observable"] in DAILY_OUTCOMES]
        if daily:
            end = max(end, max(self.data[i]["time"] for i in daily) + 2.0)
        return max(end, 1e-3)

    def _check_runs(self, model) -> None:
        """Refuse, before any fit, a condition whose run the model would refuse (too long or
        too large for the run limits), naming the file, the condition and the latest time."""
        from ..errors import RunTooLargeError
        from ..planning import plan
        for (profile, regimen), idx in self.conditions().items():
            if all(self.data[i]["time"] is None for i in idx):
                continue
            days = self._run_days(idx)
            reg = self.regimens[regimen] if regimen else None
            try:
                plan(model, days, profile, params=None, regimen=reg, sample_every_hours=self.sample_every_hours,
                     activity=None, engine=None, rtol=None, atol=None, engine_options=None, keep=None,
                     progress=False, warn=False, holds_states=True)
            except (RunTooLargeError, ValueError) as exc:
                latest = max(self.data[i]["time"] for i in idx if self.data[i]["time"] is not None)
                raise ValueError(f"{self.path.name}: the rows of profile {profile!r}"
                                 f"{' with regimen ' + repr(regimen) if regimen else ''} need a run of {days:g} days "
                                 f"(latest time {latest:g} days) that cannot be simulated: {exc}. Check the time "
                                 "column (days), or sample the run less often (sample_every_hours in the "
                                 "target)") from None

    def data_digests(self):
        return [self._digest]

    @property
    def n_residuals(self) -> int:
        return len(self.data)

    def conditions(self) -> dict:
        """``{(profile, regimen): [row index, ...]}``."""
        out = {}
        for i, r in enumerate(self.data):
            out.setdefault((r["profile"], r["regimen"]), []).append(i)
        return out

    def rows(self, model) -> list:
        from .. import outcomes
        from ..integrate import IntegrationError
        simulated = [math.nan] * len(self.data)
        for (profile, regimen), idx in self.conditions().items():
            steady = [i for i in idx if self.data[i]["time"] is None]
            timed = [i for i in idx if self.data[i]["time"] is not None]
            if steady:
                ss = model.steady_state(profile)
                for i in steady:
                    simulated[i] = float(ss[self.data[i]["observable"]])
            if timed:
                daily_rows = [i for i in timed if self.data[i]["observable"] in DAILY_OUTCOMES]
                reg = self.regimens[regimen] if regimen else None
                try:
                    ds = model.simulate(self._run_days(idx), profile, regimen=reg,
                                        sample_every_hours=self.sample_every_hours)
                except (IntegrationError, ArithmeticError):   # a failed run: NaN rows (nan_residual)
                    continue
                daily = outcomes.daily(ds) if daily_rows else None
                t = ds["time"].values
                for i in timed:
                    r = self.data[i]
                    if r["observable"] in DAILY_OUTCOMES:
                        day = int(round(r["time"]))
                        sel = daily["day"].values == day
                        simulated[i] = float(daily[r["observable"]].values[sel][0]) if sel.any() else math.nan
                    else:
                        simulated[i] = float(np.interp(r["time"], t, ds[r["observable"]].values))
        out = []
        for i, r in enumerate(self.data):
            res = (simulated[i] - r["value"]) / r["sd"]
            out.append(_row(self.id, self.kind, r["label"], r["observable"],
                            "steady" if r["time"] is None else f"{r['time']:g}", simulated[i],
                            observed=r["value"], scale=r["sd"], residual=res))
        return _finish(out, self.weight, self.nan_residual)


def read_measurements(path, model, regimens) -> list:
    """Parse and check a measurement CSV; return a list of row dicts (see
    :class:`MeasurementTarget`). Errors name the file, line and column."""
    from .. import profiles as _profiles
    from .refs import NO_REGIMEN, STEADY
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"measurement file {str(path)!r} does not exist")
    with open(path, newline="") as fh:
        numbered = [(i, text) for i, text in enumerate(fh, start=1)
                    if text.strip() and not text.lstrip().startswith("#")]
    reader = csv.DictReader(text for _, text in numbered)
    columns = [c.strip() for c in (reader.fieldnames or [])]
    twice = sorted({c for c in columns if columns.count(c) > 1})
    if twice:
        raise ValueError(f"{path.name}: column {twice[0]!r} appears {columns.count(twice[0])} times in the header "
                         f"(positions {', '.join(str(i + 1) for i, c in enumerate(columns) if c == twice[0])}); "
                         "give each column once")
    valid = REQUIRED_COLUMNS + CONDITION_COLUMNS + OPTIONAL_COLUMNS
    for c in columns:
        if c not in valid:
            raise ValueError(f"{path.name}: unknown column {c!r}; " + closest(c, valid))
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise ValueError(f"{path.name}: missing column(s) {', '.join(missing)}; a measurement CSV has columns "
                         "profile and/or regimen, time, observable, value, sd")
    if not any(c in columns for c in CONDITION_COLUMNS):
        raise ValueError(f"{path.name}: give a profile column, a regimen column or both")
    variables = set(model.states) | set(model.observables) | set(EXTRA_VARIABLES)
    # observables that read the rest/activity schedule (symptom) exist only in runs
    steady_ok = (set(model.states) | set(model.observables)) - set(model.system.forced_observables)
    rows, seen = [], {}
    for raw in reader:
        line = numbered[reader.line_num - 1][0] if reader.line_num <= len(numbered) else reader.line_num
        where = f"{path.name} line {line}"
        if None in raw:
            raise ValueError(f"{where}: {len(columns) + len(raw[None])} fields, the header has {len(columns)} "
                             f"columns (extra: {', '.join(map(repr, raw[None]))}); remove the extra fields or "
                             "add their columns")
        raw = {k.strip(): (v or "").strip() for k, v in raw.items()}     # missing trailing fields: empty
        key = tuple(sorted(raw.items()))
        if key in seen:
            raise ValueError(f"{where} repeats line {seen[key]} exactly; a duplicated measurement would count "
                             "twice. Remove one (or, for two real measurements, give each its own label)")
        seen[key] = line
        profile = raw.get("profile", "") or "healthy"
        if profile not in _profiles.PROFILES:
            raise ValueError(f"{where}: unknown profile {profile!r}; " + closest(profile, _profiles.PROFILES))
        regimen = raw.get("regimen", "")
        if regimen.lower() in NO_REGIMEN:
            regimen = ""
        elif regimen not in regimens:
            raise ValueError(f"{where}: unknown regimen {regimen!r}; "
                             + (closest(regimen, regimens) if regimens else
                                "the spec defines no [regimens.NAME] tables"))
        obs = raw["observable"]
        if obs not in variables and obs not in DAILY_OUTCOMES:
            raise ValueError(f"{where}: unknown observable {obs!r}; "
                             + closest(obs, sorted(variables) + list(DAILY_OUTCOMES)))
        time_text = raw["time"]
        if time_text.lower() in STEADY:
            if regimen:
                raise ValueError(f"{where}: time = steady (the day-averaged steady state) cannot have a regimen")
            if obs not in steady_ok:
                raise ValueError(f"{where}: {obs!r} has no steady-state value (it needs a simulation); "
                                 "give a time in days")
            time = None
        else:
            time = _float(time_text, where, "time")
            if time < 0:
                raise ValueError(f"{where}: time must be >= 0 days; got {time!r}")
            if obs in DAILY_OUTCOMES and abs(time - round(time)) > 1e-9:
                raise ValueError(f"{where}: for the daily outcome {obs!r} time is a symptom day number "
                                 f"(an integer); got {time!r}")
        value = _float(raw["value"], where, "value")
        sd = _float(raw["sd"], where, "sd")
        if not sd > 0:
            raise ValueError(f"{where}: sd must be > 0; got {sd!r}")
        label = raw.get("label") or f"{profile}{'+' + regimen if regimen else ''} {obs} @ {time_text}"
        rows.append({"profile": profile, "regimen": regimen, "time": time, "observable": obs,
                     "value": value, "sd": sd, "label": label})
    if not rows:
        raise ValueError(f"{path.name}: no measurements")
    return rows


def _float(text, where, column):
    try:
        v = float(text)
    except ValueError:
        raise ValueError(f"{where}: column {column} must be a number; got {text!r}") from None
    if not math.isfinite(v):
        raise ValueError(f"{where}: column {column} must be finite; got {text!r}")
    return v


# =============================================================================================
# custom functions: the extension point
# =============================================================================================
class FunctionTarget:
    """``ref`` (``"module:function"``, ``"file.py:function"`` or a named prediction) called as
    ``f(model=model, **args)`` returning one number, compared with ``[lo, hi]`` (range
    residual) or ``value`` +- ``sd``. Re-fits to virtual-trial numbers use this kind, e.g.
    ``ref = "virtual_trial_incidence"`` (:mod:`rlsmodel.calibration.predictions`).
    """

    kind = "function"

    def __init__(self, id, ref, args=None, lo=None, hi=None, value=None, sd=None, residual="range", scale=None,
                 weight=1.0, unit="", nan_residual=10.0, base="."):
        from .refs import resolve_callable, source_digest
        if not isinstance(id, str) or not id:
            raise ValueError(f"a function target needs id = \"<name>\"; got {id!r}")
        self.id = id
        self.ref = ref
        self.func = resolve_callable(ref, base, f"target {id!r}: ref")
        self._source = source_digest(self.func)
        self.args = dict(args or {})
        has_range = lo is not None or hi is not None
        has_value = value is not None or sd is not None
        if has_range == has_value:
            raise ValueError(f"target {id!r}: give lo and/or hi (a range) or value and sd (a measurement), not "
                             + ("both" if has_range else "neither"))
        if has_value and (value is None or sd is None):
            raise ValueError(f"target {id!r}: value needs sd and sd needs value")
        self.lo = None if lo is None else float(lo)
        self.hi = None if hi is None else float(hi)
        if self.lo is not None and self.hi is not None and not self.lo < self.hi:
            raise ValueError(f"target {id!r}: lo {lo!r} must be < hi {hi!r}")
        self.value = None if value is None else float(value)
        self.sd = None if sd is None else _positive(sd, f"target {id!r}: sd")
        if residual not in ("range", "centre"):
            raise ValueError(f"target {id!r}: residual {residual!r} is unknown; valid: range, centre")
        if residual == "centre" and (self.lo is None or self.hi is None):
            raise ValueError(f"target {id!r}: residual = \"centre\" needs both lo and hi")
        self.residual_mode = residual
        self.scale = None if scale is None else _positive(scale, f"target {id!r}: scale")
        self.weight = weight
        self.unit = unit
        self.nan_residual = nan_residual

    def data_digests(self):
        """The digest of the function's source file (part of the fit's fingerprint)."""
        return [self._source]

    @property
    def n_residuals(self) -> int:
        return 1

    def rows(self, model) -> list:
        from ..integrate import IntegrationError
        try:
            got = self.func(model=model, **self.args)
        except (IntegrationError, ArithmeticError):     # a failed run scores nan_residual
            got = math.nan
        except Exception as exc:
            raise FunctionTargetError(f"function target {self.id!r} ({self.ref}) raised {type(exc).__name__}: "
                                      f"{exc}") from exc
        v = _function_value(self, got)
        if self.value is not None:
            res, norm = (v - self.value) / self.sd, self.sd
            row = _row(self.id, self.kind, self.ref, self.unit, "", v, observed=self.value, scale=norm, residual=res)
        else:
            lo, hi = self.lo, self.hi
            norm = self.scale if self.scale is not None else ((hi - lo) / 2 if lo is not None and hi is not None
                                                              else abs(lo if lo is not None else hi) or 1.0)
            res = range_residual(v, lo, hi, self.scale, self.residual_mode) if np.isfinite(v) else math.nan
            row = _row(self.id, self.kind, self.ref, self.unit, "", v, lo=lo, hi=hi, scale=norm, residual=res)
        return _finish([row], self.weight, self.nan_residual)


class DataModelWarning(UserWarning):
    """Measurements record that another model (structure or parameter defaults) made them."""


class FunctionTargetError(ValueError):
    """A function target raised or returned something that is not one number."""


def _function_value(target, got) -> float:
    """``got`` as a float if it is one real number (not a string, bool, None or an array of several)."""
    if isinstance(got, (bool, np.bool_)) or isinstance(got, (str, bytes)) or got is None:
        ok = False
    else:
        arr = np.asarray(got) if not isinstance(got, (int, float)) else None
        ok = arr is None or (arr.size == 1 and arr.dtype.kind in "iuf")
    if not ok:
        raise FunctionTargetError(f"function target {target.id!r} ({target.ref}) returned {got!r} "
                                  f"({type(got).__name__}); it must return one number (a float)")
    return float(np.asarray(got, dtype=float).reshape(()))


def make_target(kind, table, index, *, model, regimens, base, options):
    """Build the target of ``[[targets]]`` number ``index`` (keys already checked)."""
    where = f"targets[{index}]"
    weight = table.get("weight", 1.0)
    weight = _positive(weight, f"{where}.weight")
    nan_residual = options["nan_residual"]
    try:
        if kind == "scorecard":
            ids = table.get("ids")
            if not (isinstance(ids, list) and ids and all(isinstance(i, str) for i in ids)):
                raise ValueError(f"ids must be a non-empty list of scorecard ids; got {ids!r}")
            mode = table.get("residual", "range")
            if mode not in ("range", "centre"):
                raise ValueError(f"residual {mode!r} is unknown; valid: range, centre")
            return ScorecardTarget(ids, mode, table.get("scale"), weight, options["quick"], nan_residual)
        if kind == "measurements":
            if not isinstance(table.get("file"), str):
                raise ValueError("needs file = \"<measurements.csv>\" (relative to the spec)")
            return MeasurementTarget(table["file"], model, regimens, weight, table.get("sample_every_hours", 1.0),
                                     nan_residual, base)
        if not isinstance(table.get("ref"), str):
            raise ValueError("needs ref = \"module:function\" (or a named prediction)")
        args = table.get("args", {})
        if not isinstance(args, dict):
            raise ValueError(f"args must be a table; got {args!r}")
        return FunctionTarget(table.get("id"), table["ref"], args, table.get("lo"), table.get("hi"),
                              table.get("value"), table.get("sd"), table.get("residual", "range"),
                              table.get("scale"), weight, table.get("unit", ""), nan_residual, base)
    except ValueError as exc:
        raise ValueError(f"{where} ({kind}): {exc}") from None


__all__ = ["ScorecardTarget", "MeasurementTarget", "FunctionTarget", "FunctionTargetError", "range_residual", "read_measurements",
           "DAILY_OUTCOMES", "make_target"]
