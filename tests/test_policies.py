"""Visit rules (issue 22 item 2, issue 28 item 3): DosePolicy / SwitchPolicy as data, runs in
segments between visits (rlsmodel.policy_runs), and arms with rules in virtual trials.

The numerics first: a run continued from a state equals the unsplit run (both engines, the
closed-form PK of cvode included), and a run under rules equals an unsegmented run of the
regimen it realised. Then the rules: doses step to the maximum and never beyond, a threshold
above every IRLS changes nothing, a switch on augmentation switches and the IRLS falls, a
washout gives no drug. In trials: arms without rules are untouched, rules read the reported
series exactly as the scorer adjudicates it.
"""
from __future__ import annotations

import json

import numpy as np
import pytest

import rlsmodel
from rlsmodel import DosePolicy, Regimen, SwitchPolicy, outcomes
from rlsmodel.pharmacology import Schedule, reference_regimen
from rlsmodel.pharmacology.policies import VisitReadout, change_day
from rlsmodel.trial import ArmRegimens, TrialScorer

PROFILE = "rls_genetic"
BASE = 14


def _realised(ds) -> Regimen:
    return Regimen(tuple(Schedule(**s) for s in json.loads(ds.attrs["regimen_realised"])["schedules"]))


def _max_state_difference(model, a, b, skip=(), only=None) -> tuple:
    """Largest |a - b| over every state (or the states in ``only``, leaving out ``skip``),
    relative to the state's largest magnitude in ``b``."""
    worst, name = 0.0, None
    for n in (model.compiled.state_names if only is None else only):
        if n in skip:
            continue
        x, y = a[n].values, b[n].values
        scale = max(float(np.max(np.abs(y))), 1e-12)
        d = float(np.max(np.abs(x - y))) / scale
        if d > worst:
            worst, name = d, n
    return worst, name


# ---------------------------------------------------------------------------------------------
# numerics: continuing a run
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("engine", ["cvode", "lsoda"])
def test_a_run_split_at_day_k_equals_the_unsplit_run(model, engine):
    """simulate(k) then simulate(T - k, initial=<first part>) with the regimen moved by -k days
    reproduces simulate(T): every state, drug PK (closed form under cvode) included."""
    kw = dict(engine=engine, rtol=1e-9, atol=1e-11)
    if engine == "cvode":   # the split, not the envelope (cvode's default since decision 60; 60 days engage it)
        kw["engine_options"] = {"long_horizon": "exact"}
    k, total = 30, 60
    whole = model.simulate(total, PROFILE, regimen=Regimen.daily("pramipexole", 0.25, 21.0, start_day=BASE), **kw)
    first = model.simulate(k, PROFILE, regimen=Regimen.daily("pramipexole", 0.25, 21.0, start_day=BASE), **kw)
    second = model.simulate(total - k, PROFILE, regimen=Regimen.daily("pramipexole", 0.25, 21.0), initial=first,
                            **kw)
    tail = whole.isel(time=slice(whole.time.size - second.time.size, None))
    np.testing.assert_allclose(tail.time.values - k, second.time.values, atol=1e-12)
    worst, name = _max_state_difference(model, second, tail)
    assert worst < 2e-7, f"{engine}: {name} differs by {worst:.2e} of its scale after the split"
    # the plasma curve continues across the split (no dose lost or doubled)
    assert second["pramipexole_plasma"].values[0] == pytest.approx(first["pramipexole_plasma"].values[-1], rel=1e-9)


