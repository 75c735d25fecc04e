"""The objective: a parameter vector -> the residuals of every target -> pyPESTO.

The optimiser works on the *internal* vector: log10 of ``scale = "log"`` parameters, the
value itself for ``"linear"`` ones, in the spec's order. :class:`CalibrationObjective`
builds the fitted model (:meth:`rlsmodel.Model.with_defaults`), asks each target for its
rows and returns the residual vector; ``0.5 * sum(residual ** 2)`` is the objective
(pyPESTO's convention for a negative log-likelihood from residuals). Gradients and the
residual Jacobian come from pyPESTO's finite differences (:class:`pypesto.objective.FD`,
step ``options.fd_step`` in the internal scale), since the model has no sensitivities.

The object pickles without its model, so it travels to worker processes (local or Dask);
each process builds the model once. With a ``journal`` (a file path; ``calibrate(out=...)``
passes ``OUT/parts/evaluations.jsonl``) every evaluation is appended to it and a point found
there is answered without simulating: an interrupted fit replays its path and continues
(:mod:`rlsmodel.calibration.engine`).
"""
from __future__ import annotations

import json
import os
from collections import OrderedDict

import numpy as np

#: Residual vectors kept per process (finite differences re-use the centre point).
CACHE_SIZE = 64
#: scipy methods that use no gradient: the objective offers them none, since pyPESTO would
#: otherwise compute the finite-difference gradient at every evaluation and scipy ignore it
#: (decision 61: n + 1 simulations per point instead of one).
GRADIENT_FREE_METHODS = frozenset({"nelder-mead", "powell", "cobyla", "cobyqa"})


class CalibrationObjective:
    """Residuals of a :class:`~rlsmodel.calibration.spec.CalibrationSpec` at internal ``x``."""

    def __init__(self, spec, journal=None):
        self.spec = spec
        self.journal = None if journal is None else str(journal)
        self._base = None
        self._cache = OrderedDict()
        self._journaled = None
        self.failures = 0

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_base"] = None
        state["_cache"] = OrderedDict()
        state["_journaled"] = None
        return state

    def _journal_entries(self) -> dict:
        """``{x bytes: (residuals, failed)}`` read from the journal once per process (lines that
        do not parse, e.g. the last one of a killed process, or whose length is not this spec's,
        are skipped)."""
        if self._journaled is None:
            self._journaled = {}
            if self.journal is not None and os.path.exists(self.journal):
                n = self.spec.n_residuals
                with open(self.journal, encoding="utf-8") as fh:
                    for line in fh:
                        try:
                            d = json.loads(line)
                            x = np.array(d["x"], dtype=float)
                            res = np.array(d["residuals"], dtype=float)
                        except (ValueError, KeyError, TypeError):
                            continue
                        if res.shape == (n,) and x.shape == (len(self.spec.parameters),):
                            self._journaled[x.tobytes()] = (res, bool(d.get("failed", False)))
        return self._journaled

    def _record(self, x, res, failed) -> None:
        if self.journal is None:
            return
        line = json.dumps({"x": [float(v) for v in x], "residuals": [float(v) for v in res],
                           "failed": bool(failed)}) + "\n"
        fd = os.open(self.journal, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line.encode("utf-8"))      # one write per line: processes do not interleave
        finally:
            os.close(fd)

    @property
    def base(self):
        if self._base is None:
            self._base = self.spec.base_model()
        return self._base

    def model(self, x):
        """The fitted model at internal ``x``."""
        defaults, profiles = self.spec.model_arguments(x)
        return self.base.with_defaults(defaults, profiles)

    def rows(self, x) -> list:
        """Every residual row (dicts, see :mod:`rlsmodel.calibration.targets`) at internal ``x``."""
        model = self.model(x)
        self.prefetch(model)
        out = []
        for target in self.spec.targets:
            out.extend(target.rows(model))
        return out

    def prefetch(self, model) -> int:
        """Run the one-arm virtual trials the spec's ``virtual_trial_incidence`` targets read as
        one trial per design, before the targets read them (the same numbers: each arm exactly
        its one-arm trial; each patient's baseline computed once; decision 49). Returns how
        many arms ran."""
        from .predictions import prefetch_trial_arms, virtual_trial_incidence
        calls = [t.args for t in self.spec.targets if getattr(t, "func", None) is virtual_trial_incidence]
        return prefetch_trial_arms(model, calls) if len(calls) > 1 else 0

    def residuals(self, x) -> np.ndarray:
        """The residual vector at internal ``x`` (a failed evaluation: every residual is
        ``options.nan_residual``)."""
        x = np.asarray(x, dtype=float)
        key = x.tobytes()
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        journaled = self._journal_entries().get(key)
        if journaled is not None:
            res, failed = journaled
            self.failures += int(failed)
        else:
            res, failed = self._evaluate(x)
            self._record(x, res, failed)
            if self.journal is not None:
                self._journal_entries()[key] = (res, failed)     # beyond the LRU cache too
        self._cache[key] = res
        if len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return res

    def _evaluate(self, x) -> tuple:
        """``(residuals, failed)`` at internal ``x``, simulated."""
        from ..integrate import IntegrationError
        from ..set_points import SetPointError
        failed = False
        try:
            res = np.array([r["residual"] for r in self.rows(x)], dtype=float)
        # a model that cannot be built at x (its set points leave their ranges) is an infeasible
        # point like a failed run, not the end of the fit
        except (IntegrationError, ArithmeticError, np.linalg.LinAlgError, SetPointError):
            self.failures += 1
            failed = True
            res = np.full(self.spec.n_residuals, self.spec.options["nan_residual"])
        return np.where(np.isfinite(res), res, self.spec.options["nan_residual"]), failed

    def fval(self, x) -> float:
        r = self.residuals(x)
        return 0.5 * float(r @ r)

    def pypesto_objective(self):
        """A pyPESTO objective (function value and residuals, finite-difference derivatives; no
        gradient for the gradient-free methods, :data:`GRADIENT_FREE_METHODS`)."""
        import pypesto
        from pypesto.objective import FD
        step = float(self.spec.options["fd_step"])
        base = pypesto.Objective(fun=self.fval, res=self.residuals, x_names=self.spec.ids)
        gradient = str(self.spec.options["optimizer"]).lower() not in GRADIENT_FREE_METHODS
        return FD(base, grad=gradient, sres=True, delta_fun=step, delta_grad=step, delta_res=step,
                  method=FD.FORWARD, x_names=self.spec.ids)


