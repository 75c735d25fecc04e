"""The drug table: pharmacokinetics, receptor pharmacology, RLS doses and sources.

Units (fixed for every entry)
-----------------------------
* doses in mg (``dose_unit`` says mg of what: salt, base, prodrug or elemental iron);
  the rotigotine patch dose is its nominal delivery rate in mg/24 h,
* ``tmax_h`` and ``half_life_h`` in hours, ``volume_l`` in litres,
* ``molecular_weight`` in g/mol of the species whose plasma amount is modelled (for a
  prodrug, of the active moiety in plasma),
* ``ki_nM``, ``ec50_alpha2delta_nM``, ``ki_mu_nM`` (mu-opioid receptor) and ``ic50_ent_nM``
  (equilibrative nucleoside transporter) in nM (free concentration at the target),
* fractions (bioavailability, unbound fraction, intrinsic activity) dimensionless.

``brain_plasma_ratio`` is the *unbound* brain-to-unbound plasma partition coefficient
(Kp,uu): the free concentration at the receptors is
``C_brain = C_plasma * unbound_fraction * brain_plasma_ratio``.

Reference dose and clock time
-----------------------------
``typical_dose_mg`` is the published range; ``reference_dose_mg`` at clock hour
``dose_clock_h`` is *the* typical dose: the one the validation scorecard, the experiments,
the population targets and the tests use whenever they say "a typical dose" (built with
:func:`reference_regimen`), so that they cannot drift apart. Oral evening drugs are taken at
21:00 (1-3 h before the default 23:00 bedtime, as the labels advise), the rotigotine patch is
changed at 08:00, gabapentin enacarbil is taken at about 17:00 (its label), oral iron in the
morning and the iron infusion at 10:00. Iron infusions are one-off (a single dose on the
start day); every other reference regimen is daily. A target or experiment that needs
another dose (a dose-response comparison, a trial arm at another strength) states it
explicitly, next to the reference it departs from.

Numbers come from science.md section 3, the product labels and the papers named in each
entry's ``sources`` (per-number notes in ``notes``). Where a number is a modelling choice
the note says ``assumed`` or ``derived`` and why.
"""
from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping, Optional

from scipy.optimize import brentq

#: Dopamine receptor subtypes the model reads drug loads at.
RECEPTORS = ("d1", "d2", "d3")

#: Stand-in Ki (nM) for "no measurable binding" (pKi < 4-5): makes the load negligible.
NO_AFFINITY_NM = 1.0e5


@dataclass(frozen=True, eq=False)
class Drug:
    """One drug (or iron product): PK, PD, RLS dosing and sources. Units in the module docstring."""

    name: str
    long_name: str
    kind: str                       # "dopaminergic", "alpha2delta", "opioid", "ent_inhibitor" or "iron"
    route: str                      # "oral", "transdermal" or "intravenous"
    dose_unit: str
    typical_dose_mg: tuple          # (low, high) typical RLS daily dose
    max_daily_dose_mg: float
    sources: str
    tmax_h: Optional[float] = None
    bioavailability: Optional[float] = None
    half_life_h: Optional[float] = None
    volume_l: Optional[float] = None
    molecular_weight: Optional[float] = None
    unbound_fraction: Optional[float] = None
    brain_plasma_ratio: Optional[float] = None
    ki_nM: Mapping = field(default_factory=dict)
    intrinsic_activity: Mapping = field(default_factory=dict)
    ec50_alpha2delta_nM: Optional[float] = None
    ki_mu_nM: Optional[float] = None                # mu-opioid receptor affinity (opioids)
    intrinsic_activity_mu: Optional[float] = None   # 1 = full mu agonist
    ic50_ent_nM: Optional[float] = None             # ENT inhibition (adenosine uptake inhibitors)
    moiety_fraction: float = 1.0    # mg of the modelled plasma species per mg dosed (prodrugs)
    ranges: Mapping = field(default_factory=dict)   # field -> (low, high) plausible range
    notes: Mapping = field(default_factory=dict)    # field -> source of that number
    reference_dose_mg: Optional[float] = None       # THE typical dose (see the module docstring)
    dose_clock_h: Optional[float] = None            # clock hour (0-24) of the reference dose

    def note(self, what: str) -> str:
        """Source of one number (falls back to the drug's ``sources``)."""
        return self.notes.get(what, self.sources)

    @property
    def absorption_rate_per_h(self) -> Optional[float]:
        """First-order absorption rate (1/h) that reproduces ``tmax_h`` given the half-life."""
        if self.tmax_h is None or self.half_life_h is None:
            return None
        return absorption_rate_from_tmax(self.tmax_h, self.half_life_h)

    @property
    def clearance_l_per_h(self) -> Optional[float]:
        """Plasma clearance CL = V * ln 2 / t1/2 (L/h)."""
        if self.volume_l is None or self.half_life_h is None:
            return None
        return self.volume_l * math.log(2) / self.half_life_h


