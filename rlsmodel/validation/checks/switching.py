"""Checks of the switching targets (rows ``A-switch-*``, issue 28): patients who met the MPI
criteria on levodopa, switched to another drug, read from the scorecard's switching course
(:meth:`~rlsmodel.validation.runs.Runs.switching_course`).

Every check takes ``r``: the scorecard's :class:`~rlsmodel.validation.runs.Runs` or directly a
course Dataset shaped like :func:`rlsmodel.switch_course.simulate_switches`'s output with
``attrs["arms"]`` (JSON ``{role: arm name}``, roles ``stop`` and the target drugs), so the
scoring can be tested on a course whose answer is known.

These rows are predictions: nothing in the model is fitted to switching data
(docs/calibration.md). The published patients were switched after failed or augmented
dopaminergic treatment; the model's are the population trial's patients MPI-positive on
levodopa, so each row compares like with like only as far as that goes (each row's note).
"""
from __future__ import annotations

import json
import math

import numpy as np

from ...trial import wilson_interval
from ..scoring import Observation

STOP = "stop"


def course_of(r):
    """The switching course of ``r`` (a Runs: its shared course; a Dataset: itself); None when
    no patient qualified."""
    return r.switching_course() if hasattr(r, "switching_course") else r


def _arm(course, role):
    return course.sel(arm=json.loads(course.attrs["arms"])[role])


def _ok(a):
    return np.asarray(a["status"].values).astype(str) == "ok"


def _no_course() -> Observation:
    return Observation(math.nan, "no patient met the MPI criteria on levodopa before the switch week "
                                 "(raise --population)")


def _week(a, week):
    return np.asarray(a["irls_course"].sel(week=week).values, dtype=float)


def _text(course, n) -> str:
    return (f"{n} patients MPI-positive on levodopa by week {course.attrs['switch_week']}, switched after it, "
            f"seed {course.attrs['seed']}")


def oxycodone_vs_stop(r, week: int = 12):
    """A-switch-oxycodone-naloxone: IRLS at ``week`` after switching to oxycodone-naloxone minus
    the same patients' IRLS after stopping (no drug), against Trenkwalder et al. 2013's -7.0."""
    course = course_of(r)
    if course is None:
        return _no_course()
    oxy, stop = _arm(course, "oxycodone_naloxone"), _arm(course, STOP)
    mask = _ok(oxy) & _ok(stop)
    diff = (_week(oxy, week) - _week(stop, week))[mask]
    diff = diff[np.isfinite(diff)]
    if diff.size == 0:
        return _no_course()
    sd = float(diff.std(ddof=1)) if diff.size > 1 else math.nan
    return Observation(float(diff.mean()), f"reported weekly IRLS at week {week} after the switch, oxycodone-naloxone "
                                           f"minus stop: {diff.mean():+.1f} (SD {sd:.1f}); {_text(course, diff.size)}")


def rotigotine_week_5(r, week: int = 5):
    """A-switch-rotigotine: IRLS change ``week`` weeks after an overnight switch to rotigotine, from
    the last week on the old drug (the cross-titration study: -6.7 +- 8.4 at week 5)."""
    course = course_of(r)
    if course is None:
        return _no_course()
    rot = _arm(course, "rotigotine")
    mask = _ok(rot)
    change = (_week(rot, week) - np.asarray(rot["irls_switch_week"].values, dtype=float))[mask]
    change = change[np.isfinite(change)]
    if change.size == 0:
        return _no_course()
    sd = float(change.std(ddof=1)) if change.size > 1 else math.nan
    return Observation(float(change.mean()), f"reported weekly IRLS change {week} weeks after switching to rotigotine: "
                                             f"{change.mean():+.1f} (SD {sd:.1f}); {_text(course, change.size)}")


def opioid_after_switch(r):
    """A-switch-opioid-augmentation: clinically relevant augmentation on oxycodone-naloxone after
    the switch (visits from week 8) at or below the stop arm's upper Wilson 95% bound
    (Trenkwalder et al. 2013: no augmentation in 52 weeks)."""
    course = course_of(r)
    if course is None:
        return _no_course()
    oxy, stop = _arm(course, "oxycodone_naloxone"), _arm(course, STOP)
    k_o, n_o = _count(oxy)
    k_s, n_s = _count(stop)
    upper = float(wilson_interval(k_s, n_s)[1]) if n_s else math.nan
    rate = k_o / n_o if n_o else math.nan
    text = (f"oxycodone-naloxone {k_o}/{n_o} clinically relevant after the switch, stop arm {k_s}/{n_s} "
            f"(upper 95% bound {100 * upper:.1f}%); {_text(course, n_o)}")
    return Observation(100.0 * rate, text, {"at or below the stop arm's upper bound": bool(n_o and rate <= upper)},
                       accepted=(0.0, 100.0 * upper if np.isfinite(upper) else None))


def _count(a):
    x = np.asarray(a["augmented_after"].values, dtype=float)[_ok(a)]
    x = x[np.isfinite(x)]
    return int(np.sum(x > 0.5)), int(x.size)