def test_a_run_under_rules_equals_the_unsegmented_run_of_its_realised_regimen(exact_model):
    # on cvode's exact path: the visits cut the rule's run into segments shorter than the envelope's
    # 60 days (integrated exactly) while the plain run follows the envelope (decision 60: 1.78e-5)
    model = exact_model
    rule = DosePolicy(threshold_irls=5, step_mg=0.125)
    r = Regimen.daily("pramipexole", 0.125, 21.0, start_day=BASE).with_policy(rule)
    # rtol 1e-8: the segmented run restarts the integrator at every visit, so the two runs differ by
    # the integration error, which converges away (decision 55's defaults, d2_drug_pulse_mean:
    # 2.2e-5 of its scale at the default rtol 1e-7, 6.1e-7 at 1e-8, 3.1e-8 at 1e-9)
    tol = dict(rtol=1e-8, atol=1e-10)
    ds = model.simulate(BASE + 84, PROFILE, regimen=r, **tol)
    realised = _realised(ds)
    assert len(realised) > 1, "the rule never changed the dose: the test shows nothing"
    plain = model.simulate(BASE + 84, PROFILE, regimen=realised, **tol)
    worst, name = _max_state_difference(model, ds, plain)
    assert worst < 1e-5, f"{name} differs by {worst:.2e} of its scale"
    # the symptom days the rules read are those a whole-run scoring gives
    assert ds.attrs["regimen"] == r.describe()


def test_visits_read_the_same_daily_table_as_a_whole_run_scoring(model):
    seen = {}

    class Spy:
        def check(self, regimen):
            pass

        def readout(self, history, visit_day, regimen):
            history.score()
            seen["table"] = history.table()
            return VisitReadout(history.weekly("irls", visit_day))

    r = Regimen.daily("pramipexole", 0.25, 21.0, start_day=BASE).with_policy(DosePolicy(40, 0.125))
    ds = model.simulate(BASE + 60, PROFILE, regimen=r.with_observer(Spy()))
    tab, whole = seen["table"], outcomes.daily(ds)
    for name in ("irls", "onset_hour", "peak", "latency_at_rest_h"):
        np.testing.assert_array_equal(tab[name], whole[name].sel(day=tab["day"]).values)
    # a dose rule's observer scores the recall weeks only: the same weekly IRLS
    ds2 = model.simulate(BASE + 60, PROFILE, regimen=Regimen.daily("pramipexole", 0.25, 21.0, start_day=BASE)
                         .with_policy(DosePolicy(0.5, 0.125)))
    irls = outcomes.daily(ds2)["irls"]
    for e in json.loads(ds2.attrs["policy_decisions"]):
        assert e["weekly_irls"] == float(irls.sel(day=slice(e["day"] - 7, e["day"] - 1)).mean())


# ---------------------------------------------------------------------------------------------
# the rules in single-patient runs
# ---------------------------------------------------------------------------------------------
def test_dose_policy_steps_a_severe_patient_up_to_the_maximum_and_never_beyond(model):
    """A patient whose weekly IRLS stays above the threshold (0.5 points: any symptom at all)
    is stepped up at every weekly visit until the label maximum, and stays there."""
    start, step, maximum = 0.125, 0.25, rlsmodel.DRUGS["pramipexole"].max_daily_dose_mg
    r = Regimen.daily("pramipexole", start, 21.0, start_day=BASE).with_policy(DosePolicy(0.5, step), every_weeks=1)
    ds = model.simulate(BASE + 7 * 6 + 1, PROFILE, regimen=r)
    decisions = json.loads(ds.attrs["policy_decisions"])
    assert all(e["weekly_irls"] > 0.5 for e in decisions), decisions
    doses = [e["dose_mg"] for e in decisions]
    assert doses == pytest.approx([0.375, 0.625, maximum, maximum, maximum, maximum]), doses
    assert [s.dose_mg for s in _realised(ds).schedules] == pytest.approx([start, 0.375, 0.625, maximum])


