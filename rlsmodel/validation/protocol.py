"""The simulation protocol of the scorecard: which patients, drugs, doses and horizons.

* Treatment targets use one *median patient*, profile :data:`TREATMENT_PROFILE`, with
  :data:`BASELINE_DAYS` untreated days, then each drug daily at a typical RLS dose
  (:data:`DOSES`: the drug table's reference doses).
* Iron-therapy targets use :data:`IRON_PROFILE`, with an infusion or the first oral dose on
  day :data:`IRON_START_DAY` (:data:`IRON_REGIMENS`).
* Quick mode keeps every target but shortens horizons (:data:`HORIZONS`).
"""
from __future__ import annotations

from .. import clinical
from ..pharmacology import DRUGS, arm_name, is_single_dose, reference_dose, reference_doses, reference_regimen

#: Profile of the median patient used by the treatment and augmentation targets: idiopathic
#: RLS with normal serum ferritin, like most trial patients.
TREATMENT_PROFILE = "rls_genetic"
#: Profile of the iron-therapy targets: RLS with systemic iron deficiency (ferritin < 75 ug/L,
#: the population that gets oral iron; IV iron is indicated up to 300 ug/L).
IRON_PROFILE = "rls_iron_deficient"
#: The two untreated RLS profiles most symptom and physiology targets compare with healthy.
RLS_PROFILES = ("rls_genetic", "rls_iron_deficient")
#: Untreated days before the first dose (the augmentation baseline;
#: :data:`rlsmodel.clinical.protocol.BASELINE_DAYS`).
BASELINE_DAYS = clinical.BASELINE_DAYS

DOPAMINERGIC = ("levodopa", "pramipexole", "ropinirole", "rotigotine")
ALPHA2DELTA = ("pregabalin", "gabapentin_enacarbil")

#: Typical RLS regimens: drug -> (dose mg (patch: mg/24 h), clock hour), derived from the drug
#: table's reference doses (``Drug.reference_dose_mg``, ``Drug.dose_clock_h``;
#: :func:`rlsmodel.pharmacology.reference_regimen`), the same the experiments and tests use.
#: Kept as a dict for importers; change a dose in the drug table, not here.
DOSES = reference_doses(DOPAMINERGIC + ALPHA2DELTA)
#: A-levodopa-dose compares the reference levodopa dose with the low end of the table's
#: typical range (``typical_dose_mg[0]``: 100 mg against the 200 mg reference).
LEVODOPA_LOW_DOSE = float(DRUGS["levodopa"].typical_dose_mg[0])

#: Iron products: arm -> (drug, dose mg iron, clock hour, daily?), from the drug table's
#: reference doses: 1000 mg ferric carboxymaltose once at 10:00, 65 mg elemental iron as
#: ferrous sulfate every morning (science.md section 3).
IRON_REGIMENS = {arm: (drug, *reference_dose(drug), not is_single_dose(drug))
                 for arm, drug in (("iv", "ferric_carboxymaltose"), ("oral", "ferrous_sulfate"))}
#: Day of the infusion / first oral dose in the iron runs.
IRON_START_DAY = 28
#: Follow-up (weeks) of the IV-iron time-course targets (T-iron-IV-course, -lasting,
#: -brain-course): the 52 weeks of the iron-therapy figure, whatever the mode (two runs).
IRON_COURSE_WEEKS = 52
#: The IV-iron virtual trial (T-iron-IV-trial-*): Trenkwalder et al. 2017's read-outs (weeks 4
#: and 12) in the iron-deficient profile, IV arm against placebo.
IRON_TRIAL_WEEKS = (4, 12)
#: Name of the IV arm of the IV-iron virtual trial.
IRON_TRIAL_ARM = "ferric carboxymaltose 1000 mg"

#: Horizons and sampling by mode (key: quick?).
#: ``treatment_days``: the long run per drug; ``stop_after_days`` / ``off_days``: the rebound run
#: (long treatment, then weeks off); the stop runs of ``A-stop-*`` always treat for
#: :data:`SHORT_STOP_DAYS` (the acute phase) and follow for 14 days.
HORIZONS = {
    False: {"treatment_days": 730, "stop_after_days": 182, "off_days": 56, "iron_days": 182,
            "sample_every_hours": 0.5},
    True: {"treatment_days": 365, "stop_after_days": 84, "off_days": 56, "iron_days": 84,
           "sample_every_hours": 1.0},
}
#: Days of treatment before stopping in the ``A-stop-*`` targets (acute phase, before augmentation).
SHORT_STOP_DAYS = 28

#: Profiles of the rodent iron-status targets (P8, P9-b, P12): severe dietary iron deficiency
#: with brain iron about 35% low, and iron overload with transferrin saturation > 55%.
SEVERE_PROFILE = "severe_iron_deficiency"
OVERLOAD_PROFILE = "iron_overload"

