"""Synthetic measurements from the model itself, for worked examples and recovery tests.

>>> from rlsmodel.calibration.synthetic import write_synthetic_csv
>>> write_synthetic_csv("cohort.csv", [{"profile": "healthy", "time": "steady",
...                                     "observable": "dopamine_extracellular"}],
...                     truth={"da_synthesis_max": 400.0}, relative_sd=0.03, seed=1)   # doctest: +SKIP

The rows are simulated exactly as a measurement target simulates them
(:class:`rlsmodel.calibration.targets.MeasurementTarget`), on the model whose defaults (or
profile overrides, ``"profile.name"`` keys) are ``truth``; each value gets Gaussian noise
of ``relative_sd`` times its size, and ``sd`` is that noise level. Truth, noise and seed
are recorded in a ``#`` comment line at the top (measurement readers skip such lines).
"""
from __future__ import annotations

import csv
import json
import tempfile
from pathlib import Path

import numpy as np

from ..fileio import atomic_output
from ..provenance import model_stamp

COLUMNS = ("profile", "regimen", "time", "observable", "value", "sd")


def split_ids(values: dict) -> tuple:
    """``{id: value}`` with ids ``name`` or ``profile.name`` -> ``(defaults, profile_overrides)``."""
    defaults, profiles = {}, {}
    for key, v in values.items():
        prof, _, name = str(key).rpartition(".")
        if prof:
            profiles.setdefault(prof, {})[name] = float(v)
        else:
            defaults[name] = float(v)
    return defaults, profiles


def synthetic_rows(design, truth, *, relative_sd=0.05, seed=0, model=None, regimens=None) -> list:
    """Noisy measurements for ``design`` (dicts with ``profile``, ``regimen``, ``time``,
    ``observable``) simulated on ``model`` (default ``rlsmodel.Model()``) with ``truth``."""
    from ..simulator import Model
    from .targets import MeasurementTarget
    if not relative_sd > 0:
        raise ValueError(f"relative_sd must be > 0; got {relative_sd!r}")
    model = Model() if model is None else model
    regimens = dict(regimens or {})
    with tempfile.TemporaryDirectory() as tmp:
        template = Path(tmp) / "design.csv"
        with open(template, "w", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=COLUMNS)
            w.writeheader()
            for d in design:
                w.writerow({"profile": d.get("profile", "healthy"), "regimen": d.get("regimen", ""),
                            "time": d["time"], "observable": d["observable"], "value": 0.0, "sd": 1.0})
        target = MeasurementTarget(template, model, regimens)
    defaults, profiles = split_ids(truth)
    rows = target.rows(model.with_defaults(defaults, profiles))
    rng = np.random.default_rng(seed)
    out = []
    for d, r in zip(target.data, rows):
        exact = r["simulated"]
        if not np.isfinite(exact):
            raise ValueError(f"the model gives no value for {d['label']}; drop it from the design")
        sd = relative_sd * max(abs(exact), 1e-12)
        out.append({"profile": d["profile"], "regimen": d["regimen"],
                    "time": "steady" if d["time"] is None else f"{d['time']:g}", "observable": d["observable"],
                    "value": f"{exact + sd * rng.standard_normal():.6g}", "sd": f"{sd:.3g}"})
    return out


def write_synthetic_csv(path, design, truth, *, relative_sd=0.05, seed=0, model=None, regimens=None) -> Path:
    """Write :func:`synthetic_rows` as a measurement CSV at ``path``; return the path.

    The ``#`` header line records the truth and the model the data came from
    (:func:`rlsmodel.provenance.model_stamp`): a fit against them with another model warns.
    """
    from ..simulator import Model
    model = Model() if model is None else model
    rows = synthetic_rows(design, truth, relative_sd=relative_sd, seed=seed, model=model, regimens=regimens)
    path = Path(path)
    with atomic_output(path) as tmp, open(tmp, "w", newline="") as fh:
        fh.write("# synthetic measurements from rlsmodel: truth = "
                 f"{json.dumps(truth, sort_keys=True)}, relative_sd = {relative_sd}, seed = {seed}; "
                 f"{model_stamp(model.identity())}\n")
        w = csv.DictWriter(fh, fieldnames=COLUMNS)
        w.writeheader()
        w.writerows(rows)
    return path


__all__ = ["synthetic_rows", "write_synthetic_csv", "split_ids"]
