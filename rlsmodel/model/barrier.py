"""Blood-brain barrier: endothelial TfR1 uptake of transferrin iron, storage in the
endothelium, release into the brain interstitium under control of brain iron status, and
return of interstitial iron to blood with CSF/ISF bulk flow.

Iron amounts in mg (whole brain), time in days.

* **Uptake.** Brain capillary endothelial cells take up transferrin iron through TfR1; the
  transferrin recycles to plasma and the iron stays in the cell (Crowe and Morgan 1992
  Brain Res 592:8). Uptake scales with receptor level and with the iron carried per
  endocytosed transferrin, which follows transferrin saturation (``bbb_tsat_half``).
* **Storage and regulated release.** Endothelial iron is held in ferritin and exported
  through ferroportin (with hephaestin) on the brain side. The brain side sets the pace:
  apo-transferrin in the interstitium (an iron-poor brain) stimulates release and
  holo-transferrin and astrocyte hepcidin (an iron-replete brain) suppress it (McCarthy and
  Kosman 2014 PLoS One 9:e89003; Simpson et al. 2015 J Cereb Blood Flow Metab 35:48; Chiou
  et al. 2019 J Cereb Blood Flow Metab 39:2117; Baringer et al. 2023 J Biomed Sci 30:36).
  The model reads that signal as ``isf_apo_holo_ratio`` = healthy interstitial iron /
  interstitial iron (the apo-/holo-transferrin ratio of a saturable carrier relative to
  health) raised to ``bbb_release_brain_gain``. A pulse of transferrin iron (after an
  iron infusion) is therefore stored and handed on as the brain asks for it, and an
  iron-poor brain empties the endothelial store faster.
* **Compensation.** Endothelial iron sensing (IRP/PHD-HIF) induces TfR1 when endothelial iron
  falls, so a brain that draws harder on the store makes the barrier take up more; in
  overload the store fills and TfR1 falls (Taylor and Morgan 1991 J Neurochem 57:1584).

Hypotheses (``Model(iron_release=...)``): ``"brain_regulated"`` (default, the mechanism
above) or ``"constitutive"`` (``bbb_release_brain_gain`` = 0: release follows endothelial
iron only and the barrier compensates through endothelial iron sensing alone).
"""
from .declaration import Flow, Module, Observable, Parameter, Regulation, State, sym

P, E, I = sym("fe_plasma"), sym("fe_endothelium"), sym("fe_interstitial")
tfr = sym("tfr_bbb")
hif_e = sym("hif_endothelial")
p = {n: sym(n) for n in (
    "bbb_uptake_vmax", "bbb_uptake_gain", "bbb_tsat_half", "tibc", "k_bbb_export",
    "endothelial_iron_ref", "endothelial_phd_k", "bbb_tfr_hif_gain", "k_tfr_turnover",
    "k_csf_drainage", "bbb_release_brain_gain", "interstitial_iron_ref")}

states = (
    State("fe_endothelium", "mg", "iron in brain microvascular endothelial cells (mostly ferritin-bound)",
          0.3, quantity="iron", long_name="BBB endothelial iron"),
    State("fe_interstitial", "mg", "iron in brain interstitial fluid and CSF (with the exchangeable "
          "pool of astrocytes)", 0.2, quantity="iron", long_name="brain interstitial iron"),
    State("tfr_bbb", "1", "endothelial transferrin receptor 1 expression (1 = healthy)", 1.0,
          long_name="BBB TfR1"),
)

