"""Engines behind one interface, found by name: the registry, options, and a user's own engine.

A user's engine (explicit midpoint steps of a fixed length, declared as an option) is
registered, run through ``Model.simulate``-level machinery (``integrate`` with events) on a
two-compartment model with an analytic solution, and must converge at second order; its
options are validated and recorded. Unknown names list the registered engines.
"""
from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from rlsmodel import engines, integrate as integrate_module
from rlsmodel.compile import CompiledSystem
from rlsmodel.engines import (ENGINES, Engine, IntegrationError, Option, SolverSettings, get_engine,
                              integrate_piecewise, register_engine, unregister_engine)
from rlsmodel.engines.base import positive_number
from rlsmodel.integrate import integrate
from rlsmodel.model import Module, Parameter, Regulation, State, assemble, sym

KA, KE = 3.0, 0.4


class Midpoint(Engine):
    """Explicit midpoint rule with a fixed step (the last step of a segment is shortened)."""

    name = "test_midpoint"
    description = "explicit midpoint, fixed step (test engine)"
    options = {"step": Option(0.01, "step length (day)", positive_number),
               "fail_after": Option(None, "raise IntegrationError after this time (day)")}

    def integrate(self, problem):
        f, p = problem.compiled.fast_rhs, problem.p
        h0, fail_after = problem.option("step"), problem.option("fail_after")

        def segment(y, times):
            out = np.empty((y.size, times.size))
            out[:, 0] = y
            t, y = times[0], y.copy()
            for k, target in enumerate(times[1:], start=1):
                while t < target - 1e-14:
                    if fail_after is not None and t > fail_after:
                        raise IntegrationError(f"midpoint gave up at t = {t:.3g}")
                    h = min(h0, target - t)
                    y = y + h * f(t + h / 2, y + h / 2 * f(t, y, p), p)
                    t += h
                out[:, k] = y
            return out

        return integrate_piecewise(problem, segment)


@pytest.fixture(scope="module")
def toy():
    depot, plasma, ka, ke = sym("reg_depot"), sym("reg_plasma"), sym("reg_ka"), sym("reg_ke")
    module = Module(
        name="registry_toy", description="first-order absorption and elimination",
        states=(State("reg_depot", "mg", "depot", 1.0), State("reg_plasma", "mg", "plasma", 1.0)),
        parameters=(Parameter("reg_ka", KA, "1/day", (0.1, 10.0), "assumed: test", "absorption"),
                    Parameter("reg_ke", KE, "1/day", (0.01, 5.0), "assumed: test", "elimination")),
        regulations=(Regulation("reg_out", "reg_depot", -ka * depot, "absorption out"),
                     Regulation("reg_in", "reg_plasma", ka * depot - ke * plasma, "absorption in, elimination")),
    )
    return CompiledSystem(assemble([module]))


@pytest.fixture
def midpoint():
    engine = register_engine(Midpoint())
    yield engine
    unregister_engine(engine.name)


def exact(ts, dose_t, dose):
    """(depot, plasma) from (1, 0) with ``dose`` added to the depot at ``dose_t`` (right-continuous)."""
    def bateman(t, d0, p0):
        return (d0 * np.exp(-KA * t),
                p0 * np.exp(-KE * t) + d0 * KA / (KA - KE) * (np.exp(-KE * t) - np.exp(-KA * t)))
    d1, p1 = bateman(dose_t, 1.0, 0.0)
    return np.array([bateman(x, 1.0, 0.0) if x < dose_t else bateman(x - dose_t, d1 + dose, p1) for x in ts]).T


def test_builtin_engines_are_registered_and_importable_from_the_old_paths():
    assert list(ENGINES)[:3] == ["lsoda", "cvode", "scipy"]
    assert integrate_module.ENGINES is ENGINES
    assert integrate_module.SolverSettings is SolverSettings and integrate_module.IntegrationError is IntegrationError
    from rlsmodel.engines.sundials import EngineUnavailable
    assert EngineUnavailable is engines.EngineUnavailable
    assert {type(e).__module__ for e in ENGINES.values()} >= {"rlsmodel.engines.lsoda", "rlsmodel.engines.cvode",
                                                             "rlsmodel.engines.scipy_ivp"}


def test_unknown_engine_lists_the_registered_ones(model):
    with pytest.raises(ValueError, match=r"unknown engine 'rk45'; registered engines: lsoda \(.*cvode \(.*scipy"):
        model.simulate(1, engine="rk45")
    with pytest.raises(ValueError, match="register_engine"):
        get_engine("rk45")


def test_a_users_engine_runs_events_exactly_and_converges_at_second_order(toy, midpoint):
    p = np.array([KA, KE, 1.0])
    ts = np.linspace(0.0, 3.0, 13)
    dose_t, dose = 1.25, 2.0                    # on a sample time: the sample shows the state after it
    ref = exact(ts, dose_t, dose)
    errors = []
    for h in (0.02, 0.01):
        settings = SolverSettings(engine="test_midpoint", engine_options={"step": h})
        Y = integrate(toy, [1.0, 0.0], p, ts, events=[(dose_t, 0, dose, "add")], settings=settings)
        errors.append(np.max(np.abs(Y - ref)))
    assert errors[1] < 2e-4
    assert 3.5 < errors[0] / errors[1] < 4.5     # second order: halving the step quarters the error
    k = int(np.flatnonzero(ts == dose_t)[0])
    assert Y[0, k] == pytest.approx(ref[0, k], rel=1e-4) and Y[0, k] > 2.0


