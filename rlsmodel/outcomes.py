"""Clinical readouts of a simulation: daily symptom measures and the augmentation verdict.

A simulation (:meth:`rlsmodel.Model.simulate`) gives the urge to move over time. This module
turns it into what a clinician reads:

* :func:`daily` -- one row per *symptom day*: symptom onset clock time, peak urge, urge-hours,
  an IRLS-like 0-40 severity score, a PLMS index, sleep disruption, latency of symptoms at
  rest and an ASRS-like augmentation severity score.
* :func:`augmentation` -- the Max Planck Institute (MPI) criteria for augmentation
  (Garcia-Borreguero et al. 2007, Sleep Med 8:520) applied to the days after a regimen
  starts, against the untreated days before it, with the two tiers of Benes et al. 2012
  (Sleep Med 13:589): MPI-positive at some point, and clinically relevant (persistent).

Conventions
-----------
The patient-time rules (the symptom day, the threshold, the baseline, the MPI criteria,
persistence) are those of :mod:`rlsmodel.clinical`; this module applies them to a run.

* ``time`` is in days since midnight of day 0; its fraction is the clock time.
* The **symptom day** runs from 06:00 to 06:00 the next day: day ``d`` covers times
  ``[d + 0.25, d + 1.25)``, so an evening's symptoms and the night that follows belong to
  the same day. Clock hours within a symptom day are reported in ``[6, 30)`` (25.5 means
  01:30 the next morning). Partial symptom days at either end of the run are dropped.
* The urge is on a 0-10 scale. ``urge_at_rest`` is the urge a resting patient would feel;
  ``symptom`` is the urge actually felt under the rest/activity schedule (moving relieves
  it while it lasts). Samples are joined by straight lines: crossing times and integrals
  are exact for that piecewise-linear curve, so they do not depend on where the sampling
  grid falls (the symptom-day boundaries are inserted into it).
* The **symptom threshold** (:data:`DEFAULT_THRESHOLD`, 3/10) separates "symptoms present"
  from "none". Every function takes ``threshold=`` to override it.
* The **PLMS and IRLS maps** are declared model parameters
  (:mod:`rlsmodel.model.clinical_scores`: unit, range, source). :func:`daily` reads their
  values from the run's resolved parameters (``ds.attrs["parameters"]``, written by
  :meth:`rlsmodel.Model.simulate`), so a sweep or a fit over them changes the scores; a
  dataset without that attribute (built by hand) is scored with the declared defaults.
"""
from __future__ import annotations

import json

import numpy as np
import xarray as xr

from . import clinical
from .clinical import day as _day
from .clinical.baseline import LATENCY_CAP_H, baseline_of, baseline_onset_hour, compared_onset  # noqa: F401
from .clinical.day import DAY_START, DAY_START_HOUR, SymptomDayGrid
from .clinical.mpi import (INTENSITY_GREATER_MIN, LATENCY_SHORTER_MIN_H, ONSET_ADVANCE_FULL_H,  # noqa: F401
                           ONSET_ADVANCE_PARTIAL_H, WEEK_DAYS, WORSE_DAYS_MIN, WORSE_IRLS_MARGIN, mpi_by_day)
from .clinical.persistence import PERSISTENT_DAYS, PERSISTENT_MIN_TO_END_DAYS, persistent  # noqa: F401
from .clinical.readouts import DEFAULT_THRESHOLD, READOUTS, check_threshold, readout_attrs  # noqa: F401
from .model import clinical_scores as _clinical_scores

# The symptom day, the threshold, the baseline and MPI rules are in rlsmodel.clinical; their
# names are re-exported here for importers (DEFAULT_THRESHOLD, DAY_START_HOUR, LATENCY_CAP_H,
# WEEK_DAYS, WORSE_*, ONSET_ADVANCE_*, LATENCY_SHORTER_MIN_H, INTENSITY_GREATER_MIN,
# PERSISTENT_DAYS, PERSISTENT_MIN_TO_END_DAYS).

#: Longest night residue (h after the start of the symptom day, i.e. until 12:00) for an urge
#: that is above the threshold at 06:00 to count as the end of the night's symptoms. If it does
#: not fall below the threshold by then, symptoms persist through the morning and the day's
#: onset is its start (06:00): in severe augmentation the urge runs from the night into the
#: next day, and a later dip (e.g. under an evening dose) must not count as a late onset.
NIGHT_RESIDUE_MAX_H = 6.0

