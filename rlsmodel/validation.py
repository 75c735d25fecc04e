"""Validation scorecard: every target of ``science.md`` run against the model.

A :class:`Target` is one published fact: an id (``"P1"``, ``"T-iron-IV-rise"``,
``"A-levodopa"``), a description, its source, what is expected (text and, where numeric, an
accepted range for the headline number), a function computing the simulated value, and a
pass rule. Targets the model cannot address (spread to the arms, prevalence, heritability,
population augmentation rates, paradoxical dose response, placebo) stay in the registry with
status ``"not modelled"`` and the reason; none is dropped.

>>> from rlsmodel import validation
>>> rows = validation.validate(quick=True)                      # doctest: +SKIP
>>> validation.report(rows, ".")                                # doctest: +SKIP

:func:`validate` returns a :class:`Scorecard`: a plain ``list`` of row dicts (no pandas),
one per target, with keys ``id, category, target, source, expected, simulated, value,
unit, lo, hi, status, note, seconds``; its ``meta`` dict records the mode, horizons,
model options, package version and run time. :func:`report` writes
``figures/validation.png`` (the scorecard figure) and ``docs/validation.md`` (a Markdown
table) under ``out_dir``. ``rlsmodel validate`` does both from the command line.

Conventions
-----------
* "Higher"/"lower" without a number means by more than :data:`NOISE` (0.5 %) relative:
  steady states are solved to about 1e-9, so 0.5 % is a model effect, not solver noise
  (the same margin as ``tests/test_targets.py``).
* Slow quantities compare day-averaged steady states (:meth:`Model.steady_state`); daily
  rhythms use the entrained second day of a 2-day run sampled every 5 minutes, read from
  noon to noon so that the night is contiguous (clock hour 24 = midnight, 25 = 01:00).
* Treatment targets use one *median patient*, profile :data:`TREATMENT_PROFILE`, with a
  28-day untreated baseline, then each drug daily at a typical RLS dose
  (:data:`DOSES`). One long run per drug is shared by the acute-benefit, augmentation and
  receptor targets; stop runs, iron runs and day runs are likewise simulated once per
  :func:`validate` call.
* Quick mode (``quick=True``) keeps every target but shortens horizons
  (:data:`HORIZONS`): 1 year of treatment instead of 2, 12 weeks before stopping instead of
  26, 12 weeks of iron follow-up instead of 26, and hourly instead of half-hourly samples.
  Verdicts that depend on the horizon say so in their note.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from ._version import __version__

PASS, FAIL, NOT_MODELLED = "pass", "fail", "not modelled"
STATUSES = (PASS, FAIL, NOT_MODELLED)

#: Category names, in report order.
CATEGORIES = ("symptoms and circadian rhythm", "baseline physiology", "iron therapy",
              "treatment and augmentation")

#: Relative margin separating a model effect from solver noise (as in tests/test_targets.py).
NOISE = 0.005

#: Profile of the median patient used by the treatment and augmentation targets: idiopathic
#: RLS with normal serum ferritin, like most trial patients.
TREATMENT_PROFILE = "rls_genetic"
#: Profile of the iron-therapy targets: RLS with systemic iron deficiency (ferritin < 75 ug/L,
#: the population that gets oral iron; IV iron is indicated up to 300 ug/L).
IRON_PROFILE = "rls_iron_deficient"
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

#: Iron products: (drug, dose mg iron, clock hour, daily?) -- science.md section 3.
IRON_REGIMENS = {
    "iv": ("ferric_carboxymaltose", 1000.0, 10.0, False),     # 1000 mg once
    "oral": ("ferrous_sulfate", 65.0, 8.0, True),              # 65 mg elemental iron daily
}
#: Day of the infusion / first oral dose in the iron runs.
IRON_START_DAY = 28

#: Horizons and sampling by mode.
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


# =============================================================================================
# data structures
# =============================================================================================
@dataclass(frozen=True)
class Observation:
    """What a target's function found.

    ``value``: the headline number compared with the target's range (NaN if none);
    ``text``: the simulated result in words and numbers; ``checks``: further named
    conditions (bool) the pass rule requires besides the range.
    """

    value: float
    text: str
    checks: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Target:
    """One validation target.

    Parameters
    ----------
    id: short identifier (``"P1"``, ``"T-iron-IV-rise"``, ``"A-levodopa"``).
    category: one of :data:`CATEGORIES`.
    description: the fact, in a sentence.
    source: citation(s).
    expected: the expected result in words, with the accepted numbers.
    lo, hi: accepted range of the headline value (None: unbounded on that side).
    unit: unit of the headline value.
    compute: ``f(runs) -> Observation`` (``runs`` is the per-call simulation cache).
    rule: ``f(target, observation) -> bool``; default :func:`default_rule` (value in
        ``[lo, hi]`` and every check true).
    not_modelled: reason the model cannot address the target (then ``compute`` is None).
    note: caveats (tolerances, conflicts with other targets, horizon dependence).
    """

    id: str
    category: str
    description: str
    source: str
    expected: str
    lo: float | None = None
    hi: float | None = None
    unit: str = ""
    compute: Callable | None = None
    rule: Callable | None = None
    not_modelled: str | None = None
    note: str = ""

    @property
    def numeric(self) -> bool:
        return self.lo is not None or self.hi is not None

    def passes(self, obs: Observation) -> bool:
        return (self.rule or default_rule)(self, obs)


def in_range(value, lo, hi) -> bool:
    """``lo <= value <= hi`` (None = unbounded); NaN is never in range."""
    if value is None or not np.isfinite(value):
        return False
    return (lo is None or value >= lo) and (hi is None or value <= hi)


def default_rule(target: Target, obs: Observation) -> bool:
    """Value in the target's range (if it has one) and every check true."""
    ok = in_range(obs.value, target.lo, target.hi) if target.numeric else True
    return ok and all(bool(v) for v in obs.checks.values())


class Scorecard(list):
    """The result of :func:`validate`: a list of row dicts with a ``meta`` dict."""

    def __init__(self, rows=(), meta=None):
        super().__init__(rows)
        self.meta = dict(meta or {})

    def counts(self) -> dict:
        return {s: sum(r["status"] == s for r in self) for s in STATUSES}


# =============================================================================================
# the simulation cache
# =============================================================================================
def _clock(h):
    """Clock hour (0-24) -> noon-to-noon frame hour (12-36)."""
    return h if h >= 12.0 else h + 24.0


def _hhmm(frame_hour):
    h = float(frame_hour) % 24.0
    return f"{int(h):02d}:{int(round((h % 1) * 60)) % 60:02d}"


class Runs:
    """Simulations and steady states shared by the targets of one :func:`validate` call."""

    def __init__(self, model, quick: bool):
        self.model = model
        self.quick = quick
        self.h = HORIZONS[bool(quick)]
        self._cache = {}

    def _memo(self, key, make):
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    # -- building blocks -------------------------------------------------------------------
    def steady(self, profile="healthy", **params):
        """Day-averaged steady state of a profile (Dataset without time)."""
        key = ("steady", profile, tuple(sorted(params.items())))
        return self._memo(key, lambda: self.model.steady_state(profile, params=params or None))

    def ss(self, profile, name, **params) -> float:
        return float(self.steady(profile, **params)[name])

    def day(self, profile="healthy", **params):
        """The entrained day of an untreated profile, noon to noon, 5-min samples.

        A 2-day run from the daily limit cycle, times [0.5, 1.5) days, with coordinate
        ``hour`` in [12, 36) (24 = midnight).
        """
        key = ("day", profile, tuple(sorted(params.items())))

        def make():
            ds = self.model.simulate(2, profile, params=params or None, sample_every_hours=1.0 / 12.0)
            d = ds.sel(time=slice(0.5, 1.5 - 1e-9))
            return d.assign_coords(hour=("time", np.round(d.time.values * 24.0, 9)))
        return self._memo(key, make)

    def at(self, profile, name, clock_hour, **params) -> float:
        d = self.day(profile, **params)
        return float(np.interp(_clock(clock_hour), d["hour"].values, d[name].values))

    def untreated_daily(self, profile, days=14):
        """Daily outcomes of an untreated run (``days`` days)."""
        from . import outcomes
        key = ("untreated_daily", profile, days)
        return self._memo(key, lambda: outcomes.daily(self.model.simulate(
            days, profile, sample_every_hours=self.h["sample_every_hours"])))

    # -- treatment ---------------------------------------------------------------------------
    def treatment(self, drug, profile=TREATMENT_PROFILE, dose=None):
        """Baseline + daily drug for the mode's horizon: dict(ds, daily, verdict, days, start)."""
        from . import outcomes
        from .pharmacology import Regimen
        dose0, hour = DOSES[drug]
        dose = dose0 if dose is None else dose
        key = ("treatment", drug, profile, dose)

        def make():
            days = BASELINE_DAYS + self.h["treatment_days"]
            reg = Regimen.daily(drug, dose, hour, start_day=BASELINE_DAYS)
            ds = self.model.simulate(days, profile, regimen=reg,
                                     sample_every_hours=self.h["sample_every_hours"])
            return {"ds": ds, "daily": outcomes.daily(ds),
                    "verdict": outcomes.augmentation(ds, regimen_start_day=BASELINE_DAYS),
                    "start": BASELINE_DAYS, "days": self.h["treatment_days"]}
        return self._memo(key, make)

    def stop(self, drug, profile=TREATMENT_PROFILE, short=False):
        """Baseline, daily drug, then days without it: ``short`` = :data:`SHORT_STOP_DAYS` of
        treatment and 14 days off; otherwise ``stop_after_days`` and ``off_days``."""
        from . import outcomes
        from .pharmacology import Regimen
        dose, hour = DOSES[drug]
        key = ("stop", drug, profile, short)

        def make():
            treat, off = (SHORT_STOP_DAYS, 14) if short else (self.h["stop_after_days"], self.h["off_days"])
            stop_day = BASELINE_DAYS + treat
            reg = Regimen.daily(drug, dose, hour, start_day=BASELINE_DAYS, stop_day=stop_day)
            ds = self.model.simulate(stop_day + off, profile, regimen=reg,
                                     sample_every_hours=self.h["sample_every_hours"])
            return {"ds": ds, "daily": outcomes.daily(ds), "stop_day": stop_day, "hour": hour}
        return self._memo(key, make)

    # -- iron ----------------------------------------------------------------------------------
    def iron(self, arm, profile=IRON_PROFILE):
        """Iron run: ``arm`` in ("none", "iv", "oral") from :data:`IRON_START_DAY`; hourly samples."""
        from . import outcomes
        from .pharmacology import Regimen
        key = ("iron", arm, profile)

        def make():
            days = IRON_START_DAY + self.h["iron_days"]
            reg = None
            if arm != "none":
                drug, dose, hour, daily = IRON_REGIMENS[arm]
                reg = (Regimen.daily(drug, dose, hour, start_day=IRON_START_DAY) if daily
                       else Regimen.once(drug, dose, IRON_START_DAY, hour))
            ds = self.model.simulate(days, profile, regimen=reg, sample_every_hours=1.0)
            return {"ds": ds, "daily": outcomes.daily(ds)}
        return self._memo(key, make)


