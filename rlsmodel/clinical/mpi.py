"""The MPI criteria for augmentation, week by week, against the untreated baseline.

Max Planck Institute criteria (Garcia-Borreguero et al. 2007, Sleep Med 8:520), evaluated for
each treated day ``d`` on the week ``d - 6 .. d`` of treated days (:func:`mpi_by_day`):

A. worse on at least :data:`WORSE_DAYS_MIN` (5) of the :data:`WEEK_DAYS` (7) days: a day is
   worse when its IRLS-like score exceeds the baseline median by more than
   :data:`WORSE_IRLS_MARGIN` (1 point);
B. and an earlier onset, from the week's median onset against the baseline median: at least
   :data:`ONSET_ADVANCE_FULL_H` (4 h) earlier; or :data:`ONSET_ADVANCE_PARTIAL_H` (2) to 4 h
   earlier together with (i) a week median latency at rest shorter by at least
   :data:`LATENCY_SHORTER_MIN_H`, or (ii) a week median peak urge at least
   :data:`INTENSITY_GREATER_MIN` above the baseline peak.

Onsets and latencies compare by :mod:`rlsmodel.clinical.baseline`'s rule (missing onset =
30 h, latency capped). The same function adjudicates the noise-free daily series
(:func:`rlsmodel.outcomes.augmentation`) and a trial's reported series
(:mod:`rlsmodel.trial`).
"""
from __future__ import annotations

import numpy as np

from .baseline import compared_latency, compared_onset

#: Days per week and the minimum number of "worse" days in it (MPI criterion A).
WEEK_DAYS = 7
WORSE_DAYS_MIN = 5
#: A day is "worse" when its IRLS-like score exceeds the untreated baseline by this much
#: (points; 3 points is the clinically relevant change on the weekly IRLS).
WORSE_IRLS_MARGIN = 1.0
#: Onset advance (h) that suffices alone, and the minimum that needs a supporting feature.
ONSET_ADVANCE_FULL_H = 4.0
ONSET_ADVANCE_PARTIAL_H = 2.0
#: Supporting features for a 2-4 h advance: latency at rest shorter by at least this (h) ...
LATENCY_SHORTER_MIN_H = 0.25
#: ... or a peak urge higher than the baseline peak by at least this (urge points, 0-10 scale).
INTENSITY_GREATER_MIN = 1.0


def mpi_by_day(onset, latency, peak, irls, base) -> np.ndarray:
    """Per treated day (consecutive days): whether the criteria hold on the week ending that day.

    Parameters
    ----------
    onset, latency
        onset clock hour and latency at rest (h) per day, NaN allowed (compared
        as missing onset = 30 h, latency capped).
    peak
        peak urge (0-10) per day.
    irls
        IRLS-like score (0-40) per day.
    base
        :class:`~rlsmodel.clinical.baseline.Baseline` with its ``irls`` median.

    Notes
    -----
    The first six days (no full week yet) are False.
    """
    on, lat = compared_onset(onset), compared_latency(latency)
    peak, irls = np.asarray(peak, dtype=float), np.asarray(irls, dtype=float)
    n = on.size
    out = np.zeros(n, bool)
    if n < WEEK_DAYS:
        return out
    win = np.lib.stride_tricks.sliding_window_view
    worse = irls > base.irls + WORSE_IRLS_MARGIN
    n_worse = win(worse.astype(int), WEEK_DAYS).sum(axis=1)
    advance = base.onset - np.median(win(on, WEEK_DAYS), axis=1)
    shorter_latency = np.median(win(lat, WEEK_DAYS), axis=1) <= base.latency - LATENCY_SHORTER_MIN_H
    more_intense = np.median(win(peak, WEEK_DAYS), axis=1) >= base.peak + INTENSITY_GREATER_MIN
    earlier = (advance >= ONSET_ADVANCE_FULL_H) | (
        (advance >= ONSET_ADVANCE_PARTIAL_H) & (shorter_latency | more_intense))
    out[WEEK_DAYS - 1:] = (n_worse >= WORSE_DAYS_MIN) & earlier
    return out


__all__ = ["WEEK_DAYS", "WORSE_DAYS_MIN", "WORSE_IRLS_MARGIN", "ONSET_ADVANCE_FULL_H", "ONSET_ADVANCE_PARTIAL_H",
           "LATENCY_SHORTER_MIN_H", "INTENSITY_GREATER_MIN", "mpi_by_day"]
