"""Linear drug compartments in closed form (rlsmodel.engines.closed_form, issue 15).

The closed form must be the exact solution of the declared PK chains (checked against a
tight integration of the same chains with doses as events), keep the event semantics
(events at the start time apply first, samples at a dose time show the state after it, a
patch removal sets the rate to 0), fall back to events where the chain is not linear or its
matrix is degenerate, and give the engines the same answer as doses-as-events.
"""
from __future__ import annotations

import numpy as np
import pytest

import rlsmodel
from rlsmodel.engines import SolverSettings, closed_form
from rlsmodel.engines.base import make_problem
from rlsmodel.integrate import integrate

from conftest import nominal_scale

TIGHT = SolverSettings(engine="lsoda", rtol=1e-12, atol=1e-14)


def _problem(model, regimen, days, t=None, profile="rls_genetic", params=None, y0=None, engine="cvode"):
    p = model.parameter_vector(profile, params)
    if y0 is None:
        y0, _ = model.periodic_state(p)
    t = np.arange(0.0, days + 1e-9, 1.0 / 24.0) if t is None else np.asarray(t, float)
    events = regimen.events(model, days) if regimen is not None else []
    settings = SolverSettings(engine=engine, engine_options={"linear_pk": "closed_form"})
    return make_problem(model.compiled, y0, p, t, events, settings, model.state_scale)


def test_the_declared_chains_are_kept_or_rejected_with_a_reason(model):
    chains, rejected = closed_form.analyse(model.compiled)
    names = model.compiled.state_names
    kept = {c.name: ([names[i] for i in c.states], [names[i] for i in c.inputs]) for c in chains}
    assert kept["pramipexole"] == (["pramipexole_depot", "pramipexole_plasma"], [])
    assert kept["levodopa"] == (["levodopa_depot", "levodopa_plasma"], [])
    assert kept["rotigotine"] == (["rotigotine_plasma"], ["rotigotine_patch_rate"])
    assert kept["ferric_carboxymaltose"] == (["ferric_carboxymaltose_plasma"], [])
    # oral iron is absorbed through the hepcidin gate: it reads iron states, so it stays events
    assert set(rejected) == {"ferrous_sulfate"} and "reads other states" in rejected["ferrous_sulfate"]
    a, b = next(c for c in chains if c.name == "pramipexole").matrices(model.parameter_vector("rls_genetic"))
    ka = 24.0 * model.parameters["pramipexole_absorption_rate"].default
    assert a[0, 0] == pytest.approx(-ka) and a[0, 1] == 0.0 and b.shape == (2, 0)


def test_closed_form_is_the_exact_solution_of_the_chains(model):
    """Pramipexole (oral), levodopa (oral, fast) and a rotigotine patch taken off on day 6,
    hourly samples and samples exactly at dose times: the closed form equals a 1e-12
    integration of the same states with doses as events to 1e-9 of each state's peak."""
    regimen = (rlsmodel.Regimen.daily("pramipexole", 0.25, 21.0) + rlsmodel.Regimen.daily("levodopa", 100.0, 8.5)
               + rlsmodel.Regimen.daily("rotigotine", 2.0, 9.0, stop_day=6))
    days = 10.0
    doses = sorted({e[0] for e in regimen.events(model, days)})
    t = np.unique(np.concatenate([np.arange(0.0, days + 1e-9, 1.0 / 24.0), doses]))
    problem = _problem(model, regimen, days, t)
    reduced, cf = closed_form.split(problem)
    assert set(cf.names) == {"pramipexole", "levodopa", "rotigotine"}
    assert not reduced.events                                 # every event was a closed-form dose
    ref = integrate(model.compiled, problem.y0, problem.p, t, problem.events, TIGHT, model.state_scale)
    values = cf.values(t)
    for i, idx in enumerate(cf.state_idx):
        peak = max(np.max(np.abs(ref[idx])), 1e-12)
        assert np.max(np.abs(values[i] - ref[idx])) <= 1e-9 * peak, model.compiled.state_names[idx]
    # right-continuous at a dose: the sample at a pramipexole dose time holds the dose in the depot
    depot = model.compiled.state_names.index("pramipexole_depot")
    row = int(np.flatnonzero(cf.state_idx == depot)[0])
    first_prami = min(e[0] for e in regimen.events(model, days) if e[1] == depot)
    k = int(np.flatnonzero(t == first_prami)[0])
    assert values[row, k] == pytest.approx(0.25, rel=1e-12) and values[row, k - 1] < 1e-3
    # the patch is off after day 6 at 09:00: the rate is exactly 0 from then on
    rate = int(np.flatnonzero(cf.state_idx == model.compiled.state_names.index("rotigotine_patch_rate"))[0])
    assert np.all(values[rate, t >= 6.375] == 0.0) and np.all(values[rate, (t >= 0.375) & (t < 6.375)] == 2.0)


