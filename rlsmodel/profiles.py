"""Patient profiles: documented parameter overrides on top of the declared defaults.

A profile is a *median patient* of its kind, not a population (population spread comes
with :mod:`rlsmodel.populations`). Each override carries its reason.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .model.system import closest


@dataclass(frozen=True)
class Profile:
    """A named set of parameter overrides with the reasons for each."""

    name: str
    description: str
    overrides: dict = field(default_factory=dict)
    reasons: dict = field(default_factory=dict)


_IRON_DEFICIENT = {"diet_iron": 9.0, "blood_loss": 3.0}
_IRON_DEFICIENT_REASONS = {
    "diet_iron": "low intake (about 60% of the typical 15 mg/day), e.g. little meat",
    "blood_loss": "about 1.5 mg iron/day lost with blood (heavy menstruation, GI loss or frequent "
                  "donation); with the low intake, serum ferritin about 20 ug/L and transferrin saturation "
                  "about 27%: iron deficiency without anaemia. Sun et al. 1998 Sleep 21:371: iron deficiency "
                  "of any cause raises RLS risk",
}
_RLS_GENETIC = {"bbb_uptake_gain": 0.8, "bbb_tfr_hif_gain": 0.0, "neuron_uptake_gain": 0.65,
                "neuron_irp_tfr_gain": 0.1}
_RLS_GENETIC_REASONS = {
    "bbb_uptake_gain": "impaired iron acquisition at the BBB: low CSF ferritin with normal serum "
                       "ferritin and a lower CSF-serum ferritin slope (Earley et al. 2000; Mizuno "
                       "et al. 2005); low iron and H-ferritin in RLS microvessels and choroid "
                       "plexus (Connor et al. 2011 Brain)",
    "bbb_tfr_hif_gain": "blunted induction of endothelial TfR by low iron/HIF: RLS microvessels are "
                        "iron-poor yet do not up-regulate iron acquisition (Connor et al. 2011 Brain "
                        "134:959)",
    "neuron_uptake_gain": "iron acquisition defect of neuromelanin cells (Connor et al. 2003 "
                          "Neurology 61:304; Connor et al. 2004 Brain 127:2713)",
    "neuron_irp_tfr_gain": "TfR is lower on RLS neuromelanin cells despite low iron: blunted IRP "
                           "response (Connor et al. 2004 Brain 127:2713)",
}

_SEVERE_IRON_DEFICIENCY = {"diet_iron": 4.74, "blood_loss": 4.0}
_SEVERE_IRON_DEFICIENCY_REASONS = {
    "diet_iron": "a severely iron-poor diet (about a third of the typical 15 mg/day), the human-scale "
                 "analogue of the rodent diets with a tenth of normal iron fed from weaning (Beard et al. "
                 "1994 Pharmacol Biochem Behav 48:621; Erikson et al. 2001 Pharmacol Biochem Behav 69:409; "
                 "Beard et al. 2003 Dev Neurosci 25:308)",
    "blood_loss": "about 2 mg iron/day lost with blood, standing in for the iron demand of growth; with the "
                  "diet, calibrated so that brain iron is about 35% below healthy (the 30-40% deficit of "
                  "those rodents), with transferrin saturation about 9% and red-cell iron about 30% low",
}
_IRON_OVERLOAD = {"hepcidin_absorption_k": 20.0, "hepcidin_ferroportin_k": 10.0, "absorption_max_fraction": 0.5}
_IRON_OVERLOAD_REASONS = {
    "hepcidin_absorption_k": "hepcidin barely restrains absorption, as in HFE haemochromatosis (Ganz and "
                             "Nemeth 2012 Biochim Biophys Acta 1823:1434): with an intact hepcidin response the "
                             "model, like people, does not load iron from food",
    "hepcidin_ferroportin_k": "hepcidin barely restrains ferroportin export from macrophages and hepatocytes "
                              "(haemochromatosis); transferrin saturation about 90% (> 55%), several grams of "
                              "storage iron: the overload half of Taylor and Morgan 1991 J Neurochem 57:1584 "
                              "(carbonyl-iron-fed rats)",
    "absorption_max_fraction": "maximal absorption of non-haem iron in haemochromatosis (about half of "
                               "dietary iron when hepcidin is suppressed)",
}

PROFILES = {
    "healthy": Profile("healthy", "Healthy adult: declared defaults (about 1 g stores, serum "
                       "ferritin about 125 ug/L, transferrin saturation about 33%)."),
    "iron_deficient": Profile("iron_deficient", "Systemic iron deficiency from low intake and "
                              "blood loss (serum ferritin < 30 ug/L), with normal brain iron "
                              "acquisition genes.", dict(_IRON_DEFICIENT), dict(_IRON_DEFICIENT_REASONS)),
    "rls_genetic": Profile("rls_genetic", "Idiopathic (genetic) RLS: impaired BBB and neuronal iron "
                           "acquisition with normal serum ferritin.", dict(_RLS_GENETIC),
                           dict(_RLS_GENETIC_REASONS)),
    "rls_iron_deficient": Profile("rls_iron_deficient", "Genetic susceptibility plus systemic iron "
                                  "deficiency: the two hits combined.",
                                  {**_RLS_GENETIC, **_IRON_DEFICIENT},
                                  {**_RLS_GENETIC_REASONS, **_IRON_DEFICIENT_REASONS}),
    "severe_iron_deficiency": Profile("severe_iron_deficiency", "Severe dietary iron deficiency with "
                                      "anaemia and brain iron about 35% low, normal genes: the rodent "
                                      "iron-deficiency studies (P8, P9-b, P12).",
                                      dict(_SEVERE_IRON_DEFICIENCY), dict(_SEVERE_IRON_DEFICIENCY_REASONS)),
    "iron_overload": Profile("iron_overload", "Iron overload (haemochromatosis-like hepcidin deficiency, "
                             "transferrin saturation about 90%), normal brain iron acquisition genes.",
                             dict(_IRON_OVERLOAD), dict(_IRON_OVERLOAD_REASONS)),
}


def get(name) -> Profile:
    """The profile called ``name`` (a :class:`Profile` passes through)."""
    if isinstance(name, Profile):
        return name
    if name not in PROFILES:
        raise ValueError(f"unknown profile {name!r}; " + closest(str(name), PROFILES))
    return PROFILES[name]
