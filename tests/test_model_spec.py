"""One description of a model (issue 25): ``ModelSpec`` builds the model, its workers' copies and
the provenance of every output.

* ``simulate``, ``sweep``, ``virtual_trial`` and ``calibrate`` record the same description of the
  same model (hypotheses, iron release included, and solver settings);
* ``Model.from_spec(model.spec)`` and a sweep worker's rebuilt model give the same model;
* ``with_defaults`` is the spec with more replacements.
"""
from __future__ import annotations

import json

import pickle

import numpy as np
import pytest

import rlsmodel
from rlsmodel import Regimen
from rlsmodel.model_spec import ModelSpec

#: Not the defaults, so an output that lost a hypothesis (or took the default) is caught.
OTHER = {"dat_hypothesis": "increased", "iron_release": "constitutive"}

SPEC = """
[hypothesis]
dat_hypothesis = "{dat}"
iron_release = "{iron}"
[[parameters]]
name = "d2_iron_k"
[[targets]]
kind = "measurements"
file = "cohort.csv"
[options]
starts = 1
max_iterations = 3
"""


@pytest.fixture(scope="module")
def other():
    return rlsmodel.Model(**OTHER)


def described(ds, spec: ModelSpec) -> dict:
    return {k: ds.attrs.get(k) for k in spec.attrs()}


def test_spec_holds_the_arguments_and_rebuilds_the_model(other):
    spec = other.spec
    assert (spec.augmentation, spec.dat_hypothesis, spec.iron_release) == ("d2_tolerance", "increased", "constitutive")
    assert spec.settings == other.settings
    rebuilt = rlsmodel.Model.from_spec(pickle.loads(pickle.dumps(spec)))
    assert rebuilt.spec == spec
    assert rebuilt.resolve_parameters("rls_genetic") == other.resolve_parameters("rls_genetic")
    assert rebuilt.parameters["bbb_release_brain_gain"].default == 0.0      # constitutive release


def test_with_defaults_adds_replacements_to_the_spec(model):
    fitted = model.with_defaults({"d2_iron_k": 0.9}, {"rls_genetic": {"bbb_uptake_gain": 0.45}})
    synthesis = 1.1 * model.parameters["da_synthesis_max"].default
    again = fitted.with_defaults({"da_synthesis_max": synthesis})
    assert dict(again.spec.parameter_defaults) == {"d2_iron_k": 0.9, "da_synthesis_max": synthesis}
    assert again.spec.profile_overrides_dict() == {"rls_genetic": {"bbb_uptake_gain": 0.45}}
    assert again.spec.settings == model.spec.settings and model.spec.parameter_defaults == ()
    attrs = again.spec.attrs()
    assert '"d2_iron_k": 0.9' in attrs["parameter_defaults"] and "bbb_uptake_gain" in attrs["profile_overrides"]


def test_settings_assignment_updates_the_spec(other):
    model = rlsmodel.Model.from_spec(other.spec)
    model.settings = type(model.settings)(engine="lsoda", rtol=1e-6, atol=1e-8)
    assert model.spec.settings.engine == "lsoda" and model.spec.attrs()["solver_rtol"] == 1e-6
    assert rlsmodel.Model.from_spec(model.spec).settings == model.settings
    with pytest.raises(ValueError, match="SolverSettings"):
        model.settings = "lsoda"


def test_the_default_spec_is_that_of_the_default_model(model):
    assert ModelSpec() == model.spec and ModelSpec().attrs() == model.spec.attrs()


def test_bad_hypotheses_are_refused_with_the_valid_names():
    with pytest.raises(ValueError, match="brain_regulated"):
        ModelSpec(iron_release="leaky")
    with pytest.raises(ValueError, match="reduced"):
        ModelSpec(dat_hypothesis="none")


@pytest.mark.parametrize("which", ["default", "other"])
def test_every_output_records_the_same_description(which, model, other, tmp_path):
    """simulate, sweep, virtual_trial and calibrate of one model describe it identically,
    iron_release included (sweeps and trials once lost it)."""
    from rlsmodel.calibration import calibrate
    from rlsmodel.calibration.synthetic import write_synthetic_csv
    m = model if which == "default" else other
    want = m.spec.attrs()
    assert want["iron_release"] == m.iron_release and want["dat_hypothesis"] == m.dat_hypothesis
    outputs = {
        "simulate": m.simulate(1, "rls_genetic", sample_every_hours=12.0),
        "steady_state": m.steady_state("rls_genetic"),
        "sweep": rlsmodel.sweep({"diet_iron": [10.0]}, days=1, model=m, outcomes=["serum_ferritin_final"],
                                sample_every_hours=12.0, progress=False),
        "virtual_trial": rlsmodel.virtual_trial({"prami": Regimen.daily("pramipexole", 0.25, 21.0)}, n=1, weeks=1,
                                                baseline_weeks=1, placebo=False, model=m, progress=False,
                                                sample_every_hours=6.0),
    }
    write_synthetic_csv(tmp_path / "cohort.csv", [{"profile": "healthy", "time": "steady", "observable": "d2_density"}],
                        {"d2_iron_k": m.parameters["d2_iron_k"].default}, relative_sd=0.05, seed=1, model=m)
    (tmp_path / "spec.toml").write_text(SPEC.format(dat=m.dat_hypothesis, iron=m.iron_release))
    outputs["calibrate"] = calibrate(tmp_path / "spec.toml", progress=False)
    fit_solver = {k for k in want if k.startswith("solver_")}
    for name, ds in outputs.items():
        if name == "calibrate":
            # a spec runs the exact path unless it asks for the envelope (options.long_horizon,
            # decision 60): the fit's file says so; the model's description is the same
            got = described(ds, m.spec)
            assert {k: v for k, v in got.items() if k not in fit_solver} == \
                {k: v for k, v in want.items() if k not in fit_solver}, name
            if m.settings.engine == "cvode":
                assert json.loads(got["solver_options_effective"])["long_horizon"] == "exact"
        else:
            assert described(ds, m.spec) == want, name
        assert ds.attrs["model_structure"] == m.compiled.structure_hash, name


def test_sweep_workers_rebuild_the_spec_of_the_model(other):
    from rlsmodel.sweeps import runner
    key = runner.ModelKey.of(other)
    assert key.spec == other.spec
    runner._MODELS.pop(key, None)
    rebuilt = runner.worker_model(pickle.loads(pickle.dumps(key)))
    assert rebuilt is not other and rebuilt.spec == other.spec
    a = other.simulate(1, "rls_genetic", sample_every_hours=6.0)
    b = rebuilt.simulate(1, "rls_genetic", sample_every_hours=6.0)
    np.testing.assert_array_equal(a["brain_iron"].values, b["brain_iron"].values)
