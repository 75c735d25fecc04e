"""The trial's non-integration shortcuts give exactly the previous numbers (decision 49).

Every shortcut must be output-neutral: observables evaluated for a subset of names, a run kept
in the engine's own array, the baseline's observables computed on request, and arms of several
one-arm trials run together. Each is compared with the full path by ``np.array_equal`` (not a
tolerance): the same operations on the same inputs give the same bits.
"""
from __future__ import annotations

import numpy as np
import pytest

import rlsmodel
from rlsmodel import Regimen
from rlsmodel.trial_runs import SCORED_VARIABLES, arm_run, BaselineCache

PRAMI = Regimen.daily("pramipexole", 0.25, 21.0)


@pytest.fixture(scope="module")
def model():
    return rlsmodel.Model()


@pytest.fixture(scope="module")
def run(model):
    return model.run(40, "rls_genetic", regimen=PRAMI)


def _forcings(run):
    return run.activity.forcings(np.mod(run.time, 1.0) * 24.0)


def test_every_observable_alone_equals_the_full_evaluation(model, run):
    c = model.compiled
    full = c.observables(run.time, run.states, run.p, forcings=_forcings(run))
    for name in list(c.observable_names) + list(c.forced_observable_names):
        alone = c.observables(run.time, run.states, run.p, forcings=_forcings(run), names=[name])
        assert np.array_equal(alone[name], full[name], equal_nan=True), name


def test_scored_subset_reads_only_its_states(model, run):
    c = model.compiled
    full = c.observables(run.time, run.states, run.p, forcings=_forcings(run))
    names = [n for n in SCORED_VARIABLES if n != "activity"]
    read = set(c.states_read(names).tolist())
    assert 0 < len(read) < c.n_states
    rows = [run.states[i] if i in read else None for i in range(c.n_states)]     # the others are never read
    sub = c.observables(run.time, rows, run.p, forcings=_forcings(run), names=names)
    for name in names:
        assert np.array_equal(sub[name], full[name])
    with pytest.raises(KeyError, match="no_such"):
        c.observables(run.time, run.states, run.p, forcings=_forcings(run), names=["no_such"])


def test_run_variables_and_dataset_equal_the_simulated_dataset(model):
    keep = list(SCORED_VARIABLES) + ["brain_iron", "d2_tolerance"]
    ds = model.simulate(40, "rls_genetic", regimen=PRAMI)
    kept = model.simulate(40, "rls_genetic", regimen=PRAMI, keep=keep)
    run = model.run(40, "rls_genetic", regimen=PRAMI, keep=keep)
    from_run = run.dataset()
    for name in keep:
        assert np.array_equal(kept[name].values, ds[name].values), name
        assert np.array_equal(from_run[name].values, ds[name].values), name
        assert np.array_equal(run.variable(name), ds[name].values), name
    assert np.array_equal(run.states, model.run(40, "rls_genetic", regimen=PRAMI).states)


def test_envelope_run_kept_in_fortran_order_reads_the_same(model):
    env = rlsmodel.Model(engine="cvode", engine_options={"long_horizon": "envelope"})
    a = env.run(400, "rls_genetic", regimen=PRAMI)
    b = env.run(400, "rls_genetic", regimen=PRAMI)
    urge = a.variable("urge_at_rest")                  # observables from row copies first
    full = b.observables()                             # every observable from the C-ordered states
    assert np.array_equal(urge, full["urge_at_rest"])
    assert np.array_equal(a.variable("symptom"), full["symptom"])
    assert a.states.flags.c_contiguous
    assert np.array_equal(a.states, b.states)


def test_arm_run_with_lazy_baseline_equals_the_full_observables(model):
    cache = BaselineCache()
    params = {"bbb_uptake_gain": 0.6}
    arm = arm_run(model, 70.0, "rls_genetic", params, PRAMI, PRAMI.shifted(28), 28, 1.0, cache=cache)
    again = arm_run(model, 70.0, "rls_genetic", params, PRAMI, PRAMI.shifted(28), 28, 1.0, cache=cache)
    fast = arm.dataset()
    full = again.observables()                         # every observable, joined from both parts
    for name in SCORED_VARIABLES:
        if name != "activity":
            assert np.array_equal(fast[name].values, full[name]), name
    assert np.array_equal(again.variable("symptom"), full["symptom"])
