"""Striatal/nigral dopamine: tyrosine hydroxylase (iron cofactor, HIF induction), synthesis,
the releasable tissue store, release, DAT reuptake, and postsynaptic D2 density that adapts
to sustained stimulation.

Tissue dopamine in uM (per tissue volume), extracellular dopamine in nM (per extracellular
volume), time in days. Extracellular dopamine turns over in under a second, so it is a
declared quasi-steady-state relation: release = DAT uptake + non-DAT clearance.

Drugs enter through *sum observables* that pharmacology modules contribute to:
``exogenous_dopamine_synthesis`` (levodopa), ``d2_agonist_load`` and ``d2_ligand_load``
(sum over drugs of intrinsic activity x C/Ki, and of C/Ki, at D2).
"""
import sympy as sp

from .declaration import Module, Observable, Parameter, Regulation, State, sym

L, V = sym("fe_neuron_labile"), sym("da_tissue")
th, dat, d2, hif = sym("th"), sym("dat"), sym("d2_density"), sym("hif")
C = sym("dopamine_extracellular")
stim = sym("d2_stimulation")
p = {n: sym(n) for n in (
    "k_th", "th_hif_gain", "th_iron_k", "labile_iron_ref", "da_synthesis_max", "k_da_metabolism",
    "da_tissue_ref", "da_release_ref", "dat_vmax", "dat_km", "k_nondat_clearance",
    "extracellular_fraction", "k_dat", "dat_iron_exponent", "k_d2", "d2_adapt_exponent",
    "d2_iron_k", "kd_dopamine_d2", "d2_stimulation_ref")}
cycles = {n: sym(n) for n in ("circadian_da_synthesis", "circadian_firing", "circadian_dat")}

states = (
    State("th", "1", "tyrosine hydroxylase protein and phosphorylation (1 = healthy)", 1.0,
          long_name="tyrosine hydroxylase"),
    State("da_tissue", "uM", "releasable (mostly vesicular) tissue dopamine", 65.0,
          long_name="tissue dopamine"),
    State("dat", "1", "membrane dopamine transporter (1 = healthy)", 1.0, long_name="membrane DAT"),
    State("d2_density", "1", "postsynaptic D2 receptor density (1 = healthy)", 1.0,
          long_name="D2 receptor density"),
)

