"""Linear drug compartments in closed form: doses superposed, no stop and restart per dose.

A drug's PK chain (oral: gut depot -> plasma; patch: delivery rate -> plasma; IV: one plasma
pool) is, in this model, a linear system with constant coefficients that reads no other state::

    x' = A(p) x + B(p) u            x: the chain's amounts, u: its input states

Doses add to ``x`` and patch changes set ``u``, at event times ``t_0 < t_1 < ...``. Between two
events the solution is a sum of exponentials: with ``A = V diag(lam) V^-1`` (real, distinct,
negative eigenvalues) and ``x* = -A^-1 B u_k`` the state the segment's input would settle at,

    x(t) = x*_k + V diag(exp(lam (t - t_k))) V^-1 (x(t_k) - x*_k),     t_k <= t < t_{k+1}.

So the superposition of every dose so far is carried, per segment, by one coefficient vector
(the running sum, updated once per event when the problem is set up), and a right-hand-side
call costs one exponential per mode whatever the number of doses: O(1). The chain's states
are then *forcing* for the rest of the model: the engines overwrite them with these values
before every right-hand-side call, give them zero derivatives (and zero Jacobian rows and
columns), drop their events (no restart), and write the closed-form values into the output
samples (right-continuous at event times, as for events).

Which chains: the candidates are declared by the pharmacology
(:func:`rlsmodel.pharmacology.linear_compartments`); :func:`linear_chains` keeps a candidate
only if the assembled right-hand side of every state in it is linear in the chain's states
and inputs with coefficients that depend on parameters alone (no time, no other state), and
the inputs change only at events. Chains that fail (oral iron: absorption gated by hepcidin)
keep doses as events; so does a chain whose matrix is defective or ill-conditioned for the
parameters of one run (absorption rate equal to elimination rate, an eigenvalue >= 0).

A chain whose doses land on a member the rest of the model reads (an IV bolus into the plasma
pool read by the macrophages) keeps doses as events: that member jumps at a dose, and a
state reading it, integrated across the jump as if it were smooth, accumulates an error of
the order of (last step before the dose) x (the jump's effect on its rate). Oral depots and
patch rates are read only inside their chain, so the plasma curve has kinks, not jumps.

Engines take it as the option ``linear_pk="closed_form"`` (``"events"``: every dose stops and
restarts the integrator, as before); :func:`split` does the problem transformation.
"""
from __future__ import annotations

import math
import threading
import weakref
from dataclasses import dataclass, replace

import numpy as np
import sympy as sp

from .base import cached_njit as _cached_njit

#: Largest condition number of the eigenvector matrix accepted (else: events for that run).
MAX_CONDITION = 1e6
#: Values of the engines' ``linear_pk`` option.
LINEAR_PK_CHOICES = ("closed_form", "events")


@dataclass(frozen=True)
class LinearChain:
    """A chain that passed the structural check: ``name`` (the drug), ``states`` and
    ``inputs`` (state-vector indices), ``matrices(p) -> (A, B)`` numeric (m, m) and (m, r);
    ``exposed``: the members (indices) that states outside the chain read."""

    name: str
    states: tuple
    inputs: tuple
    matrices: object
    exposed: tuple = ()

    @property
    def members(self) -> tuple:
        return self.states + self.inputs


_CHAINS = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def candidates() -> dict:
    """Declared candidate chains ``name -> (state names, input names)``."""
    try:
        from ..pharmacology import linear_compartments
    except ImportError:  # pragma: no cover - a build without pharmacology
        return {}
    return linear_compartments()


def analyse(compiled) -> tuple:
    """``(chains, rejected)`` for a compiled system: the :class:`LinearChain` objects kept and
    ``{name: reason}`` for declared candidates present in the model but not kept (cached)."""
    with _LOCK:
        hit = _CHAINS.get(compiled)
    if hit is not None:
        return hit
    names = list(compiled.state_names)
    chains, rejected = [], {}
    for name, (states, inputs) in candidates().items():
        if not all(s in names for s in states + inputs):
            continue                       # not in this model
        result = _check_chain(compiled, name, [names.index(s) for s in states], [names.index(s) for s in inputs])
        if isinstance(result, str):
            rejected[name] = result
        else:
            chains.append(result)
    out = (tuple(chains), rejected)
    with _LOCK:
        _CHAINS[compiled] = out
    return out


