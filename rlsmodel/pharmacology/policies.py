"""Visit rules: regimens that change at visits, from what the patient reports.

A *visit rule* looks, at each visit, at the patient's history so far and may change the
regimen from that day on. Two rules are data here:

* :class:`DosePolicy` -- doses that follow symptoms (issue 22, item 2): if the weekly IRLS of
  the recall week ending at a visit is above ``threshold_irls``, the dose steps up by
  ``step_mg`` up to ``maximum_mg`` (default the drug's label maximum,
  ``Drug.max_daily_dose_mg``); optionally it steps down below ``step_down_below_irls``.
  This is practice as the long-term cohorts saw it (Silber et al. 2003, Sleep 26:819:
  median pramipexole 0.38 -> 0.63 mg over a mean of 27 months).
* :class:`SwitchPolicy` -- switching away from augmentation (issue 28, item 3): when the
  patient meets the augmentation criteria (clinically relevant, or MPI-positive) at a
  visit, the regimen is replaced by another, optionally after a washout of days without
  drug (the IRLSSG task force, Garcia-Borreguero et al. 2016 Sleep Med 21:1).

:class:`AdaptiveRegimen` is a :class:`~rlsmodel.pharmacology.Regimen` with rules: a base
regimen, the rules, the visit days, and what the rules decided so far (the *realised*
regimen, an ordinary Regimen). :meth:`AdaptiveRegimen.after_visit` takes what a visit
observed (:class:`VisitReadout`) and returns the next AdaptiveRegimen; the run loop
(:mod:`rlsmodel.policy_runs`) integrates between visits and asks an *observer* for the
readout (noise-free for :meth:`rlsmodel.Model.simulate`, the reported series for
:func:`rlsmodel.virtual_trial`). The data here know nothing of the model.

Timing (the same in both): the visit at the end of treated week ``w`` is held at 06:00 on
day ``D = first_day + 7 w`` (the recall week's last symptom day ends then); a change
applies from the first dose after the visit: on day ``D`` for a schedule dosed after 06:00,
on day ``D + 1`` otherwise (:func:`change_day`). Every rule's change therefore lies after
the visit, so a run split at visits equals an unsplit run of the realised regimen.
"""
from __future__ import annotations

import json
import math
import numbers
from dataclasses import dataclass, field, replace

from .drugs import get_drug
from .regimen import PATCH_DRUGS, Regimen

#: Weeks between visits when the rule does not say and no trial sets it (monthly visits).
DEFAULT_VISIT_WEEKS = 4
#: Clock hour (h) of a visit: the end of the recall week's last symptom day (06:00).
VISIT_HOUR = 6.0
#: Values of :attr:`SwitchPolicy.when`: the adjudicated tier that triggers the switch.
SWITCH_WHEN = ("augmented", "mpi_positive")


# ============================================================================================
# validation helpers
# ============================================================================================
def _number(owner: str, name: str, value, *, positive=False, allow_none=False, low=None, high=None):
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(float(value)):
        raise ValueError(f"{owner}: {name} must be a finite number{' or None' if allow_none else ''}; got {value!r}")
    v = float(value)
    if positive and v <= 0:
        raise ValueError(f"{owner}: {name} must be > 0; got {value!r}")
    if low is not None and v < low or high is not None and v > high:
        raise ValueError(f"{owner}: {name} must lie in [{low:g}, {high:g}]; got {value!r}")
    return v


def _whole(owner: str, name: str, value, low: int, allow_none=False):
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(float(value)) \
            or float(value) != int(value) or int(value) < low:
        raise ValueError(f"{owner}: {name} must be a whole number >= {low}{' or None' if allow_none else ''}; "
                         f"got {value!r}")
    return int(value)


