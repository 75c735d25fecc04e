"""Hypotheses as plug-ins (issue 16, item 4): the registry of built-in augmentation mechanisms,
a user's own mechanism (the worked example of docs/your_own_hypothesis.md, run here), the contract's
errors, and sweep workers rebuilding a model with a user's mechanism."""
from __future__ import annotations

import contextlib
import io
import pickle
import re
import types
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

import rlsmodel
from rlsmodel.model import Module, Observable, State, Regulation, sym
from rlsmodel.model import hypotheses

DOC = Path(__file__).resolve().parent.parent / "docs" / "your_own_hypothesis.md"


@pytest.fixture(scope="module")
def example():
    """Run the code blocks of docs/your_own_hypothesis.md; return (namespace, printed text)."""
    text = DOC.read_text(encoding="utf-8")
    code = "\n".join(re.findall(r"```python\n(.*?)```", text, re.S))
    namespace, out = {}, io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, str(DOC), "exec"), namespace)
    return namespace, out.getvalue(), text


def test_builtin_mechanisms_are_the_augmentation_files():
    package = Path(hypotheses.__file__).parent
    files = sorted(p.stem[len("augmentation_"):] for p in package.glob("augmentation_*.py"))
    assert rlsmodel.AUGMENTATION_MECHANISMS == tuple(files) == ("d2_tolerance", "d3_d1_spinal")
    assert "d2_tolerance" in rlsmodel.AUGMENTATION_MECHANISMS and ", ".join(rlsmodel.AUGMENTATION_MECHANISMS)
    for name in files:
        assert any(o.name == "dopaminergic_signal" for o in hypotheses.builtin_augmentation(name).observables)


def test_worked_example_runs_and_prints_what_the_doc_shows(example):
    namespace, printed, text = example
    assert set(namespace["verdicts"]) == {"d2_tolerance", "d3_d1_spinal", "d2_desensitisation"}
    shown = re.search(r"```text\n(.*?)```", text, re.S).group(1)
    assert printed == shown, ("docs/your_own_hypothesis.md shows another table than its code prints; paste the "
                              "new output into the ```text block:\n" + printed)
    for verdict in namespace["verdicts"].values():
        assert np.isfinite(verdict["late_irls"]) and np.isfinite(verdict["baseline_irls"])


def test_own_mechanism_is_a_model_like_the_builtin_ones(example):
    own = example[0]["DESENSITISATION"]
    model = rlsmodel.Model(augmentation=own)
    assert model.augmentation == "d2_desensitisation" and model.augmentation_module is own
    assert {"desens_threshold", "k_desens"} <= set(model.parameters) and "d2_desens" in model.states
    ds = model.simulate(2, "rls_genetic", sample_every_hours=6.0)
    assert ds.attrs["augmentation_mechanism"] == "d2_desensitisation"
    # untreated, the stimulation stays below the threshold: next to no desensitisation
    assert float(ds["d2_desens"].max()) < 2e-3
    np.testing.assert_allclose(ds["dopaminergic_signal"].values, ds["d2_signal"].values / (1 + ds["d2_desens"].values),
                               rtol=1e-12)
    # with_defaults keeps the user's mechanism; a Python module carrying MODULE works too
    refit = model.with_defaults({"desens_threshold": 3.0})
    assert refit.augmentation == "d2_desensitisation" and refit.parameters["desens_threshold"].default == 3.0
    as_file = types.ModuleType("my_mechanism")
    as_file.MODULE = own
    assert rlsmodel.Model(augmentation=as_file).compiled is model.compiled
    # the declaration is exported like any other
    from rlsmodel.export import latex
    assert r"\mathrm{d2\_desens}" in latex.equations_markdown(model)


def test_builtin_given_as_its_file_keeps_its_name():
    from rlsmodel.model import augmentation_d3_d1_spinal
    model = rlsmodel.Model(augmentation=augmentation_d3_d1_spinal)
    assert model.augmentation == "d3_d1_spinal"
    assert model.compiled is rlsmodel.Model(augmentation="d3_d1_spinal").compiled


def _mechanism(name="my_mech", signal_unit="1", signal=True):
    obs = (Observable("dopaminergic_signal", sym("d2_signal"), signal_unit, "signal"),) if signal else (
        Observable("my_signal", sym("d2_signal"), "1", "signal"),)
    return Module(name, "test mechanism", observables=obs)


@pytest.mark.parametrize("spec, message", [
    ("d2_tolerence", r"unknown augmentation mechanism 'd2_tolerence'; built-in: d2_tolerance, d3_d1_spinal, or "
                     r"pass your own Module declaring 'dopaminergic_signal'"),
    (_mechanism(signal=False), r"'my_mech' does not declare the observable 'dopaminergic_signal'.*my_signal"),
    (_mechanism(signal_unit="nM"), r"'dopaminergic_signal' must be dimensionless.*'nM'"),
    (_mechanism(name="d2_tolerance"), "has the name of a built-in mechanism"),
    (types.ModuleType("empty"), "must define MODULE"),
    (42, "augmentation must be a built-in name"),
])
def test_contract_errors_say_what_to_fix(spec, message):
    with pytest.raises(ValueError, match=message):
        rlsmodel.Model(augmentation=spec)


def test_name_clash_with_the_core_is_a_declaration_error():
    clash = Module("clashing", "redeclares d2_density", states=(State("d2_density", "1", "x", 1.0),),
                   regulations=(Regulation("r", "d2_density", sp.Integer(0), "r"),),
                   observables=(Observable("dopaminergic_signal", sym("d2_signal"), "1", "signal"),))
    with pytest.raises(rlsmodel.model.DeclarationError, match="'d2_density' is declared twice"):
        rlsmodel.Model(augmentation=clash)


def test_sweep_workers_rebuild_a_user_mechanism_from_the_key(example):
    """A spawned or Dask worker gets the ModelKey by pickle and rebuilds the model from the
    declaration it carries: same structure, same results."""
    from rlsmodel.sweeps import runner
    model = rlsmodel.Model(augmentation=example[0]["DESENSITISATION"])
    key = runner.ModelKey.of(model)
    assert key.spec.augmentation == "d2_desensitisation" and key.spec.augmentation_module is model.augmentation_module
    shipped = pickle.loads(pickle.dumps(key))
    assert shipped == key and hash(shipped) == hash(key)
    rebuilt = runner._build_model(shipped)
    assert rebuilt.augmentation == "d2_desensitisation"
    assert rebuilt.compiled.structure_hash == model.compiled.structure_hash
    a = model.simulate(1, "rls_genetic", sample_every_hours=6.0)
    b = rebuilt.simulate(1, "rls_genetic", sample_every_hours=6.0)
    np.testing.assert_array_equal(a["d2_desens"].values, b["d2_desens"].values)
    # built-in mechanisms travel by name
    builtin = runner.ModelKey.of(rlsmodel.Model())
    assert builtin.spec.augmentation_module is None and builtin.spec.modules_key == ()
    ds = rlsmodel.sweep({"desens_threshold": [1.5, 3.0]}, model=model, days=1, sample_every_hours=6.0,
                        outcomes=["d2_desens_final"])
    assert (ds["status"] == "ok").all() and ds.attrs["augmentation_mechanism"] == "d2_desensitisation"
