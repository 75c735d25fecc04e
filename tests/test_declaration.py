"""The declaration layer: the assembler rejects inconsistent declarations, and a toy model
with an analytic solution, compiled and integrated by the package, reproduces it."""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from rlsmodel.compile import CompiledSystem
from rlsmodel.integrate import SolverSettings, integrate
from rlsmodel.model import (DeclarationError, Flow, Module, Observable, Parameter, Regulation, State,
                            assemble, sym)

A, B = sym("toy_a"), sym("toy_b")


def _param(name, default=1.0, unit="1/day", rng=(0.1, 10.0), domain="positive"):
    return Parameter(name, default, unit, rng, "assumed: toy", f"toy parameter {name}", domain=domain)


def _exchange_module(k_ab=0.7, k_ba=0.3, **overrides):
    """A <-> B linear exchange of iron (mg) with rate constants k_ab, k_ba (1/day)."""
    parts = dict(
        states=(State("toy_a", "mg", "compartment A", 10.0, quantity="iron"),
                State("toy_b", "mg", "compartment B", 5.0, quantity="iron")),
        parameters=(_param("k_ab", k_ab), _param("k_ba", k_ba)),
        flows=(Flow("a_to_b", "toy_a", "toy_b", sym("k_ab") * A, "A to B"),
               Flow("b_to_a", "toy_b", "toy_a", sym("k_ba") * B, "B to A")),
        observables=(Observable("toy_total", A + B, "mg", "A + B"),),
    )
    parts.update(overrides)
    return Module("toy_exchange", "two-compartment exchange", **parts)


def test_toy_module_assembles():
    system = assemble([_exchange_module()])
    assert system.state_names == ["toy_a", "toy_b"]
    assert system.parameter_names == ["k_ab", "k_ba"]
    assert sp.simplify(system.rhs[0] - (-sym("k_ab") * A + sym("k_ba") * B)) == 0
    assert sp.simplify(system.rhs[0] + system.rhs[1]) == 0   # conserved by construction


# -- rejections ------------------------------------------------------------------------------
def test_duplicate_symbols_are_rejected():
    other = Module("other", "declares k_ab again", parameters=(_param("k_ab"),))
    with pytest.raises(DeclarationError, match="'k_ab' is declared twice"):
        assemble([_exchange_module(), other])
    # a parameter may not reuse a state's name either
    clash = Module("clash", "parameter named like a state", parameters=(_param("toy_a"),))
    with pytest.raises(DeclarationError, match="toy_a"):
        assemble([_exchange_module(), clash])


def test_undefined_symbol_names_the_closest_defined_one():
    m = _exchange_module(flows=(Flow("a_to_b", "toy_a", "toy_b", sym("k_abb") * A, "typo"),
                                Flow("b_to_a", "toy_b", "toy_a", sym("k_ba") * B, "B to A")))
    with pytest.raises(DeclarationError, match="undefined symbol 'k_abb'") as err:
        assemble([m])
    assert "'k_ab'" in str(err.value) and "a_to_b" in str(err.value)


def test_flow_to_unknown_state_names_the_closest():
    m = _exchange_module(flows=(Flow("a_to_b", "toy_a", "toy_bb", sym("k_ab") * A, "typo"),
                                Flow("b_to_a", "toy_b", "toy_a", sym("k_ba") * B, "B to A")))
    with pytest.raises(DeclarationError, match="toy_bb") as err:
        assemble([m])
    assert "'toy_b'" in str(err.value)


def test_orphan_state_is_rejected():
    extra = State("toy_c", "mg", "nothing touches me", 1.0, quantity="iron")
    m = _exchange_module(states=_exchange_module().states + (extra,))
    with pytest.raises(DeclarationError, match="orphan") as err:
        assemble([m])
    assert "toy_c" in str(err.value)


def test_regulation_on_an_iron_state_is_rejected():
    reg = Regulation("make_iron", "toy_a", sym("k_ab") * A, "iron from nowhere")
    with pytest.raises(DeclarationError, match="conserved") as err:
        assemble([_exchange_module(regulations=(reg,))])
    assert "make_iron" in str(err.value) and "toy_a" in str(err.value)


