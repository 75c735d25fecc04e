"""``ModelSpec``: the one description of a model, from which everything that names a model derives.

A :class:`rlsmodel.Model` is built from a spec (:meth:`rlsmodel.Model.from_spec`) and keeps it
as ``model.spec``. The spec holds what chooses the model's equations and numbers, and nothing
computed from them:

* the hypotheses: the augmentation mechanism (a built-in name, or a user's declaration),
  ``dat_hypothesis`` and ``iron_release`` (:mod:`rlsmodel.model.hypotheses`), and any extra
  modules;
* the solver: engine, tolerances and engine options (:class:`~rlsmodel.integrate.SolverSettings`);
* replaced parameter defaults and profile overrides (a calibration's fitted values), checked
  against the declaration when the model is built.

What derives from it: ``Model.with_defaults`` (a spec with more replacements), the model a sweep
worker rebuilds (:class:`rlsmodel.sweeps.runner.ModelKey` carries the spec), and the provenance
attrs of every output (:meth:`ModelSpec.attrs`: ``simulate``, ``steady_state``, ``sweep``,
``virtual_trial`` and ``calibrate`` record the same keys and values for the same model).

>>> from rlsmodel.model_spec import ModelSpec
>>> ModelSpec().attrs()["augmentation_mechanism"]
'd2_tolerance'
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, replace

from .integrate import SolverSettings
from .model.hypotheses import (DAT_HYPOTHESES, DEFAULT_AUGMENTATION, DEFAULT_DAT_HYPOTHESIS, DEFAULT_IRON_RELEASE,
                               IRON_RELEASE_HYPOTHESES)


@dataclass(frozen=True)
class ModelSpec:
    """What defines a model: hypotheses, extra modules, solver settings and replaced values.

    Parameters
    ----------
    augmentation
        name of the augmentation mechanism (a built-in name, or the ``Module.name``
        of a user's own mechanism, whose declaration is ``augmentation_module``).
    dat_hypothesis
        a key of :data:`~rlsmodel.model.hypotheses.DAT_HYPOTHESES`.
    iron_release
        a key of :data:`~rlsmodel.model.hypotheses.IRON_RELEASE_HYPOTHESES`.
    settings
        the model's default solver settings (engine, rtol, atol, engine options);
        default: those of ``Model()`` (:func:`rlsmodel.engines.default_engine`).
    parameter_defaults
        replaced defaults ``((name, value), ...)`` sorted by name, values in
        each parameter's unit.
    profile_overrides
        ``((profile, ((name, value), ...)), ...)`` sorted, values in each
        parameter's unit.
    augmentation_module
        the declaration of a user's own mechanism; None for a built-in one
        (rebuilt by name, so a spec of a built-in mechanism pickles small).
    extra_modules
        further declared modules (:class:`~rlsmodel.model.Module`).
    modules_key
        content key of ``augmentation_module`` and ``extra_modules``
        (:func:`rlsmodel.simulator.modules_key`): specs compare and hash by it, not by the
        declarations themselves.

    Notes
    -----
    Build one with :meth:`of` (from the arguments of :class:`rlsmodel.Model`) or read
    ``model.spec``. Equal specs build equal models.
    """

    augmentation: str = DEFAULT_AUGMENTATION
    dat_hypothesis: str = DEFAULT_DAT_HYPOTHESIS
    iron_release: str = DEFAULT_IRON_RELEASE
    settings: SolverSettings = field(default_factory=lambda: _default_settings())
    parameter_defaults: tuple = ()
    profile_overrides: tuple = ()
    augmentation_module: object = field(default=None, compare=False, hash=False)
    extra_modules: tuple = field(default=(), compare=False, hash=False)
    modules_key: object = ()

    def __post_init__(self):
        if self.dat_hypothesis not in DAT_HYPOTHESES:
            raise ValueError(f"unknown dat_hypothesis {self.dat_hypothesis!r}; valid: {', '.join(DAT_HYPOTHESES)}")
        if self.iron_release not in IRON_RELEASE_HYPOTHESES:
            raise ValueError(f"unknown iron_release {self.iron_release!r}; "
                             f"valid: {', '.join(IRON_RELEASE_HYPOTHESES)}")

    # -- building ------------------------------------------------------------------------------
    @classmethod
    def of(cls, augmentation, augmentation_module, dat_hypothesis: str, iron_release: str,
           settings: SolverSettings, parameter_defaults=None, profile_overrides=None, extra_modules=(),
           modules_key=()) -> "ModelSpec":
        """A spec from already checked values: ``augmentation`` the mechanism's name and
        ``augmentation_module`` its declaration (kept only for a user's own mechanism);
        ``parameter_defaults`` ``{name: value}``; ``profile_overrides`` ``{profile: {name:
        value}}``; ``modules_key`` the content key of the non-built-in declarations."""
        from .model.hypotheses import is_builtin
        custom = None if is_builtin(augmentation) else augmentation_module
        return cls(augmentation=augmentation, dat_hypothesis=dat_hypothesis, iron_release=iron_release,
                   settings=settings, parameter_defaults=_pairs(parameter_defaults),
                   profile_overrides=tuple(sorted((str(p), _pairs(v)) for p, v in dict(profile_overrides or {}).items())),
                   augmentation_module=custom, extra_modules=tuple(extra_modules), modules_key=modules_key)

    def mechanism(self):
        """What :class:`rlsmodel.Model` takes as ``augmentation``: the declaration of a user's
        own mechanism, else the built-in name."""
        return self.augmentation_module if self.augmentation_module is not None else self.augmentation

    def with_settings(self, settings: SolverSettings) -> "ModelSpec":
        """This spec with other default solver settings."""
        return replace(self, settings=settings)

    # -- views ---------------------------------------------------------------------------------
    def defaults_dict(self) -> dict:
        """Replaced defaults ``{name: value}``."""
        return dict(self.parameter_defaults)

    def profile_overrides_dict(self) -> dict:
        """Profile overrides ``{profile: {name: value}}``."""
        return {p: dict(v) for p, v in self.profile_overrides}

    def attrs(self, settings: SolverSettings | None = None) -> dict:
        """Provenance attrs describing the model, the same in every output: the hypotheses
        (``augmentation_mechanism``, ``dat_hypothesis``, ``iron_release``), the names of extra
        modules (when there are any), replaced defaults and profile overrides as JSON (when
        there are any), and the solver settings (``solver_*``; ``settings`` given: those of the
        run instead of the model's)."""
        out = {"augmentation_mechanism": self.augmentation, "dat_hypothesis": self.dat_hypothesis,
               "iron_release": self.iron_release}
        if self.extra_modules:
            out["extra_modules"] = ", ".join(getattr(m, "name", type(m).__name__) for m in self.extra_modules)
        if self.parameter_defaults:
            out["parameter_defaults"] = json.dumps(self.defaults_dict(), sort_keys=True)
        if self.profile_overrides:
            out["profile_overrides"] = json.dumps(self.profile_overrides_dict(), sort_keys=True)
        out.update((settings or self.settings).as_attrs())
        return out


def _default_settings() -> SolverSettings:
    """The settings of ``Model()``: the default engine at its own default tolerances."""
    from .engines import default_engine
    return SolverSettings(engine=default_engine()).validate()


def _pairs(mapping) -> tuple:
    """``((name, float), ...)`` sorted by name."""
    return tuple(sorted((str(k), float(v)) for k, v in dict(mapping or {}).items()))


__all__ = ["ModelSpec"]