def absorption_rate_from_tmax(tmax_h: float, half_life_h: float) -> float:
    """The absorption rate ka (1/h) of a one-compartment oral model peaking at ``tmax_h``.

    Solves ``tmax = ln(ka/ke) / (ka - ke)`` for ``ka > ke`` with ``ke = ln 2 / t1/2``.
    Raises ``ValueError`` if ``tmax_h >= 1/ke`` (no first-order absorption peaks that late).
    """
    ke = math.log(2) / half_life_h
    if not 0 < tmax_h < 1 / ke:
        raise ValueError(f"Tmax {tmax_h} h is not reachable with half-life {half_life_h} h "
                         f"(must be below 1/ke = {1 / ke:.3g} h)")

    def residual(ka):
        return math.log(ka / ke) / (ka - ke) - tmax_h

    return brentq(residual, ke * (1 + 1e-9), 1e4 * ke + 1e3, xtol=1e-14, rtol=1e-12)


_SINEMET = "Sinemet (carbidopa-levodopa) label"
_MIRAPEX = "Mirapex (pramipexole) US label"
_REQUIP = "Requip (ropinirole) US label"
_NEUPRO = "Neupro (rotigotine transdermal system) label"
_LYRICA = "Lyrica (pregabalin) label"
_HORIZANT = "Horizant (gabapentin enacarbil) US label"

_levodopa = Drug(
    name="levodopa", long_name="levodopa with carbidopa (immediate release)",
    kind="dopaminergic", route="oral", dose_unit="mg levodopa (with a decarboxylase inhibitor)",
    typical_dose_mg=(100.0, 200.0), max_daily_dose_mg=200.0,
    reference_dose_mg=200.0, dose_clock_h=21.0,       # the IRLSSG daily ceiling, one evening dose
    sources=f"{_SINEMET}; Nutt et al. 1985 Ann Neurol 18:537; science.md section 3",
    tmax_h=0.75, bioavailability=0.8, half_life_h=1.5, volume_l=60.0, molecular_weight=197.19,
    unbound_fraction=0.8, brain_plasma_ratio=0.15,
    ranges={"tmax_h": (0.5, 2.0), "bioavailability": (0.6, 1.0), "half_life_h": (1.0, 2.3),
            "volume_l": (40.0, 100.0), "unbound_fraction": (0.7, 0.9), "brain_plasma_ratio": (0.05, 0.5)},
    notes={
        "tmax_h": f"{_SINEMET}: mean time to peak plasma levodopa about 0.75 h",
        "half_life_h": f"{_SINEMET}: half-life 45 min alone, about 1.5 h with carbidopa",
        "bioavailability": "assumed about 0.8: carbidopa roughly doubles the oral bioavailability of "
                           "levodopa by blocking peripheral decarboxylation (Nutt et al. 1985 Ann Neurol 18:537)",
        "volume_l": "assumed about 0.85 L/kg in a 70 kg adult: gives a peak near 1 ug/mL after 100 mg "
                    "with carbidopa, typical of immediate-release levodopa/carbidopa",
        "molecular_weight": "levodopa C9H11NO4: 197.19 g/mol",
        "unbound_fraction": "levodopa is 10-30% bound to plasma proteins",
        "brain_plasma_ratio": "assumed: levodopa enters brain by the LAT1 large neutral amino acid carrier, "
                              "competing with plasma amino acids; striatal extracellular levodopa a small "
                              "fraction of plasma",
        "max_daily_dose_mg": "IRLSSG augmentation task force (Garcia-Borreguero et al. 2016 Sleep Med 21:1): "
                             "no more than 200 mg levodopa a day in RLS",
    },
)