# -- small helpers ------------------------------------------------------------------------------
def _rel(a, b):
    return a / b - 1.0


def _pct(x, digits=1):
    return f"{100 * x:+.{digits}f}%"


def _window_mean(daily, variable, first_day, last_day):
    """Mean of a daily outcome over symptom days first_day <= d < last_day."""
    d = daily["day"].values
    sel = (d >= first_day) & (d < last_day)
    return float(np.nanmean(daily[variable].values[sel])) if sel.any() else math.nan


def _at_time(ds, name, t):
    return float(np.interp(t, ds["time"].values, ds[name].values))


def _days_to(verdict, key, start):
    d = verdict[key]
    return math.nan if d is None else float(d - start)


def _fmt_days(x):
    return "none" if not np.isfinite(x) else f"day {x:.0f}"


# =============================================================================================
# target functions: symptoms and circadian rhythm (science.md section 1)
# =============================================================================================
RLS = ("rls_genetic", "rls_iron_deficient")


def _peak_hour(r, profile):
    d = r.day(profile)
    return float(d["hour"].values[np.argmax(d["urge_at_rest"].values)])


def _c_peak(r):
    peaks = {p: _peak_hour(r, p) for p in RLS}
    v = peaks["rls_genetic"]
    other = peaks["rls_iron_deficient"]
    return Observation(v, f"urge at rest peaks at {_hhmm(v)} (rls_genetic), {_hhmm(other)} "
                          f"(rls_iron_deficient)", {"rls_iron_deficient in range": 22.0 <= other <= 27.0})


def _c_trough(r):
    mins = {}
    for p in RLS:
        d = r.day(p)
        mins[p] = float(d["hour"].values[np.argmin(d["urge_at_rest"].values)]) % 24.0
    v = mins["rls_genetic"]
    return Observation(v, f"urge at rest least at {_hhmm(v)} (rls_genetic), "
                          f"{_hhmm(mins['rls_iron_deficient'])} (rls_iron_deficient)",
                       {"rls_iron_deficient in range": 7.0 <= mins["rls_iron_deficient"] <= 13.0})


def _symptom_window(r, profile):
    """(first, last) frame hour with urge_at_rest above the symptom threshold; and contiguity."""
    from .outcomes import DEFAULT_THRESHOLD
    d = r.day(profile)
    above = d["urge_at_rest"].values > DEFAULT_THRESHOLD
    hours = d["hour"].values
    if not above.any():
        return math.nan, math.nan, True
    idx = np.nonzero(above)[0]
    contiguous = bool(np.all(np.diff(idx) == 1))
    return float(hours[idx[0]]), float(hours[idx[-1]]), contiguous


def _c_rest(r):
    checks, parts = {}, []
    start_g = math.nan
    for p in RLS:
        a, b, contiguous = _symptom_window(r, p)
        if p == "rls_genetic":
            start_g = a
        parts.append(f"{_hhmm(a)}-{_hhmm(b)} ({p})")
        checks[f"{p}: starts at or after 20:00"] = bool(a >= 20.0)
        checks[f"{p}: ends by 09:00"] = bool(b <= 33.0)
        checks[f"{p}: one window"] = contiguous
    return Observation(start_g, "urge at rest above 3/10 " + ", ".join(parts), checks)


def _c_movement(r):
    from .outcomes import DEFAULT_THRESHOLD
    d = r.day("rls_genetic")
    active = d["activity"].values.astype(str) == "active"
    urge, sym = d["urge_at_rest"].values, d["symptom"].values
    relief = float(1.0 - sym[active].sum() / urge[active].sum())
    lat = float(r.untreated_daily("rls_genetic")["latency_at_rest_h"].values[-3])
    return Observation(100 * relief, f"{100 * relief:.0f}% of the urge relieved while active; symptoms "
                                     f"back above {DEFAULT_THRESHOLD:g}/10 {lat:.1f} h into the evening rest",
                       {"symptoms return at rest": bool(np.isfinite(lat))})


def _s_plms(r):
    v = {p: float(np.median(r.untreated_daily(p)["plms_index"].values)) for p in RLS}
    return Observation(v["rls_genetic"], f"PLMS index {v['rls_genetic']:.1f}/h (rls_genetic), "
                                         f"{v['rls_iron_deficient']:.1f}/h (rls_iron_deficient)",
                       {"rls_iron_deficient > 5/h": v["rls_iron_deficient"] > 5.0})


def _s_plms_healthy(r):
    v = float(np.median(r.untreated_daily("healthy")["plms_index"].values))
    return Observation(v, f"PLMS index {v:.1f}/h (healthy)")


def _s_irls(r):
    v = {p: float(np.median(r.untreated_daily(p)["irls"].values)) for p in RLS}
    return Observation(v["rls_genetic"], f"IRLS {v['rls_genetic']:.1f} (rls_genetic), "
                                         f"{v['rls_iron_deficient']:.1f} (rls_iron_deficient)",
                       {"rls_iron_deficient in 11-30": 11.0 <= v["rls_iron_deficient"] <= 30.0})


def _s_sleep(r):
    v = {p: float(np.median(r.untreated_daily(p)["sleep_disruption"].values))
         for p in RLS + ("healthy",)}
    return Observation(100 * v["rls_genetic"],
                       f"symptoms during {100 * v['rls_genetic']:.0f}% (rls_genetic), "
                       f"{100 * v['rls_iron_deficient']:.0f}% (rls_iron_deficient), "
                       f"{100 * v['healthy']:.0f}% (healthy) of sleep time",
                       {"rls_iron_deficient >= 10%": v["rls_iron_deficient"] >= 0.10,
                        "healthy below RLS": v["healthy"] < v["rls_genetic"]})


# =============================================================================================
# target functions: baseline physiology (science.md sections 2 and 4)
# =============================================================================================
def _p1(r):
    c = _rel(r.ss("rls_genetic", "brain_iron"), r.ss("healthy", "brain_iron"))
    c2 = _rel(r.ss("rls_iron_deficient", "brain_iron"), r.ss("healthy", "brain_iron"))
    return Observation(100 * c, f"brain iron {_pct(c)} (rls_genetic), {_pct(c2)} (rls_iron_deficient) "
                                f"vs healthy", {"rls_iron_deficient at least 10% low": c2 < -0.10})


def _p1b(r):
    g, b = r.ss("rls_genetic", "brain_iron"), r.ss("rls_iron_deficient", "brain_iron")
    cg, cb = r.ss("rls_genetic", "csf_ferritin"), r.ss("rls_iron_deficient", "csf_ferritin")
    return Observation(100 * _rel(b, g), f"brain iron {_pct(_rel(b, g))}, CSF ferritin {_pct(_rel(cb, cg))} "
                                         f"(rls_iron_deficient vs rls_genetic)",
                       {"CSF ferritin lower too": cb < (1 - NOISE) * cg})


def _p2(r):
    h, g = "healthy", "rls_genetic"
    csf = _rel(r.ss(g, "csf_ferritin"), r.ss(h, "csf_ferritin"))
    sf_h, sf_g = r.ss(h, "serum_ferritin"), r.ss(g, "serum_ferritin")
    ratio = _rel(r.ss(g, "csf_ferritin") / sf_g, r.ss(h, "csf_ferritin") / sf_h)
    return Observation(100 * csf, f"CSF ferritin {_pct(csf)}; serum ferritin {sf_g:.0f} ug/L "
                                  f"({_pct(_rel(sf_g, sf_h))}); CSF/serum ratio {_pct(ratio)} (rls_genetic)",
                       {"serum ferritin within 10% of healthy": abs(_rel(sf_g, sf_h)) < 0.10,
                        "serum ferritin 30-400 ug/L": 30.0 <= sf_g <= 400.0,
                        "CSF/serum ferritin gain 10% lower": ratio < -0.10})


def _p3(r):
    h, g, d = "healthy", "rls_genetic", "iron_deficient"
    tfr = _rel(r.ss(g, "neuron_tfr"), r.ss(h, "neuron_tfr"))
    lab = _rel(r.ss(g, "fe_neuron_labile"), r.ss(h, "fe_neuron_labile"))
    tfr_d = _rel(r.ss(d, "neuron_tfr"), r.ss(h, "neuron_tfr"))
    lab_d = _rel(r.ss(d, "fe_neuron_labile"), r.ss(h, "fe_neuron_labile"))
    return Observation(100 * tfr, f"neuronal TfR {_pct(tfr)} with labile iron {_pct(lab)} (rls_genetic); "
                                  f"iron_deficient: TfR {_pct(tfr_d)}, labile iron {_pct(lab_d)}",
                       {"RLS labile iron 10% low": lab < -0.10,
                        "iron deficiency raises TfR": tfr_d > NOISE,
                        "iron deficiency lowers labile iron": lab_d < -NOISE,
                        "iron deficiency raises IRP activity":
                            r.ss(d, "irp_activity") > r.ss(h, "irp_activity")})


def _p4(r):
    h = "healthy"
    c = {p: _rel(r.ss(p, "hif"), r.ss(h, "hif")) for p in RLS + ("iron_deficient",)}
    e = {p: _rel(r.ss(p, "hif_endothelial"), r.ss(h, "hif_endothelial")) for p in RLS}
    return Observation(100 * c["rls_genetic"],
                       f"neuronal HIF {_pct(c['rls_genetic'])} (rls_genetic), {_pct(c['rls_iron_deficient'])} "
                       f"(rls_iron_deficient); endothelial HIF {_pct(e['rls_genetic'])} (rls_genetic)",
                       {"rls_iron_deficient HIF +10%": c["rls_iron_deficient"] > 0.10,
                        "endothelial HIF raised in RLS": all(v > NOISE for v in e.values()),
                        "iron deficiency raises HIF": c["iron_deficient"] > NOISE})


def _p5(r):
    h = "healthy"
    d2 = {p: _rel(r.ss(p, "d2_density"), r.ss(h, "d2_density")) for p in RLS}
    th = {p: _rel(r.ss(p, "th_activity"), r.ss(h, "th_activity")) for p in RLS}
    return Observation(100 * d2["rls_genetic"],
                       f"D2 {_pct(d2['rls_genetic'])} / {_pct(d2['rls_iron_deficient'])}, TH activity "
                       f"{_pct(th['rls_genetic'])} / {_pct(th['rls_iron_deficient'])} (rls_genetic / "
                       f"rls_iron_deficient)",
                       {"TH +10% in both RLS profiles": all(v > 0.10 for v in th.values()),
                        "rls_iron_deficient D2 15-45% lower": -0.45 <= d2["rls_iron_deficient"] <= -0.15})


def _p5b(r):
    h = "healthy"
    dat = {p: _rel(r.ss(p, "dat"), r.ss(h, "dat")) for p in RLS}
    da = {p: _rel(r.ss(p, "da_tissue"), r.ss(h, "da_tissue")) for p in RLS}
    return Observation(100 * da["rls_genetic"],
                       f"tissue dopamine {_pct(da['rls_genetic'])} / {_pct(da['rls_iron_deficient'])}; membrane DAT "
                       f"{_pct(dat['rls_genetic'])} / {_pct(dat['rls_iron_deficient'])} (rls_genetic / rls_iron_deficient)",
                       {"rls_iron_deficient tissue dopamine within 20%": abs(da["rls_iron_deficient"]) <= 0.20})


