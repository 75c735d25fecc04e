"""The maps from the felt urge to clinical scores: PLMS index and IRLS-like items.

These parameters change no state and no observable: :func:`rlsmodel.outcomes.daily` reads
them from each run's resolved parameters (``ds.attrs["parameters"]``), so they are swept,
fitted and exported like any other parameter. The maps themselves are documented in
:func:`rlsmodel.outcomes.daily` and :func:`rlsmodel.outcomes.plms_rate`:

* PLMS per hour of sleep at urge ``u`` (0-10):
  ``plms_base_rate + plms_rate_range * (u / 10) ** plms_urge_exponent``;
* IRLS items 1-2 rise linearly from 0 at ``irls_urge_none`` to 4 at
  ``irls_urge_very_severe``; item 3 is 1 at ``irls_full_relief`` and 4 with no relief;
  item 6 reaches 4 at ``irls_burden_very_severe`` urge-hours a day, item 9 at
  ``irls_waking_burden_very_severe`` urge-hours awake.

The hour categories of IRLS item 8 (< 1 h, 1-3 h, 3-8 h, >= 8 h) are those of the scale
itself and stay constants of :mod:`rlsmodel.outcomes`.
"""
from .declaration import Module, Parameter

_MONTPLAISIR = "Montplaisir et al. 1997 Mov Disord 12:61"
_IRLS = "Walters et al. 2003 Sleep Med 4:121 (IRLS: ten items scored 0-4)"
_IRLS_CALIBRATION = ("; calibrated so that the untreated median patient scores in the low-to-mid 20s, "
                     "as at trial entry (IRLS 22-28), and the healthy profile about 1")

parameters = (
    Parameter("plms_base_rate", 2.0, "1/h", (0.5, 5.0),
              f"{_MONTPLAISIR} (healthy adults: PLMS index mostly below 5/h)",
              "periodic limb movements per hour of sleep with no urge"),
    Parameter("plms_rate_range", 58.0, "1/h", (20.0, 100.0),
              f"calibrated on {_MONTPLAISIR}: most RLS patients above 5/h (80%), moderate RLS typically "
              "15-40/h; PLMS follow the circadian rhythm of the sensory symptoms (Hening et al. 1999 "
              "Sleep 22:901)", "additional periodic limb movements per hour of sleep at the maximal urge (10/10)"),
    Parameter("plms_urge_exponent", 1.5, "1", (1.0, 3.0),
              "assumed: PLMS rise steeply with severity (about 12/h at urge 4, 25/h at 6, 60/h at 10)",
              "exponent of the urge (relative to 10) in the PLMS map"),
    Parameter("irls_urge_none", 1.0, "1", (0.0, 3.0), _IRLS + _IRLS_CALIBRATION,
              "urge (0-10) scored 0 ('none') on IRLS items 1 (discomfort) and 2 (need to move)",
              domain="nonnegative"),
    Parameter("irls_urge_very_severe", 9.0, "1", (7.0, 10.0), _IRLS + _IRLS_CALIBRATION,
              "urge (0-10) scored 4 ('very severe') on IRLS items 1 and 2"),
    Parameter("irls_burden_very_severe", 120.0, "h", (60.0, 240.0), _IRLS + _IRLS_CALIBRATION,
              "urge-hours a day (urge 0-10 times hours) scored 4 on IRLS item 6 (RLS as a whole), "
              "e.g. 8/10 for 15 h"),
    Parameter("irls_waking_burden_very_severe", 50.0, "h", (20.0, 120.0), _IRLS + _IRLS_CALIBRATION,
              "urge-hours while awake scored 4 on IRLS item 9 (impact on daily affairs)"),
    Parameter("irls_full_relief", 0.9, "1", (0.5, 1.0), _IRLS + "; 0.9 is the default movement_relief",
              "movement relief scored 1 ('complete or almost complete') on IRLS item 3; no relief scores 4",
              domain="fraction"),
)

MODULE = Module(
    "clinical_scores",
    "Maps from the felt urge to the clinical scores of rlsmodel.outcomes: PLMS index and IRLS-like "
    "items (parameters only; the scores are computed per symptom day after the run).",
    parameters=parameters,
    references=(_IRLS, _MONTPLAISIR),
)
