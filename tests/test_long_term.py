"""Issue 22: the persistent, pulsatility-driven sensitization, the randomised-withdrawal scoring, the tiers
(practice tier), the long-term scorecard rows and the long_term experiment."""
import math

import numpy as np
import pytest

import rlsmodel
from rlsmodel import trial
from rlsmodel.pharmacology import reference_regimen


#: the withdrawal-driven persistent sensitization is off by default (decision 34); these tests switch it on
#: and the drug-pulse sensitization of decision 47 (on by default, tests/test_drug_pulse_sensitization.py)
#: off, so that they test the old form alone
ON = {"d2_persistent_gain": 0.03, "d2_drug_sensitization_gain": 0.0}


@pytest.fixture(scope="module")
def model():
    return rlsmodel.Model()


def test_off_by_default_so_the_default_model_is_unchanged(model):
    assert model.parameters["d2_persistent_gain"].default == 0.0
    ds = model.simulate(days=120, profile="rls_genetic", regimen=reference_regimen("levodopa", dose=200.0),
                        keep=["d2_persistent_sensitization"])
    assert float(abs(ds.d2_persistent_sensitization).max()) < 1e-12


def _one_year(model, drug, dose):
    ds = model.simulate(days=365, profile="rls_genetic", regimen=reference_regimen(drug, dose=dose), params=ON,
                        keep=["d2_persistent_sensitization", "d2_withdrawal", "d2_stimulation",
                              "d2_stimulation_mean"])
    return ds


def test_declared_with_sources(model):
    for name in ("k_d2_stimulation_mean", "d2_withdrawal_threshold", "d2_withdrawal_sharpness",
                 "d2_persistent_gain", "k_d2_persistent_decay", "d2_persistent_max", "d2_persistent_reserve"):
        p = model.parameters[name]
        assert p.source and p.unit and p.range[0] <= p.default <= p.range[1], name


def test_untreated_patient_does_not_build_it(model):
    ds = model.simulate(days=365, profile="rls_genetic", params=ON,
                        keep=["d2_persistent_sensitization", "d2_withdrawal"])
    # the untreated circadian dip stays below the withdrawal threshold
    assert float(ds.d2_withdrawal.max()) < model.parameters["d2_withdrawal_threshold"].default
    assert float(ds.d2_persistent_sensitization.max()) < 0.01


def test_running_mean_tracks_stimulation(model):
    ds = _one_year(model, "pramipexole", 0.25)
    late = ds.sel(time=slice(300, 307))
    assert float(late.d2_stimulation_mean.mean()) == pytest.approx(float(late.d2_stimulation.mean()), rel=0.02)


def test_pulsatile_delivery_drives_it_flat_delivery_does_not(model):
    """Levodopa > oral agonists >> patch and pregabalin (intermittent versus continuous stimulation)."""
    p = {(d, dose): float(_one_year(model, d, dose).d2_persistent_sensitization[-1])
         for d, dose in (("levodopa", 200.0), ("pramipexole", 0.25), ("ropinirole", 2.0),
                         ("rotigotine", 2.0), ("pregabalin", 300.0))}
    assert p[("levodopa", 200.0)] > p[("pramipexole", 0.25)] > 5 * p[("rotigotine", 2.0)]
    assert p[("ropinirole", 2.0)] > 5 * p[("rotigotine", 2.0)]
    assert p[("pregabalin", 300.0)] < 0.2 * p[("pramipexole", 0.25)]
    assert max(p.values()) <= model.parameters["d2_persistent_max"].default


def test_still_growing_after_the_first_year(model):
    """The slow process keeps accumulating over years (Silver et al. 2011): not settled at week 52."""
    ds = model.simulate(days=3 * 365, profile="rls_genetic", regimen=reference_regimen("pramipexole", dose=0.25),
                        params=ON, keep=["d2_persistent_sensitization"])
    y1, y3 = (float(ds.d2_persistent_sensitization.sel(time=t, method="nearest")) for t in (365, 3 * 365))
    assert y3 > 1.3 * y1 > 0