def bounds(spec) -> tuple:
    """Internal lower and upper bounds (arrays)."""
    lb = np.array([p.internal_bounds[0] for p in spec.parameters])
    ub = np.array([p.internal_bounds[1] for p in spec.parameters])
    return lb, ub


def start_points(spec) -> np.ndarray:
    """``options.starts`` Latin hypercube points in the internal box (:mod:`rlsmodel.samplers`,
    seeded by ``options.seed``: the same spec always starts from the same points). With
    ``options.start_at_defaults`` the first start is the model's current value of every fitted
    parameter (its default, or the profile's override), clipped into the bounds."""
    from .. import samplers
    ranges = {p.id: p.internal_bounds for p in spec.parameters}
    n = spec.options["starts"]
    points = np.array(samplers.latin_hypercube(ranges, n=n, seed=spec.options["seed"]).values, dtype=float)
    if spec.options.get("start_at_defaults") and n > 0:
        points[0] = current_point(spec)
    return points


def current_point(spec) -> np.ndarray:
    """The base model's current values of the fitted parameters, in the internal scale."""
    model = spec.base_model()
    out = []
    for p in spec.parameters:
        value = model.resolve_parameters(p.profile or "healthy")[p.name]
        lo, hi = p.internal_bounds
        out.append(float(np.clip(p.to_internal(value), lo, hi)))
    return np.array(out)


def make_problem(spec, objective=None):
    """The :class:`pypesto.Problem`: internal bounds, parameter ids and scales, and the
    Latin hypercube start points as ``x_guesses``."""
    import pypesto
    objective = CalibrationObjective(spec) if objective is None else objective
    lb, ub = bounds(spec)
    return pypesto.Problem(objective.pypesto_objective(), lb, ub, x_names=spec.ids,
                           x_scales=[p.pypesto_scale for p in spec.parameters],
                           x_guesses=start_points(spec), copy_objective=False)


def make_optimizer(spec):
    """pyPESTO's ScipyOptimizer with ``options.optimizer`` and ``options.max_iterations``."""
    from pypesto.optimize import ScipyOptimizer
    method = spec.options["optimizer"]
    n = int(spec.options["max_iterations"])
    if method.lower().startswith("ls_"):
        options = {"max_nfev": n}
    else:
        options = {"maxiter": n}
    return ScipyOptimizer(method=method, options=options)


def chi2_threshold(confidence: float, df: int = 1) -> float:
    """Objective increase above the optimum that bounds a ``confidence`` interval
    (half the chi-square quantile, since the objective is half the chi-square)."""
    from scipy.stats import chi2
    return 0.5 * float(chi2.ppf(confidence, df))


__all__ = ["CalibrationObjective", "make_problem", "make_optimizer", "start_points", "bounds", "chi2_threshold"]
