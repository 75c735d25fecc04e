"""Rest and movement: the urge actually felt under the day's rest/activity schedule.

Moving relieves the urge for as long as the movement lasts; at rest the urge builds up
again with a latency of minutes (IRLSSG criteria 2 and 3). The schedule itself is a
*forcing*: :class:`rlsmodel.activity.Activity` supplies, at every sample of a run,

* ``moving`` -- 1 while the schedule has the patient in an active segment, 0 at rest
  (sedentary or asleep);
* ``time_at_rest`` (h) -- time since the last switch from activity to rest (sitting in the
  evening then lying down at night is one continuous rest period; 0 while moving; infinite
  for a schedule without any activity).

From them::

    activity_factor = 1 - movement_relief                           while moving
                      1 - exp(-time_at_rest / rest_latency_h)       at rest
    symptom         = urge_at_rest * activity_factor

No state depends on the schedule, so the integrator never meets its switches and a
trajectory can be re-read under another schedule (docs/decisions.md, entries 5 and 19).
"""
import sympy as sp

from .declaration import Forcing, Module, Observable, Parameter, sym

moving, time_at_rest = sym("moving"), sym("time_at_rest")
movement_relief, rest_latency_h = sym("movement_relief"), sym("rest_latency_h")

parameters = (
    Parameter("movement_relief", 0.9, "1", (0.5, 1.0),
              "Allen et al. 2014 Sleep Med 15:860 (IRLSSG diagnostic criteria: movement relieves the "
              "urge partly or totally for at least as long as it lasts); 90% is assumed",
              "fraction of the urge relieved while the patient moves", domain="fraction"),
    Parameter("rest_latency_h", 0.33, "h", (0.1, 1.0),
              "Michaud et al. 2002 Eur Neurol 48:108 (suggested immobilisation test: at rest, "
              "sensory symptoms appear within minutes, typically 10-30 min)",
              "time constant of the build-up of the urge after the patient comes to rest"),
)

forcings = (
    Forcing("moving", "1", "1 while the rest/activity schedule has the patient in an active segment, "
            "0 at rest (sedentary or asleep)", long_name="moving (schedule)"),
    Forcing("time_at_rest", "h", "time since the last switch from activity to rest (0 while moving; "
            "infinite for a schedule without activity)", long_name="time at rest (schedule)"),
)

#: The rest/activity factor on the urge, as declared (also evaluated by
#: :meth:`rlsmodel.activity.Activity.factor`).
ACTIVITY_FACTOR = sp.Piecewise((1 - movement_relief, moving > 0),
                               (1 - sp.exp(-time_at_rest / rest_latency_h), True))

observables = (
    Observable("activity_factor", ACTIVITY_FACTOR, "1", "rest/activity factor on the urge",
               "1 - relief while moving; build-up at rest"),
    Observable("symptom", sym("urge_at_rest") * sym("activity_factor"), "1", "urge to move (0-10)",
               "urge at rest times the activity factor"),
)

MODULE = Module(
    "rest_activity",
    "The urge actually felt: relieved while moving, building up at rest, under the run's "
    "rest/activity schedule (a forcing supplied by rlsmodel.activity.Activity).",
    parameters=parameters, observables=observables, forcings=forcings,
    references=("Allen et al. 2014 Sleep Med 15:860 (IRLSSG criteria)", "Michaud et al. 2002 Eur Neurol 48:108"),
)
