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
    ("iron_release_amplitude", 1.0001, "[0, 1]"),
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
    """The plausible range is for sweeps, not a clamp: 100 mg/day diet (above the declared
    range) is used as given and recorded in the output's attrs."""
    lo, hi = model.parameters["diet_iron"].range
    assert 100.0 > hi
    values = model.resolve_parameters("healthy", {"diet_iron": 100.0, "blood_loss": 0.0})
    assert values["diet_iron"] == 100.0 and values["blood_loss"] == 0.0
    with pytest.warns(rlsmodel.ParameterRangeWarning, match=rf"diet_iron = 100 mg/day .*range {lo:g}-{hi:g}"):
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


# -- one rule for numbers: strings are refused everywhere (issue 17) --------------------------
@pytest.mark.parametrize("kwargs, fragments", [
    ({"days": "30"}, ["days", "the string '30'", "days=30"]),
    ({"days": 1, "sample_every_hours": "6"}, ["sample_every_hours", "the string '6'"]),
    ({"days": 1, "params": {"diet_iron": "15"}}, ["'diet_iron'", "the string '15'", "diet_iron=15"]),
    ({"days": 1, "rtol": "1e-6"}, ["rtol", "the string '1e-6'", "rtol=1e-06"]),
    ({"days": 1, "atol": "1e-9"}, ["atol", "the string '1e-9'"]),
    ({"days": 1, "initial": {"fe_stores": "900"}}, ["'fe_stores'", "the string '900'"]),
    ({"days": True}, ["days", "boolean"]),
    ({"days": 1, "params": {"diet_iron": True}}, ["'diet_iron'", "boolean"]),
    ({"days": 1, "engine": 3}, ["engine", "lsoda"]),
])
def test_strings_and_other_non_numbers_are_refused_everywhere(model, kwargs, fragments):
    with pytest.raises(ValueError) as err:
        model.simulate(**kwargs)
    for fragment in fragments:
        assert fragment in str(err.value), (fragment, str(err.value))


def test_string_dose_and_string_sweep_values_are_refused_like_the_rest(model):
    with pytest.raises(ValueError, match="dose must be a number"):
        rlsmodel.Regimen.daily("levodopa", "100", 21.0)
    with pytest.raises(ValueError, match="'diet_iron'.*the string '8'"):
        rlsmodel.sweep({"diet_iron": ["8"]}, days=1, model=model)
    with pytest.raises(ValueError, match="days.*the string '5'"):
        rlsmodel.sweep({"diet_iron": [8.0]}, days="5", model=model)
    with pytest.raises(ValueError, match="'diet_iron'.*the string '15'"):
        model.steady_state("healthy", params={"diet_iron": "15"})


def test_numpy_numbers_are_numbers(model):
    ds = model.simulate(np.int64(1), params={"diet_iron": np.float32(14.0)}, sample_every_hours=np.float64(12.0),
                        rtol=np.float64(1e-8), keep=["brain_iron"])
    assert ds.sizes["time"] == 3 and json.loads(ds.attrs["parameters"])["diet_iron"] == 14.0


@pytest.mark.parametrize("regimen, fragments", [
    ("levodopa", ["not the string 'levodopa'", "Regimen.daily('levodopa'"]),
    (42, ["regimen must be None or an rlsmodel.Regimen", "42"]),
    ({"drug": "levodopa"}, ["regimen must be None or an rlsmodel.Regimen"]),
])
def test_a_regimen_that_is_not_a_regimen_gets_a_clear_error(model, regimen, fragments):
    with pytest.raises(ValueError) as err:
        model.simulate(1, regimen=regimen)
    for fragment in fragments:
        assert fragment in str(err.value)


def test_a_regimen_starting_after_the_end_of_the_run_warns(model):
    late = rlsmodel.Regimen.daily("levodopa", 100.0, 21.0, start_day=40)
    with pytest.warns(rlsmodel.RegimenWarning, match=r"no dose in this 30-day run.*day 40 at 21 h.*days >= 40.875"):
        ds = model.simulate(30, regimen=late, sample_every_hours=24.0, keep=["levodopa_depot"])
    assert float(ds["levodopa_depot"].max()) == 0.0
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error", rlsmodel.RegimenWarning)     # a dosed run does not warn
        model.simulate(2, regimen=rlsmodel.Regimen.daily("levodopa", 100.0, 21.0), sample_every_hours=24.0)


