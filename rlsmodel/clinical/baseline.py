"""The untreated baseline a treated day is compared with, and how missing values compare.

When onsets and latencies are *compared* (with a baseline, across a week), a day without
symptoms must still count. The one rule, used by the ASRS-like score, the MPI criteria, the
augmentation verdict and the trial:

* a missing onset (NaN: the urge at rest never rose above the threshold) counts as
  :data:`NO_ONSET_HOUR` (30 h, the end of the symptom day: the latest possible onset);
* latencies at rest are capped at :data:`LATENCY_CAP_H`, and a missing one (symptoms never
  reached the threshold during the evening rest) counts as the cap.

The baseline is the median of each of these over the baseline days
(:func:`baseline_of`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .day import DAY_END_HOUR

#: Onset (clock hour within the symptom day) a day without symptoms counts as when compared.
NO_ONSET_HOUR = DAY_END_HOUR
#: Latency at rest (h) assumed when symptoms never reach the threshold during the evening
#: rest period, and the cap of every latency; used only when latencies are *compared*.
LATENCY_CAP_H = 8.0


def compared_onset(onset) -> np.ndarray:
    """Onset hours as compared: NaN (no symptoms) -> :data:`NO_ONSET_HOUR` (30 h)."""
    onset = np.asarray(onset, dtype=float)
    return np.where(np.isnan(onset), NO_ONSET_HOUR, onset)


def compared_latency(latency) -> np.ndarray:
    """Latencies at rest as compared: capped at :data:`LATENCY_CAP_H`, NaN -> the cap."""
    latency = np.asarray(latency, dtype=float)
    return np.where(np.isnan(latency), LATENCY_CAP_H, np.minimum(latency, LATENCY_CAP_H))


@dataclass(frozen=True)
class Baseline:
    """Medians over the baseline days: ``onset`` (h, :func:`compared_onset`), ``latency`` (h,
    :func:`compared_latency`), ``peak`` (urge 0-10) and ``irls`` (points, 0-40; NaN when not
    given)."""

    onset: float
    latency: float
    peak: float
    irls: float = float("nan")


def baseline_of(onset, latency, peak, irls=None) -> Baseline:
    """The :class:`Baseline` of the given baseline days' readouts (medians)."""
    return Baseline(onset=float(np.median(compared_onset(onset))),
                    latency=float(np.median(compared_latency(latency))),
                    peak=float(np.median(peak)),
                    irls=float("nan") if irls is None else float(np.median(irls)))


def baseline_onset_hour(onset) -> float:
    """Median onset hour of the baseline days as reported: NaN if no baseline day had symptoms,
    the plain median if all had, the :func:`compared_onset` median otherwise."""
    onset = np.asarray(onset, dtype=float)
    if np.all(np.isfinite(onset)):
        return float(np.median(onset))
    if np.all(np.isnan(onset)):
        return float("nan")
    return float(np.median(compared_onset(onset)))


__all__ = ["NO_ONSET_HOUR", "LATENCY_CAP_H", "compared_onset", "compared_latency", "Baseline", "baseline_of",
           "baseline_onset_hour"]
