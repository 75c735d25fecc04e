"""Envelope following on the one-day map: what the C driver needs, and the skipped days' samples.

Over years the model's slow states (brain iron, myelin, the sensitization chain, D2 density
as it follows them) move by a small, smooth amount per day, while every day repeats the same
circadian swing and dose. The cvode engine's option ``long_horizon="envelope"`` lets the C
driver (:c:func:`rls_integrate_envelope` in ``cvode_driver.c``) integrate some days exactly and
advance the state at midnight across the others along the measured daily drift, with the jump
length chosen by an error estimate (the drift's change between measurements); the method is
described there and in ``docs/decisions.md`` (decisions 33 and 46).

This module prepares its inputs and finishes its output:

* :func:`regular_days`: for every day of the run, whether its forcing repeats the day before
  (the same events at the same clock times, and closed-form drug curves equal within the
  tolerance). A jump never crosses a day that does not: dose changes, regimen starts and stops
  and the first days of a drug's pharmacokinetics (before the superposed doses settle into a
  daily cycle) are integrated exactly.
* :func:`fill_skipped`: the samples inside skipped days, interpolated clock time by clock time
  between the integrated day before the jump and the one after it (linear in the day index),
  so the daily readouts (onset, IRLS, the augmentation criteria) of skipped days come from
  the same method. Closed-form drug states are exact on every day (the caller writes them).
"""
from __future__ import annotations

import math

import numpy as np

from .base import cached_njit

#: Values of the cvode engine's ``long_horizon`` option.
LONG_HORIZON_CHOICES = ("envelope", "exact")


def envelope_solver() -> dict:
    """Keyword arguments of :class:`rlsmodel.Model` for runs that follow the slow envelope
    (cvode, ``long_horizon="envelope"``); a new dict on every call."""
    return {"engine": "cvode", "engine_options": {"long_horizon": "envelope"}}


def exact_solver() -> dict:
    """Keyword arguments of :class:`rlsmodel.Model` for runs on cvode's exact path (every day
    integrated, ``long_horizon="exact"``; the envelope is cvode's default); a new dict on every call."""
    return {"engine": "cvode", "engine_options": {"long_horizon": "exact"}}


#: Runs (engine calls) shorter than this many days are integrated exactly: nothing to gain.
MIN_DAYS = 60.0
#: Points per day at which closed-form drug curves are compared with the day before.
CF_POINTS_PER_DAY = 48
#: Smallest weight of a state's error in the envelope's error estimate (see one_day_damping).
DAMPING_FLOOR = 1e-3
#: Days integrated after a jump before the drift is measured again (settling, measuring).
SETTLE_DAYS = 2.0
#: Shortest distance (days) between the drifts the envelope extrapolates from. 8 until decision 51:
#: a drift measured after a jump of fewer than 6 days was then not a node, so while the slow chain
#: curved (an augmenting patient in years 3-5, e-folding in about 50 days) the cubic was fitted to
#: nodes up to about 30 days old and refused even 2-day jumps (5-year pramipexole run: 678 of
#: 1,825 days integrated; 3: 551). Drifts of consecutive days are still never both nodes (their
#: difference is mostly integration error); 2 took d2_priming to 1.03e-4 on the 3-year ropinirole
#: test (3: 8.0e-5, 8: 8.4e-5).
NODE_SPACING = 3.0
#: Shortest jump worth its restart (days).
MIN_JUMP = 2
#: Default of the cvode option ``envelope_hold_above``: a jump of K days holds the states whose
#: ``K x`` one-day relaxation rate exceeds it (see :func:`relaxation_rates`).
HOLD_ABOVE = 0.5


def midnights(t0: float, t_end: float) -> tuple:
    """``(day0, n_days)``: the first midnight at or after ``t0`` and the number of days from it
    that start before ``t_end``."""
    day0 = float(math.ceil(t0 - 1e-12))
    n_days = max(int(math.ceil(t_end - day0 - 1e-12)), 0)
    return day0, n_days


