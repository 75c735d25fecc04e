"""Checks of the iron-therapy targets (science.md section 3): serum ferritin and transferrin
saturation after IV and oral iron, absorption of oral iron, brain iron, and the IRLS benefit."""
from __future__ import annotations

import numpy as np

from ...trial import Z95
from ..protocol import (IRON_COURSE_WEEKS, IRON_PROFILE, IRON_REGIMENS, IRON_START_DAY, IRON_TRIAL_ARM,
                        PLACEBO_ARM)
from ..runs import percent, relative_change, value_at, weekly_mean, window_mean
from ..scoring import NOISE, Observation

#: Times (days) of the infusion and of the first oral dose in the iron runs.
IV_TIME = IRON_START_DAY + IRON_REGIMENS["iv"][2] / 24.0
ORAL_TIME = IRON_START_DAY + IRON_REGIMENS["oral"][2] / 24.0


def _ferritin_after_infusion(r):
    """Serum ferritin before, 1 and 8 weeks after the infusion; day and size of its peak."""
    ds = r.iron("iv")["ds"]
    t0 = IV_TIME
    pre = value_at(ds, "serum_ferritin", t0 - 1e-3)
    w1 = value_at(ds, "serum_ferritin", t0 + 7.0)
    w8 = value_at(ds, "serum_ferritin", t0 + 56.0)
    sel = ds["time"].values >= t0
    tpeak = float(ds["time"].values[sel][np.argmax(ds["serum_ferritin"].values[sel])] - t0)
    peak = float(ds["serum_ferritin"].values[sel].max())
    return pre, w1, w8, tpeak, peak


def iv_ferritin_jump(r):
    """T-iron-IV-rise: week-1 serum ferritin relative to before the infusion; peak day."""
    pre, w1, w8, tpeak, peak = _ferritin_after_infusion(r)
    return Observation(w1 / pre, f"serum ferritin {pre:.0f} -> {w1:.0f} ug/L at week 1 (x{w1 / pre:.1f}); "
                                 f"peak {peak:.0f} ug/L on day {tpeak:.1f} after the infusion",
                       {"peak within 14 days": tpeak <= 14.0})


def iv_ferritin_jump_size(r):
    """T-iron-IV-magnitude: week-1 rise of serum ferritin (ug/L)."""
    pre, w1, *_ = _ferritin_after_infusion(r)
    return Observation(w1 - pre, f"serum ferritin +{w1 - pre:.0f} ug/L at week 1 ({pre:.0f} -> {w1:.0f})")


def iv_ferritin_decline(r):
    """T-iron-IV-decline: week-8 over week-1 serum ferritin."""
    pre, w1, w8, *_ = _ferritin_after_infusion(r)
    return Observation(w8 / w1, f"week 8 / week 1 serum ferritin {w8:.0f} / {w1:.0f} = {w8 / w1:.2f}")


def oral_ferritin_rise(r):
    """T-iron-oral: serum ferritin over 12 weeks of oral iron."""
    ds = r.iron("oral")["ds"]
    t0 = ORAL_TIME
    pre = value_at(ds, "serum_ferritin", t0 - 1e-3)
    w1, w4, w12 = (value_at(ds, "serum_ferritin", t0 + 7.0 * w) for w in (1, 4, 12))
    return Observation(w12 - pre, f"serum ferritin {pre:.0f} -> {w1:.0f} (week 1) -> {w4:.0f} (week 4) -> "
                                  f"{w12:.0f} ug/L (week 12)",
                       {"starts at ferritin <= 75 ug/L": pre <= 75.0,
                        "gradual: week 1 gives < 25% of the 12-week rise": (w1 - pre) < 0.25 * (w12 - pre),
                        "still rising from week 4 to 12": w12 > w4})


def _supplement_absorbed(r, profile, first_day, last_day):
    """Fraction of the oral iron doses absorbed over treatment days [first_day, last_day)."""
    on, off = r.iron("oral", profile)["ds"], r.iron("none", profile)["ds"]
    t0, t1 = IRON_START_DAY + first_day, IRON_START_DAY + last_day
    gain = ((value_at(on, "iron_intake_total", t1) - value_at(on, "iron_intake_total", t0))
            - (value_at(off, "iron_intake_total", t1) - value_at(off, "iron_intake_total", t0)))
    return gain / (IRON_REGIMENS["oral"][1] * (last_day - first_day))


