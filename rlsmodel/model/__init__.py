"""The model declaration: one module per biological process (see each file's docstring)."""
from . import barrier, circadian, dopamine, myelin, neurons, periphery, symptoms
from .declaration import Contribution, Flow, Module, Observable, Parameter, Regulation, State, sym, t
from .system import DeclarationError, System, assemble

#: Core modules, in declaration order.
CORE_MODULES = (periphery.MODULE, barrier.MODULE, neurons.MODULE, myelin.MODULE,
                dopamine.MODULE, circadian.MODULE, symptoms.MODULE)

__all__ = ["CORE_MODULES", "Contribution", "DeclarationError", "Flow", "Module", "Observable",
           "Parameter", "Regulation", "State", "System", "assemble", "sym", "t"]
