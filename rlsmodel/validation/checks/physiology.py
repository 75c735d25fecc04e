"""Checks of the baseline physiology targets (science.md sections 2 and 4): brain and CSF
iron, the neuronal iron response, HIF, dopamine and D2, myelin, iron rhythms, iron status
and the blood-brain barrier's compensation, and the normal iron values."""
from __future__ import annotations

import math

import numpy as np

from ..protocol import OVERLOAD_PROFILE, RLS_PROFILES, SEVERE_PROFILE
from ..runs import hhmm, percent, relative_change
from ..scoring import NOISE, Observation


def change_vs_healthy(r, profile, name) -> float:
    """Relative change of steady-state ``name`` in ``profile`` against healthy."""
    return relative_change(r.ss(profile, name), r.ss("healthy", name))


def brain_iron_low_in_rls(r):
    """P1: brain iron of both RLS profiles against healthy."""
    c = change_vs_healthy(r, "rls_genetic", "brain_iron")
    c2 = change_vs_healthy(r, "rls_iron_deficient", "brain_iron")
    return Observation(100 * c, f"brain iron {percent(c)} (rls_genetic), {percent(c2)} (rls_iron_deficient) "
                                f"vs healthy", {"rls_iron_deficient at least 10% low": c2 < -0.10})


def brain_iron_lower_with_iron_deficiency(r):
    """P1-b: rls_iron_deficient against rls_genetic (brain iron, CSF ferritin)."""
    g, b = r.ss("rls_genetic", "brain_iron"), r.ss("rls_iron_deficient", "brain_iron")
    cg, cb = r.ss("rls_genetic", "csf_ferritin"), r.ss("rls_iron_deficient", "csf_ferritin")
    return Observation(100 * relative_change(b, g),
                       f"brain iron {percent(relative_change(b, g))}, CSF ferritin {percent(relative_change(cb, cg))} "
                       f"(rls_iron_deficient vs rls_genetic)",
                       {"CSF ferritin lower too": cb < (1 - NOISE) * cg})


def csf_ferritin_low_serum_normal(r):
    """P2: CSF ferritin low, serum ferritin normal, CSF/serum gain lower (rls_genetic)."""
    h, g = "healthy", "rls_genetic"
    csf = change_vs_healthy(r, g, "csf_ferritin")
    sf_h, sf_g = r.ss(h, "serum_ferritin"), r.ss(g, "serum_ferritin")
    ratio = relative_change(r.ss(g, "csf_ferritin") / sf_g, r.ss(h, "csf_ferritin") / sf_h)
    return Observation(100 * csf, f"CSF ferritin {percent(csf)}; serum ferritin {sf_g:.0f} ug/L "
                                  f"({percent(relative_change(sf_g, sf_h))}); CSF/serum ratio {percent(ratio)} "
                                  f"(rls_genetic)",
                       {"serum ferritin within 10% of healthy": abs(relative_change(sf_g, sf_h)) < 0.10,
                        "serum ferritin 30-400 ug/L": 30.0 <= sf_g <= 400.0,
                        "CSF/serum ferritin gain 10% lower": ratio < -0.10})


def neuronal_tfr_blunted(r):
    """P3: neuronal TfR low despite low labile iron in RLS; raised in plain iron deficiency."""
    g, d = "rls_genetic", "iron_deficient"
    tfr = change_vs_healthy(r, g, "neuron_tfr")
    lab = change_vs_healthy(r, g, "fe_neuron_labile")
    tfr_d = change_vs_healthy(r, d, "neuron_tfr")
    lab_d = change_vs_healthy(r, d, "fe_neuron_labile")
    return Observation(100 * tfr, f"neuronal TfR {percent(tfr)} with labile iron {percent(lab)} (rls_genetic); "
                                  f"iron_deficient: TfR {percent(tfr_d)}, labile iron {percent(lab_d)}",
                       {"RLS labile iron 10% low": lab < -0.10,
                        "iron deficiency raises TfR": tfr_d > NOISE,
                        "iron deficiency lowers labile iron": lab_d < -NOISE,
                        "iron deficiency raises IRP activity":
                            r.ss(d, "irp_activity") > r.ss("healthy", "irp_activity")})