# -- out-of-range values are flagged; equations never overflow silently ------------------------
def test_out_of_range_values_warn_once_per_call_naming_each_parameter(model):
    with pytest.warns(rlsmodel.ParameterRangeWarning) as record:
        ds = model.simulate(1, params={"diet_iron": 1e6, "blood_loss": 100.0, "rbc_lifespan": 120.0},
                            sample_every_hours=24.0)
    assert len(record) == 1
    msg = str(record[0].message)
    lo, hi = model.parameters["diet_iron"].range
    assert "diet_iron = 1e+06 mg/day" in msg and f"{lo:g}-{hi:g} mg/day" in msg
    assert "blood_loss = 100 mL/day" in msg and "0-20 mL/day" in msg and "rbc_lifespan" not in msg
    assert set(json.loads(ds.attrs["parameters_outside_range"])) == {"diet_iron", "blood_loss"}
    inside = model.simulate(1, sample_every_hours=24.0)
    assert json.loads(inside.attrs["parameters_outside_range"]) == {}
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error", rlsmodel.ParameterRangeWarning)   # users can make it an error
        with pytest.raises(rlsmodel.ParameterRangeWarning):
            model.steady_state("healthy", params={"diet_iron": 1e6})


def test_extreme_gate_sharpness_is_evaluated_without_overflow(model):
    """symptom_gate_sharpness = 200 (range 1-4) used to raise a bare OverflowError from the
    generated code (gamma(200.5)); now the daily mean is evaluated through log-gamma."""
    with pytest.warns(rlsmodel.ParameterRangeWarning, match="symptom_gate_sharpness = 200"):
        ds = model.simulate(2, params={"symptom_gate_sharpness": 200.0}, sample_every_hours=1.0)
    symptom = ds["symptom"].values
    assert np.all(np.isfinite(symptom)) and np.all(symptom >= 0)
    # a sharper gate: a narrower night window, so a lower daily mean than the default gate
    default = model.simulate(2, sample_every_hours=1.0)["symptom"].values
    assert symptom.mean() < default.mean()


def test_overflow_in_the_equations_names_the_parameters_outside_their_range(model, monkeypatch):
    """Any arithmetic overflow left in generated code becomes an EvaluationError (a
    ValueError) naming the out-of-range parameters, never a bare OverflowError."""
    def overflow(*args, **kwargs):
        raise OverflowError("math range error")

    monkeypatch.setattr(model.compiled, "observables", overflow)
    with pytest.warns(rlsmodel.ParameterRangeWarning):
        with pytest.raises(rlsmodel.EvaluationError, match=r"OverflowError.*symptom_gate_sharpness = 500 \(range 1-4\)"):
            model.simulate(1, params={"symptom_gate_sharpness": 500.0})


# -- whole numbers: one rule for every entry point (issue 25) -----------------------------------
@pytest.mark.parametrize("value", [2, np.int64(2), np.int32(2), np.array(2)])
def test_whole_numbers_accept_python_and_numpy_integers(value):
    from rlsmodel import checks
    assert checks.whole("workers", value, 1) == 2 and type(checks.whole("workers", value, 1)) is int


@pytest.mark.parametrize("value, words", [(2.0, "got 2.0"), ("2", "write workers=2"), (True, "the boolean"),
                                          (0, "integer >= 1"), (None, "got None")])
def test_whole_numbers_refuse_floats_strings_booleans_and_small_values(value, words):
    from rlsmodel import checks
    with pytest.raises(ValueError, match=words):
        checks.whole("workers", value, 1)
    assert checks.whole("workers", None, 1, optional=True) is None


def test_numpy_worker_counts_are_accepted_by_sweep_and_calibrate(tmp_path, model):
    """``workers=np.int64(2)`` passes sweep's and calibrate's checks alike (calibrate once
    refused it); a float is refused by both before any work."""
    from rlsmodel.calibration import calibrate
    from rlsmodel.calibration.engine import Engine
    from rlsmodel.sweeps import _check_execution
    _check_execution(None, None, np.int64(2), np.int64(2), None)
    assert Engine(workers=np.int64(2)).workers == 2
    missing = tmp_path / "no_such_spec.toml"
    with pytest.raises(ValueError, match="workers must be an integer"):
        calibrate(missing, workers=2.0)
    with pytest.raises(ValueError, match="does not exist"):        # the count passed: the spec is read
        calibrate(missing, workers=np.int64(2))
    with pytest.raises(ValueError, match="workers must be an integer"):
        rlsmodel.sweep({"diet_iron": [8.0]}, days=1, model=model, workers=2.0)
    pop = rlsmodel.population(np.int64(3), np.int64(0), model=model)
    assert pop.sizes["patient"] == 3