_pramipexole = Drug(
    name="pramipexole", long_name="pramipexole (immediate release)",
    kind="dopaminergic", route="oral", dose_unit="mg pramipexole dihydrochloride monohydrate (US label strength)",
    typical_dose_mg=(0.125, 0.75), max_daily_dose_mg=0.75,
    reference_dose_mg=0.25, dose_clock_h=21.0,        # Allen et al. 2014's lower arm; 2-3 h before symptoms
    sources=f"{_MIRAPEX}; Wright et al. 1997 J Clin Pharmacol 37:520; Mierau et al. 1995 Eur J "
            f"Pharmacol 290:29; science.md section 3",
    tmax_h=2.0, bioavailability=0.9, half_life_h=10.0, volume_l=490.0, molecular_weight=302.26,
    unbound_fraction=0.85, brain_plasma_ratio=0.45,
    ki_nM={"d1": NO_AFFINITY_NM, "d2": 3.9, "d3": 0.5},
    intrinsic_activity={"d1": 0.0, "d2": 1.0, "d3": 1.0},
    ranges={"tmax_h": (1.0, 3.0), "bioavailability": (0.9, 1.0), "half_life_h": (8.0, 12.0),
            "volume_l": (400.0, 600.0), "unbound_fraction": (0.8, 0.9), "brain_plasma_ratio": (0.1, 2.0),
            "ki_d2": (2.0, 20.0), "ki_d3": (0.2, 2.0)},
    notes={
        "tmax_h": f"{_MIRAPEX}: peak plasma concentration about 2 h after dosing",
        "half_life_h": f"{_MIRAPEX}: terminal half-life about 8 h in young and 12 h in elderly volunteers; "
                       "10 h for a middle-aged RLS patient",
        "bioavailability": f"{_MIRAPEX}: absolute bioavailability above 90%",
        "volume_l": f"{_MIRAPEX}; Wright et al. 1997 J Clin Pharmacol 37:520: volume of distribution about 490-500 L",
        "molecular_weight": "US doses are of the dihydrochloride monohydrate salt (302.26 g/mol; base 211.33)",
        "unbound_fraction": f"{_MIRAPEX}: less than 20% bound to plasma proteins",
        "brain_plasma_ratio": "calibrated (issue 14, experiments/calibration/drug_efficacy.toml), not measured: a potency factor chosen so that the median rls_genetic patient is helped, not cured (pramipexole 0.25 mg: IRLS 20.7 -> 11.1 in weeks 2-3) and the 12-week placebo-corrected change of the 52-week virtual trial (n = 200, seed 2014, IRLS >= 15) is -3.7 (0.25 mg) and -4.6 (0.5 mg), inside the -3 to -9 around Scholz et al. 2011 Cochrane CD006009 (agonists -5.7 versus placebo); the published Ki are for the high-affinity state, so an in-vivo potency below Kp,uu = 1 is expected",
        "ki_d1": "lacks affinity for D1-like receptors (Mirapex label); NO_AFFINITY_NM stands for no binding",
        "ki_d2": "Mierau et al. 1995 Eur J Pharmacol 290:29: Ki 3.9 nM at the high-affinity state of D2L",
        "ki_d3": "Mierau et al. 1995 Eur J Pharmacol 290:29: Ki 0.5 nM at D3 (science.md: about 1 nM)",
        "intrinsic_activity": "full agonist at D2 and D3 (Coldwell et al. 1999 Br J Pharmacol 127:1696)",
        "max_daily_dose_mg": f"{_MIRAPEX}, RLS indication: titrated 0.125 to 0.5 mg, studied up to 0.75 mg",
    },
)

_ropinirole = Drug(
    name="ropinirole", long_name="ropinirole (immediate release)",
    kind="dopaminergic", route="oral", dose_unit="mg ropinirole (base, as labelled)",
    typical_dose_mg=(0.25, 4.0), max_daily_dose_mg=4.0,
    reference_dose_mg=2.0, dose_clock_h=21.0,         # about the mean dose of the ropinirole RLS trials
    sources=f"{_REQUIP}; Coldwell et al. 1999 Br J Pharmacol 127:1696; Eden et al. 1991 Pharmacol "
            f"Biochem Behav 38:147; science.md section 3",
    tmax_h=1.5, bioavailability=0.5, half_life_h=6.0, volume_l=525.0, molecular_weight=260.38,
    unbound_fraction=0.6, brain_plasma_ratio=1.2,
    ki_nM={"d1": NO_AFFINITY_NM, "d2": 29.0, "d3": 4.0},
    intrinsic_activity={"d1": 0.0, "d2": 1.0, "d3": 1.0},
    ranges={"tmax_h": (1.0, 2.0), "bioavailability": (0.4, 0.6), "half_life_h": (5.0, 7.0),
            "volume_l": (400.0, 650.0), "unbound_fraction": (0.5, 0.7), "brain_plasma_ratio": (0.1, 5.0),
            "ki_d2": (3.0, 100.0), "ki_d3": (0.7, 40.0)},
    notes={
        "tmax_h": f"{_REQUIP}: peak concentrations 1-2 h after dosing",
        "half_life_h": f"{_REQUIP}: elimination half-life about 6 h",
        "bioavailability": f"{_REQUIP}: absolute bioavailability about 50% (first-pass metabolism by CYP1A2)",
        "volume_l": f"{_REQUIP}: volume of distribution about 7.5 L/kg (525 L in a 70 kg adult)",
        "molecular_weight": "ropinirole base C16H24N2O: 260.38 g/mol (doses are labelled as base)",
        "unbound_fraction": f"{_REQUIP}: about 40% bound to plasma proteins",
        "brain_plasma_ratio": "calibrated (issue 14, experiments/calibration/drug_efficacy.toml), not measured: a potency factor chosen so that the median rls_genetic patient is helped, not cured (ropinirole 2 mg: IRLS 20.7 -> 12.0 in weeks 2-3) and the 12-week placebo-corrected change of the 52-week virtual trial (n = 200, seed 2014, IRLS >= 15) is -3.1, inside the -3 to -9 around Scholz et al. 2011 Cochrane CD006009 (agonists -5.7 versus placebo); the published Ki are for the high-affinity state, so an in-vivo potency below Kp,uu = 1 is expected",
        "ki_d1": "Eden et al. 1991 Pharmacol Biochem Behav 38:147: no affinity for D1 at 100 uM",
        "ki_d2": "Eden et al. 1991: Ki 29 nM at high-affinity D2 sites in human caudate (published Ki "
                 "differ widely by assay; Coldwell et al. 1999 functional pEC50 7.4, i.e. 40 nM)",
        "ki_d3": "Coldwell et al. 1999 Br J Pharmacol 127:1696: pEC50 8.4 at human D3 (4 nM), "
                 "about 10-fold D3-selective",
        "intrinsic_activity": "Coldwell et al. 1999: full agonist at human D2 and D3",
        "max_daily_dose_mg": f"{_REQUIP}, RLS indication: maximum recommended 4 mg once daily",
    },
)