# -- PLMS and IRLS maps: declared parameters (rlsmodel.model.clinical_scores) ------------------
#: Declared defaults of the clinical-score parameters, name -> value. A run's own values are in
#: its ``attrs["parameters"]`` (:func:`score_parameters`).
SCORE_DEFAULTS = {p.name: p.default for p in _clinical_scores.parameters}
#: Defaults under their former constant names (kept for importers; the values a run uses are
#: its parameters ``plms_base_rate``, ``plms_rate_range``, ``plms_urge_exponent``, ``irls_*``).
PLMS_BASE_PER_H = SCORE_DEFAULTS["plms_base_rate"]
PLMS_RANGE_PER_H = SCORE_DEFAULTS["plms_rate_range"]
PLMS_EXPONENT = SCORE_DEFAULTS["plms_urge_exponent"]
IRLS_URGE_NONE = SCORE_DEFAULTS["irls_urge_none"]
IRLS_URGE_VERY_SEVERE = SCORE_DEFAULTS["irls_urge_very_severe"]
IRLS_BURDEN_VERY_SEVERE = SCORE_DEFAULTS["irls_burden_very_severe"]
IRLS_WAKING_BURDEN_VERY_SEVERE = SCORE_DEFAULTS["irls_waking_burden_very_severe"]
IRLS_FULL_RELIEF = SCORE_DEFAULTS["irls_full_relief"]
#: IRLS item 8 (hours a day with symptoms, counted while awake): category midpoints (h) ->
#: scores 1..4 (<1 h, 1-3 h, 3-8 h, >= 8 h); linear between, 0 with no symptoms.
IRLS_DURATION_HOURS = (0.0, 0.5, 2.0, 5.5, 12.0)

# -- augmentation verdict ---------------------------------------------------------------------
#: Late window (days at the end of the run) for ``onset_advance_h`` and ``severity_ratio``.
LATE_WINDOW_DAYS = 28

REQUIRED_VARIABLES = ("urge_at_rest", "symptom", "activity")

_ASLEEP = "asleep"
_ACTIVE = "active"


# ============================================================================================
# helpers
# ============================================================================================
def _check_dataset(ds):
    if not isinstance(ds, xr.Dataset):
        raise ValueError(f"expected an xarray.Dataset from Model.simulate; got {type(ds).__name__}")
    if "time" not in ds.dims:
        raise ValueError("dataset has no 'time' dimension (a steady state has no days to score)")
    missing = [v for v in REQUIRED_VARIABLES if v not in ds]
    if missing:
        raise ValueError(f"dataset lacks variable(s) {', '.join(missing)}; outcomes need "
                         f"{', '.join(REQUIRED_VARIABLES)} (simulate with an activity schedule)")
    t = np.asarray(ds["time"].values, dtype=float)
    if t.size < 2 or not np.all(np.isfinite(t)) or np.any(np.diff(t) <= 0):
        raise ValueError("time must be finite and strictly increasing with at least two samples")
    if np.max(np.diff(t)) > 3.0 / 24.0 + 1e-12:
        raise ValueError(f"samples are {np.max(np.diff(t)) * 24:.2g} h apart at most; outcomes need "
                         "samples at most 3 h apart (0.1-1 h is typical)")
    return t


def _lin(x, x0, x1):
    """0-4 score rising linearly from ``x0`` (0) to ``x1`` (4), clipped."""
    return 4.0 * np.clip((np.asarray(x, dtype=float) - x0) / (x1 - x0), 0.0, 1.0)


def score_parameters(ds=None) -> dict:
    """Values of the clinical-score parameters (:mod:`rlsmodel.model.clinical_scores`) for
    ``ds``: its resolved parameters (``ds.attrs["parameters"]``) where present, the declared
    defaults otherwise (or for ``ds=None``)."""
    values = dict(SCORE_DEFAULTS)
    text = getattr(ds, "attrs", {}).get("parameters") if ds is not None else None
    if text:
        try:
            run = json.loads(text)
        except (TypeError, ValueError):
            raise ValueError("ds.attrs['parameters'] is not the JSON object Model.simulate writes") from None
        values.update({n: float(run[n]) for n in SCORE_DEFAULTS if n in run})
    return values


def plms_rate(urge, params=None):
    """PLMS per hour of sleep at a given urge (0-10): monotone increasing.

    ``plms_base_rate + plms_rate_range * (urge / 10) ** plms_urge_exponent`` (events/h),
    i.e. with the declared defaults 2/h with no urge, about 12/h at urge 4, 25/h at 6, 60/h
    at 10. Calibrated on Montplaisir et al. 1997 (Mov Disord 12:61): healthy adults below
    5/h, most RLS patients above 5/h (80 %) and moderate RLS typically 15-40/h; PLMS follow
    the circadian rhythm of the sensory symptoms (Hening et al. 1999 Sleep 22:901), hence a
    function of the urge. ``params``: the parameter values (a mapping with those three
    names, e.g. :func:`score_parameters` of a run); default the declared ones.
    """
    q = SCORE_DEFAULTS if params is None else params
    u = np.clip(np.asarray(urge, dtype=float), 0.0, 10.0)
    return q["plms_base_rate"] + q["plms_rate_range"] * (u / 10.0) ** q["plms_urge_exponent"]


