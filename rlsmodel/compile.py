"""Turn an assembled symbolic :class:`~rlsmodel.model.system.System` into fast functions.

Two code paths come from the same sympy expressions:

* **vectorised numpy** functions (``sympy.lambdify`` with common-subexpression
  elimination): the right-hand side, the sparse Jacobian and the observables, evaluated
  over arrays of time points or parameter sets. Used by the reference ``scipy`` engine,
  the steady-state solver and the readouts.
* **scalar compiled** functions: straight-line code generated from the same expressions
  and compiled by numba (``@njit(cache=True)``). The generated source is written to an
  on-disk cache keyed by its hash, so the compile cost is paid once per model structure,
  not once per process. Without numba the same source runs as plain Python.

Parameter vectors hold the declared parameters in declaration order followed by the
internal circadian-forcing switch (1 = rhythms on, 0 = daily means).
"""
from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import threading
from pathlib import Path

import numpy as np
import scipy.sparse
import sympy as sp
from sympy.printing.pycode import PythonCodePrinter

from .model.declaration import sym, t
from .model.system import FORCING, System

try:  # pragma: no cover - exercised implicitly
    import numba  # noqa: F401
    HAVE_NUMBA = True
except ImportError:  # pragma: no cover
    HAVE_NUMBA = False


def cache_dir() -> Path:
    """Directory for generated and compiled code (``RLSMODEL_CACHE_DIR`` overrides)."""
    root = os.environ.get("RLSMODEL_CACHE_DIR")
    if root:
        return Path(root)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "rlsmodel"


class _ScalarPrinter(PythonCodePrinter):
    """Python printer for numba: math functions, no module prefixes for min/max."""

    def _print_Max(self, expr):
        return "max(" + ", ".join(self._print(a) for a in expr.args) + ")"

    def _print_Min(self, expr):
        return "min(" + ", ".join(self._print(a) for a in expr.args) + ")"


def _scalar_source(name: str, args_syms, exprs, shape, sparse_index=None) -> str:
    """Source of ``def name(t, y, p)`` computing ``exprs`` with CSE, returning an array."""
    printer = _ScalarPrinter({"fully_qualified_modules": True, "inline": True})
    replacements, reduced = sp.cse(list(exprs), symbols=sp.numbered_symbols("x_"), optimizations="basic")
    y_syms, p_syms = args_syms
    lines = [f"def {name}(t, y, p):"]
    used = set().union(*(e.free_symbols for e in exprs)) if exprs else set()
    for i, s in enumerate(y_syms):
        if s in used:
            lines.append(f"    {_ident(s)} = y[{i}]")
    for i, s in enumerate(p_syms):
        if s in used:
            lines.append(f"    {_ident(s)} = p[{i}]")
    for lhs, rhs in replacements:
        lines.append(f"    {lhs} = {printer.doprint(_rename(rhs, y_syms, p_syms))}")
    if len(shape) == 1:
        lines.append(f"    out = np.zeros({shape[0]})")
        for i, e in enumerate(reduced):
            if e != 0:
                lines.append(f"    out[{i}] = {printer.doprint(_rename(e, y_syms, p_syms))}")
    else:
        lines.append(f"    out = np.zeros(({shape[0]}, {shape[1]}))")
        for (i, j), e in zip(sparse_index, reduced):
            lines.append(f"    out[{i}, {j}] = {printer.doprint(_rename(e, y_syms, p_syms))}")
    lines.append("    return out")
    return "\n".join(lines)


#: This module's own text: part of the key of a cached scalar source, so that any change to the
#: printer or to :func:`_scalar_source` makes new sources.
_MODULE_DIGEST = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


def _cached_source(args_syms, rhs, make) -> str:
    """The scalar source of the right-hand side ``rhs`` from the on-disk cache, else ``make()``.

    Generating it (``sympy.cse`` with ``optimizations="basic"`` over the right-hand side and the
    Jacobian) costs about a minute for the default model, in every process that builds it; the
    text depends only on the expressions (the Jacobian is their derivative), the argument
    symbols, the sympy version and this module, which together are the key. A hit returns the
    same text, so the same structure hash and the same compiled functions. The file is written
    to a temporary name and renamed.
    """
    y_syms, p_syms = args_syms
    key = hashlib.sha256("\x00".join([
        _MODULE_DIGEST, sp.__version__, sp.srepr(tuple(y_syms)), sp.srepr(tuple(p_syms)), sp.srepr(tuple(rhs)),
    ]).encode()).hexdigest()[:24]
    path = cache_dir() / "sources" / f"scalar_{key}.py"
    try:
        return path.read_text()
    except OSError:
        pass
    source = make()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(source)
        os.replace(tmp, path)
    except OSError:  # a read-only cache costs the generation again, nothing else
        pass
    return source


