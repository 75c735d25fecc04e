"""Runs under visit rules: integrate between visits, read each visit, let the rules decide.

A regimen with rules (:class:`rlsmodel.pharmacology.policies.AdaptiveRegimen`, built with
:meth:`rlsmodel.Regimen.with_policy`) is run in segments that end at the visits (06:00 of
each visit day, :data:`~rlsmodel.pharmacology.policies.VISIT_HOUR`). After each segment:

1. the segment's complete symptom days are scored by :func:`rlsmodel.outcomes.daily` and
   appended to the run's :class:`DailyHistory`;
2. an *observer* turns the history into what the visit records
   (:class:`~rlsmodel.pharmacology.policies.VisitReadout`: weekly IRLS, MPI and clinically
   relevant verdicts);
3. the rules decide (:meth:`AdaptiveRegimen.after_visit`), and the next segment continues
   from the state at the visit with the dose events of the regimen as decided so far.

Every change a rule makes lies after the visit (its first dose after 06:00), so the run
equals an unsegmented run of the realised regimen up to the integrator's tolerance (the
only difference is a restart at each visit; ``tests/test_policies.py``).

Observers: :class:`NoiseFreeObserver` (the default of :meth:`rlsmodel.Model.simulate`) reads
the model's own daily series; :func:`rlsmodel.virtual_trial` gives each (patient, arm) an
observer of the *reported* series, adjudicated as its scorer adjudicates
(:class:`rlsmodel.trial.ReportedObserver`). An observer is any object with
``readout(history, visit_day, regimen) -> VisitReadout`` and ``check(regimen)``.
"""
from __future__ import annotations

import json
import math

import numpy as np
import xarray as xr

from . import clinical, outcomes
from . import runplan as _runplan
from .pharmacology.policies import VISIT_HOUR, AdaptiveRegimen, VisitReadout

#: The variables :func:`rlsmodel.outcomes.daily` reads (``activity_factor`` when present).
READ_VARIABLES = ("urge_at_rest", "symptom", "activity", "activity_factor")
#: Readouts kept per symptom day (what the observers read).
KEPT_READOUTS = ("irls", "onset_hour", "peak", "latency_at_rest_h")


def is_adaptive(regimen) -> bool:
    """Whether ``regimen`` carries visit rules (is run in segments)."""
    return isinstance(regimen, AdaptiveRegimen)