def _p6b(r):
    h = "healthy"
    dat = {p: _rel(r.ss(p, "dat"), r.ss(h, "dat")) for p in RLS}
    return Observation(100 * dat["rls_genetic"],
                       f"membrane DAT {_pct(dat['rls_genetic'])} (rls_genetic), {_pct(dat['rls_iron_deficient'])} "
                       f"(rls_iron_deficient)", {"lower in both RLS profiles": all(v < -NOISE for v in dat.values())})


def _p6(r):
    c = _rel(r.ss("iron_deficient", "dat"), r.ss("healthy", "dat"))
    hyp = getattr(r.model, "dat_hypothesis", "reduced")
    return Observation(100 * c, f"membrane DAT {_pct(c)} in iron_deficient (dat_hypothesis={hyp})")


def _p7(r):
    checks, parts = {}, []
    dh = r.day("healthy")["dopamine_extracellular"].values
    ratio_g = math.nan
    for p in RLS:
        d = r.day(p)
        da = d["dopamine_extracellular"].values
        ratio = r.at(p, "dopamine_extracellular", 10.0) / r.at(p, "dopamine_extracellular", 22.0) - 1
        rel_ = r.at(p, "dopamine_release", 10.0) / r.at(p, "dopamine_release", 22.0) - 1
        if p == "rls_genetic":
            ratio_g = ratio
        parts.append(f"{p}: 10:00 vs 22:00 {_pct(ratio)}, mean {_pct(_rel(da.mean(), dh.mean()))}, "
                     f"swing x{np.ptp(da) / np.ptp(dh):.2f}")
        checks[f"{p}: mean not below healthy"] = bool(da.mean() >= dh.mean())
        checks[f"{p}: swing not smaller"] = bool(np.ptp(da) >= np.ptp(dh))
        checks[f"{p}: release 10:00 > 22:00 by 10%"] = bool(rel_ > 0.10)
        if p == "rls_iron_deficient":
            checks[f"{p}: 10:00 > 22:00 by 10%"] = bool(ratio > 0.10)
    return Observation(100 * ratio_g, "; ".join(parts), checks)


def _p8(r):
    dh = r.day("healthy")["dopamine_extracellular"].values.mean()
    dd = r.day(SEVERE_PROFILE)["dopamine_extracellular"].values.mean()
    dm = r.day("iron_deficient")["dopamine_extracellular"].values.mean()
    b = _rel(r.ss(SEVERE_PROFILE, "brain_iron"), r.ss("healthy", "brain_iron"))
    return Observation(100 * _rel(dd, dh), f"mean extracellular dopamine {_pct(_rel(dd, dh))} with brain iron "
                                           f"{_pct(b)} ({SEVERE_PROFILE}); {_pct(_rel(dm, dh))} (iron_deficient)",
                       {"brain iron 30-40% low (the rodents' deficit)": -0.40 <= b <= -0.30})


def _p8b(r):
    c = _rel(r.ss("iron_deficient", "d2_density"), r.ss("healthy", "d2_density"))
    b = _rel(r.ss("iron_deficient", "brain_iron"), r.ss("healthy", "brain_iron"))
    cs = _rel(r.ss(SEVERE_PROFILE, "d2_density"), r.ss("healthy", "d2_density"))
    bs = _rel(r.ss(SEVERE_PROFILE, "brain_iron"), r.ss("healthy", "brain_iron"))
    return Observation(100 * c, f"D2 density {_pct(c)} with brain iron {_pct(b)} (iron_deficient), {_pct(cs)} with "
                                f"{_pct(bs)} ({SEVERE_PROFILE})",
                       {"lower still in severe deficiency": cs < c})


def _p9(r):
    m = {p: -_rel(r.ss(p, "myelin"), r.ss("healthy", "myelin")) for p in RLS}
    o = {p: _rel(r.ss(p, "fe_oligodendrocyte"), r.ss("healthy", "fe_oligodendrocyte")) for p in RLS}
    return Observation(100 * m["rls_genetic"],
                       f"myelin {100 * m['rls_genetic']:.1f}% / {100 * m['rls_iron_deficient']:.1f}% lower, "
                       f"oligodendrocyte iron {_pct(o['rls_genetic'])} / {_pct(o['rls_iron_deficient'])} "
                       f"(rls_genetic / rls_iron_deficient)",
                       {"rls_iron_deficient 10-40% less": 0.10 <= m["rls_iron_deficient"] <= 0.40,
                        "oligodendrocyte iron lower": all(v < -NOISE for v in o.values())})


def _p9b(r):
    m = -_rel(r.ss(SEVERE_PROFILE, "myelin"), r.ss("healthy", "myelin"))
    o = _rel(r.ss(SEVERE_PROFILE, "fe_oligodendrocyte"), r.ss("healthy", "fe_oligodendrocyte"))
    mm = -_rel(r.ss("iron_deficient", "myelin"), r.ss("healthy", "myelin"))
    return Observation(100 * m, f"myelin {100 * m:.1f}% lower with oligodendrocyte iron {_pct(o)} ({SEVERE_PROFILE}); "
                                f"{100 * mm:.1f}% lower in iron_deficient")


def _p10(r):
    checks, parts, v0 = {}, [], math.nan
    for p in ("healthy", "iron_deficient", "rls_genetic"):
        d = r.day(p)
        hour = d["hour"].values
        morning = (hour >= 31.0) & (hour <= 34.0)           # 07:00-10:00 next morning
        for name in ("fe_plasma", "transferrin_saturation"):
            c = r.at(p, name, 18.0) / d[name].values[morning].mean() - 1
            if p == "healthy" and name == "fe_plasma":
                v0 = c
                parts.append(f"plasma iron at 18:00 {_pct(c)} vs 07:00-10:00 (healthy)")
            checks[f"{p} {name} 10% lower"] = bool(c < -0.10)
        peak = float(hour[np.argmax(d["fe_plasma"].values)]) % 24.0
        checks[f"{p}: maximum 03:00-12:00"] = bool(3.0 <= peak <= 12.0)
        if p == "healthy":
            parts.append(f"maximum at {_hhmm(peak)}")
    return Observation(100 * v0, ", ".join(parts), checks)


def _p10b(r):
    d = r.day("healthy")["brain_iron"].values
    v = np.ptp(d) / d.mean()
    return Observation(100 * v, f"brain iron varies {100 * v:.3f}% over the day (healthy)")


def _evening_peak(r, profile, **params):
    d = r.day(profile, **params)
    h = d["hour"].values
    sel = (h >= 18.0) & (h <= 28.0)                         # 18:00-04:00
    return float(d["symptom"].values[sel].max())


def _p11(r):
    worse, base = _evening_peak(r, "rls_iron_deficient"), _evening_peak(r, "rls_genetic")
    f = {p: r.ss(p, "serum_ferritin") for p in ("iron_deficient", "rls_iron_deficient")}
    return Observation(100 * _rel(worse, base),
                       f"evening peak urge {worse:.2f} vs {base:.2f} ({_pct(_rel(worse, base))}); serum ferritin "
                       f"{f['rls_iron_deficient']:.0f} ug/L (rls_iron_deficient)",
                       {"iron-deficient profiles ferritin < 30 ug/L": all(v < 30.0 for v in f.values())})


def _p11b(r):
    diets = (20.0, 15.0, 11.0, 8.0)
    fer = [r.ss("rls_genetic", "serum_ferritin", diet_iron=d) for d in diets]
    peak = [_evening_peak(r, "rls_genetic", diet_iron=d) for d in diets]
    return Observation(100 * _rel(peak[-1], peak[0]),
                       f"diet 20 -> 8 mg/day: ferritin {fer[0]:.0f} -> {fer[-1]:.0f} ug/L, evening peak "
                       f"{peak[0]:.2f} -> {peak[-1]:.2f} (rls_genetic)",
                       {"ferritin falls at each step": bool(np.all(np.diff(fer) < 0)),
                        "peak rises at each step": bool(np.all(np.diff(peak) > 0))})


def _p12(r):
    h = r.ss("healthy", "tfr_bbb")
    up, down = r.ss("iron_deficient", "tfr_bbb") / h, r.ss(OVERLOAD_PROFILE, "tfr_bbb") / h
    tsat = r.ss(OVERLOAD_PROFILE, "transferrin_saturation")
    return Observation(up, f"BBB TfR x{up:.2f} in iron_deficient, x{down:.2f} in {OVERLOAD_PROFILE} (TSAT {tsat:.0f}%)",
                       {"down in overload": down < 1 - NOISE,
                        "overload is real (TSAT >= 55%)": tsat >= 55.0})


def _p12b(r):
    name = "bbb_iron_uptake_fraction"
    h = r.ss("healthy", name)
    up, down = r.ss(SEVERE_PROFILE, name) / h, r.ss(OVERLOAD_PROFILE, name) / h
    hf = r.ss("healthy", "bbb_iron_flux")
    fd, fo = r.ss(SEVERE_PROFILE, "bbb_iron_flux") / hf, r.ss(OVERLOAD_PROFILE, "bbb_iron_flux") / hf
    fm = r.ss("iron_deficient", "bbb_iron_flux") / hf
    return Observation(up, f"brain uptake per plasma iron pool (the 59Fe-transferrin tracer measure) x{up:.2f} in "
                           f"{SEVERE_PROFILE}, x{down:.2f} in {OVERLOAD_PROFILE}; absolute BBB iron flux x{fd:.2f} / "
                           f"x{fo:.2f} (x{fm:.2f} in iron_deficient)",
                       {"overload at most x0.71": down <= 2 ** -0.5})


def _p12c(r):
    h = r.ss("healthy", "tfr_bbb")
    up, down = r.ss(SEVERE_PROFILE, "tfr_bbb") / h, r.ss(OVERLOAD_PROFILE, "tfr_bbb") / h
    return Observation(up, f"BBB TfR x{up:.2f} in {SEVERE_PROFILE}, x{down:.2f} in {OVERLOAD_PROFILE}",
                       {"overload at most x0.71": down <= 2 ** -0.5})


def _i_ferritin(r):
    f = {p: r.ss(p, "serum_ferritin") for p in ("healthy", "rls_genetic", "iron_deficient", "rls_iron_deficient")}
    return Observation(f["healthy"], "serum ferritin " + ", ".join(f"{v:.0f} ({p})" for p, v in f.items()) + " ug/L",
                       {"rls_genetic 30-400": 30.0 <= f["rls_genetic"] <= 400.0,
                        "iron-deficient profiles < 30": f["iron_deficient"] < 30 and f["rls_iron_deficient"] < 30})


def _i_tsat(r):
    t = {p: r.ss(p, "transferrin_saturation") for p in ("healthy", "rls_genetic")}
    return Observation(t["healthy"], f"transferrin saturation {t['healthy']:.1f}% (healthy), "
                                     f"{t['rls_genetic']:.1f}% (rls_genetic); daily mean",
                       {"rls_genetic 20-45%": 20.0 <= t["rls_genetic"] <= 45.0})


def _i_body_iron(r):
    d = r.day("healthy")
    v = float(d["total_body_iron"].values.mean())
    return Observation(v, f"total body iron {v:.0f} mg (healthy)")


