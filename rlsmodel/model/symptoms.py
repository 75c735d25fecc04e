"""The urge to move: a dopaminergic signalling deficit (relative to its set point) plus
glutamatergic/adenosine hyperexcitability, opened by the circadian gate.

``urge_at_rest = symptom_max / (1 + exp(-(drive + gate_gain * (gate - 1))))`` (0-10) is the urge a patient at rest would feel at that moment. The
rest/activity schedule (moving relieves the urge while it lasts; asleep 23:00-07:00 by
default) acts on it in :mod:`rlsmodel.model.rest_activity`, which declares ``symptom``.

``excitability`` is declared by :mod:`rlsmodel.model.adenosine_glutamate` (A1 receptors and
glutamate release); mu-opioid agonists (``mu_opioid_load``) relieve the urge downstream of
dopamine, without acting on any receptor the augmentation mechanisms read.

The dopaminergic signal itself is declared by the chosen augmentation-mechanism module
(``dopaminergic_signal``), so each hypothesis reads out through the same symptom equation.
"""
import sympy as sp

from .declaration import Module, Observable, Parameter, sym

p = {n: sym(n) for n in (
    "symptom_max", "symptom_signal_threshold", "symptom_signal_width", "excitability_weight",
    "circadian_gate_gain", "opioid_urge_emax")}

parameters = (
    Parameter("symptom_max", 10.0, "1", (5.0, 10.0),
              "scale: the urge is rated 0-10", "maximal urge to move"),
    Parameter("symptom_signal_threshold", 0.531, "1", (0.2, 0.95),
              "calibrated (issue 13, experiments/calibration/iron_symptoms.toml) with the width, the "
              "excitability weight and the gate gain: untreated rls_genetic IRLS about 20 and "
              "rls_iron_deficient about 25 (trial entry 20-28), onset about 21:00, healthy peak urge "
              "about 1/10, and IV iron improving IRLS by the published amount (about -6 points)",
              "dopaminergic signal (relative to healthy mean) at which the urge is half-maximal"),
    Parameter("symptom_signal_width", 0.139, "1", (0.02, 0.3),
              "calibrated (issue 13): the urge goes from mild to severe over a 15-25% change in "
              "signalling; see symptom_signal_threshold",
              "width of the signal-to-urge transition"),
    Parameter("excitability_weight", 5.83, "1", (0.0, 8.0),
              "calibrated (issue 13): excitability adds to the dopaminergic deficit on the logit "
              "scale; weighted so that iron therapy acts through the urge by the published amount "
              "(docs/calibration.md, known gaps)",
              "weight of log-excitability in the urge", domain="nonnegative"),
    Parameter("circadian_gate_gain", 5.98, "1", (2.0, 20.0),
              "calibrated: with the gate on the logit scale, untreated RLS urge starts in the "
              "evening and is least at 09:00-13:00 (Trenkwalder et al. 1999 Mov Disord 14:102; "
              "Michaud et al. 2005 Sleep 28:843); a growing signalling deficit then moves onset "
              "earlier, as augmentation does",
              "logit penalty on the urge when the circadian gate is closed (gate 0 versus 1)"),
    Parameter("opioid_urge_emax", 2.2, "1", (0.0, 6.0),
              "calibrated (issue 28; re-fitted in decision 57 on the trial population of that decision): "
              "mu-opioid agonists relieve the urge downstream of dopamine (opioid receptors in the spinal cord "
              "and thalamus; Walters et al. 2001 Mov Disord 16:1105; Trenkwalder et al. 2013 Lancet Neurol "
              "12:1141); fitted so that prolonged-release oxycodone-naloxone 20 mg gives the published "
              "placebo-corrected IRLS change at 12 weeks in severe patients (-7.0, 95% CI -9.69 to -4.31; "
              "virtual trial n = 300, seed 2014, baseline IRLS >= 21: -7.0 at 2.2, -6.1 at 2.0, -8.6 at 2.6; "
              "2.6 gave -6.9 on the issue-28 population at n = 60)",
              "maximal reduction of the urge drive (logit) by mu-opioid agonists", domain="nonnegative"),
)

_mu = sym("mu_opioid_load")
_drive = ((p["symptom_signal_threshold"] - sym("dopaminergic_signal")) / p["symptom_signal_width"]
          + p["excitability_weight"] * sp.log(sym("excitability"))
          - p["opioid_urge_emax"] * _mu / (1 + _mu))

observables = (
    Observable("mu_opioid_load", sp.Integer(0), "1", "mu-opioid agonist load",
               "sum over drugs of intrinsic activity x free brain concentration / Ki at the mu-opioid receptor"),
    Observable("urge_drive", _drive, "1", "urge drive (logit)",
               "dopaminergic deficit plus log-excitability, less mu-opioid relief, on the logit scale"),
    Observable("urge_at_rest",
               p["symptom_max"] / (1 + sp.exp(-(sym("urge_drive") + p["circadian_gate_gain"] * (sym("circadian_gate") - 1)))),
               "1", "urge to move at rest (0-10)",
               "urge a resting patient would feel: logistic in the drive plus the circadian gate "
               "(on the logit scale, so a larger deficit opens the urge earlier in the day)"),
)

MODULE = Module(
    "symptoms",
    "Urge to move from the dopaminergic signalling deficit and hyperexcitability, gated by the "
    "circadian rhythm; rest and movement act on it through the activity schedule.",
    parameters=parameters, observables=observables,
    references=("Allen et al. 2014 Sleep Med 15:860 (IRLSSG criteria)", "Michaud et al. 2005 Sleep 28:843"),
)
