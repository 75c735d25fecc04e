"""Augmentation hypothesis (a): postsynaptic D2 tolerance.

Sustained supraphysiological D2/D3 stimulation by a drug down-regulates and desensitises
postsynaptic D2 receptors over days to weeks (the ``d2_internalisation`` term of the
dopamine module, driven by total stimulation including drugs). When the drug level falls
(its trough), the remaining endogenous stimulation acting on fewer receptors leaves
signalling below the untreated level, earlier in the day than the untreated circadian low.
Sources: Thobois et al. 2004 Arch Neurol 61:1705 (putamen D2 binding 24% lower on
dopaminergic drugs); Garcia-Borreguero and Williams 2010 Sleep Med Rev 14:339.

The symptom pathway reads ``dopaminergic_signal`` = striatal D2 signalling.
"""
from .declaration import Module, Observable, sym

MODULE = Module(
    "augmentation_d2_tolerance",
    "Augmentation by D2 down-regulation under sustained stimulation, unmasked at the drug trough.",
    observables=(
        Observable("dopaminergic_signal", sym("d2_signal"), "1",
                   "dopaminergic signal driving the urge (1 = healthy mean)",
                   "D2 tolerance hypothesis: postsynaptic D2 signalling"),
    ),
    references=("Thobois et al. 2004 Arch Neurol 61:1705",),
)