def linear_chains(compiled) -> tuple:
    """The chains of ``compiled`` that may be integrated in closed form (see the module docstring)."""
    return analyse(compiled)[0]


def _check_chain(compiled, name, idx, inp):
    """A :class:`LinearChain`, or a string saying why the chain is not linear and closed."""
    from ..model.declaration import t as time_symbol
    ys = compiled.state_symbols
    X, U = [ys[i] for i in idx], [ys[j] for j in inp]
    own = set(X) | set(U)
    every_state = set(ys)
    for j, u in zip(inp, U):
        if sp.sympify(compiled.rhs_exprs[j]) != 0:
            return f"input {u} changes between events"
    a_rows, b_rows = [], []
    for i, x in zip(idx, X):
        r = sp.sympify(compiled.rhs_exprs[i])
        if time_symbol in r.free_symbols:
            return f"d{x}/dt depends on time"
        others = (r.free_symbols & every_state) - own
        if others:
            return f"d{x}/dt reads other states ({', '.join(sorted(map(str, others)))})"
        a_row = [sp.diff(r, v) for v in X]
        b_row = [sp.diff(r, v) for v in U]
        for coefficient in a_row + b_row:
            if coefficient.free_symbols & (every_state | {time_symbol}):
                return f"d{x}/dt is not linear in the chain's amounts and inputs"
        rest = sp.expand(r - sum(a * v for a, v in zip(a_row, X)) - sum(b * v for b, v in zip(b_row, U)))
        if rest != 0:
            return f"d{x}/dt has a term that is not proportional to the chain's amounts or inputs"
        a_rows.append(a_row)
        b_rows.append(b_row)
    p_syms = list(compiled.parameter_symbols)
    fa = sp.lambdify([p_syms], sp.Matrix(a_rows), modules="numpy")
    fb = sp.lambdify([p_syms], sp.Matrix(b_rows) if U else sp.zeros(len(X), 0), modules="numpy")

    def matrices(p, fa=fa, fb=fb, m=len(X), r=len(U)):
        a = np.array(fa(list(p)), dtype=float).reshape(m, m)
        b = np.array(fb(list(p)), dtype=float).reshape(m, r) if r else np.zeros((m, 0))
        return a, b

    members = set(idx) | set(inp)
    read = set()
    for j, r in enumerate(compiled.rhs_exprs):
        if j not in members:
            read |= sp.sympify(r).free_symbols & own
    exposed = tuple(i for i in idx + inp if ys[i] in read)
    return LinearChain(name, tuple(idx), tuple(inp), matrices, exposed)


def modes(a: np.ndarray):
    """``(lam, V, V^-1)`` of a chain matrix, or None when the closed form would be inaccurate
    (complex, repeated or non-negative eigenvalues; condition number above :data:`MAX_CONDITION`)."""
    lam, v = np.linalg.eig(a)
    if np.any(np.abs(lam.imag) > 0) or np.any(lam.real >= 0) or not np.all(np.isfinite(lam)):
        return None
    lam, v = lam.real, v.real
    if np.linalg.cond(v) > MAX_CONDITION:
        return None
    return lam, v, np.linalg.inv(v)


@dataclass(frozen=True)
class ClosedForm:
    """Closed-form values of some states over one integration, as flat arrays (for C and numba).

    Entries ``i`` (states and inputs of the chains, grouped by chain) write state
    ``state_idx[i]``. Chain ``b`` owns entries ``first[b] .. first[b] + count[b] - 1``, modes
    ``lam[lam_off[b] : lam_off[b] + n_modes[b]]`` (1/day) and segment start times
    ``seg_t[seg_off[b] : seg_off[b] + n_seg[b]]`` (day). Entry ``i`` in segment ``k`` of its
    chain: ``coef[coef_off[i] + k * (1 + m)]`` is the constant and the next ``m`` numbers the
    weights of ``exp(lam_j (t - t_k))``.
    """

    names: tuple
    state_idx: np.ndarray
    first: np.ndarray
    count: np.ndarray
    n_modes: np.ndarray
    lam_off: np.ndarray
    seg_off: np.ndarray
    n_seg: np.ndarray
    lam: np.ndarray
    seg_t: np.ndarray
    coef_off: np.ndarray
    coef: np.ndarray

    def arrays(self) -> tuple:
        """The flat arrays in the order :func:`fill` takes them."""
        return (self.state_idx, self.first, self.count, self.n_modes, self.lam_off, self.seg_off, self.n_seg,
                self.lam, self.seg_t, self.coef_off, self.coef)

    def values(self, times) -> np.ndarray:
        """(n_entries, len(times)) closed-form values at ``times`` (right-continuous at events)."""
        times = np.asarray(times, dtype=float)
        out = np.empty((self.state_idx.size, times.size))
        for b in range(self.first.size):
            seg = self.seg_t[self.seg_off[b]:self.seg_off[b] + self.n_seg[b]]
            m = int(self.n_modes[b])
            lam = self.lam[self.lam_off[b]:self.lam_off[b] + m]
            k = np.clip(np.searchsorted(seg, times, side="right") - 1, 0, seg.size - 1)
            e = np.exp(lam[:, None] * (times - seg[k])[None, :])
            for i in range(self.first[b], self.first[b] + self.count[b]):
                c = self.coef[self.coef_off[i]:self.coef_off[i] + seg.size * (1 + m)].reshape(seg.size, 1 + m)
                out[i] = c[k, 0] + np.einsum("kj,jk->k", c[k, 1:], e) if m else c[k, 0]
        return out

    def scratch(self) -> tuple:
        """Fresh working arrays for :func:`fill`: a cursor per chain and room for the exponentials."""
        return np.zeros(self.first.size, dtype=np.int64), np.zeros(max(int(self.n_modes.max()), 1))


