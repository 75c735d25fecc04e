"""Adenosine and glutamate: the hypoadenosinergic, hyperglutamatergic state of brain iron
deficiency (Ferre et al. 2018 Sleep Med Rev 38:1).

Brain iron deficiency lowers the inhibitory adenosine A1 receptors on corticostriatal
glutamatergic terminals (rodent diets of about 3 weeks; Quiroz et al. 2016; Rodrigues et
al. 2022 Molecules 27:1489, a selective fall of the A1/A2A ratio on VGLUT1 terminals). Less
A1 brake means more glutamate released per cortical volley (a larger corticostriatal
glutamatergic drive; thalamic glutamate is raised in RLS, Allen et al. 2013 Neurology
80:2028), read out as sensorimotor ``excitability``.

Structure (dimensionless, 1 = healthy; time in days)::

    target(r)  = ((k + r) / (1 + k)) ** a1_iron_gain                 r = labile iron / healthy
    d a1 / dt  = (target(r) - a1) / a1_adaptation_time                A1 receptor density
    tone       = 1 + adenosine_ent_gain * u / (1 + u)                 u = ENT inhibitor load
    a1_signal  = a1 * tone * (1 + K) / (tone + K)                     K = a1_adenosine_k
    glutamate  = a1_signal ** (-glutamate_a1_gain)                    corticostriatal release
    excitability = glutamate * (1 - alpha2delta_emax * v / (1 + v))   v = alpha-2-delta load

At the A1 steady state ``excitability = ((1 + k) / (k + r)) ** (a1_iron_gain *
glutamate_a1_gain)``: with both gains 1 this is exactly the algebraic read-out the model
had before (issue 13), so the calibrated baseline is unchanged; what is new is the time
course (A1 density follows iron over days to weeks) and the adenosine tone that an
equilibrative nucleoside transporter (ENT) inhibitor such as dipyridamole raises (drugs add
their load to ``ent_inhibitor_load``). Alpha-2-delta ligands cut glutamate release at the
same terminals (``alpha2delta_load``). Alternatives considered: docs/decisions.md, 39.
"""
import sympy as sp

from .declaration import Module, Observable, Parameter, Regulation, State, sym

L, a1 = sym("fe_neuron_labile"), sym("a1_receptor_density")
p = {n: sym(n) for n in (
    "excitability_iron_k", "a1_iron_gain", "a1_adaptation_time", "adenosine_ent_gain", "a1_adenosine_k",
    "glutamate_a1_gain", "alpha2delta_emax", "labile_iron_ref")}

states = (
    State("a1_receptor_density", "1", "adenosine A1 receptor density on corticostriatal glutamatergic "
          "terminals (1 = healthy)", 1.0, long_name="A1 receptor density"),
)