def hif_raised(r):
    """P4: neuronal and endothelial HIF against healthy."""
    c = {p: change_vs_healthy(r, p, "hif") for p in RLS_PROFILES + ("iron_deficient",)}
    e = {p: change_vs_healthy(r, p, "hif_endothelial") for p in RLS_PROFILES}
    return Observation(100 * c["rls_genetic"],
                       f"neuronal HIF {percent(c['rls_genetic'])} (rls_genetic), {percent(c['rls_iron_deficient'])} "
                       f"(rls_iron_deficient); endothelial HIF {percent(e['rls_genetic'])} (rls_genetic)",
                       {"rls_iron_deficient HIF +10%": c["rls_iron_deficient"] > 0.10,
                        "endothelial HIF raised in RLS": all(v > NOISE for v in e.values()),
                        "iron deficiency raises HIF": c["iron_deficient"] > NOISE})


def d2_low_th_high(r):
    """P5: D2 density and TH activity of both RLS profiles against healthy."""
    d2 = {p: change_vs_healthy(r, p, "d2_density") for p in RLS_PROFILES}
    th = {p: change_vs_healthy(r, p, "th_activity") for p in RLS_PROFILES}
    return Observation(100 * d2["rls_genetic"],
                       f"D2 {percent(d2['rls_genetic'])} / {percent(d2['rls_iron_deficient'])}, TH activity "
                       f"{percent(th['rls_genetic'])} / {percent(th['rls_iron_deficient'])} (rls_genetic / "
                       f"rls_iron_deficient)",
                       {"TH +10% in both RLS profiles": all(v > 0.10 for v in th.values()),
                        "rls_iron_deficient D2 15-45% lower": -0.45 <= d2["rls_iron_deficient"] <= -0.15})


def tissue_dopamine_unchanged(r):
    """P5-b: tissue dopamine (and membrane DAT, reported) of both RLS profiles."""
    dat = {p: change_vs_healthy(r, p, "dat") for p in RLS_PROFILES}
    da = {p: change_vs_healthy(r, p, "da_tissue") for p in RLS_PROFILES}
    return Observation(100 * da["rls_genetic"],
                       f"tissue dopamine {percent(da['rls_genetic'])} / {percent(da['rls_iron_deficient'])}; "
                       f"membrane DAT {percent(dat['rls_genetic'])} / {percent(dat['rls_iron_deficient'])} "
                       f"(rls_genetic / rls_iron_deficient)",
                       {"rls_iron_deficient tissue dopamine within 20%": abs(da["rls_iron_deficient"]) <= 0.20})


def membrane_dat_low_in_rls(r):
    """P6-b: membrane DAT of both RLS profiles against healthy."""
    dat = {p: change_vs_healthy(r, p, "dat") for p in RLS_PROFILES}
    return Observation(100 * dat["rls_genetic"],
                       f"membrane DAT {percent(dat['rls_genetic'])} (rls_genetic), "
                       f"{percent(dat['rls_iron_deficient'])} (rls_iron_deficient)",
                       {"lower in both RLS profiles": all(v < -NOISE for v in dat.values())})


def membrane_dat_in_iron_deficiency(r):
    """P6: membrane DAT in iron_deficient (direction set by the DAT hypothesis)."""
    c = change_vs_healthy(r, "iron_deficient", "dat")
    hyp = getattr(r.model, "dat_hypothesis", "reduced")
    return Observation(100 * c, f"membrane DAT {percent(c)} in iron_deficient (dat_hypothesis={hyp})")


def dopamine_rhythm_in_rls(r):
    """P7: extracellular dopamine and release, 10:00 against 22:00; mean and swing vs healthy."""
    checks, parts = {}, []
    dh = r.day("healthy")["dopamine_extracellular"].values
    ratio_g = math.nan
    for p in RLS_PROFILES:
        d = r.day(p)
        da = d["dopamine_extracellular"].values
        ratio = r.at(p, "dopamine_extracellular", 10.0) / r.at(p, "dopamine_extracellular", 22.0) - 1
        rel_ = r.at(p, "dopamine_release", 10.0) / r.at(p, "dopamine_release", 22.0) - 1
        if p == "rls_genetic":
            ratio_g = ratio
        parts.append(f"{p}: 10:00 vs 22:00 {percent(ratio)}, mean {percent(relative_change(da.mean(), dh.mean()))}, "
                     f"swing x{np.ptp(da) / np.ptp(dh):.2f}")
        checks[f"{p}: mean not below healthy"] = bool(da.mean() >= dh.mean())
        checks[f"{p}: swing not smaller"] = bool(np.ptp(da) >= np.ptp(dh))
        checks[f"{p}: release 10:00 > 22:00 by 10%"] = bool(rel_ > 0.10)
        if p == "rls_iron_deficient":
            checks[f"{p}: 10:00 > 22:00 by 10%"] = bool(ratio > 0.10)
    return Observation(100 * ratio_g, "; ".join(parts), checks)


