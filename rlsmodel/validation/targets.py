"""The targets of the scorecard, one keyword row each, in report order.

Each row is a :class:`~rlsmodel.validation.scoring.Target`: what was published (description,
source), what is expected (in words, and the accepted range ``lo``-``hi`` of the headline
number in ``unit``), and the check that computes it (``compute``, from
:mod:`rlsmodel.validation.checks`; arguments bound with :func:`functools.partial`), or the
reason the model cannot address it (``not_modelled``). Targets the model cannot address
stay in the table; none is dropped.
"""
from __future__ import annotations

from dataclasses import replace
from functools import partial

from ..pharmacology import dose_text, reference_dose
from .checks import iron_therapy, long_term, physiology, population, switching, symptoms, treatment
from .protocol import (ALLEN_2014_PRAMIPEXOLE_MG, ALPHA2DELTA, DOPAMINERGIC, DOSES, IRON_PROFILE, IRON_START_DAY,
                       LEVODOPA_LOW_DOSE, OVERLOAD_PROFILE, SEVERE_PROFILE, SHORT_STOP_DAYS, TREATMENT_PROFILE)
from .scoring import IRON_THERAPY, NOISE, PHYSIOLOGY, SYMPTOMS, TREATMENT, Target

# sources cited by several rows
TRENKWALDER_HENING = "Trenkwalder et al. 1999 Mov Disord 14:102; Hening et al. 1999 Sleep 22:901"
MONTPLAISIR = "Montplaisir et al. 1997 Mov Disord 12:61"
META_ANALYSIS = "Meta-analysis of 60 studies, Medicine (Baltimore) 2016;95:e2504"
#: How the population rows are scored (rlsmodel.validation.checks.population; docs/decisions.md).
RATE_RULE = ("Pass when each published rate lies inside the simulated Wilson 95% interval, i.e. the simulated rate "
             "within p +- 1.96 sqrt(p(1-p)/n) (n = patients scored per arm; shown as the accepted range).")
#: why a rate across patients cannot be scored on the median patient (former wording; the
#: population rows now run on a virtual trial, ``validate(population=N)``)
NEEDS_POPULATION = (
    "a rate across patients: the scorecard simulates one deterministic median patient per "
    "profile; scoring it needs a virtual population with between-patient and day-to-day "
    "variability (a virtual-trial experiment, not this scorecard)")


def _acute_source(drug: str) -> str:
    if drug == "levodopa":
        return "Sinemet label; Allen and Earley 1996 Sleep 19:205"
    if drug in ("pramipexole", "pregabalin"):
        return "Allen et al. 2014 NEJM 370:621"
    return "product label; science.md section 3"


SYMPTOM_TARGETS = (
    Target(id="C-peak", category=SYMPTOMS,
           description="Symptom intensity peaks between midnight and 01:00 (untreated RLS, at rest)",
           source=TRENKWALDER_HENING,
           expected="maximum 00:00-01:00; accepted 22:00-03:00 (2 h tolerance for the model's circadian phase)",
           lo=22.0, hi=27.0, unit="clock h (24 = 00:00)", compute=symptoms.urge_peak_hour,
           note="urge_at_rest (posture-independent urge); 5-min samples of the entrained day"),
    Target(id="C-trough", category=SYMPTOMS,
           description="Symptom intensity is least at 09:00-11:00",
           source=TRENKWALDER_HENING,
           expected="minimum 09:00-11:00; accepted 07:00-13:00 (2 h tolerance)",
           lo=7.0, hi=13.0, unit="clock h", compute=symptoms.urge_trough_hour),
    Target(id="C-rest", category=SYMPTOMS,
           description="Rest makes discomfort rise only between about 21:00 and 08:00 (rest and clock interact)",
           source="Michaud et al. 2005 Sleep 28:843",
           expected="urge at rest above the symptom threshold (3/10) only within 21:00-08:00; accepted 20:00-09:00 "
                    "(1 h tolerance)",
           lo=20.0, unit="clock h (start)", compute=symptoms.symptoms_at_rest_window),
    Target(id="C-movement", category=SYMPTOMS,
           description="Symptoms are relieved by movement for as long as it lasts and return at rest",
           source="Allen et al. 2014 Sleep Med 15:860 (IRLSSG criteria)",
           expected="substantial relief while moving (>= 50% of the urge), symptoms return at rest",
           lo=50.0, unit="%", compute=symptoms.relief_by_movement,
           note="relief is the declared parameter movement_relief of the rest/activity readout "
                "(rlsmodel.model.rest_activity), not a property of the ODE"),
    Target(id="S-PLMS", category=SYMPTOMS,
           description="Most untreated patients have periodic limb movements in sleep above 5/h",
           source=MONTPLAISIR,
           expected="PLMS index > 5/h (80% of 133 patients)",
           lo=5.0, unit="1/h", compute=symptoms.plms_index_rls),
    Target(id="S-PLMS-healthy", category=SYMPTOMS,
           description="A PLMS index above 15/h is abnormal in adults",
           source=MONTPLAISIR,
           expected="healthy profile below 15/h",
           hi=15.0, unit="1/h", compute=symptoms.plms_index_healthy),
    Target(id="S-IRLS", category=SYMPTOMS,
           description="Untreated RLS is moderate to severe on the IRLS scale (trial patients start about 22-28)",
           source="IRLS scale (IRLSSG); science.md section 1",
           expected="IRLS 11-30 in the untreated RLS profiles",
           lo=11.0, hi=30.0, unit="points", compute=symptoms.irls_untreated),
    Target(id="S-insomnia", category=SYMPTOMS,
           description="Most patients have insomnia (sleep disturbed by symptoms)",
           source=MONTPLAISIR,
           expected="symptoms above threshold during >= 10% of the sleep period; healthy less",
           lo=10.0, unit="% of sleep", compute=symptoms.sleep_disrupted_by_symptoms,
           note="10% is our operational cut-off for 'disturbed sleep'"),
    Target(id="S-arms", category=SYMPTOMS,
           description="About half of untreated patients feel symptoms in the arms; spread judged per patient",
           source="Montplaisir et al. 1997 Mov Disord 12:61",
           expected="symptoms in the arms in about 50%",
           not_modelled="the model has no body map: one urge variable for the legs"),
    Target(id="S-prevalence", category=SYMPTOMS,
           description="Prevalence 5-10% of European-descent adults, 2-3% clinically significant",
           source="Winkelmann et al. 2007 Nat Genet; science.md section 1",
           expected="5-10% (2-3% significant)",
           not_modelled="prevalence is a population property; the model simulates individual profiles"),
    Target(id="S-heritability", category=SYMPTOMS,
           description="Heritability about 50%; risk loci MEIS1, BTBD9 (lower ferritin), PTPRD, MAP2K5",
           source="Winkelmann et al. 2007 Nat Genet; Stefansson et al. 2007 NEJM",
           expected="about 50%; named loci",
           not_modelled="genes are not modelled; rls_genetic lumps the genetic risk into iron-acquisition gains"),
)

