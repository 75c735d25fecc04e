"""The felt symptom as a declared readout (issue 16, item 1): rest/activity parameters and
the clinical-score maps are declared, sweepable by name and read from each run; the
schedule is a forcing that the right-hand side may not read."""
from __future__ import annotations

import json

import numpy as np
import pytest
import sympy as sp

import rlsmodel
from rlsmodel import outcomes
from rlsmodel.model import DeclarationError, Forcing, Module, Observable, Parameter, Regulation, State, assemble, sym

DAYS = 3


@pytest.fixture(scope="module")
def base(model):
    return model.simulate(DAYS, "rls_genetic", sample_every_hours=0.5)


def test_readout_parameters_are_declared_with_unit_range_and_source(model):
    for name, unit in (("movement_relief", "1"), ("rest_latency_h", "h"), ("plms_base_rate", "1/h"),
                       ("plms_rate_range", "1/h"), ("plms_urge_exponent", "1"), ("irls_urge_none", "1"),
                       ("irls_urge_very_severe", "1"), ("irls_burden_very_severe", "h"),
                       ("irls_waking_burden_very_severe", "h"), ("irls_full_relief", "1")):
        p = model.parameters[name]
        assert p.unit == unit and p.range[0] <= p.default <= p.range[1] and p.source.strip(), name
    assert "Allen et al. 2014" in model.parameters["movement_relief"].source
    assert "Michaud et al. 2002 Eur Neurol 48:108" in model.parameters["rest_latency_h"].source
    for name in ("activity_factor", "symptom", "total_body_iron"):
        assert name in model.observables, name
    assert set(model.system.forced_observables) == {"activity_factor", "symptom"}
    assert list(model.system.forcings) == ["moving", "time_at_rest"]


def test_symptom_is_urge_at_rest_times_the_declared_factor(model, base):
    np.testing.assert_array_equal(base["symptom"].values, base["urge_at_rest"].values * base["activity_factor"].values)
    active = base["activity"].values == "active"
    np.testing.assert_array_equal(base["activity_factor"].values[active], 1.0 - 0.9)
    assert base["symptom"].attrs["kind"] == "observable" and base["symptom"].attrs["units"] == "1"


def test_sweep_over_movement_relief_by_name(model):
    def relief(ds):
        return 1.0 - float(ds["activity_factor"].values[ds["activity"].values == "active"].max())

    wanted = ("symptom_mean_last_day", "urge_at_rest_mean_last_day")
    ds = rlsmodel.sweep({"movement_relief": [0.5, 0.9]}, model=model, days=2, sample_every_hours=1.0,
                        outcomes={"relief": relief, **{n: n for n in wanted}})
    assert (ds["status"] == "ok").all()
    np.testing.assert_allclose(ds["relief"].values, [0.5, 0.9], rtol=1e-12)
    # the relief changes what is felt, never the urge at rest (no state reads it)
    assert ds["symptom_mean_last_day"].sel(movement_relief=0.5) > ds["symptom_mean_last_day"].sel(movement_relief=0.9)
    assert ds["urge_at_rest_mean_last_day"].sel(movement_relief=0.5) == ds["urge_at_rest_mean_last_day"].sel(
        movement_relief=0.9)


def test_rest_latency_sets_how_fast_the_urge_returns_at_rest(model, base):
    slow = model.simulate(DAYS, "rls_genetic", sample_every_hours=0.5, params={"rest_latency_h": 1.0})
    half_hour_into_rest = np.isclose(np.mod(base.time.values, 1.0) * 24.0, 18.5)    # rest starts 18:00
    for ds, latency in ((base, 0.33), (slow, 1.0)):
        np.testing.assert_allclose(ds["activity_factor"].values[half_hour_into_rest], 1 - np.exp(-0.5 / latency),
                                   rtol=1e-12)
    lat_fast = outcomes.daily(base)["latency_at_rest_h"].values
    lat_slow = outcomes.daily(slow)["latency_at_rest_h"].values
    assert np.all(lat_slow > lat_fast), (lat_fast, lat_slow)
    np.testing.assert_array_equal(slow["urge_at_rest"].values, base["urge_at_rest"].values)


def test_score_maps_are_read_from_the_runs_parameters(model, base):
    """outcomes.daily scores with the run's own PLMS/IRLS parameters (attrs), so sweeping them works."""
    more = model.simulate(DAYS, "rls_genetic", sample_every_hours=0.5,
                          params={"plms_base_rate": 4.0, "irls_urge_very_severe": 10.0})
    assert json.loads(more.attrs["parameters"])["plms_base_rate"] == 4.0
    d0, d1 = outcomes.daily(base), outcomes.daily(more)
    np.testing.assert_allclose(d1["plms_index"].values - d0["plms_index"].values, 2.0, rtol=1e-9)
    assert np.all(d1["irls"].values < d0["irls"].values)
    # a dataset built by hand (no parameters attribute) is scored with the declared defaults
    bare = base.copy()
    bare.attrs = {}
    np.testing.assert_array_equal(outcomes.daily(bare)["irls"].values, d0["irls"].values)
    assert outcomes.score_parameters(None)["plms_base_rate"] == model.parameters["plms_base_rate"].default
    ds = rlsmodel.sweep({"plms_base_rate": [1.0, 3.0]}, model=model, days=3, sample_every_hours=1.0,
                        outcomes=["plms_index_last_symptom_day"])
    diff = ds["plms_index_last_symptom_day"].sel(plms_base_rate=3.0) - ds["plms_index_last_symptom_day"].sel(
        plms_base_rate=1.0)
    assert float(diff) == pytest.approx(2.0, rel=1e-9)


