"""Virtual populations and virtual trials: reproducibility, domains, documented means, bad input."""
from __future__ import annotations

import numpy as np
import pytest

import rlsmodel
from rlsmodel import populations
from rlsmodel import trial
from rlsmodel.pharmacology import reference_dose, reference_regimen

# Allen et al. 2014's arms: pramipexole 0.5 mg (its higher arm, twice the table's reference) as a
# Regimen, pregabalin at the drug table's reference dose (300 mg) as a dict regimen
ARMS = {"pramipexole 0.5 mg": reference_regimen("pramipexole", dose=0.5),
        "pregabalin 300 mg": {"drug": "pregabalin", "dose_mg": reference_dose("pregabalin")[0]}}


# -- population (no simulation) ------------------------------------------------------------------
def test_population_is_lazy_callable_and_reproducible(model):
    # the package attribute is the module and calling it draws the population (and the
    # lazy function attribute is the trial function itself)
    assert rlsmodel.population is populations.population and rlsmodel.virtual_trial is trial.virtual_trial
    a = rlsmodel.population(10, seed=7, model=model)
    assert a.identical(populations.population(10, seed=7, model=model))
    b = rlsmodel.population(10, seed=7, model=model)
    assert a.identical(b)
    c = rlsmodel.population(10, seed=8, model=model)
    assert not np.array_equal(a["bbb_uptake_gain"].values, c["bbb_uptake_gain"].values)


def test_patient_i_is_the_same_whatever_n(model):
    small = rlsmodel.population(5, seed=3, model=model)
    large = rlsmodel.population(10, seed=3, model=model)
    import xarray as xr
    xr.testing.assert_identical(small.drop_attrs(), large.isel(patient=slice(0, 5)).drop_attrs())


def test_population_has_units_and_spread_variables(model):
    pop = rlsmodel.population(4, seed=0, model=model)
    params = populations.varied_parameters(pop)
    assert {"bbb_uptake_gain", "neuron_uptake_gain", "diet_iron", "blood_loss", "k_d2",
            "d2_adapt_exponent", "symptom_signal_threshold"} <= set(params)
    assert "k_d1_upregulation" not in pop                    # only with the spinal mechanism
    for name in params:
        assert pop[name].attrs["units"] == model.parameters[name].unit
        assert pop[name].attrs["source"]
    for name in ("symptom_noise_sd", "placebo_response"):
        assert pop[name].dims == ("patient",) and pop[name].attrs["kind"] == "reporting"


def test_each_mechanism_adds_its_own_susceptibility_without_changing_the_rest():
    d2 = rlsmodel.population(20, seed=5)
    spinal = rlsmodel.population(20, seed=5, augmentation="d3_d1_spinal")
    assert "k_d1_upregulation" in spinal and "d1_upregulation_gain" in spinal
    assert "d2_sensitization_gain" in d2 and "d2_sensitization_gain" not in spinal
    assert "d2_persistent_gain" in d2 and "d2_persistent_gain" not in spinal     # issue 22
    assert "d2_drug_sensitization_gain" in d2 and "d2_drug_sensitization_gain" not in spinal   # decision 47
    shared = set(d2.data_vars) & set(spinal.data_vars)
    assert shared == set(d2.data_vars) - {"d2_sensitization_gain", "d2_persistent_gain", "d2_drug_sensitization_gain"}
    for name in shared:
        np.testing.assert_array_equal(d2[name].values, spinal[name].values)


@pytest.mark.parametrize("profile", ["rls_genetic", "iron_deficient"])
def test_values_stay_in_declared_domains_and_ranges(model, profile):
    pop = rlsmodel.population(3000, seed=11, profile=profile, model=model)
    for name in populations.varied_parameters(pop):
        par = model.parameters[name]
        low, high = par.range
        v = pop[name].values
        assert np.all(v >= low) and np.all(v <= high), name
        for x in (v.min(), v.max()):
            par.check_value(x)
    lo, hi = populations.NOISE_RANGE
    assert np.all((pop["symptom_noise_sd"] >= lo) & (pop["symptom_noise_sd"] <= hi))
    lo, hi = populations.PLACEBO_RANGE
    assert np.all((pop["placebo_response"] >= lo) & (pop["placebo_response"] <= hi))


