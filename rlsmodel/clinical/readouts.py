"""The daily clinical readouts: their names, units and meanings, and the symptom threshold.

:data:`READOUTS` is the one table of the readouts :func:`rlsmodel.outcomes.daily` returns per
symptom day. Sweeps (``rlsmodel.sweeps.summaries.DAILY_READOUTS``), calibration targets
(``rlsmodel.calibration.targets.DAILY_OUTCOMES``) and the daily table's own attributes read it,
so a readout added or renamed here is added or renamed everywhere.
"""
from __future__ import annotations

from types import MappingProxyType
from typing import NamedTuple

import numpy as np

#: Urge (0-10) above which symptoms count as present. On the 0-10 numeric rating scale an
#: urge above 3 leaves the "mild" band (1-3) used for pain and symptom ratings (Serlin et
#: al. 1995 Pain 61:277 cut-points); it also keeps the model's healthy profile, whose
#: evening urge at rest peaks near 2/10, symptom-free.
DEFAULT_THRESHOLD = 3.0


class Readout(NamedTuple):
    """One daily readout: unit, long name, and a description (``{c}``: the threshold)."""

    units: str
    long_name: str
    description: str


#: Daily readouts, name -> :class:`Readout`, in the order of :func:`rlsmodel.outcomes.daily`.
READOUTS = MappingProxyType({
    "onset_hour": Readout(
        "h", "symptom onset clock time",
        "clock hour (6-30; 25 = 01:00 next day) when urge_at_rest first rises above {c:g}/10 in the "
        "symptom day; NaN if never"),
    "peak": Readout("1", "peak urge (0-10)", "maximum of symptom over the symptom day"),
    "burden": Readout("h", "urge-hours", "integral of symptom (0-10) over the symptom day, urge x hours"),
    "hours_above": Readout("h", "hours with symptoms", "time in the symptom day with symptom above {c:g}/10"),
    "sleep_disruption": Readout(
        "1", "sleep disruption (fraction of sleep)",
        "fraction of the asleep time with symptom above {c:g}/10; NaN if no sleep"),
    "plms_index": Readout(
        "1/h", "PLMS index",
        "periodic limb movements per hour of sleep: mean of plms_rate(symptom) over the asleep time "
        "(Montplaisir et al. 1997 calibration); NaN if no sleep"),
    "latency_at_rest_h": Readout(
        "h", "latency of symptoms at rest",
        "hours from the start of the evening rest period to symptom above {c:g}/10; NaN if not within "
        "that rest period"),
    "irls": Readout(
        "1", "IRLS-like severity score (0-40)",
        "sum of ten 0-4 items mapped from peak, mean urge, relief, sleep disruption, PLMS, urge-hours, "
        "symptomatic hours and waking urge-hours (rlsmodel.outcomes.daily docstring)"),
    "asrs": Readout(
        "1", "ASRS-like augmentation severity (0-12)",
        "onset advance + latency shortening + intensity increase vs the baseline days, 0-4 each; spread "
        "to other body parts not modelled"),
})
#: Readout name -> unit (the table sweeps and calibration targets import).
READOUT_UNITS = MappingProxyType({name: r.units for name, r in READOUTS.items()})


def readout_attrs(name: str, threshold: float) -> dict:
    """``{"units", "long_name", "description"}`` of readout ``name`` at symptom ``threshold``."""
    r = READOUTS[name]
    return {"units": r.units, "long_name": r.long_name, "description": r.description.format(c=threshold)}


def check_threshold(threshold) -> float:
    """The symptom threshold as a float: :data:`DEFAULT_THRESHOLD` for None, else a number
    strictly between 0 and 10 (urge scale); ``ValueError`` otherwise."""
    if threshold is None:
        return DEFAULT_THRESHOLD
    try:
        c = float(threshold)
    except (TypeError, ValueError):
        raise ValueError(f"threshold must be a number on the 0-10 urge scale; got {threshold!r}") from None
    if not np.isfinite(c) or not 0.0 < c < 10.0:
        raise ValueError(f"threshold must lie strictly between 0 and 10 (urge scale); got {threshold!r}")
    return c


__all__ = ["DEFAULT_THRESHOLD", "Readout", "READOUTS", "READOUT_UNITS", "readout_attrs", "check_threshold"]
