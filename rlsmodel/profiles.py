"""Patient profiles: documented parameter overrides on top of the declared defaults.

A profile is a *median patient* of its kind, not a population (population spread comes
with :mod:`rlsmodel.population`). Each override carries its reason.
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


_IRON_DEFICIENT = {"diet_iron": 8.0, "blood_loss": 4.0}
_IRON_DEFICIENT_REASONS = {
    "diet_iron": "low intake (about half the typical 15 mg/day), e.g. little meat",
    "blood_loss": "about 2 mg iron/day lost with blood (heavy menstruation, GI loss or frequent "
                  "donation); Sun et al. 1998 Sleep 21:371: iron deficiency of any cause raises RLS risk",
}
_RLS_GENETIC = {"bbb_uptake_gain": 0.55, "bbb_tfr_hif_gain": 1.0, "neuron_uptake_gain": 0.6,
                "neuron_irp_tfr_gain": 0.3}
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
}


def get(name) -> Profile:
    """The profile called ``name`` (a :class:`Profile` passes through)."""
    if isinstance(name, Profile):
        return name
    if name not in PROFILES:
        raise ValueError(f"unknown profile {name!r}; " + closest(str(name), PROFILES))
    return PROFILES[name]