def test_outlasts_stopping(model):
    """After stopping, the persistent part decays over years, the fast tolerance over weeks."""
    regimen = rlsmodel.Regimen.daily("levodopa", 200.0, 21.0, stop_day=365)
    ds = model.simulate(days=365 + 120, profile="rls_genetic", regimen=regimen, params=ON,
                        keep=["d2_persistent_sensitization", "d2_tolerance"])
    at_stop = ds.sel(time=366, method="nearest")
    later = ds.sel(time=365 + 120, method="nearest")
    assert float(later.d2_tolerance) < 0.05 * float(at_stop.d2_tolerance)
    k = model.parameters["k_d2_persistent_decay"].default
    expected = float(at_stop.d2_persistent_sensitization) * math.exp(-k * 119)
    assert float(later.d2_persistent_sensitization) == pytest.approx(expected, rel=0.05)


# -- randomised withdrawal scoring ------------------------------------------------------------
def _scorer(withdrawal_week):
    return trial.TrialScorer(seed=1, start_day=28, weeks=20, visit_every_weeks=4, withdrawal_week=withdrawal_week)


def test_day_worsened_counts_the_recall_week():
    irls = np.full(28 + 140, 10.0)
    end = 28 + 7 * 10
    irls[end:] = 20.0                       # symptoms back in full the first day after week 10
    # weekly mean reaches +6 when 5 of its 7 days are worse: 10 + 10 * 5/7 = 17.1 >= 16
    assert _scorer(10)._day_worsened(irls, 28) == 5.0
    irls[end:] = 14.0                       # a 4-point rise never counts
    assert math.isnan(_scorer(10)._day_worsened(irls, 28))
    assert math.isnan(_scorer(None)._day_worsened(irls, 28))


def test_withdrawal_summary_median_counts_never_as_infinite():
    days = np.array([[3.0, 5.0, 9.0, np.nan], [np.nan, np.nan, np.nan, 4.0]])
    ok = np.ones_like(days, bool)
    out = trial._withdrawal_summary(days, ok, 26)
    assert out["worsened_incidence"][1].tolist() == [0.75, 0.25]
    assert out["median_days_to_worsening"][1][0] == 7.0 and math.isinf(out["median_days_to_worsening"][1][1])


def test_withdrawal_week_must_fall_inside_the_trial():
    with pytest.raises(ValueError, match="withdrawal_week"):
        rlsmodel.virtual_trial({"a": None}, n=1, weeks=4, withdrawal_week=4)


# -- issue 22 items 3 and 7: the practice tier, the long-term rows and the experiment ------------------
from rlsmodel import clinical  # noqa: E402
from rlsmodel.validation.checks import long_term as lt  # noqa: E402
from rlsmodel.validation.protocol import population_arm  # noqa: E402


def test_practice_tier_equals_clinically_relevant_at_a_fixed_dose():
    mpi = np.zeros(7 * 16, bool)
    mpi[7 * 6:7 * 12] = True                     # criteria on every day of weeks 7-12
    verdict = clinical.adjudicate(mpi, clinical.visit_weeks(16, 4))
    assert verdict.relevant == (False, False, True, False)
    assert clinical.needs_change(verdict) == verdict.relevant
    assert clinical.first_practice_day(verdict) == verdict.first_relevant_day == 84.0


def test_practice_tier_needs_the_maximum_dose_throughout_the_persistence_window():
    mpi = np.zeros(7 * 16, bool)
    mpi[7 * 6:] = True                           # relevant at the visits of weeks 12 and 16
    verdict = clinical.adjudicate(mpi, clinical.visit_weeks(16, 4))
    at_max_daily = np.zeros(7 * 16, bool)
    at_max_daily[7 * 10:] = True                 # the dose reached its maximum at week 11
    at_max = clinical.at_maximum_by_visit(verdict.weeks, at_max_daily)
    assert at_max == (False, False, False, True)
    assert clinical.needs_change(verdict, at_max) == (False, False, False, True)
    assert clinical.first_practice_day(verdict, at_max) == 112.0
    assert clinical.at_maximum_by_visit(verdict.weeks) == (True,) * 4
    with pytest.raises(ValueError, match="visits"):
        clinical.needs_change(verdict, (True,))


