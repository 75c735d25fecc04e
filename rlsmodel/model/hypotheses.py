"""Competing hypotheses as plug-ins: augmentation mechanisms and parameter-default hypotheses.

Augmentation mechanisms
-----------------------
How dopaminergic drugs come to worsen RLS is an open question (science.md section 7), so
the mechanism is a plug-in: one :class:`~rlsmodel.model.Module` that produces the
dopaminergic signal the symptom equation reads. ``Model(augmentation=...)`` takes

* the name of a built-in mechanism: every file ``rlsmodel/model/augmentation_<name>.py``
  whose ``MODULE`` is the declaration (``d2_tolerance``, ``d3_d1_spinal``). Adding a
  built-in hypothesis means adding such a file; :func:`augmentation_names` finds it;
* or your own mechanism: a ``Module`` object, or a Python module (a file you import) whose
  ``MODULE`` attribute is one. A worked example: ``docs/your_own_hypothesis.md``.

The contract (checked by :func:`augmentation_module`, which names what is wrong):

1. The module declares the observable ``dopaminergic_signal``: dimensionless (unit ``"1"``),
   1 = the healthy daily mean, lower = less dopaminergic signalling. The symptoms module
   reads it (``urge_drive``), so every hypothesis is read out through the same symptom
   equation and scored by the same outcomes.
2. Everything else is free: states, parameters (with unit, range, source), flows,
   regulations, other observables, contributions to sum observables; it may read any name
   the rest of the model declares (``d2_signal``, ``d2_stimulation``, ``d2_density``, the
   drug loads ``d2_agonist_load``...). Names it declares must be new (the assembler refuses
   a name declared twice, naming both modules).
3. Its ``Module.name`` identifies it in results (``attrs["augmentation_mechanism"]``) and
   may not be the name of a built-in mechanism unless it *is* that built-in.

A user's mechanism works everywhere a built-in does: simulations, steady states, sweeps
(serial, local processes or Dask: workers rebuild the model from the declaration itself,
carried by :class:`rlsmodel.sweeps.runner.ModelKey`), exports and the scorecard.

Parameter-default hypotheses
----------------------------
Two competing assumptions are a parameter's default rather than a module:
``dat_hypothesis`` (:data:`DAT_HYPOTHESES`, the sign of ``dat_iron_exponent``) and
``iron_release`` (:data:`IRON_RELEASE_HYPOTHESES`, ``bbb_release_brain_gain``).
:data:`PARAMETER_HYPOTHESES` lists them: ``Model`` argument -> (parameter, {name: default}).
"""
from __future__ import annotations

import functools
import importlib
import pkgutil
import types

from .declaration import Module

#: File-name prefix of the built-in augmentation mechanisms in this package.
AUGMENTATION_PREFIX = "augmentation_"
#: The observable every augmentation mechanism must declare (dimensionless, 1 = healthy mean).
SIGNAL = "dopaminergic_signal"

#: The default augmentation mechanism (``Model()``, ``sweep``, ``population``, the command
#: line and specs): the one place the default is named.
DEFAULT_AUGMENTATION = "d2_tolerance"
#: Default of ``dat_hypothesis`` and of ``iron_release`` (keys of the tables below).
DEFAULT_DAT_HYPOTHESIS, DEFAULT_IRON_RELEASE = "reduced", "brain_regulated"

#: Direction of membrane DAT change in iron deficiency: name -> ``dat_iron_exponent`` default.
DAT_HYPOTHESES = {"reduced": 0.64, "increased": -0.64}
#: Control of BBB endothelial iron release: name -> ``bbb_release_brain_gain`` default
#: (rlsmodel/model/barrier.py).
IRON_RELEASE_HYPOTHESES = {"brain_regulated": 2.0, "constitutive": 0.0}
#: ``Model`` argument -> (the parameter whose default it sets, {hypothesis name: default}).
PARAMETER_HYPOTHESES = {
    "dat_hypothesis": ("dat_iron_exponent", DAT_HYPOTHESES),
    "iron_release": ("bbb_release_brain_gain", IRON_RELEASE_HYPOTHESES),
}