PHYSIOLOGY_TARGETS = (
    Target(id="P1", category=PHYSIOLOGY,
           description="Brain iron is low in RLS (substantia nigra MRI, autopsy H-ferritin and iron staining)",
           source="Allen et al. 2001 Neurology 56:263; Earley et al. 2006 Sleep Med 7:458; "
                  "Connor et al. 2003 Neurology 61:304",
           expected="brain iron at least 10% below healthy in both RLS profiles",
           hi=-10.0, unit="% vs healthy", compute=physiology.brain_iron_low_in_rls),
    Target(id="P1-b", category=PHYSIOLOGY,
           description="Iron deficiency on top of the genetic defect lowers brain iron further",
           source="Allen et al. 2001; Sun et al. 1998 Sleep 21:371",
           expected="rls_iron_deficient below rls_genetic (> 0.5%)",
           hi=-100 * NOISE, unit="% vs rls_genetic", compute=physiology.brain_iron_lower_with_iron_deficiency),
    Target(id="P1-age", category=PHYSIOLOGY,
           description="The brain iron deficit is strongest in early onset; lower CSF ferritin goes with earlier onset",
           source="Allen et al. 2001 Neurology 56:263; Earley et al. 2000 Neurology 54:1698",
           expected="larger deficit with earlier onset",
           not_modelled="the model has no age or age at onset; profiles are adult steady states"),
    Target(id="P2", category=PHYSIOLOGY,
           description="CSF ferritin is low while serum ferritin is normal; lower CSF/serum ferritin gain in RLS",
           source="Earley et al. 2000 Neurology 54:1698; Mizuno et al. 2005 J Sleep Res 14:43",
           expected="CSF ferritin >= 10% low; serum ferritin within 10% of healthy and 30-400 ug/L; "
                    "CSF/serum ratio >= 10% low",
           hi=-10.0, unit="% vs healthy", compute=physiology.csf_ferritin_low_serum_normal),
    Target(id="P2-b", category=PHYSIOLOGY,
           description="CSF transferrin is high in RLS",
           source="Earley et al. 2000 Neurology 54:1698",
           expected="raised",
           not_modelled="the model has no CSF transferrin species (CSF ferritin only)"),
    Target(id="P3", category=PHYSIOLOGY,
           description="Transferrin receptor is lower on neuromelanin cells despite low iron (blunted IRP response)",
           source="Connor et al. 2003 Neurology 61:304; Connor et al. 2004 Brain 127:2713",
           expected="neuronal TfR >= 10% low with labile iron >= 10% low in RLS; plain iron deficiency raises "
                    "TfR and IRP",
           hi=-10.0, unit="% vs healthy", compute=physiology.neuronal_tfr_blunted),
    Target(id="P4", category=PHYSIOLOGY,
           description="HIF-1a is raised in RLS substantia nigra and microvessels",
           source="Patton et al. 2011 J Neurol Sci 301:107",
           expected="HIF >= 10% higher in both RLS profiles; endothelial HIF raised",
           lo=10.0, unit="% vs healthy", compute=physiology.hif_raised),
    Target(id="P5", category=PHYSIOLOGY,
           description="TH and phospho-TH raised; D2 receptors about 30% lower in putamen",
           source="Connor et al. 2009 Brain 132:2403",
           expected="TH >= 10% higher; D2 about 30% lower (accepted 15-45%)",
           lo=-45.0, hi=-15.0, unit="% D2 vs healthy", compute=physiology.d2_low_th_high),
    Target(id="P5-b", category=PHYSIOLOGY,
           description="No difference in tissue dopamine (or total DAT) at autopsy",
           source="Connor et al. 2009 Brain 132:2403",
           expected="tissue dopamine within 20% of healthy in both RLS profiles",
           lo=-20.0, hi=20.0, unit="% tissue dopamine vs healthy", compute=physiology.tissue_dopamine_unchanged,
           note="autopsy measured total DAT, which the model does not represent; the model's DAT is membrane DAT, "
                "which is lower in RLS (P6-b, Earley et al. 2011), so only tissue dopamine is scored here"),
    Target(id="P6-b", category=PHYSIOLOGY,
           description="Membrane DAT is decreased in the striatum in RLS",
           source="Earley et al. 2011 Sleep 34:341",
           expected="membrane DAT lower than healthy in both RLS profiles (> 0.5%) under the default DAT hypothesis",
           hi=-100 * NOISE, unit="% vs healthy", compute=physiology.membrane_dat_low_in_rls,
           note="direction is the declared dat_hypothesis"),
    Target(id="P6", category=PHYSIOLOGY,
           description="Membrane DAT is reduced in iron-deficient rodents (DAT mRNA -58%)",
           source="Bianco et al. 2008 J Neurochem 106:205; Earley et al. 2011 Sleep 34:341",
           expected="membrane DAT lower in iron deficiency under the default hypothesis (> 0.5%)",
           hi=-100 * NOISE, unit="% vs healthy", compute=physiology.membrane_dat_in_iron_deficiency,
           note="direction is a declared assumption (dat_hypothesis; Lai et al. 2017 found it higher)"),
    Target(id="P7", category=PHYSIOLOGY,
           description="Dopamine production is increased in RLS, higher at 10:00 than 22:00, with a larger daily swing",
           source="Earley et al. 2006 Sleep Med 7:263; Earley et al. 2013 Sleep 36:51",
           expected="extracellular dopamine and release >= 10% higher at 10:00 than 22:00; mean and swing not "
                    "below healthy",
           lo=10.0, unit="% 10:00 vs 22:00", compute=physiology.dopamine_rhythm_in_rls),
    Target(id="P8", category=PHYSIOLOGY,
           description="Iron deficiency raises extracellular striatal dopamine in rodents",
           source="Beard et al. 1994 Pharmacol Biochem Behav 48:621; Erikson et al. 2001",
           expected="+30 to +53% in severe dietary deficiency with brain iron 30-40% low",
           lo=30.0, hi=53.0, unit="% vs healthy", compute=physiology.extracellular_dopamine_in_severe_deficiency,
           note=f"scored on {SEVERE_PROFILE} (the rodents' severity); the mild human iron_deficient profile "
                "is reported"),
    Target(id="P8-b", category=PHYSIOLOGY,
           description="D2 density falls with striatal iron in iron-deficient rodents",
           source="Erikson et al. 2001 Pharmacol Biochem Behav 69:409",
           expected="D2 density lower in iron deficiency (> 0.5%)",
           hi=-100 * NOISE, unit="% vs healthy", compute=physiology.d2_falls_with_iron),
    Target(id="P9", category=PHYSIOLOGY,
           description="RLS myelin has about 25% less MBP, PLP and CNPase",
           source="Connor et al. 2011 Sleep Med; Todorich et al. 2009 Glia",
           expected="about 25% less myelin; accepted 10-40% in both RLS profiles",
           lo=10.0, hi=40.0, unit="% less", compute=physiology.myelin_low_in_rls),
    Target(id="P9-b", category=PHYSIOLOGY,
           description="Iron-deficient rodents have 25-35% less MBP",
           source="Beard et al. 2003 Dev Neurosci 25:308",
           expected="25-35% less in severe dietary deficiency",
           lo=25.0, hi=35.0, unit="% less", compute=physiology.myelin_in_severe_deficiency,
           note=f"scored on {SEVERE_PROFILE}"),
    Target(id="P10", category=PHYSIOLOGY,
           description="Plasma iron has a daily rhythm, well below the morning value by 18:00",
           source="Blood 1983;61:799",
           expected="plasma iron and transferrin saturation at 18:00 >= 10% below the 07:00-10:00 mean; "
                    "daily maximum 03:00-12:00",
           hi=-10.0, unit="% vs morning", compute=physiology.plasma_iron_rhythm),
    Target(id="P10-b", category=PHYSIOLOGY,
           description="Brain (ventral midbrain) iron varies by up to about 30% between light and dark (mice)",
           source="BXD mouse studies (science.md section 2, to be checked)",
           expected="a daily variation of up to about 30%; accepted 3-30%",
           lo=3.0, hi=30.0, unit="% of mean", compute=physiology.brain_iron_daily_variation),
    Target(id="P11", category=PHYSIOLOGY,
           description="Iron deficiency of any cause raises RLS severity",
           source="Sun et al. 1998 Sleep 21:371",
           expected="rls_iron_deficient evening peak > 2% above rls_genetic; ferritin < 30 ug/L",
           lo=2.0, unit="% peak urge", compute=physiology.severity_with_iron_deficiency),
    Target(id="P11-b", category=PHYSIOLOGY,
           description="Lower serum ferritin correlates with more severe RLS",
           source="Sun et al. 1998 Sleep 21:371",
           expected="less dietary iron: ferritin falls and the evening peak rises at every step",
           lo=0.0, unit="% peak urge", compute=physiology.severity_rises_as_ferritin_falls),
    Target(id="P12", category=PHYSIOLOGY,
           description="The blood-brain barrier compensates: transferrin receptor up in deficiency, down in overload",
           source="Taylor and Morgan 1991 J Neurochem 57:1584",
           expected="BBB TfR up in iron deficiency and down in overload (> 0.5%)",
           lo=1 + NOISE, unit="x healthy", compute=physiology.bbb_tfr_direction),
    Target(id="P12-b", category=PHYSIOLOGY,
           description="Brain iron uptake about doubles in deficiency and halves in overload",
           source="Taylor and Morgan 1991 J Neurochem 57:1584",
           expected="x2 / x0.5 in uptake measured as a fraction of the plasma iron pool; accepted >= x1.41 "
                    "and <= x0.71",
           lo=2 ** 0.5, unit="x healthy", compute=physiology.bbb_uptake_per_plasma_iron,
           note="Taylor and Morgan measured uptake of injected 59Fe-transferrin as a percentage of the dose, i.e. "
                "per plasma iron pool (bbb_iron_uptake_fraction). The absolute flux cannot double in steady state "
                "while brain iron is low: influx equals efflux, and efflux grows with brain iron. The absolute flux "
                f"(bbb_iron_flux) is reported: it falls in {SEVERE_PROFILE} (transferrin saturation about 9%) and "
                "rises in overload (saturation about 90%)"),
    Target(id="P12-c", category=PHYSIOLOGY,
           description="Magnitude of the BBB compensation: x2 in deficiency, x0.5 in overload",
           source="Taylor and Morgan 1991 J Neurochem 57:1584",
           expected="x2 / x0.5; accepted >= x1.41 and <= x0.71",
           lo=2 ** 0.5, unit="x healthy", compute=physiology.bbb_tfr_magnitude,
           note=f"BBB TfR1 in {SEVERE_PROFILE} and {OVERLOAD_PROFILE}"),
    Target(id="N-ferritin", category=PHYSIOLOGY,
           description="Serum ferritin: normal 30-400 ug/L (men); iron deficiency < 30 ug/L (< 15 WHO)",
           source="WHO 2020 guideline; science.md section 4",
           expected="healthy and rls_genetic 30-400 ug/L; iron-deficient profiles < 30 ug/L",
           lo=30.0, hi=400.0, unit="ug/L", compute=physiology.serum_ferritin_by_profile),
    Target(id="N-TSAT", category=PHYSIOLOGY,
           description="Transferrin saturation is 20-45% in health",
           source="physiology texts; science.md section 4",
           expected="20-45% (healthy and rls_genetic, daily mean)",
           lo=20.0, hi=45.0, unit="%", compute=physiology.transferrin_saturation_normal),
    Target(id="N-body-iron", category=PHYSIOLOGY,
           description="Total body iron is 3-5 g",
           source="physiology texts; science.md section 4",
           expected="3000-5000 mg",
           lo=3000.0, hi=5000.0, unit="mg", compute=physiology.total_body_iron),
    Target(id="N-plasma-iron", category=PHYSIOLOGY,
           description="Plasma transferrin-bound iron is about 3 mg",
           source="physiology texts; science.md section 4",
           expected="about 3 mg; accepted 2-4 mg",
           lo=2.0, hi=4.0, unit="mg", compute=physiology.plasma_iron),
    Target(id="N-absorption", category=PHYSIOLOGY,
           description="Absorbed dietary iron is 1-2 mg/day, matching losses",
           source="physiology texts; Green et al. 1968 Am J Med 45:336",
           expected="1-2 mg/day; accepted 0.9-2.2",
           lo=0.9, hi=2.2, unit="mg/day", compute=physiology.iron_absorption),
    Target(id="N-absorption-deficient", category=PHYSIOLOGY,
           description="Iron absorption rises up to several-fold in deficiency",
           source="physiology texts; Hallberg et al. 1997 Am J Clin Nutr 66:347",
           expected="absorbed fraction x1.5 to x6 in iron deficiency",
           lo=1.5, hi=6.0, unit="x healthy", compute=physiology.iron_absorption_in_deficiency),
    Target(id="N-dopamine", category=PHYSIOLOGY,
           description="Basal extracellular striatal dopamine is about 4-30 nM",
           source="Parsons and Justice 1992 J Neurochem",
           expected="4-30 nM",
           lo=4.0, hi=30.0, unit="nM", compute=physiology.extracellular_dopamine),
)