def test_flow_between_different_quantities_is_rejected():
    copper = State("toy_cu", "mg", "copper pool", 1.0, quantity="copper")
    m = _exchange_module(states=_exchange_module().states + (copper,),
                         flows=_exchange_module().flows + (Flow("fe_to_cu", "toy_a", "toy_cu", sym("k_ab") * A,
                                                                "iron turning into copper"),))
    with pytest.raises(DeclarationError, match="fe_to_cu"):
        assemble([m])
    # nor from an iron state into a state that carries no conserved quantity
    plain = State("toy_signal", "mg", "not a conserved pool", 1.0)
    m = _exchange_module(states=_exchange_module().states + (plain,),
                         flows=_exchange_module().flows + (Flow("fe_to_sig", "toy_a", "toy_signal",
                                                                sym("k_ab") * A, "leak"),))
    with pytest.raises(DeclarationError, match="fe_to_sig"):
        assemble([m])


def test_unit_mismatches_are_rejected():
    # a flow must be in mg/day: a bare rate constant (1/day) is not
    m = _exchange_module(flows=(Flow("a_to_b", "toy_a", "toy_b", sym("k_ab"), "forgot the amount"),
                                Flow("b_to_a", "toy_b", "toy_a", sym("k_ba") * B, "B to A")))
    with pytest.raises(ValueError, match="a_to_b"):
        assemble([m])
    # terms of a sum must agree
    m = _exchange_module(flows=(Flow("a_to_b", "toy_a", "toy_b", sym("k_ab") * A + sym("k_ab"), "mixed"),
                                Flow("b_to_a", "toy_b", "toy_a", sym("k_ba") * B, "B to A")))
    with pytest.raises(ValueError, match="a_to_b"):
        assemble([m])
    # an observable must have its declared unit
    m = _exchange_module(observables=(Observable("toy_total", A + B, "mg/day", "wrong unit"),))
    with pytest.raises(ValueError, match="toy_total"):
        assemble([m])
    # a transcendental function of a dimensional quantity
    m = _exchange_module(observables=(Observable("toy_total", sp.exp(A), "1", "exp of mg"),))
    with pytest.raises(ValueError, match="toy_total"):
        assemble([m])
    # ... and the same declaration passes with units switched off (the check is what fails)
    assemble([m], check_units=False)


def test_parameter_default_outside_its_range_is_rejected():
    m = _exchange_module(parameters=(_param("k_ab", 50.0), _param("k_ba")))
    with pytest.raises(DeclarationError, match="k_ab"):
        assemble([m])


def test_boundary_flows_get_ledger_states():
    m = _exchange_module(flows=_exchange_module().flows + (Flow("b_out", "toy_b", None, sym("k_ba") * B, "loss"),))
    system = assemble([m])
    assert "iron_loss_total" in system.states and "iron_intake_total" in system.states
    i = system.state_names.index("iron_loss_total")
    assert sp.simplify(system.rhs[i] - sym("k_ba") * B) == 0


# -- analytic solution -------------------------------------------------------------------------
K_AB, K_BA = 0.7, 0.3
A0, B0 = 10.0, 5.0


def _exchange_exact(t, a0, b0, t0=0.0):
    """A(t), B(t) for dA/dt = -k_ab A + k_ba B, dB/dt = -dA/dt."""
    total = a0 + b0
    lam = K_AB + K_BA
    a_inf = K_BA * total / lam
    a = a_inf + (a0 - a_inf) * np.exp(-lam * (t - t0))
    return a, total - a


@pytest.fixture(scope="module")
def toy_compiled():
    return CompiledSystem(assemble([_exchange_module(K_AB, K_BA)]))