_rotigotine = Drug(
    name="rotigotine", long_name="rotigotine 24-hour transdermal patch",
    kind="dopaminergic", route="transdermal", dose_unit="mg/24 h nominal patch delivery rate",
    typical_dose_mg=(1.0, 3.0), max_daily_dose_mg=3.0,
    reference_dose_mg=2.0, dose_clock_h=8.0,          # mid-range patch, changed each morning
    sources=f"{_NEUPRO}; Elshoff et al. 2015 Drugs 75:487; Scheller et al. 2009 Naunyn-Schmiedebergs "
            f"Arch Pharmacol 379:73; science.md section 3",
    bioavailability=0.82, half_life_h=6.0, volume_l=4000.0, molecular_weight=315.47,
    unbound_fraction=0.105, brain_plasma_ratio=42.7,
    ki_nM={"d1": 83.0, "d2": 13.5, "d3": 0.71},
    intrinsic_activity={"d1": 1.0, "d2": 1.0, "d3": 1.0},
    ranges={"bioavailability": (0.5, 1.0), "half_life_h": (5.0, 7.0), "volume_l": (2500.0, 6000.0),
            "unbound_fraction": (0.08, 0.12), "brain_plasma_ratio": (1.0, 120.0),
            "ki_d1": (30.0, 200.0), "ki_d2": (4.0, 40.0), "ki_d3": (0.2, 2.0)},
    notes={
        "bioavailability": "derived: Elshoff et al. 2015 Drugs 75:487, absolute bioavailability 37% of the "
                           "patch content over 24 h; the nominal rate is about 45% of the content released "
                           "per 24 h (Neupro label), so 0.37/0.45 = 0.82 of the nominal rate reaches plasma",
        "half_life_h": f"{_NEUPRO}; science.md: half-life 5-7 h after patch removal",
        "volume_l": "Elshoff et al. 2015: apparent volume above 2500 L and clearance 300-600 L/h; 4000 L "
                    "with a 6 h half-life gives a clearance of 460 L/h",
        "molecular_weight": "rotigotine base C19H25NOS: 315.47 g/mol",
        "unbound_fraction": f"{_NEUPRO}: about 89.5% bound to plasma proteins in vitro",
        "brain_plasma_ratio": "calibrated, not measured: with Kp,uu = 1 the published Ki values (Scheller et al. "
                              "2009) and 90% protein binding leave 2 mg/24 h with about 1% of pramipexole 0.25 mg's "
                              "D2/D3 load, yet the two are clinically comparable in RLS (Trenkwalder et al. 2008 "
                              "Lancet Neurol 7:595; Oertel et al. 2008). 30 absorbs the lipophilic drug's brain "
                              "accumulation and the assay differences between the Ki values; treat as a fitted "
                              "potency factor (re-fitted in issue 14 with the other agonists: 42.7)",
        "ki_d1": "Scheller et al. 2009 Naunyn-Schmiedebergs Arch Pharmacol 379:73: Ki 83 nM at D1",
        "ki_d2": "Scheller et al. 2009: Ki 13.5 nM at D2",
        "ki_d3": "Scheller et al. 2009: Ki 0.71 nM at D3",
        "intrinsic_activity": "Scheller et al. 2009: full agonist at D1, D2 and D3",
        "max_daily_dose_mg": f"{_NEUPRO}, RLS indication: 1-3 mg/24 h, maximum 3 mg/24 h",
    },
)

