"""``Model``: assemble the declared modules, then simulate and find steady states.

>>> import rlsmodel
>>> model = rlsmodel.Model()
>>> ds = model.simulate(days=30, profile="rls_genetic")      # doctest: +SKIP
"""
from __future__ import annotations

import contextlib
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
from scipy.optimize import root

from . import checks as _checks
from . import profiles as _profiles
from . import runplan as _runplan
from .activity import Activity, with_schedule_parameters
from .caching import LRUCache
from .compile import CompiledSystem
from .engines import default_engine
from .errors import EvaluationError, ParameterRangeWarning, RegimenWarning
from .integrate import ENGINES, IntegrationError, SolverSettings, integrate
from .model import CORE_MODULES, assemble
from .model import hypotheses as _hypotheses
from .model.hypotheses import DAT_HYPOTHESES, IRON_RELEASE_HYPOTHESES
from .model.system import closest
from .provenance import dataset_attrs as _provenance_attrs

#: Built-in augmentation hypotheses (science.md section 7): the names of the files
#: ``rlsmodel/model/augmentation_<name>.py`` (:mod:`rlsmodel.model.hypotheses`). ``Model`` also
#: takes a user's own mechanism (a Module declaring ``dopaminergic_signal``).
AUGMENTATION_MECHANISMS = _hypotheses.augmentation_names()
# DAT_HYPOTHESES and IRON_RELEASE_HYPOTHESES (imported above) live in rlsmodel.model.hypotheses.

#: Distinct model structures whose compiled code is kept per process (least recently used leave).
COMPILED_CACHE_SIZE = 8
#: Parameter vectors whose steady state (and, separately, periodic state) a Model keeps.
STATE_CACHE_SIZE = 256

#: Compiled systems (with their resting-state masks), keyed by the *content* of the modules
#: (:func:`modules_key`): Models built from equal declarations share one compiled system.
_COMPILED = LRUCache(COMPILED_CACHE_SIZE)


def _mechanism_module(augmentation):
    """The declaration of an augmentation mechanism (a built-in name, a Module or a Python
    module with MODULE; :func:`rlsmodel.model.hypotheses.augmentation_module`)."""
    return _hypotheses.augmentation_module(augmentation)[1]


def _extra_modules():
    """Modules beyond the core that are always present (pharmacology, when available)."""
    try:
        from .pharmacology import drug_modules
    except ImportError:
        return ()
    return tuple(drug_modules())


