"""Labelling a model's outputs: variable names, units and descriptions, and the Dataset.

:func:`variable_attrs` lists every variable a run returns (states, observables, the activity
mode) with its attrs, in output order; :func:`variable_values` picks their values from a run's
arrays; :func:`labelled_dataset` builds the :class:`xarray.Dataset` over ``time`` with the
run's attrs. :class:`rlsmodel.Model` and :class:`rlsmodel.simulator.Run` label through them,
so ``Model.simulate(...)`` and ``Model.run(...).dataset()`` are the same Dataset.
"""
from __future__ import annotations

from collections import OrderedDict

import numpy as np
import xarray as xr

#: attrs of the time coordinate of every result.
TIME_ATTRS = {"units": "day", "long_name": "time since midnight of day 0",
              "description": "days; the fraction is the clock time"}


def variable_attrs(compiled, activity) -> "OrderedDict[str, dict]":
    """name -> attrs of every variable a run of ``compiled`` returns, in output order:
    states, observables (with a schedule ``activity``, those that read it too) and the
    activity mode."""
    system = compiled.system
    out = OrderedDict()
    for name in compiled.state_names:
        s = system.states[name]
        out[name] = {"units": s.unit, "long_name": s.long_name or s.description,
                     "description": s.description, "kind": "state"}
    # observables that read the schedule (symptom, activity_factor) exist only with one
    observables = list(compiled.observable_names)
    if activity is not None:
        observables += compiled.forced_observable_names
    for name in observables:
        o = system.observables[name]
        out[name] = {"units": o.unit, "long_name": o.long_name, "description": o.description,
                     "kind": "observable"}
    if activity is not None:
        out["activity"] = {"long_name": "activity mode"}
    return out


def variable_values(compiled, t, Y, obs, activity, names) -> dict:
    """name -> values at samples ``t`` (days; states ``Y`` (n, m) in the compiled order,
    observables ``obs``) for ``names``, in that order; ``"activity"`` is the mode of the
    schedule ``activity`` at each sample."""
    wanted = set(names)
    index = {n: i for i, n in enumerate(compiled.state_names)}
    out = {n: Y[index[n]] for n in wanted if n in index}
    out.update({n: obs[n] for n in wanted if n in obs})
    if activity is not None and "activity" in wanted:
        out["activity"] = activity.mode_at(np.mod(t, 1.0) * 24.0).astype(str)
    return {n: out[n] for n in names}


def labelled_dataset(t, values, attrs, run_attrs: dict) -> xr.Dataset:
    """The Dataset of variables ``values`` (name -> array over ``t``, days) with variable
    ``attrs`` (:func:`variable_attrs`) and Dataset attrs ``run_attrs``."""
    coords = {"time": ("time", t, dict(TIME_ATTRS))}
    ds = xr.Dataset({n: ("time", v, attrs[n]) for n, v in values.items()}, coords=coords)
    ds.attrs.update(run_attrs)
    return ds


__all__ = ["variable_attrs", "variable_values", "labelled_dataset", "TIME_ATTRS"]
