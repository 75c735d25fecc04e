"""Integration engines: one file per engine behind one interface, found by name in a registry.

* ``cvode`` (:mod:`.cvode`, the default where it can run): SUNDIALS CVODE on C generated from
  the model; events and samples handled in C, linear drug compartments in closed form
  (:mod:`.closed_form`); needs a C compiler and ``pip install 'rlsmodel[fast]'``.
* ``lsoda`` (:mod:`.lsoda`, the default elsewhere): ODEPACK LSODA (scipy ``odeint``) with the
  numba-compiled right-hand side and Jacobian.
* ``scipy`` (:mod:`.scipy_ivp`): the slow, independent reference, ``solve_ivp`` (BDF) with the
  numpy functions.

:mod:`.base` holds what they share (:class:`SolverSettings`, :class:`IntegrationError`,
:class:`EngineUnavailable`, the :class:`Problem` an engine receives, event application and
sample bookkeeping) and the registry. Add an engine with :func:`register_engine` (see
:mod:`.base` for the contract); :func:`rlsmodel.integrate.integrate` dispatches to it by name.
"""
from .base import (DEFAULT_ENGINES, ENGINES, Engine, EngineFallbackWarning, EngineUnavailable, IntegrationError, Option, Problem,
                   SolverSettings, default_engine, get_engine, integrate_piecewise, register_engine,
                   unregister_engine)
from .cvode import CVODEEngine
from .lsoda import LsodaEngine
from .scipy_ivp import ScipyEngine

for _engine in (LsodaEngine(), CVODEEngine(), ScipyEngine()):
    register_engine(_engine, replace=True)
del _engine

__all__ = ["DEFAULT_ENGINES", "ENGINES", "Engine", "EngineFallbackWarning", "EngineUnavailable", "IntegrationError", "Option", "Problem",
           "SolverSettings", "default_engine", "get_engine", "integrate_piecewise", "register_engine",
           "unregister_engine"]