def one_day_damping(jac_diagonal) -> np.ndarray:
    """Per state, the fraction of an error left after the settling day: ``exp(J_ii x 1 day)``
    (floor :data:`DAMPING_FLOOR`, at most 1). A jump's error in a state that relaxes within
    hours (HIF, synaptic dopamine) is gone after the day integrated after the jump, so the error
    estimate weighs each state's error by it; without it the midnight values of fast states, which
    carry the integrator's error in their daily drift, would keep jumps short for nothing."""
    d = np.exp(SETTLE_DAYS * np.minimum(np.asarray(jac_diagonal, dtype=float), 0.0))
    return np.clip(d, DAMPING_FLOOR, 1.0)


def relaxation_rates(jac_diagonal) -> np.ndarray:
    """Per state, the one-day relaxation rate ``max(-J_ii, 0)`` (1/day) that decides, jump by jump,
    which states a jump holds.

    A jump of K days extrapolates a state's drift; for a state with rate ``r`` this is unstable
    once ``K r`` passes a few tenths (an explicit multistep step on a stiff mode): the jump's error
    relaxes in the days integrated after it (a fraction ``1 - exp(-r)`` a day), the drift measured
    there carries that relaxation, and the next extrapolation multiplies it by K. Measured on 5
    years of pramipexole (decision 46): with every state extrapolated, the drift of TH (rate
    0.5/day) alternated in sign and held jumps to 3-5 days whatever the tolerance. So a jump of K
    days holds every state with ``K r > envelope_hold_above`` at its midnight value: it relaxes onto
    the envelope in the settling day, and the driver counts the increment it misses (K x its
    newest drift) as its error, so it limits jumps only while it drifts. Short jumps still
    extrapolate the states that relax over weeks (D2 tolerance, 0.07/day), which may drift for
    years (holding them always kept such patients' runs exact).
    """
    return np.maximum(-np.asarray(jac_diagonal, dtype=float), 0.0)


#: A singular value of the scaled Jacobians below this fraction of the largest marks an invariant.
INVARIANT_RTOL = 1e-11
#: States at which the Jacobian is evaluated to find linear invariants (besides the start state).
INVARIANT_POINTS = 3


def linear_invariants(jacobian, y0, scale, active) -> np.ndarray:
    """Rows ``c`` (k, n), zero outside ``active``, with ``c . f(y)`` independent of the state:
    the model's mass balances (iron with its intake and loss ledgers), found without names.

    ``jacobian(t, y)`` (n, n); ``y0`` (n) the start state; ``scale`` (n) each state's scale;
    ``active`` the integrated states. ``c^T J_aa(y) = 0`` is required on the active states (rows
    and columns: closed-form drug amounts are forcing, so a flow from them makes ``c . f`` depend
    on time only) at the start state and at :data:`INVARIANT_POINTS` states within 10% of it, in
    scaled coordinates. Then ``c . y`` changes by the same amount every day whose forcing
    repeats, and a jump of K days moves it by exactly K times that (``rls_integrate_envelope``):
    a jump keeps the iron ledger closed, which extrapolating each state separately does not
    (decision 46). A balance that holds only at some states is not found (no harm: it is then
    not imposed).
    """
    y0 = np.asarray(y0, dtype=float)
    s = np.asarray(scale, dtype=float)
    act = np.asarray(active if active is not None else np.arange(y0.size), dtype=int)
    rng = np.random.default_rng(46)
    blocks = []
    for k in range(INVARIANT_POINTS + 1):
        y = y0 if k == 0 else y0 * (1.0 + 0.2 * (rng.random(y0.size) - 0.5))
        J = np.asarray(jacobian(0.37 * k, y), dtype=float)[np.ix_(act, act)]
        blocks.append(J * s[act][None, :] / s[act][:, None])        # d(f_i/s_i)/d(y_j/s_j)
    B = np.hstack(blocks)
    if not np.all(np.isfinite(B)):
        return np.zeros((0, y0.size))
    u, sv, _ = np.linalg.svd(B, full_matrices=False)              # u: every left singular vector
    top = sv[0] if sv.size and sv[0] > 0 else 1.0
    rank = int(np.sum(sv > INVARIANT_RTOL * top))
    null = u[:, rank:].T                                            # u^T B = 0, scaled coordinates
    # round-off entries (other states) set to 0, so that a jump's correction touches only the
    # balance's own states
    null = np.where(np.abs(null) > INVARIANT_RTOL * np.abs(null).max(axis=1, keepdims=True, initial=0.0), null, 0.0)
    c = np.zeros((null.shape[0], y0.size))
    c[:, act] = null / s[act][None, :]
    return c