class _Series:
    """The run's urge, symptom and activity on its symptom-day grid
    (:class:`rlsmodel.clinical.day.SymptomDayGrid`): samples joined by straight lines, the
    activity mode held until the next sample."""

    def __init__(self, ds, t):
        grid = SymptomDayGrid(t)
        self.days, self.bounds, self.t = grid.days, grid.bounds, grid.t
        self.seg, self.dt_h, self.seg_day = grid.seg, grid.dt_h, grid.seg_day
        self.urge = grid.interpolate(ds["urge_at_rest"].values)
        self.symptom = grid.interpolate(ds["symptom"].values)
        self.activity = grid.hold(np.asarray(ds["activity"].values).astype(str))
        self.activity_factor = grid.interpolate(ds["activity_factor"].values) if "activity_factor" in ds else None
        self.per_day_sum, self.per_day_max = grid.per_day_sum, grid.per_day_max
        self.first_per_day = grid.first_per_day


def _above_threshold(y0, y1, dt, c):
    """Per linear segment: hours with y > c and the integral of (y - c) over them."""
    hi, lo = np.maximum(y0, y1), np.minimum(y0, y1)
    both = lo >= c
    cross = (hi > c) & ~both
    frac = np.where(cross, (hi - c) / np.where(hi > lo, hi - lo, 1.0), 0.0)
    dur = np.where(both, dt, frac * dt)
    excess = np.where(both, dt * (0.5 * (y0 + y1) - c), dur * (hi - c) * 0.5)
    excess = np.where(both | cross, excess, 0.0)
    return dur, excess


def _crossings(t, y, c, rising=True):
    """Times (days) at which y rises (or falls) through c, linearly interpolated between samples."""
    i = np.nonzero((y[:-1] <= c) & (y[1:] > c) if rising else (y[:-1] > c) & (y[1:] <= c))[0]
    return t[i] + (c - y[i]) / (y[i + 1] - y[i]) * (t[i + 1] - t[i])


def _onset(grid, c):
    """Onset clock hour per day (in [6, 30)) of ``urge_at_rest`` above c; NaN if never."""
    n = len(grid.days)
    start = grid.bounds[:n]
    onset = (grid.first_per_day(_crossings(grid.t, grid.urge, c)) - start) * 24.0 + DAY_START_HOUR
    # above threshold at 06:00 and not below it by the end of the night residue (or never):
    # symptoms carried on through the morning, so the day's onset is its start
    above_at_start = np.interp(start, grid.t, grid.urge) > c
    first_down = grid.first_per_day(_crossings(grid.t, grid.urge, c, rising=False))
    carried_on = above_at_start & ~((first_down - start) * 24.0 <= NIGHT_RESIDUE_MAX_H)
    onset = np.where(carried_on, DAY_START_HOUR, onset)
    return np.clip(onset, DAY_START_HOUR, _day.DAY_END_HOUR - 1e-9)


def _latency_at_rest(grid, c):
    """Hours from the start of the evening rest period to ``symptom`` rising above c.

    The evening rest period of a day is the rest period (sedentary or asleep, uninterrupted
    by activity) that contains the day's first falling asleep; if the day holds no falling
    asleep, its last rest period. Its start is the first non-active sample after an active
    one (resolution: the sampling interval). NaN when the day has no such start or the
    symptom stays below c until the rest period ends.
    """
    n = len(grid.days)
    t, act = grid.t, grid.activity
    active = act == _ACTIVE
    asleep = act == _ASLEEP
    rest_start = np.nonzero(active[:-1] & ~active[1:])[0] + 1         # grid indices
    sleep_onset = np.nonzero(~asleep[:-1] & asleep[1:])[0] + 1
    rest_end = np.nonzero(~active[:-1] & active[1:])[0] + 1            # first active index
    lat = np.full(n, np.nan)
    if rest_start.size == 0:
        return lat
    b = grid.bounds
    rs_day = np.searchsorted(b, t[rest_start] + 1e-12, side="right") - 1
    so_day = np.searchsorted(b, t[sleep_onset] + 1e-12, side="right") - 1
    # per day: first sleep onset, else +inf (then the last rest start of the day is used)
    first_so = np.full(n, np.inf)
    okso = (so_day >= 0) & (so_day < n)
    if okso.any():
        u, f = np.unique(so_day[okso], return_index=True)
        first_so[u] = t[sleep_onset[okso][f]]
    okrs = (rs_day >= 0) & (rs_day < n)
    rs_idx, rs_d = rest_start[okrs], rs_day[okrs]
    if rs_idx.size == 0:
        return lat
    # candidate rest starts: at or before the day's first sleep onset
    cand = t[rs_idx] <= first_so[rs_d] + 1e-12
    rs_idx, rs_d = rs_idx[cand], rs_d[cand]
    if rs_idx.size == 0:
        return lat
    # last candidate per day
    rev_u, rev_f = np.unique(rs_d[::-1], return_index=True)
    chosen = rs_idx[::-1][rev_f]
    t_start = _refine_rest_start(grid, chosen)
    # end of that rest period
    k = np.searchsorted(rest_end, chosen, side="right")
    t_end = np.where(k < rest_end.size, t[rest_end[np.minimum(k, rest_end.size - 1)]], np.inf)
    tc = _crossings(t, grid.symptom, c)
    # symptom already above c at the rest start counts as latency 0
    already = grid.symptom[chosen] > c
    if tc.size:
        j = np.searchsorted(tc, t_start, side="left")
        t_cross = np.where(j < tc.size, tc[np.minimum(j, tc.size - 1)], np.inf)
    else:
        t_cross = np.full(t_start.shape, np.inf)
    t_cross = np.where(already, t_start, t_cross)
    val = np.where(t_cross < t_end, (t_cross - t_start) * 24.0, np.nan)
    lat[rev_u] = val
    return lat