def oral_absorption_adapts(r):
    """T-iron-oral-absorption: absorbed share of the supplement, deficient vs healthy, early vs late."""
    n = r.h["iron_days"]
    fd = _supplement_absorbed(r, IRON_PROFILE, 0, 28)
    fh = _supplement_absorbed(r, "healthy", 0, 28)
    late = _supplement_absorbed(r, IRON_PROFILE, n - 28, n)
    return Observation(fd / fh, f"first 4 weeks: {100 * fd:.1f}% of supplement iron absorbed ({IRON_PROFILE}) "
                                f"vs {100 * fh:.1f}% (healthy); last 4 weeks ({IRON_PROFILE}): {100 * late:.1f}%",
                       {"absorption falls as stores refill": late < (1 - NOISE) * fd})


def _irls_change_after_iv(r, profile, week=6):
    """IRLS change from the untreated baseline to week ``week`` after the infusion."""
    d = r.iron("iv", profile)["daily"]
    base = window_mean(d, "irls", 0, IRON_START_DAY)
    after = window_mean(d, "irls", IRON_START_DAY + 7 * (week - 1), IRON_START_DAY + 7 * week)
    return after - base, base, after


def iv_irls_benefit(r, profile):
    """T-iron-IV-IRLS, T-iron-IV-normal-ferritin: IRLS change at week 6 after IV iron in
    ``profile``, and whether the benefit lasts to week 12."""
    change, base, after = _irls_change_after_iv(r, profile)
    w12, _, _ = _irls_change_after_iv(r, profile, week=12)
    n = r.h["iron_days"] // 7
    late, _, _ = _irls_change_after_iv(r, profile, week=n)
    return Observation(change, f"IRLS {base:.1f} -> {after:.1f} at week 6 ({change:+.1f}); {w12:+.1f} at week 12, "
                               f"{late:+.1f} at week {n} ({profile})",
                       {"benefit still there at week 12 (at least 1 point)": w12 <= -1.0})


def tsat_after_repletion(r):
    """T-iron-IV-TSAT: weekly transferrin saturation from week 8 after the infusion."""
    ds = r.iron("iv")["ds"]
    t0 = IV_TIME
    n = r.h["iron_days"] // 7
    weeks = range(8, n + 1)
    tsat = [weekly_mean(ds, "transferrin_saturation", t0, w) for w in weeks]
    stores = value_at(ds, "storage_iron", t0 + 7.0 * n)
    return Observation(float(np.mean(tsat)),
                       f"weekly mean transferrin saturation {min(tsat):.1f}-{max(tsat):.1f}% in weeks 8-{n} after the "
                       f"infusion ({IRON_PROFILE}, continuing blood loss); storage iron {stores:.0f} mg at week {n}",
                       {"every week 8-end at least 2 points inside 20-45%": min(tsat) >= 22.0 and max(tsat) <= 43.0})


def iv_in_iron_replete_adults(r):
    """T-iron-IV-replete: saturation, hepcidin and ferritin 1 and 8 weeks after 1000 mg (healthy)."""
    ds = r.iron("iv", "healthy")["ds"]
    t0 = IV_TIME
    pre = {n: weekly_mean(ds, n, t0 - 7.0, 1) for n in ("transferrin_saturation", "hepcidin", "serum_ferritin")}
    w1 = {n: weekly_mean(ds, n, t0 + 3.5, 1) for n in pre}      # days 3.5-10.5: centred on day 7
    w8 = {n: weekly_mean(ds, n, t0 + 52.5, 1) for n in pre}     # days 52.5-59.5: centred on day 56
    return Observation(w8["transferrin_saturation"],
                       f"healthy adult, 1000 mg: transferrin saturation {pre['transferrin_saturation']:.0f} -> "
                       f"{w1['transferrin_saturation']:.0f}% (week 1) -> {w8['transferrin_saturation']:.0f}% (week 8); "
                       f"hepcidin x{w1['hepcidin'] / pre['hepcidin']:.1f} / x{w8['hepcidin'] / pre['hepcidin']:.1f}; "
                       f"serum ferritin {pre['serum_ferritin']:.0f} -> {w1['serum_ferritin']:.0f} -> "
                       f"{w8['serum_ferritin']:.0f} ug/L",
                       {"week-1 saturation 41-89% (64.9 +/- 24.3)": 40.6 <= w1["transferrin_saturation"] <= 89.2,
                        "hepcidin up at week 1 and week 8": w1["hepcidin"] > pre["hepcidin"] * (1 + NOISE)
                        and w8["hepcidin"] > pre["hepcidin"] * (1 + NOISE)})


