"""``engine="cvode"``: generated C right-hand side and Jacobian driven by SUNDIALS CVODE.

The whole integration -- every segment between events, every sample, every restart -- runs
in one C function, so no Python executes inside the integration loop:

* the right-hand side and the Jacobian are printed as C (sympy ``ccode`` after common-
  subexpression elimination) from the same sympy expressions as the other engines
  (the public ``rhs_exprs``, ``jac_exprs`` at ``jac_rows/jac_cols``, ``state_symbols`` and
  ``parameter_symbols`` of :class:`rlsmodel.compile.CompiledSystem`; the Jacobian is loaded
  into CVODE's dense matrix);
* a fixed C driver, :c:func:`rls_integrate`, runs CVODE (BDF, Newton iteration, dense direct
  linear solver with the analytic Jacobian), stops exactly at each event time
  (``CVodeSetStopTime``), applies the events there, restarts with ``CVodeReInit`` and
  records right-continuous samples, exactly like
  :func:`rlsmodel.engines.base.integrate_piecewise` does for the other engines;
* with the option ``long_horizon="envelope"`` (the default since decision 60; ``"exact"``
  integrates every day) a second driver, :c:func:`rls_integrate_envelope`, follows the slow
  envelope over the daily cycle on runs of 60 days or more: it integrates some days exactly
  and jumps across others along the measured daily drift, inside the same C call
  (:mod:`rlsmodel.engines.envelope`, decisions 33, 46, 58 and 60);
* gcc compiles the file into a shared library linked against the SUNDIALS 7 libraries of
  the ``scikit-sundae`` wheel (``-Wl,-rpath`` to their directory) and ctypes calls it.

The fixed C text (prelude and driver) is the package-data file ``cvode_driver.c`` beside
this module (:data:`TEMPLATE`); :func:`generate_source` fills in its placeholders and
inserts the generated functions.

Compiled libraries live in ``rlsmodel.compile.cache_dir()/"generated"``, named by a hash of
the generated C source and the compiler command, so the compile cost is paid once per
model structure. A small index file, keyed by the model structure (the hash of
``CompiledSystem.source``), the generator version, the template and the SUNDIALS
installation, points to the library, so a later process loads it without even
regenerating the C source.

SUNDIALS' headers are not shipped with the wheel; the prototypes used are declared in the
template, with the widths of ``sunrealtype`` and ``sunindextype`` found by
:mod:`rlsmodel.engines.sundials`. Before the first use in a process, a two-compartment
linear ODE with a dose event is integrated and compared with its analytic solution
(:func:`self_test`); a mismatch disables the engine with an error.
"""
from __future__ import annotations

import ctypes
import hashlib
import importlib.resources
import os
import shutil
import subprocess
import threading
import weakref
from pathlib import Path

import numpy as np
import sympy as sp
from sympy.printing.c import C99CodePrinter

from ..compile import cache_dir
from ..model.declaration import sym, t
from .base import Engine, EngineUnavailable, IntegrationError, Option, nonnegative_number, positive_number
from . import envelope
from .closed_form import LINEAR_PK_CHOICES, active_states, split, write_samples
from .envelope import LONG_HORIZON_CHOICES, fill_skipped, invariant_projection
from .sundials import COMPONENTS, probe

#: Bump when the C template or the printer changes: part of every cache key.
GENERATOR_VERSION = "cvode-5"
#: Compiler flags (besides output, inputs and the rpath); part of every cache key.
CFLAGS = ("-O2", "-fPIC", "-shared")
#: Bytes the caller provides for the solver's message.
MSG_LEN = 1024
#: Event modes understood by the C driver.
EVENT_MODES = {"add": 0, "set": 1}
#: What CVODE does at the doses of closed-form drugs (option ``dose_kinks``).
KINK_CHOICES = ("restart", "stop", "step_over")
#: Default error per envelope jump (x each state's scale) per unit of rtol (option ``envelope_tol``);
#: 300 until decision 50 (the drug-pulse states took a 3-year ropinirole run to 1.1e-4, 200: 3.8e-5);
#: 200 until decision 62, which tightened the default rtol from 1e-7 to 3e-8 and kept the jump error
#: at its former default, 2e-5 of scale (:data:`ENVELOPE_TOL_MAX`).
ENVELOPE_TOL_PER_RTOL = 2e-5 / 3e-8
#: The default error per envelope jump is never looser than this (x each state's scale), whatever
#: rtol: the value decisions 58-60 validated (decision 62; at rtol 5e-8 ENVELOPE_TOL_PER_RTOL alone
#: would give 3.3e-5 and moved a rotigotine removal day's onset by 1.9 minutes).
ENVELOPE_TOL_MAX = 2e-5
#: ``follow`` argument of :c:func:`rls_integrate_envelope` with ``envelope_slaved`` (decision 53):
#: nonzero, held states are slaved to the others across a jump.
FOLLOW = 1
#: ``follow`` with ``envelope_jacobian="day_mean"`` (decision 56): slaved through the mean of the
#: Jacobian over the measured day (RLS_FOLLOW_DAY_MEAN in the driver) instead of at its midnight.
FOLLOW_DAY_MEAN = 2
#: ``follow`` bit with ``envelope_relaxed`` (decision 56): the held states are integrated along the
#: linearized envelope across the jump (RLS_FOLLOW_RELAX in the driver).
FOLLOW_RELAX = 4
#: ``follow`` bit with ``envelope_settle=0``: the day after a jump is measured at once.
FOLLOW_NO_SETTLE = 16
#: ``follow`` bits of the option ``envelope_hinge_guard`` (decision 58): "exact": no jump brings a
#: softplus hinge's daily peak argument within ``envelope_hinge_window`` (RLS_FOLLOW_HINGE_EXACT);
#: "settle": such a jump is followed by a settling day (RLS_FOLLOW_HINGE_SETTLE, with envelope_settle=0).
FOLLOW_HINGE = {"off": 0, "exact": 32, "settle": 64}
#: Default ``envelope_hinge_window``: the daily peak of a hinge's argument (units of its width)
#: within which the hinge is switching on (decision 58).
HINGE_WINDOW = (-16.0, 2.0)
#: Default ``envelope_hinge_move``: a hinge whose peak argument moves less than this over a jump
#: (extrapolated) is not switching.
HINGE_MOVE = 0.5
#: Values of the cvode option ``envelope_jacobian``.
ENVELOPE_JACOBIAN_CHOICES = ("day_mean", "midnight")
#: Linear multistep methods: option value -> CVODE constant.
LMM = {"adams": 1, "bdf": 2}