# ============================================================================================
# the rules (data)
# ============================================================================================
@dataclass(frozen=True)
class DosePolicy:
    """Doses that follow symptoms: step the daily dose at visits from the weekly IRLS.

    Parameters
    ----------
    threshold_irls
        weekly IRLS (points, 0-40) above which the dose steps up (IRLS > threshold).
    step_mg
        size of a step (mg per day; patch: mg/24 h), > 0.
    maximum_mg
        highest daily dose (mg); None: the drug's label maximum (``max_daily_dose_mg`` of
        :data:`rlsmodel.DRUGS`). Above the label maximum is refused.
    minimum_mg
        lowest daily dose a step down reaches (mg); None: the regimen's starting dose.
    step_down_below_irls
        weekly IRLS (points) below which the dose steps down (IRLS < value); None: never
        down. Must be below ``threshold_irls``.
    every_weeks
        weeks between dose decisions (whole, >= 1; a multiple of the visit spacing); None: at
        every visit (a trial's ``visit_every_weeks``; in a single run the visits of
        :func:`with_policy`, whose default spacing is this field, else
        :data:`DEFAULT_VISIT_WEEKS`).

    The rule at a decision (:meth:`next_dose`): IRLS > threshold -> ``min(dose + step,
    maximum)``; IRLS < step_down_below_irls -> ``max(dose - step, minimum)``; else unchanged.
    """

    threshold_irls: float
    step_mg: float
    maximum_mg: float | None = None
    minimum_mg: float | None = None
    step_down_below_irls: float | None = None
    every_weeks: int | None = None

    def __post_init__(self):
        owner = "DosePolicy"
        set_ = object.__setattr__
        set_(self, "threshold_irls", _number(owner, "threshold_irls", self.threshold_irls, low=0.0, high=40.0))
        set_(self, "step_mg", _number(owner, "step_mg", self.step_mg, positive=True))
        set_(self, "maximum_mg", _number(owner, "maximum_mg", self.maximum_mg, positive=True, allow_none=True))
        set_(self, "minimum_mg", _number(owner, "minimum_mg", self.minimum_mg, positive=True, allow_none=True))
        set_(self, "step_down_below_irls", _number(owner, "step_down_below_irls", self.step_down_below_irls,
                                                   low=0.0, high=40.0, allow_none=True))
        set_(self, "every_weeks", _whole(owner, "every_weeks", self.every_weeks, 1, allow_none=True))
        if self.maximum_mg is not None and self.minimum_mg is not None and self.minimum_mg > self.maximum_mg:
            raise ValueError(f"DosePolicy: minimum_mg ({self.minimum_mg:g}) must not exceed maximum_mg "
                             f"({self.maximum_mg:g})")
        if self.step_down_below_irls is not None and self.step_down_below_irls >= self.threshold_irls:
            raise ValueError(f"DosePolicy: step_down_below_irls ({self.step_down_below_irls:g}) must be below "
                             f"threshold_irls ({self.threshold_irls:g}), else a dose would step up and down at "
                             "once")

    kind = "dose"

    def limits(self, drug: str, start_dose: float) -> tuple:
        """``(minimum, maximum)`` daily dose (mg) for ``drug`` starting at ``start_dose``;
        ValueError if the maximum exceeds the label maximum or the start lies outside."""
        d = get_drug(drug)
        label = float(d.max_daily_dose_mg)
        unit = "mg/24 h" if d.name in PATCH_DRUGS else "mg"
        maximum = label if self.maximum_mg is None else self.maximum_mg
        if maximum > label * (1 + 1e-9):
            raise ValueError(f"DosePolicy: maximum_mg {maximum:g} {unit} exceeds the label maximum of {d.name} "
                             f"({label:g} {unit}, {d.note('max_daily_dose_mg')}); give maximum_mg <= {label:g} "
                             "or None")
        minimum = start_dose if self.minimum_mg is None else self.minimum_mg
        if start_dose > maximum * (1 + 1e-9):
            raise ValueError(f"DosePolicy: the starting dose {start_dose:g} {unit} of {d.name} is above "
                             f"maximum_mg {maximum:g} {unit}")
        return min(minimum, maximum), maximum

    def next_dose(self, dose: float, weekly_irls: float, minimum: float, maximum: float) -> float:
        """The daily dose after a decision at ``dose`` (mg) with the recall week's IRLS."""
        if not math.isfinite(weekly_irls):
            return dose
        if weekly_irls > self.threshold_irls:
            return min(dose + self.step_mg, maximum) if dose < maximum else dose
        if self.step_down_below_irls is not None and weekly_irls < self.step_down_below_irls:
            return max(dose - self.step_mg, minimum) if dose > minimum else dose
        return dose

    def as_dict(self) -> dict:
        return {"policy": "DosePolicy", "threshold_irls": self.threshold_irls, "step_mg": self.step_mg,
                "maximum_mg": self.maximum_mg, "minimum_mg": self.minimum_mg,
                "step_down_below_irls": self.step_down_below_irls, "every_weeks": self.every_weeks}

    def describe(self) -> str:
        """Compact JSON of the rule (recorded in results' attrs)."""
        return json.dumps(self.as_dict(), separators=(",", ":"))