parameters = (
    Parameter("k_th", 0.5, "1/day", (0.2, 2.0),
              "assumed: TH protein half-life of 1-3 days", "TH turnover rate"),
    Parameter("th_hif_gain", 0.78, "1", (0.0, 3.0),
              "Connor et al. 2009 Brain 132:2403 (TH and phospho-TH raised in RLS); HIF response "
              "elements in the TH promoter. Assumed so that induction outweighs the cofactor "
              "loss at RLS-level iron deficits (science.md section 7)",
              "exponent of TH induction by HIF-1a", domain="nonnegative"),
    Parameter("th_iron_k", 0.2, "1", (0.02, 1.0),
              "Haavik et al. 1991 Eur J Biochem: TH activity strictly Fe(II)-dependent; assumed "
              "near saturation at healthy labile iron", "relative labile iron at half-maximal TH catalysis"),
    Parameter("da_synthesis_max", 233.68, "uM/day", (100.0, 1000.0),
              "calibrated: balances metabolism of a 65 uM tissue store with 20 nM extracellular "
              "dopamine (striatal synthesis 20-50 nmol/g/h)", "dopamine synthesis at healthy TH activity"),
    Parameter("k_da_metabolism", 2.0, "1/day", (0.5, 10.0),
              "assumed: intraneuronal MAO degradation; tissue dopamine turns over in hours",
              "intracellular dopamine metabolism rate"),
    Parameter("da_tissue_ref", 65.0, "uM", (30.0, 120.0),
              "striatal dopamine about 10 ug/g (about 65 uM)", "reference tissue dopamine for release"),
    Parameter("da_release_ref", 369.64, "nM/s", (100.0, 1000.0),
              "calibrated: release that holds extracellular dopamine at 20 nM against DAT and "
              "non-DAT clearance", "dopamine release rate at reference tissue dopamine"),
    Parameter("dat_vmax", 4000.0, "nM/s", (1000.0, 6000.0),
              "Atcherley et al. 2015 ACS Chem Neurosci 6:1509; Wu et al. 2001: Vmax 3.8-4.1 uM/s",
              "maximal DAT uptake rate (healthy membrane DAT)"),
    Parameter("dat_km", 200.0, "nM", (160.0, 320.0),
              "Wu et al. 2001; Dreyer et al. 2010: Km 0.16-0.32 uM", "DAT Michaelis constant"),
    Parameter("k_nondat_clearance", 0.3, "1/s", (0.1, 2.0),
              "assumed: diffusion, NET and extracellular COMT clear a few percent of released dopamine "
              "(1.6% at 20 nM); with less, reduced membrane DAT in RLS (Earley et al. 2011 Sleep 34:341) "
              "leaves tissue dopamine within 20% of healthy, as at autopsy (Connor et al. 2009 Brain "
              "132:2403)",
              "non-DAT clearance rate of extracellular dopamine"),
    Parameter("extracellular_fraction", 0.2, "1", (0.15, 0.25),
              "Sykova and Nicholson 2008 Physiol Rev 88:1277: brain extracellular volume fraction about 0.2",
              "extracellular volume fraction", domain="fraction"),
    Parameter("k_dat", 0.5, "1/day", (0.1, 2.0),
              "assumed: membrane DAT adapts over days", "membrane DAT adaptation rate"),
    Parameter("dat_iron_exponent", 0.64, "1", (-1.5, 1.5),
              "hypothesis (science.md section 7): positive = membrane DAT falls with iron "
              "(Bianco et al. 2008 J Neurochem 106:205, DAT mRNA -58%; Earley et al. 2011 Sleep "
              "34:341); negative = DAT rises (Lai et al. 2017 Mov Disord 32). Chosen by "
              "Model(dat_hypothesis=...)",
              "sensitivity of membrane DAT to neuronal iron", domain="real"),
    Parameter("k_d2", 0.139, "1/day", (0.05, 0.5),
              "Wade et al. 2000 Brain Res 871:281 (D2 +60-75% two weeks after dopamine loss, "
              "normal by six weeks): half-life about 5 days", "D2 receptor turnover rate"),
    Parameter("d2_adapt_exponent", 0.5, "1", (0.3, 2.0),
              "Thobois et al. 2004 Arch Neurol 61:1705: putamen D2 24% lower on dopaminergic drugs, "
              "i.e. partial compensation (a drug doubling mean stimulation lowers D2 by 2^-0.5 = 29%); "
              "an exponent of 1 (full compensation, the first calibration) cancelled any constant "
              "stimulation, so the rotigotine patch lost its effect within weeks, against its "
              "sustained efficacy (Trenkwalder et al. 2008 Lancet Neurol 7:595, 6 months)",
              "exponent of stimulation-driven D2 down-regulation"),
    Parameter("d2_iron_k", 0.53, "1", (0.05, 2.0),
              "calibrated: D2 density about 35% low in the median rls_genetic patient (Connor et al. "
              "2009 Brain 132:2403: 30-40%) with an untreated IRLS-like score about 20; the iron "
              "dependence itself follows Erikson et al. 2001 Pharmacol Biochem Behav 69:409 (D1/D2 "
              "density falls with striatal iron, post-transcriptionally)",
              "relative labile iron at half-maximal D2 synthesis"),
    Parameter("kd_dopamine_d2", 100.0, "nM", (20.0, 300.0),
              "in-vivo effective affinity: dopamine depletion (AMPT) raises striatal [11C]raclopride "
              "binding by only 10-20%, i.e. endogenous dopamine occupies 10-20% of D2 at rest "
              "(Laruelle et al. 1997 Neuropsychopharmacology 17:162; Verhoeff et al. 2001 "
              "Neuropsychopharmacology 25:213): with 20 nM dopamine, about 100 nM",
              "effective in-vivo dopamine affinity at D2"),
    Parameter("d2_stimulation_ref", 0.1667, "1", (0.05, 0.5),
              "set point: the healthy D2 occupancy by dopamine (20 nM at Kd 100 nM) in the "
              "day-averaged steady state",
              "set point of D2 receptor adaptation", domain="fraction", set_point="d2_stimulation"),
)