@functools.lru_cache(maxsize=1)
def augmentation_names() -> tuple:
    """Names of the built-in augmentation mechanisms: the ``augmentation_<name>.py`` files of
    this package, sorted."""
    package = importlib.import_module(__package__)
    return tuple(sorted(info.name[len(AUGMENTATION_PREFIX):] for info in pkgutil.iter_modules(package.__path__)
                        if info.name.startswith(AUGMENTATION_PREFIX)))


def builtin_augmentation(name: str) -> Module:
    """The declaration of the built-in mechanism ``name``."""
    if name not in augmentation_names():
        raise ValueError(f"unknown augmentation mechanism {name!r}; built-in: {', '.join(augmentation_names())}, "
                         "or pass your own Module declaring 'dopaminergic_signal' (docs/your_own_hypothesis.md)")
    module = importlib.import_module(f"{__package__}.{AUGMENTATION_PREFIX}{name}")
    return _declaration_of(module, f"rlsmodel.model.{AUGMENTATION_PREFIX}{name}")


def _declaration_of(obj, what: str) -> Module:
    """The Module of a Python module (its ``MODULE``), or ``obj`` itself if it is one."""
    if isinstance(obj, Module):
        return obj
    if isinstance(obj, types.ModuleType):
        declared = getattr(obj, "MODULE", None)
        if isinstance(declared, Module):
            return declared
        found = type(declared).__name__ if declared is not None else "none"
        raise ValueError(f"{what}: a Python module given as an augmentation mechanism must define MODULE, "
                         f"an rlsmodel.model.Module; it has {found}")
    raise ValueError(f"augmentation must be a built-in name ({', '.join(augmentation_names())}), an "
                     f"rlsmodel.model.Module or a Python module with MODULE; got {type(obj).__name__} {obj!r:.60}")


def augmentation_module(spec) -> tuple:
    """``(name, Module)`` of an augmentation mechanism given by name, Module or Python module.

    ``name`` is the built-in name when ``spec`` is (or declares) a built-in mechanism, else
    the module's own ``Module.name``. Raises ``ValueError`` saying which rule of the contract
    (module docstring) is broken and how to fix it.
    """
    if isinstance(spec, str):
        return spec, builtin_augmentation(spec)
    module = _declaration_of(spec, getattr(spec, "__name__", repr(spec)))
    for name in augmentation_names():
        builtin = builtin_augmentation(name)
        if module is builtin or module == builtin:
            return name, builtin
    where = f"augmentation module {module.name!r}"
    signal = next((o for o in module.observables if o.name == SIGNAL), None)
    if signal is None:
        declared = ", ".join(o.name for o in module.observables) or "none"
        raise ValueError(f"{where} does not declare the observable {SIGNAL!r} (dimensionless, 1 = healthy mean), "
                         f"which the symptom equation reads; its observables: {declared}. Add "
                         f"Observable({SIGNAL!r}, <expression>, '1', ...) (docs/your_own_hypothesis.md)")
    if signal.unit not in ("1", "", "dimensionless"):
        raise ValueError(f"{where}: {SIGNAL!r} must be dimensionless (unit '1', 1 = healthy mean); "
                         f"it is declared in {signal.unit!r}")
    if module.name in augmentation_names() or module.name in {AUGMENTATION_PREFIX + n for n in augmentation_names()}:
        raise ValueError(f"{where} has the name of a built-in mechanism but a different declaration; give it a "
                         "name of its own (results record it as attrs['augmentation_mechanism'])")
    return module.name, module


def is_builtin(name: str) -> bool:
    """True if ``name`` is a built-in augmentation mechanism."""
    return name in augmentation_names()
