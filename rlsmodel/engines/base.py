"""What every integration engine shares: settings, errors, the problem, events, the registry.

An *engine* turns one :class:`Problem` (a compiled system, a start state, parameters,
sample times, events, tolerances) into the states at the sample times. Engines are
objects registered by name; :func:`rlsmodel.integrate.integrate` looks the name in
:class:`SolverSettings` up in the registry, builds the :class:`Problem` and calls the
engine. Built-in engines (:mod:`.lsoda`, :mod:`.cvode`, :mod:`.scipy`) are registered
when :mod:`rlsmodel.engines` is imported; a user registers their own with
:func:`register_engine`.

Writing an engine
-----------------
Subclass :class:`Engine`, set ``name`` and ``description``, implement
``integrate(problem) -> ndarray (n_states, n_samples)``, and register an instance::

    class Euler(Engine):
        name = "euler"
        description = "explicit Euler with a fixed step (for teaching)"
        options = {"step": Option(1e-3, "step length (day)", positive_number)}

        def integrate(self, problem):
            h = problem.option("step")
            def segment(y, times):
                ...                           # states at ``times`` from ``y`` at times[0]
            return integrate_piecewise(problem, segment)

    register_engine(Euler())
    model.simulate(10, engine="euler", engine_options={"step": 1e-4})   # via SolverSettings

Contract: the returned array holds the state at every ``problem.t_samples`` (the first
column is the start state after any event at ``t_samples[0]``); events are applied
exactly at their times and samples at an event time show the state *after* it
(right-continuous). :func:`integrate_piecewise` implements that contract for engines
that integrate one event-free segment at a time. Failures raise :class:`IntegrationError`
with the solver's own message; an engine that cannot run here (missing library or
compiler) raises :class:`EngineUnavailable` saying what is missing. An engine that is
not safe to call from several threads at once sets ``thread_safe = False`` and the
dispatcher runs its calls one at a time.

Options
-------
An engine declares its options in ``options`` (name -> :class:`Option`); users pass
them as ``SolverSettings(engine_options={...})``. Unknown names and bad values are
refused by :meth:`SolverSettings.validate` with the list of valid options, defaults
apply to options not given, and the options given are recorded in every output's attrs
(``solver_options``). Speed-ups that change how a problem is solved but not its answer
(a first-step size after restarts, a linear multistep method, a closed-form treatment
of linear compartments) are options or separate engines; an engine may also transform
the problem and delegate to another registered engine (:func:`get_engine`).
"""
from __future__ import annotations

import json
import threading
import warnings
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Callable

import numpy as np

#: Default relative and absolute (x each state's scale) tolerances of engines that set none;
#: see SolverSettings and Engine.default_rtol.
DEFAULT_RTOL, DEFAULT_ATOL = 1e-6, 1e-8
#: Engines a Model uses when none is named, in order of preference: the first available one.
DEFAULT_ENGINES = ("cvode", "lsoda")
#: Event modes: ``"add"`` adds the value to the state, ``"set"`` replaces it.
EVENT_MODES = ("add", "set")
#: Samples within this many days (about 0.1 ms) of an event time are moved onto it.
SNAP_TOLERANCE_DAYS = 1e-9


class IntegrationError(RuntimeError):
    """The integrator failed; the message carries the solver's own words."""


class EngineUnavailable(RuntimeError):
    """An engine cannot run here (e.g. no C compiler or no SUNDIALS); the message says what is missing."""


class EngineFallbackWarning(UserWarning):
    """The default engine fell back to a slower one; the message says why and how to get the fast one."""


# -- the registry (filled by register_engine; see the end of this module) ----------------------
_REGISTRY: dict = {}
_SERIAL_LOCKS: dict = {}
_REGISTRY_LOCK = threading.Lock()
#: Registered engines: a read-only, live view name -> engine object.
ENGINES = MappingProxyType(_REGISTRY)


def default_tolerances(name) -> tuple:
    """``(rtol, atol)`` defaults of the engine called ``name`` (the library's for unknown names)."""
    engine = _REGISTRY.get(name) if isinstance(name, str) else None
    if engine is None:
        return DEFAULT_RTOL, DEFAULT_ATOL
    return float(engine.default_rtol), float(engine.default_atol)


