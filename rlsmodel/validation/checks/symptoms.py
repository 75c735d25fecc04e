"""Checks of the symptom and circadian targets (science.md section 1): when the urge peaks and
rests, what movement does, PLMS, IRLS and sleep. Each takes the shared
:class:`~rlsmodel.validation.runs.Runs` and returns an
:class:`~rlsmodel.validation.scoring.Observation`."""
from __future__ import annotations

import math

import numpy as np

from ..protocol import RLS_PROFILES
from ..runs import hhmm
from ..scoring import Observation


def _urge_peak_frame_hour(r, profile):
    d = r.day(profile)
    return float(d["hour"].values[np.argmax(d["urge_at_rest"].values)])


def urge_peak_hour(r):
    """C-peak: frame hour of the maximal urge at rest, both RLS profiles."""
    peaks = {p: _urge_peak_frame_hour(r, p) for p in RLS_PROFILES}
    v = peaks["rls_genetic"]
    other = peaks["rls_iron_deficient"]
    return Observation(v, f"urge at rest peaks at {hhmm(v)} (rls_genetic), {hhmm(other)} "
                          f"(rls_iron_deficient)", {"rls_iron_deficient in range": 22.0 <= other <= 27.0})


def urge_trough_hour(r):
    """C-trough: clock hour of the least urge at rest, both RLS profiles."""
    mins = {}
    for p in RLS_PROFILES:
        d = r.day(p)
        mins[p] = float(d["hour"].values[np.argmin(d["urge_at_rest"].values)]) % 24.0
    v = mins["rls_genetic"]
    return Observation(v, f"urge at rest least at {hhmm(v)} (rls_genetic), "
                          f"{hhmm(mins['rls_iron_deficient'])} (rls_iron_deficient)",
                       {"rls_iron_deficient in range": 7.0 <= mins["rls_iron_deficient"] <= 13.0})


def _symptom_window(r, profile):
    """(first, last) frame hour with urge_at_rest above the symptom threshold; and contiguity."""
    from ...clinical import DEFAULT_THRESHOLD
    d = r.day(profile)
    above = d["urge_at_rest"].values > DEFAULT_THRESHOLD
    hours = d["hour"].values
    if not above.any():
        return math.nan, math.nan, True
    idx = np.nonzero(above)[0]
    contiguous = bool(np.all(np.diff(idx) == 1))
    return float(hours[idx[0]]), float(hours[idx[-1]]), contiguous


def symptoms_at_rest_window(r):
    """C-rest: the one evening-to-morning window with the urge at rest above threshold."""
    checks, parts = {}, []
    start_g = math.nan
    for p in RLS_PROFILES:
        a, b, contiguous = _symptom_window(r, p)
        if p == "rls_genetic":
            start_g = a
        parts.append(f"{hhmm(a)}-{hhmm(b)} ({p})")
        checks[f"{p}: starts at or after 20:00"] = bool(a >= 20.0)
        checks[f"{p}: ends by 09:00"] = bool(b <= 33.0)
        checks[f"{p}: one window"] = contiguous
    return Observation(start_g, "urge at rest above 3/10 " + ", ".join(parts), checks)


def relief_by_movement(r):
    """C-movement: share of the urge relieved while active, and symptoms back at rest."""
    from ...clinical import DEFAULT_THRESHOLD
    d = r.day("rls_genetic")
    active = d["activity"].values.astype(str) == "active"
    urge, sym = d["urge_at_rest"].values, d["symptom"].values
    relief = float(1.0 - sym[active].sum() / urge[active].sum())
    lat = float(r.untreated_daily("rls_genetic")["latency_at_rest_h"].values[-3])
    return Observation(100 * relief, f"{100 * relief:.0f}% of the urge relieved while active; symptoms "
                                     f"back above {DEFAULT_THRESHOLD:g}/10 {lat:.1f} h into the evening rest",
                       {"symptoms return at rest": bool(np.isfinite(lat))})


def _median_daily(r, profile, variable):
    return float(np.median(r.untreated_daily(profile)[variable].values))


def plms_index_rls(r):
    """S-PLMS: median PLMS index of the untreated RLS profiles."""
    v = {p: _median_daily(r, p, "plms_index") for p in RLS_PROFILES}
    return Observation(v["rls_genetic"], f"PLMS index {v['rls_genetic']:.1f}/h (rls_genetic), "
                                         f"{v['rls_iron_deficient']:.1f}/h (rls_iron_deficient)",
                       {"rls_iron_deficient > 5/h": v["rls_iron_deficient"] > 5.0})


def plms_index_healthy(r):
    """S-PLMS-healthy: median PLMS index of the healthy profile."""
    v = _median_daily(r, "healthy", "plms_index")
    return Observation(v, f"PLMS index {v:.1f}/h (healthy)")


def irls_untreated(r):
    """S-IRLS: median IRLS-like score of the untreated RLS profiles."""
    v = {p: _median_daily(r, p, "irls") for p in RLS_PROFILES}
    return Observation(v["rls_genetic"], f"IRLS {v['rls_genetic']:.1f} (rls_genetic), "
                                         f"{v['rls_iron_deficient']:.1f} (rls_iron_deficient)",
                       {"rls_iron_deficient in 11-30": 11.0 <= v["rls_iron_deficient"] <= 30.0})


def sleep_disrupted_by_symptoms(r):
    """S-insomnia: share of the sleep period with symptoms above threshold."""
    v = {p: _median_daily(r, p, "sleep_disruption") for p in RLS_PROFILES + ("healthy",)}
    return Observation(100 * v["rls_genetic"],
                       f"symptoms during {100 * v['rls_genetic']:.0f}% (rls_genetic), "
                       f"{100 * v['rls_iron_deficient']:.0f}% (rls_iron_deficient), "
                       f"{100 * v['healthy']:.0f}% (healthy) of sleep time",
                       {"rls_iron_deficient >= 10%": v["rls_iron_deficient"] >= 0.10,
                        "healthy below RLS": v["healthy"] < v["rls_genetic"]})