class DailyHistory:
    """The complete symptom days of a run so far, scored when a visit asks for them.

    :meth:`add` collects a segment's samples; :meth:`score` scores the complete days not yet
    scored by :func:`rlsmodel.outcomes.daily` (from ``first_day`` on: a rule that reads only
    the recall week skips the others, which stay NaN). Each day is scored from its own
    samples plus the 3 h before it, exactly the samples a whole-run scoring uses
    (tests/test_policies.py checks the equality).
    """

    def __init__(self, model, p, activity, parameters: dict):
        compiled = model.compiled
        self.model, self.compiled, self.p, self.activity = model, compiled, p, activity
        names = set(model.kept_variables(None))
        self.names = [n for n in READ_VARIABLES if n in names]
        self.attrs = {"parameters": json.dumps(parameters)}
        self._t = np.empty(0)
        self._Y = np.empty((compiled.n_states, 0))
        self._blocks_t, self._blocks_Y = [], []
        self.next_day = 0                                   # first symptom day neither scored nor skipped
        self.columns = {k: [] for k in ("day",) + KEPT_READOUTS}

    def add(self, t, Y) -> None:
        """Append samples ``t`` (days) with states ``Y`` (n_states, m)."""
        if np.size(t):
            self._blocks_t.append(np.asarray(t, dtype=float))
            self._blocks_Y.append(Y)

    def _samples(self):
        if self._blocks_t:
            self._t = np.concatenate([self._t] + self._blocks_t)
            self._Y = np.concatenate([self._Y] + self._blocks_Y, axis=1)
            self._blocks_t, self._blocks_Y = [], []
        return self._t, self._Y

    def score(self, first_day=None) -> None:
        """Score the complete days from ``first_day`` (default: the first not yet scored; days
        before it that were not scored are skipped for good) to the last complete one."""
        t, Y = self._samples()
        if t.size < 2:
            return
        last = int(np.floor(t[-1] - clinical.DAY_START + 1e-9)) - 1          # day d ends at d + 1.25
        start = self.next_day if first_day is None else max(int(first_day), self.next_day)
        if last >= start:
            sel = t >= start + clinical.DAY_START - 3.0 / 24.0 - 1e-9
            self._score(t[sel], Y[:, sel], start, last)
            self.next_day = last + 1
        keep = t >= self.next_day + clinical.DAY_START - 3.0 / 24.0 - 1e-9     # the next day's samples (+3 h)
        keep[-1:] = True
        self._t, self._Y = t[keep], Y[:, keep]

    def _score(self, t, Y, first_day, last_day) -> None:
        every = set(self.compiled.observable_names) | set(self.compiled.forced_observable_names)
        obs = self.compiled.observables(t, Y, self.p, forcings=self.activity.forcings(np.mod(t, 1.0) * 24.0),
                                        names=[n for n in self.names if n in every])   # bit-identical (decision 49)
        values = self.model.variable_values(t, Y, obs, self.activity, self.names)
        ds = xr.Dataset({n: ("time", v) for n, v in values.items()}, coords={"time": ("time", t)},
                        attrs=self.attrs)
        dd = outcomes.daily(ds)
        days = dd["day"].values.astype(int)
        mine = (days >= first_day) & (days <= last_day)
        self.columns["day"].append(days[mine])
        for name in KEPT_READOUTS:
            self.columns[name].append(dd[name].values[mine])

    def table(self) -> dict:
        """``{"day", "irls", "onset_hour", "peak", "latency_at_rest_h"}``: arrays over days
        ``0 .. next_day - 1`` (NaN on days not scored)."""
        days = np.arange(self.next_day)
        out = {"day": days}
        scored = np.concatenate(self.columns["day"]) if self.columns["day"] else np.empty(0, int)
        for name in KEPT_READOUTS:
            col = np.full(days.size, np.nan)
            if scored.size:
                col[scored] = np.concatenate(self.columns[name])
            out[name] = col
        return out

    def weekly(self, name: str, end_day: int) -> float:
        """Mean of readout ``name`` over the 7 symptom days ending the day before ``end_day``
        (scoring them first if needed)."""
        self.score(end_day - clinical.RECALL_DAYS)
        tab = self.table()
        sel = (tab["day"] >= end_day - clinical.RECALL_DAYS) & (tab["day"] < end_day)
        return float(np.mean(tab[name][sel])) if sel.sum() == clinical.RECALL_DAYS else float("nan")


