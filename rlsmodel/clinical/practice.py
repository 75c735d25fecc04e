"""The third tier: augmentation diagnosed in practice, needing a change of treatment.

Three kinds of publication count augmentation, and each counts a different thing
(issue 22, item 3; docs/decisions.md entry 43):

1. **MPI-positive** (an expert panel adjudicating the MPI criteria at trial visits: Allen et
   al. 2014 NEJM 370:621, Hogl et al. 2011 Sleep Med 12:351): the criteria hold for the recall
   week of some visit (:func:`rlsmodel.clinical.adjudicate`, ``positive``). Day-to-day
   variability alone reaches it (6.0 % on placebo in Hogl et al. 2011).
2. **Clinically relevant** (persistent; Benes et al. 2012 Sleep Med 13:589: 8.2 % MPI-positive
   against 1.5 % clinically relevant on rotigotine): the criteria held on every day since the
   previous monthly visit (``relevant``).
3. **Diagnosed in practice** (Silver et al. 2011 Sleep Med 12:440, a chart review of every
   patient of a tertiary centre on pramipexole, pergolide or methadone over 10 years, recording
   "the duration and reason for any discontinuation of treatment and medication doses"; Allen
   et al. 2011 Sleep Med 12:431 likewise counted augmentation in patients on standard long-term
   treatment): augmentation a clinician recognised and acted on by changing the treatment. A
   clinician facing worse symptoms first raises the dose while the label allows it (Silber et
   al. 2003 Sleep 26:819: median pramipexole 0.38 -> 0.63 mg over 27 months); augmentation
   forces a change of treatment when it persists at the dose that cannot be raised further.
   Here (:func:`needs_change`): clinically relevant at a visit whose whole persistence window
   (:data:`~rlsmodel.clinical.persistence.PERSISTENT_DAYS` days) the patient spent at the
   regimen's maximum dose. With a fixed dose, every day is at the maximum, so the tier equals
   the clinically relevant one; it differs only under a dose-adjustment policy.
"""
from __future__ import annotations

import math

import numpy as np

from .mpi import WEEK_DAYS
from .persistence import PERSISTENT_DAYS
from .visits import VisitVerdict

#: The tiers, by the per-patient verdict a virtual trial records, and what each counts.
TIERS = {
    "mpi_positive": "MPI-positive: the MPI criteria met for the recall week of a visit (expert panel in a trial)",
    "augmented": "clinically relevant: the criteria held on every day since the previous monthly visit",
    "augmented_practice": "diagnosed in practice: clinically relevant while at the maximum dose, so the "
                          "treatment must change",
}


def at_maximum_by_visit(weeks, at_maximum_daily=None) -> tuple:
    """Per visit (treated ``weeks``), whether the patient was at the maximum dose on every day
    of the :data:`PERSISTENT_DAYS` days before it.

    ``at_maximum_daily``: per treated day (index 0 = first treated day), True where the day's
    dose is the regimen's maximum; None: a fixed-dose regimen (always at the maximum).
    """
    weeks = tuple(int(w) for w in weeks)
    if at_maximum_daily is None:
        return (True,) * len(weeks)
    flags = np.asarray(at_maximum_daily, dtype=bool)
    out = []
    for week in weeks:
        end = WEEK_DAYS * week
        if end > flags.size:
            raise ValueError(f"visit at week {week} lies past the {flags.size} treated days given")
        out.append(bool(flags[max(0, end - PERSISTENT_DAYS):end].all()))
    return tuple(out)


def needs_change(verdict: VisitVerdict, at_maximum=None) -> tuple:
    """Per visit of ``verdict``: augmentation diagnosed in practice (module docstring) --
    clinically relevant at the visit and at the maximum dose throughout its persistence window.

    ``at_maximum``: per visit, from :func:`at_maximum_by_visit` (None: fixed dose).
    """
    at_max = (True,) * len(verdict.weeks) if at_maximum is None else tuple(bool(x) for x in at_maximum)
    if len(at_max) != len(verdict.weeks):
        raise ValueError(f"at_maximum has {len(at_max)} visits; the verdict has {len(verdict.weeks)}")
    return tuple(r and m for r, m in zip(verdict.relevant, at_max))


def first_practice_day(verdict: VisitVerdict, at_maximum=None) -> float:
    """Treated day (a visit's week x 7) of the first visit diagnosing augmentation in practice;
    NaN if none."""
    return next((float(WEEK_DAYS * w) for w, x in zip(verdict.weeks, needs_change(verdict, at_maximum)) if x),
                math.nan)


__all__ = ["TIERS", "at_maximum_by_visit", "needs_change", "first_practice_day"]