parameters = (
    Parameter("bbb_uptake_vmax", 0.40, "mg/day", (0.1, 2.0),
              "calibrated: healthy brain iron influx about 0.1 mg/day, i.e. the roughly 35-60 mg of "
              "brain iron turns over in about a year (Ficiara et al. 2022 Mathematics 10:4461 for "
              "the structure), at healthy receptor level and transferrin saturation",
              "maximal endothelial TfR1-mediated iron uptake at healthy receptor level"),
    Parameter("bbb_uptake_gain", 1.0, "1", (0.2, 2.0),
              "Earley et al. 2000 Neurology 54:1698; Mizuno et al. 2005 J Sleep Res 14:43: CSF "
              "vs serum ferritin slope is lower in RLS, a transport gain; genotype-scaled",
              "genotype-dependent gain of BBB iron acquisition (1 = healthy)"),
    Parameter("bbb_tsat_half", 1.0, "1", (0.1, 3.0),
              "Taylor and Morgan 1991 J Neurochem 57:1584: transferrin and iron uptake by the brain "
              "rose and fell together with iron status, i.e. iron delivered per endocytosed "
              "transferrin follows its saturation; TfR1 itself is saturated by plasma transferrin "
              "(Kd 5.6 nM, Pardridge et al. 1987 Metabolism 36:892, versus about 30 uM). A "
              "half-saturation above the physiological range makes delivery nearly proportional "
              "to saturation; calibrated with the IV-iron targets (docs/calibration.md)",
              "transferrin saturation (fraction) giving half-maximal iron delivery per receptor"),
    Parameter("k_bbb_export", 0.333, "1/day", (0.05, 3.0),
              "assumed: endothelial ferritin iron is handed on within days (store of about 0.3 mg, "
              "roughly 0.15 mg/g in about 2 g of brain endothelium, against a 0.1 mg/day flux); "
              "structure from Chiou et al. 2019 J Cereb Blood Flow Metab 39:2117 (endothelial "
              "ferritin and transferrin secretion, brain iron status controls transport)",
              "ferroportin export of endothelial iron into the interstitium at healthy brain iron status"),
    Parameter("bbb_release_brain_gain", 2.0, "1", (0.0, 4.0),
              "hypothesis (Model(iron_release=...)): apo-transferrin on the brain side stimulates "
              "and holo-transferrin suppresses endothelial iron release (Simpson et al. 2015 J Cereb "
              "Blood Flow Metab 35:48; Baringer et al. 2023 J Biomed Sci 30:36), and glial hepcidin "
              "suppresses it (McCarthy and Kosman 2014 PLoS One 9:e89003); 0 = constitutive release",
              "exponent of the brain-side apo-/holo-transferrin signal on endothelial iron release",
              domain="nonnegative"),
    Parameter("interstitial_iron_ref", 0.2, "mg", (0.02, 2.0),
              "set point: the healthy steady-state interstitial iron",
              "interstitial iron at which the brain-side release signal is at its healthy level",
              set_point="fe_interstitial"),
    Parameter("endothelial_iron_ref", 0.3, "mg", (0.01, 3.0),
              "set point: the healthy steady-state endothelial iron",
              "set point of endothelial iron sensing", set_point="fe_endothelium"),
    Parameter("endothelial_phd_k", 0.1, "1", (0.02, 1.0),
              "assumed: PHD enzymes need Fe(II); HIF is stabilised steeply when cellular iron "
              "falls (Patton et al. 2011 J Neurol Sci 301:107 for HIF in RLS microvessels)",
              "relative endothelial iron at which PHD activity is half its healthy value"),
    Parameter("bbb_tfr_hif_gain", 0.5, "1", (0.0, 5.0),
              "calibrated to Taylor and Morgan 1991 J Neurochem 57:1584: brain transferrin and "
              "iron uptake about doubled in iron deficiency, halved in overload",
              "exponent linking endothelial HIF/IRP to TfR1 expression", domain="nonnegative"),
    Parameter("k_tfr_turnover", 0.723, "1/day", (0.3, 2.0),
              "Mitchell and Mendes 2013 (BIOMD0000000498): TfR1 half-life about 23 h",
              "TfR1 protein turnover rate"),
    Parameter("k_csf_drainage", 0.5, "1/day", (0.1, 3.0),
              "assumed: interstitial iron returns to blood with ISF/CSF bulk flow (CSF renewed "
              "about 4 times a day; much interstitial iron is bound and slower)",
              "return of interstitial iron to plasma"),
)

tsat_fraction = P / p["tibc"]
uptake_rate = (p["bbb_uptake_vmax"] * p["bbb_uptake_gain"] * tfr * tsat_fraction
               / (tsat_fraction + p["bbb_tsat_half"]))
_apo_holo = sym("isf_apo_holo_ratio")
release_rate = p["k_bbb_export"] * E * _apo_holo ** p["bbb_release_brain_gain"]

flows = (
    Flow("bbb_uptake", "fe_plasma", "fe_endothelium", uptake_rate,
         "TfR1-mediated uptake of transferrin iron by brain endothelium"),
    Flow("bbb_export", "fe_endothelium", "fe_interstitial", release_rate,
         "ferroportin export from the endothelial store into the brain interstitium, paced by the "
         "brain-side apo-/holo-transferrin signal"),
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
    Observable("isf_apo_holo_ratio", p["interstitial_iron_ref"] / I, "1",
               "interstitial apo-/holo-transferrin ratio (1 = healthy)",
               "brain-side iron-status signal: high when the interstitium is iron-poor"),
    Observable("bbb_iron_flux", uptake_rate, "mg/day", "BBB iron uptake",
               "iron taken up by brain endothelium per day"),
    Observable("bbb_iron_release", release_rate, "mg/day", "BBB iron release into the brain",
               "iron released from the endothelium into the brain interstitium per day"),
    Observable("bbb_iron_uptake_fraction", uptake_rate / P, "1/day",
               "brain iron uptake per plasma iron pool",
               "fraction of the plasma transferrin-iron pool taken up by the brain per day: what "
               "59Fe-transferrin tracer studies measure (Taylor and Morgan 1991; Crowe and Morgan 1992)"),
)

MODULE = Module(
    "barrier",
    "Blood-brain barrier endothelium: saturable, genotype-scaled TfR1 uptake; an endothelial "
    "ferritin store released under brain-side control; TfR1 induced by endothelial iron sensing; "
    "interstitial drainage back to blood.",
    states=states, parameters=parameters, flows=flows, regulations=regulations,
    observables=observables,
    references=("Ficiara, Stura and Guiot 2022 Mathematics 10:4461", "Taylor and Morgan 1991 J Neurochem 57:1584",
                "Simpson et al. 2015 J Cereb Blood Flow Metab 35:48"),
)
