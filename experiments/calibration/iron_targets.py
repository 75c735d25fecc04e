"""Target functions of the issue-13 re-fits (``kind = "function"`` in the specs here).

Each takes the fitted ``model`` and returns one number compared with a range in the spec.
"""
from __future__ import annotations

import math

import numpy as np

from rlsmodel import Regimen, outcomes

BASELINE_DAYS = 28


def weeks_to_augmentation(model, drug, dose_mg, clock_hour=20.0, weeks=52, profile="rls_genetic",
                          tier="mpi_positive"):
    """Weeks from the first dose until the median patient meets the augmentation criteria;
    ``weeks + 8`` when they are never met within ``weeks`` (so "does not augment within a
    year" is a range target, ``lo = weeks``)."""
    reg = Regimen.daily(drug, dose_mg, clock_hour, start_day=BASELINE_DAYS)
    ds = model.simulate(BASELINE_DAYS + 7 * weeks, profile, regimen=reg)
    verdict = outcomes.augmentation(ds, regimen_start_day=BASELINE_DAYS)
    day = verdict["day_met_clinically_relevant" if tier == "clinically_relevant" else "day_met"]
    return float(weeks + 8) if day is None else (day - BASELINE_DAYS) / 7.0


def irls_after_stopping(model, drug="levodopa", dose_mg=100.0, clock_hour=20.0, treated_weeks=26,
                        off_week=1, profile="rls_genetic"):
    """IRLS-like score in week ``off_week`` after stopping a drug taken daily for
    ``treated_weeks``, minus the untreated baseline (A-rebound: > 1 in week 1, within 1 by week 8)."""
    stop = BASELINE_DAYS + 7 * treated_weeks
    reg = Regimen.daily(drug, dose_mg, clock_hour, start_day=BASELINE_DAYS, stop_day=stop)
    ds = model.simulate(stop + 7 * off_week, profile, regimen=reg)
    daily = outcomes.daily(ds)
    d, irls = daily["day"].values, daily["irls"].values
    base = float(np.nanmean(irls[d < BASELINE_DAYS]))
    sel = (d >= stop + 7 * (off_week - 1)) & (d < stop + 7 * off_week)
    return float(np.nanmean(irls[sel])) - base if sel.any() else math.nan