_RESTING = weakref.WeakKeyDictionary()


def resting_dependencies(compiled) -> dict:
    """``{state index: indices it needs at 0}`` for states that can rest at exactly 0 (cached).

    The candidates are dynamic states whose nominal value is 0 (undosed drug amounts) and
    input states; the largest set R of them whose right-hand sides all vanish when every
    member of R is 0 is found as in :func:`rlsmodel.start_states.resting_states`. A member
    ``i`` reads only some members of R (``deps[i]``, itself included when it reads itself):
    whenever those are 0 and receive no event, ``i`` stays at 0.
    """
    with _LOCK:
        hit = _RESTING.get(compiled)
    if hit is not None:
        return hit
    states = compiled.system.states
    names = list(compiled.state_names)
    ys = compiled.state_symbols
    cand = {i for i, n in enumerate(names)
            if states[n].kind == "input" or (states[n].kind == "dynamic" and states[n].nominal == 0)}
    rhs = [sp.sympify(e) for e in compiled.rhs_exprs]
    while True:
        zero = {ys[i]: 0 for i in cand}
        keep = {i for i in cand if rhs[i].xreplace(zero) == 0}
        if keep == cand:
            break
        cand = keep
    members = {ys[i]: i for i in cand}
    deps = {i: frozenset(members[s] for s in rhs[i].free_symbols if s in members) for i in cand}
    with _LOCK:
        _RESTING[compiled] = deps
    return deps


def resting(problem, exclude=()) -> np.ndarray:
    """Sorted indices of states that stay exactly 0 throughout ``problem`` (no need to integrate).

    A state rests when it can (:func:`resting_dependencies`), starts at 0, receives no event in
    the integration window, and everything it reads among such states rests too. ``exclude``:
    indices handled otherwise (closed-form states).
    """
    deps = resting_dependencies(problem.compiled)
    if not deps:
        return np.zeros(0, dtype=np.int64)
    t0, t_end = problem.t_samples[0], problem.t_samples[-1]
    dosed = {e[1] for e in problem.events if t0 <= e[0] <= t_end}
    skip = set(int(i) for i in exclude)
    z = {i for i in deps if i not in dosed and i not in skip and problem.y0[i] == 0}
    while True:
        keep = {i for i in z if deps[i] <= z}
        if keep == z:
            break
        z = keep
    return np.array(sorted(z), dtype=np.int64)


def active_states(problem, cf) -> np.ndarray:
    """Indices an integrator must integrate: neither closed-form forcing nor resting at 0."""
    skip = np.zeros(problem.y0.size, dtype=bool)
    if cf is not None:
        skip[cf.state_idx] = True
    skip[resting(problem, np.flatnonzero(skip))] = True
    return np.flatnonzero(~skip)


