"""Virtual populations: patients who differ in the parameters that differ between people.

>>> import rlsmodel
>>> pop = rlsmodel.population(200, seed=1, profile="rls_genetic")     # doctest: +SKIP
>>> pop["bbb_uptake_gain"].attrs["units"], float(pop["placebo_response"].mean())  # doctest: +SKIP

A profile (:mod:`rlsmodel.profiles`) is the *median* patient of its kind; a population
spreads patients around it. Each patient draws the quantities below from its own random
stream, so patient ``i`` is the same patient whatever ``n`` (and whatever the trial arm).

Distributions
-------------
``p`` is the value of the parameter in the chosen profile (declared default plus the
profile's override); ``Z`` a standard normal draw, independent per quantity and patient;
``LN(m, s)`` a lognormal with median ``m`` and log-SD ``s`` (mean ``m exp(s^2/2)``);
``N(mu, sd)`` a normal.

============================= ====================================== ====================================
quantity (unit)               distribution                           source or reason
============================= ====================================== ====================================
risk_allele_carrier (bool)    Bernoulli(0.5)                         risk loci exist (MEIS1, BTBD9, PTPRD,
                                                                     MAP2K5: Winkelmann et al. 2007 Nat
                                                                     Genet 39:1000; Stefansson et al. 2007
                                                                     NEJM 357:639; BTBD9 also lowers serum
                                                                     ferritin); one carrier class stands for
                                                                     them all; the frequency is assumed
bbb_uptake_gain (1)           carrier: LN(0.9 p, 0.2);               genotype-scaled BBB iron acquisition
                              non-carrier: LN(p / 0.9, 0.2)          (Earley et al. 2000; Mizuno et al.
                                                                     2005 slope). Effect size (x0.9 /
                                                                     x1.11, symmetric in log so the median
                                                                     patient stays at p) and log-SD fitted
                                                                     (decision 57) to the trials' baseline
                                                                     IRLS (22-28; A-trial-baseline)
neuron_uptake_gain (1)        as bbb_uptake_gain, same carrier       neuronal import defect (Connor et al.
                              status, own Z                          2003, 2004); effect size as above
diet_iron (mg/day)            LN(p, 0.25)                            Western intake about 10-20 mg/day
                                                                     (Hurrell and Egli 2010 Am J Clin Nutr
                                                                     91:1461S): 5-95 % range 10-23 around 15
blood_loss (mL/day)           profile without losses (p = 0):        extra losses are common but not
                              0 with probability 0.7, else           universal (menstruation about 0.5-1 mg
                              LN(2.0, 0.6); profile with losses      iron/day on average, 1 mL blood about
                              (p > 0): LN(p, 0.5)                    0.5 mg iron); the share with losses
                                                                     (0.3) is assumed
k_d2 (1/day)                  LN(p, 0.3)                             D2 half-life about 5 days (Wade et al.
                                                                     2000); between-person spread not
                                                                     measured: assumed
d2_adapt_exponent (1)         LN(p, 0.2)                             assumed (sensitivity of down-
                                                                     regulation to stimulation)
<drug>_brain_plasma_ratio     LN(p, 0.3) for levodopa, pramipexole,  person-to-person free brain exposure
(1)                           ropinirole and rotigotine              at a given dose (renal clearance,
                                                                     CYP1A2, BBB transport); CV about 30%
                                                                     assumed
k_d1_upregulation (1/day)     LN(p, 0.3), only when the model has    assumed (spinal D3/D1 mechanism)
                              it (augmentation="d3_d1_spinal")
d1_upregulation_gain (1)      LN(p, 1.0), only when the model has    assumed: individual susceptibility,
                              it (augmentation="d3_d1_spinal")       as d2_sensitization_gain (same
                                                                     footing for both hypotheses)
d2_sensitization_gain (1)     LN(p, 1.0), only when the model has    assumed: individual susceptibility to
                              it (augmentation="d2_tolerance")       augmentation (a minority augments on
                                                                     any agonist at similar rates across
                                                                     doses, Allen et al. 2014)
d2_persistent_gain (1/day)    LN(p, 1.0), only when the model has    assumed: susceptibility to the persistent,
                              it (augmentation="d2_tolerance")       pulsatility-driven sensitization; spreads
                                                                     the times of augmentation over years
                                                                     (Silver et al. 2011)
d2_drug_sensitization_gain    LN(p, 1.3), only when the model has    assumed: susceptibility to the drug-pulse
(1/day)                       it (augmentation="d2_tolerance")       sensitization (decision 47); spreads
                                                                     the years of augmentation
symptom_signal_threshold (1)  N(p, 0.04)                             assumed: spreads baseline severity
                                                                     (trial patients start at IRLS 22-28,
                                                                     science.md section 1)
symptom_noise_sd (IRLS        LN(3.7, 0.35)                          day-to-day symptom variability. A
points)                                                              reporting/measurement term, not
                                                                     biology: the SD of a per-day AR(1)
                                                                     fluctuation of the reported daily
                                                                     IRLS (rlsmodel.trial). Median fitted
                                                                     (issue 14, re-fitted in decision 57)
                                                                     to the MPI-positive tier
                                                                     on placebo (Hogl et al. 2011: 6.0%
                                                                     by week 26; Benes et al. 2012)
placebo_response (IRLS        N(-6.6, 6.0)                           mean IRLS fall on placebo across 85
points)                                                              trials (Silva et al. 2017 Neurology
                                                                     88:2216); a reporting offset reached
                                                                     over about 12 weeks (rlsmodel.trial);
                                                                     the individual SD is assumed
============================= ====================================== ====================================

Not varied (every patient has the profile's value): every other parameter, notably
``bbb_tfr_hif_gain`` and ``neuron_irp_tfr_gain`` (the blunted regulation that defines the
RLS profiles) and all drug parameters except the brain exposure factors above.

Domains and ranges
------------------
Every drawn parameter must lie inside its declared physical domain *and* its declared
plausible range (``Parameter.range``); ``symptom_noise_sd`` in [0.5, 8] and
``placebo_response`` within 3 SD of its mean. A draw outside is **redrawn** (the
normal ``Z`` again, keeping the patient's genotype and whether a loss is present), never
clipped: the result is the distribution truncated to the range, and the truncated means
are given by :func:`expected_mean`. If 1000 redraws all fail the distribution does not fit
the range and :func:`population` raises.

Seeds
-----
Patient ``i`` draws from ``numpy.random.SeedSequence(seed, spawn_key=(i, 0))`` -- the
``i``-th child of ``SeedSequence(seed).spawn`` made distinct per purpose -- in the fixed
order of the table; ``k_d1_upregulation`` comes last, so the other draws are the same
with either augmentation mechanism. ``spawn_key=(i, 1)`` is the patient's stream of
day-to-day symptom fluctuations in :mod:`rlsmodel.trial`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import xarray as xr
from scipy.stats import norm

from . import checks as _checks
from . import profiles as _profiles
from .model.hypotheses import DEFAULT_AUGMENTATION

#: Log-SD of the drug-pulse sensitization's build rate between patients (decision 47 assumed 0.5;
#: decision 55 set 1.3 by hand on 5-year trials, with the maturation rate and the threshold).
DRUG_SENSITIZATION_LOG_SD = 1.3
#: Probability of carrying the (composite) risk genotype; assumed.
CARRIER_PROBABILITY = 0.5
#: Multipliers of the uptake gains for carriers and non-carriers (symmetric in log). Set by hand
#: (decision 57; 0.8 / 1.25 assumed before) with :data:`UPTAKE_LOG_SD` so that the eligible patients
#: of a virtual trial start at the trials' mean baseline IRLS (22-28, science.md section 1; target
#: A-trial-baseline): 0.8 / 1.25 gave 28.9, with 46% of them at IRLS 30 or more.
CARRIER_FACTOR = 0.9
NON_CARRIER_FACTOR = 1.0 / CARRIER_FACTOR
#: Between-patient log-SD of the two uptake gains around the genotype's median (decision 57; 0.25
#: assumed before). With the factor above: eligible mean baseline IRLS 25.4 (n = 300, seed 2014).
UPTAKE_LOG_SD = 0.2
#: Share of patients with extra blood loss when the profile has none; assumed.
BLOOD_LOSS_PROBABILITY = 0.3
#: Median extra blood loss of those who lose blood (mL/day; about 1 mg iron/day).
BLOOD_LOSS_MEDIAN_ML = 2.0
#: Mean and SD of the individual placebo response (IRLS points; Silva et al. 2017 for the mean).
PLACEBO_MEAN, PLACEBO_SD = -6.6, 6.0
#: Median and log-SD of the day-to-day SD of the reported daily IRLS (IRLS points); assumed.
NOISE_MEDIAN, NOISE_LOG_SD = 3.7, 0.35
#: Bounds of the reporting quantities (redrawn outside).
NOISE_RANGE = (0.5, 8.0)
PLACEBO_RANGE = (PLACEBO_MEAN - 3 * PLACEBO_SD, PLACEBO_MEAN + 3 * PLACEBO_SD)
#: Redraws allowed per quantity before giving up.
MAX_REDRAWS = 1000
#: Purpose keys of the per-patient seed sequences.
STREAM_PARAMETERS, STREAM_DAILY_NOISE = 0, 1


@dataclass(frozen=True)
class Spread:
    """How one quantity spreads between patients.

    ``kind``: ``"lognormal"`` (median ``scale * centre``, log-SD ``sd``), ``"normal"`` (mean
    ``centre``, SD ``sd``), ``"genotype_lognormal"`` (lognormal whose median is multiplied by
    the carrier / non-carrier factor) or ``"loss"`` (blood loss, see the module table).
    ``centre``: None for the profile's value, else a fixed number. ``model_parameter``:
    whether it is a model parameter (else a reporting quantity used by the trial).
    """

    name: str
    kind: str
    sd: float
    centre: float | None = None
    units: str = "1"
    model_parameter: bool = True
    optional: bool = False
    source: str = ""
    bounds: tuple | None = None          # for non-parameters; parameters use their declared range

    def describe(self) -> str:
        c = "p" if self.centre is None else f"{self.centre:g}"
        if self.kind == "lognormal":
            return f"lognormal, median {c}, log-SD {self.sd:g}"
        if self.kind == "normal":
            return f"normal, mean {c}, SD {self.sd:g}"
        if self.kind == "genotype_lognormal":
            return (f"lognormal, median {CARRIER_FACTOR:g} p (risk-allele carriers, probability "
                    f"{CARRIER_PROBABILITY:g}) or {NON_CARRIER_FACTOR:.3g} p, log-SD {self.sd:g}")
        return (f"p = 0: 0 with probability {1 - BLOOD_LOSS_PROBABILITY:g}, else lognormal median "
                f"{BLOOD_LOSS_MEDIAN_ML:g} mL/day, log-SD 0.6; p > 0: lognormal median p, log-SD {self.sd:g}")


_GENE = ("risk loci exist (MEIS1, BTBD9, PTPRD, MAP2K5: Winkelmann et al. 2007 Nat Genet; Stefansson "
         "et al. 2007 NEJM); carrier frequency assumed")
_UPTAKE_FIT = ("; the genotype's multiplier (x0.9 / x1.11) and the log-SD 0.2 set by hand (decision 57) so that "
               "a virtual trial's eligible patients start at the trials' mean baseline IRLS (22-28, science.md "
               "section 1; A-trial-baseline: 25.4 at n = 300, seed 2014; x0.8 / x1.25 and 0.25, assumed before, "
               "gave 28.9)")
#: The spreads, in the order each patient draws them (the order is part of the seed contract).
SPREADS = (
    Spread("bbb_uptake_gain", "genotype_lognormal", UPTAKE_LOG_SD,
           source="Earley et al. 2000; Mizuno et al. 2005 (a transport gain); " + _GENE + _UPTAKE_FIT),
    Spread("neuron_uptake_gain", "genotype_lognormal", UPTAKE_LOG_SD,
           source="Connor et al. 2003, 2004 (neuronal acquisition defect); " + _GENE + _UPTAKE_FIT),
    Spread("diet_iron", "lognormal", 0.25,
           source="Hurrell and Egli 2010 Am J Clin Nutr 91:1461S: Western intake about 10-20 mg/day"),
    Spread("blood_loss", "loss", 0.5,
           source="menstruation about 0.5-1 mg iron/day on average (1 mL blood about 0.5 mg iron); "
                  "share with losses assumed"),
    Spread("k_d2", "lognormal", 0.3, source="Wade et al. 2000 (D2 half-life about 5 days); spread assumed"),
    Spread("d2_adapt_exponent", "lognormal", 0.2, source="assumed"),
    Spread("symptom_signal_threshold", "normal", 0.04,
           source="assumed: spreads baseline severity around the profile's"),
    Spread("symptom_noise_sd", "lognormal", NOISE_LOG_SD, centre=NOISE_MEDIAN, model_parameter=False,
           bounds=NOISE_RANGE,
           source="median fitted (issue 14, 52-week virtual trial, n = 200, seed 2014; re-fitted in decision 57 "
                  "on that decision's population, n = 300: 3.7 gives 6.0%, 3.5 5.0%, 4.0 9.2%) to the background "
                  "MPI-positive rate on placebo (Hogl et al. 2011: 6.0% by week 26) and the MPI tier of Benes et "
                  "al. 2012; log-SD assumed"),
    Spread("placebo_response", "normal", PLACEBO_SD, centre=PLACEBO_MEAN, model_parameter=False,
           bounds=PLACEBO_RANGE,
           source="Silva et al. 2017 Neurology 88:2216 (mean -6.6 IRLS points on placebo); SD assumed"),
    *(Spread(f"{drug}_brain_plasma_ratio", "lognormal", 0.3, optional=True,
             source="assumed: person-to-person spread of free brain exposure at a given dose (renal "
                    "clearance of pramipexole falls with age and renal function, Mirapex label; CYP1A2 "
                    "for ropinirole, Requip label; BBB transport) with a log-SD of 0.3 (CV about 30%)")
      for drug in ("levodopa", "pramipexole", "ropinirole", "rotigotine")),
    Spread("k_d1_upregulation", "lognormal", 0.3, optional=True, source="assumed (spinal D3/D1 mechanism)"),
    Spread("d1_upregulation_gain", "lognormal", 1.0, optional=True,
           source="assumed (issue 14): individual susceptibility to augmentation under the spinal D3/D1 "
                  "mechanism, with the same log-SD as d2_sensitization_gain so the two hypotheses are "
                  "compared on the same population (only when augmentation=\"d3_d1_spinal\")"),
    Spread("d2_sensitization_gain", "lognormal", 1.0, optional=True,
           source="assumed (issue 14): individual susceptibility to augmentation. Augmentation affects a "
                  "minority on any dopaminergic drug, at similar rates across agonists and doses (Allen et al. "
                  "2014 NEJM 370:621: 5.3% at 0.25 mg, 7.7% at 0.5 mg pramipexole), i.e. who augments depends "
                  "more on the person than on the exposure; log-SD 1.0 (a tenth of patients at least 3.6x the "
                  "median), only when the model has it (augmentation=\"d2_tolerance\")"),
    Spread("d2_persistent_gain", "lognormal", 1.0, optional=True,
           source="assumed (issue 22, decision 34): individual susceptibility to the persistent, pulsatility-"
                  "driven sensitization of D2 tolerance; the log-normal spread of the build rate spreads the times "
                  "at which patients reach augmentation over years (new cases after the first year, Silver et al. "
                  "2011 Sleep Med 12:440); log-SD 1.0 as d2_sensitization_gain, drawn independently (only when the "
                  "model has it)"),
    Spread("d2_drug_sensitization_gain", "lognormal", DRUG_SENSITIZATION_LOG_SD, optional=True,
           source="assumed (issue 22 item 1, decision 47): individual susceptibility to the drug-pulse "
                  "sensitization; spreads the years at which patients augment (Silver et al. 2011 Sleep Med "
                  "12:440: new cases at a roughly constant rate for up to 10 years). Log-SD set by hand "
                  "(decision 55; 0.5 in decision 47): 1.3 spreads the crossings over years 2-4 (4.7-7.6% a "
                  "year on pramipexole 0.25 mg and ropinirole 2 mg at n = 300, seed 2014), while the "
                  "supraphysiological threshold 2.3 keeps the fast tail out of the first year on pramipexole "
                  "0.5 mg (A-NEJM-52wk 7.9%, Allen et al. 2014: 7.7%); drawn independently, last"),
)
_BY_NAME = {s.name: s for s in SPREADS}

_LONG_NAMES = {
    "symptom_noise_sd": "SD of the day-to-day fluctuation of the reported daily IRLS",
    "placebo_response": "individual placebo response: IRLS reporting offset reached over about 12 weeks",
}


def parameter_table(model=None, augmentation=DEFAULT_AUGMENTATION):
    """Declared parameters (name -> Parameter) of ``model``, or of the declaration of the
    default model with ``augmentation`` (no compilation needed)."""
    if model is not None:
        return model.parameters
    from .model import assemble
    from .simulator import declared_modules
    return assemble(declared_modules(augmentation)).parameters


def spreads_for(table) -> tuple:
    """The spreads that apply to a model with parameter ``table`` (optional ones if present)."""
    return tuple(s for s in SPREADS if not s.optional or s.name in table)


def profile_values(profile, table) -> dict:
    """Value of every spread parameter in ``profile`` (declared default, then the override)."""
    prof = _profiles.get(profile)
    return {s.name: float(prof.overrides.get(s.name, table[s.name].default))
            for s in spreads_for(table) if s.model_parameter}


def bounds_of(spread: Spread, table) -> tuple:
    """(low, high) a value must lie in: the declared range (parameters) or the spread's bounds."""
    if not spread.model_parameter:
        return tuple(spread.bounds)
    return tuple(float(v) for v in table[spread.name].range)