def oral_irls_benefit(r):
    """T-iron-oral-IRLS: IRLS change at weeks 2 and 12 of oral iron, against IV iron at week 2."""
    d = r.iron("oral")["daily"]
    base = window_mean(d, "irls", 0, IRON_START_DAY)
    w2 = window_mean(d, "irls", IRON_START_DAY + 7, IRON_START_DAY + 14) - base
    w12 = window_mean(d, "irls", IRON_START_DAY + 77, IRON_START_DAY + 84) - base
    iv2, _, _ = _irls_change_after_iv(r, IRON_PROFILE, week=2)
    return Observation(w12, f"oral iron 65 mg/day ({IRON_PROFILE}): IRLS {base:.1f}, {w2:+.1f} at week 2, "
                            f"{w12:+.1f} at week 12 (IV iron: {iv2:+.1f} at week 2)",
                       {"slower than IV iron (less benefit at week 2)": w2 > iv2})


def iv_iron_reaches_the_brain(r):
    """T-iron-IV-brain: brain iron and CSF ferritin at the end of follow-up, IV vs untreated."""
    n = r.h["iron_days"]
    on, off = r.iron("iv")["ds"], r.iron("none")["ds"]
    t = IRON_START_DAY + n
    b = relative_change(value_at(on, "brain_iron", t), value_at(off, "brain_iron", t))
    c = relative_change(value_at(on, "csf_ferritin", t), value_at(off, "csf_ferritin", t))
    return Observation(100 * b, f"{n} days after the infusion: brain iron {percent(b, 2)}, CSF ferritin "
                                f"{percent(c, 2)} vs untreated ({IRON_PROFILE})",
                       {"CSF ferritin higher": c > 0})


# -- the time course of one infusion (issue 23) --------------------------------------------------
def iv_benefit_by_week(r, profile=IRON_PROFILE):
    """The IRLS benefit of 1000 mg FCM week by week against the same patient untreated.

    Parameters
    ----------
    r : Runs
        The scorecard's shared runs (:meth:`~rlsmodel.validation.runs.Runs.iron_course`).
    profile : str
        Patient profile.

    Returns
    -------
    dict
        ``{week: benefit}`` in IRLS points (negative = better): weekly mean IRLS of the treated
        patient minus that of the untreated one, week ``w`` = days ``7 (w - 1)`` to ``7 w`` after
        the infusion day, weeks 1 to :data:`IRON_COURSE_WEEKS`.
    """
    on, off = r.iron_course("iv", profile)["daily"], r.iron_course("none", profile)["daily"]
    out = {}
    for w in range(1, IRON_COURSE_WEEKS + 1):
        a, b = IRON_START_DAY + 7 * (w - 1), IRON_START_DAY + 7 * w
        out[w] = window_mean(on, "irls", a, b) - window_mean(off, "irls", a, b)
    return out


def _peak(benefit):
    week = min(benefit, key=benefit.get)
    return week, benefit[week]


def iv_benefit_grows(r):
    """T-iron-IV-course: benefit at week 12 over benefit at week 4 (>= 1: it grows)."""
    b = iv_benefit_by_week(r)
    week, peak = _peak(b)
    return Observation(b[12] / b[4] if b[4] < 0 else float("nan"),
                       f"IRLS vs the same patient untreated: {b[4]:+.1f} at week 4, {b[8]:+.1f} at week 8, "
                       f"{b[12]:+.1f} at week 12; peak {peak:+.1f} at week {week} ({IRON_PROFILE})",
                       {"a benefit at week 4 (at least 1 point)": b[4] <= -1.0})