_cofactor = (L / p["labile_iron_ref"]) * (1 + p["th_iron_k"]) / (p["th_iron_k"] + L / p["labile_iron_ref"])
_release_endogenous = p["da_release_ref"] * (V / p["da_tissue_ref"]) * cycles["circadian_firing"]
# Dopamine made from exogenous levodopa is released at once (largely from serotonergic and
# dopaminergic terminals without vesicular buffering), so it follows brain levodopa.
_exogenous_release = sym("exogenous_dopamine_synthesis") * 1000 / (86400 * p["extracellular_fraction"])
_release_expr = sym("endogenous_dopamine_release") + sym("exogenous_dopamine_release")
_uptake_capacity = sym("dat_uptake_capacity")
# QSS: release = uptake_capacity*C/(Km + C) + k*C, solved as a quadratic in C (positive root),
# written in the form that avoids cancellation on either side of b = 0.
_a = p["k_nondat_clearance"]
_b = sym("dopamine_clearance_margin")
_release = sym("dopamine_release")
_disc = sp.sqrt(_b ** 2 + 4 * _a * _release * p["dat_km"])
_extracellular = sp.Piecewise((2 * _release * p["dat_km"] / (_b + _disc), _b >= 0),
                              ((_disc - _b) / (2 * _a), True))
_seconds_per_day_over_1000 = 86.4   # nM/s of extracellular volume -> uM/day, before volume fraction

observables = (
    Observable("th_activity", th * _cofactor, "1", "tyrosine hydroxylase activity (1 = healthy)",
               "TH amount times its Fe(II) cofactor saturation"),
    Observable("exogenous_dopamine_synthesis", sp.Integer(0), "uM/day",
               "dopamine made from exogenous levodopa", "sum of drug contributions"),
    Observable("endogenous_dopamine_release", _release_endogenous, "nM/s", "endogenous dopamine release",
               "release from the tissue store, with the circadian firing rhythm"),
    Observable("exogenous_dopamine_release", _exogenous_release, "nM/s", "dopamine release from levodopa",
               "dopamine formed from exogenous levodopa, released without vesicular storage (converted "
               "from uM tissue/day to nM extracellular/s)"),
    Observable("dopamine_release", _release_expr, "nM/s", "dopamine release",
               "release into the extracellular space, with the circadian firing rhythm"),
    Observable("dat_activity", dat * cycles["circadian_dat"], "1", "DAT uptake activity (1 = healthy mean)",
               "membrane DAT times its circadian activity rhythm (Ferris et al. 2014 PNAS)"),
    Observable("dat_uptake_capacity", p["dat_vmax"] * sym("dat_activity"), "nM/s", "DAT uptake capacity",
               "maximal DAT uptake rate: Vmax times membrane DAT activity"),
    Observable("dopamine_clearance_margin",
               sym("dat_uptake_capacity") + p["k_nondat_clearance"] * p["dat_km"] - sym("dopamine_release"),
               "nM/s", "clearance margin (b of the quasi-steady-state quadratic)",
               "uptake capacity plus linear clearance at Km, minus release"),
    Observable("dopamine_extracellular", _extracellular, "nM", "extracellular dopamine",
               "quasi-steady-state extracellular dopamine (release = DAT + non-DAT clearance)"),
    Observable("d2_agonist_load", sp.Integer(0), "1", "drug agonism at D2",
               "sum over drugs of intrinsic activity x concentration / Ki at D2"),
    Observable("d2_ligand_load", sp.Integer(0), "1", "drug occupancy load at D2",
               "sum over drugs of concentration / Ki at D2"),
    Observable("d1_agonist_load", sp.Integer(0), "1", "drug agonism at D1",
               "sum over drugs of intrinsic activity x concentration / Ki at D1"),
    Observable("d1_ligand_load", sp.Integer(0), "1", "drug occupancy load at D1",
               "sum over drugs of concentration / Ki at D1"),
    Observable("d3_agonist_load", sp.Integer(0), "1", "drug agonism at D3",
               "sum over drugs of intrinsic activity x concentration / Ki at D3"),
    Observable("d3_ligand_load", sp.Integer(0), "1", "drug occupancy load at D3",
               "sum over drugs of concentration / Ki at D3"),
    Observable("d2_stimulation",
               (C / p["kd_dopamine_d2"] + sym("d2_agonist_load")) / (1 + C / p["kd_dopamine_d2"] + sym("d2_ligand_load")),
               "1", "D2 stimulation (occupancy x efficacy)",
               "competitive occupancy of D2 by dopamine and drugs, weighted by intrinsic activity"),
    Observable("d2_signal", d2 * stim / p["d2_stimulation_ref"], "1", "D2 signalling (1 = healthy mean)",
               "postsynaptic D2 signalling: receptor density times stimulation"),
)