def invariant_projection(invariants, active, n: int, scale):
    """``(C, P)`` for the driver: ``C`` (k, n_active) the invariants on the active states, ``P``
    (n_active, k) ``= S C^T (C S C^T)^-1`` with ``S = diag(scale^2)``: adding ``P r`` to a jump's
    increment changes ``C inc`` by ``r`` with the smallest change in scaled units."""
    act = np.arange(n) if active is None else np.asarray(active, dtype=int)
    if invariants is None or np.asarray(invariants).size == 0:
        return np.zeros((0, act.size)), np.zeros((act.size, 0))
    C = np.ascontiguousarray(np.asarray(invariants, dtype=float)[:, act])
    S = np.asarray(scale, dtype=float)[act] ** 2
    P = (S[:, None] * C.T) @ np.linalg.inv((C * S[None, :]) @ C.T)
    return C, np.ascontiguousarray(P)


def regular_days(events, cf, state_scale, tol, t0: float, day0: float, n_days: int) -> np.ndarray:
    """int array (n_days,): 1 if day ``day0 + j`` has the forcing of the day before it.

    ``events``: every event of the run (closed-form doses included), ``(time, index, value,
    mode)``; ``cf``: the :class:`~rlsmodel.engines.closed_form.ClosedForm` or None;
    ``state_scale`` (n,): each state's scale; ``tol``: closed-form values count as equal within
    ``tol`` x scale. The day before the start of the run is unknown: day ``j`` is irregular when
    day ``j - 1`` begins before ``t0``.
    """
    reg = np.ones(n_days, dtype=np.int32)
    if n_days == 0:
        return reg
    days = day0 + np.arange(n_days)
    reg[days - 1.0 < t0 - 1e-12] = 0
    # events: the same (clock time, state, value, mode) lists on consecutive days
    if len(events):
        reg[_event_days_differ(events, days.astype(int))] = 0
    # closed-form drug curves: equal on consecutive days within tol x scale
    if cf is not None and cf.state_idx.size:
        grid = np.arange(CF_POINTS_PER_DAY) / CF_POINTS_PER_DAY
        first = days[0] - 1.0
        times = (first + np.arange(n_days + 1))[:, None] + grid[None, :]
        vals = cf.values(times.ravel()).reshape(cf.state_idx.size, n_days + 1, grid.size)
        scale = np.asarray(state_scale, dtype=float)[cf.state_idx][:, None, None]
        diff = np.abs(np.diff(vals, axis=1)) / scale                   # day j vs day j - 1
        reg[np.any(diff > tol, axis=(0, 2))] = 0
    return reg


def _event_days_differ(events, days) -> np.ndarray:
    """bool per day of ``days`` (int): its events differ from the day before's, as lists of
    ``(clock millisecond, state, value, mode)`` in the order given (whole arrays, no loop per
    day: decision 49; the same verdicts as comparing the lists)."""
    t = np.array([e[0] for e in events], dtype=float)
    day = np.floor(t + 1e-9)
    clock = np.round((t - day) * 86400.0 * 1000.0)       # milliseconds of the day
    modes = {}
    key = np.stack([clock, np.array([int(e[1]) for e in events], dtype=float),
                    np.array([float(e[2]) for e in events], dtype=float),
                    np.array([modes.setdefault(e[3], len(modes)) for e in events], dtype=float)], axis=1)
    d = day.astype(np.int64)
    order = np.argsort(d, kind="stable")                 # by day, each day's events in their given order
    d, key = d[order], key[order]
    first_day, lo = int(days.min()) - 1, int(days.max())
    span = lo - first_day + 1
    inside = (d >= first_day) & (d <= lo)
    d, key = d[inside], key[inside]
    count = np.bincount(d - first_day, minlength=span)   # events per day, from the day before days[0]
    start = np.concatenate([[0], np.cumsum(count)[:-1]])
    # event i of day D is compared with event i of day D - 1 (when both days have as many)
    rank = np.arange(d.size) - start[d - first_day]
    same_count = np.zeros(span, dtype=bool)
    same_count[1:] = count[1:] == count[:-1]
    differ = ~same_count
    paired = same_count[d - first_day] & (d > first_day)
    if paired.any():
        i = np.flatnonzero(paired)
        prev = start[d[i] - first_day - 1] + rank[i]
        mismatch = np.any(key[i] != key[prev], axis=1)
        differ[d[i[mismatch]] - first_day] = True
    return differ[days - first_day]