# -- options ------------------------------------------------------------------------------

def positive_number(value) -> float:
    """``value`` as a positive finite float, or ValueError."""
    v = float(value)
    if not (np.isfinite(v) and v > 0):
        raise ValueError("must be a positive finite number")
    return v


def nonnegative_number(value) -> float:
    """``value`` as a finite float >= 0, or ValueError."""
    v = float(value)
    if not (np.isfinite(v) and v >= 0):
        raise ValueError("must be a finite number >= 0")
    return v


@dataclass(frozen=True)
class Option:
    """An engine option: default value, one-line description, and a check.

    ``check(value)`` returns the value to use (converted) or raises ValueError saying
    what is allowed; ``choices``, when given, lists the only allowed values.
    """

    default: Any
    description: str
    check: Callable[[Any], Any] | None = None
    choices: tuple = ()

    def validate(self, name: str, engine: str, value):
        if self.choices and value not in self.choices:
            raise ValueError(f"engine {engine!r} option {name!r} must be one of "
                             f"{', '.join(map(repr, self.choices))}; got {value!r}")
        if self.check is None:
            return value
        try:
            return self.check(value)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"engine {engine!r} option {name!r}: {exc}; got {value!r}") from None


# -- settings -----------------------------------------------------------------------------

@dataclass(frozen=True)
class SolverSettings:
    """Integrator settings, recorded in every output's attrs.

    ``engine``: a registered engine name (:data:`ENGINES`). ``rtol`` is relative;
    ``atol`` is relative to each state's magnitude (absolute tolerance of state i =
    ``atol * scale_i``, see :func:`rlsmodel.integrate.integrate`). ``max_steps`` bounds the
    steps between two outputs. ``engine_options``: the engine's own options (a mapping;
    stored as sorted ``(name, value)`` pairs so settings stay hashable).

    ``rtol``/``atol`` left as None take the engine's own defaults (``Engine.default_rtol``,
    ``Engine.default_atol``; :data:`DEFAULT_RTOL`, :data:`DEFAULT_ATOL` for engines that set
    none), chosen for the accuracy users need: every state within 1e-4 of its scale of a tight
    reference after 2 years of daily dosing, daily outcomes unchanged
    (``tests/test_default_accuracy.py``). They differ by engine because the engines' error
    norms do (LSODA: weighted max norm; CVODE: weighted RMS norm). A :class:`rlsmodel.Model`
    built without ``engine=`` uses :func:`default_engine`.
    """

    engine: str = "lsoda"
    rtol: float = None
    atol: float = None
    max_steps: int = 200000
    engine_options: tuple = field(default=())

    def __post_init__(self):
        if self.rtol is None or self.atol is None:
            rtol, atol = default_tolerances(self.engine)
            if self.rtol is None:
                object.__setattr__(self, "rtol", rtol)
            if self.atol is None:
                object.__setattr__(self, "atol", atol)
        opts = self.engine_options
        if hasattr(opts, "items"):
            opts = opts.items()
        try:
            pairs = tuple(sorted((str(k), v) for k, v in opts))
        except (TypeError, ValueError):
            raise ValueError(f"engine_options must be a mapping name -> value; got {self.engine_options!r}") from None
        object.__setattr__(self, "engine_options", pairs)

    def validate(self):
        """Check the engine name, tolerances and options; return ``self`` (or raise ValueError)."""
        engine = get_engine(self.engine)
        for name in ("rtol", "atol"):
            v = getattr(self, name)
            if not (np.isfinite(v) and v > 0):
                raise ValueError(f"solver setting {name} must be a positive finite number; got {v!r}")
        for name, value in self.engine_options:
            if name not in engine.options:
                valid = ", ".join(engine.options) or "none"
                raise ValueError(f"engine {self.engine!r} has no option {name!r}; its options: {valid}")
            engine.options[name].validate(name, self.engine, value)
        return self

    def options(self) -> dict:
        """The engine's options: its declared defaults, overridden by ``engine_options`` (checked)."""
        engine = get_engine(self.engine)
        given = dict(self.engine_options)
        return {name: opt.validate(name, self.engine, given[name]) if name in given else opt.default
                for name, opt in engine.options.items()}

    def as_attrs(self):
        """Provenance attrs: engine, tolerances, the options given (``solver_options``, when any)
        and every option as it took effect, defaults included (``solver_options_effective``), so
        a file says which path ran even after a default changes (decision 60)."""
        attrs = {"solver_engine": self.engine, "solver_rtol": self.rtol, "solver_atol": self.atol}
        if self.engine_options:
            attrs["solver_options"] = json.dumps(dict(self.engine_options), sort_keys=True, default=str)
        effective = self.options()
        if effective:
            attrs["solver_options_effective"] = json.dumps(effective, sort_keys=True, default=str)
        return attrs