def test_compiled_rhs_and_jacobian_match_the_declaration(toy_compiled):
    y = np.array([2.0, 3.0])
    p = np.array([K_AB, K_BA, 1.0])
    expected = np.array([-K_AB * 2.0 + K_BA * 3.0, K_AB * 2.0 - K_BA * 3.0])
    np.testing.assert_allclose(toy_compiled.fast_rhs(0.0, y, p), expected, rtol=1e-15)
    np.testing.assert_allclose(toy_compiled.rhs(0.0, y, p), expected, rtol=1e-15)
    J = np.array([[-K_AB, K_BA], [K_AB, -K_BA]])
    np.testing.assert_allclose(toy_compiled.fast_jac(0.0, y, p), J, rtol=1e-15)
    np.testing.assert_allclose(toy_compiled.jacobian(0.0, y, p).toarray(), J, rtol=1e-15)
    obs = toy_compiled.observables(np.zeros(1), y[:, None], p)
    assert obs["toy_total"][0] == 5.0


@pytest.mark.parametrize("engine", ["lsoda", "scipy"])
def test_toy_exchange_matches_the_analytic_solution(toy_compiled, engine):
    t = np.linspace(0.0, 10.0, 41)           # samples every 0.25 day
    p = np.array([K_AB, K_BA, 1.0])
    settings = SolverSettings(engine=engine, rtol=1e-11, atol=1e-13)
    Y = integrate(toy_compiled, np.array([A0, B0]), p, t, settings=settings, scale=np.array([10.0, 10.0]))
    a, b = _exchange_exact(t, A0, B0)
    np.testing.assert_allclose(Y[0], a, rtol=1e-7, atol=0)
    np.testing.assert_allclose(Y[1], b, rtol=1e-7, atol=0)


@pytest.mark.parametrize("engine", ["lsoda", "scipy"])
def test_toy_exchange_with_an_add_event_between_samples(toy_compiled, engine):
    """4 mg added to B at t = 1.37 d (not a sample time): the solution restarts exactly
    there from the jumped state; samples before the event are untouched."""
    t = np.linspace(0.0, 5.0, 21)            # samples every 0.25 day; 1.37 is not one
    te, dose = 1.37, 4.0
    assert not np.any(np.isclose(t, te))
    p = np.array([K_AB, K_BA, 1.0])
    settings = SolverSettings(engine=engine, rtol=1e-11, atol=1e-13)
    Y = integrate(toy_compiled, np.array([A0, B0]), p, t, events=[(te, 1, dose, "add")],
                  settings=settings, scale=np.array([10.0, 10.0]))
    before = t < te
    a, b = _exchange_exact(t[before], A0, B0)
    np.testing.assert_allclose(Y[0, before], a, rtol=1e-7)
    np.testing.assert_allclose(Y[1, before], b, rtol=1e-7)
    ae, be = _exchange_exact(te, A0, B0)
    a, b = _exchange_exact(t[~before], ae, be + dose, t0=te)
    np.testing.assert_allclose(Y[0, ~before], a, rtol=1e-7)
    np.testing.assert_allclose(Y[1, ~before], b, rtol=1e-7)
    # the dose is all there: total jumps by exactly the dose
    np.testing.assert_allclose(Y[:, ~before].sum(axis=0), A0 + B0 + dose, rtol=1e-9)
    np.testing.assert_allclose(Y[:, before].sum(axis=0), A0 + B0, rtol=1e-9)


@pytest.mark.parametrize("engine", ["lsoda", "scipy"])
def test_event_at_a_sample_time_is_right_continuous(toy_compiled, engine):
    t = np.linspace(0.0, 2.0, 9)
    p = np.array([K_AB, K_BA, 1.0])
    settings = SolverSettings(engine=engine, rtol=1e-11, atol=1e-13)
    Y = integrate(toy_compiled, np.array([A0, B0]), p, t, events=[(1.0, 0, 2.0, "add")],
                  settings=settings, scale=np.array([10.0, 10.0]))
    k = int(np.argmin(np.abs(t - 1.0)))
    a, b = _exchange_exact(1.0, A0, B0)
    assert Y[0, k] == pytest.approx(a + 2.0, rel=1e-7)   # sample shows the state after the event
    assert Y[1, k] == pytest.approx(b, rel=1e-7)
