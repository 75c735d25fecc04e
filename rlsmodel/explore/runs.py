"""The simulations behind the explorer: one settings object in, one :class:`Result` out.

Nothing here knows about Panel or Bokeh, so the same runs can be checked in tests and
notebooks. A result holds

* ``run``: the whole run (untreated baseline, then the drug) sampled every hour;
* ``daily``: :func:`rlsmodel.outcomes.daily` of that run; ``verdict``:
  :func:`rlsmodel.outcomes.augmentation` when a drug is given;
* ``days``: finely sampled symptom days (06:00 to 06:00) for the day view: the untreated
  day (the profile's daily limit cycle) and an early and a late day on the drug, each
  re-simulated from the hourly run's state at that midnight;
* ``healthy``: the healthy profile's day-averaged steady state (reference lines).

Interactive runs use ``rtol = 1e-6`` (the engines' defaults: cvode 1e-7, lsoda 1e-7; the
library default was 1e-8 when this was chosen): curves agree to well under a line width
(docs/decisions.md).
"""
from __future__ import annotations

import threading
import time
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import xarray as xr

from .. import clinical, outcomes
from ..pharmacology import DRUGS, Regimen
from ..pharmacology.regimen import PATCH_DRUGS
from ..model.hypotheses import DEFAULT_AUGMENTATION
from ..simulator import AUGMENTATION_MECHANISMS, Model

#: Untreated days simulated before the first dose (the augmentation baseline;
#: :data:`rlsmodel.clinical.protocol.BASELINE_DAYS`, as in the scorecard and the predictions).
BASELINE_DAYS = clinical.BASELINE_DAYS
#: Output spacing (h) of the whole run and of the re-simulated display days.
COARSE_HOURS = 1.0
FINE_HOURS = 0.1
#: Runs longer than this (days) are integrated in chunks so progress can be reported.
CHUNK_DAYS = 365
#: Integrator tolerances for interactive runs.
RTOL, ATOL = 1e-6, 1e-8
#: Parameters the explorer's sliders set (name -> label).
SLIDER_PARAMETERS = {
    "bbb_uptake_gain": "BBB iron uptake gain",
    "diet_iron": "dietary iron",
    "blood_loss": "blood loss",
}

_MODELS: dict = {}
_MODEL_LOCK = threading.Lock()


def get_model(mechanism: str = DEFAULT_AUGMENTATION) -> Model:
    """The process-wide :class:`Model` for an augmentation mechanism (built once)."""
    if mechanism not in AUGMENTATION_MECHANISMS:
        raise ValueError(f"unknown augmentation mechanism {mechanism!r}; valid: "
                         f"{', '.join(AUGMENTATION_MECHANISMS)}")
    with _MODEL_LOCK:
        if mechanism not in _MODELS:
            _MODELS[mechanism] = Model(augmentation=mechanism)
        return _MODELS[mechanism]


def is_iv_once(drug: str | None) -> bool:
    """Intravenous iron is given once on the start day, not daily."""
    return drug is not None and DRUGS[drug].route == "intravenous"


@dataclass(frozen=True)
class Settings:
    """Everything one explorer run depends on (units in the field comments).

    ``drug`` None means untreated. ``stop_day``: the first day without a dose (doses on
    days ``start_day <= d < stop_day``); None or a day at or past the end of the run
    means the drug is taken to the end. The run lasts ``start_day + treatment_days`` days.
    """

    profile: str = "rls_genetic"
    bbb_uptake_gain: float = 0.55        # 1
    diet_iron: float = 15.0              # mg/day
    blood_loss: float = 0.0              # mL/day
    drug: str | None = None
    dose_mg: float = 100.0               # mg (patch: mg/24 h)
    clock_hour: float = 20.0             # h after midnight
    mechanism: str = DEFAULT_AUGMENTATION
    treatment_days: int = 365            # day
    stop_day: int | None = None          # day
    start_day: int = BASELINE_DAYS       # day

    @property
    def days(self) -> int:
        """Length of the whole run (days)."""
        return int(self.start_day + self.treatment_days)

    @property
    def params(self) -> dict:
        """The parameter overrides the sliders set."""
        return {name: float(getattr(self, name)) for name in SLIDER_PARAMETERS}

    @property
    def effective_stop(self) -> int | None:
        """``stop_day`` if the drug stops before the end of the run, else None."""
        if self.stop_day is None or self.stop_day >= self.days:
            return None
        return int(self.stop_day)

    @property
    def first_treated_day(self) -> int:
        """The symptom day of the first dose (:func:`rlsmodel.clinical.first_treated_day`);
        ``start_day`` when untreated."""
        return clinical.first_treated_day(self.start_day, None if self.drug is None else self.clock_hour)

    @property
    def baseline_days(self) -> range:
        """The untreated symptom days before the first treated one (the baseline)."""
        return range(0, self.first_treated_day)

    def as_dict(self) -> dict:
        return asdict(self)


