"""Dopaminergic neuron iron: TfR1-mediated import from the interstitium, the labile iron
pool, ferritin/neuromelanin storage, IRP feedback, and HIF-1a as the oxygen-sensing
readout of cellular iron (prolyl hydroxylases need Fe(II)).

Iron amounts in mg (whole-brain neuronal iron), time in days.

The ferritin store is the neuron's iron reserve on a time scale of months (issue 23):
imported iron is sequestered into ferritin within a day (``k_ferritin_storage``, faster than
export), and the labile pool is fed mainly by ferritin turnover (ferritinophagy, NCOA4;
``k_ferritin_release``). A loading pulse (an iron infusion) therefore fills the store first;
the store then keeps labile iron -- and TH, D2 and excitability downstream -- raised for
months while it is drawn down. The neuron's iron relaxes with the slow time constant
``(F / L) * (irp / k_ferritin_storage + 1 / k_neuron_export)``, about 45 days in iron-deficient
RLS (docs/decisions.md entry 35); the steady state does not depend on the two store rates
(storage and release cancel), so untreated profiles are unchanged by them.
"""
from .declaration import Flow, Module, Observable, Parameter, Regulation, State, sym

I, L, F, O = sym("fe_interstitial"), sym("fe_neuron_labile"), sym("fe_neuron_ferritin"), sym("fe_oligodendrocyte")
E = sym("fe_endothelium")
tfr, hif, irp = sym("tfr_neuron"), sym("hif"), sym("irp_activity")
p = {n: sym(n) for n in (
    "neuron_import_vmax", "neuron_uptake_gain", "neuron_import_km", "k_neuron_export",
    "k_ferritin_storage", "k_ferritin_release", "labile_iron_ref", "irp_iron_k",
    "neuron_irp_tfr_gain", "phd_iron_k", "k_hif", "ferritin_iron_ref",
    "oligodendrocyte_iron_ref", "csf_ferritin_healthy")}

states = (
    State("fe_neuron_labile", "mg", "labile (chelatable) iron pool of neurons", 0.2,
          quantity="iron", long_name="neuronal labile iron"),
    State("fe_neuron_ferritin", "mg", "iron stored in neuronal ferritin and neuromelanin", 8.0,
          quantity="iron", long_name="neuronal ferritin iron"),
    State("tfr_neuron", "1", "neuronal TfR1 expression per unit acquisition capacity (1 = healthy)",
          1.0, long_name="neuronal TfR1 (regulated)"),
    State("hif", "1", "HIF-1a in dopaminergic neurons (1 = healthy)", 1.0,
          long_name="neuronal HIF-1a"),
)

parameters = (
    Parameter("neuron_import_vmax", 2.2, "mg/day", (0.2, 6.0),
              "assumed: neurons exchange iron with the interstitium about 0.2 mg/day at half "
              "saturation, so their labile pool follows interstitial iron within days while the "
              "8 mg ferritin store turns over in months; brain iron rises within 2-6 weeks of an "
              "iron infusion (Earley et al. 2004 Sleep Med 5:231, MRI at 2 weeks; quantitative "
              "susceptibility of the caudate raised 6 weeks after 1000 mg ferric carboxymaltose)",
              "maximal neuronal TfR1-mediated iron import at healthy receptor level"),
    Parameter("neuron_uptake_gain", 1.0, "1", (0.2, 2.0),
              "Connor et al. 2003 Neurology 61:304; Connor et al. 2004 Brain 127:2713: an iron "
              "acquisition defect of neuromelanin cells in RLS; genotype-scaled",
              "genotype-dependent gain of neuronal iron import (1 = healthy)"),
    Parameter("neuron_import_km", 2.0, "mg", (0.05, 5.0),
              "assumed: import half-saturated at healthy interstitial iron",
              "interstitial iron at half-maximal neuronal import"),
    Parameter("k_neuron_export", 1.0, "1/day", (0.1, 3.0),
              "assumed: neuronal ferroportin export; the labile pool exchanges with the "
              "interstitium within about a day",
              "neuronal ferroportin export rate"),
    Parameter("k_ferritin_storage", 2.0, "1/day", (0.1, 3.0),
              "calibrated (issue 23, experiments/calibration/iron_time_course.toml) to the time "
              "course of IV ferric carboxymaltose 1000 mg in iron-deficient RLS: placebo-corrected "
              "IRLS -2.5 at week 4 and -4.66 at week 12 (Trenkwalder et al. 2017 Mov Disord "
              "32:1478), benefit lasting months (iron dextran 1 g: 15.8 +- 17.7 weeks, Sleep Med "
              "2010 doi 10.1016/j.sleep.2009.12.002). Structure: the chaperone PCBP1 hands imported "
              "iron to ferritin (Shi et al. 2008 Science 320:1207), so sequestration outpaces "
              "ferroportin export (k_neuron_export); 0.4 before issue 23",
              "sequestration of labile iron into ferritin (at healthy IRP activity)"),
    Parameter("k_ferritin_release", 0.05, "1/day", (0.002, 0.1),
              "assumed with k_ferritin_storage so that the healthy store holds about 8 mg "
              "(k_ferritin_storage * labile / release): ferritin iron returns to the labile pool "
              "with a half-life of about 14 days by NCOA4-mediated ferritinophagy (Mancias et al. "
              "2014 Nature 509:105; ferritin protein turns over within about a day in cultured "
              "cells, Mitchell and Mendes 2013, while neuromelanin iron is far more stable, Zecca et "
              "al. 2001 J Neurochem 76:1766); 0.01 before issue 23",
              "release of stored iron back to the labile pool (ferritinophagy)"),
    Parameter("labile_iron_ref", 0.2, "mg", (0.05, 1.0),
              "set point: the healthy steady-state neuronal labile iron", "set point of neuronal iron sensing",
              set_point="fe_neuron_labile"),
    Parameter("irp_iron_k", 0.5, "1", (0.1, 2.0),
              "assumed: IRP1/2 activity roughly doubles when labile iron halves "
              "(Mitchell and Mendes 2013 structure)",
              "relative labile iron at which IRP activity is half its maximal increase"),
    Parameter("neuron_irp_tfr_gain", 0.3, "1", (0.0, 2.0),
              "Connor et al. 2003 Neurology 61:304: TfR is lower on RLS neuromelanin cells despite "
              "low iron, a blunted IRP response (gain < 1 in RLS)",
              "strength of the IRP-driven TfR1 response to low neuronal iron",
              domain="nonnegative"),
    Parameter("k_tfr_neuron_turnover", 0.723, "1/day", (0.3, 2.0),
              "Mitchell and Mendes 2013 (BIOMD0000000498): TfR1 half-life about 23 h",
              "neuronal TfR1 turnover rate"),
    Parameter("phd_iron_k", 0.25, "1", (0.05, 1.0),
              "assumed: prolyl hydroxylases need Fe(II), so HIF-1a is stabilised as labile iron "
              "falls (Patton et al. 2011 J Neurol Sci 301:107: HIF-1a raised in RLS nigra)",
              "relative labile iron at which PHD activity is half its healthy value"),
    Parameter("k_hif", 8.3, "1/day", (2.0, 50.0),
              "assumed: HIF-1a signalling settles within hours (half-life about 2 h)",
              "HIF-1a relaxation rate"),
    Parameter("ferritin_iron_ref", 8.0, "mg", (2.0, 20.0),
              "set point: the healthy steady-state neuronal ferritin iron",
              "reference neuronal ferritin iron for the CSF ferritin readout", set_point="fe_neuron_ferritin"),
    Parameter("csf_ferritin_healthy", 3.5, "ug/L", (1.5, 8.0),
              "Earley et al. 2000 Neurology 54:1698 (control CSF ferritin a few ug/L, RLS lower); "
              "approximate", "CSF ferritin of a healthy adult"),
)