IRON_THERAPY_TARGETS = (
    Target(id="T-iron-IV-rise", category=IRON_THERAPY,
           description="IV ferric carboxymaltose 1000 mg makes serum ferritin jump within a week",
           source="science.md section 3 (non-RLS trial: 96 -> 1150 ug/L at week 1); Ferinject SmPC",
           expected="week-1 ferritin at least x3 the pre-infusion value; peak within 14 days",
           lo=3.0, unit="x pre-infusion", compute=iron_therapy.iv_ferritin_jump,
           note=f"{IRON_PROFILE}, infusion on day {IRON_START_DAY}"),
    Target(id="T-iron-IV-magnitude", category=IRON_THERAPY,
           description="Size of the week-1 ferritin jump after 1000 mg FCM",
           source="science.md section 3 (96 -> 1150 ug/L at week 1)",
           expected="about +1050 ug/L; accepted +500 to +2000",
           lo=500.0, hi=2000.0, unit="ug/L", compute=iron_therapy.iv_ferritin_jump_size,
           note="the trial was in non-RLS patients; the lead is re-calibrating IV-iron handling"),
    Target(id="T-iron-IV-decline", category=IRON_THERAPY,
           description="After the jump, serum ferritin declines over weeks",
           source="science.md section 3 (1150 at week 1 -> 395 ug/L at week 8)",
           expected="week-8 / week-1 ratio about 0.34; accepted 0.15-0.70",
           lo=0.15, hi=0.70, unit="ratio", compute=iron_therapy.iv_ferritin_decline),
    Target(id="T-iron-IV-brain", category=IRON_THERAPY,
           description="IV iron reaches the brain as transferrin-bound iron through the endothelium",
           source="Allen et al. 2018 Sleep Med 41:27; science.md section 3",
           expected="brain iron and CSF ferritin higher than untreated at the end of follow-up (> 0.5%)",
           lo=100 * NOISE, unit="% vs untreated", compute=iron_therapy.iv_iron_reaches_the_brain,
           note="follow-up 182 days (quick: 84)"),
    Target(id="T-iron-IV-TSAT", category=IRON_THERAPY,
           description="With replete stores transferrin saturation is back in the normal range",
           source="physiology texts (20-45%); science.md section 4",
           expected="weekly mean transferrin saturation in 20-45%, at least 2 points from either edge, from week 8 "
                    "after 1000 mg FCM",
           lo=20.0, hi=45.0, unit="%", compute=iron_therapy.tsat_after_repletion,
           note=f"{IRON_PROFILE}: blood loss continues after the infusion"),
    Target(id="T-iron-IV-replete", category=IRON_THERAPY,
           description="In iron-replete adults, 1000 mg FCM raises transferrin saturation to about 65% at week 1; "
                       "back to about 38% by week 8, with hepcidin raised",
           source="BMJ Open Respir Res 2020;7:e000577 (FCM 15 mg/kg vs placebo in COPD, n = 48: TSAT 31 -> 65 -> "
                  "38%, hepcidin x4.9 / x2.7, ferritin 96 -> 1150 -> 395 ug/L)",
           expected="week-8 saturation 38.2 +/- 12.4% (accepted 25.8-50.6); week 1 within 64.9 +/- 24.3%",
           lo=25.8, hi=50.6, unit="%", compute=iron_therapy.iv_in_iron_replete_adults,
           note="healthy profile; calibration target of the macrophage store and hepatocyte uptake"),
    Target(id="T-iron-IV-IRLS", category=IRON_THERAPY,
           description="IRLS improves after IV iron (FCM) in iron-deficient RLS",
           source="Allen et al. 2018 Sleep Med 41:27 (pooled 7 trials, 537 patients); AAN 2016 Neurology 87:2585",
           expected="about -6 points vs placebo; accepted -12 to -3 at week 6",
           lo=-12.0, hi=-3.0, unit="IRLS points", compute=partial(iron_therapy.iv_irls_benefit, profile=IRON_PROFILE),
           note="the model has no placebo response, so the change from baseline is compared with the "
                "placebo-corrected effect"),
    Target(id="T-iron-IV-course", category=IRON_THERAPY,
           description="After one infusion the benefit keeps growing for weeks: larger at week 12 than at week 4",
           source="Trenkwalder et al. 2017 Mov Disord 32:1478 (FCM 1000 mg, ferritin < 75 ug/L: placebo-corrected "
                  "IRLS -2.5 (95% CI -5.93 to 1.02) at week 4, -4.66 (-8.59 to -0.73) at week 12)",
           expected="benefit at week 12 at least that at week 4 (ratio >= 1)",
           lo=1.0, unit="week 12 / week 4", compute=iron_therapy.iv_benefit_grows,
           note=f"{IRON_PROFILE}, 1000 mg FCM against the same patient untreated, weekly mean IRLS; 52-week runs "
                "in every mode"),
    Target(id="T-iron-IV-lasting", category=IRON_THERAPY,
           description="One infusion helps for months",
           source="iron dextran 1 g: benefit lasted 15.8 +- 17.7 weeks (Sleep Med 2010, doi "
                  "10.1016/j.sleep.2009.12.002); FCM 1000 mg: 37.5% off all RLS medication at week 30 (Cho, Allen "
                  "and Earley 2016)",
           expected="benefit at week 24 at least half of its peak; the peak after week 4",
           lo=0.5, unit="week 24 / peak", compute=iron_therapy.iv_benefit_lasts,
           note=f"{IRON_PROFILE}, against the same patient untreated"),
    Target(id="T-iron-IV-brain-course", category=IRON_THERAPY,
           description="Brain iron is stored, not passed through: up within 2 weeks of an infusion and still up "
                       "at week 24",
           source="Earley et al. 2004 Sleep Med 5:231 (substantia nigra iron raised on MRI 2 weeks after iron "
                  "dextran 1 g); science.md sections 2-3 and 9",
           expected="brain iron above the untreated patient's at week 2 and at week 24 (> 0.5%)",
           lo=100 * NOISE, unit="% vs untreated", compute=iron_therapy.iv_brain_iron_course,
           note=f"{IRON_PROFILE}, 1000 mg FCM"),
    Target(id="T-iron-IV-trial-week4", category=IRON_THERAPY,
           description="Virtual trial, IV FCM 1000 mg vs placebo in iron-deficient RLS: placebo-corrected IRLS "
                       "change at week 4",
           source="Trenkwalder et al. 2017 Mov Disord 32:1478 (ferritin < 75 ug/L): -2.5, 95% CI -5.93 to 1.02",
           expected="-5.93 to 1.02 (the published 95% CI)",
           lo=-5.93, hi=1.02, unit="IRLS points",
           compute=partial(iron_therapy.iv_trial_placebo_corrected, weeks=4), needs_population=True,
           note=f"{IRON_PROFILE} population, infusion on the randomisation day, baseline IRLS >= 15, reporting "
                "noise and placebo response of rlsmodel.trial"),
    Target(id="T-iron-IV-trial-week12", category=IRON_THERAPY,
           description="Virtual trial, IV FCM 1000 mg vs placebo in iron-deficient RLS: placebo-corrected IRLS "
                       "change at week 12",
           source="Trenkwalder et al. 2017 Mov Disord 32:1478 (ferritin < 75 ug/L): -4.66, 95% CI -8.59 to -0.73",
           expected="-8.59 to -0.73 (the published 95% CI)",
           lo=-8.59, hi=-0.73, unit="IRLS points",
           compute=partial(iron_therapy.iv_trial_placebo_corrected, weeks=12), needs_population=True,
           note=f"{IRON_PROFILE} population, as T-iron-IV-trial-week4"),
    Target(id="T-iron-IV-normal-ferritin", category=IRON_THERAPY,
           description="IV FCM is effective in RLS up to serum ferritin < 300 ug/L",
           source="Allen et al. 2018 Sleep Med 41:27",
           expected="IRLS improves by 3-12 points at week 6 in rls_genetic (ferritin about 129)",
           lo=-12.0, hi=-3.0, unit="IRLS points", compute=partial(iron_therapy.iv_irls_benefit, profile="rls_genetic")),
    Target(id="T-iron-oral-IRLS", category=IRON_THERAPY,
           description="Oral iron helps RLS slowly when ferritin is low",
           source="Wang et al. 2009 Sleep Med 10:973 (ferrous sulfate 325 mg twice daily, ferritin 15-75 ug/L: IRLS "
                  "-10.3 vs -1.1 on placebo at 12 weeks); Allen et al. 2018 Sleep Med 41:27",
           expected="IRLS improves by 2-12 points at week 12, more slowly than after IV iron",
           lo=-12.0, hi=-2.0, unit="IRLS points", compute=iron_therapy.oral_irls_benefit,
           note="65 mg elemental iron once daily (half of Wang's dose)"),
    Target(id="T-iron-oral", category=IRON_THERAPY,
           description="Oral iron (65 mg/day) raises serum ferritin over months when ferritin <= 75 ug/L",
           source="Allen et al. 2018 Sleep Med 41:27 (IRLSSG task force); science.md section 3",
           expected="gradual rise: >= +10 ug/L by week 12, less than a quarter of it in week 1, still rising",
           lo=10.0, unit="ug/L", compute=iron_therapy.oral_ferritin_rise),
    Target(id="T-iron-oral-absorption", category=IRON_THERAPY,
           description="Oral iron absorption rises when stores are low and falls as hepcidin rises",
           source="science.md section 3; Hallberg et al. 1997 Am J Clin Nutr 66:347",
           expected="absorbed fraction >= x1.5 in iron-deficient RLS vs healthy, and lower after stores refill",
           lo=1.5, unit="x healthy", compute=iron_therapy.oral_absorption_adapts),
)