def test_a_threshold_above_every_irls_changes_nothing(exact_model):
    # on cvode's exact path, as the test above (the plain 88-day run would follow the envelope:
    # d2_tolerance then 1.04e-3 of its largest value off the visit-segmented run, decision 60)
    model = exact_model
    fixed = Regimen.daily("pramipexole", 0.25, 21.0, start_day=BASE)
    ds = model.simulate(BASE + 60, PROFILE, regimen=fixed.with_policy(DosePolicy(40, 0.125)))
    plain = model.simulate(BASE + 60, PROFILE, regimen=fixed)
    assert _realised(ds) == fixed
    assert {e["dose_mg"] for e in json.loads(ds.attrs["policy_decisions"])} == {0.25}
    assert ds.attrs["day_switched"] == "none"
    # only the restarts at visits may differ: every state within 1e-5 of its scale (measured <= 5e-7)
    # but the day-long mean of the drug-pulse drive, whose forcing turns on and off with a sharp
    # corner each evening (decisions 50 and 52; the restarts move it by 1.01e-5, as they moved it by
    # 2.6e-6 at a block boundary in tests/test_runplan.py)
    pulse = "d2_drug_pulse_mean"
    worst, name = _max_state_difference(model, ds, plain, skip=(pulse,))
    assert worst < 1e-5, f"{name} differs by {worst:.2e}: only the restarts at visits may differ"
    worst, _ = _max_state_difference(model, ds, plain, only=(pulse,))
    assert worst < 5e-5, f"{pulse} differs by {worst:.2e}: only the restarts at visits may differ"
    np.testing.assert_allclose(outcomes.daily(ds)["irls"].values, outcomes.daily(plain)["irls"].values, atol=1e-3)


def test_switch_on_augmentation_from_levodopa_switches_and_the_irls_falls(model):
    """The median patient augments on levodopa 200 mg within 6 months (test_augmentation_science):
    switched to pregabalin after a week's washout, his weekly IRLS falls below the value at the
    switch within 6 weeks."""
    base = 28
    r = reference_regimen("levodopa", start_day=base).with_policy(SwitchPolicy("pregabalin", washout_days=7))
    ds = model.simulate(base + 252, PROFILE, regimen=r)
    assert ds.attrs["day_switched"] != "none", "levodopa 200 mg did not augment: no switch"
    day = int(ds.attrs["day_switched"])
    assert base + 28 <= day <= base + 7 * 30        # criteria met by about week 24, held 28 days
    decision = json.loads(ds.attrs["policy_decisions"])[-1]
    assert decision["switched"] and decision["day"] == day
    irls = outcomes.daily(ds)["irls"].values
    before = irls[day - 7:day].mean()
    after = irls[day + 35:day + 42].mean()
    assert after < before - 5, f"weekly IRLS {before:.1f} at the switch, {after:.1f} six weeks later"
    # the washout: no drug on days day .. day+6, pregabalin from day+7, levodopa never again
    realised = _realised(ds)
    for s in realised.schedules:
        if s.drug == "levodopa":
            assert s.stop_day == change_day(day, s.clock_hour)
        else:
            assert s.drug == "pregabalin" and s.start_day == change_day(day, s.clock_hour) + 7
    events = realised.events(model, base + 252)
    times = [t for t, *_ in events]
    assert not any(day + 0.25 < t < day + 7 for t in times), "a dose fell into the washout"
    assert ds["levodopa_plasma"].sel(time=slice(day + 3, day + 7)).max() < 1e-3 * ds["levodopa_plasma"].max()


