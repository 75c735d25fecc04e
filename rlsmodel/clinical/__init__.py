"""Patient-time rules: how a simulated patient's days become what a clinic or a trial records.

Every rule that turns simulated time into clinical time lives here once, and
:mod:`rlsmodel.outcomes`, :mod:`rlsmodel.trial`, :mod:`rlsmodel.validation`,
:mod:`rlsmodel.calibration.predictions`, :mod:`rlsmodel.figures` and :mod:`rlsmodel.explore`
import it:

* :mod:`~rlsmodel.clinical.day`: the symptom day (06:00 to 06:00) and its sampling grid;
* :mod:`~rlsmodel.clinical.readouts`: the daily readouts' names and units, the symptom threshold;
* :mod:`~rlsmodel.clinical.baseline`: the untreated baseline, and how a day without symptoms
  compares (missing onset = 30 h, latency capped);
* :mod:`~rlsmodel.clinical.severity`: the ASRS-like severity against the baseline;
* :mod:`~rlsmodel.clinical.mpi`: the MPI criteria week by week;
* :mod:`~rlsmodel.clinical.persistence`: the clinically relevant (persistent) tier;
* :mod:`~rlsmodel.clinical.visits`: adjudication at trial visits;
* :mod:`~rlsmodel.clinical.practice`: the third tier, augmentation diagnosed in practice
  (needing a change of treatment);
* :mod:`~rlsmodel.clinical.protocol`: baseline length, first treated day, baseline week,
  dose hours from the drug table.
"""
from __future__ import annotations

from .severity import asrs
from .baseline import (LATENCY_CAP_H, NO_ONSET_HOUR, Baseline, baseline_of, baseline_onset_hour, compared_latency,
                       compared_onset)
from .day import (DAY_END_HOUR, DAY_START, DAY_START_HOUR, SymptomDayGrid, complete_days, day_start, in_day_hour,
                  select_day, symptom_day_of)
from .mpi import (INTENSITY_GREATER_MIN, LATENCY_SHORTER_MIN_H, ONSET_ADVANCE_FULL_H, ONSET_ADVANCE_PARTIAL_H,
                  WEEK_DAYS, WORSE_DAYS_MIN, WORSE_IRLS_MARGIN, mpi_by_day)
from .persistence import PERSISTENT_DAYS, PERSISTENT_MIN_TO_END_DAYS, persistent, persistent_before, run_to_end
from .protocol import (BASELINE_DAYS, baseline_week, dose_hour, first_treated_day, treated_week,
                       treatment_start)
from .readouts import DEFAULT_THRESHOLD, READOUT_UNITS, READOUTS, check_threshold, readout_attrs
from .visits import RECALL_DAYS, VisitVerdict, adjudicate, visit_verdict, visit_weeks
from .practice import TIERS, at_maximum_by_visit, first_practice_day, needs_change

__all__ = [
    "DAY_START_HOUR", "DAY_START", "DAY_END_HOUR", "day_start", "in_day_hour", "symptom_day_of", "complete_days",
    "select_day", "SymptomDayGrid",
    "DEFAULT_THRESHOLD", "READOUTS", "READOUT_UNITS", "readout_attrs", "check_threshold",
    "NO_ONSET_HOUR", "LATENCY_CAP_H", "compared_onset", "compared_latency", "Baseline", "baseline_of",
    "baseline_onset_hour", "asrs",
    "WEEK_DAYS", "WORSE_DAYS_MIN", "WORSE_IRLS_MARGIN", "ONSET_ADVANCE_FULL_H", "ONSET_ADVANCE_PARTIAL_H",
    "LATENCY_SHORTER_MIN_H", "INTENSITY_GREATER_MIN", "mpi_by_day",
    "PERSISTENT_DAYS", "PERSISTENT_MIN_TO_END_DAYS", "persistent", "persistent_before", "run_to_end",
    "RECALL_DAYS", "visit_weeks", "VisitVerdict", "visit_verdict", "adjudicate",
    "TIERS", "at_maximum_by_visit", "needs_change", "first_practice_day",
    "BASELINE_DAYS", "dose_hour", "first_treated_day", "treatment_start", "baseline_week", "treated_week",
]