flows = (
    Flow("neuron_import", "fe_interstitial", "fe_neuron_labile",
         p["neuron_import_vmax"] * p["neuron_uptake_gain"] * tfr * I / (I + p["neuron_import_km"]),
         "TfR1-mediated iron import into dopaminergic (neuromelanin) neurons"),
    Flow("neuron_export", "fe_neuron_labile", "fe_interstitial", p["k_neuron_export"] * L,
         "ferroportin export from neurons"),
    Flow("ferritin_storage", "fe_neuron_labile", "fe_neuron_ferritin",
         p["k_ferritin_storage"] * L / irp,
         "sequestration into ferritin; IRPs repress ferritin translation when iron is low"),
    Flow("ferritin_release", "fe_neuron_ferritin", "fe_neuron_labile", p["k_ferritin_release"] * F,
         "release of stored iron (ferritinophagy)"),
)

regulations = (
    Regulation("tfr_neuron_synthesis", "tfr_neuron",
               sym("k_tfr_neuron_turnover") * irp ** p["neuron_irp_tfr_gain"],
               "IRP-stabilised TfR1 mRNA: more receptor when labile iron is low"),
    Regulation("tfr_neuron_degradation", "tfr_neuron", -sym("k_tfr_neuron_turnover") * tfr,
               "first-order TfR1 turnover"),
    Regulation("hif_stabilisation", "hif",
               p["k_hif"] * (1 + p["phd_iron_k"]) / (p["phd_iron_k"] + L / p["labile_iron_ref"]),
               "HIF-1a escapes PHD hydroxylation when Fe(II) is scarce"),
    Regulation("hif_degradation", "hif", -p["k_hif"] * hif, "HIF-1a turnover"),
)

observables = (
    Observable("irp_activity", (1 + p["irp_iron_k"]) / (p["irp_iron_k"] + L / p["labile_iron_ref"]),
               "1", "IRP activity (1 = healthy)", "iron-regulatory protein activity in neurons"),
    Observable("neuron_tfr", p["neuron_uptake_gain"] * tfr, "1",
               "neuronal TfR1 (1 = healthy)",
               "transferrin receptor on dopaminergic neurons: genotype gain times IRP-regulated expression"),
    Observable("neuronal_iron", L + F, "mg", "neuronal iron", "labile plus stored neuronal iron"),
    Observable("brain_iron", E + I + L + F + O, "mg", "brain iron",
               "iron in brain endothelium, interstitium, neurons and oligodendrocytes"),
    Observable("csf_ferritin",
               p["csf_ferritin_healthy"] * (F + O) / (p["ferritin_iron_ref"] + p["oligodendrocyte_iron_ref"]),
               "ug/L", "CSF ferritin",
               "CSF ferritin, proportional to ferritin-bound iron in brain cells"),
)

MODULE = Module(
    "neurons",
    "Neuronal iron import (genotype-scaled, IRP-regulated TfR1), labile pool, ferritin store, "
    "export, and HIF-1a as the oxygen-sensing readout of cellular iron.",
    states=states, parameters=parameters, flows=flows, regulations=regulations,
    observables=observables,
    references=("Connor et al. 2003 Neurology 61:304", "Mitchell and Mendes 2013 PLoS Comput Biol 9:e1003299"),
)
