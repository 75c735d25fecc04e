"""Start states of a compiled model: the day-averaged steady state and the daily limit cycle.

:class:`StartStates` finds, for a parameter vector, the steady state of the day-averaged
system (rhythms at their daily means; Newton, falling back to a long simulation) and the state
at midnight on the daily limit cycle of the forced system (shooting over one day, started
from the day-averaged steady state). It caches both by the parameters the right-hand side
reads. :class:`rlsmodel.Model` keeps one (``model.start_states``); ``Model.simulate`` starts
from the periodic state, ``Model.steady_state`` reports the averaged one.

>>> import rlsmodel
>>> model = rlsmodel.Model()
>>> y0, method = model.periodic_state(model.parameter_vector("rls_genetic"))   # doctest: +SKIP
"""
from __future__ import annotations

import numpy as np
import xarray as xr
from scipy.optimize import root

from . import checks
from .caching import LRUCache
from .integrate import IntegrationError, SolverSettings, integrate
from .model.system import closest

#: Parameter vectors whose steady state (and, separately, periodic state) a Model keeps.
STATE_CACHE_SIZE = 256
#: Sub-intervals of the day in the product-integral estimate of the one-day map's Jacobian.
PERIODIC_SUBSTEPS = 12
#: Quasi-Newton iterations tried on the shooting equations before the trust-region solver,
#: and the residual (scaled, per day) they must reach.
PERIODIC_MAX_ITER, PERIODIC_TOL = 12, 1e-10


