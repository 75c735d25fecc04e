"""Target functions of the issue-14 re-fits (``kind = "function"`` in drug_efficacy.toml,
spinal_acute.toml and augmentation_population.toml).

Each takes the fitted ``model`` and returns one number compared with a range in the spec.
The acute targets are median-patient proxies of the trial effect: a median patient whose
IRLS falls 6-12 points in weeks 2-3 gives placebo-corrected 12-week changes of -3 to -9 in
the virtual trial once the placebo response, reporting noise and the spread of patients are
added (checked by augmentation_population.toml and ``rlsmodel validate --population``).
"""
from __future__ import annotations

import numpy as np

from rlsmodel import Regimen, outcomes

BASELINE_DAYS = 28


def _weekly_mean(daily, first_day, last_day):
    d = daily["day"].values
    return float(np.mean(daily["irls"].values[(d >= first_day) & (d < last_day)]))


def untreated_irls(model, profile="rls_genetic"):
    """IRLS-like score of the untreated patient in steady state (points, 0-40)."""
    ds = model.simulate(3, profile, sample_every_hours=0.25)
    return float(outcomes.daily(ds)["irls"].values[-1])


def acute_irls_change(model, drug, dose_mg, clock_hour=21.0, profile="rls_genetic", first_week=2, last_week=3):
    """Mean IRLS-like score in weeks ``first_week``-``last_week`` of daily ``drug`` minus the
    mean of the 28 untreated days before (points; negative = better)."""
    reg = Regimen.daily(drug, dose_mg, clock_hour, start_day=BASELINE_DAYS)
    ds = model.simulate(BASELINE_DAYS + 7 * last_week, profile, regimen=reg, sample_every_hours=1.0)
    daily = outcomes.daily(ds)
    treated = _weekly_mean(daily, BASELINE_DAYS + 7 * (first_week - 1), BASELINE_DAYS + 7 * last_week)
    return treated - _weekly_mean(daily, 0, BASELINE_DAYS)


def worst_week_change(model, drug, dose_mg, clock_hour=21.0, profile="rls_genetic", weeks=3):
    """The worst (highest) daily IRLS-like score in the first ``weeks`` weeks of daily ``drug``
    minus the untreated mean (points): a drug that keeps its early benefit stays below -3."""
    reg = Regimen.daily(drug, dose_mg, clock_hour, start_day=BASELINE_DAYS)
    ds = model.simulate(BASELINE_DAYS + 7 * weeks, profile, regimen=reg, sample_every_hours=1.0)
    daily = outcomes.daily(ds)
    d, irls = daily["day"].values, daily["irls"].values
    return float(np.max(irls[(d >= BASELINE_DAYS + 1) & (d < BASELINE_DAYS + 7 * weeks)])) - _weekly_mean(daily, 0, BASELINE_DAYS)