_pregabalin = Drug(
    name="pregabalin", long_name="pregabalin", kind="alpha2delta", route="oral",
    dose_unit="mg pregabalin", typical_dose_mg=(150.0, 450.0), max_daily_dose_mg=450.0,
    reference_dose_mg=300.0, dose_clock_h=21.0,       # Allen et al. 2014's pregabalin arm
    sources=f"{_LYRICA}; Buvanendran et al. 2010 Reg Anesth Pain Med 35:535; Feng et al. 2001 Eur J "
            f"Drug Metab Pharmacokinet 26:123; science.md section 3",
    tmax_h=1.0, bioavailability=0.9, half_life_h=6.3, volume_l=39.0, molecular_weight=159.23,
    unbound_fraction=1.0, brain_plasma_ratio=0.1, ec50_alpha2delta_nM=600.0,
    ranges={"tmax_h": (0.7, 2.5), "bioavailability": (0.9, 1.0), "half_life_h": (5.0, 8.0),
            "volume_l": (30.0, 50.0), "unbound_fraction": (0.95, 1.0), "brain_plasma_ratio": (0.05, 0.2),
            "ec50_alpha2delta": (200.0, 2000.0)},
    notes={
        "tmax_h": f"{_LYRICA}: peak plasma concentration within about 1 h (fasted)",
        "half_life_h": f"{_LYRICA}: mean elimination half-life 6.3 h",
        "bioavailability": f"{_LYRICA}: oral bioavailability at least 90%",
        "volume_l": f"{_LYRICA}: apparent volume of distribution about 0.56 L/kg (39 L in a 70 kg adult)",
        "molecular_weight": "pregabalin C8H17NO2: 159.23 g/mol",
        "unbound_fraction": f"{_LYRICA}: not bound to plasma proteins",
        "brain_plasma_ratio": "Buvanendran et al. 2010 Reg Anesth Pain Med 35:535: CSF/plasma AUC(0-24 h) "
                              "ratio 0.098 after 300 mg",
        "ec50_alpha2delta": "Feng et al. 2001 Eur J Drug Metab Pharmacokinet 26:123: brain extracellular "
                            "EC50 95 ng/mL (0.6 uM) for the anticonvulsant effect in rats",
        "max_daily_dose_mg": "science.md section 3: RLS dose 150-450 mg/day",
    },
)

_gabapentin_enacarbil = Drug(
    name="gabapentin_enacarbil", long_name="gabapentin enacarbil (extended-release prodrug of gabapentin)",
    kind="alpha2delta", route="oral", dose_unit="mg gabapentin enacarbil (plasma amounts are gabapentin)",
    typical_dose_mg=(600.0, 600.0), max_daily_dose_mg=1200.0,
    reference_dose_mg=600.0, dose_clock_h=17.0,       # the label: 600 mg at about 17:00
    sources=f"{_HORIZANT}; Neurontin (gabapentin) label; science.md section 3",
    tmax_h=7.3, bioavailability=0.75, half_life_h=5.5, volume_l=50.0, molecular_weight=171.24,
    unbound_fraction=0.97, brain_plasma_ratio=0.1, ec50_alpha2delta_nM=1800.0,
    moiety_fraction=171.24 / 329.39,
    ranges={"tmax_h": (5.0, 7.6), "bioavailability": (0.42, 0.85), "half_life_h": (5.1, 6.0),
            "volume_l": (40.0, 76.0), "unbound_fraction": (0.95, 1.0), "brain_plasma_ratio": (0.05, 0.2),
            "ec50_alpha2delta": (600.0, 6000.0)},
    notes={
        "tmax_h": f"{_HORIZANT}: gabapentin Tmax about 7.3 h taken with food (5 h fasted); "
                  "science.md: 7-9 h",
        "half_life_h": f"{_HORIZANT}: gabapentin half-life 5.1-6.0 h",
        "bioavailability": f"{_HORIZANT}: about 75% of the dose appears as gabapentin with food "
                           "(42-65% fasted); applied to the gabapentin molar equivalent of the dose",
        "volume_l": "derived: 50 L (gabapentin Vd 58 L, Neurontin label; 76 L, Horizant) so that "
                    "CL = 6.3 L/h matches gabapentin renal clearance 5-7 L/h and CL/F 6-9.3 L/h (Horizant label)",
        "molecular_weight": "gabapentin C9H17NO2: 171.24 g/mol (gabapentin enacarbil 329.39 g/mol)",
        "moiety_fraction": "mg gabapentin per mg gabapentin enacarbil: 171.24 / 329.39",
        "unbound_fraction": "gabapentin is less than 3% bound to plasma proteins",
        "brain_plasma_ratio": "assumed equal to pregabalin's CSF/plasma ratio (about 0.1; same LAT1 carrier)",
        "ec50_alpha2delta": "assumed: 3 x pregabalin's EC50; gabapentin binds alpha-2-delta with 2-6 fold "
                            "lower potency than pregabalin",
        "max_daily_dose_mg": f"{_HORIZANT}: 600 mg once daily for RLS; 1200 mg/day (the PHN dose) gave "
                             "no additional benefit in RLS",
    },
)

