"""Calibration runs that never mix, stick or crash late (issue 26).

The fits here are tiny (one parameter, a function target that reads the parameter, no
simulation) so every failure mode is cheap to provoke.
"""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("pypesto")

from rlsmodel.calibration import calibrate, load_spec  # noqa: E402
from rlsmodel.calibration.engine import StartFailedError  # noqa: E402
from rlsmodel.fileio import LockedError  # noqa: E402

SPEC = """
[[parameters]]
name = "d2_iron_k"
[[targets]]
kind = "function"
id = "k"
ref = "f.py:k"
value = VALUE
sd = 0.05
[options]
starts = 2
max_iterations = 30
"""
GOOD = "def k(model):\n    return model.resolve_parameters()['d2_iron_k']\n"


def _problem(tmp_path, body=GOOD, value=None, extra=""):
    from rlsmodel import Model
    value = value if value is not None else 1.2 * Model().parameters["d2_iron_k"].default
    (tmp_path / "f.py").write_text(body)
    (tmp_path / "s.toml").write_text(SPEC.replace("VALUE", repr(value)) + extra)
    return tmp_path / "s.toml"


def test_a_changed_function_target_is_a_changed_spec(tmp_path):
    spec = _problem(tmp_path)
    first = calibrate(spec, tmp_path / "out", progress=False)
    assert int(first["n_converged"]) == 2
    (tmp_path / "f.py").write_text(GOOD.replace("return ", "return 2 * "))
    with pytest.raises(ValueError, match=r"(?s)made for a different fit.*spec \(digest of the spec text, its data files and its function"):
        calibrate(spec, tmp_path / "out", progress=False)


@pytest.mark.parametrize("body,message", [
    ("def k(model):\n    raise RuntimeError('the lab file is missing')\n",
     r"start 0 failed: .*k.*raised RuntimeError: the lab file is missing"),
    ("def k(model):\n    return None\n", r"returned None \(NoneType\); it must return one number"),
    ("def k(model):\n    return '5'\n", r"returned '5' \(str\); it must return one number"),
])
def test_a_broken_function_target_fails_at_the_first_start_and_is_never_saved(tmp_path, body, message):
    spec = _problem(tmp_path, body)
    with pytest.raises(StartFailedError, match=message):
        calibrate(spec, tmp_path / "out", progress=False)
    assert not list((tmp_path / "out" / "parts").glob("start_*"))
    # fixed: the rerun into the same directory works (nothing of the broken target was kept)
    (tmp_path / "f.py").write_text(GOOD)
    ds = calibrate(spec, tmp_path / "out", progress=False)
    assert int(ds["n_converged"]) == 2


def test_a_function_target_that_is_nan_everywhere_is_not_a_best_fit(tmp_path):
    spec = _problem(tmp_path, "def k(model):\n    return float('nan')\n")
    with pytest.raises(ValueError, match=r"target\(s\) k gave no number \(NaN\) at the best fit"):
        calibrate(spec, progress=False)


def test_an_optimizer_typo_is_refused_before_work(tmp_path):
    spec = _problem(tmp_path, extra='optimizer = "Nelder-Mad"\n')
    with pytest.raises(ValueError, match="options.optimizer 'Nelder-Mad' is unknown.*Nelder-Mead"):
        load_spec(spec)
    spec.write_text(spec.read_text().replace("Nelder-Mad", "nelder-mead"))     # scipy's names: any case
    assert load_spec(spec).options["optimizer"] == "nelder-mead"


def test_a_damaged_part_file_is_named(tmp_path):
    spec = _problem(tmp_path)
    calibrate(spec, tmp_path / "out", progress=False)
    part = tmp_path / "out" / "parts" / "start_0001.json"
    part.write_text(part.read_text()[:25])
    with pytest.raises(ValueError, match=rf"{part}.* is damaged .*Delete that file"):
        calibrate(spec, tmp_path / "out", progress=False)
    part.unlink()
    assert int(calibrate(spec, tmp_path / "out", progress=False)["n_converged"]) == 2
    finger = tmp_path / "out" / "parts" / "fingerprint.json"
    finger.write_text("")
    with pytest.raises(ValueError, match=rf"{finger}.* is damaged"):
        calibrate(spec, tmp_path / "out", progress=False)


HOLD = textwrap.dedent("""
    import sys, time
    from rlsmodel.fileio import OutputLock
    OutputLock(sys.argv[1]).acquire()
    print("locked", flush=True)
    time.sleep(120)
""")


def test_a_second_fit_into_a_busy_directory_is_refused(tmp_path):
    spec = _problem(tmp_path)
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(tmp_path / "out")], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "locked"
        with pytest.raises(LockedError, match=rf"calibration directory .* process {proc.pid} on host"):
            calibrate(spec, tmp_path / "out", progress=False)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()


# -- the measurement CSV --------------------------------------------------------------------------
CSV_SPEC = '[[parameters]]\nname = "d2_iron_k"\n[[targets]]\nkind = "measurements"\nfile = "m.csv"\n'