def test_sample_means_match_the_documented_distributions(model):
    n = 20000
    pop = rlsmodel.population(n, seed=2, model=model)
    table = model.parameters
    assert abs(pop["risk_allele_carrier"].mean() - populations.CARRIER_PROBABILITY) < 0.02
    for name in populations.varied_parameters(pop) + ["symptom_noise_sd", "placebo_response"]:
        v = pop[name].values
        expected = populations.expected_mean(name, "rls_genetic", table)
        se = v.std(ddof=1) / np.sqrt(n)
        assert abs(v.mean() - expected) <= 4.5 * se, (name, v.mean(), expected)   # se = 0: a process switched off
    assert abs(pop["placebo_response"].mean() + 6.6) < 0.2          # Silva et al. 2017
    assert abs(np.mean(pop["blood_loss"].values > 0) - populations.BLOOD_LOSS_PROBABILITY) < 0.02


def test_population_bad_input(model):
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="n must be"):
            rlsmodel.population(bad, seed=0, model=model)
    with pytest.raises(ValueError, match="seed"):
        rlsmodel.population(3, seed=-1, model=model)
    with pytest.raises(ValueError, match="unknown profile"):
        rlsmodel.population(3, seed=0, profile="nope", model=model)


# -- scoring helpers (no simulation) ---------------------------------------------------------------
def test_wilson_interval_contains_the_estimate():
    for k, m in ((0, 10), (1, 10), (5, 10), (10, 10), (3, 200)):
        lo, hi = trial.wilson_interval(k, m)
        assert 0.0 <= lo <= k / m <= hi <= 1.0
    lo, hi = trial.wilson_interval(0, 0)
    assert np.isnan(lo) and np.isnan(hi)


def test_daily_fluctuation_is_per_patient_and_prefix_stable():
    a = trial.daily_fluctuation(1, 4, 50)
    b = trial.daily_fluctuation(1, 4, 120)
    np.testing.assert_array_equal(a, b[:50])
    assert not np.array_equal(a, trial.daily_fluctuation(1, 5, 50))
    long = trial.daily_fluctuation(0, 0, 20000)
    assert abs(long.std() - 1.0) < 0.05
    assert abs(np.corrcoef(long[1:], long[:-1])[0, 1] - trial.NOISE_AUTOCORRELATION) < 0.03


# -- a tiny virtual trial --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def tiny(model):
    return rlsmodel.virtual_trial(ARMS, n=4, weeks=6, seed=3, model=model)


def test_tiny_trial_shape_and_reproducible(tiny, model):
    assert list(tiny["arm"].values) == ["pramipexole 0.5 mg", "pregabalin 300 mg", "placebo"]
    assert tiny.sizes["patient"] == 4
    assert (tiny["status"] == "ok").all()
    again = rlsmodel.virtual_trial(ARMS, n=4, weeks=6, seed=3, model=model, chunk_size=5)
    assert again.identical(tiny)


def test_tiny_trial_identical_with_two_workers(tiny, model):
    parallel = rlsmodel.virtual_trial(ARMS, n=4, weeks=6, seed=3, model=model, workers=2)
    assert parallel.identical(tiny)


def test_incidences_and_intervals(tiny):
    for what, per_patient in (("augmentation", "augmented"), ("mpi_positive", "mpi_positive")):
        inc = tiny[f"{what}_incidence"].values
        np.testing.assert_allclose(inc, tiny[per_patient].mean("patient").values)
        lo = tiny[f"{what}_incidence_ci"].sel(bound="lower").values
        hi = tiny[f"{what}_incidence_ci"].sel(bound="upper").values
        assert np.all(lo <= inc) and np.all(inc <= hi)
    # clinically relevant augmentation is a subset of MPI-positive
    assert np.all(tiny["augmented"].values <= tiny["mpi_positive"].values)
    assert np.all(np.isnan(tiny["irls_change"].sel(timepoint="week_12")))       # weeks < 12
    assert tiny["eligible"].all() and (tiny["n_evaluated"] == 4).all()
    assert np.isfinite(tiny["irls_change"].sel(timepoint="end")).all()


