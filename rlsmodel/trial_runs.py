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
    (n_states, m) and the observables there (computed when first asked for, only those asked
    for: :meth:`observables_of`), the state at ``B`` as a start for the arms (``initial``, a
    Dataset :meth:`rlsmodel.Model.run` accepts) and how the baseline's own start was found.

    ``run``: the :class:`~rlsmodel.simulator.Run` of days ``0 .. B`` (one sample more than
    ``t``, the one at ``B``) the observables are evaluated on; None when ``observables`` is given
    (every observable, computed already)."""

    def __init__(self, t, states, observables, initial, start_method, run=None):
        self.t, self.states = t, states
        self._observables, self._run = observables, run
        self.initial, self.start_method = initial, start_method
        self._some = {}
        self._lock = threading.Lock()

    @property
    def observables(self) -> dict:
        """name -> values of every observable at the baseline's samples."""
        if self._observables is None:
            with self._lock:
                if self._observables is None:
                    self._observables = {n: v[:-1].copy() for n, v in self._run.observables().items()}
        return self._observables

    def observables_of(self, names) -> dict:
        """name -> values of the observables ``names`` at the baseline's samples (evaluated on
        the baseline's run, then its last sample dropped: the values :attr:`observables` holds)."""
        if self._observables is not None:
            return {n: self._observables[n] for n in names}
        with self._lock:
            missing = [n for n in names if n not in self._some]
            if missing:
                values = self._run.observables_of(missing)
                self._some.update({n: values[n][:-1].copy() for n in missing})
            return {n: self._some[n] for n in names}


class ArmRun(Run):
    """A :class:`~rlsmodel.simulator.Run` over the whole trial made of a shared
    :class:`Baseline` (samples before ``B``) and an arm's continuation (a Run from ``B``, its
    time counted from ``B``). A variable is joined from the two parts when asked for; the
    baseline's observables are computed once per patient (only those asked for), and all
    states are joined only if :attr:`states` is read."""

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

    def observables_of(self, names) -> dict:
        """name -> the observables ``names`` over the whole trial, joined from the baseline's and
        the arm's (each evaluated for these names only, decision 49)."""
        if self._obs is not None:
            return {n: self._obs[n] for n in names}
        missing = [n for n in names if n not in self._some]
        if missing:
            base, arm = self.baseline.observables_of(missing), self.arm.observables_of(missing)
            self._some.update({n: np.concatenate([base[n], arm[n]]) for n in missing})
        return {n: self._some[n] for n in names}

    def variable(self, name) -> np.ndarray:
        if name in self._index and self._states is None:
            i = self._index[name]
            return np.concatenate([self.baseline.states[i], self.arm.variable(name)])
        return super().variable(name)

    def dataset(self):
        """The labelled Dataset of the kept variables, as :meth:`Run.dataset` builds it."""
        obs = self.observables_of([n for n in self.names if self._is_observable(n)])
        values = {n: (obs[n] if n in obs else self.variable(n)) for n in self.names}
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
    # observables evaluated on the whole baseline run (sample B included) when asked for
    return Baseline(run.time[:-1].copy(), run.states[:, :-1].copy(), None, initial,
                    run.attrs.get("initial_state", ""), run=run)


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