def test_start_amounts_events_at_the_start_and_before_it(model):
    """A run that starts with drug on board (an earlier run's end) decays it exactly; an event
    at the first sample is applied before it; events before the start are ignored."""
    p = model.parameter_vector("rls_genetic")
    y0, _ = model.periodic_state(p)
    names = model.compiled.state_names
    y0 = y0.copy()
    y0[names.index("pramipexole_depot")] = 0.1
    y0[names.index("pramipexole_plasma")] = 0.3
    t = np.linspace(2.0, 4.0, 49)
    dep = names.index("pramipexole_depot")
    events = [(1.5, dep, 5.0, "add"), (2.0, dep, 0.25, "add"), (3.0, dep, 0.25, "add")]
    problem = make_problem(model.compiled, y0, p, t, events,
                           SolverSettings(engine="cvode", engine_options={"linear_pk": "closed_form"}), model.state_scale)
    _, cf = closed_form.split(problem)
    ref = integrate(model.compiled, y0, p, t, events, TIGHT, model.state_scale)
    values = cf.values(t)
    for i, idx in enumerate(cf.state_idx):
        assert np.max(np.abs(values[i] - ref[idx])) <= 1e-9 * max(np.max(np.abs(ref[idx])), 1e-12)
    assert values[list(cf.state_idx).index(dep), 0] == pytest.approx(0.35, rel=1e-12)


@pytest.mark.parametrize("engine", ["cvode", "lsoda"])
def test_engines_give_the_same_answer_with_and_without_the_closed_form(model, engine):
    """60 dosed days (pramipexole and a patch), every state at every hourly sample, both at rtol
    1e-9: closed-form PK and doses as events agree to 1e-6 of each state's scale."""
    regimen = rlsmodel.Regimen.daily("pramipexole", 0.25, 21.0) + rlsmodel.Regimen.daily("rotigotine", 1.0, 9.0,
                                                                                          start_day=20, stop_day=40)
    runs = {pk: model.simulate(60, "rls_genetic", regimen=regimen, engine=engine, rtol=1e-9, atol=1e-11,
                               engine_options={"linear_pk": pk}) for pk in ("closed_form", "events")}
    scale = nominal_scale(model)
    for i, name in enumerate(model.compiled.state_names):
        a, b = runs["closed_form"][name].values, runs["events"][name].values
        err = np.max(np.abs(a - b) / np.maximum(np.abs(b), scale[i]))
        assert err <= 1e-6, f"{engine}: {name} differs by {err:.2e}"


def test_a_degenerate_chain_keeps_its_doses_as_events(model):
    """Absorption as fast as elimination makes the chain matrix defective: no closed form for
    that run (its doses stay events), and the result is still right."""
    hl = model.parameters["pramipexole_half_life"].default
    params = {"pramipexole_absorption_rate": float(np.log(2) / hl)}      # ka = ke (1/h)
    regimen = rlsmodel.Regimen.daily("pramipexole", 0.25, 21.0)
    problem = _problem(model, regimen, 5.0, params=params)
    reduced, cf = closed_form.split(problem)
    assert cf is None and reduced is problem
    a = model.simulate(5, "rls_genetic", params=params, regimen=regimen, engine="cvode", rtol=1e-9, atol=1e-11)
    b = model.simulate(5, "rls_genetic", params=params, regimen=regimen, engine="lsoda", rtol=1e-9, atol=1e-11)
    assert np.max(np.abs(a["pramipexole_plasma"].values - b["pramipexole_plasma"].values)) < 1e-7