regulations = (
    Regulation("th_induction", "th", p["k_th"] * hif ** p["th_hif_gain"],
               "TH expression and phosphorylation induced by HIF-1a"),
    Regulation("th_turnover", "th", -p["k_th"] * th, "TH turnover"),
    Regulation("dopamine_synthesis", "da_tissue",
               p["da_synthesis_max"] * sym("th_activity") * cycles["circadian_da_synthesis"],
               "synthesis by TH (rate-limiting), with its daily rhythm"),
    Regulation("dopamine_metabolism", "da_tissue", -p["k_da_metabolism"] * V,
               "intraneuronal MAO metabolism"),
    Regulation("dopamine_extracellular_loss", "da_tissue",
               -p["k_nondat_clearance"] * C * p["extracellular_fraction"] * _seconds_per_day_over_1000
               * sym("endogenous_dopamine_release") / sym("dopamine_release"),
               "the store's share of released dopamine cleared by non-DAT routes is lost from it"),
    Regulation("dat_adaptation", "dat",
               p["k_dat"] * ((L / p["labile_iron_ref"]) ** p["dat_iron_exponent"] - dat),
               "membrane DAT follows neuronal iron (direction set by the DAT hypothesis)"),
    Regulation("d2_synthesis", "d2_density",
               p["k_d2"] * (L / p["labile_iron_ref"]) * (1 + p["d2_iron_k"]) / (p["d2_iron_k"] + L / p["labile_iron_ref"]),
               "iron-dependent D2 receptor synthesis/maturation"),
    Regulation("d2_internalisation", "d2_density",
               -p["k_d2"] * d2 * (stim / p["d2_stimulation_ref"]) ** p["d2_adapt_exponent"],
               "stimulation-driven D2 internalisation and degradation (homeostatic down-regulation)"),
)

MODULE = Module(
    "dopamine",
    "Tyrosine hydroxylase (iron cofactor, HIF induction), dopamine synthesis, store, release, "
    "DAT reuptake (quasi-steady state), and adaptive postsynaptic D2 density.",
    states=states, parameters=parameters, regulations=regulations, observables=observables,
    references=("Best, Nijhout and Reed 2009 Theor Biol Med Model 6:21", "Dreyer et al. 2010 J Neurosci 30:14273"),
)