class Model:
    """The assembled RLS model.

    Parameters
    ----------
    augmentation: which augmentation hypothesis produces the dopaminergic signal
        (science.md section 7): a built-in name (:data:`AUGMENTATION_MECHANISMS`:
        ``"d2_tolerance"``, the default, or ``"d3_d1_spinal"``), or your own mechanism, a
        :class:`~rlsmodel.model.Module` (or a Python module with ``MODULE``) that declares
        the observable ``dopaminergic_signal`` (contract: :mod:`rlsmodel.model.hypotheses`;
        example: ``docs/your_own_hypothesis.md``). ``model.augmentation`` is its name (recorded in
        results), ``model.augmentation_module`` its declaration.
    dat_hypothesis: ``"reduced"`` (default; membrane DAT falls with brain iron, Bianco et
        al. 2008) or ``"increased"`` (Lai et al. 2017).
    extra_modules: further :class:`~rlsmodel.model.Module` objects to add.
    engine: default integrator engine: a name registered in :data:`rlsmodel.engines.ENGINES`
        (``"cvode"``, ``"lsoda"``, the reference ``"scipy"``, or your own); None (default):
        :func:`rlsmodel.engines.default_engine`, ``"cvode"`` where it can run, else ``"lsoda"``
        (the engine used is recorded in every output's attrs).
    engine_options: that engine's options (``{name: value}``, see its ``options``).
    parameter_defaults: ``{name: value}`` replacing the declared defaults (a calibration's
        fitted values); profiles and ``params=`` still override them. Each value is checked
        against the parameter's domain; unknown names raise ``ValueError``.
    profile_overrides: ``{profile: {name: value}}`` replacing (or adding to) a profile's own
        overrides, e.g. a fitted ``rls_genetic`` BBB gain; applied after the profile's
        overrides and before ``params=``.
    iron_release: ``"brain_regulated"`` (default; blood-brain barrier endothelial iron is
        released as the brain side asks for it, Simpson et al. 2015) or ``"constitutive"``
        (release follows endothelial iron alone); see :mod:`rlsmodel.model.barrier`.

    Set points (parameters declared with ``set_point=``, e.g. ``labile_iron_ref``) are computed
    from the healthy steady state of this model's defaults when it is built
    (:mod:`rlsmodel.set_points`).
    """

    def __init__(self, augmentation: str = "d2_tolerance", dat_hypothesis: str = "reduced",
                 extra_modules=(), engine: str | None = None, engine_options=None, parameter_defaults=None,
                 profile_overrides=None, iron_release: str = "brain_regulated"):
        if dat_hypothesis not in DAT_HYPOTHESES:
            raise ValueError(f"unknown dat_hypothesis {dat_hypothesis!r}; valid: {', '.join(DAT_HYPOTHESES)}")
        # the engine and its options are checked before the (slow) model building
        settings = SolverSettings(engine=engine or default_engine(), engine_options=engine_options or ()).validate()
        self.augmentation, self.augmentation_module = _hypotheses.augmentation_module(augmentation)
        self.dat_hypothesis = dat_hypothesis
        self.extra_modules = tuple(extra_modules)
        modules = CORE_MODULES + _extra_modules() + (self.augmentation_module,) + tuple(extra_modules)
        self.compiled, self._resting = _COMPILED.get_or_compute(modules_key(modules), lambda: _compile(modules))
        self.system = self.compiled.system
        self.settings = settings
        states = [self.system.states[n] for n in self.compiled.state_names]
        self._nominal_values = np.array([s.nominal for s in states])
        self._state_scale = np.maximum(np.abs(self._nominal_values), 1e-3)
        # states the steady-state and periodic solvers solve for (not ledgers, inputs or
        # undosed drug pools, which are exactly 0 there)
        self._solved = np.array([s.kind == "dynamic" for s in states]) & ~self._resting
        params = OrderedDict(self.system.parameters)
        params["dat_iron_exponent"] = replace(params["dat_iron_exponent"],
                                              default=DAT_HYPOTHESES[dat_hypothesis])
        if iron_release not in IRON_RELEASE_HYPOTHESES:
            raise ValueError(f"unknown iron_release {iron_release!r}; valid: {', '.join(IRON_RELEASE_HYPOTHESES)}")
        self.iron_release = iron_release
        params["bbb_release_brain_gain"] = replace(params["bbb_release_brain_gain"],
                                                   default=IRON_RELEASE_HYPOTHESES[iron_release])
        self._parameters = params
        self.parameter_defaults = MappingProxyType(self._checked_overrides(parameter_defaults,
                                                                           "parameter_defaults"))
        for name, value in self.parameter_defaults.items():
            params[name] = replace(params[name], default=value)
        self.profile_overrides = MappingProxyType(self._checked_profile_overrides(profile_overrides))
        # start states by parameter vector (bytes): bounded, thread-safe, values are pure
        # functions of the key, so eviction or clear_caches never changes a result
        self._ss_cache = LRUCache(STATE_CACHE_SIZE)
        self._periodic_cache = LRUCache(STATE_CACHE_SIZE)
        self._apply_set_points()

    def _apply_set_points(self) -> None:
        """Replace every set-point parameter's default by its healthy steady-state value
        (:mod:`rlsmodel.set_points`), with the other parameters at this model's defaults."""
        from . import set_points
        names = set_points.set_point_parameters(self._parameters)
        if not names:
            return
        order = self.compiled.parameter_names
        index = [order.index(n) for n in names]
        base = self.parameter_vector("healthy")
        state_index = {n: i for i, n in enumerate(self.compiled.state_names)}
        targets = [self._parameters[n].set_point for n in names]
        pa = base.copy()
        pa[-1] = 0.0

        def evaluate(values):
            p = base.copy()
            p[index] = values
            y, _ = self._averaged_steady_state(p, cache=False)
            pa[:] = p
            pa[-1] = 0.0
            obs = None
            out = []
            for name in targets:
                if name in state_index:
                    out.append(y[state_index[name]])
                else:
                    if obs is None:
                        obs = self.compiled.observables(np.zeros(1), y[:, None], pa)
                    out.append(float(obs[name][0]))
            return np.array(out)

        solved = set_points.solve(names, [self._parameters[n].default for n in names], evaluate)
        for name, value in solved.items():
            par = self._parameters[name]
            lo, hi = par.range
            if not lo <= value <= hi:
                raise set_points.SetPointError(
                    f"set point {name!r} = {value:.6g} {par.unit} (healthy steady-state "
                    f"{par.set_point}) lies outside its declared range {par.range}")
            how = (f"set point computed when the model is built (rlsmodel.set_points) from the healthy "
                   f"day-averaged steady state of {par.set_point}")
            text = par.source
            source = how + ": " + text[len("set point: "):] if text.startswith("set point: ") else how + "; " + text
            self._parameters[name] = replace(par, default=float(value), source=source)

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
        value}}`` (see :class:`Model`). This model is unchanged. Compilation is shared.
        """
        defaults = {**self.parameter_defaults, **self._checked_overrides(parameter_defaults, "parameter_defaults")}
        profiles = {p: dict(v) for p, v in self.profile_overrides.items()}
        for prof, values in self._checked_profile_overrides(profile_overrides).items():
            profiles.setdefault(prof, {}).update(values)
        return Model(self.augmentation_module, self.dat_hypothesis, extra_modules=self.extra_modules,
                     engine=self.settings.engine, engine_options=self.settings.engine_options or None,
                     parameter_defaults=defaults, profile_overrides=profiles, iron_release=self.iron_release)

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
        values = self.resolve_parameters(profile, params)
        return np.array([values[n] for n in self.compiled.parameter_names] + [forcing], dtype=float)

    # -- steady states -------------------------------------------------------------------
    def _nominal(self):
        """Nominal (typical healthy) value of each state, in state-vector order."""
        return self._nominal_values

    def _scale(self):
        """Per-state magnitude for error control and residual scaling."""
        return self._state_scale

    def _averaged_steady_state(self, p, cache: bool = True):
        """Steady state of the day-averaged system: (y, method); ``y`` is the caller's copy.
        ``cache=False`` neither reads nor fills the cache (the set-point solve's trial vectors)."""
        if not cache:
            return self._solve_averaged_steady_state(p)
        y, method = self._ss_cache.get_or_compute(self._state_key(p), lambda: self._solve_averaged_steady_state(p))
        return y.copy(), method

    def _state_key(self, p) -> bytes:
        """Cache key of the start states of parameter vector ``p``: the values the right-hand
        side reads (readout-only parameters, e.g. movement_relief, change no state)."""
        return np.asarray(p, dtype=float)[self.compiled.rhs_parameter_mask].tobytes()

    def _solve_averaged_steady_state(self, p):
        pa = p.copy()
        pa[-1] = 0.0   # rhythms replaced by their daily means
        dyn = self._solved
        scale = self._scale()
        y_full = np.where(dyn, self._nominal(), 0.0)

        def residual(x):
            y = y_full.copy()
            y[dyn] = x * scale[dyn]
            return self.compiled.fast_rhs(0.0, y, pa)[dyn] / scale[dyn]

        def jac(x):
            y = y_full.copy()
            y[dyn] = x * scale[dyn]
            J = self.compiled.fast_jac(0.0, y, pa)[np.ix_(dyn, dyn)]
            return J * scale[dyn][None, :] / scale[dyn][:, None]

        def newton(x0):
            sol = root(residual, x0, jac=jac, method="hybr", options={"xtol": 1e-13})
            ok = sol.success and np.all(sol.x > -1e-12) and np.max(np.abs(residual(sol.x))) < 1e-9
            return sol.x, ok

        x, ok = newton(y_full[dyn] / scale[dyn])
        method = "newton"
        if not ok:
            # fall back: integrate the averaged system for 60 years, then polish with Newton
            y = y_full.copy()
            traj = integrate(self.compiled, y, pa, np.array([0.0, 60 * 365.0]),
                             settings=SolverSettings(rtol=1e-8, atol=1e-10), scale=scale)
            x, ok = newton(traj[dyn, -1] / scale[dyn])
            method = "long simulation + newton"
            if not ok:
                x = traj[dyn, -1] / scale[dyn]
                method = "long simulation (Newton did not converge)"
        y = y_full.copy()
        y[dyn] = x * scale[dyn]
        return y, method

    def _periodic_state(self, p):
        """State at midnight on the daily limit cycle of the forced system: (y, method);
        ``y`` is the caller's copy."""
        y, method = self._periodic_cache.get_or_compute(self._state_key(p), lambda: self._solve_periodic_state(p))
        return y.copy(), method

    def _solve_periodic_state(self, p):
        # the start state is found with the default engine whatever engine the run uses, so
        # results do not depend on the engine through their initial state
        y_avg, _ = self._averaged_steady_state(p)
        dyn = self._solved
        scale = self._scale()
        tight = SolverSettings(engine="lsoda", rtol=1e-10, atol=1e-12)
        # settle the fast states onto the rhythm (3 days), sampling the last day for the
        # Jacobian estimate below; then solve y(1 day) = y(0) by shooting
        times = np.concatenate([[0.0], 2.0 + np.arange(2 * PERIODIC_SUBSTEPS + 1) / (2 * PERIODIC_SUBSTEPS)])
        settle = integrate(self.compiled, y_avg, p, times, settings=tight, scale=scale)
        y0 = settle[:, -1].copy()
        y0[~dyn] = 0.0   # ledger, input and resting (e.g. undosed drug) states start at exactly 0

        def shoot(x):
            y = y0.copy()
            y[dyn] = x * scale[dyn]
            y1 = integrate(self.compiled, y, p, np.array([0.0, 1.0]), settings=tight, scale=scale)[:, -1]
            return (y1[dyn] - y[dyn]) / scale[dyn]

        x0 = y0[dyn] / scale[dyn]
        try:
            mid = (times[1::2] - 2.0)[:-1] + 0.5 / (2 * PERIODIC_SUBSTEPS)
            jac0 = _one_day_jacobian(self.compiled, settle[:, 2::2], mid, p, dyn, scale)
            x, ok = _broyden(shoot, x0, jac0)
            if not ok:   # the robust solver (trust region), from the same start and Jacobian
                sol = root(shoot, x0, jac=lambda x: jac0, method="hybr", options={"xtol": 1e-12})
                x = sol.x
                # judged by the residual, not MINPACK's status: at a residual of 1e-13 hybr can
                # report "not making good progress" while already at the precision limit
                ok = bool(np.all(np.isfinite(x))) and np.max(np.abs(shoot(x))) < 1e-9 and np.all(x > -1e-12)
        except (ArithmeticError, IntegrationError, ValueError, np.linalg.LinAlgError):
            # a trial state of the root finder left the physical domain: use the fallback
            ok = False
        y = y0.copy()
        if ok:
            y[dyn] = x * scale[dyn]
            method = "periodic (shooting)"
        else:
            method = "day-averaged steady state + 3 days of entrainment"
        return y, method

    def clear_caches(self) -> None:
        """Forget cached steady and periodic states (each cache keeps at most
        :data:`STATE_CACHE_SIZE` parameter sets anyway). Results do not change: the caches
        only save time. The compiled code, shared by equal models, is kept."""
        self._ss_cache.clear()
        self._periodic_cache.clear()

    def steady_state(self, profile="healthy", params=None) -> xr.Dataset:
        """Steady state of the day-averaged system (rhythms at their daily means).

        Returns a Dataset with every state and observable (no time dimension); attrs record
        the profile, overrides and the method used (Newton, or long simulation if Newton
        failed).
        """
        p = self.parameter_vector(profile, params)
        outside = self._flag_ranges(self.resolve_parameters(profile, params))
        with _named_failures(outside, self._parameters):
            y, method = self._averaged_steady_state(p)
            pa = p.copy()
            pa[-1] = 0.0
            obs = self.compiled.observables(np.zeros(1), y[:, None], pa)
        ds = self._dataset(None, y[:, None], obs, profile, params, None, self.settings)
        ds = ds.isel(time=0, drop=True)
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
        days: duration in days (a number > 0).
        profile: profile name (see :mod:`rlsmodel.profiles`).
        params: parameter overrides ``{name: value}`` applied after the profile. Values are
            numbers (strings are refused); values outside a parameter's declared ``range``
            are used as given, flagged by :class:`rlsmodel.ParameterRangeWarning` and
            recorded in ``ds.attrs["parameters_outside_range"]`` (JSON); values outside its
            physical domain raise ``ValueError``.
        regimen: a :class:`rlsmodel.Regimen` (drug doses as exact events) or None. A regimen
            that gives no dose within the run (its first dose after the end) warns
            (:class:`rlsmodel.RegimenWarning`). Doses into in-body states holding iron
            (IV iron) are counted in ``iron_intake_total``.
        sample_every_hours: output spacing in hours (> 0).
        initial: None (start on the profile's daily limit cycle), or a mapping of state
            values / a Dataset (e.g. the last time point of an earlier run).
        activity: an :class:`rlsmodel.activity.Activity` schedule (default: active by
            day, sedentary 18:00-23:00, asleep 23:00-07:00): the forcing the declared
            readouts ``activity_factor`` and ``symptom`` read
            (:mod:`rlsmodel.model.rest_activity`; their parameters ``movement_relief`` and
            ``rest_latency_h`` are set like any other, in ``params``).
        engine, rtol, atol, engine_options: integrator settings (see :mod:`rlsmodel.integrate`);
            None keeps the model's (its tolerances and ``engine_options`` only while the engine
            is its own; another engine runs at its own defaults). Tolerances are numbers
            (``rtol="1e-6"`` is refused).
        keep: None (every state and observable, and the activity mode) or the names of the
            variables to return (e.g. ``["brain_iron", "symptom"]``); the run then holds
            only those, which lets long finely sampled runs fit in memory.
        progress: None (a progress bar on stderr when the run is estimated to take 10 s or
            more and stderr is a terminal), True or False.
        warn: False silences the two warnings above (the attrs still record what they
            would say); sweeps use it, because they warn once per sweep instead of per point.

        Before anything is integrated the run's memory and time are estimated
        (:mod:`rlsmodel.runplan`); above the limits (2 GiB, 24 h; environment variables
        ``RLSMODEL_MAX_MEMORY_GB``, ``RLSMODEL_MAX_HOURS``) it raises
        :class:`rlsmodel.RunTooLargeError` with the estimate and the fix.

        :meth:`run` integrates the same way without building the Dataset.
        """
        plan = self._plan(days, profile, params, regimen, sample_every_hours, activity, engine, rtol, atol,
                          engine_options, keep, progress, warn, holds_states=False)
        t, p, activity, names = plan.t, plan.p, plan.activity, plan.names
        arrays = {n: np.empty(t.size, dtype=object if n == "activity" else float) for n in names}

        def collect(block, Y):
            obs = self.compiled.observables(t[block], Y, p,
                                            forcings=activity.forcings(np.mod(t[block], 1.0) * 24.0))
            for name, value in self._variable_values(t[block], Y, obs, activity, names).items():
                arrays[name][block] = value

        init_method = self._integrate(plan, initial, collect)
        if "activity" in arrays:
            arrays["activity"] = arrays["activity"].astype(str)
        ds = self._dataset_from(t, arrays, self._variable_attrs(activity), profile, plan.params, plan.settings)
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
        plan = self._plan(days, profile, params, regimen, sample_every_hours, activity, engine, rtol, atol,
                          engine_options, keep, progress, warn, holds_states=True)
        states = np.empty((self.compiled.n_states, plan.t.size))

        def collect(block, Y):
            states[:, block] = Y

        init_method = self._integrate(plan, initial, collect)
        attrs = {**plan.attrs, "initial_state": init_method,
                 _checks.OUTSIDE_RANGE_ATTR: _checks.range_attr(plan.outside)}
        return Run(self, plan.t, states, plan.p, profile, plan.params, plan.activity, plan.settings, attrs,
                   plan.names)

    def _plan(self, days, profile, params, regimen, sample_every_hours, activity, engine, rtol, atol,
              engine_options, keep, progress, warn, holds_states) -> "_RunPlan":
        """Check every argument of :meth:`simulate` / :meth:`run`, warn (ranges, dose-less
        regimen), estimate the run's size (refusing one above the limits) and list its events,
        before anything is integrated. ``holds_states``: the run keeps every state and
        observable (a :class:`Run`), whatever ``keep`` says."""
        days = _checks.positive("days", days, "days")
        dt_h = _checks.positive("sample_every_hours", sample_every_hours, "hours")
        settings = self._run_settings(engine, rtol, atol, engine_options)
        activity = Activity.default() if activity is None else activity
        if not isinstance(activity, Activity):
            raise ValueError(f"activity must be an rlsmodel.activity.Activity; got {_checks.describe_value(activity)}")
        params = with_schedule_parameters(params, activity)
        _check_regimen(regimen)
        _checks.flag("progress", progress)
        names = self._kept_variables(keep)
        p = self.parameter_vector(profile, params)
        values = self.resolve_parameters(profile, params)
        # stacklevel 4: _flag_ranges, _plan, simulate/run, the caller
        outside = self._flag_ranges(values, stacklevel=4, warn=_checks.flag("warn", warn, (True, False)))
        held = self._kept_variables(None) if holds_states else names
        size = _runplan.estimate(days, dt_h, self._bytes_per_sample(held), len(held), self.compiled.n_states,
                                 len(self.compiled.observable_names), _count_doses(regimen, days), settings.engine)
        size.check()
        events, attrs = [], {"regimen": "none"}
        if regimen is not None:
            events = self.system.ledger_events(regimen.events(self, days, params=values))
            attrs = {"regimen": regimen.describe()}
            if not events and warn:
                warnings.warn(_checks.no_dose_message(regimen, days), RegimenWarning, stacklevel=3)
        return _RunPlan(days, _runplan.sample_times(days, dt_h), p, params, activity, settings, names, outside,
                        size, events, attrs, progress)

    def _integrate(self, plan: "_RunPlan", initial, collect) -> str:
        """Integrate ``plan`` from ``initial`` (None: the profile's daily limit cycle) in
        blocks (:func:`rlsmodel.runplan.integrate_blocks`), handing each block's states to
        ``collect(slice, Y)``; return how the initial state was found."""
        with _named_failures(plan.outside, self._parameters):
            if initial is None:
                y0, init_method = self._periodic_state(plan.p)
            else:
                y0, init_method = self._initial_from(initial, plan.p), "user-supplied"
            bar = _runplan.progress_bar(plan.progress, plan.size.seconds, plan.days)
            try:
                _runplan.integrate_blocks(self.compiled, y0, plan.p, plan.t, plan.events, plan.settings,
                                          self._scale(), collect, bar)
            finally:
                bar.close()
        return init_method

    def _run_settings(self, engine, rtol, atol, engine_options) -> SolverSettings:
        """Solver settings of one run: the model's, or, for another engine than the model's,
        that engine's own default tolerances and no options (unless given). Tolerances must be
        numbers (strings are refused)."""
        if engine is not None and not isinstance(engine, str):
            raise ValueError(f"engine must be a name ({', '.join(ENGINES)}); got {_checks.describe_value(engine)}")
        engine = engine or self.settings.engine
        own = engine == self.settings.engine       # another engine: its own defaults
        if rtol is not None:
            rtol = _checks.real("rtol", rtol, "a positive finite number")
        elif own:
            rtol = self.settings.rtol
        if atol is not None:
            atol = _checks.real("atol", atol, "a positive finite number")
        elif own:
            atol = self.settings.atol
        if engine_options is None:
            engine_options = self.settings.engine_options if own else ()
        return SolverSettings(engine=engine, rtol=rtol, atol=atol, engine_options=engine_options).validate()

    def _flag_ranges(self, values, stacklevel: int = 3, warn: bool = True) -> dict:
        """Values outside their declared ranges (warned about once per call; see checks)."""
        outside = _checks.outside_ranges(self._parameters, values)
        if outside and warn:
            warnings.warn(_checks.range_message(outside, self._parameters), ParameterRangeWarning,
                          stacklevel=stacklevel)
        return outside

    def _kept_variables(self, keep) -> list:
        """Names of the variables a run returns: all (``keep=None``) or the ``keep`` list, in
        the model's order."""
        every = list(self._variable_attrs(Activity.default()))
        if keep is None:
            return every
        wanted = [keep] if isinstance(keep, str) else keep
        if not hasattr(wanted, "__iter__") or isinstance(wanted, (bytes, dict)):
            raise ValueError(f"keep must be None or a list of variable names; got {_checks.describe_value(keep)}")
        wanted = list(wanted)
        if not wanted:
            raise ValueError("keep is empty: give the names of the variables to return "
                             "(e.g. keep=['brain_iron', 'symptom']), or None for all")
        for name in wanted:
            if not isinstance(name, str) or name not in every:
                raise ValueError(f"keep: unknown variable {name!r}; " + closest(str(name), every))
        return [n for n in every if n in set(wanted)]

    def _bytes_per_sample(self, names) -> float:
        """Bytes one sample of the variables ``names`` takes in a result."""
        from .activity import MODES
        return sum(4.0 * max(len(m) for m in MODES) if n == "activity" else 8.0 for n in names)

    def _calibration_attrs(self) -> dict:
        """Attrs naming replaced defaults / profile overrides (none for a plain model)."""
        out = {}
        if self.parameter_defaults:
            out["parameter_defaults"] = json.dumps(dict(self.parameter_defaults), sort_keys=True)
        if self.profile_overrides:
            out["profile_overrides"] = json.dumps({k: dict(v) for k, v in self.profile_overrides.items()},
                                                  sort_keys=True)
        return out

    def _initial_from(self, initial, p):
        """State vector from ``initial``; states it does not name come from the run's own
        (profile and params) day-averaged steady state, parameter vector ``p``."""
        names = self.compiled.state_names
        from_run = isinstance(initial, xr.Dataset)
        if from_run:
            src = initial.isel(time=-1) if "time" in initial.dims else initial
            initial = {n: float(src[n]) for n in names if n in src}
        if not hasattr(initial, "items"):
            raise ValueError("initial must be a mapping of state values or a Dataset")
        y, _ = self._averaged_steady_state(p)
        y = y.copy()
        for name, value in initial.items():
            if name not in names:
                raise ValueError(f"unknown state {name!r} in initial; " + closest(str(name), names))
            v = _checks.real(f"initial value of {name!r}", value, "a finite number >= 0")
            i = names.index(name)
            # in the output of an earlier run, integrator round-off (below 1e-9 of the state's
            # scale) is not a negative amount; values the user types are never altered
            if from_run and np.isfinite(v) and -1e-9 * self._scale()[i] <= v < 0:
                v = 0.0
            if not np.isfinite(v) or v < 0:
                raise ValueError(f"initial value of {name!r} must be finite and >= 0; got {value!r}")
            y[i] = v
        return y

    # -- output --------------------------------------------------------------------------
    def _variable_attrs(self, activity) -> "OrderedDict[str, dict]":
        """name -> attrs of every variable a run returns, in output order."""
        out = OrderedDict()
        for name in self.compiled.state_names:
            s = self.system.states[name]
            out[name] = {"units": s.unit, "long_name": s.long_name or s.description,
                         "description": s.description, "kind": "state"}
        # observables that read the schedule (symptom, activity_factor) exist only with one
        observables = list(self.compiled.observable_names)
        if activity is not None:
            observables += self.compiled.forced_observable_names
        for name in observables:
            o = self.system.observables[name]
            out[name] = {"units": o.unit, "long_name": o.long_name, "description": o.description,
                         "kind": "observable"}
        if activity is not None:
            out["activity"] = {"long_name": "activity mode"}
        return out

    def _variable_values(self, t, Y, obs, activity, names) -> dict:
        """name -> values at samples ``t`` (states ``Y``, observables ``obs``) for ``names``."""
        wanted = set(names)
        index = {n: i for i, n in enumerate(self.compiled.state_names)}
        out = {n: Y[index[n]] for n in wanted if n in index}
        out.update({n: obs[n] for n in wanted if n in obs})
        if activity is not None and "activity" in wanted:
            out["activity"] = activity.mode_at(np.mod(t, 1.0) * 24.0).astype(str)
        return {n: out[n] for n in names}

    def _dataset(self, t, Y, obs, profile, params, activity, settings) -> xr.Dataset:
        attrs = self._variable_attrs(activity if t is not None else None)
        values = self._variable_values(np.zeros(1) if t is None else t, Y, obs, activity, list(attrs))
        return self._dataset_from(np.zeros(1) if t is None else t, values, attrs, profile, params, settings)

    def _dataset_from(self, t, values, attrs, profile, params, settings) -> xr.Dataset:
        coords = {"time": ("time", t, {"units": "day", "long_name": "time since midnight of day 0",
                                       "description": "days; the fraction is the clock time"})}
        ds = xr.Dataset({n: ("time", v, attrs[n]) for n, v in values.items()}, coords=coords)
        prof = _profiles.get(profile)
        ds.attrs.update({
            "title": "rlsmodel simulation",
            "model_structure": self.compiled.structure_hash,
            "augmentation_mechanism": self.augmentation,
            "dat_hypothesis": self.dat_hypothesis,
            "iron_release": self.iron_release,
            **self._calibration_attrs(),
            "profile": prof.name,
            "parameter_overrides": json.dumps(dict(params or {}), sort_keys=True, default=float),
            "parameters": json.dumps(self.resolve_parameters(profile, params)),
            **settings.as_attrs(),
            **_provenance_attrs(),   # git revision, library versions (no timestamp: identical runs, identical attrs)
        })
        return ds


@dataclasses.dataclass(frozen=True)
class _RunPlan:
    """A checked run of :meth:`Model.simulate` / :meth:`Model.run`, before integration."""

    days: float
    t: np.ndarray                 # sample times (days)
    p: np.ndarray                 # parameter vector
    params: object                # the caller's overrides, with the schedule's parameters
    activity: Activity
    settings: SolverSettings
    names: list                   # variables the result returns (keep=)
    outside: dict                 # parameters outside their declared ranges
    size: object                  # rlsmodel.runplan.RunEstimate
    events: list
    attrs: dict                   # regimen attrs
    progress: object


class Run:
    """One integrated run of :meth:`Model.run`: ``time`` (days), ``states`` (n, m) in the
    compiled order, and :meth:`variable` / :meth:`dataset` for everything
    :meth:`Model.simulate` returns (observables computed on first request)."""

    def __init__(self, model, t, Y, p, profile, params, activity, settings, attrs, names=None):
        self.model, self.time, self.states, self.p = model, t, Y, p
        self.profile, self.params, self.activity, self.settings = profile, params, activity, settings
        self.attrs = attrs
        #: the variables :meth:`dataset` returns (``keep=`` of :meth:`Model.run`)
        self.names = list(model._kept_variables(None) if names is None else names)
        self._obs = None
        self._index = {n: i for i, n in enumerate(model.compiled.state_names)}

    def observables(self) -> dict:
        """name -> values of every observable, those that read the rest/activity schedule included."""
        if self._obs is None:
            forcings = self.activity.forcings(np.mod(self.time, 1.0) * 24.0)
            self._obs = self.model.compiled.observables(self.time, self.states, self.p, forcings=forcings)
        return self._obs

    def variable(self, name) -> np.ndarray:
        """Values of the state or observable ``name`` (or ``"activity"``, ``"time"``) at the
        samples, as in the Dataset; KeyError naming the variables otherwise."""
        if name == "time":
            return self.time
        if name in self._index:
            return self.states[self._index[name]]
        if name == "activity":
            return self.activity.mode_at(np.mod(self.time, 1.0) * 24.0).astype(str)
        obs = self.observables()
        if name in obs:
            return obs[name]
        raise KeyError(f"no variable {name!r} in the run; " + closest(str(name), list(self._index) + list(obs)))

    def dataset(self) -> xr.Dataset:
        """The labelled Dataset :meth:`Model.simulate` returns for this run."""
        values = self.model._variable_values(self.time, self.states, self.observables(), self.activity, self.names)
        if "activity" in values:     # as simulate stores it
            values["activity"] = np.asarray(values["activity"], dtype=object).astype(str)
        ds = self.model._dataset_from(self.time, values, self.model._variable_attrs(self.activity), self.profile,
                                      self.params, self.settings)
        ds.attrs.update(self.attrs)
        return ds


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
    return compiled, _resting_states(compiled)


def _resting_states(compiled) -> np.ndarray:
    """Mask of states that stay exactly 0 in any steady state with no doses.

    A set Z of states is *resting* when setting every state in Z (and every input state) to 0
    makes the right-hand side of every state in Z identically 0: undosed drug depots and plasma
    pools. They are held at exactly 0 in steady-state and periodic solves instead of being left
    to the root finder's round-off. Found structurally from the symbolic right-hand side.
    """
    from .model.declaration import sym
    names = compiled.state_names
    states = compiled.system.states
    cand = {n for n in names if states[n].kind == "dynamic" and states[n].nominal == 0}
    inputs = {n for n in names if states[n].kind == "input"}
    rhs = dict(zip(names, compiled.system.rhs))
    while True:
        zero = {sym(n): 0 for n in cand | inputs}
        keep = {n for n in cand if rhs[n].xreplace(zero) == 0}
        if keep == cand:
            break
        cand = keep
    return np.array([n in cand for n in names])


#: Sub-intervals of the day in the product-integral estimate of the one-day map's Jacobian.
PERIODIC_SUBSTEPS = 12


def _one_day_jacobian(compiled, y_mid, t_mid, p, dyn, scale):
    """Estimate of d(y(1 day) - y(0)) / d y(0) for the shooting solve, in scaled variables.

    The one-day map's Jacobian (the monodromy matrix) is the ordered product over the day of
    the sub-interval propagators ``expm(J(t_k) dt)``, ``J`` the right-hand side's Jacobian at
    the midpoints ``t_mid`` of :data:`PERIODIC_SUBSTEPS` sub-intervals (states ``y_mid`` (n, k)
    from the settling run). Each propagator is approximated by Richardson-extrapolated
    implicit Euler, ``2 (I - J dt/2)^-2 - (I - J dt)^-1``: second order for slow modes and
    0 (not 1 or -1) for the very fast ones, at three small solves instead of a matrix
    exponential of a stiff matrix. Given to the root finder as its starting Jacobian (which it
    then updates by Broyden steps), it replaces about ``n_dyn + 1`` finite-difference
    integrations of one day; the solution and its acceptance test are unchanged.
    """
    s = scale[dyn]
    eye = np.eye(int(dyn.sum()))
    m = eye
    dt = 1.0 / len(t_mid)
    for k, tk in enumerate(t_mid):
        jk = compiled.fast_jac(float(tk), y_mid[:, k], p)[np.ix_(dyn, dyn)] * s[None, :] / s[:, None]
        half = np.linalg.solve(eye - 0.5 * dt * jk, m)
        m = 2.0 * np.linalg.solve(eye - 0.5 * dt * jk, half) - np.linalg.solve(eye - dt * jk, m)
    return m - eye


#: Quasi-Newton iterations tried on the shooting equations before the trust-region solver,
#: and the residual (scaled, per day) they must reach.
PERIODIC_MAX_ITER, PERIODIC_TOL = 12, 1e-10


def _broyden(f, x, jac):
    """Quasi-Newton (Broyden's good update) on ``f(x) = 0`` from ``x`` with starting Jacobian
    ``jac``: ``(x, converged)``, converged when ``max |f| < PERIODIC_TOL`` with ``x >= 0``.

    On the shooting equations with :func:`_one_day_jacobian` it converges in 4-6 one-day
    integrations (the finite-difference Jacobian of the trust-region solver alone costs
    ``n_dyn + 1``); a stall, a non-finite value or a negative amount returns
    ``converged=False`` and the caller falls back.
    """
    jac = np.array(jac, dtype=float)
    fx = f(x)
    for _ in range(PERIODIC_MAX_ITER):
        if not np.all(np.isfinite(fx)):
            return x, False
        if np.max(np.abs(fx)) < PERIODIC_TOL:
            return x, bool(np.all(x > -1e-12))
        dx = -np.linalg.solve(jac, fx)
        x_new = x + dx
        f_new = f(x_new)
        jac += np.outer(f_new - fx - jac @ dx, dx) / (dx @ dx)
        x, fx = x_new, f_new
    return x, bool(np.all(np.isfinite(fx)) and np.max(np.abs(fx)) < PERIODIC_TOL and np.all(x > -1e-12))


def _check_regimen(regimen) -> None:
    """A regimen is None or an object with ``events(model, days, params)`` and ``describe()``."""
    if regimen is None or (hasattr(regimen, "events") and hasattr(regimen, "describe")):
        return
    if isinstance(regimen, str):
        raise ValueError(f"regimen must be an rlsmodel.Regimen, not the string {regimen!r}; build one, e.g. "
                         f"Regimen.daily({regimen!r}, dose_mg, clock_hour=21.0) or Regimen.once(...) "
                         "(from rlsmodel import Regimen)")
    raise ValueError("regimen must be None or an rlsmodel.Regimen (Regimen.daily/once/escalation); got "
                     + _checks.describe_value(regimen))


def _count_doses(regimen, days: float) -> int:
    """Dose events of ``regimen`` within ``days`` (counted without listing them), 0 if unknown."""
    schedules = getattr(regimen, "schedules", None)
    if not schedules:
        return 0
    return sum(len(s.dose_days(days)) + 1 for s in schedules)


@contextlib.contextmanager
def _named_failures(outside: dict, parameters):
    """Name the parameters outside their declared ranges when the equations or the
    integrator fail (the usual cause), and turn arithmetic overflows into EvaluationError."""
    note = ""
    if outside:
        note = (" Parameters outside their declared ranges (the likely cause): "
                + "; ".join(f"{n} = {v['value']:g} (range {v['range'][0]:g}-{v['range'][1]:g})"
                            for n, v in outside.items()) + ".")
    try:
        yield
    except IntegrationError as exc:
        if not note:
            raise
        raise IntegrationError(f"{exc}.{note}") from exc
    except (OverflowError, FloatingPointError, ZeroDivisionError) as exc:
        raise EvaluationError(f"the model's equations could not be evaluated ({type(exc).__name__}: {exc})."
                              + (note or " Every parameter lies inside its declared range; please report "
                                 "this with the call that caused it.")) from exc


__all__ = ["Model", "Run", "AUGMENTATION_MECHANISMS", "DAT_HYPOTHESES", "IRON_RELEASE_HYPOTHESES",
           "IntegrationError"]
