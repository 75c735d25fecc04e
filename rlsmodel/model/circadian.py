"""The 24-hour clock as forcing functions of model time ``t`` (days; t = 0 is midnight).

Each rhythm is a cosine with a documented peak clock hour and amplitude and a daily mean
of 1, so the day-averaged system (used for steady states) replaces each rhythm by 1.
The rest/activity schedule is not part of the ODE (it acts on the symptom readout only)
and lives in :mod:`rlsmodel.activity`.
"""
import sympy as sp

from .declaration import Module, Observable, Parameter, sym, t

p = {n: sym(n) for n in (
    "dopamine_peak_hour", "da_synthesis_amplitude", "firing_amplitude", "dat_rhythm_amplitude",
    "iron_release_peak_hour", "iron_release_amplitude", "symptom_gate_peak_hour", "symptom_gate_sharpness")}


def _cosine(peak_hour):
    """cos of the clock phase, peaking at ``peak_hour`` (hours; 24 h = one period)."""
    return sp.cos(2 * sp.pi * (t - peak_hour / 24) / sym("circadian_period"))


parameters = (
    Parameter("circadian_period", 1.0, "day", (0.98, 1.02),
              "entrained human circadian rhythm: 24 h", "period of the daily rhythms"),
    Parameter("dopamine_peak_hour", 10.0, "h", (6.0, 14.0),
              "Earley et al. 2006 Sleep Med 7:263: CSF dopamine markers higher at 10:00 than "
              "22:00; symptoms least at 09:00-11:00 (Trenkwalder et al. 1999 Mov Disord 14:102)",
              "clock hour of peak dopaminergic drive", domain="nonnegative"),
    Parameter("da_synthesis_amplitude", 0.1, "1", (0.0, 0.5),
              "assumed: Kim and Reed 2021 Theor Biol Med Model 18:8 (circadian TH drive); RLS "
              "shows a larger daily swing (Earley et al. 2006)",
              "relative amplitude of the daily rhythm in dopamine synthesis", domain="fraction"),
    Parameter("firing_amplitude", 0.1, "1", (0.0, 0.5),
              "assumed: day-night difference in dopaminergic firing/release",
              "relative amplitude of the daily rhythm in dopamine release", domain="fraction"),
    Parameter("dat_rhythm_amplitude", 0.05, "1", (0.0, 0.4),
              "Ferris et al. 2014 PNAS: the striatal dopamine rhythm is set by DAT uptake "
              "varying across the day (DAT least active when dopamine peaks)",
              "relative amplitude of the daily rhythm in DAT activity", domain="fraction"),
    Parameter("iron_release_peak_hour", 6.0, "h", (2.0, 10.0),
              "P10: plasma iron is highest in the morning and well below it by 18:00 (Blood "
              "1983;61:799); release peaks before the plasma peak",
              "clock hour of peak macrophage iron release", domain="nonnegative"),
    Parameter("iron_release_amplitude", 0.3, "1", (0.0, 0.5),
              "calibrated: plasma iron swings about +/-20% over the day",
              "relative amplitude of the daily rhythm of macrophage iron release", domain="fraction"),
    Parameter("symptom_gate_peak_hour", 0.5, "h", (-2.0, 3.0),
              "Trenkwalder et al. 1999 Mov Disord 14:102; Hening et al. 1999 Sleep 22:901: "
              "symptoms peak between midnight and 01:00 independent of posture",
              "clock hour at which the sensory (symptom) gate is most open", domain="real"),
    Parameter("symptom_gate_sharpness", 2.0, "1", (1.0, 4.0),
              "calibrated to Michaud et al. 2005 Sleep 28:843 (rest raises discomfort only between "
              "about 21:00 and 08:00) and Trenkwalder et al. 1999 (minimum 09:00-11:00)",
              "exponent of the raised-cosine symptom gate (larger = narrower night window)"),
)

observables = (
    Observable("circadian_da_synthesis", 1 + p["da_synthesis_amplitude"] * _cosine(p["dopamine_peak_hour"]),
               "1", "circadian dopamine synthesis drive", daily_mean=sp.Integer(1)),
    Observable("circadian_firing", 1 + p["firing_amplitude"] * _cosine(p["dopamine_peak_hour"]),
               "1", "circadian dopaminergic firing drive", daily_mean=sp.Integer(1)),
    Observable("circadian_dat", 1 - p["dat_rhythm_amplitude"] * _cosine(p["dopamine_peak_hour"]),
               "1", "circadian DAT activity", daily_mean=sp.Integer(1)),
    Observable("circadian_iron_release", 1 + p["iron_release_amplitude"] * _cosine(p["iron_release_peak_hour"]),
               "1", "circadian macrophage iron release", daily_mean=sp.Integer(1)),
    Observable("circadian_gate",
               ((1 + _cosine(p["symptom_gate_peak_hour"])) / 2) ** p["symptom_gate_sharpness"],
               "1", "circadian symptom gate (1 = fully open)",
               "sensory/motor excitability gate of the urge to move: a raised cosine, open at night, "
               "closed around midday",
               daily_mean=sp.gamma(p["symptom_gate_sharpness"] + sp.Rational(1, 2))
               / (sp.sqrt(sp.pi) * sp.gamma(p["symptom_gate_sharpness"] + 1))),
)

MODULE = Module(
    "circadian",
    "24-hour forcing of dopamine synthesis, firing and DAT, of macrophage iron release "
    "(plasma iron rhythm), and of the symptom gate.",
    parameters=parameters, observables=observables,
    references=("Trenkwalder et al. 1999 Mov Disord 14:102", "Earley et al. 2006 Sleep Med 7:263"),
)