def _dose_text(drug: str) -> str:
    """The scorecard's dose of ``drug`` (the drug table's reference) with its clock hour."""
    dose, hour = DOSES[drug] if drug in DOSES else reference_dose(drug)
    return f"{dose_text(drug, dose)} at {hour:g} h"


TREATMENT_TARGETS = (
    *(Target(id=f"A-acute-{drug}", category=TREATMENT,
             description=f"{drug.replace('_', ' ')} relieves symptoms at first (weeks 1-3)",
             source=_acute_source(drug),
             expected="IRLS at least 3 points (clinically relevant) below baseline in weeks 1-3",
             hi=-3.0, unit="IRLS points", compute=partial(treatment.acute_irls_change, drug=drug),
             note=f"{TREATMENT_PROFILE}, {_dose_text(drug)}; no placebo response in the model")
      for drug in DOPAMINERGIC + ALPHA2DELTA),
    Target(id="A-levodopa", category=TREATMENT,
           description="Levodopa augments within months (onset often after 3-4 weeks)",
           source="Allen and Earley 1996 Sleep 19:205 (82% within about 2 months); Garcia-Borreguero et al. 2007",
           expected="MPI-positive between 3 weeks and 6 months after the first dose",
           lo=21.0, hi=183.0, unit="days", compute=treatment.levodopa_augments,
           note="median patient; the lead is re-calibrating augmentation dynamics"),
    Target(id="A-pramipexole", category=TREATMENT,
           description="Agonists augment later than levodopa or not within a year in a median patient",
           source="Allen et al. 2014 NEJM 370:621 (7.7% at 52 weeks); Hogl et al. 2011 Sleep Med 12:351",
           expected="no MPI-positive week within a year, or later than levodopa",
           unit="days", compute=partial(treatment.agonist_augments_later, drug="pramipexole"),
           note="quick mode runs exactly one year"),
    Target(id="A-ropinirole", category=TREATMENT,
           description="Agonists augment later than levodopa or not within a year in a median patient",
           source=f"{META_ANALYSIS} (6.0% on agonists)",
           expected="no MPI-positive week within a year, or later than levodopa",
           unit="days", compute=partial(treatment.agonist_augments_later, drug="ropinirole")),
    Target(id="A-rotigotine", category=TREATMENT,
           description="The rotigotine patch augments least among dopaminergic drugs",
           source=f"{META_ANALYSIS} (1.7% transdermal vs 7.2% immediate release); Benes et al. 2012 Sleep Med 13:589",
           expected="smallest late augmentation severity and no earlier augmentation than the others",
           unit="ASRS-like (0-12)", compute=treatment.rotigotine_augments_least),
    Target(id="A-alpha2delta", category=TREATMENT,
           description="Alpha-2-delta ligands do not augment",
           source=f"Allen et al. 2014 NEJM 370:621 (pregabalin 2.1%); {META_ANALYSIS} (0.9%)",
           expected="never MPI-positive; onset advance < 2 h",
           hi=2.0, unit="h", compute=treatment.alpha2delta_do_not_augment),
    Target(id="A-not-immediate", category=TREATMENT,
           description="Augmentation develops over weeks to months of daily use, not at once",
           source="Garcia-Borreguero et al. 2007 Sleep Med 8:520; science.md section 3",
           expected="no dopaminergic drug MPI-positive in the first 14 days",
           unit="days", compute=treatment.augmentation_not_immediate),
    Target(id="A-levodopa-dose", category=TREATMENT,
           description="Levodopa augmentation is worse with higher doses and severe baseline",
           source="Allen and Earley 1996 Sleep 19:205",
           expected=f"the reference dose ({_dose_text('levodopa')}) at least as augmented as the low end of the "
                    f"typical range ({LEVODOPA_LOW_DOSE:g} mg); rls_iron_deficient at least as augmented as "
                    "rls_genetic at the reference dose (late ASRS-like score)",
           lo=0.0, unit="ASRS-like difference", compute=treatment.levodopa_dose_and_severity),
    *(Target(id=f"A-stop-{drug}", category=TREATMENT,
             description=f"Stopping {drug} brings symptoms back within days (it relieves, it does not cure)",
             source="Allen and Earley 1996 Sleep 19:205; science.md section 3",
             expected=f"after {SHORT_STOP_DAYS} days of benefit, IRLS back to at least baseline - 1 within 7 days "
                      "of the last dose",
             hi=7.0, unit="days", compute=partial(treatment.symptoms_return_after_stopping, drug=drug))
      for drug in ("levodopa", "pramipexole", "pregabalin")),
    Target(id="A-rebound", category=TREATMENT,
           description="Stopping resolves augmentation over days to weeks, after a period of rebound",
           source="science.md section 3 (augmentation); Allen and Earley 1996 Sleep 19:205",
           expected="first week off > 1 IRLS point above baseline (rebound), back within 1 point by the eighth week",
           lo=1.0, unit="IRLS points", compute=treatment.rebound_after_stopping_levodopa,
           note="levodopa for 182 days (quick: 84), then 56 days off"),
    Target(id="A-D2", category=TREATMENT,
           description="Putamen D2 binding is about 24% lower on dopaminergic drugs than after withdrawal",
           source="Thobois et al. 2004 Arch Neurol 61:1705 (Parkinson's)",
           expected="about -24%; accepted -40 to -10%",
           lo=-40.0, hi=-10.0, unit="% vs untreated", compute=treatment.d2_on_treatment,
           note="mean of levodopa and pramipexole; untreated baseline stands in for the withdrawn state"),
    Target(id="A-rates", category=TREATMENT,
           description="Pooled augmentation rates: 27.1% levodopa, 6.0% agonists, 0.9% alpha-2-delta ligands",
           source=META_ANALYSIS,
           expected="clinically relevant augmentation within 52 weeks: the agonist arms' mean rate compatible with 6.0% "
                    "(headline) and "
                    "pregabalin with 0.9%; levodopa not below 27.1% (the pooled figure mixes short studies and lower "
                    "doses). " + RATE_RULE,
           unit="% of patients", compute=population.pooled_rates, needs_population=True,
           note="agonist class = mean of pramipexole 0.25 and 0.5 mg, ropinirole 2 mg and rotigotine 2 mg/24 h; "
                "alpha-2-delta = pregabalin 300 mg"),
    Target(id="A-NEJM-52wk", category=TREATMENT,
           description="Augmentation 7.7% on pramipexole 0.5 mg vs 2.1% on pregabalin 300 mg at 52 weeks",
           source="Allen et al. 2014 NEJM 370:621",
           expected="MPI-positive within 52 weeks: pramipexole 0.5 mg compatible with 7.7% (headline), pregabalin "
                    "300 mg with 2.1%. " + RATE_RULE,
           unit="% of patients", compute=population.allen_2014_52_weeks, needs_population=True,
           note=f"pramipexole {ALLEN_2014_PRAMIPEXOLE_MG:g} mg is the trial's higher arm (the drug table's reference "
                f"is {_dose_text('pramipexole')})"),
    Target(id="A-IR-vs-patch", category=TREATMENT,
           description="Immediate-release dopaminergic drugs augment more than the transdermal patch (7.2% vs 1.7%)",
           source=META_ANALYSIS,
           expected="clinically relevant augmentation within 52 weeks: the oral immediate-release agonist arms' mean "
                    "compatible with "
                    "7.2% (headline), rotigotine 2 mg/24 h with 1.7%, and above it. " + RATE_RULE,
           unit="% of patients", compute=population.immediate_release_above_patch, needs_population=True,
           note="immediate release = mean of pramipexole 0.25 and 0.5 mg and ropinirole 2 mg"),
    Target(id="A-levodopa-majority", category=TREATMENT,
           description="Levodopa augments in a majority of patients within a year",
           source="Allen and Earley 1996 Sleep 19:205 (82% within about 2 months)",
           expected="more than half of the levodopa 200 mg arm augmented within 52 weeks by the noise-free verdict "
                    "(rlsmodel.outcomes.augmentation on the model's own daily series); pass unless the simulated "
                    "Wilson 95% interval lies below 50%",
           unit="% of patients", compute=population.levodopa_majority, needs_population=True,
           note="a one-sided claim ('a majority'); the series' 82% is shown for comparison"),
    Target(id="A-CALDIR", category=TREATMENT,
           description="Discontinuation for augmentation 9.8% on levodopa vs 4.0% on cabergoline (30 weeks)",
           source="Trenkwalder et al. 2007 Mov Disord",
           expected="9.8% vs 4.0%",
           not_modelled="cabergoline is not in the drug table"),
    Target(id="A-community", category=TREATMENT,
           description="About 8% new augmentation per year on dopaminergic drugs (community sample)",
           source="Allen et al. 2011 Sleep Med 12:431",
           expected="clinically relevant augmentation within 52 weeks on the oral agonists at their reference doses "
                    "compatible with "
                    "8%. " + RATE_RULE,
           unit="% of patients", compute=population.community_rate, needs_population=True,
           note="community patients mostly take pramipexole or ropinirole: mean of those two arms at the drug "
                "table's reference doses"),
    Target(id="A-placebo-augmentation", category=TREATMENT,
           description="6.0% on placebo met augmentation criteria (9.2% on pramipexole; 26 weeks)",
           source="Hogl et al. 2011 Sleep Med 12:351",
           expected="placebo arm MPI-positive at a visit up to week 26 compatible with 6.0%; no more new placebo "
                    "cases in weeks 27-52 than up to week 26 (the background does not grow). " + RATE_RULE,
           unit="% of patients", compute=population.placebo_background, needs_population=True,
           note="the background comes from day-to-day symptom variability scored like every arm "
                "(rlsmodel.trial); pramipexole 0.25 mg is shown beside Hogl's 9.2%"),
    Target(id="A-two-tiers", category=TREATMENT,
           description="8.2% MPI-positive at some visit, only 1.5% (rotigotine) / 0.5% (placebo) clinically relevant",
           source="Benes et al. 2012 Sleep Med 13:589",
           expected="up to week 26: MPI-positive, mean of the rotigotine and placebo arms, compatible with 8.2% "
                    "(headline); clinically relevant (persistent at a visit) compatible with 1.5% on rotigotine "
                    "2 mg/24 h and 0.5% on placebo. " + RATE_RULE,
           unit="% of patients", compute=population.two_tiers, needs_population=True),
    Target(id="A-paradoxical-dose", category=TREATMENT,
           description="Paradoxical dose response (MPI criterion: more drug, worse symptoms)",
           source="Garcia-Borreguero et al. 2007 Sleep Med 8:520",
           expected="present in augmentation",
           not_modelled="the augmentation scoring does not test dose changes within a run"),
    Target(id="A-trial-baseline", category=TREATMENT,
           description="Trial patients start moderate to severe: mean baseline IRLS about 22-28",
           source="science.md section 1; e.g. Oertel et al. 2007 Mov Disord 22:213 (24.7 and 24.9)",
           expected="mean reported baseline IRLS of the population trial's eligible patients (IRLS >= 15 at entry) "
                    "22-28",
           lo=22.0, hi=28.0, unit="IRLS points", compute=population.trial_baseline_irls, needs_population=True,
           note="the population's severity comes mostly from the drawn uptake gains and the risk genotype's "
                "multiplier of them (rlsmodel.populations); the genotype multiplier and the uptake gains' log-SD "
                "are fitted to this row (docs/calibration.md, decision 57); every other population row reads "
                "patients drawn this way"),
    Target(id="A-placebo-IRLS", category=TREATMENT,
           description="Placebo arms improve about 6.6 IRLS points (7-11 over 12 weeks); little on PLMS",
           source="Silva et al. 2017 Neurology 88:2216; Fulda and Wetter 2008 Brain 131:902",
           expected="placebo arm's mean change of the reported weekly IRLS at week 12 compatible with -6.6: pass when "
                    "-6.6 lies inside the simulated mean +- 1.96 SD/sqrt(n)",
           unit="IRLS points", compute=population.placebo_irls_change, needs_population=True,
           note="the placebo response is a reporting term of the virtual trial (rlsmodel.trial; population mean "
                "-6.6, an input), so this checks its time course, the day-to-day noise and the inclusion "
                "criterion; PLMS is not scored"),
    Target(id="A-oxycodone-naloxone", category=TREATMENT,
           description="Prolonged-release oxycodone-naloxone improves severe RLS after failed treatment: IRLS -7.0 "
                       "versus placebo at 12 weeks (95% CI -9.69 to -4.31)",
           source="Trenkwalder et al. 2013 Lancet Neurol 12:1141 (Cochrane analysis); Oertel et al. 2016 CNS Drugs "
                  "30:749",
           expected="placebo-corrected change of the reported weekly IRLS at week 12 (each patient's change on the "
                    "drug minus on placebo), patients with baseline IRLS >= 21 (the trial's entry after washout), "
                    "inside the published 95% CI",
           lo=-9.69, hi=-4.31, unit="IRLS points", compute=population.oxycodone_naloxone_irls, needs_population=True,
           note=f"oxycodone {_dose_text('oxycodone_naloxone')} daily (the trial's mean 21.9 mg/day, given twice "
                "daily); the model's severe patients come from the population trial, not from dopaminergic failure; "
                "opioid_urge_emax is fitted to this row (docs/calibration.md)"),
    Target(id="A-dipyridamole", category=TREATMENT,
           description="Dipyridamole improves RLS: IRLS 24.1 -> 11.1 versus 23.7 -> 18.7 on placebo (2 weeks)",
           source="Garcia-Borreguero et al. 2021 Mov Disord, doi 10.1002/mds.28668",
           expected="placebo-corrected change of the reported weekly IRLS compatible with -8.0: pass when -8.0 lies "
                    "inside the simulated mean +- 1.96 SD/sqrt(n) of the per-patient differences",
           unit="IRLS points", compute=population.dipyridamole_irls, needs_population=True,
           note=f"dipyridamole {_dose_text('dipyridamole')} (the trial's mean 218 mg/day); read at week 12 of the "
                "population trial: the model's dipyridamole effect is steady within days (half-life 10 h, adenosine "
                "tone acts at once), so week 12 stands for the 2-week cross-over period; adenosine_ent_gain is "
                "fitted to this row"),
    Target(id="A-dipyridamole-PLMS", category=TREATMENT,
           description="Dipyridamole lowers periodic limb movements in sleep: PLMS index 8.2 vs 28.1 /h on placebo",
           source="Garcia-Borreguero et al. 2021 Mov Disord, doi 10.1002/mds.28668",
           expected="PLMS index in week 2 of dipyridamole over baseline near the published ratio 0.29; accepted "
                    "0.15-0.44 (+-50%, set when the row was written)",
           lo=0.15, hi=0.44, unit="ratio to baseline", compute=treatment.dipyridamole_plms,
           note=f"{TREATMENT_PROFILE} median patient, no placebo term (the trial's PLMS hardly moved on placebo)"),
    Target(id="A-opioid-augmentation", category=TREATMENT,
           description="Opioids over years augment no more than placebo (methadone: 0% a year for up to 10 years)",
           source="Silver et al. 2011 Sleep Med 12:440; Trenkwalder et al. 2013 (no augmentation in 52 weeks)",
           expected="clinically relevant augmentation within the trial on methadone and on oxycodone-naloxone, each at "
                    "or below the placebo arm's upper Wilson 95% bound (headline: methadone)",
           unit="% of patients", compute=population.opioid_augmentation, needs_population=True,
           note="opioids act on the urge downstream of dopamine and load no dopamine receptor, so no augmentation "
                "mechanism sees them; the trial lasts 52 weeks, not 10 years"),
    # -- switching after augmentation (issue 28, item 3; predictions, nothing fitted) --------------
    Target(id="A-switch-oxycodone-naloxone", category=TREATMENT,
           description="Switching to prolonged-release oxycodone-naloxone after failed dopaminergic treatment: IRLS "
                       "-7.0 versus placebo at 12 weeks (95% CI -9.69 to -4.31)",
           source="Trenkwalder et al. 2013 Lancet Neurol 12:1141 (Cochrane analysis)",
           expected="patients MPI-positive on levodopa by week 26 of the population trial, switched overnight: the "
                    "reported weekly IRLS 12 weeks after switching to oxycodone-naloxone minus the same patients' "
                    "IRLS 12 weeks after stopping levodopa (the placebo arm), inside the published 95% CI",
           lo=-9.69, hi=-4.31, unit="IRLS points", compute=switching.oxycodone_vs_stop, needs_population=True,
           note=f"a prediction for patients switched off levodopa {_dose_text('levodopa')}; the trial enrolled severe "
                "RLS after failed (mostly dopaminergic) treatment and a 7-day washout, not only augmentation; "
                "opioid_urge_emax is fitted to A-oxycodone-naloxone (de novo), not to this row"),
    Target(id="A-switch-rotigotine", category=TREATMENT,
           description="Switching from an oral dopamine agonist to the rotigotine patch in (mostly mild) augmentation: "
                       "IRLS -6.7 +- 8.4 after 5 weeks (n = 20, from 19.4)",
           source="Sleep Med 2016;24:18, doi 10.1016/j.sleep.2016.05.004 (cross-titration to rotigotine)",
           expected="patients MPI-positive on levodopa by week 26, switched overnight to rotigotine "
                    f"{_dose_text('rotigotine')}: mean change of the reported weekly IRLS from the last week on "
                    "levodopa to week 5, inside the published mean +- 1.96 SD/sqrt(20) (-10.4 to -3.0)",
           lo=-6.7 - 1.96 * 8.4 / 20 ** 0.5, hi=-6.7 + 1.96 * 8.4 / 20 ** 0.5, unit="IRLS points",
           compute=switching.rotigotine_week_5, needs_population=True,
           note="a prediction; the study switched from pramipexole or ropinirole by cross-titration over days, the "
                "model from levodopa overnight, at the reference patch dose (the study's mean 2.5 mg/24 h)"),
    Target(id="A-switch-opioid-augmentation", category=TREATMENT,
           description="After switching to oxycodone-naloxone augmentation does not come back (none in 52 weeks)",
           source="Trenkwalder et al. 2013 Lancet Neurol 12:1141; Silver et al. 2011 Sleep Med 12:440",
           expected="clinically relevant augmentation adjudicated at the visits from week 8 after the switch, "
                    "oxycodone-naloxone arm at or below the stop arm's upper Wilson 95% bound",
           unit="% of patients", compute=switching.opioid_after_switch, needs_population=True,
           note="a prediction; visits before week 8 after the switch still recall the old drug and are not scored; "
                "the follow-up is 12 weeks, not 52"),
)