def extracellular_dopamine_in_severe_deficiency(r):
    """P8: mean extracellular dopamine in severe dietary iron deficiency (rodent severity)."""
    dh = r.day("healthy")["dopamine_extracellular"].values.mean()
    dd = r.day(SEVERE_PROFILE)["dopamine_extracellular"].values.mean()
    dm = r.day("iron_deficient")["dopamine_extracellular"].values.mean()
    b = change_vs_healthy(r, SEVERE_PROFILE, "brain_iron")
    return Observation(100 * relative_change(dd, dh),
                       f"mean extracellular dopamine {percent(relative_change(dd, dh))} with brain iron "
                       f"{percent(b)} ({SEVERE_PROFILE}); {percent(relative_change(dm, dh))} (iron_deficient)",
                       {"brain iron 30-40% low (the rodents' deficit)": -0.40 <= b <= -0.30})


def d2_falls_with_iron(r):
    """P8-b: D2 density in iron_deficient, lower still in severe deficiency."""
    c = change_vs_healthy(r, "iron_deficient", "d2_density")
    b = change_vs_healthy(r, "iron_deficient", "brain_iron")
    cs = change_vs_healthy(r, SEVERE_PROFILE, "d2_density")
    bs = change_vs_healthy(r, SEVERE_PROFILE, "brain_iron")
    return Observation(100 * c, f"D2 density {percent(c)} with brain iron {percent(b)} (iron_deficient), "
                                f"{percent(cs)} with {percent(bs)} ({SEVERE_PROFILE})",
                       {"lower still in severe deficiency": cs < c})


def myelin_low_in_rls(r):
    """P9: myelin and oligodendrocyte iron of both RLS profiles."""
    m = {p: -change_vs_healthy(r, p, "myelin") for p in RLS_PROFILES}
    o = {p: change_vs_healthy(r, p, "fe_oligodendrocyte") for p in RLS_PROFILES}
    return Observation(100 * m["rls_genetic"],
                       f"myelin {100 * m['rls_genetic']:.1f}% / {100 * m['rls_iron_deficient']:.1f}% lower, "
                       f"oligodendrocyte iron {percent(o['rls_genetic'])} / {percent(o['rls_iron_deficient'])} "
                       f"(rls_genetic / rls_iron_deficient)",
                       {"rls_iron_deficient 10-40% less": 0.10 <= m["rls_iron_deficient"] <= 0.40,
                        "oligodendrocyte iron lower": all(v < -NOISE for v in o.values())})


def myelin_in_severe_deficiency(r):
    """P9-b: myelin in severe dietary iron deficiency (rodent severity)."""
    m = -change_vs_healthy(r, SEVERE_PROFILE, "myelin")
    o = change_vs_healthy(r, SEVERE_PROFILE, "fe_oligodendrocyte")
    mm = -change_vs_healthy(r, "iron_deficient", "myelin")
    return Observation(100 * m, f"myelin {100 * m:.1f}% lower with oligodendrocyte iron {percent(o)} "
                                f"({SEVERE_PROFILE}); {100 * mm:.1f}% lower in iron_deficient")


