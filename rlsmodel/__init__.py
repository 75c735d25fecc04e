"""rlsmodel: a mechanistic model of restless legs syndrome.

Iron from blood across the blood-brain barrier into neurons and oligodendrocytes; brain
iron deficiency reshaping myelin, hypoxia signalling and dopaminergic tone; and
augmentation under dopaminergic drugs. See ``docs/`` and the README.
"""
__version__ = "0.1.0"

from .activity import Activity  # noqa: E402
from .simulator import AUGMENTATION_MECHANISMS, DAT_HYPOTHESES, Model  # noqa: E402
from . import profiles  # noqa: E402

__all__ = ["Activity", "AUGMENTATION_MECHANISMS", "DAT_HYPOTHESES", "Model", "profiles", "__version__"]