_ferrous_sulfate = Drug(
    name="ferrous_sulfate", long_name="oral ferrous sulfate", kind="iron", route="oral",
    dose_unit="mg elemental iron (65 mg per 325 mg ferrous sulfate tablet)",
    typical_dose_mg=(65.0, 130.0), max_daily_dose_mg=200.0,
    reference_dose_mg=65.0, dose_clock_h=8.0,         # one 325 mg tablet every morning
    sources="Allen et al. 2018 Sleep Med 41:27 (IRLSSG iron task force); science.md section 3",
    notes={
        "max_daily_dose_mg": "assumed: 200 mg elemental iron a day, the top of adult oral treatment "
                             "doses (100-200 mg/day); RLS practice 65 mg once or twice daily",
        "absorption": "absorbed like dietary non-haem iron: hepcidin-gated fraction of the periphery "
                      "module (absorption_max_fraction, hepcidin_absorption_k)",
    },
)

_ferric_carboxymaltose = Drug(
    name="ferric_carboxymaltose", long_name="intravenous ferric carboxymaltose", kind="iron",
    route="intravenous", dose_unit="mg iron", typical_dose_mg=(500.0, 1000.0), max_daily_dose_mg=1000.0,
    reference_dose_mg=1000.0, dose_clock_h=10.0,      # one 1000 mg infusion
    sources="Geisser and Burckhardt 2011 Pharmaceutics 3:12; Ferinject SmPC; Allen et al. 2018 Sleep "
            "Med 41:27; science.md section 3",
    half_life_h=9.4, ranges={"half_life_h": (7.0, 12.0)},
    notes={
        "half_life_h": "Geisser and Burckhardt 2011 Pharmaceutics 3:12: terminal plasma half-life 7.4 h "
                       "after 100 mg and 9.4 h after 1000 mg; cleared by reticuloendothelial macrophages",
        "max_daily_dose_mg": "Ferinject SmPC: at most 1000 mg iron (20 mg/kg) in one administration",
    },
)

_TARGIN = "Targin (oxycodone/naloxone prolonged-release tablets) SmPC"
_METHADONE = "Dolophine (methadone hydrochloride) US label"
_PERSANTINE = "Persantine (dipyridamole) label"

_oxycodone_naloxone = Drug(
    name="oxycodone_naloxone", long_name="oxycodone-naloxone (prolonged release)", kind="opioid", route="oral",
    dose_unit="mg oxycodone hydrochloride (with half as much naloxone, which acts only in the gut)",
    typical_dose_mg=(10.0, 40.0), max_daily_dose_mg=60.0,
    reference_dose_mg=20.0, dose_clock_h=21.0,        # about the trial's mean daily dose, taken for the night
    sources=f"{_TARGIN}; Trenkwalder et al. 2013 Lancet Neurol 12:1141; Oertel et al. 2016 CNS Drugs 30:749; "
            f"Chen et al. 1991 Life Sci 48:2165; Bostrom et al. 2006 Drug Metab Dispos 34:1624",
    tmax_h=3.5, bioavailability=0.75, half_life_h=4.5, volume_l=180.0, molecular_weight=351.83,
    unbound_fraction=0.55, brain_plasma_ratio=3.0, ki_mu_nM=18.0, intrinsic_activity_mu=1.0,
    ranges={"tmax_h": (2.5, 5.0), "bioavailability": (0.6, 0.87), "half_life_h": (3.5, 6.0),
            "volume_l": (120.0, 250.0), "unbound_fraction": (0.5, 0.6), "brain_plasma_ratio": (1.5, 4.0),
            "ki_mu": (5.0, 60.0)},
    notes={
        "tmax_h": f"{_TARGIN}: prolonged-release oxycodone peaks about 3-4 h after the dose",
        "half_life_h": f"{_TARGIN}: apparent elimination half-life of oxycodone about 4.5 h from the "
                       "prolonged-release tablet",
        "bioavailability": f"{_TARGIN}: absolute oral bioavailability of oxycodone up to 87% (60-87%)",
        "volume_l": "oxycodone volume of distribution about 2.6 L/kg (180 L in a 70 kg adult; OxyContin label)",
        "molecular_weight": "doses are of oxycodone hydrochloride (351.83 g/mol; base 315.36)",
        "unbound_fraction": f"{_TARGIN}: about 45% of oxycodone bound to plasma proteins",
        "brain_plasma_ratio": "Bostrom et al. 2006 Drug Metab Dispos 34:1624: unbound brain/unbound blood "
                              "oxycodone ratio about 3 in rats (active influx across the blood-brain barrier)",
        "ki_mu": "Chen et al. 1991 Life Sci 48:2165: oxycodone Ki about 18 nM at the mu-opioid receptor "
                 "(published values 10-60 nM by assay)",
        "intrinsic_activity_mu": "oxycodone is a full mu-opioid agonist in vivo",
        "naloxone": f"{_TARGIN}: oral naloxone bioavailability below 3% (first-pass), so it blocks gut opioid "
                    "receptors only and is not modelled centrally",
        "reference_dose": "Trenkwalder et al. 2013 Lancet Neurol 12:1141; Oertel et al. 2016 CNS Drugs 30:749: mean oxycodone "
                          "21.9 +- 15.0 mg/day, given twice daily; the model gives the daily total as one "
                          "evening dose (the night is when it acts)",
        "max_daily_dose_mg": f"{_TARGIN}, RLS indication: at most 60 mg oxycodone (30 mg naloxone) a day",
    },
)