def test_readout_parameters_do_not_recompute_start_states(model, monkeypatch):
    """Parameters no state reads share the start state (the caches key on what the RHS reads)."""
    model.simulate(1, "healthy", sample_every_hours=6.0)
    calls = []
    monkeypatch.setattr(model.start_states, "solve_periodic_state", lambda p: calls.append(p) or (None, None))
    model.simulate(1, "healthy", sample_every_hours=6.0, params={"movement_relief": 0.7, "irls_full_relief": 0.8})
    assert calls == []


def test_activity_fields_still_set_the_parameters(model, base):
    schedule = rlsmodel.Activity(movement_relief=0.6)
    via_activity = model.simulate(DAYS, "rls_genetic", sample_every_hours=0.5, activity=schedule)
    via_params = model.simulate(DAYS, "rls_genetic", sample_every_hours=0.5, params={"movement_relief": 0.6})
    np.testing.assert_array_equal(via_activity["symptom"].values, via_params["symptom"].values)
    assert json.loads(via_activity.attrs["parameters"])["movement_relief"] == 0.6
    np.testing.assert_array_equal(schedule.factor([12.0]), [0.4])
    with pytest.raises(ValueError, match="movement_relief is given twice"):
        model.simulate(1, "healthy", activity=schedule, params={"movement_relief": 0.5})
    with pytest.raises(ValueError, match="movement_relief.*must lie in \\[0, 1\\]"):
        rlsmodel.Activity(movement_relief=1.5)
    with pytest.raises(ValueError, match="rest_latency_h.*must be > 0"):
        rlsmodel.Activity(rest_latency_h=0.0)


def test_steady_state_has_no_schedule_readouts(model):
    ss = model.steady_state("healthy")
    assert "urge_at_rest" in ss and "total_body_iron" in ss
    assert "symptom" not in ss and "activity_factor" not in ss


def test_total_body_iron_is_the_assembled_sum_of_in_body_iron_states(model):
    expr = model.system.observable_exprs["total_body_iron"]
    assert expr == sp.Add(*[sym(n) for n in model.system.quantity_states("iron")])
    assert "total_body_iron" in model.system.assembled_observables
    outside = [n for n, s in model.states.items() if s.quantity == "iron" and not s.in_body]
    assert outside and not {sym(n) for n in outside} & expr.free_symbols        # iron in the gut lumen
    assert not {sym("iron_intake_total"), sym("iron_loss_total")} & expr.free_symbols


def _toy(**extra):
    parts = dict(states=(State("x", "1", "x", 1.0),),
                 parameters=(Parameter("k", 1.0, "1/day", (0.1, 10.0), "assumed: toy", "rate"),),
                 regulations=(Regulation("decay", "x", -sym("k") * sym("x"), "decay"),),
                 forcings=(Forcing("moving", "1", "1 while moving"),),
                 observables=(Observable("felt", sym("x") * (1 - sym("moving") / 2), "1", "felt"),))
    parts.update(extra)
    return Module("toy", "toy", **parts)


def test_forcings_may_be_read_by_observables_only():
    system = assemble([_toy()])
    assert system.forced_observables == ("felt",)
    with pytest.raises(DeclarationError, match="regulation 'grow' depends on the forcing 'moving' "
                                               r"\(through observable 'felt'\)"):
        assemble([_toy(regulations=(Regulation("decay", "x", -sym("k") * sym("x"), "decay"),
                                    Regulation("grow", "x", sym("k") * sym("felt"), "grow")))])
    with pytest.raises(DeclarationError, match="regulation 'decay' depends on the forcing 'moving'"):
        assemble([_toy(regulations=(Regulation("decay", "x", -sym("k") * sym("x") * sym("moving"), "decay"),))])


def test_compiled_forced_observables_need_the_forcings():
    from rlsmodel.compile import CompiledSystem
    compiled = CompiledSystem(assemble([_toy()]))
    t = np.zeros(2)
    Y = np.array([[2.0, 2.0]])
    p = np.array([1.0, 1.0])
    assert "felt" not in compiled.observables(t, Y, p)
    out = compiled.observables(t, Y, p, forcings={"moving": np.array([0.0, 1.0])})
    np.testing.assert_array_equal(out["felt"], [2.0, 1.0])
    with pytest.raises(ValueError, match="forcing\\(s\\) moving missing"):
        compiled.observables(t, Y, p, forcings={})
