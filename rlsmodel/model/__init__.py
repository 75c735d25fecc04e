"""The model declaration: one module per biological process (see each file's docstring)."""
from . import adenosine_glutamate, barrier, circadian, clinical_scores, dopamine, myelin, neurons, periphery, rest_activity, symptoms
from .declaration import (Contribution, Flow, Forcing, Module, Observable, Parameter, Regulation, State, sym,
                          t)
from .system import DeclarationError, System, Term, assemble

#: Core modules, in declaration order: the biology, then the readouts of the felt urge under
#: the rest/activity schedule and the clinical-score maps.
CORE_MODULES = (periphery.MODULE, barrier.MODULE, neurons.MODULE, myelin.MODULE,
                dopamine.MODULE, adenosine_glutamate.MODULE, circadian.MODULE, symptoms.MODULE, rest_activity.MODULE,
                clinical_scores.MODULE)

__all__ = ["CORE_MODULES", "Contribution", "DeclarationError", "Flow", "Forcing", "Module", "Observable",
           "Parameter", "Regulation", "State", "System", "Term", "assemble", "sym", "t"]