def split(problem):
    """``(problem without the closed-form chains' events, ClosedForm or None)``.

    Chains with neither events in the integration window nor a nonzero start amount are left
    alone (their states stay exactly 0 either way); a chain whose matrix is unsuitable for this
    parameter vector (:func:`modes`) keeps its events, and so does a chain with an event in the
    window on a member that states outside the chain read (:attr:`LinearChain.exposed`: an IV
    bolus into the plasma pool): that member jumps, and the states reading it must not be
    integrated across the jump as if it were a smooth forcing. A dose into an oral depot or a
    patch change only puts a kink into the plasma curve the model reads.
    """
    chains = linear_chains(problem.compiled)
    if not chains:
        return problem, None
    t0, t_end = float(problem.t_samples[0]), float(problem.t_samples[-1])
    y = problem.y0
    ev_state = np.fromiter((e[1] for e in problem.events), dtype=np.int64, count=len(problem.events))
    ev_time = np.fromiter((e[0] for e in problem.events), dtype=float, count=len(problem.events))
    in_window = (ev_time >= t0) & (ev_time <= t_end)
    parts, dropped = [], np.zeros(y.size, dtype=bool)
    for chain in chains:
        members = np.array(chain.members, dtype=np.int64)
        mine = np.isin(ev_state, members)
        sel = np.flatnonzero(mine & in_window)
        if sel.size == 0 and not np.any(y[members] != 0):
            continue
        if chain.exposed and np.any(np.isin(ev_state[sel], np.array(chain.exposed, dtype=np.int64))):
            continue                       # a jump the rest of the model reads: events
        a, b = chain.matrices(problem.p)
        eig = modes(a)
        if eig is None:
            continue
        lam, v, v_inv = eig
        local = np.searchsorted(np.sort(members), ev_state[sel])          # member position, sorted order
        order = np.argsort(members)                                         # sorted position -> member position
        ev_local = order[local]
        ev_val = np.array([float(problem.events[i][2]) for i in sel])
        ev_mode = np.array([0 if problem.events[i][3] == "add" else 1 for i in sel], dtype=np.int64)
        xs_gain = -np.linalg.solve(a, b) if b.shape[1] else np.zeros((lam.size, 0))
        seg_t, coef = _segments(t0, ev_time[sel], ev_local, ev_val, ev_mode, y[members].astype(float),
                                len(chain.states), lam, v, v_inv, xs_gain)
        parts.append((chain, members, lam, seg_t, coef))
        dropped[members] = True
    if not parts:
        return problem, None
    state_idx, first, count, n_modes, lam_off, seg_off, n_seg, coef_off = ([] for _ in range(8))
    lams, segs, coefs = [], [], []
    n_lam = n_seg_total = n_coef = 0
    for chain, members, lam, seg_t, coef in parts:
        first.append(len(state_idx))
        count.append(members.size)
        n_modes.append(lam.size)
        lam_off.append(n_lam)
        seg_off.append(n_seg_total)
        n_seg.append(seg_t.size)
        for j, idx in enumerate(members):
            state_idx.append(int(idx))
            coef_off.append(n_coef)
            flat = coef[:, j, :].ravel()
            coefs.append(flat)
            n_coef += flat.size
        lams.append(lam)
        segs.append(seg_t)
        n_lam += lam.size
        n_seg_total += seg_t.size
    i64 = lambda v: np.array(v, dtype=np.int64)  # noqa: E731
    cf = ClosedForm(tuple(c.name for c, *_ in parts), i64(state_idx), i64(first), i64(count), i64(n_modes),
                    i64(lam_off), i64(seg_off), i64(n_seg), np.concatenate(lams), np.concatenate(segs),
                    i64(coef_off), np.concatenate(coefs))
    y0 = problem.y0.copy()
    y0[cf.state_idx] = cf.values(np.array([t0]))[:, 0]
    events = tuple(e for e, gone in zip(problem.events, dropped[ev_state]) if not gone)
    return replace(problem, y0=y0, events=events), cf