def _i_plasma(r):
    v = r.ss("healthy", "fe_plasma")
    return Observation(v, f"plasma transferrin iron {v:.2f} mg (healthy, daily mean)")


def _absorbed_per_day(r, profile):
    d = r.day(profile)["iron_intake_total"].values
    return float(d[-1] - d[0]) * 24.0 / (len(d) - 1) * 12.0


def _i_absorption(r):
    v = _absorbed_per_day(r, "healthy")
    return Observation(v, f"{v:.2f} mg/day absorbed from a 15 mg/day diet (healthy)")


def _i_absorption_deficient(r):
    h, d = _absorbed_per_day(r, "healthy"), _absorbed_per_day(r, "iron_deficient")
    fh = h / 15.0
    fd = d / float(r.model.resolve_parameters("iron_deficient")["diet_iron"])
    return Observation(fd / fh, f"fraction of dietary iron absorbed {100 * fd:.1f}% (iron_deficient) vs "
                                f"{100 * fh:.1f}% (healthy): x{fd / fh:.2f}")


def _i_dopamine(r):
    v = float(r.day("healthy")["dopamine_extracellular"].values.mean())
    return Observation(v, f"extracellular striatal dopamine {v:.1f} nM (healthy, daily mean)")


# =============================================================================================
# target functions: iron therapy
# =============================================================================================
def _iv_ferritin(r):
    ds = r.iron("iv")["ds"]
    t0 = IRON_START_DAY + 10.0 / 24.0
    pre = _at_time(ds, "serum_ferritin", t0 - 1e-3)
    w1 = _at_time(ds, "serum_ferritin", t0 + 7.0)
    w8 = _at_time(ds, "serum_ferritin", t0 + 56.0)
    sel = ds["time"].values >= t0
    tpeak = float(ds["time"].values[sel][np.argmax(ds["serum_ferritin"].values[sel])] - t0)
    peak = float(ds["serum_ferritin"].values[sel].max())
    return pre, w1, w8, tpeak, peak


def _t_iv_rise(r):
    pre, w1, w8, tpeak, peak = _iv_ferritin(r)
    return Observation(w1 / pre, f"serum ferritin {pre:.0f} -> {w1:.0f} ug/L at week 1 (x{w1 / pre:.1f}); "
                                 f"peak {peak:.0f} ug/L on day {tpeak:.1f} after the infusion",
                       {"peak within 14 days": tpeak <= 14.0})


def _t_iv_magnitude(r):
    pre, w1, *_ = _iv_ferritin(r)
    return Observation(w1 - pre, f"serum ferritin +{w1 - pre:.0f} ug/L at week 1 ({pre:.0f} -> {w1:.0f})")


def _t_iv_decline(r):
    pre, w1, w8, *_ = _iv_ferritin(r)
    return Observation(w8 / w1, f"week 8 / week 1 serum ferritin {w8:.0f} / {w1:.0f} = {w8 / w1:.2f}")


def _t_oral(r):
    ds = r.iron("oral")["ds"]
    t0 = IRON_START_DAY + 8.0 / 24.0
    pre = _at_time(ds, "serum_ferritin", t0 - 1e-3)
    w1, w4, w12 = (_at_time(ds, "serum_ferritin", t0 + 7.0 * w) for w in (1, 4, 12))
    return Observation(w12 - pre, f"serum ferritin {pre:.0f} -> {w1:.0f} (week 1) -> {w4:.0f} (week 4) -> "
                                  f"{w12:.0f} ug/L (week 12)",
                       {"starts at ferritin <= 75 ug/L": pre <= 75.0,
                        "gradual: week 1 gives < 25% of the 12-week rise": (w1 - pre) < 0.25 * (w12 - pre),
                        "still rising from week 4 to 12": w12 > w4})


def _supplement_absorbed(r, profile, first_day, last_day):
    """Fraction of the oral iron doses absorbed over treatment days [first_day, last_day)."""
    on, off = r.iron("oral", profile)["ds"], r.iron("none", profile)["ds"]
    t0, t1 = IRON_START_DAY + first_day, IRON_START_DAY + last_day
    gain = ((_at_time(on, "iron_intake_total", t1) - _at_time(on, "iron_intake_total", t0))
            - (_at_time(off, "iron_intake_total", t1) - _at_time(off, "iron_intake_total", t0)))
    return gain / (IRON_REGIMENS["oral"][1] * (last_day - first_day))


def _t_oral_absorption(r):
    n = r.h["iron_days"]
    fd = _supplement_absorbed(r, IRON_PROFILE, 0, 28)
    fh = _supplement_absorbed(r, "healthy", 0, 28)
    late = _supplement_absorbed(r, IRON_PROFILE, n - 28, n)
    return Observation(fd / fh, f"first 4 weeks: {100 * fd:.1f}% of supplement iron absorbed ({IRON_PROFILE}) "
                                f"vs {100 * fh:.1f}% (healthy); last 4 weeks ({IRON_PROFILE}): {100 * late:.1f}%",
                       {"absorption falls as stores refill": late < (1 - NOISE) * fd})


def _irls_change_after_iv(r, profile, week=6):
    d = r.iron("iv", profile)["daily"]
    base = _window_mean(d, "irls", 0, IRON_START_DAY)
    after = _window_mean(d, "irls", IRON_START_DAY + 7 * (week - 1), IRON_START_DAY + 7 * week)
    return after - base, base, after


def _t_iv_irls(profile):
    def f(r):
        change, base, after = _irls_change_after_iv(r, profile)
        w12, _, _ = _irls_change_after_iv(r, profile, week=12)
        n = r.h["iron_days"] // 7
        late, _, _ = _irls_change_after_iv(r, profile, week=n)
        return Observation(change, f"IRLS {base:.1f} -> {after:.1f} at week 6 ({change:+.1f}); {w12:+.1f} at week 12, "
                                   f"{late:+.1f} at week {n} ({profile})",
                           {"benefit still there at week 12 (at least 1 point)": w12 <= -1.0})
    return f


def _weekly_mean(ds, name, t0, week):
    """Mean of ``name`` over week ``week`` (1-based) after time ``t0`` (days)."""
    t = ds["time"].values
    sel = (t >= t0 + 7.0 * (week - 1)) & (t < t0 + 7.0 * week)
    return float(ds[name].values[sel].mean())


def _t_iv_tsat_after_repletion(r):
    ds = r.iron("iv")["ds"]
    t0 = IRON_START_DAY + 10.0 / 24.0
    n = r.h["iron_days"] // 7
    weeks = range(8, n + 1)
    tsat = [_weekly_mean(ds, "transferrin_saturation", t0, w) for w in weeks]
    stores = _at_time(ds, "storage_iron", t0 + 7.0 * n)
    return Observation(float(np.mean(tsat)),
                       f"weekly mean transferrin saturation {min(tsat):.1f}-{max(tsat):.1f}% in weeks 8-{n} after the "
                       f"infusion ({IRON_PROFILE}, continuing blood loss); storage iron {stores:.0f} mg at week {n}",
                       {"every week 8-end at least 2 points inside 20-45%": min(tsat) >= 22.0 and max(tsat) <= 43.0})


def _t_iv_replete_trial(r):
    ds = r.iron("iv", "healthy")["ds"]
    t0 = IRON_START_DAY + 10.0 / 24.0
    pre = {n: _weekly_mean(ds, n, t0 - 7.0, 1) for n in ("transferrin_saturation", "hepcidin", "serum_ferritin")}
    w1 = {n: _weekly_mean(ds, n, t0 + 3.5, 1) for n in pre}      # days 3.5-10.5: centred on day 7
    w8 = {n: _weekly_mean(ds, n, t0 + 52.5, 1) for n in pre}     # days 52.5-59.5: centred on day 56
    return Observation(w8["transferrin_saturation"],
                       f"healthy adult, 1000 mg: transferrin saturation {pre['transferrin_saturation']:.0f} -> "
                       f"{w1['transferrin_saturation']:.0f}% (week 1) -> {w8['transferrin_saturation']:.0f}% (week 8); "
                       f"hepcidin x{w1['hepcidin'] / pre['hepcidin']:.1f} / x{w8['hepcidin'] / pre['hepcidin']:.1f}; "
                       f"serum ferritin {pre['serum_ferritin']:.0f} -> {w1['serum_ferritin']:.0f} -> "
                       f"{w8['serum_ferritin']:.0f} ug/L",
                       {"week-1 saturation 41-89% (64.9 +/- 24.3)": 40.6 <= w1["transferrin_saturation"] <= 89.2,
                        "hepcidin up at week 1 and week 8": w1["hepcidin"] > pre["hepcidin"] * (1 + NOISE)
                        and w8["hepcidin"] > pre["hepcidin"] * (1 + NOISE)})


def _t_oral_irls(r):
    d = r.iron("oral")["daily"]
    base = _window_mean(d, "irls", 0, IRON_START_DAY)
    w2 = _window_mean(d, "irls", IRON_START_DAY + 7, IRON_START_DAY + 14) - base
    w12 = _window_mean(d, "irls", IRON_START_DAY + 77, IRON_START_DAY + 84) - base
    iv2, _, _ = _irls_change_after_iv(r, IRON_PROFILE, week=2)
    return Observation(w12, f"oral iron 65 mg/day ({IRON_PROFILE}): IRLS {base:.1f}, {w2:+.1f} at week 2, {w12:+.1f} "
                            f"at week 12 (IV iron: {iv2:+.1f} at week 2)",
                       {"slower than IV iron (less benefit at week 2)": w2 > iv2})


def _t_iv_brain(r):
    n = r.h["iron_days"]
    on, off = r.iron("iv")["ds"], r.iron("none")["ds"]
    t = IRON_START_DAY + n
    b = _rel(_at_time(on, "brain_iron", t), _at_time(off, "brain_iron", t))
    c = _rel(_at_time(on, "csf_ferritin", t), _at_time(off, "csf_ferritin", t))
    return Observation(100 * b, f"{n} days after the infusion: brain iron {_pct(b, 2)}, CSF ferritin "
                                f"{_pct(c, 2)} vs untreated ({IRON_PROFILE})",
                       {"CSF ferritin higher": c > 0})


# =============================================================================================
# target functions: treatment and augmentation
# =============================================================================================
def _acute(drug):
    def f(r):
        run = r.treatment(drug)
        d, s = run["daily"], run["start"]
        base = _window_mean(d, "irls", 0, s)
        acute = _window_mean(d, "irls", s, s + 21)
        return Observation(acute - base, f"IRLS {base:.1f} -> {acute:.1f} in weeks 1-3 ({acute - base:+.1f})")
    return f


def _aug_text(run):
    v, s = run["verdict"], run["start"]
    mpi = _days_to(v, "day_met", s)
    cr = _days_to(v, "day_met_clinically_relevant", s)
    return (f"MPI-positive {_fmt_days(mpi)}, clinically relevant {_fmt_days(cr)} of {run['days']}; "
            f"late onset advance {v['onset_advance_h']:+.1f} h, late ASRS-like {v['late_asrs']:.1f}")


def _a_levodopa(r):
    run = r.treatment("levodopa")
    return Observation(_days_to(run["verdict"], "day_met", run["start"]), _aug_text(run))


