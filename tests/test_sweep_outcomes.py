"""Sweep outcomes computed once per point and without a Dataset where none is needed (issue 15).

* Outcomes that read arrays (built-in ``_final``/``_last_day``, or any with ``from_run``) are
  computed from a :class:`rlsmodel.simulator.Run`: the values must equal those computed from
  the Dataset of the same run, bit for bit.
* An :class:`rlsmodel.sweeps.OutcomeGroup` is called once per point and fills one variable per
  name, with the same values as separate outcomes; a malformed group fails the point with a
  message (a failure is a value), and bad declarations fail before any work.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import rlsmodel
from rlsmodel.sweeps import OutcomeGroup, summaries

SPACE = {"diet_iron": [8.0, 20.0]}
KW = dict(days=3, profile="rls_genetic", progress=False)


def test_run_equals_simulate_and_array_outcomes_equal_dataset_outcomes(model):
    regimen = rlsmodel.Regimen.daily("pramipexole", 0.25, 21.0)
    run = model.run(3, "rls_genetic", params={"diet_iron": 8.0}, regimen=regimen)
    ds = model.simulate(3, "rls_genetic", params={"diet_iron": 8.0}, regimen=regimen)
    rebuilt = run.dataset()
    assert list(rebuilt.data_vars) == list(ds.data_vars) and rebuilt.attrs == ds.attrs
    for name in ds.data_vars:
        np.testing.assert_array_equal(rebuilt[name].values, ds[name].values)
    for name in ("d2_density_final", "serum_ferritin_final", "symptom_max_last_day", "total_body_iron_mean_last_day",
                 "activity_factor_min_last_day"):
        f = summaries.builtin(name, model)
        assert f.from_run(run) == f(ds), name
    with pytest.raises(KeyError, match="no variable 'ferritn'"):
        run.variable("ferritn")


def test_run_checks_and_keeps_as_simulate_does(model):
    """run() shares simulate()'s preparation (issue 17): keep selects what Run.dataset()
    returns, equal to simulate(keep=...); bad arguments fail with the same errors; values
    outside the declared ranges and dose-less regimens warn, unless warn=False."""
    keep = ["brain_iron", "symptom"]
    rebuilt = model.run(2, "rls_genetic", params={"diet_iron": 8.0}, keep=keep).dataset()
    ds = model.simulate(2, "rls_genetic", params={"diet_iron": 8.0}, keep=keep)
    assert list(rebuilt.data_vars) == keep and rebuilt.attrs == ds.attrs
    for name in keep:
        np.testing.assert_array_equal(rebuilt[name].values, ds[name].values)
    for bad, match in [({"keep": ["ferritn"]}, "keep: unknown variable 'ferritn'"),
                       ({"regimen": "pramipexole"}, "Regimen.daily"), ({"rtol": "1e-6"}, "rtol"),
                       ({"progress": "yes"}, "progress"), ({"days": -1}, "days")]:
        with pytest.raises(ValueError, match=match):
            model.run(**{"days": 1, "profile": "rls_genetic", **bad})
    late = rlsmodel.Regimen.daily("pramipexole", 0.25, 21.0, start_day=10)
    with pytest.warns(rlsmodel.ParameterRangeWarning):
        run = model.run(1, "rls_genetic", params={"diet_iron": 1.0})
    assert "diet_iron" in run.attrs["parameters_outside_range"]
    with pytest.warns(rlsmodel.RegimenWarning):
        model.run(1, "rls_genetic", regimen=late)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.run(1, "rls_genetic", params={"diet_iron": 1.0}, regimen=late, warn=False)


def test_a_sweep_of_array_outcomes_builds_no_dataset_and_gives_the_same_values(model, monkeypatch):
    names = ["d2_density_final", "serum_ferritin_final", "symptom_max_last_day"]
    ref = rlsmodel.sweep(SPACE, outcomes={n: (lambda ds, n=n: summaries.builtin(n, model)(ds)) for n in names},
                         model=model, **KW)                      # plain callables: the Dataset path
    built = []
    original = rlsmodel.simulator.Run.dataset
    monkeypatch.setattr(rlsmodel.simulator.Run, "dataset", lambda self: built.append(1) or original(self))
    fast = rlsmodel.sweep(SPACE, outcomes=names, model=model, **KW)
    assert built == []                                            # no Dataset per point
    for n in names:
        np.testing.assert_array_equal(fast[n].values, ref[n].values)


def test_an_outcome_group_runs_once_per_point_and_equals_separate_outcomes(model):
    calls = []

    def both(ds):
        calls.append(1)
        return {"d2_end": float(ds["d2_density"].values[-1]), "peak": float(ds["symptom"].values.max())}

    group = OutcomeGroup(both, ["d2_end", "peak"], units={"d2_end": "1"}, descriptions={"peak": "peak urge"})
    ds = rlsmodel.sweep(SPACE, outcomes={"pair": group, "ferritin": "serum_ferritin_final"}, model=model, **KW)
    assert len(calls) == len(SPACE["diet_iron"])
    assert list(ds.data_vars) == ["status", "d2_end", "peak", "ferritin"]
    assert ds["d2_end"].attrs["units"] == "1" and ds["peak"].attrs["description"] == "peak urge"
    sep = rlsmodel.sweep(SPACE, outcomes={"d2_end": "d2_density_final",
                                          "peak": lambda d: float(d["symptom"].values.max())}, model=model, **KW)
    for n in ("d2_end", "peak"):
        np.testing.assert_array_equal(ds[n].values, sep[n].values)
    # in a list too; parallel equals serial
    listed = rlsmodel.sweep(SPACE, outcomes=[group, "serum_ferritin_final"], model=model, workers=2, **KW)
    np.testing.assert_array_equal(listed["d2_end"].values, ds["d2_end"].values)


def test_a_malformed_group_fails_its_points_and_bad_declarations_fail_early(model):
    bad = OutcomeGroup(lambda ds: {"a": 1.0}, ["a", "b"])
    ds = rlsmodel.sweep(SPACE, outcomes=[bad], model=model, **KW)
    assert all(s.startswith("failed: ValueError: outcome group returned ['a']") for s in ds["status"].values)
    assert np.all(np.isnan(ds["b"].values))
    with pytest.raises(ValueError, match="names repeat"):
        OutcomeGroup(lambda ds: {}, ["a", "a"])
    with pytest.raises(ValueError, match="identifiers"):
        OutcomeGroup(lambda ds: {}, ["not a name"])
    with pytest.raises(ValueError, match="given twice"):
        rlsmodel.sweep(SPACE, outcomes={"g": OutcomeGroup(lambda ds: {}, ["d2_density_final"]),
                                        "d2_density_final": "d2_density_final"}, model=model, **KW)