@dataclass(frozen=True)
class SwitchPolicy:
    """Switch the regimen when the patient meets the augmentation criteria at a visit.

    Parameters
    ----------
    to
        the new regimen: a :class:`rlsmodel.Regimen` written from its own day 0 (day 0 =
        the first day of the new drug), or a drug name (its reference regimen,
        :func:`rlsmodel.pharmacology.reference_regimen`).
    when
        ``"augmented"`` (clinically relevant augmentation adjudicated at the visit) or
        ``"mpi_positive"`` (the MPI criteria met for the recall week ending at the visit).
    washout_days
        whole days without any drug between the last dose of the old regimen and the first
        of the new one (>= 0).

    A switch happens once; after it, other rules (a :class:`DosePolicy`) no longer act.
    """

    to: object
    when: str = "augmented"
    washout_days: int = 0

    kind = "switch"

    def __post_init__(self):
        if isinstance(self.to, str):
            from .reference import reference_regimen
            try:
                regimen = reference_regimen(self.to)
            except ValueError as exc:
                raise ValueError(f"SwitchPolicy: to={self.to!r}: {exc}") from None
        elif isinstance(self.to, Regimen):
            if len(self.to) == 0:
                raise ValueError("SwitchPolicy: to is an empty Regimen; give a drug name or a Regimen with doses")
            regimen = self.to
        else:
            raise ValueError(f"SwitchPolicy: to must be a drug name or an rlsmodel.Regimen; got {self.to!r}")
        if self.when not in SWITCH_WHEN:
            raise ValueError(f"SwitchPolicy: when must be one of {', '.join(map(repr, SWITCH_WHEN))}; "
                             f"got {self.when!r}")
        object.__setattr__(self, "to", regimen)
        object.__setattr__(self, "washout_days", _whole("SwitchPolicy", "washout_days", self.washout_days, 0))

    def triggered(self, readout: "VisitReadout") -> bool:
        """Whether the visit's verdict calls for the switch."""
        return bool(readout.augmented if self.when == "augmented" else readout.mpi_positive)

    def as_dict(self) -> dict:
        return {"policy": "SwitchPolicy", "to": json.loads(self.to.describe()), "to_text": repr(self.to),
                "when": self.when, "washout_days": self.washout_days}

    def describe(self) -> str:
        """Compact JSON of the rule (recorded in results' attrs)."""
        return json.dumps(self.as_dict(), separators=(",", ":"))


POLICY_TYPES = (DosePolicy, SwitchPolicy)


def as_policies(policy) -> tuple:
    """One rule or a sequence of rules -> a tuple (at most one DosePolicy and one SwitchPolicy)."""
    items = (policy,) if isinstance(policy, POLICY_TYPES) else policy
    try:
        items = tuple(items)
    except TypeError:
        raise ValueError(f"a policy must be a DosePolicy, a SwitchPolicy or a tuple of them; got {policy!r}") from None
    if not items:
        raise ValueError("no policy given: pass a DosePolicy, a SwitchPolicy or a tuple of them")
    for p in items:
        if not isinstance(p, POLICY_TYPES):
            raise ValueError(f"a policy must be a DosePolicy or a SwitchPolicy; got {p!r}")
    for cls in POLICY_TYPES:
        if sum(isinstance(p, cls) for p in items) > 1:
            raise ValueError(f"at most one {cls.__name__} per regimen; got {len(items)} policies")
    return items