#: States whose one-day relaxation rate (1/day) is at least this follow the day's forcing within
#: about a day: their skipped days are filled linearly (decision 51, :func:`within_a_day_rows`).
WITHIN_A_DAY_RATE = 1.0


def within_a_day_rows(rate, rows, invariants=None) -> tuple:
    """Split ``rows`` (state indices) into ``(slow, fast)`` for :func:`fill_skipped`: ``fast``
    relax at :data:`WITHIN_A_DAY_RATE` or faster (``rate`` (n, 1/day): one-day relaxation rates,
    :func:`relaxation_rates`) and are in none of the ``invariants`` ((k, n) or None: a mass
    balance's states are filled with one set of weights, so that the balance holds at every
    filled sample too).

    A fast state is a function of the day's forcing and of the slow states, with a daily profile
    that has its forcing's corners (``d2_drug_pulse_mean``: its drive switches on and off every
    evening). Each integrated day's sample near a corner carries the integrator's error there (up
    to 7e-5 of scale at the default rtol, in the exact path too), varying from day to day. The
    quadratic fill reads the days ``L - 1``, ``L`` and ``U`` with weights up to about -K/4 and
    K/4 + 1 inside a K-day jump (-5.0 and 5.8 at K = 20), so it multiplied that error: 1.2e-4 of
    scale on a 400-day run (decision 51). Linear weights are in [0, 1], so a filled sample is never
    further off than the two days it is read from; a fast state's envelope curvature over a jump
    is far below that (it follows the slow states, whose fill stays quadratic)."""
    rows = np.asarray(rows, dtype=np.int64)
    fast = np.asarray(rate, dtype=float)[rows] >= WITHIN_A_DAY_RATE
    if invariants is not None and np.asarray(invariants).size:
        fast &= ~np.any(np.asarray(invariants)[:, rows] != 0.0, axis=0)
    return rows[~fast], rows[fast]