# -- the population targets' virtual trial ---------------------------------------------------------
#: Default seed of the population trial (``rlsmodel validate --population N --seed S``); the
#: same seed gives the same patients, fluctuations and verdicts on any machine.
POPULATION_SEED = 2014
#: Treated weeks of the population trial (the 52 weeks of Allen et al. 2014; the 26-week
#: targets read the visits up to week 26 of the same trial). Quick mode does not shorten it.
POPULATION_WEEKS = 52
#: Inclusion criterion of the population trial: baseline weekly IRLS >= 15 (moderate to severe
#: RLS, as RLS drug trials enrol); patients below it are simulated but not scored.
POPULATION_MIN_BASELINE_IRLS = 15.0
#: Median patient of the virtual population.
POPULATION_PROFILE = TREATMENT_PROFILE
#: Allen et al. 2014's higher pramipexole arm: 0.5 mg, twice the drug table's 0.25 mg reference.
ALLEN_2014_PRAMIPEXOLE_MG = 0.5
#: Arms of the population trial besides placebo: role -> (drug, dose mg or None = the drug
#: table's reference dose), each daily at the reference clock hour from randomisation.
POPULATION_ARMS = {
    "pramipexole_high": ("pramipexole", ALLEN_2014_PRAMIPEXOLE_MG),   # Allen et al. 2014, 0.5 mg arm
    "pramipexole": ("pramipexole", None),
    "ropinirole": ("ropinirole", None),
    "rotigotine": ("rotigotine", None),
    "levodopa": ("levodopa", None),
    "pregabalin": ("pregabalin", None),
    "oxycodone_naloxone": ("oxycodone_naloxone", None),       # Trenkwalder et al. 2013 (issue 28)
    "methadone": ("methadone", None),                         # Silver et al. 2011: no augmentation
    "dipyridamole": ("dipyridamole", None),                   # Garcia-Borreguero et al. 2021
}
#: Trenkwalder et al. 2013 randomised patients with IRLS >= 21 after a 7-day washout (severe RLS
#: after failed, mostly dopaminergic, treatment): the A-oxycodone-naloxone row scores that subgroup.
SEVERE_BASELINE_IRLS = 21.0
#: Days of dipyridamole in the median-patient PLMS run (the 2-week periods of Garcia-Borreguero
#: et al. 2021's cross-over).
DIPYRIDAMOLE_DAYS = 14
#: The placebo arm's name in the trial (``rlsmodel.trial.PLACEBO``).
PLACEBO_ARM = "placebo"

# -- switching after augmentation (issue 28, rows A-switch-*) ---------------------------------------
#: Source drug of the switching rows: levodopa at its reference dose, the drug the default model
#: augments on within months (pramipexole augments rarely within a year in the default model).
SWITCH_SOURCE = "levodopa"
#: Treated week of the switch: patients MPI-positive at a visit up to this week of the population
#: trial's levodopa arm are switched after it (the population trial's length when that is shorter).
SWITCH_WEEK = 26
#: Weeks followed after the switch (Trenkwalder et al. 2013's 12-week end point; the week-5 read-out
#: of the rotigotine cross-titration study).
SWITCH_FOLLOW_WEEKS = 12
#: Days without drug between the old drug and the new one. 0: an overnight switch (the rotigotine
#: cross-titration); the oxycodone-naloxone row compares with the stop arm at the same week, so
#: Trenkwalder et al. 2013's 7-day washout before randomisation changes both arms alike.
SWITCH_WASHOUT_DAYS = 0
#: Drugs the switching rows switch to (reference dose and hour of each).
SWITCH_TARGETS = ("oxycodone_naloxone", "rotigotine")


def population_arm(role: str) -> str:
    """The trial arm name of ``role`` in :data:`POPULATION_ARMS` (e.g. ``"pramipexole 0.5 mg"``),
    or ``"placebo"``."""
    if role == PLACEBO_ARM:
        return PLACEBO_ARM
    drug, dose = POPULATION_ARMS[role]
    return arm_name(drug, dose)


def population_regimens() -> dict:
    """``{arm name: Regimen}`` of the population trial's drug arms, in trial time (day 0 =
    randomisation); the placebo arm is added by :func:`rlsmodel.virtual_trial`."""
    return {population_arm(role): reference_regimen(drug, dose=dose) for role, (drug, dose) in POPULATION_ARMS.items()}


# -- the long-term targets' virtual trial (issue 22) -----------------------------------------------
#: Treated weeks of the long-term trial: 5 years (Silver et al. 2011 counted new cases for up to
#: 10 years; the issue asks for years 2-5).
LONG_TERM_WEEKS = 260
#: Arms of the long-term trial besides placebo: role -> (drug, dose mg or None = reference dose).
#: The same roles as :data:`POPULATION_ARMS`, so :func:`population_arm` names them.
LONG_TERM_ROLES = ("pramipexole", "ropinirole", "rotigotine", "levodopa", "pregabalin")


def long_term_regimens() -> dict:
    """``{arm name: Regimen}`` of the long-term trial's drug arms (fixed reference doses, daily from
    randomisation, trial time); the placebo arm is added by :func:`rlsmodel.virtual_trial`."""
    return {population_arm(role): reference_regimen(*POPULATION_ARMS[role][:1], dose=POPULATION_ARMS[role][1])
            for role in LONG_TERM_ROLES}
