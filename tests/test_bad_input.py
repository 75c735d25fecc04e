"""Bad input is rejected with a message that names the culprit; nothing is clipped."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest

import rlsmodel


# -- names --------------------------------------------------------------------------------
@pytest.mark.parametrize("typo,right", [("diet_irn", "diet_iron"), ("blood_los", "blood_loss"),
                                        ("bbb_uptake_gian", "bbb_uptake_gain")])
def test_unknown_parameter_names_the_closest_valid_ones(model, typo, right):
    with pytest.raises(ValueError, match=typo) as err:
        model.simulate(1, params={typo: 1.0})
    assert repr(right) in str(err.value)
    with pytest.raises(ValueError, match=right):
        model.steady_state("healthy", params={typo: 1.0})
    with pytest.raises(ValueError, match=right):
        model.resolve_parameters("healthy", {typo: 1.0})


def test_unknown_parameter_far_from_any_name_lists_valid_names(model):
    with pytest.raises(ValueError, match="zzzz") as err:
        model.simulate(1, params={"zzzz": 1.0})
    assert "valid names" in str(err.value) or "did you mean" in str(err.value)


@pytest.mark.parametrize("typo,right", [("rls_genetc", "rls_genetic"), ("helthy", "healthy"),
                                        ("iron_deficent", "iron_deficient")])
def test_unknown_profile_names_the_closest_valid_ones(model, typo, right):
    for call in (lambda: model.simulate(1, profile=typo), lambda: model.steady_state(typo)):
        with pytest.raises(ValueError, match=typo) as err:
            call()
        assert repr(right) in str(err.value)


def test_unknown_model_options_raise(model):
    with pytest.raises(ValueError, match="dat_hypothesis"):
        rlsmodel.Model(dat_hypothesis="sideways")
    with pytest.raises(ValueError, match="augmentation"):
        rlsmodel.Model(augmentation="magic")


def test_params_must_be_a_mapping(model):
    with pytest.raises(ValueError, match="mapping"):
        model.simulate(1, params=[("diet_iron", 5.0)])


# -- values -------------------------------------------------------------------------------
@pytest.mark.parametrize("name,value,why", [
    ("diet_iron", math.nan, "not finite"),
    ("k_store_uptake", math.inf, "not finite"),
    ("bbb_uptake_vmax", -math.inf, "not finite"),
    ("k_store_uptake", -0.1, "> 0"),                 # negative rate constant
    ("k_macrophage_export", 0.0, "> 0"),             # a positive rate cannot be zero
    ("rbc_lifespan", -120.0, "> 0"),
    ("diet_iron", -1.0, ">= 0"),                     # nonnegative input
    ("blood_loss", -0.5, ">= 0"),
    ("absorption_max_fraction", 1.5, "[0, 1]"),      # out-of-domain fractions
    ("extracellular_fraction", -0.01, "[0, 1]"),
    ("bbb_tsat_half", 1.0001, "[0, 1]"),
    ("diet_iron", "lots", "not a number"),
])
def test_invalid_parameter_values_raise_naming_the_parameter(model, name, value, why):
    with pytest.raises(ValueError) as err:
        model.simulate(1, params={name: value})
    msg = str(err.value)
    assert repr(name) in msg and why in msg, msg
    with pytest.raises(ValueError, match=name):
        model.steady_state("healthy", params={name: value})
    with pytest.raises(ValueError, match=name):
        model.parameter_vector("rls_genetic", {name: value})


@pytest.mark.parametrize("kwarg", ["days", "sample_every_hours"])
@pytest.mark.parametrize("value", [0, -1, -0.5, math.nan, math.inf, "ten", None])
def test_non_positive_or_non_finite_durations_raise(model, kwarg, value):
    kwargs = {"days": 1, "sample_every_hours": 1.0, kwarg: value}
    with pytest.raises(ValueError, match=kwarg):
        model.simulate(**kwargs)


def test_unknown_engine_raises(model):
    with pytest.raises(ValueError, match="rk4") as err:
        model.simulate(1, engine="rk4")
    assert "lsoda" in str(err.value) and "scipy" in str(err.value)
    with pytest.raises(ValueError, match="engine"):
        rlsmodel.Model(engine="euler")


@pytest.mark.parametrize("kwarg", ["rtol", "atol"])
@pytest.mark.parametrize("value", [0.0, -1e-8, math.nan])
def test_invalid_solver_tolerances_raise(model, kwarg, value):
    with pytest.raises(ValueError, match=kwarg):
        model.simulate(1, **{kwarg: value})


# -- initial states -------------------------------------------------------------------------
def test_unknown_initial_state_names_the_closest(model):
    with pytest.raises(ValueError, match="fe_plasm") as err:
        model.simulate(1, initial={"fe_plasm": 3.0})
    assert "'fe_plasma'" in str(err.value)


@pytest.mark.parametrize("value", [-1.0, -1e-12, math.nan, math.inf])
def test_invalid_initial_values_are_rejected_not_clipped(model, value):
    with pytest.raises(ValueError, match="fe_stores"):
        model.simulate(1, initial={"fe_stores": value})


def test_initial_must_be_a_mapping_or_dataset(model):
    with pytest.raises(ValueError, match="initial"):
        model.simulate(1, initial=[1.0, 2.0])


# -- nothing is silently clipped ---------------------------------------------------------------
def test_values_outside_the_plausible_range_but_inside_the_domain_are_used_exactly(model):
    """The plausible range is for sweeps, not a clamp: 100 mg/day diet (range 5-30) is
    used as given and recorded in the output's attrs."""
    lo, hi = model.parameters["diet_iron"].range
    assert 100.0 > hi
    values = model.resolve_parameters("healthy", {"diet_iron": 100.0, "blood_loss": 0.0})
    assert values["diet_iron"] == 100.0 and values["blood_loss"] == 0.0
    with pytest.warns(rlsmodel.ParameterRangeWarning, match=r"diet_iron = 100 mg/day .*range 5-30"):
        ds = model.simulate(1, params={"diet_iron": 100.0}, sample_every_hours=24.0)
    assert json.loads(ds.attrs["parameters"])["diet_iron"] == 100.0
    assert json.loads(ds.attrs["parameters_outside_range"]) == {
        "diet_iron": {"value": 100.0, "range": [lo, hi], "unit": "mg/day"}}
    assert json.loads(ds.attrs["parameter_overrides"]) == {"diet_iron": 100.0}
    # and it has an effect (more absorption than at the default)
    ref = model.simulate(1, sample_every_hours=24.0)
    assert ds["iron_intake_total"].values[-1] > ref["iron_intake_total"].values[-1]


