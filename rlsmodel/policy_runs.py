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
    """The complete symptom days of a run so far, scored segment by segment.

    :meth:`add` takes one segment's samples; the days that end inside it (and start after
    the previous segment's first incomplete day) are scored by
    :func:`rlsmodel.outcomes.daily` on the segment's samples plus the previous segment's
    last day of samples, so each day is scored from exactly the samples a whole-run
    scoring uses.
    """

    def __init__(self, model, p, activity, parameters: dict):
        compiled = model.compiled
        self.model, self.compiled, self.p, self.activity = model, compiled, p, activity
        names = set(model.kept_variables(None))
        self.names = [n for n in READ_VARIABLES if n in names]
        self.attrs = {"parameters": json.dumps(parameters)}
        self._t = np.empty(0)
        self._Y = np.empty((compiled.n_states, 0))
        self.next_day = 0                                   # first symptom day not yet scored
        self.columns = {k: [] for k in ("day",) + KEPT_READOUTS}

    def add(self, t, Y) -> None:
        """Append samples ``t`` (days) with states ``Y`` and score the days now complete."""
        t = np.concatenate([self._t, np.asarray(t, dtype=float)])
        Y = np.concatenate([self._Y, Y], axis=1)
        if t.size >= 2:
            last_complete = int(np.floor(t[-1] - clinical.DAY_START + 1e-9)) - 1   # day d ends at d + 1.25
            if last_complete >= self.next_day:
                self._score(t, Y, last_complete)
        keep = t >= self.next_day + clinical.DAY_START - 3.0 / 24.0 - 1e-9      # the next day's samples (+3 h)
        keep[-1:] = True
        self._t, self._Y = t[keep], Y[:, keep]

    def _score(self, t, Y, last_day) -> None:
        obs = self.compiled.observables(t, Y, self.p, forcings=self.activity.forcings(np.mod(t, 1.0) * 24.0))
        values = self.model.variable_values(t, Y, obs, self.activity, self.names)
        ds = xr.Dataset({n: ("time", v) for n, v in values.items()}, coords={"time": ("time", t)},
                        attrs=self.attrs)
        dd = outcomes.daily(ds)
        days = dd["day"].values.astype(int)
        mine = (days >= self.next_day) & (days <= last_day)
        self.columns["day"].append(days[mine])
        for name in KEPT_READOUTS:
            self.columns[name].append(dd[name].values[mine])
        if mine.any():
            self.next_day = int(days[mine][-1]) + 1

    def table(self) -> dict:
        """``{"day", "irls", "onset_hour", "peak", "latency_at_rest_h"}``: arrays over the scored days."""
        return {k: (np.concatenate(v) if v else np.empty(0)) for k, v in self.columns.items()}

    def weekly(self, name: str, end_day: int) -> float:
        """Mean of readout ``name`` over the 7 symptom days ending the day before ``end_day``."""
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
        irls = history.weekly("irls", visit_day)
        if regimen.switch_policy is None:
            return VisitReadout(irls)
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
    for k, end in enumerate(bounds):
        last = int(np.searchsorted(t, end, side="right"))
        seg_t = t[first:last]
        events = model.system.ledger_events(regimen.events(model, plan.days))

        def seg_collect(block, Y, offset=first):
            collect(slice(block.start + offset, block.stop + offset), Y)
            history.add(t[block.start + offset:block.stop + offset], Y)

        y = _runplan.integrate_blocks(model.compiled, y, plan.p, seg_t, events, plan.settings, model.state_scale,
                                      seg_collect, bar, span=(start, end))
        if k < len(bounds) - 1:
            visit_day = int(round(end - VISIT_HOUR / 24.0))
            if regimen.acts_at(visit_day):
                regimen = regimen.after_visit(visit_day, observer.readout(history, visit_day, regimen))
        start, first = end, last
    return regimen


__all__ = ["DailyHistory", "NoiseFreeObserver", "integrate_adaptive", "is_adaptive", "READ_VARIABLES"]
