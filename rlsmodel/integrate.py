"""Integrate a compiled system over sample times, stopping exactly at events.

:func:`integrate` is a small dispatcher: it checks the :class:`SolverSettings`, builds the
:class:`~rlsmodel.engines.base.Problem` and hands it to the engine registered under
``settings.engine`` (:mod:`rlsmodel.engines`: ``"lsoda"`` default, ``"cvode"``, the
reference ``"scipy"``, or one registered with :func:`rlsmodel.engines.register_engine`).

Events (doses, patch changes) are ``(time_days, state_index, value, mode)`` with ``mode``
``"add"`` (add ``value`` to the state) or ``"set"``. Every engine stops at each event
time, applies every event at that time (in the given order), and restarts. Sampled
values are right-continuous: a sample at an event time shows the state after the event.

``SolverSettings``, ``IntegrationError``, ``EngineUnavailable`` and ``ENGINES`` (the live,
read-only registry: name -> engine) are re-exported from :mod:`rlsmodel.engines.base`.
"""
from __future__ import annotations

from .engines import ENGINES, get_engine
from .engines.base import EngineUnavailable, IntegrationError, SolverSettings, make_problem, run


def integrate(compiled, y0, p, t_samples, events=(), settings=SolverSettings(), scale=None):
    """States at ``t_samples`` (array (n_states, m)), starting from ``y0`` at ``t_samples[0]``.

    ``compiled``: a :class:`~rlsmodel.compile.CompiledSystem`; ``p`` its parameter vector;
    ``events`` as in the module docstring; ``scale`` (n,) sets the per-state absolute
    tolerance (``settings.atol * scale``; default ``max(|y0|, 1e-6)``).
    Raises :class:`IntegrationError` when the solver fails, :class:`EngineUnavailable`
    when the engine cannot run here, ValueError for bad settings or events.
    """
    problem = make_problem(compiled, y0, p, t_samples, events, settings, scale)
    return run(get_engine(settings.engine), problem)


__all__ = ["integrate", "SolverSettings", "IntegrationError", "EngineUnavailable", "ENGINES"]