def test_an_iv_bolus_keeps_its_event_and_the_iron_balance(model):
    """An IV infusion lands in the plasma pool the macrophages read: a jump, not a kink, so
    that chain keeps its doses as events in a window holding a dose (pramipexole beside it
    stays closed form), and at the default settings body iron changes by exactly what the
    ledger says (closed form across the jump lost 1.2e-3 of a 10 mg dose at rtol 1e-7).
    With no dose in the window (an earlier infusion still in plasma) the decay is closed form."""
    regimen = rlsmodel.Regimen.once("ferric_carboxymaltose", 10.0, 0, 12.0) + rlsmodel.Regimen.daily(
        "pramipexole", 0.25, 21.0)
    names = model.compiled.state_names
    fcm = names.index("ferric_carboxymaltose_plasma")
    reduced, cf = closed_form.split(_problem(model, regimen, 2.0))
    assert set(cf.names) == {"pramipexole"} and any(e[1] == fcm for e in reduced.events)
    ds = model.simulate(2, "healthy", regimen=regimen, sample_every_hours=6.0)
    total = ds["total_body_iron"].values
    ledger = ds["iron_intake_total"].values - ds["iron_loss_total"].values
    intake = ds["iron_intake_total"].values
    assert float(intake[-1] - intake[0]) > 10.0                    # the infusion is in the ledger
    assert np.max(np.abs((total - total[0]) - (ledger - ledger[0]))) <= 1e-9 * total[0]
    p = model.parameter_vector("healthy")
    y0, _ = model.periodic_state(p)
    y0 = y0.copy()
    y0[fcm] = 5.0
    _, cf = closed_form.split(_problem(model, None, 2.0, profile="healthy", y0=y0))
    assert set(cf.names) == {"ferric_carboxymaltose"}


def test_only_active_states_are_integrated(model):
    """Undosed drugs, idle inputs and closed-form chains are left out of CVODE's system; oral
    iron, dosed, stays in (its doses are events) together with the body's own states."""
    regimen = rlsmodel.Regimen.daily("pramipexole", 0.25, 21.0) + rlsmodel.Regimen.daily("ferrous_sulfate", 65.0, 8.0)
    reduced, cf = closed_form.split(_problem(model, regimen, 3.0))
    active = [model.compiled.state_names[i] for i in closed_form.active_states(reduced, cf)]
    states = model.states
    assert "ferrous_sulfate_gut" in active
    assert not any(n.startswith(("pramipexole", "levodopa", "ropinirole", "rotigotine", "pregabalin",
                                 "gabapentin", "ferric")) for n in active)
    body = [n for n in model.compiled.state_names if states[n].nominal != 0 or states[n].kind == "ledger"]
    assert set(body) <= set(active)
    # undosed, the gut is at rest (no doses, starts at 0): out as well
    reduced, cf = closed_form.split(_problem(model, rlsmodel.Regimen.daily("pramipexole", 0.25, 21.0), 3.0))
    assert "ferrous_sulfate_gut" not in [model.compiled.state_names[i] for i in closed_form.active_states(reduced, cf)]


def test_cvode_rejects_events_on_states_it_does_not_integrate(model):
    from rlsmodel.engines import IntegrationError
    from rlsmodel.engines.cvode import engine_for
    eng = engine_for(model.compiled)
    p = model.parameter_vector("healthy")
    y0, _ = model.periodic_state(p)
    n = model.compiled.n_states
    with pytest.raises(IntegrationError, match="not integrated"):
        eng.integrate(y0, p, np.array([0.0, 1.0]), [(0.5, n - 1, 1.0, "add")], 1e-6, np.full(n, 1e-9), 1000,
                      active=np.arange(n - 1))