# -- the problem and its events -----------------------------------------------------------

@dataclass(frozen=True)
class Problem:
    """One integration, normalised for engines.

    ``compiled``: the :class:`~rlsmodel.compile.CompiledSystem` (engines read its public
    attributes only). ``y0`` (n,) float copy; ``p`` parameter vector; ``t_samples`` (m,)
    non-decreasing sample times, already snapped onto event times; ``events``: tuple of
    ``(time, state_index, value, mode)`` sorted by time (stable: events at one time keep
    their given order); ``atol`` (n,) absolute tolerances; ``settings`` the
    :class:`SolverSettings`; ``options`` the engine's resolved options.
    """

    compiled: Any
    y0: np.ndarray
    p: np.ndarray
    t_samples: np.ndarray
    events: tuple
    atol: np.ndarray
    settings: SolverSettings
    options: dict = field(default_factory=dict)

    @property
    def rtol(self) -> float:
        return self.settings.rtol

    @property
    def max_steps(self) -> int:
        return self.settings.max_steps

    def option(self, name: str):
        return self.options[name]


def make_problem(compiled, y0, p, t_samples, events=(), settings=SolverSettings(), scale=None) -> Problem:
    """Validate and normalise the arguments of :func:`rlsmodel.integrate.integrate`.

    ``scale`` (n,) sets the per-state absolute tolerance (``settings.atol * scale``);
    None means ``max(|y0|, 1e-6)``.
    """
    settings.validate()
    y = np.array(y0, dtype=float)
    n = y.size
    events = check_events(events, n)
    t = snap_to_events(np.asarray(t_samples, dtype=float), [e[0] for e in events])
    if t.ndim != 1 or t.size == 0:
        raise ValueError("t_samples must be a non-empty 1-d array of times (day)")
    if np.any(np.diff(t) < 0):
        raise ValueError("t_samples must be non-decreasing")
    if scale is None:
        scale = np.maximum(np.abs(y), 1e-6)
    atol = settings.atol * np.asarray(scale, dtype=float)
    return Problem(compiled, y, np.asarray(p, dtype=float), t, events, atol, settings, settings.options())


def check_events(events, n_states: int) -> tuple:
    """Events sorted by time (stable), each checked: a known mode and a state index in range."""
    out = sorted(events, key=lambda e: e[0])
    for e in out:
        if len(e) != 4:
            raise ValueError(f"an event is (time_days, state_index, value, mode); got {e!r}")
        te, idx, _, mode = e
        if mode not in EVENT_MODES:
            raise ValueError(f"unknown event mode {mode!r} in {e!r}; valid: {', '.join(EVENT_MODES)}")
        if not (isinstance(idx, (int, np.integer)) and 0 <= idx < n_states):
            raise ValueError(f"event state index {idx!r} out of range 0..{n_states - 1}")
        if not np.isfinite(te):
            raise ValueError(f"event time must be finite; got {te!r}")
    return tuple(out)


def snap_to_events(t_samples, event_times, tol=SNAP_TOLERANCE_DAYS):
    """Samples within ``tol`` days (about 0.1 ms) of an event time, moved onto it.

    Clock times computed two ways (``k * dt/24`` for samples, ``d + h/24`` for doses) can
    differ by a rounding error; without snapping a sample "at" a dose could fall just before it.
    """
    if len(event_times) == 0 or t_samples.size == 0:
        return t_samples
    out = t_samples.copy()
    ev = np.unique(np.asarray(event_times, dtype=float))
    pos = np.clip(np.searchsorted(ev, out), 1, ev.size) if ev.size > 1 else np.ones(out.size, dtype=int)
    for cand in (pos - 1, np.minimum(pos, ev.size - 1)):
        near = np.abs(out - ev[cand]) <= tol
        out[near] = ev[cand][near]
    return out


