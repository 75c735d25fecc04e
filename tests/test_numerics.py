"""Numerical soundness: positivity, steady states, convergence, engine agreement,
periodicity of the initial state, and purity of simulate()."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from conftest import CORE_PROFILES, dynamic_mask, nominal_scale, state_vector
from rlsmodel.integrate import SolverSettings, integrate

import rlsmodel

KEY_OBSERVABLES = ("serum_ferritin", "transferrin_saturation", "csf_ferritin", "brain_iron", "myelin",
                   "hif", "th_activity", "dopamine_extracellular", "d2_density", "symptom",
                   "total_body_iron")


def _rel(a, b, floor):
    return np.abs(a - b) / np.maximum(np.abs(b), floor)


# --------------------------------------------------------------------------------------
# positivity and finiteness over the declared parameter ranges
# --------------------------------------------------------------------------------------
_MODEL_FOR_STRATEGY = rlsmodel.Model()   # cached compile: cheap after the first build
_RANGES = {n: p.range for n, p in _MODEL_FOR_STRATEGY.parameters.items()}
parameter_sets = st.fixed_dictionaries(
    {n: st.floats(min_value=float(lo), max_value=float(hi), allow_nan=False, allow_infinity=False)
     for n, (lo, hi) in _RANGES.items()})


def test_declared_ranges_lie_inside_physical_domains(model):
    """A sweep over the plausible ranges must never be rejected as unphysical."""
    for name, p in model.parameters.items():
        lo, hi = p.range
        assert lo <= hi, name   # lo == hi: a physical constant (e.g. a molecular weight)
        assert lo <= p.default <= hi, name
        for v in (lo, hi, 0.5 * (lo + hi)):
            p.check_value(v)   # raises ValueError naming the parameter if not


@settings(max_examples=15, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(params=parameter_sets)
def test_random_parameter_sets_stay_nonnegative_and_finite(model, steady, params):
    """All parameters drawn at once from their declared ranges: 60 days from the healthy
    steady state (a transient: the new parameters move every pool), sampled daily, and the
    parameter set's own steady state, stay finite and non-negative. derandomize=True keeps CI
    reproducible; hypothesis prints the falsifying parameter set."""
    note(f"params = {params!r}")
    ds = model.simulate(60, "healthy", params=params, sample_every_hours=24.0,
                        initial=steady("healthy"))
    for name in list(model.compiled.state_names) + list(model.observables) + ["total_body_iron", "symptom"]:
        v = ds[name].values
        assert np.all(np.isfinite(v)), f"{name} is not finite for params={params!r}"
        if name in model.states or name in ("serum_ferritin", "transferrin_saturation", "brain_iron",
                                            "csf_ferritin", "dopamine_extracellular", "symptom",
                                            "th_activity", "hif", "total_body_iron"):
            assert np.min(v) >= -1e-9 * max(1.0, np.max(np.abs(v))), \
                f"{name} goes negative ({np.min(v):.3g}) for params={params!r}"
    assert np.all((ds["symptom"].values >= 0) & (ds["symptom"].values <= 10 + 1e-9))
    ss = model.steady_state("healthy", params=params)
    y = state_vector(model, ss)
    assert np.all(np.isfinite(y)) and np.all(y >= -1e-12), f"steady state invalid for params={params!r}"


# --------------------------------------------------------------------------------------
# steady states
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("profile", rlsmodel.profiles.PROFILES)
def test_steady_state_rhs_is_zero(model, steady, profile):
    """max |rhs| / scale < 1e-8 per day on the day-averaged system (forcing switch 0)."""
    ss = steady(profile)
    y = state_vector(model, ss)
    p = model.parameter_vector(profile, forcing=0.0)
    assert p[-1] == 0.0 and p.size == len(model.compiled.parameter_names) + 1
    f = model.compiled.fast_rhs(0.0, y, p)
    dyn = dynamic_mask(model)
    res = np.abs(f[dyn]) / nominal_scale(model)[dyn]
    worst = np.array(model.compiled.state_names)[dyn][np.argmax(res)]
    assert res.max() < 1e-8, f"{profile}: |rhs|/scale = {res.max():.3g} at {worst}"
    # pools with a positive nominal value are positive; drug pools (nominal 0) are empty
    nominal = np.array([model.states[n].nominal for n in model.compiled.state_names])
    assert np.all(y[dyn & (nominal > 0)] > 0), f"{profile}: steady state has non-positive pools"
    from rlsmodel.pharmacology import drug_modules
    drug_states = {s.name for m in drug_modules() for s in m.states}
    drug_pools = np.array([n in drug_states for n in model.compiled.state_names])
    assert np.all(y[dyn & drug_pools] == 0.0), f"{profile}: untreated drug pools not empty"
    # the day-averaged rhythm has no effect on the RHS with forcing 0 (t-independent)
    f_later = model.compiled.fast_rhs(0.37, y, p)
    np.testing.assert_array_equal(f, f_later)


@pytest.mark.parametrize("profile", CORE_PROFILES)
def test_steady_state_is_reached_from_perturbed_starts(model, steady, profile):
    """From +30%, -30% and random +-30% perturbations of every dynamic state, the
    day-averaged system returns to the same steady state (to 1e-6 relative).

    Horizon: the slowest mode is whole-body iron regulation (hepcidin-controlled absorption
    versus ~1 mg/day losses), eigenvalue about -5.6e-4 /day in the healthy profile, i.e. a
    ~5-year time constant: 30 years leaves ~1e-3 of the perturbation, so we integrate 100
    years (about 20 time constants) and check the linearisation is stable.
    """
    ss = steady(profile)
    y_ss = state_vector(model, ss)
    p = model.parameter_vector(profile, forcing=0.0)
    dyn = dynamic_mask(model)
    J = model.compiled.fast_jac(0.0, y_ss, p)[np.ix_(dyn, dyn)]
    eig = np.linalg.eigvals(J)
    slowest = eig.real.max()
    assert slowest < 0, f"{profile}: steady state is not linearly stable (max Re eig {slowest:.3g})"
    horizon = 100 * 365.0
    assert horizon * -slowest > 15, f"{profile}: slowest mode {slowest:.3g}/day too slow for the horizon"
    rng = np.random.default_rng(2024)
    factors = [np.full(dyn.sum(), 1.3), np.full(dyn.sum(), 0.7), 1 + rng.choice([-0.3, 0.3], dyn.sum())]
    for factor in factors:
        y0 = y_ss.copy()
        y0[dyn] *= factor
        Y = integrate(model.compiled, y0, p, np.array([0.0, horizon]),
                      settings=SolverSettings(rtol=1e-10, atol=1e-12), scale=nominal_scale(model))
        err = _rel(Y[dyn, -1], y_ss[dyn], 1e-12)
        worst = np.array(model.compiled.state_names)[dyn][np.argmax(err)]
        assert err.max() < 1e-6, f"{profile}: not back at steady state ({err.max():.3g} at {worst})"


def test_periodic_initial_state_is_periodic(model):
    """simulate() starts on the daily limit cycle: y(1 day) == y(0) to 1e-7 relative."""
    dyn = dynamic_mask(model)
    scale = nominal_scale(model)
    for profile in ("healthy", "rls_iron_deficient"):
        ds = model.simulate(1, profile, sample_every_hours=1.0, rtol=1e-10, atol=1e-12)   # the start state's own accuracy
        assert ds.attrs["initial_state"] == "periodic (shooting)"
        Y = np.array([ds[n].values for n in model.compiled.state_names])
        # relative to max(|y|, nominal scale): drug pools sit at 0 (+- 1e-15 round-off)
        err = np.abs(Y[dyn, -1] - Y[dyn, 0]) / np.maximum(np.abs(Y[dyn, 0]), scale[dyn])
        worst = np.array(model.compiled.state_names)[dyn][np.argmax(err)]
        assert err.max() < 1e-7, f"{profile}: y(1)-y(0) = {err.max():.3g} relative at {worst}"
        # not trivially periodic: fast states do swing within the day
        assert np.ptp(ds["dopamine_extracellular"].values) > 0.1 * ds["dopamine_extracellular"].values.mean()


# --------------------------------------------------------------------------------------
# convergence and engine agreement
# --------------------------------------------------------------------------------------
def _compare_runs(model, a, b, tol, what):
    names = list(model.compiled.state_names) + [o for o in KEY_OBSERVABLES if o != "symptom"]
    scale = dict(zip(model.compiled.state_names, nominal_scale(model)))
    for name in names:
        va, vb = a[name].values[-1], b[name].values[-1]
        # relative to max(|value|, the state's nominal scale), as the integrator's error control
        # and the periodic-state test: a state far below its scale (untreated D2 tolerance, about
        # 1e-6) is compared by its absolute error in units of that scale
        floor = scale.get(name, 1e-6)
        err = abs(va - vb) / max(abs(vb), floor)
        assert err < tol, f"{what}: {name} at the end differs by {err:.3g} relative ({va!r} vs {vb!r})"


@pytest.mark.parametrize("profile,start", [("rls_iron_deficient", "healthy"), ("rls_genetic", None)])
def test_tightening_tolerances_changes_1_year_results_by_less_than_1e_6(exact_model, steady, profile, start):
    """Convergence: from rtol 1e-8 / atol 1e-10 to 100x tighter, every state and key observable
    at day 365 and the daily-max symptom of every day change by < 1e-6 relative. Checked on a
    transient (rls_iron_deficient from the healthy steady state: body iron falling) and on
    the entrained limit cycle. (The looser defaults are held to the accuracy users need in
    tests/test_default_accuracy.py.) On cvode's exact path: the envelope's error is 200 x rtol per jump,
    so its results move with the tolerance by more (measured 4.8e-6, decision 60)."""
    model = exact_model
    initial = steady(start) if start else None
    base = model.simulate(365, profile, initial=initial, rtol=1e-8, atol=1e-10)
    assert base.attrs["solver_rtol"] == 1e-8 and base.attrs["solver_atol"] == 1e-10
    tight = model.simulate(365, profile, initial=initial, rtol=1e-10, atol=1e-12)
    _compare_runs(model, base, tight, 1e-6, f"{profile} tolerances")
    dmax_a = base["symptom"].coarsen(time=24, boundary="trim").max().values
    dmax_b = tight["symptom"].coarsen(time=24, boundary="trim").max().values
    assert dmax_a.size == 365 and dmax_b.max() > 1.0
    err = np.abs(dmax_a - dmax_b) / np.maximum(np.abs(dmax_b), 1e-3)
    assert err.max() < 1e-6, f"{profile}: daily-max symptom differs by {err.max():.3g} relative"


@pytest.mark.parametrize("profile", ["healthy", "rls_genetic"])
def test_lsoda_agrees_with_scipy_reference_engine(model, profile):
    """The numba+LSODA engine and the independent solve_ivp(BDF)+sparse-Jacobian engine,
    from the same start, both at rtol 1e-8, agree to 1e-5 relative over 30 days (hourly
    samples, every state and key observable at every sample)."""
    start = model.simulate(1, profile, sample_every_hours=24).isel(time=0)
    a = model.simulate(30, profile, initial=start, engine="lsoda", rtol=1e-8, atol=1e-10)
    b = model.simulate(30, profile, initial=start, engine="scipy", rtol=1e-8, atol=1e-10)
    assert a.attrs["solver_engine"] == "lsoda" and b.attrs["solver_engine"] == "scipy"
    scale = dict(zip(model.compiled.state_names, nominal_scale(model)))
    for name in list(model.compiled.state_names) + list(KEY_OBSERVABLES):
        va, vb = a[name].values, b[name].values
        # relative to max(|value|, the state's nominal scale), as in _compare_runs
        floor = scale.get(name, 1e-6) if name != "symptom" else 1e-3
        err = np.abs(va - vb) / np.maximum(np.abs(vb), floor)
        assert err.max() < 1e-5, f"{profile}: {name} lsoda vs scipy differ by {err.max():.3g}"


# --------------------------------------------------------------------------------------
# purity
# --------------------------------------------------------------------------------------
def test_identical_simulate_calls_are_bit_identical(model):
    kwargs = dict(days=10, profile="rls_genetic", params={"diet_iron": 11.0}, sample_every_hours=2.0)
    a = model.simulate(**kwargs)
    model.simulate(5, "iron_deficient")            # an unrelated run in between
    b = model.simulate(**kwargs)
    assert list(a.data_vars) == list(b.data_vars)
    for name in a.data_vars:
        assert np.array_equal(a[name].values, b[name].values), name
    np.testing.assert_array_equal(a.time.values, b.time.values)
    assert a.attrs == b.attrs
    # a fresh Model gives the same numbers: nothing hidden on the simulator object
    c = rlsmodel.Model().simulate(**kwargs)
    for name in model.compiled.state_names:
        assert np.array_equal(a[name].values, c[name].values), name


# --------------------------------------------------------------------------------------
# physical bounds of readouts
# --------------------------------------------------------------------------------------
def test_transferrin_saturation_stays_at_most_100_percent_within_declared_ranges(model):
    """Hepcidin-insensitive corner of the declared ranges (iron-rich diet, maximal
    absorption, blunted hepcidin action and no holo-transferrin sensing): transferrin can
    at most be fully saturated."""
    corner = {"diet_iron": 30.0, "absorption_max_fraction": 0.5, "hepcidin_absorption_k": 1.0,
              "hepcidin_ferroportin_k": 0.5, "hepcidin_plasma_exponent": 0.0}
    for name, value in corner.items():
        lo, hi = model.parameters[name].range
        assert lo <= value <= hi, name
    tsat = float(model.steady_state("healthy", params=corner)["transferrin_saturation"])
    assert tsat <= 100.0, f"transferrin saturation {tsat:.1f}%"
