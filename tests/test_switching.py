"""The switching experiment (issue 28, item 3): augmented patients switched to another drug.

One cheap run serves the science checks: levodopa 200 mg (which augments within months in
the default model) for 26 weeks in 30 virtual patients, then a 12-week follow-up after an
overnight switch to pregabalin or oxycodone-naloxone, against continuing and stopping.
"""
from __future__ import annotations

import numpy as np
import pytest

from rlsmodel import switch_course
from rlsmodel.experiments import switching
from rlsmodel.pharmacology import reference_dose

SWITCH_WEEK, FOLLOW_WEEKS = 26, 12


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    out = tmp_path_factory.mktemp("switching")
    return switching.run(out, n=30, switch_week=SWITCH_WEEK, follow_weeks=FOLLOW_WEEKS, washout_days=0, seed=2016,
                         workers=1, source_drug="levodopa", source_dose=200.0, params={},
                         targets=("pregabalin", "oxycodone_naloxone"), progress=False)


def _cohort(result, name="clinically_relevant"):
    patients = result.meta["cohorts"][name]
    assert patients, f"no patient in cohort {name}: the design no longer yields augmented patients"
    return result.datasets["course"].sel(patient=patients)


def _arm(result, role):
    return result.meta["arms"][role]


# -- design ------------------------------------------------------------------------------------

def test_switch_regimens_stop_the_source_and_start_the_new_drug_after_the_washout():
    regs = switch_course.switch_regimens(70, 7, "pramipexole", 0.5, ("pregabalin",))
    (src,) = regs[switching.STOP].schedules
    assert (src.drug, src.dose_mg, src.stop_day) == ("pramipexole", 0.5, 70)
    old, new = regs["pregabalin"].schedules
    assert old == src
    assert (new.drug, new.dose_mg, new.start_day, new.stop_day) == ("pregabalin", reference_dose("pregabalin")[0],
                                                                    77, None)
    (cont,) = regs[switching.CONTINUE].schedules
    assert cont.stop_day is None


def test_first_sustained_needs_the_whole_run():
    flags = np.array([1, 0, 1, 1, 1, 0, 1, 1, 1, 1], bool)
    assert switch_course.first_sustained(flags, 4) == 6.0
    assert switch_course.first_sustained(flags, 3) == 2.0
    assert np.isnan(switch_course.first_sustained(flags, 5))


@pytest.mark.parametrize("kwargs, message", [
    ({"n": 0}, "n must be a whole number >= 1"),
    ({"switch_week": 2}, "switch_week must be a whole number >= 4"),
    ({"washout_days": -1}, "washout_days must be a whole number >= 0"),
    ({"targets": ()}, "at least one drug"),
    ({"targets": ("aspirin",)}, "aspirin"),
    ({"source_dose": 0}, "source_dose"),
    ({"follow_weeks": 1, "washout_days": 7}, "washout_days"),
])
def test_bad_input_is_refused_before_any_work(tmp_path, kwargs, message):
    with pytest.raises(ValueError, match=message):
        switching.run(tmp_path, **kwargs)
    assert not any(tmp_path.iterdir())


# -- science -----------------------------------------------------------------------------------

def test_augmentation_persists_when_the_drug_is_continued(result):
    c = _cohort(result).sel(arm=_arm(result, switching.CONTINUE))
    assert np.isnan(c["days_to_mpi_off"].values).sum() >= c.sizes["patient"] - 1
    assert np.nanmean(c["augmented_after"].values) > 0.5


def test_after_switching_to_pregabalin_onset_returns_later_and_irls_falls_within_weeks(result):
    c = _cohort(result)
    on = c.sel(arm=_arm(result, "pregabalin"))
    cont = c.sel(arm=_arm(result, switching.CONTINUE))
    onset_0 = on["onset_course"].sel(week=0).values
    onset_8 = on["onset_course"].sel(week=8).values
    assert np.all(onset_8 > onset_0 + 2.0), (onset_0, onset_8)                 # symptoms start >= 2 h later
    assert np.all(onset_8 > cont["onset_course"].sel(week=8).values + 2.0)
    irls_switch = on["irls_switch_week"].values
    assert np.mean(on["irls_course"].sel(week=4).values - irls_switch) < -3.0   # falls within a month
    assert np.mean(on["irls_course"].sel(week=12).values) < np.mean(cont["irls_course"].sel(week=12).values) - 5.0
    days = on["days_to_mpi_off"].values
    assert np.all(np.isfinite(days)) and np.all(days <= 42), days             # resolved within 6 weeks


def test_switching_resolves_faster_than_stopping(result):
    c = _cohort(result)
    stop = switch_course.median_days(c.sel(arm=_arm(result, switching.STOP))["days_to_mpi_off"].values)
    for role in ("pregabalin", "oxycodone_naloxone"):
        assert switch_course.median_days(c.sel(arm=_arm(result, role))["days_to_mpi_off"].values) < stop, role


def test_the_oxycodone_naloxone_arm_never_augments_after_the_switch(result):
    c = result.datasets["course"].sel(arm=_arm(result, "oxycodone_naloxone"))    # every patient run
    assert np.all(c["status"].values == "ok")
    assert np.all(c["augmented_after"].values == 0) and np.all(c["mpi_positive_after"].values == 0)


def test_tables_put_published_numbers_beside_simulated_ones(result):
    names = {p.name for p in result.paths}
    assert names == set(switching.OUTPUT_NAMES)
    prows = result.tables["published"]
    oxy = [p for p in prows if p["quantity"].startswith("IRLS change at week 12 against placebo")]
    assert oxy and oxy[0]["published"] == -7.0 and np.isfinite(oxy[0]["simulated"])
    assert oxy[0]["simulated"] < -3.0            # the opioid beats stopping clearly at week 12
    text = (result.out / switching.PUBLISHED_MD).read_text()
    assert "Trenkwalder et al. 2013" in text and "Allen et al. 2014" in text
    rows = result.tables["switching"]
    assert {r["cohort"] for r in rows} == set(switching.COHORTS)