def _refine_rest_start(grid, first_rest):
    """Time (days) the rest period began, for rest periods whose first sample is ``first_rest``.

    The switch lies between the last active sample and the first rest sample. With
    ``activity_factor`` (``1 - exp(-elapsed / tau)`` at rest, :mod:`rlsmodel.activity`), two
    rest samples give tau and hence the elapsed rest at the first one; otherwise the first
    rest sample's time is used (error up to one sampling interval).
    """
    t = grid.t
    t0 = t[first_rest]
    f = grid.activity_factor
    if f is None:
        return t0
    k2 = np.minimum(first_rest + 1, t.size - 1)
    f1, f2 = f[first_rest], f[k2]
    ok = ((k2 > first_rest) & (grid.activity[k2] != _ACTIVE) & (f1 > 0) & (f2 > f1) & (f2 < 1 - 1e-12))
    with np.errstate(divide="ignore", invalid="ignore"):
        l1, l2 = np.log1p(-np.where(ok, f1, 0.0)), np.log1p(-np.where(ok, f2, 0.0))
        tau = (t[k2] - t0) / (l1 - l2)
        elapsed = -tau * l1
    gap = t0 - t[np.maximum(first_rest - 1, 0)]
    elapsed = np.where(ok & np.isfinite(elapsed), np.clip(elapsed, 0.0, gap), 0.0)
    return t0 - elapsed


def _irls_items(peak, mean_sympt, hours_above, waking_hours_above, burden, sleep_frac, plms, waking_burden,
                relief, q=None):
    """The ten IRLS-like items (0-4 each), shape (10, n_days); ``q``: score parameters."""
    q = SCORE_DEFAULTS if q is None else q
    full_relief = q["irls_full_relief"]
    sym_gate = np.clip(hours_above / 1.0, 0.0, 1.0)         # 1 h of symptoms: fully symptomatic
    plms_norm = np.clip((plms - 5.0) / (q["plms_base_rate"] + q["plms_rate_range"] - 5.0), 0.0, 1.0)
    plms_norm = np.where(np.isnan(plms_norm), 0.0, plms_norm)
    sleep_frac = np.where(np.isnan(sleep_frac), 0.0, sleep_frac)
    relief = np.where(np.isnan(relief), full_relief, relief)
    items = np.empty((10, peak.size))
    items[0] = _lin(peak, q["irls_urge_none"], q["irls_urge_very_severe"])          # 1 discomfort
    items[1] = _lin(mean_sympt, q["irls_urge_none"], q["irls_urge_very_severe"])    # 2 need to move
    items[2] = sym_gate * (1.0 + 3.0 * np.clip((full_relief - relief) / full_relief, 0, 1))  # 3 relief
    items[3] = 4.0 * np.clip(sleep_frac, 0.0, 1.0)                               # 4 sleep
    items[4] = 2.0 * np.clip(sleep_frac, 0.0, 1.0) + 2.0 * plms_norm             # 5 tiredness
    items[5] = _lin(burden, 0.0, q["irls_burden_very_severe"])                   # 6 RLS as a whole
    items[6] = 4.0 * sym_gate                                                    # 7 frequency
    items[7] = np.interp(waking_hours_above, IRLS_DURATION_HOURS, (0.0, 1.0, 2.0, 3.0, 4.0))  # 8 duration
    items[8] = _lin(waking_burden, 0.0, q["irls_waking_burden_very_severe"])     # 9 daily affairs
    items[9] = 0.5 * (items[3] + items[8])                                       # 10 mood
    return items


