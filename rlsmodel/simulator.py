"""``Model``: assemble the declared modules, then simulate and find steady states.

>>> import rlsmodel
>>> model = rlsmodel.Model()
>>> ds = model.simulate(days=30, profile="rls_genetic")      # doctest: +SKIP

``Model`` is built from one description, a :class:`~rlsmodel.model_spec.ModelSpec`
(``model.spec``). Its steps live beside it: :mod:`rlsmodel.start_states` (the steady and
periodic start states), :mod:`rlsmodel.planning` (checking and sizing a run before it is
integrated) and :mod:`rlsmodel.output_labels` (naming, units and the Dataset of a result).
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import warnings
from collections import OrderedDict
from dataclasses import replace
from types import MappingProxyType

import numpy as np
import sympy as sp
import xarray as xr

from . import checks as _checks
from . import output_labels
from . import planning
from . import policy_runs as _policy_runs
from . import profiles as _profiles
from . import runplan as _runplan
from .activity import Activity
from .caching import LRUCache
from .compile import CompiledSystem
from .engines import default_engine
from .errors import ParameterRangeWarning
from .integrate import IntegrationError, SolverSettings
from .model import CORE_MODULES, assemble
from .model import hypotheses as _hypotheses
from .model.hypotheses import (DAT_HYPOTHESES, DEFAULT_AUGMENTATION, DEFAULT_DAT_HYPOTHESIS, DEFAULT_IRON_RELEASE,
                               IRON_RELEASE_HYPOTHESES)
from .model.system import closest
from .model_spec import ModelSpec
from .provenance import dataset_attrs as _provenance_attrs
from .start_states import STATE_CACHE_SIZE, StartStates, resting_states

#: Built-in augmentation hypotheses (science.md section 7): the names of the files
#: ``rlsmodel/model/augmentation_<name>.py`` (:mod:`rlsmodel.model.hypotheses`). ``Model`` also
#: takes a user's own mechanism (a Module declaring ``dopaminergic_signal``).
AUGMENTATION_MECHANISMS = _hypotheses.augmentation_names()
# DAT_HYPOTHESES and IRON_RELEASE_HYPOTHESES (imported above) live in rlsmodel.model.hypotheses.

#: Distinct model structures whose compiled code is kept per process (least recently used leave).
COMPILED_CACHE_SIZE = 8

#: Compiled systems (with their resting-state masks), keyed by the *content* of the modules
#: (:func:`modules_key`): Models built from equal declarations share one compiled system.
_COMPILED = LRUCache(COMPILED_CACHE_SIZE)


def optional_modules() -> tuple:
    """Modules beyond the core that are always present (pharmacology, when available)."""
    try:
        from .pharmacology import drug_modules
    except ImportError:
        return ()
    return tuple(drug_modules())


def declared_modules(augmentation=DEFAULT_AUGMENTATION, extra_modules=()) -> tuple:
    """Every module of the model with mechanism ``augmentation`` (a built-in name, a Module or a
    Python module with MODULE) and ``extra_modules``, in assembly order: the core, the optional
    (pharmacology) modules, the mechanism, the extras."""
    return (CORE_MODULES + optional_modules() + (_hypotheses.augmentation_module(augmentation)[1],)
            + tuple(extra_modules))


def model_for(model=None, augmentation=None) -> "Model":
    """The model an analysis runs: ``model``, or ``Model(augmentation)`` (default mechanism
    :data:`~rlsmodel.model.hypotheses.DEFAULT_AUGMENTATION`) when it is None. Giving both is
    allowed only when they agree (``ValueError`` otherwise). Used by ``sweep``,
    ``virtual_trial`` and the sensitivity analyses."""
    if model is None:
        return Model(augmentation=augmentation or DEFAULT_AUGMENTATION)
    if augmentation is not None and _hypotheses.augmentation_module(augmentation)[0] != model.augmentation:
        raise ValueError(f"augmentation={augmentation!r} but the model given was built with "
                         f"{model.augmentation!r}; pass one or the other")
    return model


class Model:
    """The assembled RLS model.

    Parameters
    ----------
    augmentation
        which augmentation hypothesis produces the dopaminergic signal
        (science.md section 7): a built-in name (:data:`AUGMENTATION_MECHANISMS`:
        ``"d2_tolerance"``, the default, or ``"d3_d1_spinal"``), or your own mechanism, a
        :class:`~rlsmodel.model.Module` (or a Python module with ``MODULE``) that declares
        the observable ``dopaminergic_signal`` (contract: :mod:`rlsmodel.model.hypotheses`;
        example: ``docs/your_own_hypothesis.md``). ``model.augmentation`` is its name (recorded in
        results), ``model.augmentation_module`` its declaration.
    dat_hypothesis
        ``"reduced"`` (default; membrane DAT falls with brain iron, Bianco et
        al. 2008) or ``"increased"`` (Lai et al. 2017).
    extra_modules
        further :class:`~rlsmodel.model.Module` objects to add.
    engine
        default integrator engine: a name registered in :data:`rlsmodel.engines.ENGINES`
        (``"cvode"``, ``"lsoda"``, the reference ``"scipy"``, or your own); None (default):
        :func:`rlsmodel.engines.default_engine`, ``"cvode"`` where it can run, else ``"lsoda"``
        (the engine used is recorded in every output's attrs).
    engine_options
        that engine's options (``{name: value}``, see its ``options``).
    parameter_defaults
        ``{name: value}`` replacing the declared defaults (a calibration's
        fitted values); profiles and ``params=`` still override them. Each value is checked
        against the parameter's domain; unknown names raise ``ValueError``.
    profile_overrides
        ``{profile: {name: value}}`` replacing (or adding to) a profile's own
        overrides, e.g. a fitted ``rls_genetic`` BBB gain; applied after the profile's
        overrides and before ``params=``.
    iron_release
        ``"brain_regulated"`` (default; blood-brain barrier endothelial iron is
        released as the brain side asks for it, Simpson et al. 2015) or ``"constitutive"``
        (release follows endothelial iron alone); see :mod:`rlsmodel.model.barrier`.

    Notes
    -----
    ``model.spec`` is the :class:`~rlsmodel.model_spec.ModelSpec` these arguments make;
    :meth:`from_spec` builds the model a spec describes (sweep workers do), and every output
    records ``model.spec.attrs()``.

    Set points (parameters declared with ``set_point=``, e.g. ``labile_iron_ref``) are computed
    from the healthy steady state of this model's defaults when it is built
    (:mod:`rlsmodel.set_points`).
    """

    def __init__(self, augmentation: str = DEFAULT_AUGMENTATION, dat_hypothesis: str = DEFAULT_DAT_HYPOTHESIS,
                 extra_modules=(), engine: str | None = None, engine_options=None, parameter_defaults=None,
                 profile_overrides=None, iron_release: str = DEFAULT_IRON_RELEASE):
        if dat_hypothesis not in DAT_HYPOTHESES:
            raise ValueError(f"unknown dat_hypothesis {dat_hypothesis!r}; valid: {', '.join(DAT_HYPOTHESES)}")
        # the engine and its options are checked before the (slow) model building
        settings = SolverSettings(engine=engine or default_engine(), engine_options=engine_options or ()).validate()
        name, self.augmentation_module = _hypotheses.augmentation_module(augmentation)
        modules = declared_modules(self.augmentation_module, extra_modules)
        self.compiled, resting = _COMPILED.get_or_compute(modules_key(modules), lambda: _compile(modules))
        self.system = self.compiled.system
        #: the steady and periodic start states, cached per parameter vector
        self.start_states = StartStates(self.compiled, resting)
        if iron_release not in IRON_RELEASE_HYPOTHESES:
            raise ValueError(f"unknown iron_release {iron_release!r}; valid: {', '.join(IRON_RELEASE_HYPOTHESES)}")
        self._parameters = self._hypothesis_parameters(dat_hypothesis, iron_release)
        defaults = self._checked_overrides(parameter_defaults, "parameter_defaults")
        for pname, value in defaults.items():
            self._parameters[pname] = replace(self._parameters[pname], default=value)
        profiles = self._checked_profile_overrides(profile_overrides)
        custom = None if _hypotheses.is_builtin(name) else self.augmentation_module
        extra = tuple(extra_modules)
        own = ((custom,) if custom is not None else ()) + extra
        self._spec = ModelSpec.of(name, self.augmentation_module, dat_hypothesis, iron_release, settings,
                                  defaults, profiles, extra, modules_key(own) if own else ())
        self._apply_set_points()

    @classmethod
    def from_spec(cls, spec: ModelSpec) -> "Model":
        """The model ``spec`` describes (:class:`~rlsmodel.model_spec.ModelSpec`), solver
        settings included; ``Model.from_spec(model.spec)`` gives the same results as ``model``."""
        if not isinstance(spec, ModelSpec):
            raise ValueError(f"spec must be an rlsmodel.model_spec.ModelSpec; got {_checks.describe_value(spec)}")
        model = cls(spec.mechanism(), spec.dat_hypothesis, extra_modules=spec.extra_modules,
                    engine=spec.settings.engine, engine_options=spec.settings.engine_options or None,
                    parameter_defaults=spec.defaults_dict(), profile_overrides=spec.profile_overrides_dict(),
                    iron_release=spec.iron_release)
        model.settings = spec.settings
        return model

    # -- the description -------------------------------------------------------------------
    @property
    def spec(self) -> ModelSpec:
        """The :class:`~rlsmodel.model_spec.ModelSpec` this model is built from."""
        return self._spec

    @property
    def settings(self) -> SolverSettings:
        """The default solver settings of runs (``spec.settings``); assigning replaces them."""
        return self._spec.settings

    @settings.setter
    def settings(self, value: SolverSettings) -> None:
        if not isinstance(value, SolverSettings):
            raise ValueError(f"settings must be an rlsmodel.integrate.SolverSettings; got {_checks.describe_value(value)}")
        self._spec = self._spec.with_settings(value)

    @property
    def augmentation(self) -> str:
        """Name of the augmentation mechanism (recorded in results)."""
        return self._spec.augmentation

    @property
    def dat_hypothesis(self) -> str:
        return self._spec.dat_hypothesis

    @property
    def iron_release(self) -> str:
        return self._spec.iron_release

    @property
    def extra_modules(self) -> tuple:
        return self._spec.extra_modules

    @property
    def parameter_defaults(self):
        """Read-only ``{name: value}`` of the replaced defaults."""
        return MappingProxyType(self._spec.defaults_dict())

    @property
    def profile_overrides(self):
        """Read-only ``{profile: {name: value}}`` of the replaced profile overrides."""
        return MappingProxyType({p: MappingProxyType(v) for p, v in self._spec.profile_overrides_dict().items()})

    def _hypothesis_parameters(self, dat_hypothesis, iron_release) -> "OrderedDict":
        """The declared parameters, with the defaults the hypotheses set."""
        params = OrderedDict(self.system.parameters)
        for argument, chosen in (("dat_hypothesis", dat_hypothesis), ("iron_release", iron_release)):
            pname, table = _hypotheses.PARAMETER_HYPOTHESES[argument]
            params[pname] = replace(params[pname], default=table[chosen])
        return params

    def _apply_set_points(self) -> None:
        """Replace every set-point parameter's default by its healthy steady-state value
        (:func:`rlsmodel.set_points.healthy_set_points`), with the other parameters at this
        model's defaults."""
        from . import set_points
        self._parameters.update(set_points.healthy_set_points(
            self._parameters, self.compiled, self.parameter_vector("healthy"),
            lambda p: self.start_states.averaged_steady_state(p, cache=False)))

    # -- declaration views ---------------------------------------------------------------
    @property
    def parameters(self):
        """Read-only mapping: name -> :class:`~rlsmodel.model.Parameter`."""
        return MappingProxyType(self._parameters)

    @property
    def states(self):
        return MappingProxyType(self.system.states)

    @property
    def observables(self):
        return MappingProxyType(self.system.observables)

    @property
    def dynamic_states(self):
        return [n for n, s in self.system.states.items() if s.kind == "dynamic"]

    # -- parameters ----------------------------------------------------------------------
    def _checked_overrides(self, overrides, where) -> dict:
        """``{name: float}`` with every name known and every value in its domain."""
        if overrides is None:
            return {}
        if not hasattr(overrides, "items"):
            raise ValueError(f"{where} must be a mapping name -> value; got {type(overrides).__name__}")
        out = {}
        for name, value in overrides.items():
            if name not in self._parameters:
                raise ValueError(f"unknown parameter {name!r} in {where}; " + closest(str(name), self._parameters))
            if self._parameters[name].set_point is not None:
                raise ValueError(f"parameter {name!r} in {where} is a set point: the healthy steady-state "
                                 f"{self._parameters[name].set_point}, computed when the model is built "
                                 "(rlsmodel.set_points); change the parameters that determine it instead")
            out[str(name)] = self._parameters[name].check_value(value)
        return out

    def _checked_profile_overrides(self, overrides) -> dict:
        if overrides is None:
            return {}
        if not hasattr(overrides, "items"):
            raise ValueError("profile_overrides must be a mapping profile -> {name: value}; "
                             f"got {type(overrides).__name__}")
        return {_profiles.get(prof).name: MappingProxyType(self._checked_overrides(values, f"profile_overrides[{prof!r}]"))
                for prof, values in overrides.items()}

    def identity(self) -> dict:
        """What a generated file records about the model it came from:
        ``{"structure": compiled structure hash, "defaults": hash of every profile's resolved
        parameter values}`` (16 hex digits each; :func:`rlsmodel.provenance.model_stamp`)."""
        import hashlib
        values = {p: dict(self.resolve_parameters(p)) for p in _profiles.PROFILES}
        digest = hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()[:16]
        return {"structure": str(self.compiled.structure_hash)[:16], "defaults": digest}

    def with_defaults(self, parameter_defaults=None, profile_overrides=None) -> "Model":
        """A new model with the same structure whose defaults (and profile overrides) are
        replaced by these, on top of this model's own replacements.

        ``parameter_defaults``: ``{name: value}``; ``profile_overrides``: ``{profile: {name:
        value}}`` (see :class:`Model`). This model is unchanged. Compilation is shared; the
        solver settings are this model's.
        """
        defaults = {**self._spec.defaults_dict(), **self._checked_overrides(parameter_defaults, "parameter_defaults")}
        profiles = self._spec.profile_overrides_dict()
        for prof, values in self._checked_profile_overrides(profile_overrides).items():
            profiles.setdefault(prof, {}).update(values)
        return Model.from_spec(replace(self._spec, parameter_defaults=tuple(sorted(defaults.items())),
                                       profile_overrides=tuple(sorted((p, tuple(sorted(v.items())))
                                                                      for p, v in profiles.items()))))

    def resolve_parameters(self, profile="healthy", params=None) -> "OrderedDict[str, float]":
        """Full parameter set: defaults (the model's), then the profile's overrides (and this
        model's ``profile_overrides`` for it), then ``params``."""
        prof = _profiles.get(profile)
        values = OrderedDict((n, p.default) for n, p in self._parameters.items())
        extra = self.profile_overrides.get(prof.name, {})
        for source, overrides in (("profile " + prof.name, prof.overrides),
                                  ("profile_overrides of " + prof.name, extra), ("params", params or {})):
            if not hasattr(overrides, "items"):
                raise ValueError(f"params must be a mapping name -> value; got {type(overrides).__name__}")
            for name, value in overrides.items():
                if name not in self._parameters:
                    raise ValueError(f"unknown parameter {name!r} in {source}; "
                                     + closest(str(name), self._parameters))
                values[name] = self._parameters[name].check_value(value)
        return values

    def parameter_vector(self, profile="healthy", params=None, forcing: float = 1.0) -> np.ndarray:
        """The parameter vector of the compiled system (:meth:`resolve_parameters` in compiled
        order, then the rhythm switch ``forcing``: 1 with daily rhythms, 0 at their means)."""
        values = self.resolve_parameters(profile, params)
        return np.array([values[n] for n in self.compiled.parameter_names] + [forcing], dtype=float)

    def flag_ranges(self, values, stacklevel: int = 2, warn: bool = True) -> dict:
        """Values (``{name: value}``) outside their declared ranges, warned about once per call
        (:class:`~rlsmodel.errors.ParameterRangeWarning`; see :mod:`rlsmodel.checks`)."""
        outside = _checks.outside_ranges(self._parameters, values)
        if outside and warn:
            warnings.warn(_checks.range_message(outside, self._parameters), ParameterRangeWarning,
                          stacklevel=stacklevel)
        return outside

    # -- start states (rlsmodel.start_states) ---------------------------------------------------
    @property
    def state_scale(self) -> np.ndarray:
        """Per-state magnitude for error control and residual scaling (compiled order)."""
        return self.start_states.scale

    def averaged_steady_state(self, p):
        """Steady state of the day-averaged system for parameter vector ``p``: (y, method),
        ``y`` the caller's copy (cached)."""
        return self.start_states.averaged_steady_state(p)

    def periodic_state(self, p):
        """State at midnight on the daily limit cycle for parameter vector ``p``: (y, method),
        ``y`` the caller's copy (cached); what :meth:`simulate` starts from."""
        return self.start_states.periodic_state(p)

    def clear_caches(self) -> None:
        """Forget cached steady and periodic states (each cache keeps at most
        :data:`STATE_CACHE_SIZE` parameter sets anyway). Results do not change: the caches
        only save time. The compiled code, shared by equal models, is kept."""
        self.start_states.clear()

    # -- results ---------------------------------------------------------------------------
    def steady_state(self, profile="healthy", params=None) -> xr.Dataset:
        """Steady state of the day-averaged system (rhythms at their daily means).

        Returns a Dataset with every state and observable (no time dimension); attrs record
        the profile, overrides and the method used (Newton, or long simulation if Newton
        failed).
        """
        p = self.parameter_vector(profile, params)
        outside = self.flag_ranges(self.resolve_parameters(profile, params), stacklevel=3)
        with planning.named_failures(outside):
            y, method = self.averaged_steady_state(p)
            pa = p.copy()
            pa[-1] = 0.0
            obs = self.compiled.observables(np.zeros(1), y[:, None], pa)
        attrs = self.variable_attrs(None)
        values = self.variable_values(np.zeros(1), y[:, None], obs, None, list(attrs))
        ds = self.dataset_from(np.zeros(1), values, attrs, profile, params, self.settings).isel(time=0, drop=True)
        ds.attrs["steady_state_method"] = method
        ds.attrs[_checks.OUTSIDE_RANGE_ATTR] = _checks.range_attr(outside)
        ds.attrs["description"] = "steady state of the day-averaged system"
        return ds

    # -- simulation ----------------------------------------------------------------------
    def simulate(self, days, profile="healthy", params=None, regimen=None, sample_every_hours=1.0,
                 initial=None, activity=None, engine=None, rtol=None, atol=None,
                 engine_options=None, keep=None, progress=None, warn=True) -> xr.Dataset:
        """Simulate ``days`` days from midnight; return an :class:`xarray.Dataset`.

        Parameters
        ----------
        days
            duration in days (a number > 0).
        profile
            profile name (see :mod:`rlsmodel.profiles`).
        params
            parameter overrides ``{name: value}`` applied after the profile. Values are
            numbers (strings are refused); values outside a parameter's declared ``range``
            are used as given, flagged by :class:`rlsmodel.ParameterRangeWarning` and
            recorded in ``ds.attrs["parameters_outside_range"]`` (JSON); values outside its
            physical domain raise ``ValueError``.
        regimen
            a :class:`rlsmodel.Regimen` (drug doses as exact events) or None. A regimen
            that gives no dose within the run (its first dose after the end) warns
            (:class:`rlsmodel.RegimenWarning`). Doses into in-body states holding iron
            (IV iron) are counted in ``iron_intake_total``.
        sample_every_hours
            output spacing in hours (> 0).
        initial
            None (start on the profile's daily limit cycle), or a mapping of state
            values / a Dataset (e.g. the last time point of an earlier run).
        activity
            an :class:`rlsmodel.activity.Activity` schedule (default: active by
            day, sedentary 18:00-23:00, asleep 23:00-07:00): the forcing the declared
            readouts ``activity_factor`` and ``symptom`` read
            (:mod:`rlsmodel.model.rest_activity`; their parameters ``movement_relief`` and
            ``rest_latency_h`` are set like any other, in ``params``).
        engine, rtol, atol, engine_options
            integrator settings (see :mod:`rlsmodel.integrate`);
            None keeps the model's (its tolerances and ``engine_options`` only while the engine
            is its own; another engine runs at its own defaults). Tolerances are numbers
            (``rtol="1e-6"`` is refused).
        keep
            None (every state and observable, and the activity mode) or the names of the
            variables to return (e.g. ``["brain_iron", "symptom"]``); the run then holds
            only those, which lets long finely sampled runs fit in memory.
        progress
            None (a progress bar on stderr when the run is estimated to take 10 s or
            more and stderr is a terminal), True or False.
        warn
            False silences the two warnings above (the attrs still record what they
            would say); sweeps use it, because they warn once per sweep instead of per point.

        Returns
        -------
        xarray.Dataset
            over ``time`` (days from midnight; its fraction is the clock time), every state and
            observable (or those named in ``keep``) and the activity mode, each with ``units``,
            ``long_name`` and ``description`` in its attrs; ``ds.attrs`` record the package
            version, the model description (:class:`rlsmodel.ModelSpec`), profile, parameter
            overrides and full parameter set, regimen and solver settings.

        Notes
        -----
        Before anything is integrated the run's memory and time are estimated
        (:mod:`rlsmodel.runplan`); above the limits (2 GiB, 24 h; environment variables
        ``RLSMODEL_MAX_MEMORY_GB``, ``RLSMODEL_MAX_HOURS``) it raises
        :class:`rlsmodel.RunTooLargeError` with the estimate and the fix.

        :meth:`run` integrates the same way without building the Dataset.
        """
        plan = planning.plan(self, days, profile, params, regimen, sample_every_hours, activity, engine, rtol,
                             atol, engine_options, keep, progress, warn, holds_states=False)
        t, p, activity, names = plan.t, plan.p, plan.activity, plan.names
        arrays = {n: np.empty(t.size, dtype=object if n == "activity" else float) for n in names}
        # keep=: only the kept observables (and what they read) are evaluated, bit-identical to
        # the full set (decision 49)
        every = self.compiled.observable_names + self.compiled.forced_observable_names
        wanted = [n for n in names if n in every]
        subset = None if len(wanted) == len(every) else wanted

        def collect(block, Y):
            obs = self.compiled.observables(t[block], Y, p,
                                            forcings=activity.forcings(np.mod(t[block], 1.0) * 24.0), names=subset)
            for name, value in self.variable_values(t[block], Y, obs, activity, names).items():
                arrays[name][block] = value

        init_method = self._integrate(plan, initial, collect, profile)
        if "activity" in arrays:
            arrays["activity"] = arrays["activity"].astype(str)
        ds = self.dataset_from(t, arrays, self.variable_attrs(activity), profile, plan.params, plan.settings)
        ds.attrs.update(plan.attrs)
        ds.attrs["initial_state"] = init_method
        ds.attrs[_checks.OUTSIDE_RANGE_ATTR] = _checks.range_attr(plan.outside)
        return ds

    def run(self, days, profile="healthy", params=None, regimen=None, sample_every_hours=1.0, initial=None,
            activity=None, engine=None, rtol=None, atol=None, engine_options=None, keep=None, progress=None,
            warn=True) -> "Run":
        """Integrate as :meth:`simulate` does, without building the Dataset: a :class:`Run`
        (sample times, states, and every variable of the Dataset on request). Sweeps whose
        outcomes read plain arrays use it (no Dataset per point); ``run(...).dataset()`` is
        exactly ``simulate(...)``.

        Arguments, checks, warnings and the size estimate are those of :meth:`simulate`.
        A Run holds every state at every sample (and the observables once asked for), so
        ``keep`` selects what :meth:`Run.dataset` returns but does not save memory: for long,
        finely sampled runs use ``simulate(..., keep=...)``.
        """
        plan = planning.plan(self, days, profile, params, regimen, sample_every_hours, activity, engine, rtol,
                             atol, engine_options, keep, progress, warn, holds_states=True)
        held = {}

        def collect(block, Y):
            # a run integrated in one block keeps the engine's array itself (no copy; an envelope
            # run's is in Fortran order and is made C-ordered only if Run.states is read:
            # decision 49); otherwise every block is copied into one array, as before
            if not held and block.start == 0 and block.stop == plan.t.size:
                held["Y"] = Y
                return
            if "states" not in held:
                held["states"] = np.empty((self.compiled.n_states, plan.t.size))
            held["states"][:, block] = Y

        init_method = self._integrate(plan, initial, collect, profile)
        states = held["states"] if "states" in held else held["Y"]
        attrs = {**plan.attrs, "initial_state": init_method,
                 _checks.OUTSIDE_RANGE_ATTR: _checks.range_attr(plan.outside)}
        return Run(self, plan.t, states, plan.p, profile, plan.params, plan.activity, plan.settings, attrs,
                   plan.names)

    def _integrate(self, plan: "planning.RunPlan", initial, collect, profile) -> str:
        """Integrate ``plan`` from ``initial`` (None: the profile's daily limit cycle) in
        blocks (:func:`rlsmodel.runplan.integrate_blocks`), handing each block's states to
        ``collect(slice, Y)``; return how the initial state was found."""
        with planning.named_failures(plan.outside):
            if initial is None:
                y0, init_method = self.periodic_state(plan.p)
            else:
                y0, init_method = self.start_states.initial_state(initial, plan.p), "user-supplied"
            bar = _runplan.progress_bar(plan.progress, plan.size.seconds, plan.days)
            try:
                if _policy_runs.is_adaptive(plan.regimen):      # visit rules: segments between visits
                    final = _policy_runs.integrate_adaptive(self, plan, y0, collect, bar, plan.regimen,
                                                            self.resolve_parameters(profile, plan.params))
                    plan.attrs.update(final.record())
                else:
                    _runplan.integrate_blocks(self.compiled, y0, plan.p, plan.t, plan.events, plan.settings,
                                              self.state_scale, collect, bar)
            finally:
                bar.close()
        return init_method

    # -- labelling of outputs (rlsmodel.output_labels) ------------------------------------------
    def kept_variables(self, keep) -> list:
        """Names of the variables a run returns: all (``keep=None``) or the ``keep`` list, in
        the model's order."""
        return planning.kept_variables(list(self.variable_attrs(Activity.default())), keep)

    def variable_attrs(self, activity) -> "OrderedDict[str, dict]":
        """name -> attrs of every variable a run returns, in output order (``activity`` None:
        no schedule, so neither the observables that read one nor the activity mode)."""
        return output_labels.variable_attrs(self.compiled, activity)

    def variable_values(self, t, Y, obs, activity, names) -> dict:
        """name -> values at samples ``t`` (states ``Y``, observables ``obs``) for ``names``."""
        return output_labels.variable_values(self.compiled, t, Y, obs, activity, names)

    def run_attrs(self, profile, params, settings) -> dict:
        """Attrs of a result of this model: the structure, ``spec.attrs`` (hypotheses, replaced
        values, the run's solver ``settings``), the profile, the caller's overrides, every
        parameter value and the package provenance (no timestamp: identical runs, identical attrs)."""
        prof = _profiles.get(profile)
        return {"title": "rlsmodel simulation", "model_structure": self.compiled.structure_hash,
                **self._spec.attrs(settings), "profile": prof.name,
                "parameter_overrides": json.dumps(dict(params or {}), sort_keys=True, default=float),
                "parameters": json.dumps(self.resolve_parameters(profile, params)),
                **_provenance_attrs()}

    def dataset_from(self, t, values, attrs, profile, params, settings) -> xr.Dataset:
        """The labelled Dataset of ``values`` (name -> array over ``t``, days) with variable
        ``attrs`` (:meth:`variable_attrs`) and :meth:`run_attrs`."""
        return output_labels.labelled_dataset(t, values, attrs, self.run_attrs(profile, params, settings))


class Run:
    """One integrated run of :meth:`Model.run`: ``time`` (days), ``states`` (n, m) in the
    compiled order, and :meth:`variable` / :meth:`dataset` for everything
    :meth:`Model.simulate` returns (observables computed on first request: only those asked
    for and what they read, decision 49)."""

    def __init__(self, model, t, Y, p, profile, params, activity, settings, attrs, names=None):
        self.model, self.time, self.p = model, t, p
        self._raw, self._states = Y, None
        self.profile, self.params, self.activity, self.settings = profile, params, activity, settings
        self.attrs = attrs
        #: the variables :meth:`dataset` returns (``keep=`` of :meth:`Model.run`)
        self.names = list(model.kept_variables(None) if names is None else names)
        self._obs = None
        self._some = {}          # observables computed for some names (bit-identical to the full set)
        self._index = {n: i for i, n in enumerate(model.compiled.state_names)}

    @property
    def states(self) -> np.ndarray:
        """The states (n, m), C-ordered (an envelope run's Fortran-ordered array is copied once,
        when first read)."""
        if self._states is None and self._raw is not None:
            Y = self._raw
            self._states = Y if Y.flags.c_contiguous else np.ascontiguousarray(Y)
            self._raw = None
        return self._states

    @states.setter
    def states(self, value):
        self._states, self._raw = value, None

    def _state_rows(self, rows) -> list:
        """The states as a list of n rows, those in ``rows`` as contiguous arrays (the values
        :attr:`states` holds), the others None: what the observables of a subset read."""
        if self._states is not None or self._raw is None or self._raw.flags.c_contiguous:
            Y = self.states
            return [Y[i] if i in rows else None for i in range(Y.shape[0])]
        Y = self._raw
        return [np.ascontiguousarray(Y[i]) if i in rows else None for i in range(Y.shape[0])]

    def observables(self) -> dict:
        """name -> values of every observable, those that read the rest/activity schedule included."""
        if self._obs is None:
            forcings = self.activity.forcings(np.mod(self.time, 1.0) * 24.0)
            self._obs = self.model.compiled.observables(self.time, self.states, self.p, forcings=forcings)
        return self._obs

    def observables_of(self, names) -> dict:
        """name -> values of the observables ``names`` only: those and the observables they read
        are evaluated, bit-identical to :meth:`observables` (decision 49)."""
        if self._obs is not None:
            return {n: self._obs[n] for n in names}
        missing = [n for n in names if n not in self._some]
        if missing:
            compiled = self.model.compiled
            rows = set(compiled.states_read(missing).tolist())
            forcings = _per_clock_hour(self.activity.forcings, self.time)
            self._some.update(compiled.observables(self.time, self._state_rows(rows), self.p, forcings=forcings,
                                                   names=missing))
        return {n: self._some[n] for n in names}

    def _is_observable(self, name) -> bool:
        compiled = self.model.compiled
        return name in compiled.system.observable_exprs and (
            name in compiled.observable_names or name in compiled.forced_observable_names)

    def variable(self, name) -> np.ndarray:
        """Values of the state or observable ``name`` (or ``"activity"``, ``"time"``) at the
        samples, as in the Dataset; KeyError naming the variables otherwise."""
        if name == "time":
            return self.time
        if name in self._index:
            if self._states is None and self._raw is not None and not self._raw.flags.c_contiguous:
                return np.ascontiguousarray(self._raw[self._index[name]])
            return self.states[self._index[name]]
        if name == "activity":
            return _per_clock_hour(lambda h: self.activity.mode_at(h).astype(str), self.time)
        if self._is_observable(name):
            return self.observables_of([name])[name]
        obs = self.observables()
        if name in obs:
            return obs[name]
        raise KeyError(f"no variable {name!r} in the run; " + closest(str(name), list(self._index) + list(obs)))

    def dataset(self) -> xr.Dataset:
        """The labelled Dataset :meth:`Model.simulate` returns for this run."""
        wanted = [n for n in self.names if self._is_observable(n)]
        obs = self.observables() if len(wanted) == len(self._all_observables()) else self.observables_of(wanted)
        values = {n: (obs[n] if n in obs else self.variable(n)) for n in self.names}
        if "activity" in values:     # as simulate stores it
            values["activity"] = np.asarray(values["activity"], dtype=object).astype(str)
        ds = self.model.dataset_from(self.time, values, self.model.variable_attrs(self.activity), self.profile,
                                      self.params, self.settings)
        ds.attrs.update(self.attrs)
        return ds

    def _all_observables(self) -> list:
        compiled = self.model.compiled
        return list(compiled.observable_names) + list(compiled.forced_observable_names)


#: Distinct clock hours of recent sample grids (:func:`_per_clock_hour`), by the grid's digest.
_CLOCK_HOURS = LRUCache(8)


def _per_clock_hour(func, t):
    """``func(clock hours of t)``, evaluated once per distinct clock hour (a daily grid repeats
    them: 24 values for a year of hourly samples) and spread back: the same values, element by
    element, as ``func(np.mod(t, 1.0) * 24.0)`` for a ``func`` that works element-wise (the
    rest/activity schedule's mode and forcings). Returns what ``func`` returns (an array or a
    dict of arrays)."""
    t = np.asarray(t, dtype=float)
    if t.size < 256:
        return func(np.mod(t, 1.0) * 24.0)
    key = hashlib.sha1(t.tobytes()).hexdigest()
    hit = _CLOCK_HOURS.get(key)
    if hit is None:               # the trial's arms share one time grid: sorted once per process
        u, inverse = np.unique(np.mod(t, 1.0) * 24.0, return_inverse=True)
        hit = (u, inverse) if u.size * 4 <= t.size else (None, None)
        _CLOCK_HOURS.put(key, hit)
    u, inverse = hit
    if u is None:
        return func(np.mod(t, 1.0) * 24.0)
    out = func(u)
    if isinstance(out, dict):
        return {k: np.asarray(v)[inverse] for k, v in out.items()}
    return np.asarray(out)[inverse]


def modules_key(modules):
    """Cache key of a tuple of declared modules: equal declarations give equal keys.

    Modules are frozen dataclasses, so the tuple itself is the key (hashed and compared by
    content: states, parameters, flows and sympy expressions). A module holding unhashable
    fields (say, lists) is keyed by a digest of its canonical text instead.
    """
    modules = tuple(modules)
    try:
        hash(modules)
    except TypeError:
        return ("sha256", hashlib.sha256(repr(_canonical(modules)).encode()).hexdigest())
    return modules


def _canonical(obj):
    """Nested tuples of strings describing ``obj`` (dataclasses field by field, sympy via srepr)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return (type(obj).__qualname__,) + tuple((f.name, _canonical(getattr(obj, f.name)))
                                                 for f in dataclasses.fields(obj))
    if isinstance(obj, (list, tuple)):
        return tuple(_canonical(x) for x in obj)
    if isinstance(obj, dict):
        return tuple(sorted((repr(k), _canonical(v)) for k, v in obj.items()))
    if isinstance(obj, sp.Basic):
        return sp.srepr(obj)
    return repr(obj)


def _compile(modules):
    compiled = CompiledSystem(assemble(modules))
    return compiled, resting_states(compiled)


__all__ = ["Model", "Run", "ModelSpec", "AUGMENTATION_MECHANISMS", "DAT_HYPOTHESES", "IRON_RELEASE_HYPOTHESES",
           "IntegrationError", "STATE_CACHE_SIZE", "declared_modules", "model_for", "optional_modules", "modules_key"]