def build_regimen(s: Settings, shift: int = 0, skip_dose_at_zero: bool = False):
    """The regimen of ``s`` as seen from midnight of day ``shift`` (None if no dose remains).

    Raises the package's own ``ValueError`` for bad doses, clock hours or days.
    ``skip_dose_at_zero``: the state at time 0 already contains a dose given exactly at
    midnight of day ``shift`` (samples are right-continuous), so do not give it again.
    """
    if s.drug is None:
        return None
    if shift == 0:
        if is_iv_once(s.drug):
            return Regimen.once(s.drug, s.dose_mg, s.start_day, s.clock_hour)
        return Regimen.daily(s.drug, s.dose_mg, s.clock_hour, start_day=s.start_day,
                             stop_day=s.effective_stop)
    start = s.start_day - shift
    if is_iv_once(s.drug):
        if start < 0 or (start == 0 and skip_dose_at_zero):
            return None
        return Regimen.once(s.drug, s.dose_mg, start, s.clock_hour)
    stop = None if s.effective_stop is None else s.effective_stop - shift
    is_patch = s.drug in PATCH_DRUGS
    start = max(start, 0)
    if start == 0 and skip_dose_at_zero and not is_patch:     # a patch 'set' is idempotent
        start = 1
    if stop is not None and stop <= start:
        return None
    return Regimen.daily(s.drug, s.dose_mg, s.clock_hour, start_day=start, stop_day=stop)


@dataclass
class Result:
    """One explorer run (see the module docstring)."""

    settings: Settings
    run: xr.Dataset
    daily: xr.Dataset
    verdict: dict | None
    days: dict                      # label -> (symptom day index, fine Dataset on the run's clock)
    healthy: xr.Dataset
    mechanism_states: tuple         # receptor density states of the mechanism
    timings: dict = field(default_factory=dict)


def _state_at(model, ds_point) -> dict:
    """State values of a time-less Dataset, round-off negatives (e.g. -1e-274) set to 0."""
    return {n: max(float(ds_point[n]), 0.0) for n in model.compiled.state_names}


def is_chunked(s: Settings) -> bool:
    """Whether a run of these settings is simulated in chunks (long runs, with progress)."""
    return s.days > CHUNK_DAYS + 35


def _simulate_chunked(model, s: Settings, regimen, progress):
    """The whole run at ``COARSE_HOURS`` spacing, in chunks of ``CHUNK_DAYS`` when long."""
    # warn=False: a chunk or displayed day without a dose (an infusion later in the run) is by design
    kw = dict(profile=s.profile, params=s.params, sample_every_hours=COARSE_HOURS, rtol=RTOL, atol=ATOL, warn=False)
    total = s.days
    if not is_chunked(s):
        if progress:
            progress(0.0, f"simulating {total} days")
        return model.simulate(total, regimen=regimen, **kw)
    # chunk boundaries; never on the stop day (a patch removal must stay inside its chunk)
    bounds = list(range(0, total, CHUNK_DAYS)) + [total]
    if s.effective_stop is not None:
        bounds = [b + 1 if 0 < b < total and b == s.effective_stop else b for b in bounds]
    bounds = sorted(set(bounds))
    parts, initial = [], None
    for i, (a, b) in enumerate(zip(bounds, bounds[1:])):
        if progress:
            progress(a / total, f"simulating days {a}-{b} of {total}")
        reg = regimen if a == 0 else build_regimen(s, shift=a, skip_dose_at_zero=s.clock_hour == 0.0)
        part = model.simulate(b - a, regimen=reg, initial=initial, **kw)
        initial = _state_at(model, part.isel(time=-1))
        part = part.assign_coords(time=part.time + a)
        parts.append(part if i == 0 else part.isel(time=slice(1, None)))
    ds = xr.concat(parts, dim="time", data_vars="minimal", coords="minimal", compat="override",
                   combine_attrs="override")
    if regimen is not None:
        ds.attrs["regimen"] = regimen.describe()
    ds.attrs["initial_state"] = parts[0].attrs.get("initial_state", "")
    return ds


