"""The symptom day: the 06:00-to-06:00 unit every clinical readout is counted in, and its grid.

* Times are in days since midnight of day 0; a time's fraction is its clock time.
* Symptom day ``d`` covers the times ``[d + 0.25, d + 1.25)`` (06:00 of day ``d`` to 06:00 of
  day ``d + 1``), so an evening's symptoms and the night that follows belong to one day.
* Clock hours within a symptom day run over ``[6, 30)`` (25.5 = 01:30 the next morning).
* Only *complete* symptom days are scored: partial days at either end of a run are dropped.

:class:`SymptomDayGrid` is a sampled series with the symptom-day boundaries inserted, cut
into the linear segments that the daily readouts (:func:`rlsmodel.outcomes.daily`) sum and
maximise per day.
"""
from __future__ import annotations

import numpy as np

#: Start of the symptom day, in hours after midnight.
DAY_START_HOUR = 6.0
#: Start of the symptom day as a fraction of a day (0.25).
DAY_START = DAY_START_HOUR / 24.0
#: Clock hour (within a symptom day) one day after its start: 30 = 06:00 the next morning.
DAY_END_HOUR = DAY_START_HOUR + 24.0


def day_start(day):
    """Time (days) at which symptom day ``day`` begins: ``day + 0.25``."""
    return np.asarray(day) + DAY_START if np.ndim(day) else float(day) + DAY_START


def clock_hours(times, day):
    """Clock hours (6-30) of ``times`` (days) within symptom day ``day``."""
    return (np.asarray(times, dtype=float) - day) * 24.0


def in_day_hour(clock_hour):
    """A clock hour (0-24) as an hour of the symptom day (6-30): 02:00 -> 26."""
    h = np.asarray(clock_hour, dtype=float)
    out = np.where(h < DAY_START_HOUR, h + 24.0, h)
    return float(out) if out.ndim == 0 else out


def symptom_day_of(time) -> int:
    """The symptom day that holds ``time`` (days): ``floor(time - 0.25)``."""
    return int(np.floor(float(time) - DAY_START + 1e-12))


def complete_days(t) -> np.ndarray:
    """Indices of the complete symptom days in a run sampled at times ``t`` (days, increasing).

    ``ValueError`` when the run holds none (it must span 06:00 to 06:00 at least once).
    """
    t = np.asarray(t, dtype=float)
    b0 = int(np.ceil(t[0] - DAY_START - 1e-9))
    b1 = int(np.floor(t[-1] - DAY_START + 1e-9))
    if b1 - b0 < 1:
        raise ValueError("the run holds no complete symptom day (06:00 to 06:00); simulate "
                         "at least one day past 06:00 of day 0 (e.g. days=2)")
    return np.arange(b0, b1)


def select_day(ds, day):
    """``(clock hours 6..30, slice of ds)``: the samples of symptom day ``day`` in a Dataset with
    a ``time`` coordinate (days), both boundaries included (for drawing one day)."""
    start = day_start(day)
    sel = ds.sel(time=slice(start - 1e-9, start + 1.0 + 1e-9))
    return clock_hours(sel.time.values, day), sel


class SymptomDayGrid:
    """Sample times ``t`` (days) with the boundaries of the complete symptom days inserted.

    Attributes
    ----------
    days
        the complete symptom days (int).
    bounds
        their start times and the end of the last
        (days, ``len(days) + 1``). t: the merged grid (days). seg: indices ``j`` of the linear
        segments ``t[j]..t[j+1]`` inside the scored days. dt_h: their lengths (h). seg_day: the
        position (0..len(days)-1) of each segment's day.
    """

    def __init__(self, t):
        t = np.asarray(t, dtype=float)
        self.source_t = t
        self.days = complete_days(t)
        bounds = np.append(self.days, self.days[-1] + 1).astype(float) + DAY_START
        self.bounds = bounds
        # insert boundaries not already on the grid
        k = np.clip(np.searchsorted(t, bounds), 1, t.size - 1)
        on_grid = np.minimum(np.abs(t[k] - bounds), np.abs(t[k - 1] - bounds)) <= 1e-9
        tt = np.concatenate([t, bounds[~on_grid]])
        self.t = tt[np.argsort(tt, kind="stable")]
        # segments [t_j, t_j+1) that lie inside the scored days
        first = np.searchsorted(self.t, bounds[0] - 1e-9)
        last = np.searchsorted(self.t, bounds[-1] - 1e-9)
        self.seg = np.arange(first, last)
        self.dt_h = (self.t[self.seg + 1] - self.t[self.seg]) * 24.0
        self.seg_day = np.searchsorted(bounds, self.t[self.seg] + 1e-9, side="right") - 1
        # first segment of each day (for reduceat)
        self.day_start_seg = np.searchsorted(self.seg_day, np.arange(len(self.days)))

    @property
    def n_days(self) -> int:
        return len(self.days)

    def interpolate(self, values) -> np.ndarray:
        """A sampled series (on the source times) joined by straight lines, on the grid."""
        return np.interp(self.t, self.source_t, np.asarray(values, dtype=float))

    def hold(self, values) -> np.ndarray:
        """A sampled series held from each sample to the next (step-hold: e.g. an activity mode
        lasts until the next sample), on the grid."""
        idx = np.clip(np.searchsorted(self.source_t, self.t + 1e-12, side="right") - 1, 0,
                      self.source_t.size - 1)
        return np.asarray(values)[idx]

    def day_index(self, times, side="right") -> np.ndarray:
        """Position (0..n_days-1; -1 before, n_days after) of the symptom day holding ``times``."""
        return np.searchsorted(self.bounds, times, side=side) - 1

    def per_day_sum(self, values) -> np.ndarray:
        """Sum per-segment ``values`` by symptom day."""
        return np.bincount(self.seg_day, weights=values, minlength=self.n_days)

    def per_day_max(self, values) -> np.ndarray:
        """Maximum of per-segment ``values`` by symptom day."""
        return np.maximum.reduceat(values, self.day_start_seg)

    def first_per_day(self, times) -> np.ndarray:
        """First of ``times`` (sorted, days) in each symptom day; NaN where none."""
        n = self.n_days
        first_t = np.full(n, np.nan)
        if times.size:
            day_of = self.day_index(times)
            ok = (day_of >= 0) & (day_of < n) & (times < self.bounds[-1])
            uniq, first = np.unique(day_of[ok], return_index=True)
            first_t[uniq] = times[ok][first]
        return first_t


__all__ = ["DAY_START_HOUR", "DAY_START", "DAY_END_HOUR", "day_start", "clock_hours", "in_day_hour", "symptom_day_of",
           "complete_days", "select_day", "SymptomDayGrid"]