def _fake_trial(days_by_arm, weeks=260, n=100, tier_var="day_met_practice", extra=None):
    """A Dataset shaped like virtual_trial's output: per arm, the first-visit days of the given
    patients (the rest never), n patients, all eligible and ok."""
    import xarray as xr
    arms = list(days_by_arm)
    day = np.full((len(arms), n), np.nan)
    for i, a in enumerate(arms):
        d = np.asarray(days_by_arm[a], dtype=float)
        day[i, :d.size] = d
    data = {"status": (("arm", "patient"), np.full((len(arms), n), "ok")),
            "eligible": ("patient", np.ones(n, bool)),
            "n_evaluated": ("arm", np.full(len(arms), n))}
    for var in ("day_met", "day_met_clinically_relevant", "day_met_practice", "day_met_biological"):
        data[var] = (("arm", "patient"), day.copy() if var == tier_var else np.full((len(arms), n), np.nan))
    data.update(extra or {})
    return xr.Dataset(data, coords={"arm": arms, "patient": np.arange(n)}, attrs={"weeks": weeks, "seed": 1})


def test_life_table_rates_count_new_cases_over_patients_at_risk():
    # 10 cases in year 1, then 9, 8, 8, 7 in years 2-5 (of 100 patients)
    days = [100] * 10 + [400] * 9 + [800] * 8 + [1100] * 8 + [1500] * 7
    ds = _fake_trial({"a": days})
    new, risk = lt.yearly_counts(ds, "a", "augmented_practice", 5)
    assert new == [10, 9, 8, 8, 7] and risk == [100, 90, 81, 73, 65]
    rate = lt.annual_rate(ds, "a", "augmented_practice", first_year=2)
    assert rate.k == 32 and rate.n == 90 + 81 + 73 + 65
    assert lt.cumulative(ds, "a", "augmented_practice", 364).p == pytest.approx(0.10)


def test_agonist_row_passes_on_a_steady_rate_and_fails_when_cases_stop_after_year_one():
    steady = [100] * 6 + [400] * 7 + [800] * 7 + [1100] * 6 + [1500] * 6
    arms = {population_arm("pramipexole"): steady, population_arm("ropinirole"): steady}
    obs = lt.agonists_after_first_year(_fake_trial(arms))
    assert 4.0 <= obs.value <= 10.0 and all(obs.checks.values()), obs
    stopped = {a: [100] * 10 for a in arms}               # the model before issue 22: nothing after year 1
    obs = lt.agonists_after_first_year(_fake_trial(stopped))
    assert obs.value == 0.0 and not all(obs.checks.values())


def test_patch_pregabalin_and_levodopa_rows():
    arms = {population_arm("pramipexole"): [400] * 20, population_arm("ropinirole"): [400] * 20,
            population_arm("rotigotine"): [400] * 5, population_arm("pregabalin"): [1000] * 2}
    ds = _fake_trial(arms)
    patch = lt.patch_below_oral(ds)
    assert patch.value == pytest.approx(5.0) and all(patch.checks.values())
    assert lt.pregabalin_rate(ds).value < 1.0
    lev = _fake_trial({population_arm("levodopa"): [60] * 40 + [500] * 20}, tier_var="day_met_biological")
    obs = lt.levodopa_two_years(lev)
    assert obs.value == pytest.approx(60.0) and obs.accepted[0] < 60.0


def test_drug_versus_placebo_row_reads_week_26():
    arms = {population_arm("pramipexole"): [28] * 9, population_arm("pramipexole_high"): [28] * 9 + [300] * 5,
            "placebo": [56] * 6}
    obs = lt.drug_vs_placebo_26_weeks(_fake_trial(arms, weeks=52, tier_var="day_met"))
    assert obs.value == pytest.approx(3.0)                # 9% against 6%: cases after week 26 do not count


def test_short_trial_records_the_practice_tier_and_noise_free_day():
    ds = rlsmodel.virtual_trial({"levodopa": reference_regimen("levodopa")}, n=2, weeks=8, seed=3, placebo=False,
                                workers=1)
    for var in ("augmented_practice", "day_met_practice", "day_met_biological", "practice_incidence"):
        assert var in ds, var
    # a fixed dose is always the maximum: the practice tier is the clinically relevant one
    np.testing.assert_array_equal(ds["augmented_practice"].values, ds["augmented"].values)


