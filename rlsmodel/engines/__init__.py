"""Integration engines: one file per engine behind one interface, found by name in a registry.

==========  =====================================================================  ==============
name        what                                                                   file
==========  =====================================================================  ==============
``lsoda``   ODEPACK LSODA (scipy ``odeint``) with the numba-compiled right-hand     :mod:`.lsoda`
            side and Jacobian; the default
``cvode``   SUNDIALS CVODE on C generated from the model; events and samples in C   :mod:`.cvode`
            (needs a C compiler and ``pip install 'rlsmodel[fast]'``)
``scipy``   the slow, independent reference: ``solve_ivp`` (BDF), numpy functions  :mod:`.scipy_ivp`
==========  =====================================================================  ==============

:mod:`.base` holds what they share (:class:`SolverSettings`, :class:`IntegrationError`,
:class:`EngineUnavailable`, the :class:`Problem` an engine receives, event application and
sample bookkeeping) and the registry. Add an engine with :func:`register_engine` (see
:mod:`.base` for the contract); :func:`rlsmodel.integrate.integrate` dispatches to it by name.
"""
from .base import (ENGINES, Engine, EngineUnavailable, IntegrationError, Option, Problem, SolverSettings,
                   get_engine, integrate_piecewise, register_engine, unregister_engine)
from .cvode import CVODEEngine
from .lsoda import LsodaEngine
from .scipy_ivp import ScipyEngine

for _engine in (LsodaEngine(), CVODEEngine(), ScipyEngine()):
    register_engine(_engine, replace=True)
del _engine

__all__ = ["ENGINES", "Engine", "EngineUnavailable", "IntegrationError", "Option", "Problem", "SolverSettings",
           "get_engine", "integrate_piecewise", "register_engine", "unregister_engine"]
