"""Checks of the treatment and augmentation targets (science.md section 3): acute benefit,
augmentation by the MPI criteria per drug, dose and severity, stopping, rebound and D2 on
treatment. The runs are the median patient's (:meth:`~rlsmodel.validation.runs.Runs.treatment`,
:meth:`~rlsmodel.validation.runs.Runs.stop`)."""
from __future__ import annotations

import math

import numpy as np

from ..protocol import (ALPHA2DELTA, BASELINE_DAYS, DIPYRIDAMOLE_DAYS, DOPAMINERGIC, DOSES, LEVODOPA_LOW_DOSE,
                        TREATMENT_PROFILE)
from ..runs import days_after_start, format_day, percent, window_mean
from ..scoring import Observation


def acute_irls_change(r, drug):
    """A-acute-<drug>: IRLS change from baseline to weeks 1-3 of treatment."""
    run = r.treatment(drug)
    d, s = run["daily"], run["start"]
    base = window_mean(d, "irls", 0, s)
    acute = window_mean(d, "irls", s, s + 21)
    return Observation(acute - base, f"IRLS {base:.1f} -> {acute:.1f} in weeks 1-3 ({acute - base:+.1f})")


def days_to_mpi(run) -> float:
    """Days from the first dose to the first MPI-positive week (NaN if none)."""
    return days_after_start(run["verdict"], "day_met", run["start"])


def augmentation_summary(run) -> str:
    """MPI-positive and clinically relevant days, late onset advance and ASRS-like score."""
    v, s = run["verdict"], run["start"]
    cr = days_after_start(v, "day_met_clinically_relevant", s)
    return (f"MPI-positive {format_day(days_to_mpi(run))}, clinically relevant {format_day(cr)} of {run['days']}; "
            f"late onset advance {v['onset_advance_h']:+.1f} h, late ASRS-like {v['late_asrs']:.1f}")


def levodopa_augments(r):
    """A-levodopa: days from the first levodopa dose to MPI-positive."""
    run = r.treatment("levodopa")
    return Observation(days_to_mpi(run), augmentation_summary(run))


def agonist_augments_later(r, drug):
    """A-pramipexole, A-ropinirole: no MPI-positive week within a year, or later than levodopa."""
    run, lev = r.treatment(drug), r.treatment("levodopa")
    mine, ref = days_to_mpi(run), days_to_mpi(lev)
    ok = (not np.isfinite(mine) or mine > 365.0
          or (np.isfinite(ref) and mine > ref))
    return Observation(mine, augmentation_summary(run) + (f"; levodopa {format_day(ref)}"),
                       {"none within a year, or later than levodopa": ok})


def rotigotine_augments_least(r):
    """A-rotigotine: late ASRS-like score and MPI-positive day of every dopaminergic drug."""
    runs = {d: r.treatment(d) for d in DOPAMINERGIC}
    asrs = {d: runs[d]["verdict"]["late_asrs"] for d in DOPAMINERGIC}
    days = {d: days_to_mpi(runs[d]) for d in DOPAMINERGIC}
    others = [d for d in DOPAMINERGIC if d != "rotigotine"]
    rot = days["rotigotine"]
    not_earlier = (not np.isfinite(rot)) or all(np.isfinite(days[d]) and rot >= days[d] for d in others)
    least = asrs["rotigotine"] <= min(asrs[d] for d in others) + 0.25
    return Observation(asrs["rotigotine"], "late ASRS-like " + ", ".join(f"{d} {asrs[d]:.2f}" for d in DOPAMINERGIC)
                       + "; MPI-positive " + ", ".join(f"{d} {format_day(days[d])}" for d in DOPAMINERGIC),
                       {"smallest late ASRS-like score (tolerance 0.25)": least,
                        "augments no earlier than the other dopaminergic drugs": not_earlier})


def alpha2delta_do_not_augment(r):
    """A-alpha2delta: largest late onset advance of the alpha-2-delta ligands; never MPI-positive."""
    runs = {d: r.treatment(d) for d in ALPHA2DELTA}
    adv = max(runs[d]["verdict"]["onset_advance_h"] for d in ALPHA2DELTA)
    mpi = {d: runs[d]["verdict"]["day_met"] for d in ALPHA2DELTA}
    return Observation(adv, "; ".join(f"{d}: {augmentation_summary(runs[d])}" for d in ALPHA2DELTA),
                       {"never MPI-positive": all(v is None for v in mpi.values())})


def augmentation_not_immediate(r):
    """A-not-immediate: the earliest MPI-positive day among the dopaminergic drugs."""
    first = [days_to_mpi(r.treatment(d)) for d in DOPAMINERGIC]
    finite = [x for x in first if np.isfinite(x)]
    v = min(finite) if finite else math.nan
    text = ("earliest MPI-positive day among dopaminergic drugs: " + (f"{v:.0f}" if finite else "none"))
    return Observation(v, text, {"none in the first 14 days": (not finite) or v >= 14.0})