def describe_policies(policies) -> str:
    """JSON list of the rules (``"none"`` for no rule)."""
    if not policies:
        return "none"
    return json.dumps([p.as_dict() for p in policies], separators=(",", ":"))


# ============================================================================================
# what a visit observed
# ============================================================================================
@dataclass(frozen=True)
class VisitReadout:
    """What a visit recorded: the weekly IRLS of the recall week (points) and the verdicts
    adjudicated at the visit (``mpi_positive``; ``augmented``: clinically relevant)."""

    weekly_irls: float
    mpi_positive: bool = False
    augmented: bool = False


# ============================================================================================
# regimen arithmetic
# ============================================================================================
def change_day(visit_day: int, clock_hour: float) -> int:
    """First day whose dose at ``clock_hour`` comes after a visit at 06:00 of ``visit_day``."""
    return visit_day if clock_hour > VISIT_HOUR else visit_day + 1


def daily_dose(regimen, drug: str, day: int) -> float:
    """Total daily dose (mg) of ``drug`` in ``regimen`` on ``day`` (0 if none)."""
    return float(sum(s.dose_mg for s in getattr(regimen, "schedules", ()) if s.drug == drug and s.active_on(day)))


def total_daily_dose(regimen, day: int) -> float:
    """Total daily dose (mg, every drug summed) of ``regimen`` on ``day``."""
    return float(sum(s.dose_mg for s in getattr(regimen, "schedules", ()) if s.active_on(day)))


def _truncate(regimen: Regimen, visit_day: int) -> tuple:
    """Schedules of ``regimen`` cut at their change day after a visit on ``visit_day``."""
    out = []
    for s in regimen.schedules:
        cut = change_day(visit_day, s.clock_hour)
        if s.start_day >= cut:
            continue                                    # not started yet: dropped
        if s.stop_day is not None and s.stop_day <= cut:
            out.append(s)                               # over before the change
        else:
            out.append(replace(s, stop_day=cut))
    return tuple(out)


def rescale(regimen: Regimen, drug: str, visit_day: int, new_total: float) -> Regimen:
    """``regimen`` with ``drug``'s daily total set to ``new_total`` from the first dose after
    the visit on ``visit_day`` (every active schedule of the drug scaled alike; schedules
    that start later or stop keep their own days)."""
    kept, changed = [], []
    old_total = dose_after_visit(regimen, drug, visit_day)
    factor = new_total / old_total if old_total > 0 else 1.0
    for s in regimen.schedules:
        cut = change_day(visit_day, s.clock_hour)
        if s.drug != drug or not s.active_on(cut):
            kept.append(s)
            continue
        if s.start_day < cut:
            kept.append(replace(s, stop_day=cut))
        changed.append(replace(s, start_day=cut, dose_mg=s.dose_mg * factor))
    return Regimen(tuple(kept) + tuple(changed))


def switched(regimen: Regimen, visit_day: int, to: Regimen, washout_days: int) -> Regimen:
    """``regimen`` stopped at its first dose after the visit on ``visit_day``, and ``to`` (its
    day 0 = ``visit_day``) started ``washout_days`` days later: each of ``to``'s schedules
    starts at its own first dose after the visit (:func:`change_day`) plus the washout."""
    old = _truncate(regimen, visit_day)
    w = int(washout_days)
    new = []
    for s in to.schedules:
        start = max(s.start_day + visit_day, change_day(visit_day, s.clock_hour)) + w
        stop = None if s.stop_day is None else s.stop_day + visit_day + w
        if stop is None or stop > start:
            new.append(replace(s, start_day=start, stop_day=stop))
    return Regimen(old + tuple(new))


def dose_after_visit(regimen, drug: str, visit_day: int) -> float:
    """Daily dose (mg) of ``drug`` from the first dose after the visit on ``visit_day``."""
    return float(sum(s.dose_mg for s in getattr(regimen, "schedules", ())
                     if s.drug == drug and s.active_on(change_day(visit_day, s.clock_hour))))