def plasma_iron_rhythm(r):
    """P10: plasma iron and transferrin saturation at 18:00 against the morning; daily maximum."""
    checks, parts, v0 = {}, [], math.nan
    for p in ("healthy", "iron_deficient", "rls_genetic"):
        d = r.day(p)
        hour = d["hour"].values
        morning = (hour >= 31.0) & (hour <= 34.0)           # 07:00-10:00 next morning
        for name in ("fe_plasma", "transferrin_saturation"):
            c = r.at(p, name, 18.0) / d[name].values[morning].mean() - 1
            if p == "healthy" and name == "fe_plasma":
                v0 = c
                parts.append(f"plasma iron at 18:00 {percent(c)} vs 07:00-10:00 (healthy)")
            checks[f"{p} {name} 10% lower"] = bool(c < -0.10)
        peak = float(hour[np.argmax(d["fe_plasma"].values)]) % 24.0
        checks[f"{p}: maximum 03:00-12:00"] = bool(3.0 <= peak <= 12.0)
        if p == "healthy":
            parts.append(f"maximum at {hhmm(peak)}")
    return Observation(100 * v0, ", ".join(parts), checks)


def brain_iron_daily_variation(r):
    """P10-b: peak-to-peak daily variation of brain iron (healthy)."""
    d = r.day("healthy")["brain_iron"].values
    v = np.ptp(d) / d.mean()
    return Observation(100 * v, f"brain iron varies {100 * v:.3f}% over the day (healthy)")


def evening_peak_urge(r, profile, **params) -> float:
    """Largest felt symptom 18:00-04:00 of the entrained day."""
    d = r.day(profile, **params)
    h = d["hour"].values
    sel = (h >= 18.0) & (h <= 28.0)                         # 18:00-04:00
    return float(d["symptom"].values[sel].max())


def severity_with_iron_deficiency(r):
    """P11: evening peak urge of rls_iron_deficient against rls_genetic."""
    worse, base = evening_peak_urge(r, "rls_iron_deficient"), evening_peak_urge(r, "rls_genetic")
    f = {p: r.ss(p, "serum_ferritin") for p in ("iron_deficient", "rls_iron_deficient")}
    return Observation(100 * relative_change(worse, base),
                       f"evening peak urge {worse:.2f} vs {base:.2f} ({percent(relative_change(worse, base))}); "
                       f"serum ferritin {f['rls_iron_deficient']:.0f} ug/L (rls_iron_deficient)",
                       {"iron-deficient profiles ferritin < 30 ug/L": all(v < 30.0 for v in f.values())})


def severity_rises_as_ferritin_falls(r):
    """P11-b: less dietary iron step by step: ferritin down, evening peak up (rls_genetic)."""
    diets = (20.0, 15.0, 11.0, 8.0)
    fer = [r.ss("rls_genetic", "serum_ferritin", diet_iron=d) for d in diets]
    peak = [evening_peak_urge(r, "rls_genetic", diet_iron=d) for d in diets]
    return Observation(100 * relative_change(peak[-1], peak[0]),
                       f"diet 20 -> 8 mg/day: ferritin {fer[0]:.0f} -> {fer[-1]:.0f} ug/L, evening peak "
                       f"{peak[0]:.2f} -> {peak[-1]:.2f} (rls_genetic)",
                       {"ferritin falls at each step": bool(np.all(np.diff(fer) < 0)),
                        "peak rises at each step": bool(np.all(np.diff(peak) > 0))})


def _times_healthy(r, profile, name) -> float:
    return r.ss(profile, name) / r.ss("healthy", name)


def bbb_tfr_direction(r):
    """P12: BBB TfR up in iron_deficient, down in overload."""
    up, down = _times_healthy(r, "iron_deficient", "tfr_bbb"), _times_healthy(r, OVERLOAD_PROFILE, "tfr_bbb")
    tsat = r.ss(OVERLOAD_PROFILE, "transferrin_saturation")
    return Observation(up, f"BBB TfR x{up:.2f} in iron_deficient, x{down:.2f} in {OVERLOAD_PROFILE} "
                           f"(TSAT {tsat:.0f}%)",
                       {"down in overload": down < 1 - NOISE,
                        "overload is real (TSAT >= 55%)": tsat >= 55.0})