SENSITIZATION_CHAIN, SENSITIZATION_BOUND = ("d2_priming", "d2_sensitization"), 1e-7
#: issue 22: the persistent sensitization integrates the withdrawal hinge (sharpness 80), which
#: amplifies relative errors of the stimulation more: measured 1.5e-7, 3.4e-7 and 5.8e-7 for the
#: three kink modes
PERSISTENT, PERSISTENT_BOUND = "d2_persistent_sensitization", 1e-6
#: decision 50: the day-long mean of the drug-pulse drive integrates a smoothed positive part with a
#: sharp corner (eps 0.002 of the set point) each evening: measured 1.4e-8 (restart) and 2.8e-7
#: (step_over); the stages that integrate it inherit about as much as the sensitization chain
#: (d2_drug_priming 1.14e-8 with restarts), so they get its bound
DRUG_PULSE_MEAN, DRUG_PULSE_BOUND = "d2_drug_pulse_mean", 1e-6
DRUG_PULSE_CHAIN = ("d2_drug_priming", "d2_drug_sensitization")
#: decision 52: the day-long mean of the drug-made stimulation integrates the kinked plasma curve
#: itself; stepping over the kinks (not the default) it was measured 2.03e-7 off (within the 1e-8
#: and 1e-7 bounds with restarts and stops), so the step-over mode gets the drive mean's bound for it
DRUG_STIMULATION_MEAN = "d2_drug_stimulation_mean"


@pytest.mark.parametrize("kinks,bound", [("restart", 1e-8), ("stop", 1e-7), ("step_over", 2e-7)])
def test_closed_form_cvode_converges_with_the_tolerance(model, kinks, bound):
    """The plasma curve of a closed-form drug has a kink at each dose. At rtol 1e-10 every state
    at every daily sample of 120 dosed days is within ``bound`` of a 1e-12 reference. Measured:
    2.5e-9 with the default (a restart at each kink), 1.8e-8 stopping there without a restart,
    5.8e-8 stepping over the kinks (the error estimate does not see a kink inside a step)."""
    regimen = rlsmodel.Regimen.daily("pramipexole", 0.25, 21.0)
    kw = dict(regimen=regimen, sample_every_hours=24.0)
    ref = model.simulate(120, "rls_genetic", engine="lsoda", rtol=1e-12, atol=1e-14, **kw)
    ds = model.simulate(120, "rls_genetic", engine="cvode", rtol=1e-10, atol=1e-12,
                        engine_options={"dose_kinks": kinks, "long_horizon": "exact"}, **kw)  # the kinks, not the envelope
    scale = nominal_scale(model)
    for i, name in enumerate(model.compiled.state_names):
        err = np.max(np.abs(ds[name].values - ref[name].values) / np.maximum(np.abs(ref[name].values), scale[i]))
        # the sensitization chain integrates the tolerance hinge (sharpness 20), which multiplies
        # relative errors of the stimulation about 40-fold whatever the kink handling: measured
        # 3.9e-8, 5.6e-8 and 5.9e-8 for the three modes (issue 14)
        limit = max(bound, SENSITIZATION_BOUND) if name in SENSITIZATION_CHAIN else bound
        limit = max(limit, PERSISTENT_BOUND) if name == PERSISTENT else limit
        limit = max(limit, DRUG_PULSE_BOUND) if name == DRUG_PULSE_MEAN else limit
        limit = max(limit, SENSITIZATION_BOUND) if name in DRUG_PULSE_CHAIN else limit
        if kinks == "step_over" and name == DRUG_STIMULATION_MEAN:
            limit = max(limit, DRUG_PULSE_BOUND)
        assert err <= limit, f"{kinks}: {name} off by {err:.2e}"
