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
    names: set-point parameter names.
    initial: starting values (the declared defaults), same order.
    evaluate: ``f(values) -> array`` of the defining readouts in the healthy steady state
        computed with the set points at ``values``.
    rtol: relative tolerance on each set point.

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


__all__ = ["SetPointError", "set_point_parameters", "solve"]