def fill_skipped(out: np.ndarray, t: np.ndarray, skip: np.ndarray, jumps: np.ndarray, day0: float,
                 rows=None, linear=False, cubic=None) -> np.ndarray:
    """Interpolate the rows of ``out`` (n, m) at skipped samples, in place.

    A jump ``(j, K)`` skips days ``day0 + j .. day0 + j + K - 1``; the day before (``L``) and the
    day after (``U = day0 + j + K``, the settling day) were integrated. A sample at clock time
    ``phi`` of skipped day ``D`` gets ``y_L(phi) + (D - L) / (U - L) (y_U(phi) - y_L(phi))``,
    each of the two read off the integrated samples (linear interpolation between samples when
    the grid does not repeat daily). ``rows``: the state rows to fill (None: all).
    ``linear``: True for exactly this linear interpolation (weights in [0, 1]; see
    :func:`within_a_day_rows`), False for the quadratic one below. ``cubic`` (with ``linear``
    False; decision 56): None, or ``(rate, hold_z)`` (``rate`` (n): each state's one-day relaxation
    rate): a state that a jump of K days extrapolates (``K rate <= hold_z``, as the driver decides)
    is filled cubic in the day index through the days ``L - 1``, ``L``, ``U`` and ``U + 1`` (the
    measuring day after the settling day, which the driver always integrates); states the jump
    held keep the quadratic (their settling day carries the relaxation of the jump's error, which
    a cubic through ``U`` and ``U + 1`` would carry into the skipped days: 7.9e-4 of d2_density's
    scale on the 400-day run). The
    quadratic missed a curving onset by the cubic term (d2_drug_sensitization's onset on days
    40-45 of the 400-day pramipexole run: 5.5e-5 of its value from exact days, 1e-4 on the
    envelope; the cubic 2e-7), and its weights are smaller (about -2.5 and 3.0 against -5.0 and
    5.8 inside a 20-day jump), so it amplifies day-to-day noise less.

    Since decision 46 the interpolation is quadratic in the day index, through the day before
    ``L`` as well (the driver integrates the two days before every jump); the formula above is
    its linear part.

    Speed (decision 48): one compiled pass (:func:`_fill_kernel`), sample by sample (whole
    columns of ``out``: contiguous memory when ``out`` is the transpose of a C-ordered (m, n)
    array, as the cvode engine passes it); a query that falls on an integrated sample (a grid
    that repeats daily) reads it, only the others are blended.
    """
    skip = np.asarray(skip, dtype=bool)
    if not skip.any():
        return out
    rows = None if rows is None else np.asarray(rows)
    samples = out.T                                           # (m, n): one sample per row
    kept = np.flatnonzero(~skip)
    tk = t[kept]
    idx = np.flatnonzero(skip)
    ts = t[idx]
    starts = day0 + jumps[:, 0].astype(float)
    lengths = jumps[:, 1].astype(float)
    which = np.searchsorted(starts, ts, side="right") - 1        # the jump each skipped sample is in
    start, length = starts[which], lengths[which]
    low = start - 1.0
    high = start + length
    day = np.floor(ts + 1e-9)
    day = np.clip(day, start, high - 1.0)
    phase = ts - day
    tl, tu = low + phase, high + phase
    x = day - low                                             # 1 .. K, with L at 0, L - 1 at -1
    k1 = high - low                                           # U at K + 1
    # the integrated days read besides L and U: L - 1 and U + 1, unless a neighbouring jump skipped
    # them (no settling day): then the nearest integrated ones (the neighbours' L and U)
    lo_j, hi_j = starts - 1.0, starts + lengths
    prev_u = np.concatenate([[-np.inf], hi_j[:-1]])
    next_l = np.concatenate([lo_j[1:], [np.inf]])
    node_a = np.where(prev_u[which] >= lo_j[which] - 1.0 + 0.5, lo_j[np.maximum(which - 1, 0)], lo_j[which] - 1.0) - low
    up = np.where(next_l[which] <= hi_j[which] + 0.5, hi_j[np.minimum(which + 1, len(hi_j) - 1)], hi_j[which] + 1.0)
    has_up = up + phase <= t[-1] + 1e-9
    node_b = up - low
    general = bool(np.any(node_a != -1.0) or np.any(node_b != k1 + 1.0))
    # quadratic in the day index through days L - 1, L and U (the driver integrates the two days
    # before every jump): linear interpolation left 3e-3 of d2_sensitization's value inside
    # 20-day jumps while its onset curves (decision 46)
    cols = np.arange(samples.shape[1]) if rows is None else rows
    n_cols = samples.shape[1]
    a, b = node_a, node_b
    if linear:
        w = np.stack([np.zeros_like(x), (k1 - x) / k1, x / k1, np.zeros_like(x)])
    elif not general:
        w = np.stack([x * (x - k1) / (1.0 * (1.0 + k1)), (x + 1.0) * (k1 - x) / k1,
                      (x + 1.0) * x / ((k1 + 1.0) * k1), np.zeros_like(x)])
    else:
        w = np.stack([x * (x - k1) / (a * (a - k1)), (x - a) * (x - k1) / (a * k1),
                      (x - a) * x / ((k1 - a) * k1), np.zeros_like(x)])
    if cubic is not None and not linear:
        rate, hold_z = cubic
        if not general:
            c = np.stack([-x * (x - k1) * (x - k1 - 1.0) / ((k1 + 1.0) * (k1 + 2.0)),
                          (x + 1.0) * (x - k1) * (x - k1 - 1.0) / (k1 * (k1 + 1.0)),
                          -(x + 1.0) * x * (x - k1 - 1.0) / (k1 * (k1 + 1.0)),
                          (x + 1.0) * x * (x - k1) / ((k1 + 1.0) * (k1 + 2.0))])
        else:
            c = np.stack([x * (x - k1) * (x - b) / (a * (a - k1) * (a - b)),
                          (x - a) * (x - k1) * (x - b) / (-a * k1 * b),
                          (x - a) * x * (x - b) / ((k1 - a) * k1 * (k1 - b)),
                          (x - a) * x * (x - k1) / ((b - a) * b * (b - k1))])
            c = np.where(has_up[None, :], c, w)              # no integrated day after U: quadratic
        col_rate = np.broadcast_to(np.asarray(rate, dtype=float), (n_cols,)).copy()
    else:
        c, col_rate, hold_z = w, np.zeros(n_cols), np.inf
    # one compiled pass, sample by sample, without temporaries (decision 48)
    _fill_kernel(samples, idx, kept, *_bracket(tl + a, tk), *_bracket(tl, tk), *_bracket(tu, tk),
                 *_bracket(tu + (b - k1), tk), np.ascontiguousarray(w), np.ascontiguousarray(c), col_rate,
                 float(hold_z), length, np.ascontiguousarray(cols, dtype=np.int64))
    return out