def _ident(s):
    return "v_" + s.name


def _rename(expr, y_syms, p_syms):
    subs = {s: sp.Symbol(_ident(s), real=True) for s in list(y_syms) + list(p_syms)}
    return expr.xreplace(subs)


def overflow_safe(expr: sp.Expr) -> sp.Expr:
    """``expr`` with every product of gamma functions evaluated through their logarithms.

    ``gamma(s + 1/2) / gamma(s + 1)`` (the daily mean of the raised-cosine symptom gate) is
    about ``s**-0.5``, but each gamma overflows a float for ``s > 171``; written as
    ``exp(loggamma(s + 1/2) - loggamma(s + 1))`` it stays finite for any ``s``. Only the
    generated code changes: the declaration (and its LaTeX and SBML) keeps the gammas.
    """
    if not expr.has(sp.gamma):
        return expr

    def logs(mul):
        gammas = [f for f in mul.args if isinstance(f.as_base_exp()[0], sp.gamma)]
        if not gammas:
            return mul
        rest = mul.func(*[f for f in mul.args if f not in gammas])
        log_sum = sum(e * sp.loggamma(b.args[0]) for b, e in (f.as_base_exp() for f in gammas))
        return rest * sp.exp(log_sum, evaluate=False)

    return expr.replace(lambda e: e.is_Mul and e.has(sp.gamma), logs)