#: Augmentation over years (issue 22): the scorecard's 5-year virtual trial (Runs.long_term_trial;
#: fixed reference doses, the population trial's patients and seed) and two 52-week population rows.
#: Each row's note says which tier it reads and why (rlsmodel.validation.checks.long_term).
LONG_TERM_TARGETS = (
    Target(id="A-long-term-agonists", category=TREATMENT,
           description="New augmentation keeps arriving after the first year at a roughly constant rate for up to "
                       "10 years: about 7% a year on pramipexole (Silver et al. 2011); about 8% a year in a community "
                       "sample (Allen et al. 2011)",
           source="Silver et al. 2011 Sleep Med 12:440; Allen et al. 2011 Sleep Med 12:431",
           expected="life-table annual rate of new augmentation in years 2-5 on pramipexole 0.25 mg and ropinirole "
                    "2 mg (mean of the two arms, and each arm) within 4-10% a year (issue 22), with new cases in every "
                    "year from year 2 on",
           lo=4.0, hi=10.0, unit="% of patients at risk per year", compute=long_term.agonists_after_first_year,
           needs_population=True,
           note="Tier: diagnosed in practice. Silver et al. 2011 reviewed a tertiary centre's charts for the reason "
                "of every discontinuation, i.e. augmentation a clinician recognised and changed treatment for "
                "(rlsmodel.clinical.practice; at fixed doses it equals the clinically relevant tier). Fixed "
                "reference doses for 5 years; the cohorts' doses rose (Silber et al. 2003)"),
    Target(id="A-long-term-patch", category=TREATMENT,
           description="The rotigotine patch augments less than the oral immediate-release agonists over years",
           source=f"{META_ANALYSIS} (1.7% transdermal vs 7.2% immediate release); Benes et al. 2012 Sleep Med 13:589",
           expected="cumulative augmentation over 5 years on rotigotine 2 mg/24 h below the mean of pramipexole "
                    "0.25 mg and ropinirole 2 mg",
           unit="% of patients", compute=long_term.patch_below_oral, needs_population=True,
           note="Tier: the same as A-long-term-agonists (diagnosed in practice), so that the arms compare like "
                "with like"),
    Target(id="A-long-term-pregabalin", category=TREATMENT,
           description="Alpha-2-delta ligands do not augment over years (0.9% pooled; methadone 0% a year for up "
                       "to 10 years)",
           source=f"{META_ANALYSIS}; Silver et al. 2011 Sleep Med 12:440",
           expected="life-table annual rate of augmentation over 5 years on pregabalin 300 mg at or below 1% a year "
                    "(issue 22)",
           hi=1.0, unit="% of patients at risk per year", compute=long_term.pregabalin_rate, needs_population=True,
           note="Tier: diagnosed in practice, as A-long-term-agonists (the MPI tier carries the placebo-level "
                "background of day-to-day variability, about 6% by week 26)"),
    Target(id="A-long-term-levodopa", category=TREATMENT,
           description="Levodopa augments in a majority of patients",
           source="Allen and Earley 1996 Sleep 19:205 (82% within about 2 months)",
           expected="more than half of the levodopa 200 mg arm augmented within 2 years by the noise-free verdict; "
                    "pass unless the simulated Wilson 95% interval lies below 50%",
           unit="% of patients", compute=long_term.levodopa_two_years, needs_population=True,
           note="Tier: the series counted patients reporting the spread of symptoms, without visits or a placebo "
                "arm: the noise-free verdict, as A-levodopa-majority"),
    Target(id="A-ropinirole-66wk", category=TREATMENT,
           description="Ropinirole: 3.5% augmentation in 26 double-blind weeks (placebo < 1%), then a further 3% "
                       "in 40 open-label weeks: new cases at a stable rate",
           source="Garcia-Borreguero et al. 2012 Mov Disord 27:277",
           expected="ropinirole 2 mg, new cases in weeks 27-66 compatible with 3% (headline) and cases by week 26 "
                    "compatible with 3.5%. " + RATE_RULE,
           unit="% of patients", compute=long_term.ropinirole_open_label, needs_population=True,
           note="Tier: clinically relevant. Placebo below 1% in 26 weeks lies far under the 6% MPI background of "
                "a trial's placebo arm (Hogl et al. 2011), so the paper counted more than MPI-positive weeks"),
    Target(id="A-drug-vs-placebo-26wk", category=TREATMENT,
           description="Drug arms meet the MPI criteria more often than placebo: 9.2% pramipexole vs 6.0% placebo "
                       "by week 26",
           source="Hogl et al. 2011 Sleep Med 12:351",
           expected="by week 26, the pramipexole arms (mean of 0.25 and 0.5 mg) MPI-positive at least as often as "
                    "the placebo arm (difference >= 0 percentage points; the arms hold the same patients)",
           lo=0.0, unit="percentage points", compute=long_term.drug_vs_placebo_26_weeks, needs_population=True,
           note="Tier: MPI-positive (Hogl et al. 2011 had an expert panel adjudicate the MPI criteria at visits). "
                "Hogl dosed pramipexole flexibly (0.125-0.75 mg); the two fixed arms bracket the usual doses"),
    Target(id="A-agonist-12wk", category=TREATMENT,
           description="Dopamine agonists improve IRLS by about 5.7 points more than placebo at 12 weeks (pooled)",
           source="Scholz et al. 2011 Cochrane Database Syst Rev CD006009",
           expected="placebo-corrected change of the reported weekly IRLS at week 12 (each patient's change on the "
                    "drug minus on placebo), mean of pramipexole 0.25 mg and ropinirole 2 mg, and each arm, within "
                    "-8 to -4 (issue 22)",
           lo=-8.0, hi=-4.0, unit="IRLS points", compute=long_term.agonist_efficacy_12_weeks, needs_population=True,
           note="52-week population trial; drug potencies fitted in drug_efficacy.toml to -3 to -9 (docs/calibration.md)"),
)

#: The augmentation rows that read a tier carry the sentence saying which and why (issue 22, item 3).
TREATMENT_TARGETS = tuple(
    replace(t, note=(t.note + ". " if t.note else "") + population.tier_note(t.id)) if t.id in population.TIER_WHY
    else t for t in TREATMENT_TARGETS) + LONG_TERM_TARGETS

#: Every target, in report order (category by category).
TARGETS: tuple = SYMPTOM_TARGETS + PHYSIOLOGY_TARGETS + IRON_THERAPY_TARGETS + TREATMENT_TARGETS


def get(target_id: str) -> Target:
    """The target with id ``target_id``."""
    for t in TARGETS:
        if t.id == target_id:
            return t
    raise ValueError(f"unknown target {target_id!r}; valid: {', '.join(t.id for t in TARGETS)}")