#: The fixed C text (SUNDIALS prototypes, then the driver), package data beside this module.
#: Placeholders ``@GENERATOR@``, ``@SUNVERSION@``, ``@INDEX_T@``, ``@N@``, ``@MSG_LEN@`` are
#: filled in by :func:`generate_source`, and the generated ``rls_rhs``/``rls_jac`` go at
#: :data:`TEMPLATE_MARKER`.
TEMPLATE_FILE = "cvode_driver.c"
TEMPLATE_MARKER = "/* @MODEL_FUNCTIONS@ (generated rls_rhs and rls_jac are inserted here) */\n"


def _read_template() -> str:
    text = importlib.resources.files(__package__).joinpath(TEMPLATE_FILE).read_text(encoding="utf-8")
    if text.count(TEMPLATE_MARKER) != 1:
        raise RuntimeError(f"{TEMPLATE_FILE} must contain the line {TEMPLATE_MARKER.strip()!r} exactly once")
    return text


#: The template's text, read once at import.
TEMPLATE = _read_template()


class _CPrinter(C99CodePrinter):
    """C99 printer writing small integer powers as products (exact, and faster than pow)."""

    def _print_Pow(self, expr):
        base, exp = expr.args
        if exp.is_Integer and 2 <= abs(int(exp)) <= 4:
            b = self.parenthesize(base, 1000)   # always bracketed
            prod = "*".join([f"({b})"] * abs(int(exp)))
            return f"({prod})" if exp > 0 else f"(1.0/({prod}))"
        return super()._print_Pow(expr)


def _c_function(name, exprs, y_syms, p_syms, targets) -> str:
    """``static void name(double t, const double *y, const double *p, double *out)`` with CSE."""
    allowed = set(y_syms) | set(p_syms) | {t}
    for e in exprs:
        stray = e.free_symbols - allowed
        if stray:
            raise ValueError(f"expression uses symbols that are neither states nor parameters: "
                             f"{sorted(map(str, stray))}")
    rename = {s: sp.Symbol("v_" + s.name, real=True) for s in list(y_syms) + list(p_syms)}
    rename[t] = sp.Symbol("t", real=True)
    exprs = [sp.sympify(e).xreplace(rename) for e in exprs]
    replacements, reduced = sp.cse(exprs, symbols=sp.numbered_symbols("c_"), optimizations="basic")
    printer = _CPrinter()
    used = set().union(*(e.free_symbols for e in exprs)) if exprs else set()
    lines = [f"static void {name}(double t, const double *y, const double *p, double *out)", "{", "    (void)t;"]
    for i, s in enumerate(y_syms):
        if rename[s] in used:
            lines.append(f"    const double {rename[s].name} = y[{i}];")
    for i, s in enumerate(p_syms):
        if rename[s] in used:
            lines.append(f"    const double {rename[s].name} = p[{i}];")
    for lhs, rhs in replacements:
        lines.append(f"    const double {lhs.name} = {printer.doprint(rhs)};")
    for target, e in zip(targets, reduced):
        if e != 0:
            lines.append(f"    {target} = {printer.doprint(e)};")
    lines.append("}")
    return "\n".join(lines)


def hinge_arguments(rhs_exprs, y_syms):
    """The arguments ``a`` of the right-hand side's softplus hinges ``log(1 + exp(a))`` that depend
    on a state (decision 58: the envelope's hinge guard), in a fixed order. Softplus is the only
    hinge the model writes (its ``max(0, .)`` terms are all smooth hinges of this form, each
    argument already scaled by its sharpness: the kink spans ``a`` within a few units of 0)."""
    ys = set(y_syms)
    found = {}
    for e in rhs_exprs:
        for node in sp.preorder_traversal(sp.sympify(e)):
            if not isinstance(node, sp.log):
                continue
            arg = node.args[0]
            if not isinstance(arg, sp.Add) or len(arg.args) != 2 or sp.S.One not in arg.args:
                continue
            ex = [x for x in arg.args if isinstance(x, sp.exp)]
            if len(ex) != 1:
                continue
            a = ex[0].args[0]
            if a.free_symbols & ys:
                found.setdefault(sp.srepr(a), a)
    return [found[k] for k in sorted(found)]