def iv_benefit_lasts(r):
    """T-iron-IV-lasting: benefit at week 24 as a fraction of its peak."""
    b = iv_benefit_by_week(r)
    week, peak = _peak(b)
    return Observation(b[24] / peak if peak < 0 else float("nan"),
                       f"IRLS vs untreated: peak {peak:+.1f} at week {week}, {b[24]:+.1f} at week 24, "
                       f"{b[36]:+.1f} at week 36, {b[52]:+.1f} at week 52 ({IRON_PROFILE})",
                       {"peak after week 4": week > 4})


def iv_brain_iron_course(r):
    """T-iron-IV-brain-course: brain iron vs the same patient untreated at week 2; still up at week 24."""
    on, off = r.iron_course("iv")["ds"], r.iron_course("none")["ds"]
    t0 = IRON_START_DAY + IRON_REGIMENS["iv"][2] / 24.0
    change = {w: relative_change(value_at(on, "brain_iron", t0 + 7.0 * w), value_at(off, "brain_iron", t0 + 7.0 * w))
              for w in (2, 12, 24, 52)}
    labile = {w: relative_change(value_at(on, "fe_neuron_labile", t0 + 7.0 * w),
                                 value_at(off, "fe_neuron_labile", t0 + 7.0 * w)) for w in (2, 12, 24)}
    return Observation(100 * change[2],
                       f"brain iron vs untreated {percent(change[2], 1)} at week 2, {percent(change[12], 1)} at "
                       f"week 12, {percent(change[24], 1)} at week 24, {percent(change[52], 1)} at week 52; neuronal "
                       f"labile iron {percent(labile[2], 1)} / {percent(labile[12], 1)} / {percent(labile[24], 1)} "
                       f"({IRON_PROFILE})",
                       {"brain iron still up at week 24 (> 0.5%)": change[24] > NOISE})


def _scored(ds, arm) -> np.ndarray:
    """Patients of ``arm`` of a virtual trial who count: run succeeded and met the inclusion criterion."""
    ok = np.asarray(ds.sel(arm=arm)["status"].values).astype(str) == "ok"
    if "eligible" in ds:
        ok &= np.asarray(ds["eligible"].values, dtype=bool)
    return ok


def iv_trial_placebo_corrected(r, weeks):
    """T-iron-IV-trial-week4, T-iron-IV-trial-week12: placebo-corrected change of the reported weekly IRLS at
    week ``weeks`` in the IV-iron virtual trial (:meth:`~rlsmodel.validation.runs.Runs.iron_trial`)."""
    ds = r.iron_trial(weeks)
    timepoint = "week_12" if weeks == 12 else "end"
    iv, pl = (ds.sel(arm=a) for a in (IRON_TRIAL_ARM, PLACEBO_ARM))
    m_iv, m_pl = (float(a["irls_change"].sel(timepoint=timepoint)) for a in (iv, pl))
    sd_iv, sd_pl = (float(a["irls_change_sd"].sel(timepoint=timepoint)) for a in (iv, pl))
    n_iv, n_pl = float(_scored(ds, IRON_TRIAL_ARM).sum()), float(_scored(ds, PLACEBO_ARM).sum())
    diff = m_iv - m_pl
    se = (sd_iv ** 2 / max(n_iv, 1) + sd_pl ** 2 / max(n_pl, 1)) ** 0.5
    return Observation(diff, f"week {weeks}: IV {m_iv:+.1f} (SD {sd_iv:.1f}, n {n_iv:g}), placebo {m_pl:+.1f} "
                             f"(SD {sd_pl:.1f}, n {n_pl:g}); difference {diff:+.1f} (95% CI {diff - Z95 * se:+.1f} to "
                             f"{diff + Z95 * se:+.1f}); virtual trial seed {ds.attrs.get('seed', '?')}, {IRON_PROFILE}")