# ---------------------------------------------------------------------------------------------
# the rules in virtual trials
# ---------------------------------------------------------------------------------------------
def test_trial_rules_read_the_reported_series_as_the_scorer_adjudicates(model):
    """One (patient, arm) point as the trial runs it: each decision's weekly IRLS is the
    reported weekly IRLS the scorer computes for that week from the finished run."""
    weeks, every, B = 16, 4, 28
    scorer = TrialScorer(seed=7, start_day=B, weeks=weeks, visit_every_weeks=every)
    base = reference_regimen("pramipexole", dose=0.125, start_day=B)
    factory = ArmRegimens([base], "test", [(DosePolicy(12, 0.125),)], scorer)
    point = {"arm": 0, "patient": 3, "symptom_noise_sd": 3.0, "placebo_response": -6.0}
    regimen = factory(point)
    ds = model.simulate(7 * (B // 7 + weeks) + 0.25, PROFILE, regimen=regimen)
    reported = scorer.reported(outcomes.daily(ds, baseline_days=range(0, B)), 3, 3.0, -6.0)
    decisions = json.loads(ds.attrs["policy_decisions"])
    assert [e["day"] for e in decisions] == [B + 7 * w for w in (4, 8, 12)]
    dose = 0.125
    for e in decisions:
        week = (e["day"] - B) // 7
        expected = float(np.mean(reported["irls"][B + 7 * week - 7:B + 7 * week]))
        assert e["weekly_irls"] == pytest.approx(expected, abs=1e-9)
        dose = min(dose + 0.125, 0.75) if expected > 12 else dose
        assert e["dose_mg"] == pytest.approx(dose)


@pytest.fixture(scope="module")
def small_trial():
    arms = {"fixed": reference_regimen("pramipexole", dose=0.25),
            "titrated": reference_regimen("pramipexole", dose=0.25).with_policy(DosePolicy(10, 0.125)),
            "never": reference_regimen("pramipexole", dose=0.25)}
    return rlsmodel.virtual_trial(arms, n=3, weeks=8, seed=7, placebo=True,
                                  policies={"never": DosePolicy(40, 0.125)})


def test_trial_arms_without_rules_are_untouched_and_outputs_are_recorded(small_trial):
    ds = small_trial
    plain = rlsmodel.virtual_trial({"fixed": reference_regimen("pramipexole", dose=0.25)}, n=3, weeks=8, seed=7,
                                   placebo=False)
    for name in ("augmented", "mpi_positive", "irls_change_end", "baseline_irls", "biological_irls_change_end"):
        np.testing.assert_array_equal(ds[name].sel(arm="fixed").values, plain[name].sel(arm="fixed").values)
    assert "dose_mg" not in plain and "policies" not in plain.attrs
    assert list(ds["visit_week"].values) == [0, 4, 8]
    np.testing.assert_array_equal(ds["dose_mg"].sel(arm="fixed").values, 0.25)
    np.testing.assert_array_equal(ds["dose_mg"].sel(arm="never").values, 0.25)
    np.testing.assert_array_equal(ds["dose_mg"].sel(arm="placebo").values, 0.0)
    assert (ds["status"].values == "ok").all()
    titrated = ds["dose_mg"].sel(arm="titrated").values
    assert np.all(np.diff(titrated, axis=1) >= 0) and np.all(titrated <= 0.75)
    assert np.all(np.isnan(ds["day_switched"].values))
    assert ds["policy_threshold_irls"].sel(arm="titrated") == 10 and ds["policy_threshold_irls"].sel(arm="never") == 40
    assert np.isnan(ds["policy_threshold_irls"].sel(arm="fixed"))
    assert set(json.loads(ds.attrs["policies"])) == {"titrated", "never"}
    np.testing.assert_allclose(ds["median_dose_mg"].sel(arm="titrated").values,
                               np.median(titrated, axis=0))
    # a threshold above every IRLS: the same verdicts and changes as the fixed arm (restarts only)
    np.testing.assert_array_equal(ds["augmented"].sel(arm="never").values, ds["augmented"].sel(arm="fixed").values)
    np.testing.assert_allclose(ds["irls_change_end"].sel(arm="never").values,
                               ds["irls_change_end"].sel(arm="fixed").values, atol=1e-3)


def test_trial_switch_on_mpi_happens_at_the_first_positive_visit():
    arms = {"levodopa": reference_regimen("levodopa").with_policy(SwitchPolicy("pregabalin", when="mpi_positive"))}
    ds = rlsmodel.virtual_trial(arms, n=8, weeks=16, seed=2, placebo=False)
    met, switched = ds["day_met"].sel(arm="levodopa").values, ds["day_switched"].sel(arm="levodopa").values
    final = 7 * 16
    assert np.isfinite(switched).sum() >= 1, "nobody switched: the test shows nothing"
    for m_, s_ in zip(met, switched):
        if np.isfinite(m_) and m_ < final:
            assert s_ == m_           # switched at the visit the scorer first finds MPI-positive
        else:
            assert np.isnan(s_)
    assert ds["policy_washout_days"].sel(arm="levodopa") == 0


# ---------------------------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("make, message", [
    (lambda: DosePolicy(15, 0), "step_mg must be > 0"),
    (lambda: DosePolicy(50, 0.125), "threshold_irls must lie in [0, 40]"),
    (lambda: DosePolicy("15", 0.125), "threshold_irls must be a finite number"),
    (lambda: DosePolicy(15, 0.125, step_down_below_irls=20), "must be below threshold_irls"),
    (lambda: DosePolicy(15, 0.125, minimum_mg=1, maximum_mg=0.5), "must not exceed maximum_mg"),
    (lambda: DosePolicy(15, 0.125, every_weeks=0), "every_weeks must be a whole number >= 1"),
    (lambda: Regimen.daily("pramipexole", 0.25, 21.0).with_policy(DosePolicy(15, 0.125, maximum_mg=2)),
     "exceeds the label maximum of pramipexole"),
    (lambda: Regimen.daily("pramipexole", 0.25, 21.0).with_policy(DosePolicy(15, 0.125, maximum_mg=0.125)),
     "is above maximum_mg"),
    (lambda: (Regimen.daily("pramipexole", 0.25, 21.0) + Regimen.daily("pregabalin", 150, 21.0)).with_policy(
        DosePolicy(15, 0.125)), "a DosePolicy adjusts one drug"),
    (lambda: Regimen.daily("pramipexole", 0.25, 21.0).with_policy("dose up"), "a policy must be a DosePolicy"),
    (lambda: Regimen.daily("pramipexole", 0.25, 21.0).with_policy(DosePolicy(15, 0.125, every_weeks=6), every_weeks=4),
     "every_weeks=6 is not a multiple of the visit spacing (4 weeks)"),
    (lambda: SwitchPolicy("aspirin"), "SwitchPolicy: to='aspirin'"),
    (lambda: SwitchPolicy("pregabalin", when="worse"), "when must be one of"),
    (lambda: SwitchPolicy("pregabalin", washout_days=-1), "washout_days must be a whole number >= 0"),
    (lambda: SwitchPolicy(3), "to must be a drug name or an rlsmodel.Regimen"),
])
def test_bad_rules_are_refused_with_a_message(make, message):
    with pytest.raises(ValueError, match=None) as info:
        make()
    assert message in str(info.value), str(info.value)