def test_long_term_experiment_writes_its_figures_and_table(tmp_path):
    from rlsmodel import experiments
    module = experiments.load("long_term")
    result = module.run(tmp_path, n=2, years=2, patient_years=0.1, workers=1)
    assert sorted(p.name for p in result.paths) == sorted(module.OUTPUT_NAMES)
    for figure in module.FIGURES:
        assert (tmp_path / figure).stat().st_size > 10_000
    text = (tmp_path / module.TABLE_MD).read_text()
    assert text.startswith("<!-- rlsmodel-model:") and "| arm | tier | n | year 1 | year 2 |" in text
    rows = result.tables["long_term"]
    assert {r["tier"] for r in rows} == set(module.TIERS.values())
    assert len(rows) == 3 * (len(module.ARMS) + len(module.POLICY_ARMS) + 1)
    assert [r["arm"] for r in result.tables["doses"]] == [f"{a}{module.POLICY_SUFFIX}" for a in ("pramipexole 0.25 mg", "ropinirole 2 mg")]
    with pytest.raises(ValueError, match="persistent_gain"):
        module.run(tmp_path / "x", persistent_gain=2.0)
    with pytest.raises(ValueError, match="long_horizon"):
        module.run(tmp_path / "x", long_horizon="envelop")
    assert not (tmp_path / "x").exists()


def test_long_term_experiment_trial_runs_on_the_envelope_unless_asked_exact(monkeypatch, tmp_path):
    """The 5-year trial runs on cvode's envelope by default (decision 54: the exact path's yearly
    counts at n = 300, a third of the cost), and on the exact path with ``long_horizon="exact"``
    (``--exact``)."""
    from rlsmodel.engines.base import default_engine
    from rlsmodel.experiments import long_term
    assert default_engine() == "cvode"          # CI installs the fast extra: the envelope is available
    env = long_term.model_for(long_horizon="envelope")
    assert env.settings.engine == "cvode" and dict(env.settings.engine_options)["long_horizon"] == "envelope"
    exact = long_term.model_for(long_horizon="exact")
    assert exact.settings.options().get("long_horizon", "exact") == "exact"
    if env.settings.engine == rlsmodel.Model().settings.engine:   # model_for(): the default solver (decision 60)
        assert long_term.model_for().settings.options() == rlsmodel.Model().settings.options()
    seen = {}

    def trial(regimens, **kw):
        seen.update(kw)
        raise RuntimeError("stop here")
    monkeypatch.setattr(long_term, "virtual_trial", trial)
    for horizon in ("envelope", "exact"):
        with pytest.raises(RuntimeError, match="stop here"):
            long_term.main(["-o", str(tmp_path / "out")] + (["--exact"] if horizon == "exact" else []))
        assert seen["n"] == 200
        assert seen["model"].settings.options().get("long_horizon", "exact") == horizon


def test_long_term_experiment_refuses_an_existing_output_before_computing(tmp_path, monkeypatch):
    from rlsmodel.experiments import long_term

    def fail(*args, **kwargs):
        raise AssertionError("computed before checking the outputs")
    monkeypatch.setattr(long_term, "virtual_trial", fail)
    (tmp_path / long_term.FIGURE).write_bytes(b"mine")
    with pytest.raises(FileExistsError, match="--overwrite"):
        long_term.run(tmp_path)
    assert (tmp_path / long_term.FIGURE).read_bytes() == b"mine"