@_cached_njit
def _segments(t0, ev_time, ev_local, ev_val, ev_mode, start, n_x, lam, v, v_inv, xs_gain):
    """Segment start times (s,) and coefficients (s, n_members, 1 + m) of one chain.

    ``ev_*``: the chain's events in the window, in time order (``ev_local``: position among
    the members, states first then inputs; mode 0 adds, 1 sets); ``start``: the members'
    values at ``t0`` before events there; ``xs_gain`` (m, r): the settled state per unit input.
    One pass over the events: the running sums of every dose so far, O(events).
    """
    m = lam.size
    n = start.size
    times = [t0]
    for k in range(ev_time.size):
        if ev_time[k] > times[-1]:
            times.append(ev_time[k])
    s = len(times)
    seg_t = np.empty(s)
    coef = np.zeros((s, n, 1 + m))
    w = start.copy()                      # members' values
    amp = np.zeros(m)
    xs = np.zeros(m)
    e = 0
    for k in range(s):
        tk = times[k]
        seg_t[k] = tk
        if k > 0:                         # values just before tk, from the previous segment
            for i in range(n_x):
                acc = xs[i]
                for j in range(m):
                    acc += v[i, j] * amp[j] * math.exp(lam[j] * (tk - seg_t[k - 1]))
                w[i] = acc
        while e < ev_time.size and ev_time[e] == tk:
            if ev_mode[e] == 0:
                w[ev_local[e]] += ev_val[e]
            else:
                w[ev_local[e]] = ev_val[e]
            e += 1
        for i in range(n_x):              # settled state for this segment's inputs
            acc = 0.0
            for r in range(n - n_x):
                acc += xs_gain[i, r] * w[n_x + r]
            xs[i] = acc
        for j in range(m):
            acc = 0.0
            for i in range(n_x):
                acc += v_inv[j, i] * (w[i] - xs[i])
            amp[j] = acc
        for i in range(n_x):
            coef[k, i, 0] = xs[i]
            for j in range(m):
                coef[k, i, 1 + j] = v[i, j] * amp[j]
        for r in range(n - n_x):
            coef[k, n_x + r, 0] = w[n_x + r]
    return seg_t, coef


def forced(problem, rhs, jac):
    """``(problem', closed form, rhs', jac')`` for engines driving Python-callable functions.

    ``rhs(t, y, p)`` and ``jac(t, y, p)`` (dense or scipy.sparse) are wrapped to see the
    closed-form values and to give the chains' states zero derivatives and Jacobian entries.
    Without chains to close (or with ``linear_pk="events"``) the originals come back.
    """
    if problem.options.get("linear_pk", "events") != "closed_form":
        return problem, None, rhs, jac
    reduced, cf = split(problem)
    if cf is None:
        return problem, None, rhs, jac
    arrays = cf.arrays()
    cursor, ebuf = cf.scratch()
    idx = cf.state_idx

    def rhs_cf(t_, y, p):
        z = np.array(y, dtype=float)
        fill(float(t_), z, cursor, ebuf, *arrays)
        out = np.asarray(rhs(t_, z, p), dtype=float).copy()
        out[idx] = 0.0
        return out

    def jac_cf(t_, y, p):
        z = np.array(y, dtype=float)
        fill(float(t_), z, cursor, ebuf, *arrays)
        jm = jac(t_, z, p)
        if hasattr(jm, "tolil"):
            jm = jm.tolil()
            jm[idx, :] = 0.0
            jm[:, idx] = 0.0
            return jm.tocsc()
        jm = np.array(jm, dtype=float)
        jm[idx, :] = 0.0
        jm[:, idx] = 0.0
        return jm

    return reduced, cf, rhs_cf, jac_cf


def write_samples(out: np.ndarray, problem, cf) -> np.ndarray:
    """Put the closed-form values at ``problem.t_samples`` into ``out`` (n, m) (in place)."""
    if cf is not None:
        out[cf.state_idx] = cf.values(problem.t_samples)
    return out


@_cached_njit
def fill(t, y, cursor, ebuf, state_idx, first, count, n_modes, lam_off, seg_off, n_seg, lam, seg_t, coef_off,
         coef):  # pragma: no cover - compiled
    """Write the closed-form values at time ``t`` into ``y`` (the arrays of :class:`ClosedForm`).

    ``cursor`` (one per chain) remembers the last segment found: integrators move forward
    (and back a little after a rejected step), so the search is O(1) per call on average.
    """
    for b in range(first.size):
        k = cursor[b]
        s0 = seg_off[b]
        ns = n_seg[b]
        while k + 1 < ns and seg_t[s0 + k + 1] <= t:
            k += 1
        while k > 0 and seg_t[s0 + k] > t:
            k -= 1
        cursor[b] = k
        tau = t - seg_t[s0 + k]
        m = n_modes[b]
        for j in range(m):
            ebuf[j] = math.exp(lam[lam_off[b] + j] * tau)
        for i in range(first[b], first[b] + count[b]):
            base = coef_off[i] + k * (1 + m)
            v = coef[base]
            for j in range(m):
                v += coef[base + 1 + j] * ebuf[j]
            y[state_idx[i]] = v