def test_initial_values_are_used_exactly(model, steady):
    start = {n: float(steady("healthy")[n]) for n in model.compiled.state_names}
    start["fe_stores"] = 1234.5
    start["myelin"] = 0.0      # zero is allowed and kept (not nudged)
    ds = model.simulate(1, initial=start, sample_every_hours=1.0)
    assert ds["fe_stores"].values[0] == 1234.5
    assert ds["myelin"].values[0] == 0.0
    assert ds.attrs["initial_state"] == "user-supplied"


def test_bad_profile_override_is_not_silently_accepted_by_parameter_vector(model):
    p = model.parameter_vector("healthy", {"blood_loss": 0.0})
    assert np.all(np.isfinite(p))
    with pytest.raises(ValueError, match="blood_loss"):
        model.parameter_vector("healthy", {"blood_loss": -1e-9})


def test_partial_initial_values_complete_from_the_runs_own_profile(model):
    """States that ``initial`` does not name start at the chosen profile's steady state."""
    ds = model.simulate(1, profile="rls_genetic", initial={"myelin": 0.9}, sample_every_hours=24)
    ss = model.steady_state("rls_genetic")
    assert float(ds.myelin[0]) == 0.9
    assert float(ds.fe_neuron_labile[0]) == pytest.approx(float(ss.fe_neuron_labile), rel=1e-12)
    assert float(ds.fe_neuron_labile[0]) < 0.9 * float(model.steady_state("healthy").fe_neuron_labile)