class CompiledSystem:
    """Numerical functions of one :class:`System` (immutable after construction).

    Attributes
    ----------
    state_names, parameter_names
        orders of the state and parameter vectors
        (``parameter_names`` excludes the trailing forcing switch).
        rhs(t, y, p): vectorised numpy right-hand side; ``y`` is (n,) or (n, m).
        jacobian(t, y, p): scipy.sparse CSC Jacobian d rhs / d y at one point.
    jac_rows, jac_cols
        sparsity pattern of the Jacobian.
        observables(t, Y, p, forcings=None): dict of observable arrays over samples; with the
        run's forcings (the rest/activity schedule), also the observables that read them.
    observable_names
        the observables computed from time, states and parameters alone;
        forced_observable_names: those that also read a forcing (``forcing_names``).
        fast_rhs(t, y, p), fast_jac(t, y, p): compiled scalar versions (dense Jacobian).
    rhs_parameter_mask
        which entries of the parameter vector the right-hand side reads
        (the others, such as the clinical-score maps, change no state).

    Notes
    -----
    The symbolic form, for engines that generate their own code (all tuples, in vector order):
    state_symbols, parameter_symbols (the declared parameters, then the forcing switch),
    rhs_exprs (d state / dt), jac_exprs (the nonzero Jacobian entries at
    ``(jac_rows[k], jac_cols[k])``); source (the generated scalar code) and
    structure_hash (its digest) identify the model structure.
    """

    def __init__(self, system: System):
        self.system = system
        self.state_names = system.state_names
        self.parameter_names = system.parameter_names
        self.n_states = len(self.state_names)
        y_syms = [sym(n) for n in self.state_names]
        p_syms = [sym(n) for n in self.parameter_names] + [FORCING]
        self.state_symbols, self.parameter_symbols = tuple(y_syms), tuple(p_syms)

        rhs = [overflow_safe(e) for e in system.rhs]
        self.rhs_exprs = tuple(rhs)
        jac_entries = []
        for i, e in enumerate(rhs):
            for j, y in enumerate(y_syms):
                if y in e.free_symbols:
                    d = sp.diff(e, y)
                    if d != 0:
                        jac_entries.append(((i, j), d))
        self.jac_rows = np.array([ij[0] for ij, _ in jac_entries], dtype=np.int64)
        self.jac_cols = np.array([ij[1] for ij, _ in jac_entries], dtype=np.int64)
        self.jac_exprs = tuple(d for _, d in jac_entries)
        used = set().union(*(e.free_symbols for e in rhs)) if rhs else set()
        self.rhs_parameter_mask = np.array([s_ in used for s_ in p_syms])

        args = (t, y_syms, p_syms)
        self._rhs_vec = sp.lambdify(args, rhs, modules="numpy", cse=True)
        self._jac_vec = sp.lambdify(args, list(self.jac_exprs), modules="numpy", cse=True)
        forced = set(system.forced_observables)
        self.observable_names = [n for n in system.observable_exprs if n not in forced]
        self._obs_vec = sp.lambdify(args, [overflow_safe(system.observable_exprs[n]) for n in self.observable_names],
                                    modules="numpy", cse=True)
        self.forcing_names = list(system.forcings)
        self.forced_observable_names = [n for n in system.observable_exprs if n in forced]
        self._forced = _forced_readouts(system, self.forced_observable_names)
        # observables for a subset of names (decision 49): the same CSE as ``_obs_vec``, pruned
        self._obs_args = args
        self._obs_exprs = None
        self._obs_subsets = {}
        self._obs_lock = threading.Lock()

        src = _cached_source((y_syms, p_syms), rhs, lambda: "\n\n".join([
            _scalar_source("rhs", (y_syms, p_syms), rhs, (self.n_states,)),
            _scalar_source("jac", (y_syms, p_syms), list(self.jac_exprs), (self.n_states, self.n_states),
                           sparse_index=[ij for ij, _ in jac_entries]),
        ]))
        self.source = src
        mod = _load_generated(src)
        self.fast_rhs = mod.rhs
        self.fast_jac = mod.jac
        self.structure_hash = hashlib.sha256(src.encode()).hexdigest()[:16]

    # -- vectorised numpy ------------------------------------------------------------
    def rhs(self, t_, y, p):
        out = self._rhs_vec(t_, y, p)
        shape = np.shape(y)
        return np.array([np.broadcast_to(o, shape[1:]) for o in out], dtype=float)

    def jacobian(self, t_, y, p):
        data = np.array(self._jac_vec(t_, y, p), dtype=float)
        return scipy.sparse.csc_matrix((data, (self.jac_rows, self.jac_cols)),
                                       shape=(self.n_states, self.n_states))

    def observables(self, t_, Y, p, forcings=None, names=None):
        """Observables at sample times ``t_`` (m,) for states ``Y`` (n, m).

        ``forcings``: None, or ``{name: (m,) array}`` for every name in :attr:`forcing_names`
        (the run's schedule, :meth:`rlsmodel.activity.Activity.forcings`); then the
        observables that read a forcing are added, each evaluated from its rule with the
        observables it reads already computed (so ``symptom`` is exactly ``urge_at_rest``
        times ``activity_factor``).

        ``names``: None (every observable), or the observables wanted: only those and what they
        read are evaluated (the returned dict may hold a few more, the ones they read). The
        values are bit-identical to those of the full evaluation: the same common
        subexpressions in the same order, the ones the names do not need left out
        (decision 49). ``Y`` may then be any sequence of n rows (:meth:`states_read` says which
        rows are read; the others may be None).
        """
        m = np.shape(t_)
        if names is None:
            vals = self._obs_vec(t_, Y, p)
            out = {n: np.broadcast_to(np.asarray(v, dtype=float), m).copy()
                   for n, v in zip(self.observable_names, vals)}
            forced = self._forced
        else:
            plain, forced = self._closure(names)
            out = {}
            if plain:
                vals = self._subset_function(plain)(t_, Y, p)
                out = {n: np.broadcast_to(np.asarray(v, dtype=float), m).copy() for n, v in zip(plain, vals)}
        if forcings is None or not forced:
            return out
        missing = [n for n in self.forcing_names if n not in forcings]
        if missing:
            raise ValueError(f"forcing(s) {', '.join(missing)} missing: the observables "
                             f"{', '.join(self.forced_observable_names)} read them")
        env = {t.name: t_, FORCING.name: p[-1]}
        env.update({n: Y[i] for i, n in enumerate(self.state_names)})
        env.update({n: p[i] for i, n in enumerate(self.parameter_names)})
        env.update({n: np.asarray(forcings[n], dtype=float) for n in self.forcing_names})
        env.update(out)
        for name, inputs, func in forced:
            value = np.broadcast_to(np.asarray(func(*[env[a] for a in inputs]), dtype=float), m).copy()
            env[name] = out[name] = value
        return out

    # -- observables for a subset of names (decision 49) -------------------------------
    def _closure(self, names):
        """``(plain, forced)``: the unforced observables (in :attr:`observable_names` order) and
        the forced readouts (``_forced`` entries, in their order) that ``names`` need."""
        known = set(self.observable_names) | set(self.forced_observable_names)
        unknown = [n for n in names if n not in known]
        if unknown:
            raise KeyError(f"no observable(s) {', '.join(map(repr, unknown))}")
        want = set(names)
        forced = []
        for name, inputs, func in reversed(self._forced):      # a forced readout reads earlier ones
            if name in want:
                forced.append((name, inputs, func))
                want.update(a for a in inputs if a in known)
        forced.reverse()
        plain = tuple(n for n in self.observable_names if n in want)
        return plain, forced

    def states_read(self, names) -> np.ndarray:
        """Indices of the states the observables ``names`` read (those they need included)."""
        key = ("states", tuple(names))
        hit = self._obs_subsets.get(key)
        if hit is None:
            hit = self._obs_subsets[key] = self._states_read(names)
        return hit

    def _states_read(self, names) -> np.ndarray:
        plain, forced = self._closure(names)
        exprs = [self.system.observable_exprs[n] for n in plain]
        used = set().union(*(e.free_symbols for e in exprs)) if exprs else set()
        used |= {sym(a) for _, inputs, _ in forced for a in inputs}
        return np.array([i for i, s_ in enumerate(self.state_symbols) if s_ in used], dtype=np.int64)

    def _subset_function(self, plain: tuple):
        """The observables ``plain`` as one vectorised function: ``_obs_vec``'s common
        subexpressions (``sympy.cse`` of every observable, as ``lambdify(cse=True)`` makes them),
        pruned to those the ``plain`` expressions read, printed by the same printer."""
        with self._obs_lock:
            func = self._obs_subsets.get(plain)
            if func is not None:
                return func
            if self._obs_exprs is None:
                exprs = [overflow_safe(self.system.observable_exprs[n]) for n in self.observable_names]
                self._obs_exprs = (exprs, sp.cse(exprs, list=False))
            exprs, (cses, reduced) = self._obs_exprs
            pick = [self.observable_names.index(n) for n in plain]
            kept = [reduced[i] for i in pick]
            need = set().union(*(e.free_symbols for e in kept)) if kept else set()
            lines = []
            for lhs, rhs in reversed(cses):
                if lhs in need:
                    lines.append((lhs, rhs))
                    need |= rhs.free_symbols
            lines.reverse()
            func = sp.lambdify(self._obs_args, [exprs[i] for i in pick], modules="numpy",
                               cse=lambda _exprs, lines=lines, kept=kept: (lines, kept))
            self._obs_subsets[plain] = func
            return func


