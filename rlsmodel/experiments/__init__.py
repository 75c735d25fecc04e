"""The experiments: each a module with ``run(out=None, *, <options>, overwrite=False)`` and ``main(argv)``.

``rlsmodel run NAME -o DIR`` runs one from any directory (``rlsmodel run --list`` lists
them); the repository's ``experiments/NAME.py`` are thin scripts that call the same code
and refresh ``figures/``. Every experiment writes only into its output directory (default
``./rlsmodel-output``, :data:`~rlsmodel.experiments.outputs.DEFAULT_OUT`), refuses existing
files unless ``overwrite`` *before* computing, and writes each file atomically
(:class:`~rlsmodel.experiments.outputs.OutputDir`).

>>> from rlsmodel import experiments
>>> experiments.NAMES                                           # doctest: +SKIP
('augmentation', 'augmentation_map', 'iron_therapy', 'long_term', 'switching', 'synthetic_cohort', 'virtual_trial')
>>> result = experiments.load("augmentation").run("out", years=0.25, drugs=["pramipexole"])  # doctest: +SKIP
>>> result.paths                                                # doctest: +SKIP

Modules are imported on demand (:func:`load`), so importing this package is cheap and an
experiment needing an optional extra (``synthetic_cohort``: pyPESTO) fails only when used.
"""
from __future__ import annotations

import importlib

from .outputs import DEFAULT_OUT, ExperimentResult, OutputDir

#: The experiments, by name (``rlsmodel.experiments.<name>``).
NAMES = ("augmentation", "augmentation_map", "iron_therapy", "long_term", "switching", "synthetic_cohort",
         "virtual_trial")


def load(name: str):
    """The module of experiment ``name`` (it has ``run``, ``main``, ``NAME`` and ``DESCRIPTION``).

    Raises ``ValueError`` naming the available experiments when ``name`` is unknown.
    """
    if name not in NAMES:
        from difflib import get_close_matches
        close = get_close_matches(str(name), NAMES, n=1)
        hint = f"Did you mean {close[0]!r}? " if close else ""
        raise ValueError(f"unknown experiment {name!r}. {hint}Available experiments: {', '.join(NAMES)} "
                         "(rlsmodel run --list)")
    return importlib.import_module(f"{__name__}.{name}")


def describe(name: str) -> str:
    """One line describing experiment ``name`` (without importing the model).

    The first line of the module's docstring, read from its source, so listing the
    experiments costs no imports of optional extras.
    """
    import ast
    from importlib import resources
    if name not in NAMES:
        load(name)                       # raises the ValueError with the available names
    source = resources.files(__name__).joinpath(f"{name}.py").read_text(encoding="utf-8")
    doc = ast.get_docstring(ast.parse(source)) or ""
    return doc.strip().splitlines()[0] if doc.strip() else name


__all__ = ["NAMES", "load", "describe", "DEFAULT_OUT", "ExperimentResult", "OutputDir"]