def _a_agonist(drug):
    def f(r):
        run, lev = r.treatment(drug), r.treatment("levodopa")
        mine = _days_to(run["verdict"], "day_met", run["start"])
        ref = _days_to(lev["verdict"], "day_met", lev["start"])
        ok = (not np.isfinite(mine) or mine > 365.0
              or (np.isfinite(ref) and mine > ref))
        return Observation(mine, _aug_text(run) + (f"; levodopa {_fmt_days(ref)}"),
                           {"none within a year, or later than levodopa": ok})
    return f


def _a_rotigotine(r):
    runs = {d: r.treatment(d) for d in DOPAMINERGIC}
    asrs = {d: runs[d]["verdict"]["late_asrs"] for d in DOPAMINERGIC}
    days = {d: _days_to(runs[d]["verdict"], "day_met", runs[d]["start"]) for d in DOPAMINERGIC}
    others = [d for d in DOPAMINERGIC if d != "rotigotine"]
    rot = days["rotigotine"]
    not_earlier = (not np.isfinite(rot)) or all(np.isfinite(days[d]) and rot >= days[d] for d in others)
    least = asrs["rotigotine"] <= min(asrs[d] for d in others) + 0.25
    return Observation(asrs["rotigotine"], "late ASRS-like " + ", ".join(f"{d} {asrs[d]:.2f}" for d in DOPAMINERGIC)
                       + "; MPI-positive " + ", ".join(f"{d} {_fmt_days(days[d])}" for d in DOPAMINERGIC),
                       {"smallest late ASRS-like score (tolerance 0.25)": least,
                        "augments no earlier than the other dopaminergic drugs": not_earlier})


def _a_alpha2delta(r):
    runs = {d: r.treatment(d) for d in ALPHA2DELTA}
    adv = max(runs[d]["verdict"]["onset_advance_h"] for d in ALPHA2DELTA)
    mpi = {d: runs[d]["verdict"]["day_met"] for d in ALPHA2DELTA}
    return Observation(adv, "; ".join(f"{d}: {_aug_text(runs[d])}" for d in ALPHA2DELTA),
                       {"never MPI-positive": all(v is None for v in mpi.values())})


def _a_not_immediate(r):
    first = []
    for d in DOPAMINERGIC:
        run = r.treatment(d)
        first.append(_days_to(run["verdict"], "day_met", run["start"]))
    finite = [x for x in first if np.isfinite(x)]
    v = min(finite) if finite else math.nan
    text = ("earliest MPI-positive day among dopaminergic drugs: " + (f"{v:.0f}" if finite else "none"))
    return Observation(v, text, {"none in the first 14 days": (not finite) or v >= 14.0})


def _a_levodopa_dose(r):
    base = r.treatment("levodopa")["verdict"]
    high = r.treatment("levodopa", dose=200.0)["verdict"]
    severe = r.treatment("levodopa", profile="rls_iron_deficient")["verdict"]
    d_dose = high["late_asrs"] - base["late_asrs"]
    d_sev = severe["late_asrs"] - base["late_asrs"]
    return Observation(d_dose, f"late ASRS-like: 100 mg {base['late_asrs']:.2f}, 200 mg {high['late_asrs']:.2f}, "
                               f"100 mg in rls_iron_deficient {severe['late_asrs']:.2f}; onset advance "
                               f"{base['onset_advance_h']:+.1f} / {high['onset_advance_h']:+.1f} / "
                               f"{severe['onset_advance_h']:+.1f} h",
                       {"severe baseline at least as augmented": d_sev >= 0.0})


def _a_stop(drug):
    def f(r):
        run = r.stop(drug, short=True)
        d, stop = run["daily"], run["stop_day"]
        base = _window_mean(d, "irls", 0, BASELINE_DAYS)
        days, irls = d["day"].values, d["irls"].values
        # symptom day `stop` starts 06:00 on the first day without a dose
        off = days >= stop
        back = np.nonzero(off & (irls >= base - 1.0))[0]
        v = float(days[back[0]] - stop + 1) if back.size else math.nan
        on = _window_mean(d, "irls", stop - 14, stop)
        return Observation(v, f"IRLS {base:.1f} untreated, {on:.1f} in the last 2 weeks on treatment; back to "
                              f">= {base - 1:.1f} on day {v:.0f} after the last dose" if back.size else
                              f"IRLS {base:.1f} untreated, {on:.1f} on treatment; not back within 14 days",
                           {"benefit on treatment (IRLS below baseline - 1)": on < base - 1.0})
    return f


def _a_rebound(r):
    run = r.stop("levodopa")
    d, stop = run["daily"], run["stop_day"]
    base = _window_mean(d, "irls", 0, BASELINE_DAYS)
    weeks = [_window_mean(d, "irls", stop + 7 * k, stop + 7 * (k + 1)) for k in range(_off_weeks(r))]
    return Observation(weeks[0] - base, f"weekly IRLS after stopping levodopa: "
                                        + ", ".join(f"{w:.1f}" for w in weeks) + f" (baseline {base:.1f})",
                       {"resolves: last week off within 1 point of baseline": abs(weeks[-1] - base) <= 1.0})


def _off_weeks(r) -> int:
    return r.h["off_days"] // 7


def _a_d2(r):
    c = {}
    for d in ("levodopa", "pramipexole"):
        ds = r.treatment(d)["ds"]
        t = ds["time"].values
        base = ds["d2_density"].values[t < BASELINE_DAYS].mean()
        late = ds["d2_density"].values[t >= t[-1] - 28].mean()
        c[d] = late / base - 1
    v = float(np.mean(list(c.values())))
    return Observation(100 * v, f"D2 density {_pct(c['levodopa'])} (levodopa), {_pct(c['pramipexole'])} "
                                f"(pramipexole) at the end of treatment vs untreated")


# =============================================================================================
# the registry
# =============================================================================================
_SYM, _PHYS, _IRON, _TREAT = CATEGORIES
_TREND = "Trenkwalder et al. 1999 Mov Disord 14:102; Hening et al. 1999 Sleep 22:901"
_MONT = "Montplaisir et al. 1997 Mov Disord 12:61"
_META = "Meta-analysis of 60 studies, Medicine (Baltimore) 2016;95:e2504"
_POP = ("a rate across patients: the scorecard simulates one deterministic median patient per "
        "profile; scoring it needs a virtual population with between-patient and day-to-day "
        "variability (a virtual-trial experiment, not this scorecard)")


def _t(*args, **kw) -> Target:
    return Target(*args, **kw)