_methadone = Drug(
    name="methadone", long_name="methadone", kind="opioid", route="oral",
    dose_unit="mg methadone hydrochloride", typical_dose_mg=(5.0, 20.0), max_daily_dose_mg=40.0,
    reference_dose_mg=10.0, dose_clock_h=21.0,        # a low evening dose, as in RLS practice
    sources=f"{_METHADONE}; Silver et al. 2011 Sleep Med 12:440; Ondo 2005 Mov Disord 20:345; "
            f"Codd et al. 1995 J Pharmacol Exp Ther 274:1263",
    tmax_h=3.0, bioavailability=0.8, half_life_h=24.0, volume_l=280.0, molecular_weight=345.91,
    unbound_fraction=0.13, brain_plasma_ratio=1.0, ki_mu_nM=5.0, intrinsic_activity_mu=1.0,
    ranges={"tmax_h": (1.0, 7.5), "bioavailability": (0.36, 1.0), "half_life_h": (8.0, 59.0),
            "volume_l": (70.0, 560.0), "unbound_fraction": (0.08, 0.2), "brain_plasma_ratio": (0.3, 2.0),
            "ki_mu": (1.0, 20.0)},
    notes={
        "tmax_h": f"{_METHADONE}: peak plasma concentration 1-7.5 h after an oral dose",
        "half_life_h": f"{_METHADONE}: terminal half-life 8-59 h; 24 h typical",
        "bioavailability": f"{_METHADONE}: oral bioavailability 36-100%",
        "volume_l": f"{_METHADONE}: steady-state volume of distribution 1-8 L/kg (4 L/kg, 280 L, typical)",
        "molecular_weight": "doses are of methadone hydrochloride (345.91 g/mol)",
        "unbound_fraction": f"{_METHADONE}: 85-90% bound to plasma proteins",
        "brain_plasma_ratio": "assumed about 1: methadone crosses the blood-brain barrier readily; P-glycoprotein "
                              "efflux keeps the unbound ratio near or below 1",
        "ki_mu": "Codd et al. 1995 J Pharmacol Exp Ther 274:1263: racemic methadone binds the mu-opioid receptor "
                 "with Ki in the low nM range (R-methadone about 3 nM)",
        "intrinsic_activity_mu": "methadone is a full mu-opioid agonist",
        "reference_dose": "Silver et al. 2011 Sleep Med 12:440 and Ondo 2005 Mov Disord 20:345: low daily doses "
                          "(about 5-20 mg) control refractory RLS for years",
        "max_daily_dose_mg": "assumed: 40 mg/day, the top of the doses used for RLS (Silver et al. 2011)",
    },
)

