"""Issue 22: the persistent, pulsatility-driven sensitization and the randomised-withdrawal scoring."""
import math

import numpy as np
import pytest

import rlsmodel
from rlsmodel import trial
from rlsmodel.pharmacology import reference_regimen


#: the persistent sensitization is off by default (decision 34); these tests switch it on
ON = {"d2_persistent_gain": 0.03}


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
