"""Issue 13, "the iron axis answers iron": set points computed from the healthy steady state,
the endothelial store released under brain-side control, the macrophage ferritin store behind
the serum-ferritin spike after an infusion, and transferrin saturation after repletion.

Published numbers used here: 1000 mg ferric carboxymaltose in iron-replete adults (BMJ Open
Respir Res 2020;7:e000577): transferrin saturation 31 -> 65% at week 1 -> 38% at week 8,
serum ferritin 96 -> 1150 -> 395 ug/L. The IRLS effects are in tests/test_iron_therapy.py.
"""
from __future__ import annotations

import numpy as np
import pytest

import rlsmodel
from rlsmodel import Regimen
from rlsmodel.set_points import SetPointError

IV_DAY = 28
IV = Regimen.once("ferric_carboxymaltose", 1000.0, IV_DAY, 10.0)


def _relative_readouts(model):
    """Every state and observable documented as '1 = healthy'."""
    names = [n for n, s in model.states.items() if "1 = healthy" in (s.long_name + s.description)]
    names += [n for n, o in model.observables.items() if "1 = healthy" in (o.long_name + o.description)]
    return names


@pytest.mark.parametrize("augmentation", ["d2_tolerance", "d3_d1_spinal"])
def test_every_one_equals_healthy_readout_is_one_in_healthy(augmentation):
    model = rlsmodel.Model(augmentation=augmentation)
    names = _relative_readouts(model)
    assert {"hepcidin", "tfr_bbb", "hif_endothelial", "hif", "irp_activity", "d2_density", "d2_signal",
            "dopaminergic_signal", "myelin", "excitability", "isf_apo_holo_ratio"} <= set(names)
    ss = model.steady_state("healthy")
    off = {n: float(ss[n]) for n in names if abs(float(ss[n]) - 1.0) > 1e-6}
    assert not off, off


def test_set_points_are_recomputed_when_another_parameter_changes():
    """Changing a parameter that moves the healthy state moves the set points with it, so the
    '1 = healthy' readouts stay 1 (the point of computing them)."""
    base = rlsmodel.Model()
    changed = base.with_defaults({"k_csf_drainage": 0.8, "bbb_uptake_vmax": 0.5})
    ss = changed.steady_state("healthy")
    assert changed.parameters["interstitial_iron_ref"].default == pytest.approx(float(ss["fe_interstitial"]), rel=1e-8)
    assert (changed.parameters["interstitial_iron_ref"].default
            != pytest.approx(base.parameters["interstitial_iron_ref"].default, rel=1e-3))
    for name in _relative_readouts(changed):
        assert float(ss[name]) == pytest.approx(1.0, abs=1e-6), name
    assert "set point computed when the model is built" in changed.parameters["labile_iron_ref"].source


def test_a_set_point_cannot_be_given_a_default():
    with pytest.raises(ValueError, match="set point"):
        rlsmodel.Model(parameter_defaults={"labile_iron_ref": 0.3})
    with pytest.raises(ValueError, match="set point"):
        rlsmodel.Model(profile_overrides={"rls_genetic": {"endothelial_iron_ref": 0.2}})


def test_set_point_outside_its_range_is_refused():
    # neurons that import almost nothing at healthy interstitial iron leave the labile pool far
    # below the declared range of its set point: a declaration error, not a silent model
    with pytest.raises(SetPointError, match="labile_iron_ref"):
        rlsmodel.Model(parameter_defaults={"neuron_import_vmax": 0.2, "neuron_import_km": 5.0})


def test_iron_poor_brain_draws_the_endothelial_store_faster(model, steady):
    """Brain-side control: the endothelial store turns over faster when the interstitium is
    iron-poor (apo-/holo-transferrin signal up) and slower in overload."""
    def turnover(profile):
        s = steady(profile)
        return float(s["bbb_iron_release"]) / float(s["fe_endothelium"])
    h = turnover("healthy")
    assert turnover("severe_iron_deficiency") > 1.5 * h
    assert turnover("rls_genetic") > 1.1 * h
    assert turnover("iron_overload") < 0.9 * h


def test_constitutive_release_hypothesis_switches_off_brain_control(steady):
    const = rlsmodel.Model(iron_release="constitutive")
    assert const.parameters["bbb_release_brain_gain"].default == 0.0
    s = const.steady_state("severe_iron_deficiency")
    assert float(s["isf_apo_holo_ratio"]) > 1.0                        # the brain is iron-poor ...
    h = const.steady_state("healthy")
    ratio = (float(s["bbb_iron_release"]) / float(s["fe_endothelium"])
             / (float(h["bbb_iron_release"]) / float(h["fe_endothelium"])))
    assert ratio == pytest.approx(1.0, rel=1e-9)                      # ... but the store does not hear it
    # so the barrier compensates less: TfR1 rises less in severe deficiency
    regulated = steady("severe_iron_deficiency")
    assert float(s["tfr_bbb"]) < float(regulated["tfr_bbb"])
    ds = const.simulate(1, "healthy", sample_every_hours=12)
    assert ds.attrs["iron_release"] == "constitutive"
    with pytest.raises(ValueError, match="iron_release"):
        rlsmodel.Model(iron_release="passive")