@pytest.mark.parametrize("kwargs, message", [
    (dict(arms={"a": reference_regimen("pramipexole")}, policies={"b": DosePolicy(15, 0.125)}),
     "not arms of the trial"),
    (dict(arms={"a": reference_regimen("pramipexole").with_policy(DosePolicy(15, 0.125))},
          policies={"a": DosePolicy(15, 0.125)}), "has rules twice"),
    (dict(arms={"a": None}, policies={"a": DosePolicy(15, 0.125)}), "needs a drug to adjust"),
    (dict(arms={"a": reference_regimen("pramipexole")}, policies={"a": 0.5}), "policies['a']"),
    (dict(arms={"a": reference_regimen("pramipexole")}, policies=[DosePolicy(15, 0.125)]), "policies must be None"),
])
def test_bad_trial_rules_are_refused_before_any_work(kwargs, message):
    with pytest.raises(ValueError) as info:
        rlsmodel.virtual_trial(n=1, weeks=4, placebo=False, **kwargs)
    assert message in str(info.value), str(info.value)


def test_rules_need_samples_at_the_visits(model):
    r = Regimen.daily("pramipexole", 0.25, 21.0).with_policy(DosePolicy(15, 0.125))
    with pytest.raises(ValueError, match="sample_every_hours=5 does not"):
        model.simulate(60, PROFILE, regimen=r, sample_every_hours=5)


def test_a_switch_in_a_single_run_needs_an_untreated_baseline(model):
    r = reference_regimen("levodopa").with_policy(SwitchPolicy("pregabalin"))
    with pytest.raises(ValueError, match="needs untreated baseline days"):
        model.simulate(60, PROFILE, regimen=r)


