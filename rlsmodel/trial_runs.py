"""Runs of a virtual trial: a patient's untreated baseline integrated once, every arm continued from it.

Every arm of :func:`rlsmodel.virtual_trial` gives the same patient the same untreated
baseline weeks (days ``0 .. B``, ``B = 7 * baseline_weeks``): the arms differ only from the
randomisation at midnight of day ``B``. :func:`arm_run` therefore integrates the baseline
once per patient and process (:class:`BaselineCache`, keyed by the model, profile, parameter
values, ``B`` and the sample spacing), and continues each arm from the baseline's end state
(``Model.run(days - B, initial=<end state>, regimen=<the arm's regimen in trial time>)``):
the continuation starts at clock midnight, so the clock-driven rest/activity schedule, the
daily doses and the sample grid are those of the whole run. The result is one
:class:`ArmRun` (a :class:`rlsmodel.simulator.Run`) over the whole trial (baseline samples
before ``B``, the arm's from ``B``), returning only :data:`SCORED_VARIABLES`, the variables
trial scoring reads (:func:`rlsmodel.outcomes.daily`), so the sweep builds a Dataset of four
variables, not of every state and observable.

Exactness: the continuation differs from one uninterrupted run only by the integrator
restart at midnight of day ``B`` (a run already restarts at every dose kink and every
:data:`rlsmodel.runplan.BLOCK_DAYS`): states within about 2e-6 of their scale, daily IRLS
within 1e-5 (decision 42). ``tests/test_trial_runs.py`` checks the stitched run against the
uninterrupted one and that a trial's verdicts are the same patient by patient. A baseline is
shared only when it can be: the sample grid has a sample at ``B`` (``B * 24 /
sample_every_hours`` whole), the arm gives nothing before trial day 0, and the baseline's end
state is a valid start (no state below ``-1e-9`` of its scale); otherwise the arm runs from
day 0 as one run, as before.
"""
from __future__ import annotations

import threading

import numpy as np
import xarray as xr

from .caching import LRUCache
from .runplan import sample_times
from .simulator import Run

#: The variables the trial's scoring reads (rlsmodel.outcomes.daily: urge at rest, felt
#: symptom, the activity mode and the movement factor for item 3 of the IRLS).
SCORED_VARIABLES = ("urge_at_rest", "symptom", "activity_factor", "activity")
#: Baselines kept per process: patients run arm after arm (patient-major order), so a few suffice.
CACHED_BASELINES = 8


class Baseline:
    """One patient's untreated baseline: sample times ``t`` (days, before ``B``), the states
    (n_states, m) and every observable there, the state at ``B`` as a start for the arms
    (``initial``, a Dataset :meth:`rlsmodel.Model.run` accepts) and how the baseline's own start
    was found."""

    def __init__(self, t, states, observables, initial, start_method):
        self.t, self.states, self.observables = t, states, observables
        self.initial, self.start_method = initial, start_method


class ArmRun(Run):
    """A :class:`~rlsmodel.simulator.Run` over the whole trial made of a shared
    :class:`Baseline` (samples before ``B``) and an arm's continuation (a Run from ``B``, its
    time counted from ``B``). A variable is joined from the two parts when asked for; the
    baseline's observables were computed once per patient, and all states are joined only if
    :attr:`states` is read."""

    def __init__(self, baseline, arm, t, attrs):
        self.baseline, self.arm = baseline, arm
        super().__init__(arm.model, t, None, arm.p, arm.profile, arm.params, arm.activity, arm.settings, attrs,
                         arm.names)

    @property
    def states(self):
        if self._states is None:
            self._states = np.concatenate([self.baseline.states, self.arm.states], axis=1)
        return self._states

    @states.setter
    def states(self, value):
        self._states = value

    def observables(self) -> dict:
        if self._obs is None:
            arm = self.arm.observables()
            self._obs = {n: np.concatenate([self.baseline.observables[n], v]) for n, v in arm.items()}
        return self._obs

    def variable(self, name) -> np.ndarray:
        if self._obs is None and name in self.baseline.observables:
            return np.concatenate([self.baseline.observables[name], self.arm.variable(name)])
        if name in self._index and self._states is None:
            i = self._index[name]
            return np.concatenate([self.baseline.states[i], self.arm.states[i]])
        return super().variable(name)

    def dataset(self):
        """The labelled Dataset of the kept variables, as :meth:`Run.dataset` builds it."""
        values = {n: self.variable(n) for n in self.names}
        ds = self.model.dataset_from(self.time, values, self.model.variable_attrs(self.activity), self.profile,
                                     self.params, self.settings)
        ds.attrs.update(self.attrs)
        return ds


