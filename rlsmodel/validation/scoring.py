"""What a target is, what its check returns, and how a row of the scorecard is scored.

A :class:`Target` is one published fact: an id, its category, description, source, the
expected result in words, the accepted range ``[lo, hi]`` of its headline number, and the
check that computes that number (``compute(runs) -> Observation``), or the reason the model
cannot address it (``not_modelled``). :func:`evaluate` turns a target and the shared runs
into one row dict; a row is :data:`PASS` when the value lies in the range and every named
condition of the observation holds (:func:`default_rule`), :data:`FAIL` otherwise.

Population targets (``needs_population=True``) are rates across patients scored on the
scorecard's virtual trial; without one (``validate(population=None)``, ``rlsmodel validate``
without ``--population N``) they are reported :data:`NOT_MODELLED` with
:data:`POPULATION_REASON`. Their accepted range depends on the trial's size, so their checks
return it with the observation (``Observation.accepted``).
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

PASS, FAIL, NOT_MODELLED = "pass", "fail", "not modelled"
STATUSES = (PASS, FAIL, NOT_MODELLED)

#: Category names, in report order.
CATEGORIES = ("symptoms and circadian rhythm", "baseline physiology", "iron therapy",
              "treatment and augmentation")
SYMPTOMS, PHYSIOLOGY, IRON_THERAPY, TREATMENT = CATEGORIES

#: Relative margin separating a model effect from solver noise (as in tests/test_targets.py).
NOISE = 0.005
#: Why a population target is not scored in a run without a virtual population.
POPULATION_REASON = ("a rate across patients: scored on a virtual trial; run with --population N "
                     "(rlsmodel validate --population N, or validate(population=N))")


@dataclass(frozen=True)
class Observation:
    """What a target's check found.

    ``value``: the headline number compared with the target's range (NaN if none);
    ``text``: the simulated result in words and numbers; ``checks``: further named
    conditions (bool) the pass rule requires besides the range; ``accepted``: ``(lo, hi)``
    computed by the check, replacing the target's static ``lo``/``hi`` (None on a side:
    unbounded) -- for ranges that depend on the run, e.g. the binomial tolerance of a rate
    at the trial's size; None: the target's own range.
    """

    value: float
    text: str
    checks: dict = field(default_factory=dict)
    accepted: tuple | None = None


@dataclass(frozen=True)
class Target:
    """One validation target.

    Parameters
    ----------
    id
        short identifier (``"P1"``, ``"T-iron-IV-rise"``, ``"A-levodopa"``).
    category
        one of :data:`CATEGORIES`.
    description
        the fact, in a sentence.
    source
        citation(s).
    expected
        the expected result in words, with the accepted numbers.
    lo, hi
        accepted range of the headline value (None: unbounded on that side).
    unit
        unit of the headline value.
    compute
        ``f(runs) -> Observation`` (``runs`` is the per-call :class:`~rlsmodel.validation.runs.Runs`).
    rule
        ``f(target, observation) -> bool``; default :func:`default_rule` (value in
        ``[lo, hi]`` and every check true).
    not_modelled
        reason the model cannot address the target (then ``compute`` is None).
    note
        caveats (tolerances, conflicts with other targets, horizon dependence).
    needs_population
        the check reads the scorecard's virtual trial (``runs.population_trial()``);
        without a population the row is not modelled (:data:`POPULATION_REASON`).
    """

    id: str
    category: str
    description: str
    source: str
    expected: str
    lo: float | None = None
    hi: float | None = None
    unit: str = ""
    compute: Callable | None = None
    rule: Callable | None = None
    not_modelled: str | None = None
    note: str = ""
    needs_population: bool = False

    @property
    def numeric(self) -> bool:
        return self.lo is not None or self.hi is not None

    def passes(self, obs: Observation) -> bool:
        return (self.rule or default_rule)(self, obs)


def in_range(value, lo, hi) -> bool:
    """``lo <= value <= hi`` (None = unbounded); NaN is never in range."""
    if value is None or not np.isfinite(value):
        return False
    return (lo is None or value >= lo) and (hi is None or value <= hi)


def accepted_range(target: Target, obs: Observation) -> tuple:
    """``(lo, hi)`` a row is scored against: the observation's ``accepted`` range if the check
    computed one, else the target's ``lo``/``hi``."""
    return tuple(obs.accepted) if obs.accepted is not None else (target.lo, target.hi)


def default_rule(target: Target, obs: Observation) -> bool:
    """Value in the accepted range (if there is one) and every check true."""
    lo, hi = accepted_range(target, obs)
    ok = in_range(obs.value, lo, hi) if (lo is not None or hi is not None) else True
    return ok and all(bool(v) for v in obs.checks.values())


def count_statuses(rows) -> dict:
    """``{status: number of rows}`` for every status in :data:`STATUSES`."""
    return {s: sum(r["status"] == s for r in rows) for s in STATUSES}


class Scorecard(list):
    """The result of :func:`~rlsmodel.validation.validate`: a list of row dicts with a ``meta`` dict."""

    def __init__(self, rows=(), meta=None):
        super().__init__(rows)
        self.meta = dict(meta or {})

    def counts(self) -> dict:
        return count_statuses(self)


def format_value(value, unit) -> str:
    """The headline value for the *simulated* column: 3 significant digits, with its unit."""
    if value is None or not np.isfinite(value):
        return "none"
    a = abs(value)
    s = f"{value:.3g}" if a < 10 else f"{value:.1f}" if a < 1000 else f"{value:.0f}"
    return s + (f" {unit}" if unit else "")


def evaluate(target: Target, runs) -> dict:
    """One scorecard row for ``target`` using the shared simulations ``runs``.

    Keys: ``id, category, target, source, expected, unit, lo, hi, value, simulated, status,
    note, failed_checks, seconds``.
    """
    row = {"id": target.id, "category": target.category, "target": target.description,
           "source": target.source, "expected": target.expected, "unit": target.unit,
           "lo": target.lo, "hi": target.hi, "value": math.nan, "simulated": "", "status": NOT_MODELLED,
           "note": target.note, "failed_checks": [], "seconds": 0.0}
    if target.not_modelled or (target.needs_population and getattr(runs, "population", None) is None):
        row["simulated"] = "not modelled"
        row["note"] = target.not_modelled or POPULATION_REASON
        return row
    t0 = time.perf_counter()
    obs = target.compute(runs)
    row["seconds"] = time.perf_counter() - t0
    row["value"] = float(obs.value) if obs.value is not None else math.nan
    lo, hi = accepted_range(target, obs)
    row["lo"], row["hi"] = lo, hi
    failed = [k for k, v in obs.checks.items() if not v]
    if (lo is not None or hi is not None) and not in_range(row["value"], lo, hi):
        failed.insert(0, "value outside the accepted range")
    row["failed_checks"] = failed
    row["simulated"] = f"{format_value(row['value'], target.unit)}: {obs.text}"
    row["status"] = PASS if target.passes(obs) else FAIL
    return row