def _bracket(tq, tk):
    """For each query time, the kept sample at or before it (position in ``tk``) and the weight
    of the next one (0 on a kept sample), as ``np.interp`` interpolates (outside ``tk``: the end
    values)."""
    if tk.size == 1:
        return np.zeros(tq.size, dtype=np.int64), np.zeros(tq.size)
    j = np.clip(np.searchsorted(tk, tq, side="right") - 1, 0, tk.size - 2)
    dx = tk[j + 1] - tk[j]
    w = np.clip(np.divide(tq - tk[j], dx, out=np.zeros_like(tq), where=dx > 0), 0.0, 1.0)
    return j.astype(np.int64), w


@cached_njit
def _fill_kernel(samples, idx, kept, ja, wa, jb, wb, jc, wc, jd, wd, wq, wc3, col_rate, hold_z, length, cols):  # pragma: no cover - compiled
    """``samples[idx[i], c] = w0 y(a) + w1 y(b) + w2 y(c) + w3 y(d)`` for the columns ``cols``, with
    ``y(a)`` the kept sample ``kept[ja[i]]`` blended with the next kept one by ``wa[i]`` (only when
    ``wa[i] > 0``), likewise ``b``, ``c`` and ``d``: the days L - 1, L, U and U + 1 of
    :func:`fill_skipped`; the weights ``wc3[:, i]`` where ``length[i] x col_rate[col] <= hold_z``,
    else ``wq[:, i]`` (``d`` read only where its weight is not 0)."""
    for i in range(idx.size):
        r = idx[i]
        a0, b0, c0, d0 = kept[ja[i]], kept[jb[i]], kept[jc[i]], kept[jd[i]]
        a1 = kept[ja[i] + 1] if wa[i] > 0.0 else a0
        b1 = kept[jb[i] + 1] if wb[i] > 0.0 else b0
        c1 = kept[jc[i] + 1] if wc[i] > 0.0 else c0
        d1 = kept[jd[i] + 1] if wd[i] > 0.0 else d0
        for k in range(cols.size):
            col = cols[k]
            if length[i] * col_rate[col] <= hold_z:
                w0, w1, w2, w3 = wc3[0, i], wc3[1, i], wc3[2, i], wc3[3, i]
            else:
                w0, w1, w2, w3 = wq[0, i], wq[1, i], wq[2, i], wq[3, i]
            ya = samples[a0, col]
            if wa[i] > 0.0:
                ya = ya * (1.0 - wa[i]) + samples[a1, col] * wa[i]
            yb = samples[b0, col]
            if wb[i] > 0.0:
                yb = yb * (1.0 - wb[i]) + samples[b1, col] * wb[i]
            yc = samples[c0, col]
            if wc[i] > 0.0:
                yc = yc * (1.0 - wc[i]) + samples[c1, col] * wc[i]
            v = w0 * ya + w1 * yb + w2 * yc
            if w3 != 0.0:
                yd = samples[d0, col]
                if wd[i] > 0.0:
                    yd = yd * (1.0 - wd[i]) + samples[d1, col] * wd[i]
                v += w3 * yd
            samples[r, col] = v