@pytest.fixture(scope="module")
def replete_infusion(model):
    return model.simulate(IV_DAY + 63, "healthy", regimen=IV, sample_every_hours=2.0)


def _week_mean(ds, name, day):
    t = ds["time"].values
    sel = (t >= day - 3.5) & (t < day + 3.5)
    return float(ds[name].values[sel].mean())


def test_infusion_in_an_iron_replete_adult_matches_the_trial(replete_infusion):
    """BMJ Open Respir Res 2020;7:e000577 (mean +/- SD): saturation 64.9 +/- 24.3% at week 1,
    38.2 +/- 12.4% at week 8; ferritin 1150 at week 1, a third of it by week 8."""
    ds = replete_infusion
    t0 = IV_DAY + 10 / 24
    pre = _week_mean(ds, "transferrin_saturation", t0 - 7)
    w1, w8 = _week_mean(ds, "transferrin_saturation", t0 + 7), _week_mean(ds, "transferrin_saturation", t0 + 56)
    assert 40.6 <= w1 <= 89.2 and 25.8 <= w8 <= 50.6 and w8 < w1, (pre, w1, w8)
    f1, f8 = _week_mean(ds, "serum_ferritin", t0 + 7), _week_mean(ds, "serum_ferritin", t0 + 56)
    assert 500 <= f1 - _week_mean(ds, "serum_ferritin", t0 - 7) <= 2000
    assert 0.15 <= f8 / f1 <= 0.70
    # the spike is macrophage ferritin: most of the infused iron sits there at week 1, a
    # fraction of it by week 8, while hepatocyte stores take it up
    assert _week_mean(ds, "fe_macrophage_store", t0 + 7) > 600
    assert _week_mean(ds, "fe_stores", t0 + 56) > _week_mean(ds, "fe_stores", t0 - 7) + 200


def test_a_loading_pulse_reaches_the_brain_over_weeks(model):
    """After an infusion in iron-deficient RLS, iron released into the brain stays raised for
    weeks (the macrophage store feeds transferrin, the endothelial store hands it on), and the
    brain's interstitial and neuronal labile iron rise within days and stay up past week 4."""
    ds = model.simulate(IV_DAY + 42, "rls_iron_deficient", regimen=IV, sample_every_hours=2.0)
    base = {n: _week_mean(ds, n, IV_DAY - 4) for n in ("bbb_iron_release", "fe_interstitial", "fe_neuron_labile",
                                                         "fe_endothelium")}
    for week in (1, 4):
        t = IV_DAY + 7 * week
        assert _week_mean(ds, "bbb_iron_release", t) > 1.3 * base["bbb_iron_release"], week
        assert _week_mean(ds, "fe_interstitial", t) > 1.15 * base["fe_interstitial"], week
        assert _week_mean(ds, "fe_neuron_labile", t) > 1.05 * base["fe_neuron_labile"], week
    assert _week_mean(ds, "fe_endothelium", IV_DAY + 7) > 1.3 * base["fe_endothelium"]


def test_saturation_after_repletion_is_normal_despite_continuing_blood_loss(model):
    """A person with stores is not iron deficient in the blood: weeks 8-26 after 1000 mg in
    rls_iron_deficient (blood loss continues), weekly mean saturation inside 20-45% with a margin."""
    ds = model.simulate(IV_DAY + 182, "rls_iron_deficient", regimen=IV, sample_every_hours=3.0)
    weekly = [_week_mean(ds, "transferrin_saturation", IV_DAY + 7 * w + 3.5) for w in range(8, 26)]
    assert min(weekly) >= 22.0 and max(weekly) <= 43.0, (min(weekly), max(weekly))
    assert float(ds["storage_iron"].values[-1]) > 300.0


@pytest.mark.parametrize("profile", sorted(rlsmodel.profiles.PROFILES))
def test_every_built_in_profile_lies_inside_the_declared_ranges(model, profile):
    """A documented profile is a calibrated situation, not an extrapolation: none of its
    overrides may leave its parameter's declared range (no ParameterRangeWarning)."""
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error", rlsmodel.ParameterRangeWarning)
        ds = model.simulate(0.5, profile, sample_every_hours=6)
    assert ds.attrs["parameters_outside_range"] == "{}"
