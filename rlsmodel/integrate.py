"""Integrate a compiled system over sample times, stopping exactly at events.

Engines
-------
``"lsoda"`` (default)
    ODEPACK LSODA (``scipy.integrate.odeint``) driven by the numba-compiled right-hand
    side and dense Jacobian. Automatic stiff/non-stiff switching.
``"cvode"``
    SUNDIALS CVODE (BDF, Newton, dense analytic Jacobian) driving C code generated from
    the same expressions; the whole integration, events included, runs in C
    (:mod:`rlsmodel.engines.cvode`). Needs a C compiler and the SUNDIALS libraries of the
    optional ``scikit-sundae`` wheel (``pip install 'rlsmodel[fast]'``).
``"scipy"``
    The reference: ``scipy.integrate.solve_ivp`` (BDF) with the vectorised numpy
    right-hand side and the sparse symbolic Jacobian. Slow; used to check the fast engine.

Events (doses, patch changes) are ``(time_days, state_index, value, mode)`` with ``mode``
``"add"`` (add ``value`` to the state) or ``"set"``. The integrator stops at each event
time, applies every event at that time, and restarts. Sampled values are right-continuous:
a sample at an event time shows the state after the event.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy.integrate import odeint, solve_ivp

ENGINES = ("lsoda", "cvode", "scipy")


@dataclass(frozen=True)
class SolverSettings:
    """Integrator settings, recorded in every output's attrs.

    ``rtol`` is relative; ``atol`` is relative to each state's nominal magnitude
    (absolute tolerance of state i = atol * max(nominal_i, 1e-3 * ...)).
    """

    engine: str = "lsoda"
    rtol: float = 1e-8
    atol: float = 1e-10
    max_steps: int = 200000

    def validate(self):
        if self.engine not in ENGINES:
            raise ValueError(f"unknown engine {self.engine!r}; valid engines: {', '.join(ENGINES)}")
        for name in ("rtol", "atol"):
            v = getattr(self, name)
            if not (np.isfinite(v) and v > 0):
                raise ValueError(f"solver setting {name} must be a positive finite number; got {v!r}")
        return self

    def as_attrs(self):
        return {"solver_engine": self.engine, "solver_rtol": self.rtol, "solver_atol": self.atol}


class IntegrationError(RuntimeError):
    """The integrator failed; the message carries the solver's own words."""


def integrate(compiled, y0, p, t_samples, events=(), settings=SolverSettings(), scale=None):
    """States at ``t_samples`` (array (n_states, m)), starting from ``y0`` at ``t_samples[0]``.

    ``scale`` (n,) sets the per-state absolute tolerance (``settings.atol * scale``).
    """
    settings.validate()
    t_samples = _snap_to_events(np.asarray(t_samples, dtype=float), [e[0] for e in events])
    y = np.array(y0, dtype=float)
    p = np.asarray(p, dtype=float)
    n = y.size
    if scale is None:
        scale = np.maximum(np.abs(y), 1e-6)
    atol = settings.atol * np.asarray(scale, dtype=float)
    if settings.engine == "cvode":
        from .engines import cvode
        return cvode.integrate(compiled, y, p, t_samples, events, settings, atol)
    out = np.empty((n, t_samples.size))
    t0, t_end = t_samples[0], t_samples[-1]

    events = sorted(events, key=lambda e: e[0])
    ev_times = sorted({e[0] for e in events if t0 <= e[0] <= t_end})
    boundaries = [t0] + [te for te in ev_times if te > t0] + [t_end]
    boundaries = sorted(set(boundaries))

    def apply_events(at, state):
        for te, idx, value, mode in events:
            if te == at:
                if mode == "add":
                    state[idx] += value
                elif mode == "set":
                    state[idx] = value
                else:  # pragma: no cover - validated by Regimen
                    raise ValueError(f"unknown event mode {mode!r}")
        return state

    y = apply_events(t0, y)
    k = 0  # next sample to fill
    while k < t_samples.size and t_samples[k] <= t0:
        out[:, k] = y
        k += 1
    for a, b in zip(boundaries[:-1], boundaries[1:]):
        inside = t_samples[(t_samples > a) & (t_samples <= b)]
        times = np.concatenate([[a], inside, [b] if (inside.size == 0 or inside[-1] < b) else []])
        seg = _segment(compiled, y, p, times, settings, atol)
        m = inside.size
        out[:, k:k + m] = seg[:, 1:1 + m]
        y = seg[:, -1].copy()
        y = apply_events(b, y)
        if m and inside[-1] == b:
            out[:, k + m - 1] = y   # right-continuous at an event time
        k += m
    return out


def _snap_to_events(t_samples, event_times, tol=1e-9):
    """Samples within ``tol`` days (about 0.1 ms) of an event time, moved onto it.

    Clock times computed two ways (``k * dt/24`` for samples, ``d + h/24`` for doses) can
    differ by a rounding error; without snapping a sample "at" a dose could fall just before it.
    """
    if len(event_times) == 0 or t_samples.size == 0:
        return t_samples
    out = t_samples.copy()
    ev = np.unique(np.asarray(event_times, dtype=float))
    pos = np.clip(np.searchsorted(ev, out), 1, ev.size) if ev.size > 1 else np.ones(out.size, dtype=int)
    for cand in (pos - 1, np.minimum(pos, ev.size - 1)):
        near = np.abs(out - ev[cand]) <= tol
        out[near] = ev[cand][near]
    return out


def _segment(compiled, y, p, times, settings, atol):
    if settings.engine == "lsoda":
        rhs, jac = compiled.fast_rhs, compiled.fast_jac
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sol, info = odeint(lambda yy, tt: rhs(tt, yy, p), y, times,
                               Dfun=lambda yy, tt: jac(tt, yy, p),
                               rtol=settings.rtol, atol=atol, mxstep=settings.max_steps,
                               full_output=True)
        if info["message"] != "Integration successful.":
            raise IntegrationError(f"LSODA failed near t = {info['tcur'][-1]:.6g} d: {info['message']}")
        if not np.all(np.isfinite(sol)):
            raise IntegrationError("LSODA produced non-finite states")
        return sol.T
    res = solve_ivp(lambda tt, yy: compiled.rhs(tt, yy, p), (times[0], times[-1]), y, method="BDF",
                    t_eval=times, jac=lambda tt, yy: compiled.jacobian(tt, yy, p),
                    rtol=settings.rtol, atol=atol)
    if not res.success:
        raise IntegrationError(f"solve_ivp (BDF) failed: {res.message}")
    return res.y