class StartStates:
    """Cached steady and periodic states of one model's compiled system.

    ``compiled``: the :class:`~rlsmodel.compile.CompiledSystem`; ``resting``: mask of the
    states that stay exactly 0 in any undosed steady state (:func:`resting_states`).
    ``nominal`` is every state's nominal value, ``scale`` its magnitude for error control
    and residual scaling, ``solved`` the mask of states the solvers solve for (dynamic and
    not resting; ledgers, inputs and undosed drug pools are exactly 0 there). The caches are
    bounded (:data:`STATE_CACHE_SIZE`) and thread-safe; their values are pure functions of
    the key, so eviction or :meth:`clear` never changes a result.
    """

    def __init__(self, compiled, resting):
        self.compiled = compiled
        states = [compiled.system.states[n] for n in compiled.state_names]
        self.nominal = np.array([s.nominal for s in states])
        self.scale = np.maximum(np.abs(self.nominal), 1e-3)
        self.solved = np.array([s.kind == "dynamic" for s in states]) & ~resting
        self.steady_cache = LRUCache(STATE_CACHE_SIZE)
        self.periodic_cache = LRUCache(STATE_CACHE_SIZE)

    def key(self, p) -> bytes:
        """Cache key of the start states of parameter vector ``p``: the values the right-hand
        side reads (readout-only parameters, e.g. movement_relief, change no state)."""
        return np.asarray(p, dtype=float)[self.compiled.rhs_parameter_mask].tobytes()

    def clear(self) -> None:
        """Forget every cached state."""
        self.steady_cache.clear()
        self.periodic_cache.clear()

    # -- the day-averaged steady state -----------------------------------------------------
    def averaged_steady_state(self, p, cache: bool = True):
        """Steady state of the day-averaged system: (y, method); ``y`` is the caller's copy.
        ``cache=False`` neither reads nor fills the cache (the set-point solve's trial vectors)."""
        if not cache:
            return self.solve_averaged_steady_state(p)
        y, method = self.steady_cache.get_or_compute(self.key(p), lambda: self.solve_averaged_steady_state(p))
        return y.copy(), method

    def solve_averaged_steady_state(self, p):
        """Newton on the day-averaged right-hand side from the nominal state; if it fails, a
        60-year simulation of the averaged system polished by Newton. (y, method)."""
        compiled = self.compiled
        pa = p.copy()
        pa[-1] = 0.0   # rhythms replaced by their daily means
        dyn = self.solved
        scale = self.scale
        y_full = np.where(dyn, self.nominal, 0.0)

        def residual(x):
            y = y_full.copy()
            y[dyn] = x * scale[dyn]
            return compiled.fast_rhs(0.0, y, pa)[dyn] / scale[dyn]

        def jac(x):
            y = y_full.copy()
            y[dyn] = x * scale[dyn]
            J = compiled.fast_jac(0.0, y, pa)[np.ix_(dyn, dyn)]
            return J * scale[dyn][None, :] / scale[dyn][:, None]

        def newton(x0):
            sol = root(residual, x0, jac=jac, method="hybr", options={"xtol": 1e-13})
            ok = sol.success and np.all(sol.x > -1e-12) and np.max(np.abs(residual(sol.x))) < 1e-9
            return sol.x, ok

        x, ok = newton(y_full[dyn] / scale[dyn])
        method = "newton"
        if not ok:
            # fall back: integrate the averaged system for 60 years, then polish with Newton
            y = y_full.copy()
            traj = integrate(compiled, y, pa, np.array([0.0, 60 * 365.0]),
                             settings=SolverSettings(rtol=1e-8, atol=1e-10), scale=scale)
            x, ok = newton(traj[dyn, -1] / scale[dyn])
            method = "long simulation + newton"
            if not ok:
                x = traj[dyn, -1] / scale[dyn]
                method = "long simulation (Newton did not converge)"
        y = y_full.copy()
        y[dyn] = x * scale[dyn]
        return y, method

    # -- a given start ----------------------------------------------------------------------
    def initial_state(self, initial, p):
        """State vector from ``initial`` (a mapping of state values, or a Dataset: its last
        time point); states it does not name come from the run's own (profile and params)
        day-averaged steady state, parameter vector ``p``. Values must be finite and >= 0."""
        names = self.compiled.state_names
        from_run = isinstance(initial, xr.Dataset)
        if from_run:
            src = initial.isel(time=-1) if "time" in initial.dims else initial
            # read through the Variables (not a DataArray per state: 1.6 ms per run; decision 49)
            variables = src.variables
            initial = {n: float(variables[n].values) for n in names if n in src}
        if not hasattr(initial, "items"):
            raise ValueError("initial must be a mapping of state values or a Dataset")
        y, _ = self.averaged_steady_state(p)
        y = y.copy()
        for name, value in initial.items():
            if name not in names:
                raise ValueError(f"unknown state {name!r} in initial; " + closest(str(name), names))
            v = checks.real(f"initial value of {name!r}", value, "a finite number >= 0")
            i = names.index(name)
            # in the output of an earlier run, integrator round-off (below 1e-9 of the state's
            # scale) is not a negative amount; values the user types are never altered
            if from_run and np.isfinite(v) and -1e-9 * self.scale[i] <= v < 0:
                v = 0.0
            if not np.isfinite(v) or v < 0:
                raise ValueError(f"initial value of {name!r} must be finite and >= 0; got {value!r}")
            y[i] = v
        return y

    # -- the daily limit cycle -------------------------------------------------------------
    def periodic_state(self, p):
        """State at midnight on the daily limit cycle of the forced system: (y, method);
        ``y`` is the caller's copy."""
        y, method = self.periodic_cache.get_or_compute(self.key(p), lambda: self.solve_periodic_state(p))
        return y.copy(), method

    def solve_periodic_state(self, p):
        """Settle 3 days from the averaged steady state, then solve y(1 day) = y(0) by
        shooting (Broyden from :func:`one_day_jacobian`, then the trust-region solver); on
        failure the settled state. (y, method)."""
        # the start state is found with the default engine whatever engine the run uses, so
        # results do not depend on the engine through their initial state
        compiled = self.compiled
        y_avg, _ = self.averaged_steady_state(p)
        dyn = self.solved
        scale = self.scale
        tight = SolverSettings(engine="lsoda", rtol=1e-10, atol=1e-12)
        # settle the fast states onto the rhythm (3 days), sampling the last day for the
        # Jacobian estimate below; then solve y(1 day) = y(0) by shooting
        times = np.concatenate([[0.0], 2.0 + np.arange(2 * PERIODIC_SUBSTEPS + 1) / (2 * PERIODIC_SUBSTEPS)])
        settle = integrate(compiled, y_avg, p, times, settings=tight, scale=scale)
        y0 = settle[:, -1].copy()
        y0[~dyn] = 0.0   # ledger, input and resting (e.g. undosed drug) states start at exactly 0

        def shoot(x):
            y = y0.copy()
            y[dyn] = x * scale[dyn]
            y1 = integrate(compiled, y, p, np.array([0.0, 1.0]), settings=tight, scale=scale)[:, -1]
            return (y1[dyn] - y[dyn]) / scale[dyn]

        x0 = y0[dyn] / scale[dyn]
        try:
            mid = (times[1::2] - 2.0)[:-1] + 0.5 / (2 * PERIODIC_SUBSTEPS)
            jac0 = one_day_jacobian(compiled, settle[:, 2::2], mid, p, dyn, scale)
            x, ok = broyden(shoot, x0, jac0)
            if not ok:   # the robust solver (trust region), from the same start and Jacobian
                sol = root(shoot, x0, jac=lambda x: jac0, method="hybr", options={"xtol": 1e-12})
                x = sol.x
                # judged by the residual, not MINPACK's status: at a residual of 1e-13 hybr can
                # report "not making good progress" while already at the precision limit
                ok = bool(np.all(np.isfinite(x))) and np.max(np.abs(shoot(x))) < 1e-9 and np.all(x > -1e-12)
        except (ArithmeticError, IntegrationError, ValueError, np.linalg.LinAlgError):
            # a trial state of the root finder left the physical domain: use the fallback
            ok = False
        y = y0.copy()
        if ok:
            y[dyn] = x * scale[dyn]
            method = "periodic (shooting)"
        else:
            method = "day-averaged steady state + 3 days of entrainment"
        return y, method