def test_practice_tier_reads_the_dose_a_policy_gave():
    """Under a DosePolicy the practice tier counts only days at the policy's maximum."""
    import dataclasses
    import json
    from rlsmodel import DosePolicy, Regimen
    from rlsmodel import trial_policies
    rule = DosePolicy(threshold_irls=15, step_mg=0.125, maximum_mg=0.5)
    start = Regimen.daily("pramipexole", 0.25, 21.0)
    assert trial_policies.maximum_dose(start, (rule,)) == 0.5
    assert trial_policies.maximum_dose(start, ()) is None
    assert trial_policies.maximum_dose(start, (DosePolicy(threshold_irls=15, step_mg=0.125),)) == 0.75   # label
    B = 28
    given = (Regimen.daily("pramipexole", 0.25, 21.0, start_day=B, stop_day=B + 29)
             + Regimen.daily("pramipexole", 0.5, 21.0, start_day=B + 29))          # stepped up at the week-4 visit

    class Run:
        attrs = {"regimen_realised": json.dumps({"schedules": [dataclasses.asdict(s) for s in given.schedules]})}
    scorer = trial.TrialScorer(1, B, 12, 4)
    scorer.maxima = [0.5, None]
    flags = scorer.at_maximum_daily(Run(), {"arm": 0}, 84)
    assert not flags[:29].any() and flags[29:].all()
    assert scorer.at_maximum_daily(Run(), {"arm": 1}, 84) is None
    at_max = clinical.at_maximum_by_visit((4, 8, 12), flags)
    assert at_max == (False, False, True)       # week 8's window (days 28-55) starts before the step


def test_a_policy_trial_keeps_its_placebo_arm():
    """A placebo arm beside arms with visit rules is scored (its run records no JSON regimen)."""
    from rlsmodel import DosePolicy
    ds = rlsmodel.virtual_trial({"pramipexole": reference_regimen("pramipexole")}, n=2, weeks=4, seed=7, workers=1,
                                policies={"pramipexole": DosePolicy(threshold_irls=15, step_mg=0.125)})
    assert (ds["status"].sel(arm="placebo").values == "ok").all()
    assert (ds["dose_mg"].sel(arm="placebo").values == 0).all()


def test_median_patient_on_rising_doses_augments_years_later(model):
    """The slow course: the median patient helped for years while the pramipexole dose rises along
    Silber et al. 2003's slope, then augmented (worse than baseline, onset hours earlier) once the
    persistent sensitization has lowered the threshold under the 0.625-0.75 mg peaks; at a fixed
    0.25 mg nothing drifts (decision 43)."""
    from rlsmodel import outcomes
    from rlsmodel.experiments.long_term import rising_regimen
    B = 28
    ds = model.simulate(days=B + 364 * 5, profile="rls_genetic", regimen=rising_regimen(5, B), params=ON,
                        sample_every_hours=1.0)
    daily = outcomes.daily(ds)
    irls, onset, day = daily["irls"].values, daily["onset_hour"].values, daily["day"].values

    def year(y, v):
        sel = (day >= B + 364 * (y - 1) + 300) & (day < B + 364 * y)      # the last weeks of year y
        return float(np.nanmean(v[sel]))
    base_irls = float(np.mean(irls[day < B]))
    base_onset = float(np.nanmean(onset[day < B]))
    assert year(2, irls) < base_irls - 10                    # years of benefit first
    assert year(5, irls) > base_irls + 3                     # then worse than before treatment
    assert base_onset - year(5, onset) >= 2.0                # with symptoms starting hours earlier
    assert float(ds["d2_persistent_sensitization"][-1]) > 0.3


def test_long_term_policy_rule_can_be_slowed():
    """The policy arms' threshold and decision spacing are options of the experiment (slow rises)."""
    from rlsmodel.experiments import long_term
    regimens, policies = long_term.arms(True, threshold_irls=20, every_weeks=12)
    assert policies and all(r.threshold_irls == 20 and r.every_weeks == 12 for r in policies.values())
    steps = {name.split()[0]: r.step_mg for name, r in policies.items()}
    assert steps == {"pramipexole": 0.125, "ropinirole": 0.5}            # steps kept from POLICY_ARMS
    _, default = long_term.arms(True)
    assert all(r.threshold_irls == 15 and r.every_weeks == 12 for r in default.values())   # decision 57
    text = long_term.dose_markdown([{"arm": "pramipexole + DosePolicy", "year_0": 0.25, "year_1": 0.375,
                                     "month_27": 0.5}], 20, 12)
    assert "IRLS > 20 at a visit every 12 weeks" in text
    for bad in ({"policy_every_weeks": 6}, {"policy_every_weeks": 0}, {"policy_threshold_irls": -1},
                {"policy_threshold_irls": "20"}):
        with pytest.raises(ValueError, match="policy_"):
            long_term.run("/nonexistent-never-written", n=2, years=1, **bad)