def bbb_uptake_per_plasma_iron(r):
    """P12-b: brain iron uptake per plasma iron pool (the tracer measure); absolute flux reported."""
    name = "bbb_iron_uptake_fraction"
    up, down = _times_healthy(r, SEVERE_PROFILE, name), _times_healthy(r, OVERLOAD_PROFILE, name)
    fd, fo = _times_healthy(r, SEVERE_PROFILE, "bbb_iron_flux"), _times_healthy(r, OVERLOAD_PROFILE, "bbb_iron_flux")
    fm = _times_healthy(r, "iron_deficient", "bbb_iron_flux")
    return Observation(up, f"brain uptake per plasma iron pool (the 59Fe-transferrin tracer measure) x{up:.2f} in "
                           f"{SEVERE_PROFILE}, x{down:.2f} in {OVERLOAD_PROFILE}; absolute BBB iron flux x{fd:.2f} / "
                           f"x{fo:.2f} (x{fm:.2f} in iron_deficient)",
                       {"overload at most x0.71": down <= 2 ** -0.5})


def bbb_tfr_magnitude(r):
    """P12-c: size of the BBB TfR change in severe deficiency and in overload."""
    up, down = _times_healthy(r, SEVERE_PROFILE, "tfr_bbb"), _times_healthy(r, OVERLOAD_PROFILE, "tfr_bbb")
    return Observation(up, f"BBB TfR x{up:.2f} in {SEVERE_PROFILE}, x{down:.2f} in {OVERLOAD_PROFILE}",
                       {"overload at most x0.71": down <= 2 ** -0.5})


def serum_ferritin_by_profile(r):
    """N-ferritin: serum ferritin of the four core profiles."""
    f = {p: r.ss(p, "serum_ferritin") for p in ("healthy", "rls_genetic", "iron_deficient", "rls_iron_deficient")}
    return Observation(f["healthy"], "serum ferritin " + ", ".join(f"{v:.0f} ({p})" for p, v in f.items()) + " ug/L",
                       {"rls_genetic 30-400": 30.0 <= f["rls_genetic"] <= 400.0,
                        "iron-deficient profiles < 30": f["iron_deficient"] < 30 and f["rls_iron_deficient"] < 30})


def transferrin_saturation_normal(r):
    """N-TSAT: daily-mean transferrin saturation, healthy and rls_genetic."""
    t = {p: r.ss(p, "transferrin_saturation") for p in ("healthy", "rls_genetic")}
    return Observation(t["healthy"], f"transferrin saturation {t['healthy']:.1f}% (healthy), "
                                     f"{t['rls_genetic']:.1f}% (rls_genetic); daily mean",
                       {"rls_genetic 20-45%": 20.0 <= t["rls_genetic"] <= 45.0})


def total_body_iron(r):
    """N-body-iron: daily mean of total body iron (healthy)."""
    d = r.day("healthy")
    v = float(d["total_body_iron"].values.mean())
    return Observation(v, f"total body iron {v:.0f} mg (healthy)")


def plasma_iron(r):
    """N-plasma-iron: plasma transferrin-bound iron (healthy, daily mean)."""
    v = r.ss("healthy", "fe_plasma")
    return Observation(v, f"plasma transferrin iron {v:.2f} mg (healthy, daily mean)")


def absorbed_per_day(r, profile) -> float:
    """Iron absorbed per day (mg/day) over the entrained day, from the intake ledger."""
    d = r.day(profile)["iron_intake_total"].values
    return float(d[-1] - d[0]) * 24.0 / (len(d) - 1) * 12.0


def iron_absorption(r):
    """N-absorption: iron absorbed per day from the diet (healthy)."""
    v = absorbed_per_day(r, "healthy")
    return Observation(v, f"{v:.2f} mg/day absorbed from a 15 mg/day diet (healthy)")


def iron_absorption_in_deficiency(r):
    """N-absorption-deficient: absorbed fraction of dietary iron, iron_deficient against healthy."""
    h, d = absorbed_per_day(r, "healthy"), absorbed_per_day(r, "iron_deficient")
    fh = h / 15.0
    fd = d / float(r.model.resolve_parameters("iron_deficient")["diet_iron"])
    return Observation(fd / fh, f"fraction of dietary iron absorbed {100 * fd:.1f}% (iron_deficient) vs "
                                f"{100 * fh:.1f}% (healthy): x{fd / fh:.2f}")


def extracellular_dopamine(r):
    """N-dopamine: daily-mean extracellular striatal dopamine (healthy)."""
    v = float(r.day("healthy")["dopamine_extracellular"].values.mean())
    return Observation(v, f"extracellular striatal dopamine {v:.1f} nM (healthy, daily mean)")