class BaselineCache:
    """Per-process cache of :class:`Baseline`, keyed by (model, profile, parameters, B,
    sample spacing); thread-safe (a Dask worker may run chunks in threads)."""

    def __init__(self, size: int = CACHED_BASELINES):
        self._cache = LRUCache(size)
        self._lock = threading.Lock()

    def get(self, model, profile, params, start_day, sample_every_hours):
        key = (id(model), profile, tuple(sorted((k, float(v)) for k, v in params.items())), int(start_day),
               float(sample_every_hours))
        with self._lock:
            hit = self._cache.get(key)
        if hit is not None and hit[0] is model:
            return hit[1]
        baseline = _baseline(model, profile, params, start_day, sample_every_hours)
        with self._lock:
            self._cache.put(key, (model, baseline))
        return baseline


    def clear(self) -> None:
        """Forget every baseline."""
        with self._lock:
            self._cache.clear()


_BASELINES = BaselineCache()


def clear_baselines() -> None:
    """Forget this process's shared baselines (benchmarks timing cold trials)."""
    _BASELINES.clear()


def _baseline(model, profile, params, start_day, sample_every_hours):
    """Integrate the untreated baseline days ``0 .. start_day``; None when its end state is no
    valid start (a state below ``-1e-9`` of its scale)."""
    run = model.run(float(start_day), profile=profile, params=params, regimen=None,
                    sample_every_hours=sample_every_hours, progress=False, warn=False)
    end = run.states[:, -1]
    if not np.all(np.isfinite(end)) or np.any(end < -1e-9 * model.state_scale):
        return None
    initial = xr.Dataset({n: ((), float(v)) for n, v in zip(model.compiled.state_names, end)})
    observables = {n: v[:-1].copy() for n, v in run.observables().items()}
    return Baseline(run.time[:-1].copy(), run.states[:, :-1].copy(), observables, initial,
                    run.attrs.get("initial_state", ""))


def shares_baseline(start_day, days, sample_every_hours) -> bool:
    """True when a run of ``days`` sampled every ``sample_every_hours`` h has a sample at
    ``start_day`` (and runs past it), so the baseline's samples are those of the whole run."""
    steps = start_day * 24.0 / float(sample_every_hours)
    return 0 < start_day < days and abs(steps - round(steps)) < 1e-9


def arm_run(model, days, profile, params, regimen, model_regimen, start_day, sample_every_hours,
            keep=SCORED_VARIABLES, cache=_BASELINES):
    """One arm of one patient as a :class:`~rlsmodel.simulator.Run` over days ``0 .. days``.

    ``regimen``: the arm's regimen in trial time (day 0 = randomisation = model day
    ``start_day``), or None; ``model_regimen``: the same in model time (what an uninterrupted
    run is given, and what the result's attrs describe). With a shared baseline (module
    docstring) the baseline comes from ``cache`` and only days ``start_day .. days`` are
    integrated here; otherwise one run of ``days`` with ``model_regimen``. ``keep``: the
    variables :meth:`Run.dataset` returns.
    """
    def whole():
        return model.run(days, profile=profile, params=params, regimen=model_regimen,
                         sample_every_hours=sample_every_hours, keep=list(keep), progress=False, warn=False)

    if not shares_baseline(start_day, days, sample_every_hours) or _doses_before(regimen, model, days, start_day):
        return whole()
    baseline = cache.get(model, profile, params, start_day, sample_every_hours)
    if baseline is None:
        return whole()
    arm = model.run(days - start_day, profile=profile, params=params, regimen=regimen,
                    sample_every_hours=sample_every_hours, initial=baseline.initial, keep=list(keep),
                    progress=False, warn=False)
    full_t = sample_times(days, sample_every_hours)
    if full_t.size != baseline.t.size + arm.time.size:        # pragma: no cover - grids agree when shared
        return whole()
    attrs = dict(arm.attrs)
    attrs["regimen"] = model_regimen.describe() if model_regimen is not None else "none"
    attrs["initial_state"] = baseline.start_method
    attrs["baseline_shared"] = (f"untreated days 0-{start_day} integrated once per patient, arm continued "
                                f"from day {start_day}")
    return ArmRun(baseline, arm, full_t, attrs)


def _doses_before(regimen, model, days, start_day) -> bool:
    """True if ``regimen`` (trial time) gives anything before trial day 0 (it cannot then
    share the untreated baseline)."""
    if regimen is None or hasattr(regimen, "schedules"):      # a Regimen's days are >= 0
        return False
    return any(e[0] < 0 for e in regimen.events(model, days - start_day))


__all__ = ["SCORED_VARIABLES", "arm_run", "shares_baseline", "BaselineCache", "Baseline", "ArmRun", "clear_baselines"]