TARGETS: tuple = (
    # -- symptoms and circadian rhythm (science.md section 1) ------------------------------------
    _t("C-peak", _SYM, "Symptom intensity peaks between midnight and 01:00 (untreated RLS, at rest)", _TREND,
       "maximum 00:00-01:00; accepted 22:00-03:00 (2 h tolerance for the model's circadian phase)",
       22.0, 27.0, "clock h (24 = 00:00)", _c_peak,
       note="urge_at_rest (posture-independent urge); 5-min samples of the entrained day"),
    _t("C-trough", _SYM, "Symptom intensity is least at 09:00-11:00", _TREND,
       "minimum 09:00-11:00; accepted 07:00-13:00 (2 h tolerance)", 7.0, 13.0, "clock h", _c_trough),
    _t("C-rest", _SYM, "Rest makes discomfort rise only between about 21:00 and 08:00 (rest and clock interact)",
       "Michaud et al. 2005 Sleep 28:843",
       "urge at rest above the symptom threshold (3/10) only within 21:00-08:00; accepted 20:00-09:00 "
       "(1 h tolerance)", 20.0, None, "clock h (start)", _c_rest),
    _t("C-movement", _SYM, "Symptoms are relieved by movement for as long as it lasts and return at rest",
       "Allen et al. 2014 Sleep Med 15:860 (IRLSSG criteria)",
       "substantial relief while moving (>= 50% of the urge), symptoms return at rest", 50.0, None, "%",
       _c_movement, note="relief is a property of the rest/activity schedule (movement_relief), not of the ODE"),
    _t("S-PLMS", _SYM, "Most untreated patients have periodic limb movements in sleep above 5/h", _MONT,
       "PLMS index > 5/h (80% of 133 patients)", 5.0, None, "1/h", _s_plms),
    _t("S-PLMS-healthy", _SYM, "A PLMS index above 15/h is abnormal in adults", _MONT,
       "healthy profile below 15/h", None, 15.0, "1/h", _s_plms_healthy),
    _t("S-IRLS", _SYM, "Untreated RLS is moderate to severe on the IRLS scale (trial patients start about 22-28)",
       "IRLS scale (IRLSSG); science.md section 1", "IRLS 11-30 in the untreated RLS profiles", 11.0, 30.0,
       "points", _s_irls),
    _t("S-insomnia", _SYM, "Most patients have insomnia (sleep disturbed by symptoms)", _MONT,
       "symptoms above threshold during >= 10% of the sleep period; healthy less", 10.0, None, "% of sleep",
       _s_sleep, note="10% is our operational cut-off for 'disturbed sleep'"),
    _t("S-arms", _SYM, "About half of untreated patients feel symptoms in the arms; spread judged per patient",
       "Montplaisir et al. 1997 Mov Disord 12:61", "symptoms in the arms in about 50%",
       not_modelled="the model has no body map: one urge variable for the legs"),
    _t("S-prevalence", _SYM, "Prevalence 5-10% of European-descent adults, 2-3% clinically significant",
       "Winkelmann et al. 2007 Nat Genet; science.md section 1", "5-10% (2-3% significant)",
       not_modelled="prevalence is a population property; the model simulates individual profiles"),
    _t("S-heritability", _SYM, "Heritability about 50%; risk loci MEIS1, BTBD9 (lower ferritin), PTPRD, MAP2K5",
       "Winkelmann et al. 2007 Nat Genet; Stefansson et al. 2007 NEJM", "about 50%; named loci",
       not_modelled="genes are not modelled; rls_genetic lumps the genetic risk into iron-acquisition gains"),

    # -- baseline physiology (science.md section 2) ------------------------------------------------
    _t("P1", _PHYS, "Brain iron is low in RLS (substantia nigra MRI, autopsy H-ferritin and iron staining)",
       "Allen et al. 2001 Neurology 56:263; Earley et al. 2006 Sleep Med 7:458; Connor et al. 2003 Neurology 61:304",
       "brain iron at least 10% below healthy in both RLS profiles", None, -10.0, "% vs healthy", _p1),
    _t("P1-b", _PHYS, "Iron deficiency on top of the genetic defect lowers brain iron further",
       "Allen et al. 2001; Sun et al. 1998 Sleep 21:371", "rls_iron_deficient below rls_genetic (> 0.5%)",
       None, -100 * NOISE, "% vs rls_genetic", _p1b),
    _t("P1-age", _PHYS, "The brain iron deficit is strongest in early onset; lower CSF ferritin goes with earlier onset",
       "Allen et al. 2001 Neurology 56:263; Earley et al. 2000 Neurology 54:1698", "larger deficit with earlier onset",
       not_modelled="the model has no age or age at onset; profiles are adult steady states"),
    _t("P2", _PHYS, "CSF ferritin is low while serum ferritin is normal; lower CSF/serum ferritin gain in RLS",
       "Earley et al. 2000 Neurology 54:1698; Mizuno et al. 2005 J Sleep Res 14:43",
       "CSF ferritin >= 10% low; serum ferritin within 10% of healthy and 30-400 ug/L; CSF/serum ratio >= 10% low",
       None, -10.0, "% vs healthy", _p2),
    _t("P2-b", _PHYS, "CSF transferrin is high in RLS", "Earley et al. 2000 Neurology 54:1698", "raised",
       not_modelled="the model has no CSF transferrin species (CSF ferritin only)"),
    _t("P3", _PHYS, "Transferrin receptor is lower on neuromelanin cells despite low iron (blunted IRP response)",
       "Connor et al. 2003 Neurology 61:304; Connor et al. 2004 Brain 127:2713",
       "neuronal TfR >= 10% low with labile iron >= 10% low in RLS; plain iron deficiency raises TfR and IRP",
       None, -10.0, "% vs healthy", _p3),
    _t("P4", _PHYS, "HIF-1a is raised in RLS substantia nigra and microvessels",
       "Patton et al. 2011 J Neurol Sci 301:107", "HIF >= 10% higher in both RLS profiles; endothelial HIF raised",
       10.0, None, "% vs healthy", _p4),
    _t("P5", _PHYS, "TH and phospho-TH raised; D2 receptors about 30% lower in putamen",
       "Connor et al. 2009 Brain 132:2403", "TH >= 10% higher; D2 about 30% lower (accepted 15-45%)",
       -45.0, -15.0, "% D2 vs healthy", _p5),
    _t("P5-b", _PHYS, "No difference in tissue dopamine (or total DAT) at autopsy", "Connor et al. 2009 Brain 132:2403",
       "tissue dopamine within 20% of healthy in both RLS profiles", -20.0, 20.0, "% tissue dopamine vs healthy",
       _p5b, note="autopsy measured total DAT, which the model does not represent; the model's DAT is membrane DAT, "
                  "which is lower in RLS (P6-b, Earley et al. 2011), so only tissue dopamine is scored here"),
    _t("P6-b", _PHYS, "Membrane DAT is decreased in the striatum in RLS", "Earley et al. 2011 Sleep 34:341",
       "membrane DAT lower than healthy in both RLS profiles (> 0.5%) under the default DAT hypothesis",
       None, -100 * NOISE, "% vs healthy", _p6b, note="direction is the declared dat_hypothesis"),
    _t("P6", _PHYS, "Membrane DAT is reduced in iron-deficient rodents (DAT mRNA -58%)",
       "Bianco et al. 2008 J Neurochem 106:205; Earley et al. 2011 Sleep 34:341",
       "membrane DAT lower in iron deficiency under the default hypothesis (> 0.5%)", None, -100 * NOISE,
       "% vs healthy", _p6, note="direction is a declared assumption (dat_hypothesis; Lai et al. 2017 found "
                                 "it higher)"),
    _t("P7", _PHYS, "Dopamine production is increased in RLS, higher at 10:00 than 22:00, with a larger daily swing",
       "Earley et al. 2006 Sleep Med 7:263; Earley et al. 2013 Sleep 36:51",
       "extracellular dopamine and release >= 10% higher at 10:00 than 22:00; mean and swing not below healthy",
       10.0, None, "% 10:00 vs 22:00", _p7),
    _t("P8", _PHYS, "Iron deficiency raises extracellular striatal dopamine in rodents",
       "Beard et al. 1994 Pharmacol Biochem Behav 48:621; Erikson et al. 2001",
       "+30 to +53% in severe dietary deficiency with brain iron 30-40% low", 30.0, 53.0, "% vs healthy", _p8,
       note=f"scored on {SEVERE_PROFILE} (the rodents' severity); the mild human iron_deficient profile is reported"),
    _t("P8-b", _PHYS, "D2 density falls with striatal iron in iron-deficient rodents",
       "Erikson et al. 2001 Pharmacol Biochem Behav 69:409", "D2 density lower in iron deficiency (> 0.5%)",
       None, -100 * NOISE, "% vs healthy", _p8b),
    _t("P9", _PHYS, "RLS myelin has about 25% less MBP, PLP and CNPase",
       "Connor et al. 2011 Sleep Med; Todorich et al. 2009 Glia",
       "about 25% less myelin; accepted 10-40% in both RLS profiles", 10.0, 40.0, "% less", _p9),
    _t("P9-b", _PHYS, "Iron-deficient rodents have 25-35% less MBP", "Beard et al. 2003 Dev Neurosci 25:308",
       "25-35% less in severe dietary deficiency", 25.0, 35.0, "% less", _p9b,
       note=f"scored on {SEVERE_PROFILE}"),
    _t("P10", _PHYS, "Plasma iron has a daily rhythm, well below the morning value by 18:00",
       "Blood 1983;61:799", "plasma iron and transferrin saturation at 18:00 >= 10% below the 07:00-10:00 mean; "
       "daily maximum 03:00-12:00", None, -10.0, "% vs morning", _p10),
    _t("P10-b", _PHYS, "Brain (ventral midbrain) iron varies by up to about 30% between light and dark (mice)",
       "BXD mouse studies (science.md section 2, to be checked)",
       "a daily variation of up to about 30%; accepted 3-30%", 3.0, 30.0, "% of mean", _p10b),
    _t("P11", _PHYS, "Iron deficiency of any cause raises RLS severity",
       "Sun et al. 1998 Sleep 21:371", "rls_iron_deficient evening peak > 2% above rls_genetic; ferritin < 30 ug/L",
       2.0, None, "% peak urge", _p11),
    _t("P11-b", _PHYS, "Lower serum ferritin correlates with more severe RLS", "Sun et al. 1998 Sleep 21:371",
       "less dietary iron: ferritin falls and the evening peak rises at every step", 0.0, None,
       "% peak urge", _p11b),
    _t("P12", _PHYS, "The blood-brain barrier compensates: transferrin receptor up in deficiency, down in overload",
       "Taylor and Morgan 1991 J Neurochem 57:1584", "BBB TfR up in iron deficiency and down in overload (> 0.5%)",
       1 + NOISE, None, "x healthy", _p12),
    _t("P12-b", _PHYS, "Brain iron uptake about doubles in deficiency and halves in overload",
       "Taylor and Morgan 1991 J Neurochem 57:1584",
       "x2 / x0.5 in uptake measured as a fraction of the plasma iron pool; accepted >= x1.41 and <= x0.71",
       2 ** 0.5, None, "x healthy", _p12b,
       note="Taylor and Morgan measured uptake of injected 59Fe-transferrin as a percentage of the dose, i.e. per "
            "plasma iron pool (bbb_iron_uptake_fraction). The absolute flux cannot double in steady state while brain "
            "iron is low: influx equals efflux, and efflux grows with brain iron. The absolute flux (bbb_iron_flux) "
            f"is reported: it falls in {SEVERE_PROFILE} (transferrin saturation about 9%) and rises in overload "
            "(saturation about 90%)"),
    _t("P12-c", _PHYS, "Magnitude of the BBB compensation: x2 in deficiency, x0.5 in overload",
       "Taylor and Morgan 1991 J Neurochem 57:1584", "x2 / x0.5; accepted >= x1.41 and <= x0.71",
       2 ** 0.5, None, "x healthy", _p12c, note=f"BBB TfR1 in {SEVERE_PROFILE} and {OVERLOAD_PROFILE}"),
    _t("N-ferritin", _PHYS, "Serum ferritin: normal 30-400 ug/L (men); iron deficiency < 30 ug/L (< 15 WHO)",
       "WHO 2020 guideline; science.md section 4",
       "healthy and rls_genetic 30-400 ug/L; iron-deficient profiles < 30 ug/L", 30.0, 400.0, "ug/L", _i_ferritin),
    _t("N-TSAT", _PHYS, "Transferrin saturation is 20-45% in health", "physiology texts; science.md section 4",
       "20-45% (healthy and rls_genetic, daily mean)", 20.0, 45.0, "%", _i_tsat),
    _t("N-body-iron", _PHYS, "Total body iron is 3-5 g", "physiology texts; science.md section 4",
       "3000-5000 mg", 3000.0, 5000.0, "mg", _i_body_iron),
    _t("N-plasma-iron", _PHYS, "Plasma transferrin-bound iron is about 3 mg", "physiology texts; science.md section 4",
       "about 3 mg; accepted 2-4 mg", 2.0, 4.0, "mg", _i_plasma),
    _t("N-absorption", _PHYS, "Absorbed dietary iron is 1-2 mg/day, matching losses",
       "physiology texts; Green et al. 1968 Am J Med 45:336", "1-2 mg/day; accepted 0.9-2.2", 0.9, 2.2, "mg/day",
       _i_absorption),
    _t("N-absorption-deficient", _PHYS, "Iron absorption rises up to several-fold in deficiency",
       "physiology texts; Hallberg et al. 1997 Am J Clin Nutr 66:347",
       "absorbed fraction x1.5 to x6 in iron deficiency", 1.5, 6.0, "x healthy", _i_absorption_deficient),
    _t("N-dopamine", _PHYS, "Basal extracellular striatal dopamine is about 4-30 nM",
       "Parsons and Justice 1992 J Neurochem", "4-30 nM", 4.0, 30.0, "nM", _i_dopamine),

    # -- iron therapy --------------------------------------------------------------------------
    _t("T-iron-IV-rise", _IRON, "IV ferric carboxymaltose 1000 mg makes serum ferritin jump within a week",
       "science.md section 3 (non-RLS trial: 96 -> 1150 ug/L at week 1); Ferinject SmPC",
       "week-1 ferritin at least x3 the pre-infusion value; peak within 14 days", 3.0, None, "x pre-infusion",
       _t_iv_rise, note=f"{IRON_PROFILE}, infusion on day {IRON_START_DAY}"),
    _t("T-iron-IV-magnitude", _IRON, "Size of the week-1 ferritin jump after 1000 mg FCM",
       "science.md section 3 (96 -> 1150 ug/L at week 1)", "about +1050 ug/L; accepted +500 to +2000",
       500.0, 2000.0, "ug/L", _t_iv_magnitude,
       note="the trial was in non-RLS patients; the lead is re-calibrating IV-iron handling"),
    _t("T-iron-IV-decline", _IRON, "After the jump, serum ferritin declines over weeks",
       "science.md section 3 (1150 at week 1 -> 395 ug/L at week 8)",
       "week-8 / week-1 ratio about 0.34; accepted 0.15-0.70", 0.15, 0.70, "ratio", _t_iv_decline),
    _t("T-iron-IV-brain", _IRON, "IV iron reaches the brain as transferrin-bound iron through the endothelium",
       "Allen et al. 2018 Sleep Med 41:27; science.md section 3",
       "brain iron and CSF ferritin higher than untreated at the end of follow-up (> 0.5%)", 100 * NOISE, None,
       "% vs untreated", _t_iv_brain, note="follow-up 182 days (quick: 84)"),
    _t("T-iron-IV-TSAT", _IRON, "With replete stores transferrin saturation is back in the normal range",
       "physiology texts (20-45%); science.md section 4",
       "weekly mean transferrin saturation in 20-45%, at least 2 points from either edge, from week 8 after 1000 mg FCM",
       20.0, 45.0, "%", _t_iv_tsat_after_repletion, note=f"{IRON_PROFILE}: blood loss continues after the infusion"),
    _t("T-iron-IV-replete", _IRON, "In iron-replete adults, 1000 mg FCM raises transferrin saturation to about 65% at "
       "week 1; back to about 38% by week 8, with hepcidin raised",
       "BMJ Open Respir Res 2020;7:e000577 (FCM 15 mg/kg vs placebo in COPD, n = 48: TSAT 31 -> 65 -> 38%, hepcidin "
       "x4.9 / x2.7, ferritin 96 -> 1150 -> 395 ug/L)",
       "week-8 saturation 38.2 +/- 12.4% (accepted 25.8-50.6); week 1 within 64.9 +/- 24.3%", 25.8, 50.6, "%",
       _t_iv_replete_trial, note="healthy profile; calibration target of the macrophage store and hepatocyte uptake"),
    _t("T-iron-IV-IRLS", _IRON, "IRLS improves after IV iron (FCM) in iron-deficient RLS",
       "Allen et al. 2018 Sleep Med 41:27 (pooled 7 trials, 537 patients); AAN 2016 Neurology 87:2585",
       "about -6 points vs placebo; accepted -12 to -3 at week 6", -12.0, -3.0, "IRLS points", _t_iv_irls(IRON_PROFILE),
       note="the model has no placebo response, so the change from baseline is compared with the "
            "placebo-corrected effect"),
    _t("T-iron-IV-normal-ferritin", _IRON, "IV FCM is effective in RLS up to serum ferritin < 300 ug/L",
       "Allen et al. 2018 Sleep Med 41:27", "IRLS improves by 3-12 points at week 6 in rls_genetic (ferritin about 129)",
       -12.0, -3.0, "IRLS points", _t_iv_irls("rls_genetic")),
    _t("T-iron-oral-IRLS", _IRON, "Oral iron helps RLS slowly when ferritin is low",
       "Wang et al. 2009 Sleep Med 10:973 (ferrous sulfate 325 mg twice daily, ferritin 15-75 ug/L: IRLS -10.3 vs "
       "-1.1 on placebo at 12 weeks); Allen et al. 2018 Sleep Med 41:27",
       "IRLS improves by 2-12 points at week 12, more slowly than after IV iron", -12.0, -2.0, "IRLS points",
       _t_oral_irls, note="65 mg elemental iron once daily (half of Wang's dose)"),
    _t("T-iron-oral", _IRON, "Oral iron (65 mg/day) raises serum ferritin over months when ferritin <= 75 ug/L",
       "Allen et al. 2018 Sleep Med 41:27 (IRLSSG task force); science.md section 3",
       "gradual rise: >= +10 ug/L by week 12, less than a quarter of it in week 1, still rising", 10.0, None,
       "ug/L", _t_oral),
    _t("T-iron-oral-absorption", _IRON, "Oral iron absorption rises when stores are low and falls as hepcidin rises",
       "science.md section 3; Hallberg et al. 1997 Am J Clin Nutr 66:347",
       "absorbed fraction >= x1.5 in iron-deficient RLS vs healthy, and lower after stores refill", 1.5, None,
       "x healthy", _t_oral_absorption),

    # -- treatment and augmentation ---------------------------------------------------------------
    *(
        _t(f"A-acute-{d}", _TREAT, f"{d.replace('_', ' ')} relieves symptoms at first (weeks 1-3)",
           ("Sinemet label; Allen and Earley 1996 Sleep 19:205" if d == "levodopa" else
            "Allen et al. 2014 NEJM 370:621" if d in ("pramipexole", "pregabalin") else
            "product label; science.md section 3"),
           "IRLS at least 3 points (clinically relevant) below baseline in weeks 1-3", None, -3.0,
           "IRLS points", _acute(d),
           note=f"{TREATMENT_PROFILE}, {DOSES[d][0]:g} {'mg/24 h' if d == 'rotigotine' else 'mg'} at "
                f"{DOSES[d][1]:g} h; no placebo response in the model")
        for d in DOPAMINERGIC + ALPHA2DELTA
    ),
    _t("A-levodopa", _TREAT, "Levodopa augments within months (onset often after 3-4 weeks)",
       "Allen and Earley 1996 Sleep 19:205 (82% within about 2 months); Garcia-Borreguero et al. 2007",
       "MPI-positive between 3 weeks and 6 months after the first dose", 21.0, 183.0, "days", _a_levodopa,
       note="median patient; the lead is re-calibrating augmentation dynamics"),
    _t("A-pramipexole", _TREAT, "Agonists augment later than levodopa or not within a year in a median patient",
       "Allen et al. 2014 NEJM 370:621 (7.7% at 52 weeks); Hogl et al. 2011 Sleep Med 12:351",
       "no MPI-positive week within a year, or later than levodopa", None, None, "days", _a_agonist("pramipexole"),
       note="quick mode runs exactly one year"),
    _t("A-ropinirole", _TREAT, "Agonists augment later than levodopa or not within a year in a median patient",
       f"{_META} (6.0% on agonists)", "no MPI-positive week within a year, or later than levodopa", None, None,
       "days", _a_agonist("ropinirole")),
    _t("A-rotigotine", _TREAT, "The rotigotine patch augments least among dopaminergic drugs",
       f"{_META} (1.7% transdermal vs 7.2% immediate release); Benes et al. 2012 Sleep Med 13:589",
       "smallest late augmentation severity and no earlier augmentation than the others", None, None,
       "ASRS-like (0-12)", _a_rotigotine),
    _t("A-alpha2delta", _TREAT, "Alpha-2-delta ligands do not augment",
       f"Allen et al. 2014 NEJM 370:621 (pregabalin 2.1%); {_META} (0.9%)",
       "never MPI-positive; onset advance < 2 h", None, 2.0, "h", _a_alpha2delta),
    _t("A-not-immediate", _TREAT, "Augmentation develops over weeks to months of daily use, not at once",
       "Garcia-Borreguero et al. 2007 Sleep Med 8:520; science.md section 3",
       "no dopaminergic drug MPI-positive in the first 14 days", None, None, "days", _a_not_immediate),
    _t("A-levodopa-dose", _TREAT, "Levodopa augmentation is worse with higher doses and severe baseline",
       "Allen and Earley 1996 Sleep 19:205", "200 mg at least as augmented as 100 mg; rls_iron_deficient at "
       "least as augmented as rls_genetic (late ASRS-like score)", 0.0, None, "ASRS-like difference",
       _a_levodopa_dose),
    *(
        _t(f"A-stop-{d}", _TREAT, f"Stopping {d} brings symptoms back within days (it relieves, it does not cure)",
           "Allen and Earley 1996 Sleep 19:205; science.md section 3",
           f"after {SHORT_STOP_DAYS} days of benefit, IRLS back to at least baseline - 1 within 7 days of the "
           "last dose", None, 7.0, "days", _a_stop(d))
        for d in ("levodopa", "pramipexole", "pregabalin")
    ),
    _t("A-rebound", _TREAT, "Stopping resolves augmentation over days to weeks, after a period of rebound",
       "science.md section 3 (augmentation); Allen and Earley 1996 Sleep 19:205",
       "first week off > 1 IRLS point above baseline (rebound), back within 1 point by the eighth week", 1.0, None,
       "IRLS points", _a_rebound, note="levodopa for 182 days (quick: 84), then 56 days off"),
    _t("A-D2", _TREAT, "Putamen D2 binding is about 24% lower on dopaminergic drugs than after withdrawal",
       "Thobois et al. 2004 Arch Neurol 61:1705 (Parkinson's)", "about -24%; accepted -40 to -10%",
       -40.0, -10.0, "% vs untreated", _a_d2, note="mean of levodopa and pramipexole; untreated baseline stands "
                                                   "in for the withdrawn state"),
    _t("A-rates", _TREAT, "Pooled augmentation rates: 27.1% levodopa, 6.0% agonists, 0.9% alpha-2-delta ligands",
       _META, "27.1% / 6.0% / 0.9%", not_modelled=_POP),
    _t("A-NEJM-52wk", _TREAT, "Augmentation 7.7% on pramipexole 0.5 mg vs 2.1% on pregabalin 300 mg at 52 weeks",
       "Allen et al. 2014 NEJM 370:621", "7.7% vs 2.1%",
       not_modelled=_POP + "; A-pramipexole and A-alpha2delta score the median-patient analogue"),
    _t("A-CALDIR", _TREAT, "Discontinuation for augmentation 9.8% on levodopa vs 4.0% on cabergoline (30 weeks)",
       "Trenkwalder et al. 2007 Mov Disord", "9.8% vs 4.0%",
       not_modelled="cabergoline is not in the drug table, and the rates need a population"),
    _t("A-community", _TREAT, "About 8% new augmentation per year on dopaminergic drugs (community sample)",
       "Allen et al. 2011 Sleep Med 12:431", "about 8% per year", not_modelled=_POP),
    _t("A-placebo-augmentation", _TREAT, "6.0% on placebo met augmentation criteria (9.2% on pramipexole; 26 weeks)",
       "Hogl et al. 2011 Sleep Med 12:351", "background rate 6% not growing with time",
       not_modelled="no day-to-day symptom variability or placebo arm: background 'augmentation' cannot arise"),
    _t("A-two-tiers", _TREAT, "8.2% MPI-positive at some visit, only 1.5% (rotigotine) / 0.5% (placebo) clinically relevant",
       "Benes et al. 2012 Sleep Med 13:589", "8.2% / 1.5% / 0.5%",
       not_modelled=_POP + "; both tiers are scored per patient in the A- rows"),
    _t("A-paradoxical-dose", _TREAT, "Paradoxical dose response (MPI criterion: more drug, worse symptoms)",
       "Garcia-Borreguero et al. 2007 Sleep Med 8:520", "present in augmentation",
       not_modelled="the augmentation scoring does not test dose changes within a run"),
    _t("A-placebo-IRLS", _TREAT, "Placebo arms improve about 6.6 IRLS points (7-11 over 12 weeks); little on PLMS",
       "Silva et al. 2017 Neurology 88:2216; Fulda and Wetter 2008 Brain 131:902", "about -6.6 points",
       not_modelled="no placebo reporting term in the symptom scores yet"),
)