parameters = (
    Parameter("excitability_iron_k", 0.05, "1", (0.02, 2.0),
              "Ferre et al. 2018 Sleep Med Rev 38:1 (brain iron deficiency lowers striatal A1 receptors in "
              "rodents; Quiroz et al. 2016; Rodrigues et al. 2022 Molecules 27:1489); value fitted in issue 13 "
              "(as the half-saturation of the former algebraic excitability) at the low end: A1 density nearly "
              "proportional to labile iron",
              "relative neuronal labile iron at which A1 receptor density is half its iron-replete level"),
    Parameter("a1_iron_gain", 1.0, "1", (0.0, 3.0),
              "assumed: with glutamate_a1_gain 1 this keeps issue 13's exponent of iron-deficiency "
              "excitability (1); rodent A1 loss is graded with the degree of brain iron deficiency "
              "(Ferre et al. 2018 Sleep Med Rev 38:1)",
              "exponent of A1 receptor density on relative labile iron", domain="nonnegative"),
    Parameter("a1_adaptation_time", 10.0, "day", (3.0, 30.0),
              "assumed: A1 receptor changes are measured after about 3 weeks of iron-deficient diet in rodents "
              "(Quiroz et al. 2016; Rodrigues et al. 2022 Molecules 27:1489), and membrane receptor density "
              "adapts over days to weeks (the model's D2 density: weeks)",
              "time constant of A1 receptor density following brain iron"),
    Parameter("a1_adenosine_k", 1.0, "1", (0.3, 5.0),
              "assumed: basal extracellular striatal adenosine (tens to a few hundred nM; Delaney and Geiger "
              "1998 J Pharmacol Exp Ther 285:568) is near the A1 receptor's affinity for adenosine (about "
              "0.1-0.3 uM; Fredholm et al. 2001 Biochem Pharmacol 61:443), so basal A1 occupancy is about half",
              "adenosine tone (1 = basal) at half-maximal A1 receptor occupancy"),
    Parameter("adenosine_ent_gain", 1.95, "1", (0.5, 4.0),
              "calibrated (issue 28; re-fitted in decision 57 on the trial population of that decision) inside "
              "the literature range: blocking equilibrative nucleoside transport raises extracellular striatal "
              "adenosine two- to several-fold (Delaney and Geiger 1998 J Pharmacol Exp Ther 285:568: "
              "dipyridamole/NBMPR in rat striatum); 1.95 makes dipyridamole 200 mg give the published "
              "placebo-corrected IRLS change (Garcia-Borreguero et al. 2021 Mov Disord: -8.0; virtual trial n = "
              "300, seed 2014, 12 weeks: -7.8 at 1.85, -8.6 at 2.2, -9.1 at 2.5, -9.8 at 3; 3 gave -8.3 on the "
              "issue-28 population at n = 60)",
              "maximal rise of extracellular adenosine tone (relative to basal) under full ENT block",
              domain="nonnegative"),
    Parameter("glutamate_a1_gain", 1.0, "1", (0.3, 3.0),
              "assumed: presynaptic A1 receptors inhibit glutamate release at corticostriatal terminals "
              "(Ferre et al. 2018 Sleep Med Rev 38:1); with a1_iron_gain 1 it keeps issue 13's "
              "iron-excitability exponent; thalamic glutamate raised in RLS (Allen et al. 2013 Neurology "
              "80:2028)",
              "exponent of corticostriatal glutamate release on A1 signalling (release ~ signal^-gain)",
              domain="nonnegative"),
    Parameter("alpha2delta_emax", 0.284, "1", (0.1, 0.9),
              "calibrated (issue 14): alpha-2-delta ligands reduce excitatory (glutamatergic) release "
              "(Dooley et al. 2007 Trends Pharmacol Sci 28:75); 0.28 makes pregabalin 300 mg about as "
              "effective as pramipexole at 12 weeks (Allen et al. 2014 NEJM 370:621)",
              "maximal fractional reduction of excitability by alpha-2-delta ligands",
              domain="fraction"),
)

_r = L / p["labile_iron_ref"]
_a1_target = ((p["excitability_iron_k"] + _r) / (1 + p["excitability_iron_k"])) ** p["a1_iron_gain"]
_u = sym("ent_inhibitor_load")
_tone = 1 + p["adenosine_ent_gain"] * _u / (1 + _u)
_K = p["a1_adenosine_k"]
_a2d = sym("alpha2delta_load")

regulations = (
    Regulation("a1_receptor_adaptation", "a1_receptor_density",
               (_a1_target - a1) / p["a1_adaptation_time"],
               "A1 receptor density relaxes towards its iron-dependent level (synthesis and turnover)"),
)

observables = (
    Observable("ent_inhibitor_load", sp.Integer(0), "1", "ENT inhibitor load",
               "sum over drugs of free brain concentration / IC50 at the equilibrative nucleoside transporter"),
    Observable("alpha2delta_load", sp.Integer(0), "1", "alpha-2-delta ligand load",
               "sum over drugs of concentration / EC50 at the alpha-2-delta subunit"),
    Observable("adenosine_tone", _tone, "1", "extracellular adenosine tone (1 = basal)",
               "extracellular adenosine relative to basal, raised by ENT inhibitors"),
    Observable("a1_signal", a1 * sym("adenosine_tone") * (1 + _K) / (sym("adenosine_tone") + _K), "1",
               "A1 receptor signalling (1 = healthy)",
               "A1 receptor density times fractional occupancy by adenosine, relative to healthy basal"),
    Observable("glutamate_release", sym("a1_signal") ** (-p["glutamate_a1_gain"]), "1",
               "corticostriatal glutamate release (1 = healthy)",
               "glutamate released per cortical volley: less A1 brake, more release"),
    Observable("excitability", sym("glutamate_release") * (1 - p["alpha2delta_emax"] * _a2d / (1 + _a2d)), "1",
               "sensorimotor excitability (1 = healthy)",
               "glutamatergic hyperexcitability (hypoadenosinergic state of brain iron deficiency), damped by "
               "alpha-2-delta ligands"),
)

MODULE = Module(
    "adenosine_glutamate",
    "Brain iron deficiency lowers adenosine A1 receptors (over days to weeks), so corticostriatal glutamate "
    "release and sensorimotor excitability rise; ENT inhibitors raise adenosine tone, alpha-2-delta ligands "
    "cut release.",
    states=states, parameters=parameters, regulations=regulations, observables=observables,
    references=("Ferre et al. 2018 Sleep Med Rev 38:1", "Rodrigues et al. 2022 Molecules 27:1489",
                "Allen et al. 2013 Neurology 80:2028"),
)
