"""The compiled engines agree with the scipy reference over 2 years of treatment (issue 8, item 1).

One 2-year simulation (730 days, daily samples at midnight) of the ``rls_genetic`` profile on
daily pramipexole 0.25 mg at 21:00 (730 doses, exact stops) with each engine, every run through
the user's path ``Model.simulate(..., engine=...)`` at rtol 1e-8, atol 1e-10 x state scale (the
defaults before issue 15; each engine's default options) and from its own periodic initial state. Every state and the key
observables of the compiled engines (``lsoda``, ``cvode``) must match the reference
(``engine="scipy"``: ``solve_ivp`` BDF with the Python right-hand side) to 1e-4 relative at every
sample: ``|x - ref| <= 1e-4 * max(|ref|, 1e-3 * max_t |ref|)`` (the floor keeps samples where a
variable passes near zero from turning round-off into huge relative errors; drug states of
undosed drugs are exactly zero in every engine).

Why the full dosed run and not a shorter one: the scipy reference over 2 dosed years was
measured at 170 s on the shared 2-core machine with one other job running (2-year untreated
run: 86 s; the whole test took 254 s when a benchmark also ran), about the ~3 min budget, so
the test covers the horizon the issue names instead of splitting it into an untreated 2-year
run plus a short dosed one (which would save only about a quarter of the time and leave doses
after the first months unchecked). It is marked ``slow``. ``cvode`` is skipped only where it cannot
run (``EngineUnavailable``: no C compiler or no SUNDIALS libraries), with the reason.
"""
from __future__ import annotations

import numpy as np
import pytest

import rlsmodel
from rlsmodel.engines.sundials import EngineUnavailable

pytestmark = pytest.mark.slow

DAYS = 730
PROFILE = "rls_genetic"
TOLERANCE = 1e-4
FLOOR = 1e-3
#: Every engine at rtol 1e-8 (the library default before issue 15): this compares engines; the
#: looser defaults are held against a tight reference in tests/test_default_accuracy.py.
RTOL, ATOL = 1e-8, 1e-10
#: Observables a sweep or a clinician reads: iron status in blood and brain, the dopamine
#: pathway, the drug's exposure and the symptom readouts.
KEY_OBSERVABLES = ("serum_ferritin", "transferrin_saturation", "hepcidin", "bbb_iron_flux", "brain_iron",
                   "neuronal_iron", "csf_ferritin", "hif_endothelial", "th_activity", "dopamine_extracellular",
                   "d2_stimulation", "d2_signal", "pramipexole_plasma_concentration",
                   "pramipexole_brain_concentration", "excitability", "urge_at_rest")


def _run(model, engine):
    # cvode on its exact path: this compares integrators (the envelope, cvode's default since
    # decision 60, is held to the accuracy target in tests/test_default_accuracy.py and test_envelope.py)
    options = {"engine_options": {"long_horizon": "exact"}} if engine == "cvode" else {}
    return model.simulate(DAYS, PROFILE, regimen=rlsmodel.Regimen.daily("pramipexole", 0.25, 21.0),
                          sample_every_hours=24.0, engine=engine, rtol=RTOL, atol=ATOL, **options)


@pytest.fixture(scope="module")
def reference(model):
    """The scipy engine's 2-year dosed run (about 3 minutes)."""
    return _run(model, "scipy")


def _worst(ds, ref, names):
    """(largest relative deviation, variable, day) over ``names`` and all samples."""
    worst = (0.0, None, None)
    for name in names:
        x, r = ds[name].values, ref[name].values
        floor = max(FLOOR * float(np.max(np.abs(r))), 1e-300)
        rel = np.abs(x - r) / np.maximum(np.abs(r), floor)
        k = int(np.argmax(rel))
        if rel[k] > worst[0]:
            worst = (float(rel[k]), name, float(ref["time"].values[k]))
    return worst


@pytest.mark.parametrize("engine", ["lsoda", "cvode"])
def test_compiled_engine_matches_scipy_over_two_dosed_years(model, reference, engine):
    try:
        ds = _run(model, engine)
    except EngineUnavailable as exc:
        pytest.skip(f"{engine} engine unavailable: {exc}")
    assert ds.attrs["solver_engine"] == engine and reference.attrs["solver_engine"] == "scipy"
    assert ds.sizes["time"] == reference.sizes["time"] == DAYS + 1
    np.testing.assert_array_equal(ds["time"].values, reference["time"].values)
    # the regimen really ran: the pramipexole depot holds drug at midnight (3 h after a dose)
    assert float(reference["pramipexole_depot"].values[-1]) > 0.0
    states = list(model.compiled.state_names)
    missing = [n for n in KEY_OBSERVABLES if n not in ds]
    assert not missing, f"observables missing from the Dataset: {missing}"
    for names, what in ((states, "state"), (KEY_OBSERVABLES, "observable")):
        err, name, day = _worst(ds, reference, names)
        assert err <= TOLERANCE, (f"{engine}: {what} {name!r} deviates from the scipy reference by "
                                  f"{err:.2e} (relative) at day {day:g}")