# ============================================================================================
# a regimen with rules
# ============================================================================================
@dataclass(frozen=True)
class PolicyLog:
    """One decision: the visit day, the weekly IRLS it saw, the daily dose (mg, every drug) from
    the first dose after it (0 during a washout), and whether the regimen was switched there."""

    day: int
    weekly_irls: float
    dose_mg: float
    switched: bool = False

    def as_dict(self) -> dict:
        return {"day": self.day, "weekly_irls": self.weekly_irls, "dose_mg": self.dose_mg, "switched": self.switched}


@dataclass(frozen=True)
class AdaptiveRegimen:
    """A regimen whose doses change at visits by rules (module docstring).

    Build it with :meth:`rlsmodel.Regimen.with_policy`. ``base``: the regimen before any
    decision; ``policies``: the rules; ``first_day``: day 0 of the visit calendar (default
    the base regimen's first dose day); ``visit_every_weeks``: visit spacing (a rule's own
    ``every_weeks`` may thin its decisions); ``realised``: the regimen with every decision so
    far; ``log``: the decisions. It behaves as a Regimen (``events``, ``describe``,
    ``schedules``) of its realised doses.
    """

    base: Regimen
    policies: tuple
    first_day: int | None = None
    visit_every_weeks: int = DEFAULT_VISIT_WEEKS
    realised: Regimen | None = None
    log: tuple = ()
    day_switched: float = math.nan
    observer: object = field(default=None, compare=False)

    def __post_init__(self):
        if not isinstance(self.base, Regimen) or len(self.base) == 0:
            raise ValueError("a policy needs a Regimen with doses to adjust or switch from; got "
                             f"{self.base!r}")
        policies = as_policies(self.policies)
        object.__setattr__(self, "policies", policies)
        first = self.base.start_day if self.first_day is None else _whole("with_policy", "first_day",
                                                                           self.first_day, 0)
        object.__setattr__(self, "first_day", first)
        object.__setattr__(self, "visit_every_weeks",
                           _whole("with_policy", "visit_every_weeks", self.visit_every_weeks, 1))
        if self.realised is None:
            object.__setattr__(self, "realised", self.base)
        dose = self.dose_policy
        if dose is not None:
            drugs = self.base.drugs
            if len(drugs) != 1:
                raise ValueError(f"a DosePolicy adjusts one drug; the regimen gives {', '.join(drugs)}: give each "
                                 "drug its own arm, or a SwitchPolicy")
            dose.limits(drugs[0], self.start_dose)      # refuses a maximum above the label
            if dose.every_weeks is not None and dose.every_weeks % self.visit_every_weeks:
                raise ValueError(f"DosePolicy: every_weeks={dose.every_weeks} is not a multiple of the visit "
                                 f"spacing ({self.visit_every_weeks} weeks): a dose can change only at a visit; "
                                 f"give every_weeks a multiple of {self.visit_every_weeks}, or None (every visit)")

    # -- views ---------------------------------------------------------------------------------
    @property
    def dose_policy(self):
        return next((p for p in self.policies if isinstance(p, DosePolicy)), None)

    @property
    def switch_policy(self):
        return next((p for p in self.policies if isinstance(p, SwitchPolicy)), None)

    @property
    def drug(self) -> str:
        """The drug the dose rule adjusts (the base regimen's first drug)."""
        return self.base.drugs[0]

    @property
    def start_dose(self) -> float:
        return daily_dose(self.base, self.base.drugs[0], self.base.start_day)

    @property
    def schedules(self) -> tuple:
        return self.realised.schedules

    @property
    def drugs(self) -> tuple:
        return self.realised.drugs

    @property
    def start_day(self):
        return self.realised.start_day

    def __len__(self):
        return len(self.realised)

    def events(self, model, days, params=None) -> list:
        """Dose events of the realised regimen (:meth:`rlsmodel.Regimen.events`)."""
        return self.realised.events(model, days, params)

    def describe(self) -> str:
        """JSON of the base regimen and the rules (recorded in results' attrs)."""
        return json.dumps({"schedules": json.loads(self.base.describe())["schedules"],
                           "policies": json.loads(describe_policies(self.policies)),
                           "visit_every_weeks": self.visit_every_weeks, "first_day": self.first_day},
                          separators=(",", ":"))

    def __repr__(self):
        return f"AdaptiveRegimen({self.base!r}, policies={[p.as_dict() for p in self.policies]})"

    def with_observer(self, observer) -> "AdaptiveRegimen":
        """This regimen with the observer that reads visits in a run (None: the run's default)."""
        return replace(self, observer=observer)

    # -- the visit calendar ---------------------------------------------------------------------
    def visit_days(self, days: float) -> list:
        """Days ``D`` (model days) of the visits whose 06:00 lies inside a run of ``days``
        days and at which some rule may act (a visit at the very end decides nothing)."""
        out, w = [], self.visit_every_weeks
        while True:
            day = self.first_day + 7 * w
            if day + VISIT_HOUR / 24.0 >= float(days) - 1e-9:
                return out
            out.append(day)
            w += self.visit_every_weeks

    def decides_dose_at(self, day: int) -> bool:
        """Whether the dose rule decides at the visit on ``day`` (its ``every_weeks``)."""
        dose = self.dose_policy
        if dose is None:
            return False
        return ((day - self.first_day) // 7) % (dose.every_weeks or self.visit_every_weeks) == 0

    def acts_at(self, day: int) -> bool:
        """Whether any rule may still change the regimen at the visit on ``day``."""
        if not math.isnan(self.day_switched):
            return False
        return self.switch_policy is not None or self.decides_dose_at(day)

    # -- a decision -------------------------------------------------------------------------------
    def after_visit(self, day: int, readout: VisitReadout) -> "AdaptiveRegimen":
        """The regimen after the visit on ``day`` (06:00) that observed ``readout``."""
        if not self.acts_at(day):
            return self
        switch = self.switch_policy
        if switch is not None and switch.triggered(readout):
            realised = switched(self.realised, day, switch.to, switch.washout_days)
            entry = PolicyLog(int(day), float(readout.weekly_irls), 0.0 if switch.washout_days else
                              total_daily_dose(realised, change_day(day, 12.0)), True)
            return replace(self, realised=realised, log=self.log + (entry,), day_switched=float(day))
        if not self.decides_dose_at(day):
            return self
        current = dose_after_visit(self.realised, self.drug, day)
        if current <= 0:
            return self                                   # the drug has stopped (a withdrawal design)
        minimum, maximum = self.dose_policy.limits(self.drug, self.start_dose)
        new = self.dose_policy.next_dose(current, float(readout.weekly_irls), minimum, maximum)
        realised = self.realised if new == current else rescale(self.realised, self.drug, day, new)
        entry = PolicyLog(int(day), float(readout.weekly_irls), new, False)
        return replace(self, realised=realised, log=self.log + (entry,))

    def record(self) -> dict:
        """What the rules did, for a result's attrs: the realised regimen and the decisions."""
        return {"regimen_realised": self.realised.describe(),
                "policy_decisions": json.dumps([e.as_dict() for e in self.log], separators=(",", ":")),
                "day_switched": "none" if math.isnan(self.day_switched) else self.day_switched}


def with_policy(regimen: Regimen, policy, every_weeks=None, first_day=None) -> AdaptiveRegimen:
    """``regimen`` whose doses change at visits by ``policy`` (``Regimen.with_policy``).

    Parameters
    ----------
    regimen
        the starting regimen (a :class:`rlsmodel.Regimen` with doses).
    policy
        a :class:`DosePolicy`, a :class:`SwitchPolicy`, or a tuple of one of each (doses
        follow symptoms until a switch; after it only the new regimen runs).
    every_weeks
        weeks between visits (whole, >= 1); default the DosePolicy's own ``every_weeks`` if
        it has one, else :data:`DEFAULT_VISIT_WEEKS` (4).
    first_day
        day 0 of the visit calendar (model day); default the regimen's first dose day.
        Visits are at 06:00 of days ``first_day + 7 * every_weeks * k``.

    Returns
    -------
    AdaptiveRegimen
        pass it as ``regimen=`` to :meth:`rlsmodel.Model.simulate`: the run is integrated in
        segments between visits; at each, the noise-free weekly IRLS (and, for a switch, the
        MPI verdicts against the untreated days before ``first_day``) decide. The result's
        attrs record the rules (``regimen``), the doses given (``regimen_realised``), the
        decisions (``policy_decisions``: visit day, weekly IRLS, dose from then) and
        ``day_switched``.

    >>> from rlsmodel import Regimen, DosePolicy
    >>> r = Regimen.daily("pramipexole", 0.25, 21.0).with_policy(DosePolicy(15, 0.125))
    >>> r.visit_days(60)
    [28, 56]
    """
    if not isinstance(regimen, Regimen):
        raise ValueError(f"with_policy needs an rlsmodel.Regimen; got {regimen!r}")
    rules = as_policies(policy)
    if every_weeks is None:
        dose = next((p for p in rules if isinstance(p, DosePolicy)), None)
        every_weeks = dose.every_weeks if dose is not None and dose.every_weeks else DEFAULT_VISIT_WEEKS
    return AdaptiveRegimen(regimen, rules, first_day, every_weeks)


class DosePolicySweep:
    """A regimen factory for :func:`rlsmodel.sweep` whose points vary a DosePolicy's fields.

    ``regimen``: the starting regimen; ``defaults``: the DosePolicy fields that are not swept
    (e.g. ``step_mg=0.125``); ``every_weeks``: visit spacing of :meth:`Regimen.with_policy`.
    Each point's fields named in :data:`DOSE_POLICY_FIELDS` (``threshold_irls``,
    ``step_mg``, ...) override the defaults:

    >>> from rlsmodel import Regimen
    >>> f = DosePolicySweep(Regimen.daily("pramipexole", 0.25, 21.0, start_day=28), step_mg=0.125)
    >>> f({"threshold_irls": 10}).dose_policy.threshold_irls
    10.0

    ``rlsmodel.sweep({"threshold_irls": [10, 15, 20]}, days=..., regimen=f, outcomes=...)``
    then records the swept fields as the sweep's coordinates and names the factory (the
    regimen and the fixed fields) in its provenance.
    """

    def __init__(self, regimen: Regimen, every_weeks=None, **defaults):
        unknown = set(defaults) - set(DOSE_POLICY_FIELDS)
        if unknown:
            raise ValueError(f"DosePolicySweep: unknown DosePolicy field(s) {sorted(unknown)}; the fields are "
                             f"{', '.join(DOSE_POLICY_FIELDS)}")
        self.regimen, self.every_weeks, self.defaults = regimen, every_weeks, dict(defaults)
        self.fields = DOSE_POLICY_FIELDS

    def name(self) -> str:
        return (f"DosePolicySweep({self.regimen.describe()}, every_weeks={self.every_weeks}, "
                f"defaults={json.dumps(self.defaults, sort_keys=True)})")

    def __call__(self, point) -> AdaptiveRegimen:
        values = dict(self.defaults)
        for f in DOSE_POLICY_FIELDS:
            if f in point:
                v = point[f]
                values[f] = int(round(v)) if f == "every_weeks" else float(v)
        missing = [f for f in ("threshold_irls", "step_mg") if f not in values]
        if missing:
            raise ValueError(f"DosePolicySweep: give {', '.join(missing)} as a swept field or a default")
        return with_policy(self.regimen, DosePolicy(**values), self.every_weeks)


#: The DosePolicy fields (the names :class:`DosePolicySweep` lets a sweep vary).
DOSE_POLICY_FIELDS = ("threshold_irls", "step_mg", "maximum_mg", "minimum_mg", "step_down_below_irls", "every_weeks")


__all__ = ["DosePolicy", "SwitchPolicy", "AdaptiveRegimen", "DosePolicySweep", "DOSE_POLICY_FIELDS", "VisitReadout", "PolicyLog", "with_policy",
           "as_policies", "describe_policies", "change_day", "daily_dose", "dose_after_visit", "total_daily_dose", "rescale",
           "switched",
           "DEFAULT_VISIT_WEEKS", "VISIT_HOUR", "SWITCH_WHEN"]
