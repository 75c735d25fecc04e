"""Blood-brain barrier: endothelial TfR1 uptake of transferrin iron, ferroportin export into
the brain interstitium, and return of interstitial iron to blood with CSF/ISF bulk flow.

Iron amounts in mg (whole brain), time in days. Endothelial iron sensing (PHD/HIF and IRP
in microvessels) induces TfR1 when endothelial iron falls, which doubles uptake in severe
iron deficiency (Taylor and Morgan 1991).
"""
from .declaration import Flow, Module, Observable, Parameter, Regulation, State, sym

P, E, I = sym("fe_plasma"), sym("fe_endothelium"), sym("fe_interstitial")
tfr = sym("tfr_bbb")
hif_e = sym("hif_endothelial")
p = {n: sym(n) for n in (
    "bbb_uptake_vmax", "bbb_uptake_gain", "bbb_tsat_half", "tibc", "k_bbb_export",
    "endothelial_iron_ref", "endothelial_phd_k", "bbb_tfr_hif_gain", "k_tfr_turnover",
    "k_csf_drainage")}

states = (
    State("fe_endothelium", "mg", "iron in brain microvascular endothelial cells", 0.00417,
          quantity="iron", long_name="BBB endothelial iron"),
    State("fe_interstitial", "mg", "iron in brain interstitial fluid and CSF", 0.2,
          quantity="iron", long_name="brain interstitial iron"),
    State("tfr_bbb", "1", "endothelial transferrin receptor 1 expression (1 = healthy)", 1.0,
          long_name="BBB TfR1"),
)

parameters = (
    Parameter("bbb_uptake_vmax", 0.19, "mg/day", (0.05, 0.5),
              "assumed: healthy brain iron influx about 0.1 mg/day, i.e. the roughly 50-60 mg "
              "of brain iron turns over in about a year (Ficiara et al. 2022 Mathematics "
              "10:4461 for the structure)",
              "maximal endothelial TfR1-mediated iron uptake at healthy receptor level"),
    Parameter("bbb_uptake_gain", 1.0, "1", (0.2, 2.0),
              "Earley et al. 2000 Neurology 54:1698; Mizuno et al. 2005 J Sleep Res 14:43: CSF "
              "vs serum ferritin slope is lower in RLS, a transport gain; genotype-scaled",
              "genotype-dependent gain of BBB iron acquisition (1 = healthy)"),
    Parameter("bbb_tsat_half", 0.3, "1", (0.1, 0.6),
              "assumed: TfR1 is saturated by transferrin (Kd 5.6 nM, Pardridge et al. 1987 "
              "Metabolism 36:892, versus 5 uM plasma holo-Tf), so iron delivered per receptor "
              "depends on the diferric fraction: half-maximal near 30% saturation",
              "transferrin saturation (fraction) giving half-maximal iron delivery per receptor",
              domain="fraction"),
    Parameter("k_bbb_export", 24.0, "1/day", (5.0, 100.0),
              "assumed: endothelial iron is released within hours (Khan, Liu and Dutta 2018 "
              "Biochim Biophys Acta transcytosis rate constants)",
              "ferroportin export of endothelial iron into the interstitium"),
    Parameter("endothelial_iron_ref", 0.00417, "mg", (0.001, 0.02),
              "calibrated: the healthy steady-state endothelial iron (influx / export rate)",
              "set point of endothelial iron sensing"),
    Parameter("endothelial_phd_k", 0.1, "1", (0.02, 1.0),
              "assumed: PHD enzymes need Fe(II); HIF is stabilised steeply when cellular iron "
              "falls (Patton et al. 2011 J Neurol Sci 301:107 for HIF in RLS microvessels)",
              "relative endothelial iron at which PHD activity is half its healthy value"),
    Parameter("bbb_tfr_hif_gain", 3.0, "1", (1.0, 5.0),
              "calibrated to Taylor and Morgan 1991 J Neurochem 57:1584: brain transferrin and "
              "iron uptake about doubled in iron deficiency, halved in overload",
              "exponent linking endothelial HIF to TfR1 expression"),
    Parameter("k_tfr_turnover", 0.723, "1/day", (0.3, 2.0),
              "Mitchell and Mendes 2013 (BIOMD0000000498): TfR1 half-life about 23 h",
              "TfR1 protein turnover rate"),
    Parameter("k_csf_drainage", 0.5, "1/day", (0.1, 3.0),
              "assumed: interstitial iron returns to blood with ISF/CSF bulk flow (CSF renewed "
              "about 4 times a day; much interstitial iron is bound and slower)",
              "return of interstitial iron to plasma"),
)

tsat_fraction = P / p["tibc"]
uptake_rate = p["bbb_uptake_vmax"] * p["bbb_uptake_gain"] * tfr * tsat_fraction / (tsat_fraction + p["bbb_tsat_half"])

flows = (
    Flow("bbb_uptake", "fe_plasma", "fe_endothelium",
         uptake_rate,
         "TfR1-mediated uptake of transferrin iron by brain endothelium"),
    Flow("bbb_export", "fe_endothelium", "fe_interstitial", p["k_bbb_export"] * E,
         "ferroportin export from endothelium into brain interstitium"),
    Flow("csf_drainage", "fe_interstitial", "fe_plasma", p["k_csf_drainage"] * I,
         "interstitial iron returned to blood with CSF/ISF bulk flow"),
)

regulations = (
    Regulation("tfr_bbb_synthesis", "tfr_bbb", p["k_tfr_turnover"] * hif_e ** p["bbb_tfr_hif_gain"],
               "TfR1 synthesis induced by endothelial HIF (and IRP) when endothelial iron is low"),
    Regulation("tfr_bbb_degradation", "tfr_bbb", -p["k_tfr_turnover"] * tfr,
               "first-order TfR1 turnover"),
)

observables = (
    Observable("hif_endothelial",
               (1 + p["endothelial_phd_k"]) / (p["endothelial_phd_k"] + E / p["endothelial_iron_ref"]),
               "1", "endothelial HIF-1a (1 = healthy)",
               "quasi-steady-state HIF-1a in microvessels, inversely following endothelial iron"),
    Observable("bbb_iron_flux",
               uptake_rate,
               "mg/day", "BBB iron uptake", "iron taken up by brain endothelium per day"),
)

MODULE = Module(
    "barrier",
    "Blood-brain barrier endothelium: saturable, genotype-scaled, hypoxia-induced TfR1 "
    "uptake; ferroportin export to the interstitium; interstitial drainage back to blood.",
    states=states, parameters=parameters, flows=flows, regulations=regulations,
    observables=observables,
    references=("Ficiara, Stura and Guiot 2022 Mathematics 10:4461", "Taylor and Morgan 1991 J Neurochem 57:1584"),
)
