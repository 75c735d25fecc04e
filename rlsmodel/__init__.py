"""rlsmodel: a mechanistic model of restless legs syndrome.

Iron from blood across the blood-brain barrier into neurons and oligodendrocytes; brain
iron deficiency reshaping myelin, hypoxia signalling and dopaminergic tone; and
augmentation under dopaminergic drugs. See ``docs/`` and the README.
"""
from typing import TYPE_CHECKING

from ._version import __version__  # noqa: E402

from .activity import Activity  # noqa: E402
from .errors import (EvaluationError, IntegrationError, ParameterRangeWarning, RegimenWarning,  # noqa: E402
                     RunTooLargeError, StoreDamagedError, StoreRepairWarning)
from .model_spec import ModelSpec  # noqa: E402
from .simulator import AUGMENTATION_MECHANISMS, DAT_HYPOTHESES, Model  # noqa: E402
from . import profiles  # noqa: E402
from .pharmacology import DRUGS, DosePolicy, Regimen, SwitchPolicy  # noqa: E402

__all__ = ["Activity", "AUGMENTATION_MECHANISMS", "DAT_HYPOTHESES", "DRUGS", "DosePolicy", "Model", "ModelSpec", "Regimen",
           "SwitchPolicy", "profiles",
           "__version__", "ParameterRangeWarning", "RegimenWarning", "StoreRepairWarning", "RunTooLargeError",
           "StoreDamagedError", "EvaluationError", "IntegrationError"]


_LAZY = ("sweeps", "samplers", "populations")   # imported on first use: keeps dask and zarr out of `import rlsmodel`
#: function name -> the submodule defining it, imported on first use
_LAZY_FUNCTIONS = {"sweep": "sweeps", "population": "populations", "virtual_trial": "trial",
                   "calibrate": "calibration"}

if TYPE_CHECKING:   # what type checkers, IDEs and documentation tools see (the same objects)
    from . import populations, samplers, sweeps  # noqa: F401
    from .calibration import calibrate  # noqa: F401
    from .populations import population  # noqa: F401
    from .sweeps import sweep  # noqa: F401
    from .trial import virtual_trial  # noqa: F401


def __getattr__(name):
    """Lazy attributes, imported on first use: the functions ``rlsmodel.sweep``
    (:func:`rlsmodel.sweeps.sweep`), ``rlsmodel.population``
    (:func:`rlsmodel.populations.population`), ``rlsmodel.virtual_trial``
    (:func:`rlsmodel.trial.virtual_trial`) and ``rlsmodel.calibrate``
    (:func:`rlsmodel.calibration.calibrate`, needs pyPESTO); the submodules
    ``rlsmodel.sweeps``, ``rlsmodel.samplers`` and ``rlsmodel.populations``."""
    import importlib
    if name in _LAZY:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _LAZY_FUNCTIONS:
        value = getattr(importlib.import_module(f"{__name__}.{_LAZY_FUNCTIONS[name]}"), name)
        globals()[name] = value      # later lookups skip __getattr__
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY) | set(_LAZY_FUNCTIONS))