def _forced_readouts(system, names):
    """``[(name, input names, function)]`` for the observables that read a forcing, in an
    order where each comes after the forced observables it reads; each function takes its
    inputs (time, states, parameters, observables, forcings) by name, in that order."""
    pending, ordered = list(names), []
    while pending:
        ready = [n for n in pending
                 if not any(sym(o) in system.observable_rules[n].free_symbols for o in pending if o != n)]
        if not ready:   # pragma: no cover - assemble refuses cycles
            raise ValueError(f"observables {pending} depend on each other")
        for n in ready:
            expr = overflow_safe(system.observable_rules[n])
            inputs = sorted((s_.name for s_ in expr.free_symbols), key=str)
            func = sp.lambdify([sp.Symbol(a, real=True) for a in inputs], expr, modules="numpy", cse=True)
            ordered.append((n, inputs, func))
            pending.remove(n)
    return ordered


_LOADED = {}


def _load_generated(body: str):
    """Write generated code to the cache (once) and import it, compiled by numba if present."""
    header = "import math\nimport numpy as np\n"
    if HAVE_NUMBA:
        header += "from numba import njit\n"
        body = body.replace("def rhs(", "@njit(cache=True)\ndef rhs(").replace("def jac(", "@njit(cache=True)\ndef jac(")
    source = header + "\n\n" + body + "\n"
    digest = hashlib.sha256(source.encode()).hexdigest()[:20]
    if digest in _LOADED:
        return _LOADED[digest]
    directory = cache_dir() / "generated"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"rls_{digest}.py"
    if not path.exists() or path.read_text() != source:
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(source)
        os.replace(tmp, path)
    spec = importlib.util.spec_from_file_location(f"rlsmodel_generated_{digest}", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    _LOADED[digest] = mod
    return mod