def apply_events(events, at, state):
    """Apply, in order, every event of ``events`` at time ``at`` to ``state`` (in place)."""
    for te, idx, value, mode in events:
        if te == at:
            if mode == "add":
                state[idx] += value
            else:
                state[idx] = value
    return state


def integrate_piecewise(problem: Problem, segment) -> np.ndarray:
    """Stop at every event, apply it, restart: the sample bookkeeping shared by engines.

    ``segment(y, times) -> (n, len(times))`` integrates one event-free stretch from the
    state ``y`` at ``times[0]`` and returns the states at ``times`` (first column ``y``);
    ``times`` ends at the next event time (or the last sample). Samples at an event time
    show the state after the event. Returns (n, m) states at ``problem.t_samples``.
    """
    t_samples, events = problem.t_samples, problem.events
    y = problem.y0.copy()
    out = np.empty((y.size, t_samples.size))
    t0, t_end = t_samples[0], t_samples[-1]
    ev_times = sorted({e[0] for e in events if t0 <= e[0] <= t_end})
    boundaries = sorted(set([t0] + [te for te in ev_times if te > t0] + [t_end]))

    y = apply_events(events, t0, y)
    k = 0  # next sample to fill
    while k < t_samples.size and t_samples[k] <= t0:
        out[:, k] = y
        k += 1
    for a, b in zip(boundaries[:-1], boundaries[1:]):
        inside = t_samples[(t_samples > a) & (t_samples <= b)]
        times = np.concatenate([[a], inside, [b] if (inside.size == 0 or inside[-1] < b) else []])
        seg = segment(y, times)
        m = inside.size
        out[:, k:k + m] = seg[:, 1:1 + m]
        y = seg[:, -1].copy()
        y = apply_events(events, b, y)
        if m and inside[-1] == b:
            out[:, k + m - 1] = y   # right-continuous at an event time
        k += m
    return out


# -- engines and their registry -------------------------------------------------------------

class Engine:
    """Base class of integration engines (see the module docstring for the contract).

    Class attributes: ``name`` (registry key, the ``engine=`` value), ``description``
    (one line, shown in error messages and docs), ``options`` (name -> :class:`Option`),
    ``thread_safe`` (False: the dispatcher serialises calls).
    """

    name: str = ""
    description: str = ""
    options: dict = {}
    thread_safe: bool = True
    #: Default tolerances (rtol; atol x each state's scale) for the accuracy target.
    default_rtol: float = DEFAULT_RTOL
    default_atol: float = DEFAULT_ATOL

    def available(self) -> tuple:
        """``(True, "")`` if the engine can run here, else ``(False, reason)``."""
        return True, ""

    def integrate(self, problem: Problem) -> np.ndarray:
        """States (n, m) at ``problem.t_samples``."""
        raise NotImplementedError(f"engine {self.name!r} does not implement integrate(problem)")

    def __repr__(self) -> str:
        return f"<rlsmodel engine {self.name!r}: {self.description}>"




def register_engine(engine: Engine, *, replace: bool = False) -> Engine:
    """Make ``engine`` available as ``SolverSettings(engine=engine.name)``; returns it.

    Refuses a name already registered unless ``replace=True``. Registration is per
    process: worker processes that do not import the module registering an engine do not
    know it (register it at import time of a module the workers import).
    """
    if not isinstance(engine, Engine):
        raise TypeError(f"register_engine needs an rlsmodel.engines.Engine instance; got {type(engine).__name__}")
    name = engine.name
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"an engine name must be a Python identifier (it is passed as engine=...); got {name!r}")
    if not isinstance(engine.options, dict) or not all(isinstance(o, Option) for o in engine.options.values()):
        raise TypeError(f"engine {name!r}: options must be a dict name -> rlsmodel.engines.Option")
    with _REGISTRY_LOCK:
        if name in _REGISTRY and not replace and _REGISTRY[name] is not engine:
            raise ValueError(f"an engine called {name!r} is already registered ({_REGISTRY[name]!r}); "
                             "pass replace=True to replace it")
        _REGISTRY[name] = engine
        _SERIAL_LOCKS.pop(name, None)
        if not engine.thread_safe:
            _SERIAL_LOCKS[name] = threading.Lock()
    return engine