def get(target_id: str) -> Target:
    """The target with id ``target_id``."""
    for t in TARGETS:
        if t.id == target_id:
            return t
    raise ValueError(f"unknown target {target_id!r}; valid: {', '.join(t.id for t in TARGETS)}")


# =============================================================================================
# running and reporting
# =============================================================================================
def _fmt_value(v, unit):
    if v is None or not np.isfinite(v):
        return "none"
    a = abs(v)
    s = f"{v:.3g}" if a < 10 else f"{v:.1f}" if a < 1000 else f"{v:.0f}"
    return s + (f" {unit}" if unit else "")


def evaluate(target: Target, runs: Runs) -> dict:
    """One scorecard row for ``target`` using the shared simulations ``runs``."""
    row = {"id": target.id, "category": target.category, "target": target.description,
           "source": target.source, "expected": target.expected, "unit": target.unit,
           "lo": target.lo, "hi": target.hi, "value": math.nan, "simulated": "", "status": NOT_MODELLED,
           "note": target.note, "failed_checks": [], "seconds": 0.0}
    if target.not_modelled:
        row["simulated"] = "not modelled"
        row["note"] = target.not_modelled
        return row
    t0 = time.perf_counter()
    obs = target.compute(runs)
    row["seconds"] = time.perf_counter() - t0
    row["value"] = float(obs.value) if obs.value is not None else math.nan
    failed = [k for k, v in obs.checks.items() if not v]
    if target.numeric and not in_range(row["value"], target.lo, target.hi):
        failed.insert(0, "value outside the accepted range")
    row["failed_checks"] = failed
    row["simulated"] = f"{_fmt_value(row['value'], target.unit)}: {obs.text}"
    row["status"] = PASS if target.passes(obs) else FAIL
    return row