def test_rules_are_data():
    rule = DosePolicy(15, 0.125, maximum_mg=0.75)
    assert json.loads(rule.describe())["threshold_irls"] == 15.0
    assert rule == DosePolicy(15.0, 0.125, 0.75) and hash(rule) == hash(DosePolicy(15.0, 0.125, 0.75))
    sw = SwitchPolicy("rotigotine", washout_days=3)
    assert sw.to == reference_regimen("rotigotine") and json.loads(sw.describe())["washout_days"] == 3


def test_a_sweep_varies_dose_policy_fields(model):
    from rlsmodel.pharmacology.policies import DosePolicySweep
    factory = DosePolicySweep(Regimen.daily("pramipexole", 0.125, 21.0, start_day=BASE), step_mg=0.125)
    last_dose = {"last_dose": lambda ds: json.loads(ds.attrs["policy_decisions"])[-1]["dose_mg"]}
    out = rlsmodel.sweep({"threshold_irls": [0.5, 40.0]}, days=BASE + 57, regimen=factory, profile=PROFILE,
                         outcomes=last_dose, model=model)
    assert out["last_dose"].sel(threshold_irls=40.0) == 0.125        # never stepped
    assert out["last_dose"].sel(threshold_irls=0.5) == 0.375         # stepped at both monthly visits
    assert "DosePolicySweep" in out.attrs["regimen"]
    with pytest.raises(ValueError, match="unknown DosePolicy field"):
        DosePolicySweep(Regimen.daily("pramipexole", 0.125, 21.0), step=0.125)


def test_decisions_as_data_step_down_switch_and_withdrawal():
    """The rules alone (no simulation): step up, step down to the minimum, a switch ends the dose
    rule, a stopped drug (withdrawal design) is not restarted."""
    base = Regimen.daily("ropinirole", 0.5, 21.0, start_day=0, stop_day=100)
    rule = DosePolicy(15, 0.25, step_down_below_irls=5, minimum_mg=0.25)
    r = base.with_policy((rule, SwitchPolicy("pregabalin", when="mpi_positive", washout_days=2)))
    r = r.after_visit(28, VisitReadout(20.0))                 # up: 0.75 from day 28
    r = r.after_visit(56, VisitReadout(2.0))                  # down: 0.5
    r = r.after_visit(84, VisitReadout(2.0))                  # down: 0.25 (minimum)
    assert [e.dose_mg for e in r.log] == pytest.approx([0.75, 0.5, 0.25])
    assert [(s.dose_mg, s.start_day, s.stop_day) for s in r.realised.schedules] == [
        (0.5, 0, 28), (0.75, 28, 56), (0.5, 56, 84), (0.25, 84, 100)]
    r = r.after_visit(112, VisitReadout(30.0))                # drug stopped on day 100: nothing to step
    assert r.realised.schedules[-1].stop_day == 100 and len(r.log) == 3
    r2 = base.with_policy((rule, SwitchPolicy("pregabalin", when="mpi_positive", washout_days=2)))
    r2 = r2.after_visit(28, VisitReadout(20.0, mpi_positive=True))
    assert r2.day_switched == 28 and r2.log[-1].switched and r2.log[-1].dose_mg == 0.0
    assert [(s.drug, s.start_day, s.stop_day) for s in r2.realised.schedules] == [
        ("ropinirole", 0, 28), ("pregabalin", 30, None)]
    assert r2.after_visit(56, VisitReadout(40.0, True, True)) is r2   # once switched, no rule acts
    # every_weeks thins the dose decisions at visits 4 weeks apart; alone, it sets the visits
    r3 = base.with_policy(DosePolicy(15, 0.25, every_weeks=8), every_weeks=4)
    assert r3.after_visit(28, VisitReadout(30.0)) is r3 and r3.after_visit(56, VisitReadout(30.0)) is not r3
    assert base.with_policy(DosePolicy(15, 0.25, every_weeks=2)).visit_days(50) == [14, 28, 42]