def _draw(rng, spread, p, carrier, low, high, check):
    """One value of ``spread`` for one patient, redrawn until inside [low, high]."""
    centre = p if spread.centre is None else spread.centre
    if spread.kind == "loss":
        if p > 0:
            median, sd = p, spread.sd
        else:
            if rng.random() >= BLOOD_LOSS_PROBABILITY:
                return 0.0
            median, sd = BLOOD_LOSS_MEDIAN_ML, 0.6
    elif spread.kind == "genotype_lognormal":
        median, sd = centre * (CARRIER_FACTOR if carrier else NON_CARRIER_FACTOR), spread.sd
    else:
        median, sd = centre, spread.sd
    for _ in range(MAX_REDRAWS):
        z = rng.standard_normal()
        v = centre + sd * z if spread.kind == "normal" else median * math.exp(sd * z)
        if low <= v <= high and check(v):
            return v
    raise ValueError(f"population: {spread.name} ({spread.describe()}, p = {p:g}) fell outside "
                     f"[{low:g}, {high:g}] in {MAX_REDRAWS} draws; the profile's value does not fit "
                     "the declared range")


def draw_patient(i: int, seed: int, spreads, centres, bounds, checks) -> dict:
    """All quantities of patient ``i`` (its own seed sequence; see the module docstring)."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(i, STREAM_PARAMETERS)))
    carrier = bool(rng.random() < CARRIER_PROBABILITY)
    out = {"risk_allele_carrier": carrier}
    for s in spreads:
        low, high = bounds[s.name]
        out[s.name] = _draw(rng, s, centres.get(s.name, 0.0), carrier, low, high, checks[s.name])
    return out


def population(n, seed, profile="rls_genetic", model=None, *, augmentation=DEFAULT_AUGMENTATION) -> xr.Dataset:
    """Draw ``n`` virtual patients around ``profile``.

    Parameters
    ----------
    n
        number of patients (integer >= 1).
    seed
        non-negative integer; patient ``i`` depends only on ``seed`` and ``i``.
    profile
        the profile whose values are the population medians (:mod:`rlsmodel.profiles`).
    model
        the :class:`rlsmodel.Model` whose declared domains and ranges bound the draws and
        whose parameters decide which spreads apply (``k_d1_upregulation`` only with the
        spinal mechanism); default: the declaration for ``augmentation`` (not compiled).

    Returns
    -------
    xarray.Dataset
        over ``patient`` (0..n-1): one variable per varied model parameter
        (attrs ``units``, ``kind="parameter"``, ``distribution``, ``source``),
        ``symptom_noise_sd`` and ``placebo_response`` (IRLS points, ``kind="reporting"``) and
        ``risk_allele_carrier`` (bool). Distributions: the module docstring.
    """
    n = _checks.whole("n", n, 1)
    seed = _checks.whole("seed", seed, 0)
    prof = _profiles.get(profile)
    table = parameter_table(model, augmentation)
    spreads = spreads_for(table)
    centres = profile_values(prof, table)
    fitted = dict(getattr(model, "profile_overrides", {}).get(prof.name, {}))   # a calibrated model's profile values
    centres.update({k: v for k, v in fitted.items() if k in centres})
    bounds = {s.name: bounds_of(s, table) for s in spreads}
    checks = {s.name: (_domain_check(table[s.name]) if s.model_parameter else (lambda v: True))
              for s in spreads}
    rows = [draw_patient(i, seed, spreads, centres, bounds, checks) for i in range(n)]
    data = {"risk_allele_carrier": ("patient", np.array([r["risk_allele_carrier"] for r in rows], bool),
                                    {"long_name": "carrier of the risk genotype (MEIS1/BTBD9-like)",
                                     "distribution": f"Bernoulli({CARRIER_PROBABILITY:g})", "source": _GENE,
                                     "kind": "genotype"})}
    for s in spreads:
        values = np.array([r[s.name] for r in rows], dtype=float)
        if s.model_parameter:
            par = table[s.name]
            attrs = {"units": par.unit, "long_name": par.description, "kind": "parameter",
                     "profile_value": centres[s.name], "range": list(bounds[s.name])}
        else:
            attrs = {"units": "1", "long_name": _LONG_NAMES[s.name], "kind": "reporting",
                     "range": list(bounds[s.name]), "description": "IRLS points"}
        attrs.update({"distribution": s.describe() + "; redrawn outside the range",
                      "source": s.source, "expected_mean": expected_mean(s.name, prof, table)})
        data[s.name] = ("patient", values, attrs)
    ds = xr.Dataset(data, coords={"patient": ("patient", np.arange(n), {"long_name": "patient index"})})
    ds.attrs.update({"title": "rlsmodel virtual population", "profile": prof.name, "seed": seed, "n": n,
                     "seed_scheme": "patient i: numpy SeedSequence(seed, spawn_key=(i, 0))",
                     "description": "distributions: rlsmodel.populations module docstring, docs/population.md"})
    return ds


def _domain_check(parameter):
    def ok(v):
        try:
            parameter.check_value(v)
        except ValueError:
            return False
        return True
    return ok


def varied_parameters(pop: xr.Dataset) -> list:
    """Names of the model parameters varied in a population Dataset."""
    return [n for n, v in pop.data_vars.items() if v.attrs.get("kind") == "parameter"]


# -- documented means -------------------------------------------------------------------------
def _trunc_lognormal_mean(median, sd, low, high):
    """Mean of LN(median, sd) truncated to [low, high] (low may be 0).

    A median of 0 is the point mass at 0 (a process switched off: every patient gets 0).
    """
    if median == 0:
        return 0.0
    a = -np.inf if low <= 0 else math.log(low / median) / sd
    b = math.log(high / median) / sd
    mass = norm.cdf(b) - norm.cdf(a)
    return median * math.exp(sd * sd / 2) * (norm.cdf(b - sd) - norm.cdf(a - sd)) / mass


def _trunc_normal_mean(mu, sd, low, high):
    a, b = (low - mu) / sd, (high - mu) / sd
    return mu + sd * (norm.pdf(a) - norm.pdf(b)) / (norm.cdf(b) - norm.cdf(a))


def expected_mean(name, profile="rls_genetic", table=None) -> float:
    """Population mean of ``name`` implied by the documented distribution, truncation included."""
    table = parameter_table() if table is None else table
    s = _BY_NAME[name]
    low, high = bounds_of(s, table)
    p = profile_values(profile, table).get(name, 0.0) if s.model_parameter else 0.0
    centre = p if s.centre is None else s.centre
    if s.kind == "normal":
        return float(_trunc_normal_mean(centre, s.sd, low, high))
    if s.kind == "lognormal":
        return float(_trunc_lognormal_mean(centre, s.sd, low, high))
    if s.kind == "genotype_lognormal":
        return float(CARRIER_PROBABILITY * _trunc_lognormal_mean(CARRIER_FACTOR * centre, s.sd, low, high)
                     + (1 - CARRIER_PROBABILITY) * _trunc_lognormal_mean(NON_CARRIER_FACTOR * centre, s.sd,
                                                                          low, high))
    if p > 0:
        return float(_trunc_lognormal_mean(p, s.sd, low, high))
    return float(BLOOD_LOSS_PROBABILITY * _trunc_lognormal_mean(BLOOD_LOSS_MEDIAN_ML, 0.6, low, high))


__all__ = ["population", "expected_mean", "varied_parameters", "SPREADS", "Spread", "parameter_table"]