# ============================================================================================
# daily
# ============================================================================================
def daily(ds, threshold=None, *, baseline_days=None) -> xr.Dataset:
    """Daily clinical readouts over the symptom days (06:00 to 06:00) of a simulation.

    Parameters
    ----------
    ds
        an :class:`xarray.Dataset` from :meth:`rlsmodel.Model.simulate`, with ``time``
        (days), ``urge_at_rest``, ``symptom`` (0-10) and ``activity`` (``"active"``,
        ``"sedentary"``, ``"asleep"``); ``activity_factor`` is used if present. Samples at
        most 3 h apart (0.1-1 h typical); any grid, aligned with the day or not.
    threshold
        urge (0-10) above which symptoms count as present; default
        :data:`DEFAULT_THRESHOLD` (3).
    baseline_days
        symptom-day indices of the untreated reference for the ASRS-like score
        (e.g. ``range(0, regimen_start_day - 1)``); default: the first seven complete days
        of the run (for a treated run from day 0, pass the untreated days of another run
        through :func:`augmentation` instead).

    Returns
    -------
    xarray.Dataset
        Over ``day`` (int: day ``d`` covers times ``[d + 0.25, d + 1.25)`` days), one variable per readout:

        * ``onset_hour`` (h, clock time in [6, 30)): first time in the day the urge **at rest**
          (``urge_at_rest``) rises above the threshold, linearly interpolated between samples.
          The urge at rest is used, not the felt ``symptom``, so that an active afternoon does
          not hide (or a sit-down does not fake) the onset: this is the clinical "time of day
          symptoms begin when at rest". If the urge is above the threshold at 06:00 (residue
          of the night) and falls below it by 12:00 (:data:`NIGHT_RESIDUE_MAX_H`), the first
          *new* rise counts; if it stays above through the morning (or all day), 6; NaN if it
          never rises above the threshold.
        * ``peak`` (0-10): maximum of ``symptom`` over the day.
        * ``burden`` (h, urge-hours): integral of ``symptom`` over the day.
        * ``hours_above`` (h): time with ``symptom`` above the threshold.
        * ``sleep_disruption`` (1, fraction 0-1): fraction of the time asleep with ``symptom``
          above the threshold (an urge that strong keeps or wakes the patient up). NaN if
          the day holds no sleep. The day's sleep is its ``"asleep"`` samples: with the
          default schedule 23:00-06:00 of that night plus 06:00-07:00 ending the previous one.
        * ``plms_index`` (1/h): periodic limb movements per hour of sleep, the mean of
          :func:`plms_rate` of ``symptom`` over the asleep time. NaN if no sleep.
        * ``latency_at_rest_h`` (h): from the start of the evening rest period (see below) to
          ``symptom`` rising above the threshold; NaN if it does not within that rest period.
        * ``irls`` (points, 0-40): IRLS-like severity, the sum of ten 0-4 items (see below).
        * ``asrs`` (points, 0-12): ASRS-like augmentation severity against ``baseline_days``.

    Notes
    -----
    .. rubric:: IRLS-like score

    The IRLS (Walters et al. 2003 Sleep Med 4:121) has ten items scored 0 (none) to 4 (very
    severe) over the past week; here each item is a documented monotone map of a daily
    model feature, so a weekly IRLS is the mean of seven daily scores (for item 7, the mean
    of a 0/4 daily indicator approximates the weekly frequency categories). The numbers
    below are the declared defaults of the parameters named in brackets
    (:mod:`rlsmodel.model.clinical_scores`); the run's own values are used:

    1. discomfort severity: peak urge, 0 at urge <= 1 (``irls_urge_none``), 4 at >= 9
       (``irls_urge_very_severe``), linear between;
    2. need to move: mean urge while above the threshold, same map;
    3. relief by moving: 1 ("complete or almost complete") at a movement relief of 0.9
       (``irls_full_relief``), 4 at no relief; 0 with no symptoms (scaled by
       the symptomatic-hours gate min(hours_above / 1 h, 1));
    4. sleep disturbance: 4 x ``sleep_disruption``;
    5. daytime tiredness: 2 x ``sleep_disruption`` + 2 x PLMS excess ((PLMS - 5/h) /
       (PLMS at urge 10 - 5/h) = (PLMS - 5/h) / 55/h, clipped to 0-1) -- the model has no
       sleepiness state;
    6. RLS as a whole: urge-hours, 0 at 0, 4 at >= 120 urge-h (``irls_burden_very_severe``);
    7. frequency: 4 x symptomatic-hours gate (4 on a symptomatic day, 0 otherwise);
    8. hours with symptoms: hours awake (not asleep) with ``symptom`` above the threshold,
       through the IRLS categories <1 h, 1-3 h, 3-8 h, >= 8 h, as a linear interpolation
       through (0, 0), (0.5, 1), (2, 2), (5.5, 3), (12 h, 4) (the night is in items 4-5);
    9. impact on daily affairs: urge-hours while awake (not asleep), 4 at >= 50 urge-h
       (``irls_waking_burden_very_severe``);
    10. mood: the mean of items 4 and 9 (no mood state in the model).

    Calibration: the untreated median patient (night peak 6-8/10, urge above 3 for about
    10 h) scores in the low-to-mid 20s, as at trial entry (IRLS 22-28; the ASRS validation
    cohort 24.7 +/- 5.2, Garcia-Borreguero et al. 2007 Sleep Med 8:455); the model's healthy
    profile (urge below 2) scores about 1. Only the severity ordering and changes are
    meaningful, not the absolute score of an individual.

    .. rubric:: ASRS-like score

    The Augmentation Severity Rating Scale (Garcia-Borreguero et al. 2007, Sleep Med 8:455)
    sums the *change from pre-treatment* in symptom onset time, latency at rest and spread
    to other body parts. Modelled items (each 0-4, compared with the median of the baseline
    days): onset advance, 1 point per 2 h earlier (4 at >= 8 h; a NaN onset counts as 30 h,
    i.e. no symptoms); latency at rest, 4 x relative shortening (latencies capped at
    :data:`LATENCY_CAP_H`, NaN = cap); intensity (an MPI supporting feature, not an ASRS
    item), 1 point per urge point above the baseline peak. Not modelled: spread to arms or
    trunk (the model has no body map) and duration of relief from each dose.
    """
    c = check_threshold(threshold)
    t = _check_dataset(ds)
    q = score_parameters(ds)
    g = _Series(ds, t)
    measures = _symptom_measures(g, c)
    measures.update(_sleep_measures(g, c, q))
    relief = _movement_relief(g)
    onset = _onset(g, c)
    latency = _latency_at_rest(g, c)
    irls = _irls_items(measures["peak"], measures["mean_symptom"], measures["hours_above"],
                       measures["waking_hours_above"], measures["burden"], measures["sleep_disruption"],
                       measures["plms_index"], measures["waking_burden"], relief, q).sum(axis=0)
    base_mask = _baseline_mask(g.days, baseline_days)
    base = baseline_of(onset[base_mask], latency[base_mask], measures["peak"][base_mask])
    values = {"onset_hour": onset, "peak": measures["peak"], "burden": measures["burden"],
              "hours_above": measures["hours_above"], "sleep_disruption": measures["sleep_disruption"],
              "plms_index": measures["plms_index"], "latency_at_rest_h": latency, "irls": irls,
              "asrs": clinical.asrs(onset, latency, measures["peak"], base)}
    return _daily_table(ds, g.days, values, c, base_mask)