def generate_source(rhs_exprs, jac_entries, y_syms, p_syms, abi) -> str:
    """Complete C source: the template's prelude, ``rls_rhs``, ``rls_jac``, ``rls_hinges`` (the
    softplus hinges' arguments, :func:`hinge_arguments`), the template's driver.

    ``jac_entries`` is a list of ``((row, col), expr)``; every state derivative in
    ``rhs_exprs`` is written (zeros included) so the output vector needs no clearing.
    """
    n = len(y_syms)
    filled = (TEMPLATE.replace("@GENERATOR@", GENERATOR_VERSION).replace("@SUNVERSION@", abi.version)
              .replace("@INDEX_T@", abi.index_ctype).replace("@N@", str(n))
              .replace("@MSG_LEN@", str(MSG_LEN)))
    prelude, driver = filled.split(TEMPLATE_MARKER)
    rhs_targets = [f"out[{i}]" for i in range(n)]
    zero_lines = "\n".join(f"    out[{i}] = 0.0;" for i, e in enumerate(rhs_exprs) if sp.sympify(e) == 0)
    rhs_src = _c_function("rls_rhs", list(rhs_exprs), y_syms, p_syms, rhs_targets)
    if zero_lines:
        rhs_src = rhs_src[:-1] + zero_lines + "\n}"
    jac_targets = [f"out[{j * n + i}]" for (i, j), _ in jac_entries]
    jac_src = _c_function("rls_jac", [e for _, e in jac_entries], y_syms, p_syms, jac_targets)
    hinges = hinge_arguments(rhs_exprs, y_syms)
    if hinges:
        hinge_src = _c_function("rls_hinges", hinges, y_syms, p_syms, [f"out[{i}]" for i in range(len(hinges))])
    else:
        hinge_src = ("static void rls_hinges(double t, const double *y, const double *p, double *out)\n"
                     "{\n    (void)t; (void)y; (void)p; (void)out;\n}")
    hinge_src = f"#define RLS_N_HINGE {len(hinges)}\n" + hinge_src
    return "\n".join(["\n" + prelude, rhs_src, "", jac_src, "", hinge_src, "\n" + driver])


def find_compiler():
    """Path of the C compiler (``$CC``, then ``cc``, ``gcc``), or raise EngineUnavailable."""
    for cand in (os.environ.get("CC"), "cc", "gcc"):
        if cand:
            path = shutil.which(cand)
            if path:
                return path
    raise EngineUnavailable("no C compiler found ($CC, cc or gcc on PATH); the cvode engine compiles "
                            "generated C code. engine='lsoda' works everywhere")


def _link_args(abi):
    order = ("cvode", "nvecserial", "sunmatrixdense", "sunlinsoldense", "core")
    assert set(order) == set(COMPONENTS)
    return [abi.libraries[s] for s in order] + [f"-Wl,-rpath,{abi.libdir}", "-lm"]


