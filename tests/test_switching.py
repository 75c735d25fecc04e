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
                         targets=("pregabalin", "oxycodone_naloxone"), criteria_n=30, criteria_weeks=SWITCH_WEEK + 12,
                         progress=False)


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
    assert names == set(switching.OUTPUT_NAMES) | {switching.CRITERIA_CSV, switching.CRITERIA_MD}
    prows = result.tables["published"]
    oxy = [p for p in prows if p["quantity"].startswith("IRLS change at week 12 against placebo")]
    assert oxy and oxy[0]["published"] == -7.0 and np.isfinite(oxy[0]["simulated"])
    assert oxy[0]["simulated"] < -3.0            # the opioid beats stopping clearly at week 12
    text = (result.out / switching.PUBLISHED_MD).read_text()
    assert "Trenkwalder et al. 2013" in text and "Allen et al. 2014" in text
    rows = result.tables["switching"]
    assert {r["cohort"] for r in rows} == set(switching.COHORTS)


def test_the_criteria_triggered_design_switches_the_augmented_patients_at_a_visit(result):
    """rlsmodel.SwitchPolicy(when="augmented"): every switching arm switches the same patients (the
    arms are identical until the switch), at a 4-weekly visit, and they end better off than if
    they had continued."""
    ds = result.datasets["criteria"]
    rows = result.tables["criteria"]
    assert len(rows) == 2 and all(r["switched"] > 0 for r in rows), rows
    arms = [r["arm"] for r in rows]
    days = [ds["day_switched"].sel(arm=a).values for a in arms]
    np.testing.assert_array_equal(np.isfinite(days[0]), np.isfinite(days[1]))
    switched = days[0][np.isfinite(days[0])]
    assert np.all(switched % 28 == 0)                                  # at a visit
    for r in rows:
        assert r["irls_end_switched_minus_continued"] < -3.0, r
    assert "SwitchPolicy" in (result.out / switching.CRITERIA_MD).read_text()


# -- scorecard rows (rlsmodel.validation.checks.switching) on courses whose answer is known ---------

def _course(oxy_week12, stop_week12, rot_week5, rot_switch, oxy_aug, stop_aug):
    import json
    import xarray as xr
    n = len(oxy_week12)
    weeks = np.arange(-7, 13)
    arms = ["stop levodopa 200 mg, no drug", "switch to oxycodone_naloxone 20 mg", "switch to rotigotine 2 mg/24 h"]
    irls = np.full((3, n, weeks.size), 20.0)
    irls[0, :, weeks == 12] = stop_week12
    irls[1, :, weeks == 12] = oxy_week12
    irls[2, :, weeks == 5] = rot_week5
    aug = np.zeros((3, n))
    aug[0], aug[1] = stop_aug, oxy_aug
    ds = xr.Dataset({"status": (("arm", "patient"), np.full((3, n), "ok")),
                     "irls_course": (("arm", "patient", "week"), irls),
                     "irls_switch_week": (("arm", "patient"), np.full((3, n), rot_switch)),
                     "augmented_after": (("arm", "patient"), aug)},
                    coords={"arm": arms, "patient": np.arange(n), "week": weeks})
    ds.attrs.update(arms=json.dumps({"stop": arms[0], "oxycodone_naloxone": arms[1], "rotigotine": arms[2]}),
                    switch_week=26, seed=1)
    return ds


def test_switching_checks_read_the_course_as_the_rows_say():
    from rlsmodel.validation import targets
    from rlsmodel.validation.checks import switching as checks
    ds = _course(oxy_week12=[10.0, 14.0], stop_week12=[18.0, 20.0], rot_week5=[15.0, 17.0], rot_switch=[22.0, 22.0],
                 oxy_aug=[0, 0], stop_aug=[0, 1])
    assert checks.oxycodone_vs_stop(ds).value == pytest.approx(-7.0)
    assert checks.rotigotine_week_5(ds).value == pytest.approx(-6.0)
    obs = checks.opioid_after_switch(ds)
    assert obs.value == 0.0 and all(obs.checks.values())
    worse = checks.opioid_after_switch(_course([10.0] * 4, [18.0] * 4, [15.0] * 4, [22.0] * 4, [1, 1, 1, 1],
                                               [0, 0, 0, 0]))
    assert worse.value == 100.0 and not all(worse.checks.values())
    assert np.isnan(checks.oxycodone_vs_stop(None).value)
    ids = {t.id for t in targets.TARGETS}
    assert {"A-switch-oxycodone-naloxone", "A-switch-rotigotine", "A-switch-opioid-augmentation"} <= ids
    row = targets.get("A-switch-oxycodone-naloxone")
    assert (row.lo, row.hi) == (-9.69, -4.31) and row.needs_population