def levodopa_dose_and_severity(r):
    """A-levodopa-dose: late ASRS-like score at the reference dose against the low end of the
    typical range, and at the reference dose in a severe (iron-deficient) baseline."""
    ref = DOSES["levodopa"][0]
    low = r.treatment("levodopa", dose=LEVODOPA_LOW_DOSE)["verdict"]
    high = r.treatment("levodopa")["verdict"]
    severe = r.treatment("levodopa", profile="rls_iron_deficient")["verdict"]
    d_dose = high["late_asrs"] - low["late_asrs"]
    d_sev = severe["late_asrs"] - high["late_asrs"]
    return Observation(d_dose, f"late ASRS-like: {LEVODOPA_LOW_DOSE:g} mg {low['late_asrs']:.2f}, {ref:g} mg "
                               f"{high['late_asrs']:.2f}, {ref:g} mg in rls_iron_deficient {severe['late_asrs']:.2f}; "
                               f"onset advance {low['onset_advance_h']:+.1f} / {high['onset_advance_h']:+.1f} / "
                               f"{severe['onset_advance_h']:+.1f} h",
                       {"severe baseline at least as augmented": d_sev >= 0.0})


def symptoms_return_after_stopping(r, drug):
    """A-stop-<drug>: days after the last dose until IRLS is back near the untreated baseline."""
    run = r.stop(drug, short=True)
    d, stop = run["daily"], run["stop_day"]
    base = window_mean(d, "irls", 0, BASELINE_DAYS)
    days, irls = d["day"].values, d["irls"].values
    # symptom day `stop` starts 06:00 on the first day without a dose
    off = days >= stop
    back = np.nonzero(off & (irls >= base - 1.0))[0]
    v = float(days[back[0]] - stop + 1) if back.size else math.nan
    on = window_mean(d, "irls", stop - 14, stop)
    return Observation(v, f"IRLS {base:.1f} untreated, {on:.1f} in the last 2 weeks on treatment; back to "
                          f">= {base - 1:.1f} on day {v:.0f} after the last dose" if back.size else
                          f"IRLS {base:.1f} untreated, {on:.1f} on treatment; not back within 14 days",
                       {"benefit on treatment (IRLS below baseline - 1)": on < base - 1.0})


def rebound_after_stopping_levodopa(r):
    """A-rebound: weekly IRLS after stopping long levodopa treatment, against baseline."""
    run = r.stop("levodopa")
    d, stop = run["daily"], run["stop_day"]
    base = window_mean(d, "irls", 0, BASELINE_DAYS)
    weeks = [window_mean(d, "irls", stop + 7 * k, stop + 7 * (k + 1)) for k in range(r.h["off_days"] // 7)]
    return Observation(weeks[0] - base, "weekly IRLS after stopping levodopa: "
                                        + ", ".join(f"{w:.1f}" for w in weeks) + f" (baseline {base:.1f})",
                       {"resolves: last week off within 1 point of baseline": abs(weeks[-1] - base) <= 1.0})


def d2_on_treatment(r):
    """A-D2: D2 density in the last 4 weeks of levodopa and pramipexole against untreated."""
    c = {}
    for d in ("levodopa", "pramipexole"):
        ds = r.treatment(d)["ds"]
        t = ds["time"].values
        base = ds["d2_density"].values[t < BASELINE_DAYS].mean()
        late = ds["d2_density"].values[t >= t[-1] - 28].mean()
        c[d] = late / base - 1
    v = float(np.mean(list(c.values())))
    return Observation(100 * v, f"D2 density {percent(c['levodopa'])} (levodopa), {percent(c['pramipexole'])} "
                                f"(pramipexole) at the end of treatment vs untreated")


def dipyridamole_plms(r):
    """A-dipyridamole-PLMS: PLMS index in the second week of dipyridamole over the last baseline
    week, median patient (Garcia-Borreguero et al. 2021: 8.2 vs 28.1 /h on placebo, ratio 0.29)."""
    from ... import outcomes
    from ...pharmacology import reference_regimen

    def make():
        reg = reference_regimen("dipyridamole", start_day=BASELINE_DAYS)
        ds = r.model.simulate(BASELINE_DAYS + DIPYRIDAMOLE_DAYS, TREATMENT_PROFILE, regimen=reg,
                              sample_every_hours=r.h["sample_every_hours"])
        return outcomes.daily(ds)
    d = r.shared(("dipyridamole_plms", TREATMENT_PROFILE), make)
    s = BASELINE_DAYS
    base = window_mean(d, "plms_index", s - 7, s)
    treated = window_mean(d, "plms_index", s + DIPYRIDAMOLE_DAYS - 7, s + DIPYRIDAMOLE_DAYS)
    ratio = treated / base if base > 0 else math.nan
    return Observation(ratio, f"PLMS index {base:.1f} -> {treated:.1f} /h in week 2 of dipyridamole "
                              f"(ratio {ratio:.2f}; published 8.2 / 28.1 = 0.29)")
