"""The time course of one IV iron infusion (issue 23): the benefit grows for weeks and lasts
for months, because the brain stores the iron (neuronal ferritin) instead of passing it through.

Published shape (science.md section 9): Trenkwalder et al. 2017 Mov Disord 32:1478 (ferric
carboxymaltose 1000 mg, ferritin < 75 ug/L): placebo-corrected IRLS -2.5 at week 4 and -4.66 at
week 12 -- the benefit grows; one infusion helps for months (iron dextran 1 g: 15.8 +- 17.7
weeks); substantia nigra iron is raised on MRI 2 weeks after an infusion (Earley et al. 2004
Sleep Med 5:231). The comparator is the same patient untreated.
"""
from __future__ import annotations

import numpy as np
import pytest

import rlsmodel
from rlsmodel import outcomes
from rlsmodel.validation.checks import iron_therapy
from rlsmodel.validation.protocol import IRON_COURSE_WEEKS, IRON_START_DAY
from rlsmodel.validation.runs import Runs

PROFILE = "rls_iron_deficient"


@pytest.fixture(scope="module")
def runs(model):
    return Runs(model, quick=True)


@pytest.fixture(scope="module")
def benefit(runs):
    """{week: IRLS of the treated patient minus the same patient untreated} (negative = better)."""
    return iron_therapy.iv_benefit_by_week(runs, PROFILE)


def test_the_benefit_grows_from_week_4_to_week_12(benefit):
    assert benefit[4] <= -1.0, f"week 4: {benefit[4]:+.2f}"
    assert benefit[12] <= benefit[4], f"week 4 {benefit[4]:+.2f}, week 12 {benefit[12]:+.2f}"
    peak_week = min(benefit, key=benefit.get)
    assert 4 < peak_week <= 16, f"peak {benefit[peak_week]:+.2f} at week {peak_week}"


def test_the_benefit_lasts_past_week_24(benefit):
    peak = min(benefit.values())
    assert benefit[24] <= 0.5 * peak, f"week 24 {benefit[24]:+.2f} vs peak {peak:+.2f}"
    # ... and it then declines as the store is used (months, not weeks)
    assert benefit[IRON_COURSE_WEEKS] > benefit[24] > peak


def test_brain_iron_is_up_by_week_2_and_still_up_at_week_24(runs):
    on, off = runs.iron_course("iv", PROFILE)["ds"], runs.iron_course("none", PROFILE)["ds"]
    t0 = IRON_START_DAY + 10.0 / 24.0

    def rel(name, week):
        t = t0 + 7.0 * week
        return float(np.interp(t, on.time.values, on[name].values) / np.interp(t, off.time.values, off[name].values))
    assert rel("brain_iron", 2) > 1.005
    assert rel("brain_iron", 24) > 1.005
    # the neuronal store fills after the pulse and keeps labile iron up for months
    assert rel("fe_neuron_ferritin", 12) > rel("fe_neuron_ferritin", 2)
    assert rel("fe_neuron_labile", 24) > 1.05
    # ... while interstitial iron has largely fallen back from its peak
    assert rel("fe_interstitial", 24) - 1.0 < 0.6 * (rel("fe_interstitial", 2) - 1.0)


def test_the_store_is_what_makes_it_last(model):
    """With the pre-issue-23 store (slow sequestration, labile iron following the interstitium
    within days) the same infusion peaks by week 4 and has faded to less than half by week 24:
    the time course comes from the store, not from the periphery."""
    old = rlsmodel.Model(parameter_defaults={"k_ferritin_storage": 0.4, "k_ferritin_release": 0.01})
    reg = rlsmodel.Regimen.once("ferric_carboxymaltose", 1000.0, IRON_START_DAY, 10.0)
    days = IRON_START_DAY + 7 * 24
    on = outcomes.daily(old.simulate(days, PROFILE, regimen=reg, sample_every_hours=2.0))
    off = outcomes.daily(old.simulate(days, PROFILE, sample_every_hours=2.0))

    def mean(d, w):
        days = d["day"].values
        sel = (days >= IRON_START_DAY + 7 * (w - 1)) & (days < IRON_START_DAY + 7 * w)
        return float(np.nanmean(d["irls"].values[sel]))

    def week(w):
        return mean(on, w) - mean(off, w)
    b4, b12, b24 = week(4), week(12), week(24)
    assert b12 > b4, (b4, b12)
    assert b24 > 0.5 * min(b4, week(5), week(6)), (b4, b24)


def test_the_virtual_trial_rows_read_iv_against_placebo(model):
    """T-iron-IV-trial-week4: patients are clones across arms with the same reporting noise and
    placebo offset, so the placebo-corrected change is the biological benefit (a few patients
    suffice to see its sign), and the row names both arms."""
    small = Runs(model, quick=True, population=6)
    obs = iron_therapy.iv_trial_placebo_corrected(small, 4)
    assert obs.value < -1.0, obs.text
    assert "IV" in obs.text and "placebo" in obs.text
    with pytest.raises(ValueError, match="weeks must be one of"):
        small.iron_trial(8)
    with pytest.raises(ValueError, match="no virtual population"):
        Runs(model, quick=True).iron_trial(4)


def test_the_figure_shows_the_published_points_on_the_untreated_curve(runs):
    """rlsmodel.experiments.iron_therapy draws Trenkwalder et al. 2017's weeks 4 and 12 (with
    their 95% CIs) on the IRLS panel, at the untreated patient's weekly IRLS plus the
    placebo-corrected change; weeks beyond a short run are left out."""
    from rlsmodel import plotting
    from rlsmodel.experiments import iron_therapy as exp

    assert [w for w, *_ in exp.PUBLISHED_IV_COURSE] == [4, 12]
    untreated = runs.iron_course("none", PROFILE)["daily"]
    fig, ax = plotting.plt.subplots()
    try:
        exp.draw_published_course(ax, untreated, IRON_START_DAY)
        drawn = ax.containers
        assert len(drawn) == 2
        for bars, (week, change, lo, hi) in zip(drawn, exp.PUBLISHED_IV_COURSE):
            x, y = bars.lines[0].get_data()
            ref = exp.window_mean(untreated, "irls", IRON_START_DAY + 7 * (week - 1), IRON_START_DAY + 7 * week)
            assert x[0] == pytest.approx(week - 0.5) and y[0] == pytest.approx(ref + change)
        short = untreated.sel(day=untreated["day"] < IRON_START_DAY + 7 * 6)
        _, ax2 = plotting.plt.subplots()
        exp.draw_published_course(ax2, short, IRON_START_DAY)
        assert len(ax2.containers) == 1             # week 12 is beyond a 6-week run
    finally:
        plotting.plt.close("all")
