"""The compiled ``cvode`` engine: generated C + SUNDIALS CVODE, checked against the others.

Skipped (with the reason) where the engine cannot run: no C compiler, or no SUNDIALS
libraries (``pip install 'rlsmodel[fast]'`` installs scikit-sundae, which ships them).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from rlsmodel.compile import CompiledSystem
from rlsmodel.integrate import ENGINES, IntegrationError, SolverSettings, integrate
from rlsmodel.model import Module, Parameter, Regulation, State, assemble, sym

from rlsmodel.engines import cvode
from rlsmodel.engines.sundials import EngineUnavailable

AVAILABLE, WHY_NOT = cvode.available()
needs_cvode = pytest.mark.skipif(not AVAILABLE, reason=f"cvode engine unavailable: {WHY_NOT}")

KA, KE = 3.0, 0.4          # 1/day: absorption and elimination of the toy model


@pytest.fixture(scope="module")
def toy():
    """Two-compartment linear model (depot -> plasma -> out), built with the declaration layer."""
    depot, plasma, ka, ke = sym("toy_depot"), sym("toy_plasma"), sym("toy_ka"), sym("toy_ke")
    module = Module(
        name="toy_two_compartment",
        description="first-order absorption and elimination",
        states=(State("toy_depot", "mg", "drug in the depot", 1.0),
                State("toy_plasma", "mg", "drug in plasma", 1.0)),
        parameters=(Parameter("toy_ka", KA, "1/day", (0.1, 10.0), "assumed: test", "absorption rate"),
                    Parameter("toy_ke", KE, "1/day", (0.01, 5.0), "assumed: test", "elimination rate")),
        regulations=(Regulation("toy_absorb_out", "toy_depot", -ka * depot, "absorption out of the depot"),
                     Regulation("toy_absorb_in", "toy_plasma", ka * depot - ke * plasma, "absorption, elimination")),
    )
    compiled = CompiledSystem(assemble([module]))
    assert compiled.state_names == ["toy_depot", "toy_plasma"]
    return compiled


def bateman(t, depot0, plasma0):
    """Analytic (depot, plasma) after time ``t`` from (depot0, plasma0)."""
    d = depot0 * np.exp(-KA * t)
    p = plasma0 * np.exp(-KE * t) + depot0 * KA / (KA - KE) * (np.exp(-KE * t) - np.exp(-KA * t))
    return d, p


def toy_exact(ts, dose_t, dose):
    """Analytic solution from (1, 0) with ``dose`` added to the depot at ``dose_t`` (right-continuous)."""
    d1, p1 = bateman(dose_t, 1.0, 0.0)
    out = np.empty((2, ts.size))
    for i, x in enumerate(ts):
        out[:, i] = bateman(x, 1.0, 0.0) if x < dose_t else bateman(x - dose_t, d1 + dose, p1)
    return out


def test_engine_is_registered():
    assert "cvode" in ENGINES
    SolverSettings(engine="cvode").validate()


@needs_cvode
def test_event_lands_exactly_on_toy_model(toy):
    """An 'add' at a non-sample time: the solution kinks exactly there (analytic Bateman)."""
    p = np.array([KA, KE, 1.0])
    ts = np.linspace(0.0, 5.0, 21)                 # 0.25-day grid; the dose falls between samples
    dose_t, dose = 1.3217, 4.0
    assert not np.any(np.isclose(ts, dose_t))
    settings = SolverSettings(engine="cvode", rtol=1e-10, atol=1e-12)
    Y = integrate(toy, [1.0, 0.0], p, ts, events=[(dose_t, 0, dose, "add")], settings=settings,
                  scale=np.ones(2))
    ref = toy_exact(ts, dose_t, dose)
    np.testing.assert_allclose(Y, ref, rtol=1e-8, atol=1e-11)
    # a dose applied at the wrong time (e.g. the next sample) would be off by far more
    wrong = toy_exact(ts, 1.5, dose)
    assert np.max(np.abs(wrong - ref)) > 1e-2


@needs_cvode
def test_events_at_sample_times_are_right_continuous(toy):
    """'add' and 'set' at sample times: the sample shows the state after the event, as other engines."""
    p = np.array([KA, KE, 1.0])
    ts = np.linspace(0.0, 4.0, 17)
    events = [(1.0, 0, 2.0, "add"), (2.5, 1, 0.25, "set"), (2.5, 1, 0.5, "add"), (4.0, 0, 1.0, "add")]
    runs = {e: integrate(toy, [1.0, 0.0], p, ts, events=events,
                         settings=SolverSettings(engine=e, rtol=1e-10, atol=1e-12), scale=np.ones(2))
            for e in ("cvode", "lsoda", "scipy")}
    np.testing.assert_allclose(runs["cvode"], runs["lsoda"], rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(runs["cvode"], runs["scipy"], rtol=1e-6, atol=1e-9)
    k = int(np.argmin(np.abs(ts - 2.5)))
    assert runs["cvode"][1, k] == pytest.approx(0.75, abs=1e-14)          # set 0.25, then add 0.5
    d_end, _ = bateman(1.5, toy_exact(np.array([2.5]), 1.0, 2.0)[0, 0], 0.75)
    assert runs["cvode"][0, -1] == pytest.approx(d_end + 1.0, rel=1e-8)   # last sample after the dose


@needs_cvode
def test_generated_c_equals_numba_functions(model):
    """The C right-hand side and Jacobian agree with the numba ones at random states."""
    eng = cvode.engine_for(model.compiled)
    rng = np.random.default_rng(1)
    scale = np.maximum(np.abs([model.states[n].nominal for n in model.compiled.state_names]), 1e-3)
    for profile in ("healthy", "rls_genetic"):
        p = model.parameter_vector(profile)
        for tt in (0.0, 0.37, 12.9):
            y = scale * (0.5 + rng.random(scale.size))
            np.testing.assert_allclose(eng.rhs(tt, y, p), model.compiled.fast_rhs(tt, y, p),
                                       rtol=1e-12, atol=1e-14 * np.max(np.abs(y)))
            np.testing.assert_allclose(eng.jacobian(tt, y, p), model.compiled.fast_jac(tt, y, p),
                                       rtol=1e-12, atol=1e-300)


@needs_cvode
@pytest.mark.slow
@pytest.mark.parametrize("profile", ["healthy", "rls_genetic"])
def test_cvode_equals_reference_and_lsoda(model, profile):
    """30 days, hourly samples: cvode within 1e-6 relative of scipy (BDF) and lsoda, every state.

    All three start from the same state (the limit cycle found once), so only the
    integrators differ; all three at rtol 1e-9 (the defaults, 1e-6, are checked against a
    tight reference in tests/test_default_accuracy.py).
    """
    start = model.simulate(days=1, profile=profile).isel(time=0)
    runs = {e: model.simulate(days=30, profile=profile, engine=e, initial=start, rtol=1e-9, atol=1e-11)
            for e in ("cvode", "lsoda", "scipy")}
    scale = np.maximum(np.abs([model.states[n].nominal for n in model.compiled.state_names]), 1e-3)
    for i, name in enumerate(model.compiled.state_names):
        c = runs["cvode"][name].values
        for other in ("scipy", "lsoda"):
            o = runs[other][name].values
            floor = max(scale[i], float(np.max(np.abs(o))) * 1e-3)
            err = np.max(np.abs(c - o) / np.maximum(np.abs(o), floor))
            assert err <= 1e-6, f"{profile}: {name} differs from {other} by {err:.2e} relative"


@needs_cvode
def test_failure_returns_the_solver_message(model):
    p = model.parameter_vector("healthy")
    y0 = model.simulate(days=1).isel(time=0)
    y0 = np.array([float(y0[n]) for n in model.compiled.state_names])
    with pytest.raises(IntegrationError, match=r"CV_TOO_MUCH_WORK.*mxstep steps taken before reaching tout"):
        integrate(model.compiled, y0, p, np.linspace(0.0, 30.0, 31),
                  settings=SolverSettings(engine="cvode", max_steps=5), scale=np.ones(y0.size))
    bad = y0.copy()
    bad[0] = np.nan
    with pytest.raises(IntegrationError, match="right-hand side routine failed"):
        integrate(model.compiled, bad, p, np.linspace(0.0, 1.0, 3), settings=SolverSettings(engine="cvode"),
                  scale=np.ones(y0.size))


@needs_cvode
@pytest.mark.slow
def test_second_process_does_not_recompile(model):
    """A fresh process finds the compiled library on disk: no compiler run, quick load."""
    eng = cvode.engine_for(model.compiled)
    assert eng.path.exists() and eng.path.parent.name == "generated"
    script = textwrap.dedent("""
        import json, subprocess, time
        _run = subprocess.run
        def forbidden(cmd, *args, **kwargs):
            if cmd and str(cmd[0]) == "git":    # provenance asks git for the revision: allowed
                return _run(cmd, *args, **kwargs)
            raise AssertionError(f"compiler invoked: {cmd!r}")
        subprocess.run = forbidden              # any compilation would go through here
        import rlsmodel
        from rlsmodel.engines import cvode
        m = rlsmodel.Model()
        t0 = time.perf_counter()
        eng = cvode.engine_for(m.compiled)
        load = time.perf_counter() - t0
        ds = m.simulate(days=2, engine="cvode")
        print(json.dumps({"path": str(eng.path), "load": load, "ok": bool(ds.time.size == 49)}))
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=dict(os.environ),
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    info = json.loads(proc.stdout.strip().splitlines()[-1])
    assert info["path"] == str(eng.path)
    assert info["ok"]
    assert info["load"] < 2.0, f"loading the cached engine took {info['load']:.2f} s"


def test_missing_libraries_give_a_clear_error(tmp_path, monkeypatch, toy):
    monkeypatch.setenv("RLSMODEL_SUNDIALS_LIBDIR", str(tmp_path))
    ok, why = cvode.available()
    assert not ok and "libsundials_" in why
    fresh = CompiledSystem(toy.system)
    with pytest.raises(EngineUnavailable, match=r"(?s)SUNDIALS.*engine='lsoda' works everywhere"):
        integrate(fresh, [1.0, 0.0], [KA, KE, 1.0], [0.0, 1.0], settings=SolverSettings(engine="cvode"))


def test_missing_compiler_gives_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.delenv("CC", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(EngineUnavailable, match=r"no C compiler.*engine='lsoda' works everywhere"):
        cvode.find_compiler()
