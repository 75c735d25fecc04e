"""rlsmodel: a mechanistic model of restless legs syndrome.

Iron from blood across the blood-brain barrier into neurons and oligodendrocytes; brain
iron deficiency reshaping myelin, hypoxia signalling and dopaminergic tone; and
augmentation under dopaminergic drugs. See ``docs/`` and the README.
"""
from ._version import __version__  # noqa: E402

from .activity import Activity  # noqa: E402
from .errors import (EvaluationError, IntegrationError, ParameterRangeWarning, RegimenWarning,  # noqa: E402
                     RunTooLargeError, StoreDamagedError, StoreRepairWarning)
from .simulator import AUGMENTATION_MECHANISMS, DAT_HYPOTHESES, Model  # noqa: E402
from . import profiles  # noqa: E402
from .pharmacology import DRUGS, Regimen  # noqa: E402

__all__ = ["Activity", "AUGMENTATION_MECHANISMS", "DAT_HYPOTHESES", "DRUGS", "Model", "Regimen", "profiles",
           "__version__", "ParameterRangeWarning", "RegimenWarning", "StoreRepairWarning", "RunTooLargeError",
           "StoreDamagedError", "EvaluationError", "IntegrationError"]


_LAZY = ("sweep", "samplers", "population")   # imported on first use: keeps dask and zarr out of `import rlsmodel`
_LAZY_FUNCTIONS = {"virtual_trial": "trial", "calibrate": "calibration"}   # function name -> submodule defining it


def __getattr__(name):
    """Lazy submodules: ``rlsmodel.sweep`` (callable: ``rlsmodel.sweep(space, days=...)``),
    ``rlsmodel.samplers``, ``rlsmodel.population`` (callable: ``rlsmodel.population(n, seed)``);
    lazy functions ``rlsmodel.virtual_trial`` (:mod:`rlsmodel.trial`) and ``rlsmodel.calibrate``
    (:mod:`rlsmodel.calibration`, needs pyPESTO)."""
    import importlib
    if name in _LAZY:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _LAZY_FUNCTIONS:
        return getattr(importlib.import_module(f"{__name__}.{_LAZY_FUNCTIONS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
