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


def _same_dataset(a, b):
    assert set(a.variables) == set(b.variables)
    for name in a.variables:
        u, w = a[name].values, b[name].values
        assert u.shape == w.shape and a[name].dims == b[name].dims, name
        if u.dtype.kind == "f":
            assert np.array_equal(u, w, equal_nan=True), name
        else:
            assert np.array_equal(u, w), name
    assert a.attrs == b.attrs


def test_arms_run_together_equal_their_one_arm_trials(model):
    from rlsmodel.trial import virtual_trial_arms
    arms = {"pramipexole 0.5 mg": {"drug": "pramipexole", "dose_mg": 0.5, "clock_hour": 21.0},
            "ropinirole 1 mg": {"drug": "ropinirole", "dose_mg": 1.0, "clock_hour": 21.0}}
    common = dict(n=4, weeks=8, seed=7, model=model, min_baseline_irls=15.0, progress=False)
    together = virtual_trial_arms(arms, placebo=True, **common)
    assert list(together) == list(arms) + ["placebo"]
    for name, spec in arms.items():
        _same_dataset(together[name], rlsmodel.virtual_trial({name: spec}, placebo=False, **common))
    _same_dataset(together["placebo"], rlsmodel.virtual_trial({}, placebo=True, **common))
    with pytest.raises(ValueError, match="visit rules"):
        virtual_trial_arms({"titrated": Regimen.daily("pramipexole", 0.125, 21.0).with_policy(
            rlsmodel.DosePolicy(threshold_irls=15.0, step_mg=0.125))}, **common)


def test_prefetched_targets_give_the_same_values(model):
    from rlsmodel.calibration import predictions
    calls = [dict(drug="pramipexole", dose_mg=0.5, weeks=8, n=4, seed=7, measure="mpi_positive"),
             dict(drug="pramipexole", dose_mg=0.5, weeks=8, n=4, seed=7, measure="irls_change_end"),
             dict(drug="levodopa", dose_mg=200.0, weeks=8, n=4, seed=7, measure="noise_free")]
    predictions._TRIAL_ARMS.clear()
    alone = [predictions.virtual_trial_incidence(model, **c) for c in calls]
    predictions._TRIAL_ARMS.clear()
    assert predictions.prefetch_trial_arms(model, calls) == 3        # two drug arms and the placebo arm
    assert predictions.prefetch_trial_arms(model, calls) == 0        # already there
    together = [predictions.virtual_trial_incidence(model, **c) for c in calls]
    assert np.array_equal(np.array(alone), np.array(together), equal_nan=True)
    predictions._TRIAL_ARMS.clear()


def _event_days_differ_by_lists(events, days):
    """The comparison decision 46 wrote: each day's event list against the day before's."""
    t = np.array([e[0] for e in events], dtype=float)
    day = np.floor(t + 1e-9)
    clock = np.round((t - day) * 86400.0 * 1000.0)
    per_day = {}
    for d, c, e in zip(day, clock, events):
        per_day.setdefault(int(d), []).append((int(c), int(e[1]), float(e[2]), e[3]))
    return np.array([per_day.get(d, []) != per_day.get(d - 1, []) for d in days.astype(int)])


def test_regular_days_event_comparison_equals_the_list_comparison():
    from rlsmodel.engines.envelope import _event_days_differ
    rng = np.random.default_rng(49)
    for _ in range(500):
        first = int(rng.integers(0, 5))
        days = first + np.arange(int(rng.integers(1, 40)))
        events = []
        for d in range(first - 3, int(days[-1]) + 3):
            if rng.random() < 0.2:
                continue
            k = int(rng.integers(0, 4)) if rng.random() < 0.3 else 2
            for i in range(k):
                hour = (21.0, 9.0, 12.0, 18.0)[i] / 24.0 if rng.random() < 0.9 else rng.random()
                events.append((d + hour, i if rng.random() < 0.9 else int(rng.integers(0, 3)),
                               0.5 if rng.random() < 0.05 else 0.25, "add" if rng.random() < 0.97 else "set"))
        if rng.random() < 0.5:
            rng.shuffle(events)
        if events:
            assert np.array_equal(_event_days_differ(events, days), _event_days_differ_by_lists(events, days))


def test_activity_per_clock_hour_equals_every_sample(model):
    from rlsmodel.simulator import _per_clock_hour
    run = model.run(30, "rls_genetic", sample_every_hours=0.5)
    h = np.mod(run.time, 1.0) * 24.0
    assert np.array_equal(run.variable("activity"), run.activity.mode_at(h).astype(str))
    each, once = run.activity.forcings(h), _per_clock_hour(run.activity.forcings, run.time)
    for name in each:
        assert np.array_equal(each[name], once[name])


def test_arms_together_on_two_workers_equal_the_serial_trials(model):
    from rlsmodel.trial import virtual_trial_arms
    arms = {"levodopa 200 mg": {"drug": "levodopa", "dose_mg": 200.0, "clock_hour": 19.0}}
    common = dict(n=5, weeks=4, seed=3, model=model, progress=False)
    pooled = virtual_trial_arms(arms, placebo=True, workers=2, **common)
    _same_dataset(pooled["levodopa 200 mg"], rlsmodel.virtual_trial(arms, placebo=False, **common))
    _same_dataset(pooled["placebo"], rlsmodel.virtual_trial({}, placebo=True, **common))
