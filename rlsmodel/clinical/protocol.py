"""The clinical protocol of a simulated patient: baseline length, baseline week, dose hours.

One rule for where treatment starts in symptom days
---------------------------------------------------
The **first treated symptom day** is the symptom day (06:00 to 06:00,
:mod:`rlsmodel.clinical.day`) that holds the first dose (:func:`first_treated_day`); every
complete symptom day before it is untreated, the **baseline**. A regimen whose first dose is on
day ``B`` at or after 06:00 (the evening doses of the drug table, a morning patch) is therefore
compared with the baseline days ``0 .. B-1``, and the **last baseline week** is days
``B-7 .. B-1`` (:func:`baseline_week`). :func:`treatment_start` gives the time to pass to
:func:`rlsmodel.outcomes.augmentation` as ``regimen_start_day`` so that it uses exactly these
days. The scorecard, the calibration predictions, the trial and the explorer all use it.

Dose hours come from the drug table (``Drug.dose_clock_h``, :func:`dose_hour`): oral evening
drugs at 21:00, the rotigotine patch at 08:00.
"""
from __future__ import annotations

import numbers

import numpy as np

from ..pharmacology import get_drug
from .day import day_start, symptom_day_of
from .mpi import WEEK_DAYS

#: Untreated days simulated before the first dose (the augmentation baseline): four weeks, the
#: usual run-in before randomisation in RLS trials and the window of the MPI baseline.
BASELINE_DAYS = 28


def dose_hour(drug) -> float:
    """Clock hour (0-24) of ``drug``'s usual dose, from the drug table (``Drug.dose_clock_h``).

    ``ValueError`` for an unknown drug (naming the valid ones)."""
    return float(get_drug(drug).dose_clock_h)


def first_treated_day(first_dose_day, clock_hour=None) -> int:
    """The symptom day holding the first dose, given on day ``first_dose_day`` at ``clock_hour``
    (h; None: at or after 06:00, i.e. symptom day ``first_dose_day`` itself)."""
    if isinstance(first_dose_day, bool) or not isinstance(first_dose_day, numbers.Real) \
            or not np.isfinite(first_dose_day):
        raise ValueError(f"first_dose_day must be a number of days; got {first_dose_day!r}")
    if clock_hour is None:
        return int(np.floor(first_dose_day))
    return symptom_day_of(float(first_dose_day) + float(clock_hour) / 24.0)


def treatment_start(first_dose_day, clock_hour=None) -> float:
    """Time (days) at which the first treated symptom day begins: the ``regimen_start_day`` for
    :func:`rlsmodel.outcomes.augmentation` that makes every earlier complete symptom day the
    baseline and every later one treated (:func:`first_treated_day`)."""
    return day_start(first_treated_day(first_dose_day, clock_hour))


def baseline_week(first_treated: int) -> range:
    """The last baseline week: the seven symptom days before ``first_treated`` (``B-7 .. B-1``)."""
    return range(int(first_treated) - WEEK_DAYS, int(first_treated))


def treated_week(first_treated: int, week: int) -> range:
    """Symptom days of treated week ``week`` (1-based): ``B + 7 (week-1) .. B + 7 week - 1``."""
    return range(int(first_treated) + WEEK_DAYS * (int(week) - 1), int(first_treated) + WEEK_DAYS * int(week))


__all__ = ["BASELINE_DAYS", "dose_hour", "first_treated_day", "treatment_start", "baseline_week", "treated_week"]
