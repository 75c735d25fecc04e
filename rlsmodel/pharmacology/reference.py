"""The reference ("typical") dose of every drug, from the drug table, as numbers, text and regimens.

Every caller that means "a typical dose" -- the validation scorecard, its population
trial, the experiments and the tests -- asks here, so their doses come from one place
(``Drug.reference_dose_mg`` at ``Drug.dose_clock_h``, :mod:`rlsmodel.pharmacology.drugs`)
and cannot drift apart.

>>> from rlsmodel.pharmacology import reference_dose, reference_regimen, dose_text
>>> reference_dose("levodopa")
(200.0, 21.0)
>>> dose_text("rotigotine")
'2 mg/24 h'
>>> s = reference_regimen("pramipexole", start_day=28).schedules[0]
>>> s.dose_mg, s.clock_hour, s.start_day, s.stop_day
(0.25, 21.0, 28, None)

A dose other than the reference (the 0.5 mg arm of Allen et al. 2014, the 100 mg arm of a
dose-response comparison) is passed explicitly as ``dose=``; the clock hour stays the
reference one unless ``clock_hour=`` is given too.
"""
from __future__ import annotations

import numbers

from .. import checks
from .drugs import DRUGS, get_drug
from .regimen import PATCH_DRUGS, Regimen


def reference_dose(drug) -> tuple:
    """``(dose_mg, clock_hour)`` of ``drug``'s reference dose (patch: mg/24 h).

    ``ValueError`` for an unknown drug (naming the valid ones).
    """
    d = get_drug(drug)
    return float(d.reference_dose_mg), float(d.dose_clock_h)


def reference_doses(drugs=None) -> dict:
    """``{drug: (dose_mg, clock_hour)}`` for ``drugs`` (default: every drug of the table)."""
    return {get_drug(n).name: reference_dose(n) for n in (DRUGS if drugs is None else drugs)}


def is_single_dose(drug) -> bool:
    """True for products given once rather than daily (intravenous iron)."""
    return get_drug(drug).route == "intravenous"


def dose_text(drug, dose=None) -> str:
    """The dose as people write it: ``"0.25 mg"``, ``"2 mg/24 h"`` (patch); ``dose`` None:
    the reference dose."""
    name = get_drug(drug).name
    value = reference_dose(name)[0] if dose is None else float(dose)
    return f"{value:g} mg/24 h" if name in PATCH_DRUGS else f"{value:g} mg"


def arm_name(drug, dose=None) -> str:
    """A trial-arm label: ``"pramipexole 0.5 mg"``, ``"rotigotine 2 mg/24 h"``."""
    return f"{get_drug(drug).name} {dose_text(drug, dose)}"


def reference_regimen(drug, days=None, dose=None, *, start_day: int = 0, clock_hour=None,
                      allow_off_label: bool = False) -> Regimen:
    """The reference regimen of ``drug`` as a :class:`~rlsmodel.pharmacology.Regimen`.

    Parameters
    ----------
    drug
        a drug name of the table (:data:`~rlsmodel.pharmacology.DRUGS`).
    days
        number of dosing days from ``start_day`` (doses on days ``start_day <= d <
        start_day + days``); None: until the simulation ends. Single-dose products
        (intravenous iron, :func:`is_single_dose`) are given once on ``start_day`` and take
        no ``days``.
    dose
        mg (patch: mg/24 h); None: the table's reference dose.
    start_day
        day of the first dose (days count from the first simulated midnight).
    clock_hour
        hour (0-24) of each dose; None: the table's reference clock hour.
    allow_off_label
        passed to the regimen (doses above the documented daily maximum).
    """
    name = get_drug(drug).name
    ref_dose, ref_hour = reference_dose(name)
    dose = ref_dose if dose is None else dose
    hour = ref_hour if clock_hour is None else clock_hour
    if is_single_dose(name):
        if days is not None:
            raise ValueError(f"{name} is given once (a single infusion on start_day); do not pass days "
                             f"(got days={days!r})")
        return Regimen.once(name, dose, start_day, hour, allow_off_label=allow_off_label)
    stop_day = None
    if days is not None:
        days = checks.whole(f"{name}: days", days, 1, note=" (dosing days), or None (until the simulation ends)")
        if isinstance(start_day, numbers.Integral) and not isinstance(start_day, bool):
            stop_day = int(start_day) + int(days)
        else:
            raise ValueError(f"{name}: start_day must be a whole day number >= 0; got {start_day!r}")
    return Regimen.daily(name, dose, hour, start_day=start_day, stop_day=stop_day,
                         allow_off_label=allow_off_label)


__all__ = ["reference_dose", "reference_doses", "reference_regimen", "dose_text", "arm_name", "is_single_dose"]
