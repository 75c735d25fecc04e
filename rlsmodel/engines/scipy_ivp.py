"""``engine="scipy"``: the independent reference, ``scipy.integrate.solve_ivp`` (BDF).

Uses the *vectorised numpy* right-hand side and the sparse symbolic Jacobian of the
:class:`~rlsmodel.compile.CompiledSystem` (``rhs``, ``jacobian``; no numba), so it shares
with the fast engines only the sympy expressions they are all generated from. Slow (a
Python call per step); used to check the other engines.
"""
from __future__ import annotations

from scipy.integrate import solve_ivp

from .base import Engine, IntegrationError, integrate_piecewise


class ScipyEngine(Engine):
    name = "scipy"
    description = "reference: scipy solve_ivp (BDF) with the numpy right-hand side and sparse Jacobian; slow"

    def integrate(self, problem):
        compiled, p, s = problem.compiled, problem.p, problem.settings

        def segment(y, times):
            res = solve_ivp(lambda tt, yy: compiled.rhs(tt, yy, p), (times[0], times[-1]), y, method="BDF",
                            t_eval=times, jac=lambda tt, yy: compiled.jacobian(tt, yy, p),
                            rtol=s.rtol, atol=problem.atol)
            if not res.success:
                raise IntegrationError(f"solve_ivp (BDF) failed: {res.message}")
            return res.y

        return integrate_piecewise(problem, segment)