def validate(model=None, quick: bool = False, targets=None, progress: bool = False) -> Scorecard:
    """Run every target (or those with ids in ``targets``); return a :class:`Scorecard`.

    Parameters
    ----------
    model: a :class:`rlsmodel.Model` (default: ``Model()``).
    quick: shorter horizons and coarser sampling (:data:`HORIZONS`); every target still runs.
    targets: iterable of target ids to run (default: all).
    progress: show a tqdm progress bar.
    """
    from .simulator import Model
    t_start = time.perf_counter()
    model = Model() if model is None else model
    chosen = TARGETS if targets is None else tuple(get(i) for i in targets)
    runs = Runs(model, quick)
    it = chosen
    if progress:
        try:
            from tqdm.auto import tqdm
            it = tqdm(chosen, desc="validation targets", unit="target")
        except ImportError:       # pragma: no cover
            pass
    rows = [evaluate(t, runs) for t in it]
    meta = {"rlsmodel_version": __version__, "quick": bool(quick), **runs.h,
            "augmentation_mechanism": getattr(model, "augmentation", ""),
            "dat_hypothesis": getattr(model, "dat_hypothesis", ""),
            "treatment_profile": TREATMENT_PROFILE, "iron_profile": IRON_PROFILE,
            "baseline_days": BASELINE_DAYS, "seconds": round(time.perf_counter() - t_start, 1),
            "simulations": sum(1 for k in runs._cache if k[0] not in ("steady",)),
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    return Scorecard(rows, meta)


def format_table(results, width: int = 70) -> str:
    """Aligned text table: id, status, expected, simulated (long cells shortened)."""
    def cut(s, n):
        s = " ".join(str(s).split())
        return s if len(s) <= n else s[: n - 1] + "~"
    rows = [(r["id"], r["status"], cut(r["expected"], width // 2 + 10), cut(r["simulated"], width))
            for r in results]
    head = ("id", "status", "expected", "simulated")
    w = [max(len(x[i]) for x in rows + [head]) for i in range(3)]
    lines = [f"{head[0]:<{w[0]}}  {head[1]:<{w[1]}}  {head[2]:<{w[2]}}  {head[3]}"]
    lines += [f"{a:<{w[0]}}  {b:<{w[1]}}  {c:<{w[2]}}  {d}" for a, b, c, d in rows]
    counts = _counts(results)
    lines.append(f"{len(results)} targets: {counts[PASS]} pass, {counts[FAIL]} fail, "
                 f"{counts[NOT_MODELLED]} not modelled")
    return "\n".join(lines)


def _counts(results):
    return {s: sum(r["status"] == s for r in results) for s in STATUSES}


def _md(s) -> str:
    return " ".join(str(s).split()).replace("|", "\\|")


def markdown(results) -> str:
    """The scorecard as a Markdown document (header, counts, one table per category)."""
    meta = getattr(results, "meta", {})
    c = _counts(results)
    mode = "quick" if meta.get("quick") else "full"
    lines = [
        "# Validation scorecard",
        "",
        f"Generated by `rlsmodel validate{' --quick' if meta.get('quick') else ''}` (rlsmodel "
        f"{meta.get('rlsmodel_version', __version__)}, {meta.get('date', '')}; {mode} mode, "
        f"{meta.get('seconds', '?')} s). Augmentation mechanism `{meta.get('augmentation_mechanism', '')}`, "
        f"DAT hypothesis `{meta.get('dat_hypothesis', '')}`. Do not edit by hand.",
        "",
        f"**{len(results)} targets: {c[PASS]} pass, {c[FAIL]} fail, {c[NOT_MODELLED]} not modelled.**",
        "",
        "Targets come from `science.md` (sections 1-4). Each row states the expected result and "
        "the accepted range of its headline number; *simulated* gives that number and the "
        "readouts behind it. Treatment targets use one median patient "
        f"(`{meta.get('treatment_profile', TREATMENT_PROFILE)}`, {meta.get('baseline_days', BASELINE_DAYS)} "
        f"untreated days, then {meta.get('treatment_days', '?')} days of each drug at a typical dose); "
        f"iron targets use `{meta.get('iron_profile', IRON_PROFILE)}` with {meta.get('iron_days', '?')} days "
        "of follow-up. A failed row lists the conditions that failed. 'not modelled' rows give the "
        "reason the model cannot address the target.",
        "",
    ]
    for cat in CATEGORIES:
        sub = [r for r in results if r["category"] == cat]
        if not sub:
            continue
        lines += [f"## {cat[0].upper() + cat[1:]}", "",
                  "| id | target | source | expected | simulated | status |",
                  "| --- | --- | --- | --- | --- | --- |"]
        for r in sub:
            sim = r["simulated"] if r["status"] != NOT_MODELLED else f"not modelled: {r['note']}"
            if r["status"] == FAIL and r["failed_checks"]:
                sim += " (failed: " + "; ".join(r["failed_checks"]) + ")"
            status = {PASS: "pass", FAIL: "**fail**", NOT_MODELLED: "*not modelled*"}[r["status"]]
            lines.append(f"| {_md(r['id'])} | {_md(r['target'])} | {_md(r['source'])} | {_md(r['expected'])} "
                         f"| {_md(sim)} | {status} |")
        lines.append("")
    notes = [r for r in results if r["status"] != NOT_MODELLED and r["note"]]
    if notes:
        lines += ["## Notes", ""] + [f"- **{_md(r['id'])}**: {_md(r['note'])}" for r in notes] + [""]
    return "\n".join(lines)


STATUS_COLOURS = {PASS: "#4daf4a", FAIL: "#e41a1c", NOT_MODELLED: "#bdbdbd"}


def _position(v, lo, hi):
    """Headline value on a normalised axis where the accepted range is [0, 1] (one-sided: [0, inf)
    or (-inf, 1]), scaled by the bound's magnitude; clipped to [-0.6, 1.6]."""
    if v is None or not np.isfinite(v):
        return math.nan
    if lo is not None and hi is not None:
        x = (v - lo) / (hi - lo) if hi > lo else 0.5
    elif lo is not None:
        x = (v - lo) / max(abs(lo), 1.0)
    else:
        x = 1.0 + (v - hi) / max(abs(hi), 1.0)
    return float(np.clip(x, -0.6, 1.6))


def figure(results, path):
    """Scorecard figure: one row per target, coloured by status, with expected vs simulated."""
    from matplotlib import patches

    from . import plotting
    plt = plotting.plt
    n = len(results)
    height = 0.27 * n + 1.2
    fig = plt.figure(figsize=(17, height))
    gs = fig.add_gridspec(1, 2, width_ratios=[5.2, 1.0], wspace=0.02, top=1 - 0.7 / height,
                          bottom=0.35 / height, left=0.01, right=0.99)
    ax, axp = fig.add_subplot(gs[0]), fig.add_subplot(gs[1])
    for a in (ax, axp):
        a.set_ylim(n - 0.5, -1.2)
    ax.set_xlim(0, 1)
    ax.axis("off")

    def cut(s, k):
        s = " ".join(str(s).split())
        return s if len(s) <= k else s[: k - 1] + "~"
    cols = [(0.0, "id", 30), (0.135, "expected", 60), (0.47, "simulated", 94)]
    for x, title, _ in cols:
        ax.text(x, -0.9, title, fontsize=8, fontweight="bold", va="center")
    prev_cat = None
    for i, r in enumerate(results):
        colour = STATUS_COLOURS[r["status"]]
        ax.add_patch(patches.Rectangle((0, i - 0.45), 0.13, 0.9, color=colour, alpha=0.85,
                                                           lw=0))
        if r["category"] != prev_cat:
            ax.axhline(i - 0.5, color="0.4", lw=0.6)
            axp.axhline(i - 0.5, color="0.4", lw=0.6)
            prev_cat = r["category"]
        sim = r["simulated"] if r["status"] != NOT_MODELLED else "not modelled: " + r["note"]
        ax.text(0.004, i, r["id"], fontsize=6.5, va="center", color="white" if r["status"] == FAIL else "black")
        ax.text(cols[1][0], i, cut(r["expected"], cols[1][2]), fontsize=6.2, va="center")
        ax.text(cols[2][0], i, cut(sim, cols[2][2]), fontsize=6.2, va="center")
        if r["lo"] is not None or r["hi"] is not None:
            x = _position(r["value"], r["lo"], r["hi"])
            a0 = 0.0 if r["lo"] is not None else -0.6
            a1 = 1.0 if r["hi"] is not None else 1.6
            axp.plot([a0, a1], [i, i], color="0.75", lw=4, solid_capstyle="butt")
            if np.isfinite(x):
                axp.plot([x], [i], "o", ms=4, color=colour, mec="k", mew=0.4)
            else:
                axp.text(0.5, i, "none", fontsize=5.5, va="center", ha="center", color=colour)
    axp.set_xlim(-0.7, 1.7)
    axp.set_yticks([])
    axp.set_xticks([0, 1])
    axp.set_xticklabels(["lower bound", "upper bound"], fontsize=6)
    axp.set_title("simulated (dot) vs accepted range (bar)", fontsize=7)
    for s in ("left", "right", "top"):
        axp.spines[s].set_visible(False)
    c = _counts(results)
    meta = getattr(results, "meta", {})
    fig.suptitle(f"rlsmodel validation scorecard: {c[PASS]} pass, {c[FAIL]} fail, {c[NOT_MODELLED]} not "
                 f"modelled ({'quick' if meta.get('quick') else 'full'} mode)", fontsize=10, y=1 - 0.15 / height)
    handles = [patches.Patch(color=v, label=k) for k, v in STATUS_COLOURS.items()]
    ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=3, fontsize=7, frameon=False)
    prov = {"figure": "validation scorecard", **{k: v for k, v in meta.items()}}
    return plotting.save(fig, path, prov)


def report(results, out_dir) -> dict:
    """Write ``figures/validation.png`` and ``docs/validation.md`` under ``out_dir``.

    Returns ``{"figure": path, "markdown": path}``.
    """
    out = Path(out_dir)
    md_path = out / "docs" / "validation.md"
    md_path.parent.mkdir(parents=True, exist_ok=True)
    md_path.write_text(markdown(results))
    png = figure(results, out / "figures" / "validation.png")
    return {"figure": png, "markdown": md_path}


__all__ = ["Target", "Observation", "Scorecard", "TARGETS", "CATEGORIES", "STATUSES", "PASS", "FAIL",
           "NOT_MODELLED", "validate", "report", "markdown", "format_table", "figure", "get", "evaluate"]