def test_inclusion_criterion_only_changes_the_summaries(tiny, model):
    strict = rlsmodel.virtual_trial(ARMS, n=4, weeks=6, seed=3, model=model, min_baseline_irls=15.0)
    eligible = tiny["baseline_irls"].isel(arm=0).values >= 15.0
    np.testing.assert_array_equal(strict["eligible"].values, eligible)
    np.testing.assert_array_equal(strict["augmented"].values, tiny["augmented"].values)
    assert (strict["n_evaluated"] == eligible.sum()).all()
    if eligible.any():
        np.testing.assert_allclose(strict["mpi_positive_incidence"].values,
                                   tiny["mpi_positive"].values[:, eligible].mean(axis=1))


def test_placebo_arm_is_scored_like_the_others(tiny, model):
    """Placebo: same patients, same reporting noise and placebo term, MPI rule applied."""
    scorer = trial.TrialScorer(3, 28, 6, 4)
    pop = rlsmodel.population(4, seed=3, model=model)
    params = {n: float(pop[n].values[1]) for n in populations.varied_parameters(pop)}
    ds = model.simulate(7 * 10 + 0.25, profile="rls_genetic", params=params)
    import json
    point = {**params, "arm": 2.0, "patient": 1.0, "symptom_noise_sd": float(pop["symptom_noise_sd"][1]),
             "placebo_response": float(pop["placebo_response"][1])}
    ds.attrs["sweep_point"] = json.dumps(point)
    scored = scorer.score(ds)
    # the trial continues each arm from the patient's shared baseline (rlsmodel.trial_runs): it
    # differs from this uninterrupted run by the integrator restart at day 28, about 1e-6
    for name, value in scored.items():
        np.testing.assert_allclose(tiny[name].sel(arm="placebo").values[1], value, rtol=0, atol=1e-5,
                                   equal_nan=True)
    assert scored["augmented_biological"] == 0.0                           # untouched biology
    # the MPI rule sees the noisy series: a large enough fluctuation makes a placebo patient
    # MPI-positive although the biology never changes
    median = model.simulate(7 * 10 + 0.25, profile="rls_genetic")          # the untreated median patient
    hits = 0
    for patient in range(40):
        median.attrs["sweep_point"] = json.dumps({"arm": 2.0, "patient": float(patient),
                                                  "symptom_noise_sd": 6.0, "placebo_response": 0.0})
        hits += trial.TrialScorer(3, 28, 6, 1).score(median)["mpi_positive"]
    assert hits > 0


@pytest.mark.parametrize("kwargs, message", [
    ({"arms": {"x": {"drug": "aspirin", "dose_mg": 100.0}}}, "unknown drug|aspirin"),
    ({"arms": {"x": "pramipexole"}}, "give a rlsmodel.Regimen"),
    ({"arms": {"placebo": None}}, "reserved"),
    ({"arms": {}, "placebo": False}, "no arms"),
    ({"n": 0}, "n must be"),
    ({"weeks": 0}, "weeks must be"),
    ({"weeks": -2}, "weeks must be"),
    ({"baseline_weeks": 0}, "baseline_weeks must be"),
    ({"seed": -1}, "seed must be"),
    ({"min_baseline_irls": 50}, "min_baseline_irls"),
    ({"profile": "nope"}, "unknown profile"),
])
def test_virtual_trial_bad_input_before_any_work(kwargs, message, monkeypatch):
    from rlsmodel import simulator

    def no_work(*a, **k):
        raise AssertionError("work started")
    monkeypatch.setattr(simulator, "model_for", no_work)
    args = {"arms": ARMS, "n": 2, "weeks": 2, **kwargs}
    with pytest.raises(ValueError, match=message):
        rlsmodel.virtual_trial(**args)


def test_daily_fluctuation_is_the_ar1_recursion_bit_for_bit():
    """The vectorised filter gives exactly the day-by-day AR(1) recursion on the same draws."""
    import math
    from rlsmodel.populations import STREAM_DAILY_NOISE
    rho = trial.NOISE_AUTOCORRELATION
    for patient, n in ((0, 1), (3, 2), (7, 400)):
        z = trial.daily_fluctuation(5, patient, n)
        e = np.random.default_rng(np.random.SeedSequence(5, spawn_key=(patient, STREAM_DAILY_NOISE))).standard_normal(n)
        ref = np.empty(n)
        ref[0] = e[0]
        for d in range(1, n):
            ref[d] = rho * ref[d - 1] + math.sqrt(1 - rho * rho) * e[d]
        assert np.array_equal(z, ref)
