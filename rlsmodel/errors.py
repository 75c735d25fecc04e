"""The warnings and errors rlsmodel raises on purpose (all importable from ``rlsmodel``).

Every failure of a run is one of these documented types; nothing else is meant to escape
(``tests/test_fuzz.py`` checks it):

* ``ValueError`` -- bad input, named with the value given, what is allowed and the fix.
  Subclasses say more:

  - :class:`RunTooLargeError`: a single run whose estimated memory or time is above the
    documented limit (``rlsmodel.runplan``); the message gives the estimate and the fix.
  - :class:`StoreDamagedError`: a sweep store (or one of its files) cannot be trusted;
    the message names the damaged file and what to do.
  - :class:`EvaluationError`: the model's equations could not be evaluated for these
    parameter values (an overflow); the message names the parameters outside their range.

* :class:`~rlsmodel.integrate.IntegrationError` (a ``RuntimeError``) -- the integrator
  gave up; the message carries the solver's words (and names parameters outside their
  declared ranges, the usual cause).
* :class:`~rlsmodel.integrate.EngineUnavailable` (a ``RuntimeError``) -- the engine asked
  for cannot run on this machine (e.g. ``"cvode"`` without a C compiler); the message says
  what is missing.

Warnings (filter them, or turn them into errors, with :mod:`warnings`):

* :class:`ParameterRangeWarning` -- a parameter value lies outside the parameter's
  declared plausible ``range`` (inside its physical domain, so the value is used as given;
  values outside the domain raise ``ValueError``).
* :class:`RegimenWarning` -- a regimen gives no dose within the run (its first dose lies
  after the end), or a swept regimen is invalid for some points of a sweep.
* :class:`StoreRepairWarning` -- a damaged part file of a sweep store was set aside and
  its points will be recomputed, or a damaged ``fingerprint.json`` was rewritten.

>>> import warnings, rlsmodel
>>> warnings.simplefilter("error", rlsmodel.ParameterRangeWarning)   # doctest: +SKIP
"""
from __future__ import annotations

from .engines.base import EngineUnavailable, IntegrationError


class ParameterRangeWarning(UserWarning):
    """A parameter value lies outside its declared plausible range (used as given)."""


class RegimenWarning(UserWarning):
    """A regimen gives no dose within the run, or is invalid for some swept points."""


class StoreRepairWarning(UserWarning):
    """A damaged sweep part file was set aside (its points are recomputed), or a damaged
    ``fingerprint.json`` was rewritten from the parts that carry this configuration."""


class RunTooLargeError(ValueError):
    """A single run would need more memory or time than the documented limit."""


class StoreDamagedError(ValueError):
    """A sweep store or one of its files is damaged; the message names it and the fix."""


class EvaluationError(ValueError):
    """The model's equations overflowed for the given parameter values."""


#: Exception types a run may raise by design (the fuzz test allows exactly these).
DOCUMENTED_ERRORS = (ValueError, IntegrationError, EngineUnavailable)

__all__ = ["ParameterRangeWarning", "RegimenWarning", "StoreRepairWarning", "RunTooLargeError",
           "StoreDamagedError", "EvaluationError", "IntegrationError", "EngineUnavailable", "DOCUMENTED_ERRORS"]