def resting_states(compiled) -> np.ndarray:
    """Mask of states that stay exactly 0 in any steady state with no doses.

    A set Z of states is *resting* when setting every state in Z (and every input state) to 0
    makes the right-hand side of every state in Z identically 0: undosed drug depots and plasma
    pools. They are held at exactly 0 in steady-state and periodic solves instead of being left
    to the root finder's round-off. Found structurally from the symbolic right-hand side.
    """
    from .model.declaration import sym
    names = compiled.state_names
    states = compiled.system.states
    cand = {n for n in names if states[n].kind == "dynamic" and states[n].nominal == 0}
    inputs = {n for n in names if states[n].kind == "input"}
    rhs = dict(zip(names, compiled.system.rhs))
    while True:
        zero = {sym(n): 0 for n in cand | inputs}
        keep = {n for n in cand if rhs[n].xreplace(zero) == 0}
        if keep == cand:
            break
        cand = keep
    return np.array([n in cand for n in names])


def one_day_jacobian(compiled, y_mid, t_mid, p, dyn, scale):
    """Estimate of d(y(1 day) - y(0)) / d y(0) for the shooting solve, in scaled variables.

    The one-day map's Jacobian (the monodromy matrix) is the ordered product over the day of
    the sub-interval propagators ``expm(J(t_k) dt)``, ``J`` the right-hand side's Jacobian at
    the midpoints ``t_mid`` of :data:`PERIODIC_SUBSTEPS` sub-intervals (states ``y_mid`` (n, k)
    from the settling run). Each propagator is approximated by Richardson-extrapolated
    implicit Euler, ``2 (I - J dt/2)^-2 - (I - J dt)^-1``: second order for slow modes and
    0 (not 1 or -1) for the very fast ones, at three small solves instead of a matrix
    exponential of a stiff matrix. Given to the root finder as its starting Jacobian (which it
    then updates by Broyden steps), it replaces about ``n_dyn + 1`` finite-difference
    integrations of one day; the solution and its acceptance test are unchanged.
    """
    s = scale[dyn]
    eye = np.eye(int(dyn.sum()))
    m = eye
    dt = 1.0 / len(t_mid)
    for k, tk in enumerate(t_mid):
        jk = compiled.fast_jac(float(tk), y_mid[:, k], p)[np.ix_(dyn, dyn)] * s[None, :] / s[:, None]
        half = np.linalg.solve(eye - 0.5 * dt * jk, m)
        m = 2.0 * np.linalg.solve(eye - 0.5 * dt * jk, half) - np.linalg.solve(eye - dt * jk, m)
    return m - eye


def broyden(f, x, jac):
    """Quasi-Newton (Broyden's good update) on ``f(x) = 0`` from ``x`` with starting Jacobian
    ``jac``: ``(x, converged)``, converged when ``max |f| < PERIODIC_TOL`` with ``x >= 0``.

    On the shooting equations with :func:`one_day_jacobian` it converges in 4-6 one-day
    integrations (the finite-difference Jacobian of the trust-region solver alone costs
    ``n_dyn + 1``); a stall, a non-finite value or a negative amount returns
    ``converged=False`` and the caller falls back.
    """
    jac = np.array(jac, dtype=float)
    fx = f(x)
    for _ in range(PERIODIC_MAX_ITER):
        if not np.all(np.isfinite(fx)):
            return x, False
        if np.max(np.abs(fx)) < PERIODIC_TOL:
            return x, bool(np.all(x > -1e-12))
        dx = -np.linalg.solve(jac, fx)
        x_new = x + dx
        f_new = f(x_new)
        jac += np.outer(f_new - fx - jac @ dx, dx) / (dx @ dx)
        x, fx = x_new, f_new
    return x, bool(np.all(np.isfinite(fx)) and np.max(np.abs(fx)) < PERIODIC_TOL and np.all(x > -1e-12))


__all__ = ["StartStates", "resting_states", "one_day_jacobian", "broyden", "STATE_CACHE_SIZE",
           "PERIODIC_SUBSTEPS"]