def unregister_engine(name: str) -> None:
    """Remove a registered engine (KeyError naming the registered ones if absent)."""
    with _REGISTRY_LOCK:
        if name not in _REGISTRY:
            raise KeyError(f"no engine {name!r} is registered; registered engines: {', '.join(_REGISTRY)}")
        del _REGISTRY[name]
        _SERIAL_LOCKS.pop(name, None)


_DEFAULT_CHOICE: dict = {}


def default_engine() -> str:
    """The engine a :class:`rlsmodel.Model` uses when none is named: the first of
    :data:`DEFAULT_ENGINES` that can run here (``cvode`` needs a C compiler and the ``fast``
    extra; ``lsoda`` runs everywhere). Decided once per process."""
    with _REGISTRY_LOCK:
        hit = _DEFAULT_CHOICE.get("engine")
    if hit is not None and hit in _REGISTRY:
        return hit
    reasons = []
    for name in DEFAULT_ENGINES:
        engine = _REGISTRY.get(name)
        if engine is None:
            continue
        ok, why = engine.available()
        if ok:
            with _REGISTRY_LOCK:
                _DEFAULT_CHOICE["engine"] = name
            if reasons:
                warnings.warn(
                    f"rlsmodel uses the slower {name!r} engine here because the fast default is unavailable "
                    f"({'; '.join(reasons)}). For runs about 5-10x faster install a C compiler (gcc or clang on "
                    f"PATH, or $CC) and scikit-sundae (pip install 'rlsmodel[fast]'). Model(engine={name!r}) "
                    "chooses it explicitly and silences this warning", EngineFallbackWarning, stacklevel=3)
            return name
        reasons.append(f"{name}: {why}")
    raise EngineUnavailable("no default engine can run here (" + "; ".join(reasons) + ")")


def get_engine(name) -> Engine:
    """The registered engine called ``name``, or ValueError listing the registered engines."""
    engine = _REGISTRY.get(name) if isinstance(name, str) else None
    if engine is None:
        listing = "; ".join(f"{n} ({e.description})" for n, e in _REGISTRY.items())
        raise ValueError(f"unknown engine {name!r}; registered engines: {listing}. Register your own "
                         "with rlsmodel.engines.register_engine")
    return engine


def run(engine: Engine, problem: Problem) -> np.ndarray:
    """``engine.integrate(problem)``, one call at a time for engines that are not thread-safe."""
    lock = _SERIAL_LOCKS.get(engine.name)
    if lock is None:
        return engine.integrate(problem)
    with lock:
        return engine.integrate(problem)


try:  # pragma: no cover - exercised implicitly
    from numba import njit
except ImportError:  # pragma: no cover
    def njit(*args, **kwargs):
        if args and callable(args[0]):
            return args[0]
        return lambda f: f


def cached_njit(func):
    """``numba.njit(cache=True)`` with the on-disk cache under rlsmodel's cache directory
    (``rlsmodel.compile.cache_dir() / "numba"``, i.e. ``~/.cache/rlsmodel/numba`` or
    ``$RLSMODEL_CACHE_DIR/numba``) instead of ``__pycache__`` beside the calling module, so an installed
    package's directory is never written to. A user's ``NUMBA_CACHE_DIR`` wins. The directory
    is set only while this function is decorated (numba fixes a function's cache path then).
    Used by :mod:`closed_form` and :mod:`envelope` (decision 48 moved it here, below both)."""
    try:
        from numba.core import config
    except ImportError:  # pragma: no cover - numba is a dependency
        return njit(cache=True)(func)
    if config.CACHE_DIR:
        return njit(cache=True)(func)
    from ..compile import cache_dir
    previous, config.CACHE_DIR = config.CACHE_DIR, str(cache_dir() / "numba")
    try:
        return njit(cache=True)(func)
    finally:
        config.CACHE_DIR = previous
