"""Set points: reference levels computed from the healthy steady state.

Several parameters are, by definition, the healthy value of something the model computes:
``endothelial_iron_ref`` is healthy endothelial iron, ``labile_iron_ref`` healthy neuronal
labile iron, ``d2_stimulation_ref`` the healthy D2 occupancy, and so on. Their declarations
name the state or observable that defines them (:attr:`Parameter.set_point`). Copying the
number by hand would let it drift whenever another parameter changes, so every ``1 =
healthy`` readout stops being 1 in health. Instead :class:`rlsmodel.Model` solves, when it is
built,

    r_i = x_i(steady state of the healthy day-averaged system with set points r)

for all set points at once (a fixed point: the healthy steady state depends on the set
points it defines). The unknowns are scaled by their declared defaults and solved with
MINPACK's hybrid method (``scipy.optimize.root``); the declared defaults are the starting
guess, so the solve takes a few steady-state evaluations.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
from scipy.optimize import root


class SetPointError(RuntimeError):
    """The set points could not be computed (the healthy steady state was not found)."""


def set_point_parameters(parameters) -> list:
    """Names of the parameters that are set points, in declaration order."""
    return [n for n, p in parameters.items() if p.set_point is not None]


def solve(names, initial, evaluate, rtol: float = 1e-12) -> dict:
    """Solve ``r = evaluate(r)`` for the set points ``names``.

    Parameters
    ----------
    names
        set-point parameter names.
    initial
        starting values (the declared defaults), same order.
    evaluate
        ``f(values) -> array`` of the defining readouts in the healthy steady state
        computed with the set points at ``values``.
    rtol
        relative tolerance on each set point.

    Notes
    -----
    Returns ``{name: value}``. Raises :class:`SetPointError` naming the set points that did
    not converge.
    """
    x0 = np.asarray(initial, dtype=float)
    if not names:
        return {}
    scale = np.where(np.abs(x0) > 0, np.abs(x0), 1.0)

    def residual(z):
        values = z * scale
        return (np.asarray(evaluate(values), dtype=float) - values) / scale

    sol = root(residual, np.ones_like(x0), method="hybr", options={"xtol": rtol})
    res = residual(sol.x)
    bad = [n for n, r in zip(names, res) if not np.isfinite(r) or abs(r) > 1e-8]
    if bad:
        raise SetPointError(f"set points {bad} did not converge ({sol.message}); the healthy steady "
                            "state may not exist for these parameter defaults")
    return dict(zip(names, (sol.x * scale).tolist()))


def healthy_set_points(parameters, compiled, base, steady_state) -> dict:
    """The set-point parameters of ``parameters`` (name -> Parameter) with their defaults
    replaced by the healthy steady-state values they name: ``{name: Parameter}`` (empty when
    there are none).

    ``compiled``: the model's compiled system; ``base``: its healthy parameter vector;
    ``steady_state(p) -> (y, method)``: the day-averaged steady state of parameter vector
    ``p`` (uncached: the trial vectors of the solve). Raises :class:`SetPointError` when the
    solve fails or a set point lands outside its declared range.
    """
    names = set_point_parameters(parameters)
    if not names:
        return {}
    order = compiled.parameter_names
    index = [order.index(n) for n in names]
    state_index = {n: i for i, n in enumerate(compiled.state_names)}
    targets = [parameters[n].set_point for n in names]
    pa = base.copy()
    pa[-1] = 0.0

    def evaluate(values):
        p = base.copy()
        p[index] = values
        y, _ = steady_state(p)
        pa[:] = p
        pa[-1] = 0.0
        obs = None
        out = []
        for name in targets:
            if name in state_index:
                out.append(y[state_index[name]])
            else:
                if obs is None:
                    obs = compiled.observables(np.zeros(1), y[:, None], pa)
                out.append(float(obs[name][0]))
        return np.array(out)

    solved = solve(names, [parameters[n].default for n in names], evaluate)
    out = {}
    for name, value in solved.items():
        par = parameters[name]
        lo, hi = par.range
        if not lo <= value <= hi:
            raise SetPointError(
                f"set point {name!r} = {value:.6g} {par.unit} (healthy steady-state "
                f"{par.set_point}) lies outside its declared range {par.range}")
        how = (f"set point computed when the model is built (rlsmodel.set_points) from the healthy "
               f"day-averaged steady state of {par.set_point}")
        text = par.source
        source = how + ": " + text[len("set point: "):] if text.startswith("set point: ") else how + "; " + text
        out[name] = replace(par, default=float(value), source=source)
    return out


__all__ = ["SetPointError", "set_point_parameters", "solve", "healthy_set_points"]