def _symptom_measures(g, c) -> dict:
    """Per day: ``peak``, ``burden`` (urge-h), ``hours_above`` and ``mean_symptom`` (mean urge
    while above ``c``), and the same while awake (``waking_hours_above``, ``waking_burden``)."""
    s0, s1 = g.symptom[g.seg], g.symptom[g.seg + 1]
    dt = g.dt_h
    seg_asleep = g.activity[g.seg] == _ASLEEP
    dur, excess = _above_threshold(s0, s1, dt, c)
    hours_above = g.per_day_sum(dur)
    excess_day = g.per_day_sum(excess)
    area = 0.5 * (s0 + s1) * dt
    return {
        "peak": g.per_day_max(np.maximum(s0, s1)),
        "burden": g.per_day_sum(area),
        "hours_above": hours_above,
        "mean_symptom": np.where(hours_above > 0, c + excess_day / np.where(hours_above > 0, hours_above, 1.0), 0.0),
        "waking_hours_above": g.per_day_sum(np.where(seg_asleep, 0.0, dur)),
        "waking_burden": g.per_day_sum(np.where(seg_asleep, 0.0, area)),
    }


def _sleep_measures(g, c, q) -> dict:
    """Per day: ``sleep_disruption`` (fraction of the asleep time above ``c``) and ``plms_index``
    (PLMS per hour of sleep); NaN on days without sleep."""
    s0, s1 = g.symptom[g.seg], g.symptom[g.seg + 1]
    dt = g.dt_h
    seg_asleep = g.activity[g.seg] == _ASLEEP
    dur, _ = _above_threshold(s0, s1, dt, c)
    sleep_h = g.per_day_sum(np.where(seg_asleep, dt, 0.0))
    has_sleep = sleep_h > 0
    safe_sleep = np.where(has_sleep, sleep_h, 1.0)
    plms_seg = 0.5 * (plms_rate(s0, q) + plms_rate(s1, q)) * dt
    return {
        "sleep_disruption": np.where(has_sleep, g.per_day_sum(np.where(seg_asleep, dur, 0.0)) / safe_sleep, np.nan),
        "plms_index": np.where(has_sleep, g.per_day_sum(np.where(seg_asleep, plms_seg, 0.0)) / safe_sleep, np.nan),
    }


def _movement_relief(g) -> np.ndarray:
    """Per day: mean relief by movement (``1 - activity_factor``) over the active time; NaN when
    the run has no ``activity_factor`` or the day no activity."""
    if g.activity_factor is None:
        return np.full(len(g.days), np.nan)
    dt = g.dt_h
    seg_active = g.activity[g.seg] == _ACTIVE
    act_h = g.per_day_sum(np.where(seg_active, dt, 0.0))
    relief_sum = g.per_day_sum(np.where(seg_active, (1.0 - g.activity_factor[g.seg]) * dt, 0.0))
    return np.where(act_h > 0, relief_sum / np.where(act_h > 0, act_h, 1.0), np.nan)