@pytest.mark.parametrize("text,message", [
    ("profile,time,observable,value,sd,sd\nhealthy,steady,d2_density,1.0,0.1,0.2\n",
     r"column 'sd' appears 2 times in the header \(positions 5, 6\)"),
    ("profile,time,observable,value,sd\nhealthy,steady,d2_density,1.0,0.1\n# a note\n"
     "healthy,steady,d2_density,1.0,0.1\n", r"m.csv line 4 repeats line 2 exactly"),
    ("profile,time,observable,value,sd\nhealthy,steady,d2_density,1.0,0.1,7\n",
     r"m.csv line 2: 6 fields, the header has 5 columns \(extra: '7'\)"),
    ("profile,time,observable,value,sd\nhealthy,1e9,d2_density,1.0,0.1\n",
     r"m.csv: the rows of profile 'healthy' need a run of 1e\+09 days .*too"),
])
def test_bad_measurement_csv_is_refused_before_work(tmp_path, text, message):
    (tmp_path / "m.csv").write_text(text)
    (tmp_path / "s.toml").write_text(CSV_SPEC)
    with pytest.raises(ValueError, match=message):
        load_spec(tmp_path / "s.toml")


def test_fingerprint_json_is_a_record_of_the_function_source(tmp_path):
    spec = _problem(tmp_path)
    calibrate(spec, tmp_path / "out", progress=False)
    stored = json.loads((tmp_path / "out" / "parts" / "fingerprint.json").read_text())["components"]
    assert stored["spec"] == load_spec(spec).digest()


COUNTING = ("def k(model):\n    with open(__file__ + '.calls', 'a') as fh:\n        fh.write('x')\n"
            "    return model.resolve_parameters()['d2_iron_k']\n")


def test_an_interrupted_fit_replays_its_evaluations_instead_of_simulating(tmp_path):
    """Starts in flight when a fit stops are recomputed on the rerun, but every evaluation they had
    made is in the journal (parts/evaluations.jsonl): the rerun follows the same path without
    calling the targets again (only the final residual table is read once more) and ends at the
    same point."""
    spec = _problem(tmp_path, COUNTING)
    calls = tmp_path / "f.py.calls"
    first = calibrate(spec, tmp_path / "out", progress=False)
    n_first = len(calls.read_text())
    journal = tmp_path / "out" / "parts" / "evaluations.jsonl"
    lines = journal.read_text().splitlines()
    # one line per evaluation of the objective; the residual table at the best fit is read once
    # more at the end (its rows, not journaled)
    assert n_first > 4 and len(lines) == n_first - 1
    for part in (tmp_path / "out" / "parts").glob("start_*.json"):
        part.unlink()                                    # as if both starts were in flight
    with open(journal, "a") as fh:
        fh.write('{"x": [0.1], "resid')                  # the half line of a killed process
    second = calibrate(spec, tmp_path / "out", progress=False)
    assert len(calls.read_text()) == n_first + 1         # only the final residual table again
    assert second["x"].values.tolist() == first["x"].values.tolist()
    assert second["objective"].values.tolist() == first["objective"].values.tolist()


def test_a_journal_made_for_another_configuration_is_set_aside(tmp_path):
    spec = _problem(tmp_path, COUNTING)
    calibrate(spec, tmp_path / "out", progress=False)
    parts = tmp_path / "out" / "parts"
    for part in parts.glob("start_*.json"):
        part.unlink()                                    # nothing finished: the fit may change
    spec.write_text(spec.read_text().replace("sd = 0.05", "sd = 0.1"))
    with pytest.warns(UserWarning, match="made for another configuration"):
        calibrate(spec, tmp_path / "out", progress=False)
    assert (parts / "evaluations.stale-1.jsonl").stat().st_size > 0
    n_new = len((parts / "evaluations.jsonl").read_text().splitlines())
    assert n_new > 4                                     # the new fit simulated, it did not replay


def test_a_gradient_free_optimizer_simulates_each_point_once(tmp_path):
    """Powell uses no gradient, so no finite-difference points are simulated beside its own: the
    journal holds no more points than the optimizer's evaluations (with a gradient offered, pyPESTO
    simulated every point twice for one parameter)."""
    spec = _problem(tmp_path, COUNTING, extra='optimizer = "Powell"\n')
    ds = calibrate(spec, tmp_path / "out", progress=False)
    lines = (tmp_path / "out" / "parts" / "evaluations.jsonl").read_text().splitlines()
    assert 4 < len(lines) <= int(ds["n_evaluations"].sum())
    from rlsmodel.calibration.objective import CalibrationObjective
    assert not CalibrationObjective(load_spec(spec)).pypesto_objective().has_grad
    spec.write_text(spec.read_text().replace('optimizer = "Powell"', 'optimizer = "L-BFGS-B"'))
    assert CalibrationObjective(load_spec(spec)).pypesto_objective().has_grad
