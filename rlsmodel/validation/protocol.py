"""The simulation protocol of the scorecard: which patients, drugs, doses and horizons.

* Treatment targets use one *median patient*, profile :data:`TREATMENT_PROFILE`, with
  :data:`BASELINE_DAYS` untreated days, then each drug daily at a typical RLS dose
  (:data:`DOSES`).
* Iron-therapy targets use :data:`IRON_PROFILE`, with an infusion or the first oral dose on
  day :data:`IRON_START_DAY` (:data:`IRON_REGIMENS`).
* Quick mode keeps every target but shortens horizons (:data:`HORIZONS`).
"""
from __future__ import annotations

#: Profile of the median patient used by the treatment and augmentation targets: idiopathic
#: RLS with normal serum ferritin, like most trial patients.
TREATMENT_PROFILE = "rls_genetic"
#: Profile of the iron-therapy targets: RLS with systemic iron deficiency (ferritin < 75 ug/L,
#: the population that gets oral iron; IV iron is indicated up to 300 ug/L).
IRON_PROFILE = "rls_iron_deficient"
#: The two untreated RLS profiles most symptom and physiology targets compare with healthy.
RLS_PROFILES = ("rls_genetic", "rls_iron_deficient")
#: Untreated days before the first dose (the augmentation baseline).
BASELINE_DAYS = 28

#: Typical RLS regimens: drug -> (dose mg (patch: mg/24 h), clock hour); science.md section 3
#: (the same doses as experiments/augmentation.py).
DOSES = {
    "levodopa": (100.0, 20.0),              # 100-200 mg in the evening (with carbidopa)
    "pramipexole": (0.25, 20.0),            # 0.125-0.75 mg, 2-3 h before symptoms
    "ropinirole": (1.0, 20.0),              # 0.25-4 mg, 1-3 h before bed
    "rotigotine": (2.0, 8.0),               # 1-3 mg/24 h patch, changed each morning
    "pregabalin": (300.0, 20.0),            # 150-450 mg/day (Allen et al. 2014 NEJM: 300 mg)
    "gabapentin_enacarbil": (600.0, 17.0),  # 600 mg at about 17:00
}
DOPAMINERGIC = ("levodopa", "pramipexole", "ropinirole", "rotigotine")
ALPHA2DELTA = ("pregabalin", "gabapentin_enacarbil")

#: Iron products: arm -> (drug, dose mg iron, clock hour, daily?) -- science.md section 3.
IRON_REGIMENS = {
    "iv": ("ferric_carboxymaltose", 1000.0, 10.0, False),     # 1000 mg once
    "oral": ("ferrous_sulfate", 65.0, 8.0, True),              # 65 mg elemental iron daily
}
#: Day of the infusion / first oral dose in the iron runs.
IRON_START_DAY = 28

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