def _baseline_mask(days, baseline_days) -> np.ndarray:
    """Which of ``days`` are the ASRS-like score's baseline (default: the first week)."""
    if baseline_days is None:
        mask = np.zeros(len(days), bool)
        mask[:min(WEEK_DAYS, len(days))] = True
        return mask
    mask = np.isin(days, np.asarray(list(baseline_days), dtype=int))
    if not mask.any():
        raise ValueError(f"baseline_days {baseline_days!r} holds none of the complete symptom "
                         f"days {int(days[0])}..{int(days[-1])}")
    return mask


def _daily_table(ds, days, values, c, base_mask) -> xr.Dataset:
    """The daily readouts as a Dataset over ``day``, attrs from :data:`rlsmodel.clinical.READOUTS`."""
    data = {name: ("day", np.asarray(values[name], dtype=float), readout_attrs(name, c)) for name in READOUTS}
    out = xr.Dataset(
        data,
        coords={"day": ("day", days.astype(int),
                        {"units": "day", "long_name": "symptom day",
                         "description": "day d covers times [d + 0.25, d + 1.25) days (06:00 to 06:00)"})},
    )
    out.attrs.update({
        "symptom_threshold": c,
        "baseline_days": ",".join(str(int(d)) for d in days[base_mask]),
        "description": "daily clinical readouts (rlsmodel.outcomes.daily)",
    })
    for key in ("profile", "regimen", "augmentation_mechanism"):
        if key in ds.attrs:
            out.attrs[key] = ds.attrs[key]
    return out


# ============================================================================================
# augmentation
# ============================================================================================
def augmentation(ds, regimen_start_day, threshold=None, baseline_days=None, *, daily_table=None) -> dict:
    """Augmentation verdict: the MPI criteria applied week by week after a regimen starts.

    Parameters
    ----------
    ds
        simulation Dataset (see :func:`daily`) with untreated days before the regimen.
    regimen_start_day
        time (days since the start of the run, may be fractional) at which
        the regimen starts. Symptom days that end by then (``d + 1.25 <= start``) are the
        untreated baseline; days that begin at or after it (``d + 0.25 >= start``) are on
        treatment; a day straddling the start is neither.
    threshold
        symptom threshold (0-10), default :data:`DEFAULT_THRESHOLD`.
    baseline_days
        use only the last ``baseline_days`` untreated days (int >= 1); default all.
    daily_table
        optional result of :func:`daily` on ``ds`` already at hand (with this
        threshold and the baseline days used here, i.e. the untreated days): reused instead
        of computing it again; a table made with another threshold or baseline is ignored.

    Notes
    -----
    Criteria (Garcia-Borreguero et al. 2007, Sleep Med 8:520), evaluated for each treated
    day ``d`` on the week ``d - 6 .. d`` of treated days:

    A. worse on at least 5 of the 7 days: a day is worse when its IRLS-like score exceeds
       the baseline median by more than :data:`WORSE_IRLS_MARGIN` (1 point) -- the ASRS
       validation reads augmentation as an overall increase in RLS severity;
    B. and an earlier onset, from the week's median onset (NaN = 30 h, no symptoms) against
       the baseline median: at least 4 h earlier; or 2-4 h earlier together with one of
       (i) latency at rest shorter by >= 0.25 h (week median; NaN = :data:`LATENCY_CAP_H`),
       (ii) greater intensity: week median peak >= baseline peak + 1 urge point.

    ``day_met``: the last day of the first week meeting A and B (MPI-positive tier;
    Benes et al. 2012 Sleep Med 13:589 found 8.2 % MPI-positive at some visit but only
    1.5 % clinically relevant). ``day_met_clinically_relevant``: the first day from which the
    criteria hold on every day for :data:`PERSISTENT_DAYS` (28) days, or on every day to the
    end of the run when that is at least :data:`PERSISTENT_MIN_TO_END_DAYS` (14) days: a
    persistent, not transient, augmentation.

    Where this differs from the clinical criteria: no paradoxical dose-response test (MPI
    criterion B; would need dose changes within a run); no spread to the arms or trunk and no
    shortened duration of relief from each dose (the model has no body map, and relief
    duration would need dose times); "no other explanation" is given by construction (the
    model has no intercurrent causes), and "worse" is defined against the untreated baseline
    rather than the patient's recollection.

    Returns
    -------
    dict
        with ``augmented`` (bool, clinically relevant tier), ``mpi_positive`` (bool),
        ``day_met`` and ``day_met_clinically_relevant`` (int symptom day, or None),
        ``onset_advance_h`` (h, baseline median onset minus the median onset of the late window
        -- the last :data:`LATE_WINDOW_DAYS` treated days, or all treated days if fewer --
        positive = earlier; NaN onset = 30 h), ``severity_ratio`` (mean IRLS-like score on the
        late window / baseline median; NaN if the baseline score is 0), ``burden_ratio`` (same
        for urge-hours), ``baseline_onset_hour`` (h, NaN if no baseline symptoms),
        ``baseline_irls``, ``baseline_burden`` (urge-h), ``late_irls``, ``late_asrs``,
        ``baseline_days`` and ``treated_days`` (lists of day indices), ``threshold``, and
        ``mpi_days`` (list of treated days on which the criteria held).
    """
    c = check_threshold(threshold)
    t = _check_dataset(ds)
    start = _check_start(regimen_start_day, t)
    days = _day.complete_days(t)
    base_all, treated = _split_days(days, start, regimen_start_day, baseline_days)
    dd = _reuse_or_daily(ds, daily_table, c, days, base_all)
    onset = dd["onset_hour"].values
    latency = dd["latency_at_rest_h"].values
    peak = dd["peak"].values
    irls = dd["irls"].values
    burden = dd["burden"].values
    asrs = dd["asrs"].values
    is_base = np.isin(dd["day"].values, base_all)
    is_treat = np.isin(dd["day"].values, treated)

    base = baseline_of(onset[is_base], latency[is_base], peak[is_base], irls[is_base])
    base_burden = float(np.median(burden[is_base]))
    tdays = dd["day"].values[is_treat]
    mpi = mpi_by_day(onset[is_treat], latency[is_treat], peak[is_treat], irls[is_treat], base)
    day_met = int(tdays[np.argmax(mpi)]) if mpi.any() else None
    lasting = persistent(mpi)
    day_met_cr = int(tdays[np.argmax(lasting)]) if lasting.any() else None

    late = slice(max(0, tdays.size - LATE_WINDOW_DAYS), tdays.size)
    late_onset = float(np.median(compared_onset(onset[is_treat])[late]))
    late_irls = float(np.mean(irls[is_treat][late]))
    late_burden = float(np.mean(burden[is_treat][late]))
    return {
        "augmented": day_met_cr is not None,
        "mpi_positive": day_met is not None,
        "day_met": day_met,
        "day_met_clinically_relevant": day_met_cr,
        "onset_advance_h": base.onset - late_onset,
        "severity_ratio": late_irls / base.irls if base.irls > 0 else np.nan,
        "burden_ratio": late_burden / base_burden if base_burden > 0 else np.nan,
        "baseline_onset_hour": baseline_onset_hour(onset[is_base]),
        "baseline_irls": base.irls,
        "baseline_burden": base_burden,
        "late_irls": late_irls,
        "late_asrs": float(np.mean(asrs[is_treat][late])),
        "baseline_days": [int(x) for x in base_all],
        "treated_days": [int(x) for x in tdays],
        "mpi_days": [int(x) for x in tdays[mpi]],
        "threshold": c,
    }