def test_engine_options_are_checked_defaulted_and_recorded(toy, midpoint, model):
    with pytest.raises(ValueError, match=r"no option 'stepsize'; its options: step, fail_after"):
        SolverSettings(engine="test_midpoint", engine_options={"stepsize": 0.1}).validate()
    with pytest.raises(ValueError, match=r"option 'step': must be a positive finite number; got -1"):
        SolverSettings(engine="test_midpoint", engine_options={"step": -1}).validate()
    with pytest.raises(ValueError, match=r"engine 'scipy' has no option 'step'; its options: none"):
        SolverSettings(engine="scipy", engine_options={"step": 0.1}).validate()
    with pytest.raises(ValueError, match=r"engine 'lsoda' has no option 'step'; its options: first_step, linear_pk"):
        SolverSettings(engine="lsoda", engine_options={"step": 0.1}).validate()
    s = SolverSettings(engine="test_midpoint", engine_options={"step": 0.05})
    assert s.options() == {"step": 0.05, "fail_after": None}
    assert s == SolverSettings(engine="test_midpoint", engine_options=(("step", 0.05),)) and hash(s)
    assert s.as_attrs()["solver_options"] == '{"step": 0.05}'
    assert "solver_options" not in SolverSettings().as_attrs()        # unchanged attrs without options
    with pytest.raises(IntegrationError, match="midpoint gave up"):
        integrate(toy, [1.0, 0.0], [KA, KE, 1.0], [0.0, 1.0],
                  settings=SolverSettings(engine="test_midpoint", engine_options={"fail_after": 0.5}))
    ds = model.simulate(0.25, engine="test_midpoint", engine_options={"step": 0.01}, sample_every_hours=3.0)
    assert ds.attrs["solver_engine"] == "test_midpoint" and ds.attrs["solver_options"] == '{"step": 0.01}'
    ref = model.simulate(0.25, sample_every_hours=3.0)
    scale = np.maximum(np.abs(ref["brain_iron"].values), 1e-3)
    assert np.max(np.abs(ds["brain_iron"].values - ref["brain_iron"].values) / scale) < 1e-6


def test_registration_refuses_clashes_and_non_engines(midpoint):
    with pytest.raises(ValueError, match="already registered"):
        register_engine(Midpoint())
    assert register_engine(Midpoint(), replace=True).name == "test_midpoint"
    with pytest.raises(TypeError, match="Engine instance"):
        register_engine(object())
    bad = Midpoint()
    bad.name = "not an identifier"
    with pytest.raises(ValueError, match="identifier"):
        register_engine(bad)
    with pytest.raises(KeyError, match="no engine 'nope'"):
        unregister_engine("nope")


def test_bad_events_are_refused_for_every_engine(toy):
    for engine in ("lsoda", "scipy"):
        settings = SolverSettings(engine=engine)
        with pytest.raises(ValueError, match="unknown event mode 'multiply'"):
            integrate(toy, [1.0, 0.0], [KA, KE, 1.0], [0.0, 1.0], events=[(0.5, 0, 2.0, "multiply")],
                      settings=settings)
        with pytest.raises(ValueError, match=r"state index 5 out of range 0..1"):
            integrate(toy, [1.0, 0.0], [KA, KE, 1.0], [0.0, 1.0], events=[(0.5, 5, 2.0, "add")], settings=settings)


def _max_concurrency(thread_safe: bool) -> int:
    state = {"now": 0, "max": 0}
    lock = threading.Lock()

    class Sleepy(Engine):
        name = "test_sleepy"
        description = "records how many calls run at once"

        def integrate(self, problem):
            with lock:
                state["now"] += 1
                state["max"] = max(state["max"], state["now"])
            time.sleep(0.05)
            with lock:
                state["now"] -= 1
            return np.repeat(problem.y0[:, None], problem.t_samples.size, axis=1)

    Sleepy.thread_safe = thread_safe
    register_engine(Sleepy(), replace=True)
    try:
        threads = [threading.Thread(target=integrate, args=(None, [1.0], [1.0], [0.0, 1.0]),
                                    kwargs={"settings": SolverSettings(engine="test_sleepy")}) for _ in range(4)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    finally:
        unregister_engine("test_sleepy")
    return state["max"]


def test_engines_that_are_not_thread_safe_run_one_call_at_a_time():
    assert _max_concurrency(thread_safe=False) == 1
    assert _max_concurrency(thread_safe=True) > 1


def test_the_default_falls_back_with_a_message_saying_how_to_get_the_fast_engine(monkeypatch):
    """Where cvode cannot run (no compiler, no SUNDIALS wheel), Model() still works on lsoda and
    says why, once, with the fix (issue 24, item 5)."""
    from rlsmodel.engines import base
    cvode = get_engine("cvode")
    monkeypatch.setattr(type(cvode), "available", lambda self: (False, "no C compiler found"))
    monkeypatch.setattr(base, "_DEFAULT_CHOICE", {})
    with pytest.warns(engines.EngineFallbackWarning, match="no C compiler found.*rlsmodel\\[fast\\]"):
        assert engines.default_engine() == "lsoda"
    monkeypatch.setattr(base, "_DEFAULT_CHOICE", {})