def _fine_day(model, s: Settings, run, day: int, regimen_on: bool):
    """Symptom day ``day`` (06:00 to 06:00) re-simulated from the run's state at midnight."""
    kw = dict(profile=s.profile, params=s.params, sample_every_hours=FINE_HOURS, rtol=RTOL, atol=ATOL, warn=False)
    initial = _state_at(model, run.sel(time=float(day), method="nearest"))
    reg = build_regimen(s, shift=day, skip_dose_at_zero=s.clock_hour == 0.0) if regimen_on else None
    ds = model.simulate(clinical.day_start(1), regimen=reg, initial=initial, **kw)
    return ds.assign_coords(time=ds.time + day)


def early_late_days(s: Settings) -> tuple:
    """Symptom days shown as 'early' and 'late' in treatment (or (None, None) untreated)."""
    if s.drug is None:
        return None, None
    last_complete = clinical.symptom_day_of(s.days) - 1
    late = last_complete if s.effective_stop is None else min(last_complete, s.effective_stop - 1)
    early = min(s.start_day + 1, late)
    if is_iv_once(s.drug):          # iron infusion: the day after, and the end of follow-up
        late = last_complete
    return early, late


def run(s: Settings, progress=None) -> Result:
    """Simulate settings ``s``; ``progress(fraction, message)`` is called as work proceeds.

    Raises ``ValueError`` (bad settings, the package's own message) or
    :class:`rlsmodel.integrate.IntegrationError`.
    """
    timings = {}
    t0 = time.perf_counter()
    if s.profile is None:
        raise ValueError("choose a profile")
    if not isinstance(s.treatment_days, int) or s.treatment_days < 7:
        raise ValueError(f"treatment length must be a whole number of days >= 7; got {s.treatment_days!r}")
    model = get_model(s.mechanism)
    model.resolve_parameters(s.profile, s.params)          # parameter errors before any work
    regimen = build_regimen(s)
    timings["model_s"] = time.perf_counter() - t0

    t = time.perf_counter()
    run_ds = _simulate_chunked(model, s, regimen, progress)
    timings["run_s"] = time.perf_counter() - t

    t = time.perf_counter()
    if progress:
        progress(0.9, "re-simulating the displayed days")
    days = {}
    untreated = model.simulate(clinical.day_start(1), profile=s.profile, params=s.params, sample_every_hours=FINE_HOURS,
                               rtol=RTOL, atol=ATOL)
    days["untreated"] = (0, untreated)
    early, late = early_late_days(s)
    if early is not None:
        days["early"] = (early, _fine_day(model, s, run_ds, early, True))
        if late != early:
            days["late"] = (late, _fine_day(model, s, run_ds, late, True))
    timings["days_s"] = time.perf_counter() - t

    t = time.perf_counter()
    verdict = None
    if regimen is not None:
        verdict = outcomes.augmentation(run_ds, clinical.day_start(s.first_treated_day))
        daily = outcomes.daily(run_ds, baseline_days=verdict["baseline_days"])
    else:
        daily = outcomes.daily(run_ds, baseline_days=s.baseline_days)
    healthy = model.steady_state("healthy")
    timings["outcomes_s"] = time.perf_counter() - t
    timings["total_s"] = time.perf_counter() - t0
    mech_states = tuple(n for n in ("d1_density", "d3_density") if n in run_ds)
    return Result(s, run_ds, daily, verdict, days, healthy, mech_states, timings)


def profile_values(profile: str, mechanism: str = DEFAULT_AUGMENTATION) -> dict:
    """The slider parameters' values under ``profile`` (declared defaults + its overrides)."""
    values = get_model(mechanism).resolve_parameters(profile)
    return {name: float(values[name]) for name in SLIDER_PARAMETERS}


def with_profile(s: Settings, profile: str) -> Settings:
    """``s`` switched to ``profile`` with the sliders reset to that profile's values."""
    return replace(s, profile=profile, **profile_values(profile, s.mechanism))


def daily_stats(run_ds: xr.Dataset, name: str):
    """(day midpoints in days, daily mean, daily min, daily max) of variable ``name``."""
    t = run_ds.time.values
    v = np.asarray(run_ds[name].values, dtype=float)
    day = np.floor(t + 1e-9).astype(int)
    n = int(day.max())
    keep = day < n               # only complete days (the final midnight sample starts a new day)
    if not keep.any():
        keep = np.ones_like(day, bool)
        n = int(day.max()) + 1
    d, vv = day[keep], v[keep]
    counts = np.bincount(d, minlength=n)
    ok = counts > 0
    mean = np.bincount(d, weights=vv, minlength=n)[ok] / counts[ok]
    lo = np.full(n, np.inf)
    hi = np.full(n, -np.inf)
    np.minimum.at(lo, d, vv)
    np.maximum.at(hi, d, vv)
    mid = np.arange(n)[ok] + 0.5
    return mid, mean, lo[ok], hi[ok]