def _atomic_write(path: Path, data: bytes):
    tmp = path.with_name(f"{path.name}.tmp{os.getpid()}.{threading.get_ident()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def build_library(source: str, abi, compiler=None) -> Path:
    """Compile ``source`` into the cache (once) and return the shared library's path.

    The library's name is a hash of the source, the compiler path and flags and the
    SUNDIALS installation; an existing library with that name is reused.
    """
    compiler = compiler or find_compiler()
    directory = cache_dir() / "generated"
    directory.mkdir(parents=True, exist_ok=True)
    link = _link_args(abi)
    key = "\n".join([source, compiler, " ".join(CFLAGS), " ".join(link), abi.fingerprint()])
    digest = hashlib.sha256(key.encode()).hexdigest()[:20]
    so_path = directory / f"rls_cvode_{digest}.so"
    if so_path.exists():
        return so_path
    c_path = directory / f"rls_cvode_{digest}.c"
    _atomic_write(c_path, source.encode())
    tmp_so = directory / f"rls_cvode_{digest}.so.tmp{os.getpid()}.{threading.get_ident()}"
    cmd = [compiler, *CFLAGS, "-o", str(tmp_so), str(c_path), *link]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        tmp_so.unlink(missing_ok=True)
        raise EngineUnavailable(f"compiling the generated CVODE driver failed ({' '.join(cmd)}):\n"
                                f"{proc.stderr.strip()[-4000:]}")
    os.replace(tmp_so, so_path)
    return so_path


class CompiledCVODE:
    """A loaded generated library: ``integrate(...)`` runs :c:func:`rls_integrate`."""

    def __init__(self, so_path: Path, n_states: int):
        self.path = Path(so_path)
        try:
            lib = ctypes.CDLL(str(self.path))
        except OSError as exc:
            raise EngineUnavailable(f"cannot load the compiled CVODE driver {self.path}: {exc}") from None
        dp, ip = ctypes.POINTER(ctypes.c_double), ctypes.POINTER(ctypes.c_int)
        f = lib.rls_integrate
        f.restype = ctypes.c_int
        f.argtypes = [ctypes.c_int, dp, dp, ctypes.c_int, dp, ctypes.c_int, dp, ip, dp, ip,
                      ctypes.c_double, dp, ctypes.c_long, ctypes.c_int, ctypes.c_double, ctypes.c_int, ip,
                      ctypes.POINTER(_ClosedFormStruct), ctypes.c_int, dp, ctypes.c_int, dp,
                      ctypes.POINTER(ctypes.c_long), ctypes.c_char_p]
        g = lib.rls_integrate_envelope
        g.restype = ctypes.c_int
        g.argtypes = f.argtypes[:-3] + [ctypes.c_double, ctypes.c_int, ip, dp, dp, ctypes.c_double, ctypes.c_int, ctypes.c_int, dp, ctypes.c_double, ctypes.c_int, ctypes.c_int, dp, dp, ctypes.c_double, ctypes.c_double, ctypes.c_double, ip, ip,
                                        ctypes.POINTER(ctypes.c_long)] + f.argtypes[-3:]
        for name in ("rls_rhs_eval", "rls_jac_eval"):
            g = getattr(lib, name)
            g.restype = None
            g.argtypes = [ctypes.c_double, dp, dp, dp]
        lib.rls_n_states.restype = ctypes.c_int
        if lib.rls_n_states() != n_states:
            raise EngineUnavailable(f"{self.path} was generated for {lib.rls_n_states()} states, "
                                    f"the model has {n_states}; delete it to regenerate")
        self._lib = lib
        self.n = n_states

    def rhs(self, t_, y, p):
        """Generated C right-hand side at one point (for checks against the other engines)."""
        y, p = np.ascontiguousarray(y, float), np.ascontiguousarray(p, float)
        out = np.empty(self.n)
        self._lib.rls_rhs_eval(float(t_), _dptr(y), _dptr(p), _dptr(out))
        return out

    def jacobian(self, t_, y, p):
        """Generated C Jacobian (dense, n x n) at one point."""
        y, p = np.ascontiguousarray(y, float), np.ascontiguousarray(p, float)
        out = np.empty(self.n * self.n)
        self._lib.rls_jac_eval(float(t_), _dptr(y), _dptr(p), _dptr(out))
        return out.reshape(self.n, self.n).T   # column-major in C

    def integrate(self, y0, p, t_samples, events, rtol, atol, max_steps, method="bdf", first_step=0.0,
                  closed_form=None, active=None, stops=(), stop_restart=True, stats=None, envelope=None):
        """States (n, m) at ``t_samples``; raise IntegrationError with CVODE's message on failure.

        ``method``: ``"bdf"`` or ``"adams"``; ``first_step`` (day, > 0) the first step after the
        start and every restart (0: CVODE's estimate); ``closed_form``: a
        :class:`~rlsmodel.engines.closed_form.ClosedForm` whose states are forcing (their output
        rows are left to the caller); ``active``: increasing indices of the states CVODE
        integrates (None: all; the others keep their ``y0`` values or are closed-form); ``stops``:
        times no step may cross (kinks of closed-form forcing), where CVODE restarts (or, with
        ``stop_restart=False``, goes on with its history); ``stats``: a dict that receives ``steps``, ``rhs_evals``,
        ``jac_evals``, ``error_test_failures`` (and, with ``envelope``, ``days_integrated``, ``jumps``,
        ``days_skipped``).

        ``envelope``: None (every day integrated), or a dict with ``day0`` (first midnight),
        ``regular`` (int per day from ``day0``), ``weights`` (n) and ``relative``: the error allowed
        per jump, per state, ``max(weights_i, relative |y_i|)``, ``min_jump`` and ``max_jump`` (days),
        ``rate`` (n, 1/day) and ``hold_z``: a jump of K days holds the states with
        ``K rate_i > hold_z`` (default: none), ``invariants`` ((k, n) or None: linear invariants
        whose rate does not depend on the state, kept exact across jumps) with ``scale`` (n):
        :c:func:`rls_integrate_envelope`. The rows of
        samples inside skipped days are NaN; the return value is then ``(states, skip, jumps)``
        with ``skip`` (m,) bool and ``jumps`` (j, 2) ``(first skipped day - day0, days)``; ``states`` is
        then the transpose of the C-ordered (m, n) output (Fortran order, not copied).
        """
        y0 = np.ascontiguousarray(y0, dtype=float)
        p = np.ascontiguousarray(p, dtype=float)
        ts = np.ascontiguousarray(t_samples, dtype=float)
        atol = np.ascontiguousarray(np.broadcast_to(atol, (self.n,)), dtype=float)
        if y0.shape != (self.n,):
            raise ValueError(f"y0 must have {self.n} entries; got shape {y0.shape}")
        if ts.ndim != 1 or ts.size == 0:
            raise ValueError("t_samples must be a non-empty 1-d array")
        if np.any(np.diff(ts) < 0):
            raise ValueError("t_samples must be non-decreasing")
        evs = sorted(events, key=lambda e: e[0])   # stable: same-time events keep their order
        ev_t = np.array([float(e[0]) for e in evs], dtype=float)
        ev_idx = np.array([int(e[1]) for e in evs], dtype=np.intc)
        ev_val = np.array([float(e[2]) for e in evs], dtype=float)
        try:
            ev_mode = np.array([EVENT_MODES[e[3]] for e in evs], dtype=np.intc)
        except KeyError as exc:
            raise ValueError(f"unknown event mode {exc.args[0]!r}; valid: {', '.join(EVENT_MODES)}") from None
        if np.any((ev_idx < 0) | (ev_idx >= self.n)):
            raise ValueError(f"event state index out of range 0..{self.n - 1}")
        if method not in LMM:
            raise ValueError(f"unknown CVODE method {method!r}; valid: {', '.join(LMM)}")
        out = np.empty((ts.size, self.n))
        msg = ctypes.create_string_buffer(MSG_LEN)
        counters = (ctypes.c_long * 4)()
        cf_struct, keep = _closed_form_struct(closed_form)
        act = np.ascontiguousarray(np.arange(self.n) if active is None else active, dtype=np.intc)
        st = np.ascontiguousarray(np.unique(np.asarray(stops, dtype=float)), dtype=float)
        common = (self.n, _dptr(y0), _dptr(p), ts.size, _dptr(ts), len(evs), _dptr(ev_t), _iptr(ev_idx),
                  _dptr(ev_val), _iptr(ev_mode), float(rtol), _dptr(atol), int(max_steps), LMM[method],
                  float(first_step), act.size, _iptr(act), cf_struct, st.size, _dptr(st), int(bool(stop_restart)))
        if envelope is None:
            status = self._lib.rls_integrate(*common, _dptr(out), counters, msg)
        else:
            regular = np.ascontiguousarray(envelope["regular"], dtype=np.intc)
            weights = np.ascontiguousarray(np.broadcast_to(envelope["weights"], (self.n,)), dtype=float)[act]
            weights = np.ascontiguousarray(weights)
            relative = np.broadcast_to(np.asarray(envelope.get("relative", 0.0), dtype=float), (self.n,))
            relative = np.ascontiguousarray(relative[act])
            rate = np.ascontiguousarray(np.broadcast_to(np.asarray(envelope.get("rate", 0.0), dtype=float), (self.n,))[act])
            inv_c, inv_p = invariant_projection(envelope.get("invariants"), act, self.n, envelope.get("scale"))
            skip = np.zeros(ts.size, dtype=np.intc)
            jumps = np.zeros((max(regular.size, 1), 2), dtype=np.intc)
            env_counters = (ctypes.c_long * 3)()
            status = self._lib.rls_integrate_envelope(
                *common, float(envelope["day0"]), regular.size, _iptr(regular), _dptr(weights),
                _dptr(relative), float(envelope.get("spacing", 1.0)), int(envelope["min_jump"]), int(envelope["max_jump"]), _dptr(rate), float(envelope.get("hold_z", np.inf)),
                int(envelope.get("follow", 0)),
                inv_c.shape[0], _dptr(inv_c), _dptr(inv_p),
                *(float(v) for v in envelope.get("hinge_window", HINGE_WINDOW)), float(envelope.get("hinge_move", HINGE_MOVE)), _iptr(skip), _iptr(jumps), env_counters,
                _dptr(out), counters, msg)
        del keep
        if stats is not None:
            stats.update(zip(("steps", "rhs_evals", "jac_evals", "error_test_failures"), list(counters)))
            if envelope is not None:
                stats.update(zip(("days_integrated", "jumps", "days_skipped"), list(env_counters)))
        if status != 0:
            raise IntegrationError(msg.value.decode(errors="replace") or f"CVODE failed with flag {status}")
        if envelope is None:
            return out.T.copy()
        jumps = jumps[:int(env_counters[1])] if regular.size else jumps[:0]
        # a transposed view (n, m): the caller fills the skipped samples sample by sample in
        # contiguous memory (envelope.fill_skipped) (decision 48)
        return out.T, skip.astype(bool), jumps


class _ClosedFormStruct(ctypes.Structure):
    """``rls_closed_form`` of the C driver (see :class:`~rlsmodel.engines.closed_form.ClosedForm`)."""

    _fields_ = [("n_chains", ctypes.c_int), ("n_entries", ctypes.c_int)] + [
        (name, ctypes.POINTER(ctypes.c_int64)) for name in
        ("state_idx", "first", "count", "n_modes", "lam_off", "seg_off", "n_seg", "coef_off")] + [
        (name, ctypes.POINTER(ctypes.c_double)) for name in ("lam", "seg_t", "coef")]


def _closed_form_struct(cf):
    """(pointer to an ``rls_closed_form`` or None, the arrays it points into: keep them alive)."""
    if cf is None:
        return None, ()
    ints = {name: np.ascontiguousarray(getattr(cf, name), dtype=np.int64)
            for name in ("state_idx", "first", "count", "n_modes", "lam_off", "seg_off", "n_seg", "coef_off")}
    floats = {name: np.ascontiguousarray(getattr(cf, name), dtype=float) for name in ("lam", "seg_t", "coef")}
    st = _ClosedFormStruct(int(cf.first.size), int(cf.state_idx.size),
                           *[a.ctypes.data_as(ctypes.POINTER(ctypes.c_int64)) for a in ints.values()],
                           *[a.ctypes.data_as(ctypes.POINTER(ctypes.c_double)) for a in floats.values()])
    return ctypes.pointer(st), (ints, floats, st)


def _dptr(a):
    return a.ctypes.data_as(ctypes.POINTER(ctypes.c_double))


def _iptr(a):
    return a.ctypes.data_as(ctypes.POINTER(ctypes.c_int))


# -- self test ---------------------------------------------------------------------------

_SELF_TEST = {}


def self_test(abi, compiler=None):
    """Check the declared ABI end to end, once per process and installation.

    A two-compartment linear system ``a' = -k1 a``, ``b' = k1 a - k2 b`` (a stiff one:
    ``k2 = 1e4``, so the Newton iteration and the Jacobian are exercised) with an ``add``
    dose at a non-sample time and a ``set`` event, against its analytic solution.
    Raises EngineUnavailable if they disagree (wrong ``sunindextype``/``sunrealtype``
    assumptions typically produce garbage or crashes here rather than in a model run).
    """
    key = abi.fingerprint()
    if key in _SELF_TEST:
        if _SELF_TEST[key] is not None:
            raise _SELF_TEST[key]
        return
    a_, b_, k1, k2 = sym("rls_selftest_a"), sym("rls_selftest_b"), sym("rls_selftest_k1"), sym("rls_selftest_k2")
    rhs = [-k1 * a_, k1 * a_ - k2 * b_]
    jac = [((0, 0), -k1), ((1, 0), k1), ((1, 1), -k2)]
    src = generate_source(rhs, jac, [a_, b_], [k1, k2], abi)
    lib = CompiledCVODE(build_library(src, abi, compiler), 2)
    kk1, kk2 = 0.7, 1.0e4
    ts = np.linspace(0.0, 3.0, 7)
    dose_t = 1.2345
    events = [(dose_t, 0, 2.0, "add"), (2.5, 1, 0.0, "set")]

    def exact(tt):
        """Analytic states, phase by phase: before the dose, after it, after b is set to 0."""
        a_dose = np.exp(-kk1 * dose_t) + 2.0                 # a just after the dose
        b_dose = _b_exact(1.0, 0.0, kk1, kk2, dose_t)        # b at the dose (continuous)
        a_set = a_dose * np.exp(-kk1 * (2.5 - dose_t))       # a when b is set to 0
        out = np.zeros((2, tt.size))
        for i, x in enumerate(tt):
            if x < dose_t:
                a0, b0, tau = 1.0, 0.0, x
            elif x < 2.5:
                a0, b0, tau = a_dose, b_dose, x - dose_t
            else:
                a0, b0, tau = a_set, 0.0, x - 2.5
            out[:, i] = a0 * np.exp(-kk1 * tau), _b_exact(a0, b0, kk1, kk2, tau)
        return out

    Y = lib.integrate([1.0, 0.0], [kk1, kk2], ts, events, 1e-10, np.array([1e-12, 1e-14]), 100000)
    ref = exact(ts)
    err = np.max(np.abs(Y - ref) / np.maximum(np.abs(ref), 1e-6))
    if not np.isfinite(err) or err > 1e-6:
        exc = EngineUnavailable(
            f"the CVODE self test failed (max relative error {err:.3g} against the analytic solution of a "
            f"linear ODE): the SUNDIALS {abi.version} ABI in {abi.libdir} does not match the declared "
            f"prototypes (sunindextype = {abi.index_ctype}, sunrealtype = double). engine='lsoda' works everywhere")
        _SELF_TEST[key] = exc
        raise exc
    _SELF_TEST[key] = None


def _b_exact(a0, b0, k1, k2, tau):
    """b(tau) for a' = -k1 a, b' = k1 a - k2 b with a(0) = a0, b(0) = b0."""
    return b0 * np.exp(-k2 * tau) + a0 * k1 / (k2 - k1) * (np.exp(-k1 * tau) - np.exp(-k2 * tau))


# -- per-model engines -------------------------------------------------------------------

_ENGINES = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def _index_path(compiled, abi, compiler):
    """Index file: model structure + generator + toolchain -> name of the compiled library."""
    template = hashlib.sha256(TEMPLATE.encode()).hexdigest()
    key = "\n".join([compiled.source, GENERATOR_VERSION, template, sp.__version__, compiler,
                     " ".join(CFLAGS), abi.fingerprint()])
    digest = hashlib.sha256(key.encode()).hexdigest()[:20]
    return cache_dir() / "generated" / f"rls_cvode_index_{digest}.txt"


def engine_for(compiled) -> CompiledCVODE:
    """The loaded CVODE library for a :class:`~rlsmodel.compile.CompiledSystem` (built once).

    Raises EngineUnavailable (saying what is missing) when no C compiler or no SUNDIALS
    libraries are available.
    """
    with _LOCK:
        eng = _ENGINES.get(compiled)
        if eng is not None:
            return eng
        try:
            abi = probe()
            compiler = find_compiler()
            self_test(abi, compiler)
        except EngineUnavailable as exc:
            msg = str(exc)
            if "lsoda" not in msg:
                msg += ". engine='lsoda' works everywhere"
            raise EngineUnavailable(msg) from None
        index = _index_path(compiled, abi, compiler)
        so_path = None
        if index.exists():
            cand = index.parent / index.read_text().strip()
            if cand.exists():
                so_path = cand
        if so_path is None:
            jac = list(zip(zip(compiled.jac_rows.tolist(), compiled.jac_cols.tolist()), compiled.jac_exprs))
            src = generate_source(list(compiled.rhs_exprs), jac, list(compiled.state_symbols),
                                  list(compiled.parameter_symbols), abi)
            so_path = build_library(src, abi, compiler)
            index.parent.mkdir(parents=True, exist_ok=True)
            _atomic_write(index, so_path.name.encode())
        eng = CompiledCVODE(so_path, compiled.n_states)
        _ENGINES[compiled] = eng
        return eng


def available():
    """(True, "") if the cvode engine can run here, else (False, reason)."""
    try:
        abi = probe()
        compiler = find_compiler()
        self_test(abi, compiler)
    except EngineUnavailable as exc:
        return False, str(exc)
    return True, ""


def _optional_positive(value):
    return None if value is None else positive_number(value)


def _hinge_window(value):
    lo, hi = (float(v) for v in value)
    if not (np.isfinite(lo) and np.isfinite(hi) and lo <= hi):
        raise ValueError("must be two finite numbers (lo, hi) with lo <= hi")
    return (lo, hi)


def _jump_length(value):
    v = int(value)
    if v != value or not 2 <= v <= 365:
        raise ValueError("must be a whole number of days from 2 to 365")
    return v


class CVODEEngine(Engine):
    """The registered ``cvode`` engine: :func:`engine_for` the system, then one C call."""

    name = "cvode"
    description = ("SUNDIALS CVODE (dense analytic Jacobian) on C generated from the model; "
                   "needs a C compiler and the 'fast' extra")
    # CVODE's error test is an RMS norm over the states: at equal rtol it is less accurate than
    # LSODA's max norm. 1e-7 keeps every state within 2.4e-5 of a tight reference over the 100
    # benchmark points (1e-6 left 3 of them above 1e-4; decision 23). 3e-8 since decision 62: over
    # 5 years a state in exponential onset (d2_priming under ropinirole with a dose change) carries
    # the integrator's relative error, 1.2e-4 of scale at 1e-7 on the envelope, 2.4e-5 at 3e-8
    default_rtol, default_atol = 3e-8, 3e-10
    options = {
        "method": Option("adams", "linear multistep method: 'adams' (Adams-Moulton, Newton iteration "
                         "with the analytic Jacobian) or 'bdf'", choices=tuple(LMM)),
        "first_step": Option(0.0, "first step (day) after the start and every restart; 0: CVODE's estimate",
                             nonnegative_number),
        "linear_pk": Option("closed_form", "'closed_form': linear drug compartments as superposed dose "
                            "responses (rlsmodel.engines.closed_form); 'events': every dose stops and "
                            "restarts the integrator (the drug compartments' error then reaches the "
                            "tolerance hinge: use rtol 5e-8 for 1e-4 accuracy over dosed years)",
                            choices=LINEAR_PK_CHOICES),
        "long_horizon": Option("envelope", "'envelope' (the default since decision 60): runs of 60 days or "
                               "more follow the slow envelope "
                               "over the daily cycle (some days integrated, others jumped across along the "
                               "measured daily drift with an error estimate; skipped days' samples "
                               "interpolated; rlsmodel.engines.envelope, decisions 33 and 46); 'exact': every day "
                               "integrated (engine_options={'long_horizon': 'exact'})", choices=LONG_HORIZON_CHOICES),
        "envelope_tol": Option(None, "error allowed per envelope jump, x each state's scale; None: "
                               f"{ENVELOPE_TOL_PER_RTOL:.4g} x rtol, at most {ENVELOPE_TOL_MAX:g}", _optional_positive),
        "envelope_max_jump": Option(60, "longest envelope jump (days, 2-365); states that relax within "
                                    "weeks are held across long jumps (envelope_hold_above), so the jump is "
                                    "limited by the error estimate, not by their stability",
                                    _jump_length),
        "envelope_hold_above": Option(envelope.HOLD_ABOVE, "a jump of K days holds a state at its "
                                      "midnight value when K x its one-day relaxation rate |J_ii| (1/day, "
                                      "at the start state) exceeds this (extrapolating it would be "
                                      "unstable); it relaxes onto the envelope in the settling day and "
                                      "the increment it misses is its error estimate", nonnegative_number),
        "envelope_slaved": Option(True, "True (decision 53): across a jump the held states follow the "
                                  "extrapolated ones through the Jacobian at the jump (slaved increment, "
                                  "plus their own lag drift while that is stable); False: decision 51's jumps "
                                  "(held states at their midnight values)", choices=(True, False)),
        "envelope_jacobian": Option("day_mean", "the Jacobian the held states follow across a jump "
                                    "(envelope_slaved) is evaluated at: 'day_mean' (decision 58): the mean of 8 "
                                    "evaluations along the measured day (taken during its integration, which "
                                    "they do not change); 'midnight': the jump's midnight state (decision 53)",
                                    choices=ENVELOPE_JACOBIAN_CHOICES),
        "envelope_relaxed": Option(True, "True (decision 58): across a jump the held states are "
                                   "integrated along the linearized envelope (Jacobian of envelope_jacobian, "
                                   "the extrapolated states' path as forcing), so they relax onto it and "
                                   "follow it at any jump length; False: decision 53's slaved increment "
                                   "(needs envelope_slaved)", choices=(True, False)),
        "envelope_settle": Option(0, "whole days integrated after a jump before the drift is measured: 0 "
                                  "(decision 58): the landing day is the measured day; 1: a settling day "
                                  "first (decision 33). Without the hinge guard, 0 lets jumps cross a hinge "
                                  "switching on (2-year rls_iron_deficient ropinirole 2 mg run: final "
                                  "d2_priming 3.4e-4 of scale)", choices=(0, 1)),
        "envelope_hinge_guard": Option("exact", "(decision 58) 'exact': no envelope jump whose span (the "
                                       "daily peak of a softplus hinge's argument, now and extrapolated to "
                                       "the landing day) meets envelope_hinge_window while that peak moves by "
                                       "envelope_hinge_move or more: days are integrated while a hinge switches "
                                       "on or off; 'settle': such a jump gets a settling day (with "
                                       "envelope_settle=0); 'off'", choices=tuple(FOLLOW_HINGE)),
        "envelope_hinge_window": Option(HINGE_WINDOW, "(lo, hi): the hinge guard's window on a hinge's "
                                        "daily peak argument (units of the hinge's width)", _hinge_window),
        "envelope_hinge_move": Option(HINGE_MOVE, "the hinge guard acts only on a hinge whose daily peak "
                                      "argument moves by at least this across the jump (extrapolated)",
                                      nonnegative_number),
        "envelope_balance_undamped": Option(True, "True (decision 60): states in a linear invariant (a mass "
                                            "balance, e.g. plasma iron) count their jump error in full in "
                                            "the error estimate, not discounted by their one-day relaxation; "
                                            "False: decision 58's weights",
                                            choices=(True, False)),
        "envelope_fill": Option("cubic", "samples inside skipped days of states that do not relax within "
                                "a day: 'cubic' (decision 56) in the day index through the two days before "
                                "the jump and the two after it for the states the jump extrapolated (held "
                                "ones: quadratic); 'quadratic' (decision 46) through the two before and the "
                                "one after", choices=("cubic", "quadratic")),
        "dose_kinks": Option("restart", "at the doses of closed-form drugs (kinks in their plasma "
                             "curves): 'restart' (stop and restart there: the error converges with "
                             "rtol), 'stop' (no step crosses one, the history is kept), 'step_over'",
                             choices=KINK_CHOICES),
    }

    def available(self):
        return available()

    def integrate(self, problem, stats=None):
        eng = engine_for(problem.compiled)
        cf = None
        all_events = problem.events
        if problem.option("linear_pk") == "closed_form":
            problem, cf = split(problem)
        active = active_states(problem, cf)
        kinks = problem.option("dose_kinks")
        stops = cf.seg_t[1:] if (cf is not None and kinks != "step_over") else ()
        env = _envelope_inputs(eng, problem, cf, all_events, active)
        out = eng.integrate(problem.y0, problem.p, problem.t_samples, problem.events, problem.rtol,
                            problem.atol, problem.max_steps, method=problem.option("method"),
                            first_step=problem.option("first_step"), closed_form=cf, active=active,
                            stops=stops, stop_restart=kinks == "restart", stats=stats, envelope=env)
        if env is not None:
            out, skip, jumps = out
            if skip.any():
                rows = np.setdiff1d(np.arange(out.shape[0]), cf.state_idx if cf is not None else [])
                slow, fast = envelope.within_a_day_rows(env["rate"], rows, env["invariants"])
                cubic = None
                if problem.option("envelope_fill") == "cubic":
                    # a mass balance's states keep one set of weights (quadratic), so it holds at
                    # every filled sample too
                    fill_rate = np.array(env["rate"], dtype=float)
                    inv = np.asarray(env["invariants"])
                    if inv.size:
                        fill_rate[np.any(inv != 0.0, axis=0)] = np.inf
                    cubic = (fill_rate, env["hold_z"])
                fill_skipped(out, problem.t_samples, skip, jumps, env["day0"], slow, cubic=cubic)
                fill_skipped(out, problem.t_samples, skip, jumps, env["day0"], fast, linear=True)
            # left in Fortran order: the caller copies it once into its own arrays (a second,
            # transposing copy here cost 14 ms per 5-year hourly run; decision 48)
        return write_samples(out, problem, cf)


def _follow(problem) -> int:
    """The ``follow`` bits of :c:func:`rls_integrate_envelope` from the options ``envelope_slaved``,
    ``envelope_jacobian`` and ``envelope_relaxed`` (0: held states held)."""
    if not problem.option("envelope_slaved"):
        return 0
    bits = FOLLOW
    if problem.option("envelope_jacobian") == "day_mean":
        bits |= FOLLOW_DAY_MEAN
    if problem.option("envelope_relaxed"):
        bits |= FOLLOW_RELAX
    if problem.option("envelope_settle") == 0:
        bits |= FOLLOW_NO_SETTLE
    bits |= FOLLOW_HINGE[problem.option("envelope_hinge_guard")]
    return bits


def _envelope_inputs(eng, problem, cf, all_events, active=None):
    """The ``envelope`` argument of :meth:`CompiledCVODE.integrate`, or None (exact: the option
    says so, or the run is too short to gain)."""
    if problem.option("long_horizon") != "envelope":
        return None
    t0, t_end = float(problem.t_samples[0]), float(problem.t_samples[-1])
    if t_end - t0 < envelope.MIN_DAYS:
        return None
    tol = problem.option("envelope_tol")
    if tol is None:
        tol = min(ENVELOPE_TOL_MAX, ENVELOPE_TOL_PER_RTOL * problem.rtol)
    scale = problem.atol / problem.settings.atol
    day0, n_days = envelope.midnights(t0, t_end)
    regular = envelope.regular_days(all_events, cf, scale, tol, t0, day0, n_days)
    jd = np.diag(eng.jacobian(t0, problem.y0, problem.p))
    damping = envelope.one_day_damping(jd)
    hz = problem.option("envelope_hold_above")
    invariants = envelope.linear_invariants(
        lambda tt, yy: eng.jacobian(tt, yy, problem.p), problem.y0, scale, active)
    if problem.option("envelope_balance_undamped") and np.asarray(invariants).size:
        # decision 60: a state in a mass balance does not lose a jump's error by relaxing, it
        # hands it on to the balance's other (slow) pools: its error is weighed in full
        damping = np.where(np.any(np.asarray(invariants) != 0.0, axis=0), 1.0, damping)
    return {"invariants": invariants, "scale": scale, "rate": envelope.relaxation_rates(jd), "hold_z": hz, "day0": day0, "regular": regular, "weights": tol * scale / damping, "relative": tol / damping,
            "follow": _follow(problem), "hinge_window": problem.option("envelope_hinge_window"), "hinge_move": problem.option("envelope_hinge_move"), "spacing": envelope.NODE_SPACING, "min_jump": envelope.MIN_JUMP, "max_jump": problem.option("envelope_max_jump")}

