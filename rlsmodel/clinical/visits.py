"""Adjudication at visits: what a trial records from a patient's daily MPI flags.

A trial does not see every day: it asks at visits, at the end of every
``visit_every_weeks``-th treated week and at the end of the last one (:func:`visit_weeks`).
For each visit (:func:`adjudicate`):

* **MPI-positive**: the criteria hold for the recall week ending at the visit (the MPI tier
  of Benes et al. 2012);
* **clinically relevant**: the criteria have held on every day of the
  :data:`~rlsmodel.clinical.persistence.PERSISTENT_DAYS` (28) days before the visit (persistent
  since the previous monthly visit), or, at the final visit, on every day of at least the
  last :data:`~rlsmodel.clinical.persistence.PERSISTENT_MIN_TO_END_DAYS` (14) days -- the
  persistent tier of :func:`rlsmodel.clinical.persistence.persistent`, anchored at visits.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .mpi import WEEK_DAYS
from .persistence import PERSISTENT_MIN_TO_END_DAYS, persistent_before, run_to_end

#: Recall window of a visit (days): the MPI week and the weekly IRLS.
RECALL_DAYS = WEEK_DAYS


def visit_weeks(weeks: int, every: int) -> list:
    """Treated weeks (1-based) at whose end a visit takes place: every ``every``-th week and
    the last week ``weeks``."""
    out = list(range(int(every), int(weeks) + 1, int(every)))
    if not out or out[-1] != int(weeks):
        out.append(int(weeks))
    return out


@dataclass(frozen=True)
class VisitVerdict:
    """Per visit (in the order of ``weeks``): ``positive`` (MPI criteria met for the recall week)
    and ``relevant`` (clinically relevant, persistent); ``first_positive_day`` and
    ``first_relevant_day``: treated days (since randomisation, a visit's week x 7) of the first
    such visit, NaN if none."""

    weeks: tuple
    positive: tuple
    relevant: tuple

    @property
    def mpi_positive(self) -> bool:
        return any(self.positive)

    @property
    def augmented(self) -> bool:
        return any(self.relevant)

    @property
    def first_positive_day(self) -> float:
        return next((float(WEEK_DAYS * w) for w, p in zip(self.weeks, self.positive) if p), float("nan"))

    @property
    def first_relevant_day(self) -> float:
        return next((float(WEEK_DAYS * w) for w, r in zip(self.weeks, self.relevant) if r), float("nan"))


def visit_verdict(mpi, week: int, final: bool = False) -> tuple:
    """``(positive, relevant)`` at the visit ending treated week ``week`` from the daily MPI flags
    of the treated days (``mpi[0]`` = first treated day; the days up to the visit suffice, so a
    rule can read a visit as it happens). ``final``: the last visit of the observation, where
    criteria holding on every day of at least the last ``PERSISTENT_MIN_TO_END_DAYS`` count."""
    mpi = np.asarray(mpi, dtype=bool)
    end = WEEK_DAYS * int(week)              # day index after the visit's recall week
    if end > mpi.size or end < 1:
        raise ValueError(f"visit at week {week} lies past the {mpi.size} treated days given")
    held = persistent_before(mpi, end)
    if not held and final:
        held = run_to_end(mpi[:end]) >= PERSISTENT_MIN_TO_END_DAYS
    return bool(mpi[end - 1]), held


def adjudicate(mpi, weeks) -> VisitVerdict:
    """Adjudicate the daily MPI flags of the treated days (``mpi[0]`` = first treated day) at the
    visits ending treated weeks ``weeks`` (:func:`visit_weeks`; the last is the final visit)."""
    mpi = np.asarray(mpi, dtype=bool)
    weeks = tuple(int(w) for w in weeks)
    positive, relevant = [], []
    for k, week in enumerate(weeks):
        pos, held = visit_verdict(mpi, week, final=k == len(weeks) - 1)
        positive.append(pos)
        relevant.append(held)
    return VisitVerdict(weeks, tuple(positive), tuple(relevant))


__all__ = ["RECALL_DAYS", "visit_weeks", "VisitVerdict", "visit_verdict", "adjudicate"]