class NoiseFreeObserver:
    """Reads visits from the model's own (noise-free) daily series.

    * weekly IRLS: the mean daily IRLS-like score over the 7 symptom days ending at the visit;
    * MPI and clinically relevant verdicts (only when a :class:`SwitchPolicy` needs them): the
      MPI criteria (:func:`rlsmodel.clinical.mpi_by_day`) on the days since the regimen's
      first day against the untreated days before it (at least 7), adjudicated at the visit
      (:func:`rlsmodel.clinical.visit_verdict`).
    """

    def check(self, regimen) -> None:
        if regimen.switch_policy is not None and regimen.first_day < clinical.RECALL_DAYS:
            raise ValueError(
                f"a SwitchPolicy needs untreated baseline days to judge augmentation against: the regimen "
                f"starts on day {regimen.first_day}; start it on day {clinical.RECALL_DAYS} or later "
                "(e.g. Regimen.daily(..., start_day=28))")

    def readout(self, history: DailyHistory, visit_day: int, regimen) -> VisitReadout:
        if regimen.switch_policy is None:                 # the recall week is all a dose rule reads
            return VisitReadout(history.weekly("irls", visit_day))
        history.score()                                   # every day: the MPI criteria read them all
        irls = history.weekly("irls", visit_day)
        tab = history.table()
        base = tab["day"] < regimen.first_day
        treat = (tab["day"] >= regimen.first_day) & (tab["day"] < visit_day)
        ref = clinical.baseline_of(tab["onset_hour"][base], tab["latency_at_rest_h"][base], tab["peak"][base],
                                   tab["irls"][base])
        mpi = clinical.mpi_by_day(tab["onset_hour"][treat], tab["latency_at_rest_h"][treat], tab["peak"][treat],
                                  tab["irls"][treat], ref)
        positive, relevant = clinical.visit_verdict(mpi, (visit_day - regimen.first_day) // 7)
        return VisitReadout(irls, positive, relevant)


def integrate_adaptive(model, plan, y0, collect, bar, regimen: AdaptiveRegimen, parameters: dict):
    """Integrate ``plan`` from ``y0`` in segments between the visits of ``regimen``; hand the
    samples to ``collect(slice, Y)`` as :func:`rlsmodel.runplan.integrate_blocks` does.

    Returns the regimen after the last decision (its :meth:`~AdaptiveRegimen.record` goes
    into the run's attrs).
    """
    observer = regimen.observer if regimen.observer is not None else NoiseFreeObserver()
    observer.check(regimen)
    t = plan.t
    history = DailyHistory(model, plan.p, plan.activity, parameters)
    y = np.asarray(y0, dtype=float)
    start = 0.0
    first = 0
    bounds = [d + VISIT_HOUR / 24.0 for d in regimen.visit_days(plan.days)] + [float(t[-1])]
    sampled = np.abs(t[np.clip(np.searchsorted(t, bounds[:-1]), 0, t.size - 1)] - np.array(bounds[:-1])) < 1e-9
    if not np.all(sampled):
        raise ValueError(f"visit rules read the symptom days ending at each visit (06:00), so the samples must fall "
                         f"on 06:00: sample_every_hours={plan.size.dt_hours:g} does not; use a spacing that divides "
                         "6 h (e.g. 1, 0.5, 2, 3 or 6)")
    made_for, events, times = None, [], np.empty(0)
    for k, end in enumerate(bounds):
        last = int(np.searchsorted(t, end, side="right"))
        seg_t = t[first:last]
        if regimen.realised is not made_for:          # the events of the regimen as decided so far
            made_for = regimen.realised
            events = sorted(model.system.ledger_events(regimen.events(model, plan.days)), key=lambda e: e[0])
            times = np.array([e[0] for e in events], dtype=float)
        lo = int(np.searchsorted(times, start, side="left" if start == 0.0 else "right"))
        hi = int(np.searchsorted(times, end, side="right"))

        # the history is read only at visits where a rule may still act (not after a switch, nor
        # after the last visit)
        reads = k < len(bounds) - 1 and math.isnan(regimen.day_switched)

        def seg_collect(block, Y, offset=first, reads=reads):
            collect(slice(block.start + offset, block.stop + offset), Y)
            if reads:
                history.add(t[block.start + offset:block.stop + offset], Y)

        y = _runplan.integrate_blocks(model.compiled, y, plan.p, seg_t, events[lo:hi], plan.settings,
                                      model.state_scale, seg_collect, bar, span=(start, end))
        if k < len(bounds) - 1:
            visit_day = int(round(end - VISIT_HOUR / 24.0))
            if regimen.acts_at(visit_day):
                regimen = regimen.after_visit(visit_day, observer.readout(history, visit_day, regimen))
        start, first = end, last
    return regimen


__all__ = ["DailyHistory", "NoiseFreeObserver", "integrate_adaptive", "is_adaptive", "READ_VARIABLES"]