def _check_start(regimen_start_day, t) -> float:
    try:
        start = float(regimen_start_day)
    except (TypeError, ValueError):
        raise ValueError(f"regimen_start_day must be a number of days; got {regimen_start_day!r}") from None
    if not np.isfinite(start) or not t[0] <= start < t[-1]:
        raise ValueError(f"regimen_start_day {regimen_start_day!r} lies outside the simulated range "
                         f"[{t[0]:g}, {t[-1]:g}) days")
    return start


def _split_days(days, start, regimen_start_day, baseline_days) -> tuple:
    """(baseline days, treated days): the complete symptom days that end by ``start`` (the last
    ``baseline_days`` of them if given) and those that begin at or after it."""
    base_all = days[days + 1.0 + DAY_START <= start + 1e-9]
    if base_all.size == 0:
        raise ValueError(f"no complete untreated symptom day (06:00 to 06:00) before regimen_start_day="
                         f"{regimen_start_day!r}; start the regimen at day >= {_day.day_start(int(days[0]) + 1):g} "
                         "or simulate an untreated baseline first")
    if baseline_days is not None:
        if isinstance(baseline_days, bool) or not isinstance(baseline_days, (int, np.integer)) or baseline_days < 1:
            raise ValueError(f"baseline_days must be a positive integer number of days; got {baseline_days!r}")
        base_all = base_all[-int(baseline_days):]
    treated = days[days + DAY_START >= start - 1e-9]
    if treated.size == 0:
        raise ValueError(f"no complete symptom day on treatment after regimen_start_day={regimen_start_day!r}; "
                         "simulate longer")
    return base_all, treated


def _reuse_or_daily(ds, daily_table, c, days, base_all) -> xr.Dataset:
    """``daily_table`` if it was made with threshold ``c`` and these baseline days, else :func:`daily`."""
    wanted = ",".join(str(int(d)) for d in base_all)
    if (daily_table is not None and daily_table.attrs.get("symptom_threshold") == c
            and daily_table.attrs.get("baseline_days") == wanted
            and np.array_equal(daily_table["day"].values, days)):
        return daily_table
    return daily(ds, threshold=c, baseline_days=base_all)
