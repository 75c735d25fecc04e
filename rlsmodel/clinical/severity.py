"""The ASRS-like augmentation severity of a day against the untreated baseline.

The Augmentation Severity Rating Scale (Garcia-Borreguero et al. 2007, Sleep Med 8:455) sums
the *change from pre-treatment* in symptom onset time, latency at rest and spread to other
body parts. Modelled items, each 0-4, against the :class:`~rlsmodel.clinical.baseline.Baseline`:

* onset advance: 1 point per :data:`ONSET_H_PER_POINT` (2 h) earlier (4 at >= 8 h);
* latency at rest: 4 x relative shortening;
* intensity (an MPI supporting feature, not an ASRS item): 1 point per urge point above the
  baseline peak.

Onsets and latencies compare by :mod:`rlsmodel.clinical.baseline`'s rule (missing onset =
30 h, latency capped). Not modelled: spread to arms or trunk (no body map) and the duration of
relief from each dose.
"""
from __future__ import annotations

import numpy as np

from .baseline import compared_latency, compared_onset

#: Hours of onset advance per ASRS-like point.
ONSET_H_PER_POINT = 2.0
#: Highest score of one item.
ITEM_MAX = 4.0


def asrs(onset, latency, peak, base) -> np.ndarray:
    """ASRS-like score (0-12) per day of ``onset`` (h), ``latency`` (h) and ``peak`` (0-10)
    against ``base`` (a :class:`~rlsmodel.clinical.baseline.Baseline`)."""
    on = compared_onset(onset)
    lat = compared_latency(latency)
    item_onset = np.clip((base.onset - on) / ONSET_H_PER_POINT, 0.0, ITEM_MAX)
    item_latency = ITEM_MAX * np.clip((base.latency - lat) / max(base.latency, 1e-9), 0.0, 1.0)
    item_intensity = np.clip(np.asarray(peak, dtype=float) - base.peak, 0.0, ITEM_MAX)
    return item_onset + item_latency + item_intensity


__all__ = ["asrs", "ONSET_H_PER_POINT", "ITEM_MAX"]