_dipyridamole = Drug(
    name="dipyridamole", long_name="dipyridamole", kind="ent_inhibitor", route="oral",
    dose_unit="mg dipyridamole", typical_dose_mg=(100.0, 300.0), max_daily_dose_mg=400.0,
    reference_dose_mg=200.0, dose_clock_h=21.0,       # about the trial's mean 218 mg/day, for the night
    sources=f"{_PERSANTINE}; Garcia-Borreguero et al. 2018 Sleep 41:zsy105; Garcia-Borreguero et al. 2021 "
            f"Mov Disord doi 10.1002/mds.28668; Mahony et al. 1982 Clin Pharmacol Ther 31:330; Ward et al. "
            f"2000 J Biol Chem 275:8375",
    tmax_h=1.25, bioavailability=0.5, half_life_h=10.0, volume_l=80.0, molecular_weight=504.63,
    unbound_fraction=0.01, brain_plasma_ratio=1.0, ic50_ent_nM=10.0,
    ranges={"tmax_h": (0.75, 2.5), "bioavailability": (0.37, 0.66), "half_life_h": (8.0, 13.0),
            "volume_l": (40.0, 250.0), "unbound_fraction": (0.01, 0.09), "brain_plasma_ratio": (0.01, 2.0),
            "ic50_ent": (3.0, 150.0)},
    notes={
        "tmax_h": f"{_PERSANTINE}: peak plasma concentration about 75 min after an oral dose",
        "half_life_h": f"{_PERSANTINE}: terminal (beta) half-life about 10 h (alpha phase 40 min)",
        "bioavailability": "Mahony et al. 1982 Clin Pharmacol Ther 31:330 and the label: systemic availability "
                           "37-66% of an oral dose",
        "volume_l": "assumed 80 L: the reported apparent volume; a one-compartment model of the 10 h phase",
        "molecular_weight": "dipyridamole C24H40N8O4: 504.63 g/mol",
        "unbound_fraction": f"{_PERSANTINE}: 91-99% bound to plasma proteins",
        "brain_plasma_ratio": "assumed 1 (not measured; a P-glycoprotein substrate, so possibly lower): the free "
                              "brain concentration then inhibits ENT1 by about 80% at the reference dose, as "
                              "therapeutic plasma levels inhibit adenosine uptake by up to 80% (Persantine label); "
                              "the size of the clinical effect is fitted through adenosine_ent_gain instead",
        "ic50_ent": "Ward et al. 2000 J Biol Chem 275:8375: dipyridamole inhibits the equilibrative nucleoside "
                    "transporter ENT1 in the low nM range (ENT2 far less sensitive)",
        "reference_dose": "Garcia-Borreguero et al. 2021 Mov Disord: flexible 100-300 mg/day, mean 218 mg/day; "
                          "Garcia-Borreguero et al. 2018 Sleep 41:zsy105 (open-label, 100-300 mg at night)",
        "max_daily_dose_mg": f"{_PERSANTINE}: 75-100 mg four times daily (400 mg/day) for thromboprophylaxis",
    },
)

#: The drug table, name -> :class:`Drug` (read-only).
DRUGS = MappingProxyType({d.name: d for d in (
    _levodopa, _pramipexole, _ropinirole, _rotigotine, _pregabalin, _gabapentin_enacarbil,
    _oxycodone_naloxone, _methadone, _dipyridamole, _ferrous_sulfate, _ferric_carboxymaltose)})


def get_drug(name) -> Drug:
    """The :class:`Drug` called ``name``; ``ValueError`` lists the valid names and the closest."""
    if isinstance(name, Drug):
        return name
    if isinstance(name, str) and name in DRUGS:
        return DRUGS[name]
    valid = ", ".join(DRUGS)
    near = difflib.get_close_matches(str(name).lower().replace(" ", "_").replace("-", "_"),
                                     list(DRUGS), n=1, cutoff=0.5)
    hint = f" Did you mean {near[0]!r}?" if near else ""
    raise ValueError(f"unknown drug {name!r}; valid drugs: {valid}.{hint}")


def table_rows():
    """One dict per drug with its main numbers (for docs and reports); units in the keys."""
    rows = []
    for d in DRUGS.values():
        rows.append({
            "drug": d.name, "route": d.route, "tmax_h": d.tmax_h, "F": d.bioavailability,
            "half_life_h": d.half_life_h, "Vd_L": d.volume_l, "MW_g_per_mol": d.molecular_weight,
            "fu": d.unbound_fraction, "Kp_uu": d.brain_plasma_ratio,
            **{f"Ki_{r}_nM": d.ki_nM.get(r) for r in RECEPTORS},
            **{f"IA_{r}": d.intrinsic_activity.get(r) for r in RECEPTORS},
            "EC50_a2d_nM": d.ec50_alpha2delta_nM, "Ki_mu_nM": d.ki_mu_nM, "IC50_ENT_nM": d.ic50_ent_nM,
            "typical_dose_mg": d.typical_dose_mg,
            "max_daily_dose_mg": d.max_daily_dose_mg, "sources": d.sources,
        })
    return rows
