"""Days integrated and accuracy of the envelope (env57 helper, from env55; not part of the package).

    python NOTES_env57_measure.py JSON_OPTIONS count,bench5,t5,t10,rop,aug

JSON_OPTIONS: cvode engine options added to {"long_horizon": "envelope"} (plus "rtol"/"atolf"). The
references at rtol 1e-10 are cached in /tmp/env55/ref_*.pkl.
"""
import sys, json, os, pickle, time
import numpy as np
import rlsmodel
from rlsmodel import outcomes
from rlsmodel.engines.base import make_problem, SolverSettings
from rlsmodel.engines import get_engine

print("rlsmodel from", rlsmodel.__file__, flush=True)
opts = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
RTOL = opts.pop("rtol", None)
ATOLF = opts.pop("atolf", None)
what = sys.argv[2].split(",") if len(sys.argv) > 2 else ["count"]
ENV = {"long_horizon": "envelope", **opts}
model = rlsmodel.Model(engine="cvode")
names = model.compiled.state_names
scale = np.maximum(np.abs([model.states[n].nominal for n in names]), 1e-3)

def count(days, regimen, options):
    p = model.parameter_vector("rls_genetic")
    y0, _ = model.periodic_state(p)
    events = model.system.ledger_events(regimen.events(model, days, params=model.resolve_parameters("rls_genetic")))
    t = np.arange(0.0, days * 24.0 + 1.0) / 24.0
    problem = make_problem(model.compiled, y0, p, t, events, SolverSettings("cvode", engine_options=options, rtol=RTOL, atol=ATOLF), model.state_scale)
    stats = {}
    Y = get_engine("cvode").integrate(problem, stats=stats)
    assert np.all(np.isfinite(Y))
    return stats

def compare(tag, days, regimen, params=None, start_day=14):
    kw = dict(profile="rls_genetic", params=params, regimen=regimen)
    os.makedirs("/tmp/env55", exist_ok=True); fn = f"/tmp/env55/ref_{tag}.pkl"
    if os.path.exists(fn):
        f_ref, d_ref, v_ref = pickle.load(open(fn, "rb"))
    else:
        ref = model.simulate(days, engine_options={"long_horizon": "exact"}, rtol=1e-10, atol=1e-12, **kw)
        f_ref = np.array([ref[n].values[-1] for n in names])
        d_ref = outcomes.daily(ref)
        v_ref = outcomes.augmentation(ref, start_day + outcomes.DAY_START_HOUR / 24.0, daily_table=d_ref) if start_day else None
        pickle.dump((f_ref, d_ref, v_ref), open(fn, "wb"))
    env = model.simulate(days, engine_options=ENV, **({"rtol": RTOL} if RTOL else {}), **({"atol": ATOLF} if ATOLF else {}), **kw)
    f_env = np.array([env[n].values[-1] for n in names])
    err = np.abs(f_env - f_ref) / np.maximum(np.abs(f_ref), scale)
    d_env = outcomes.daily(env)
    on = np.nanmax(np.abs(d_env["onset_hour"].values - d_ref["onset_hour"].values), initial=0.0)
    nanok = np.array_equal(np.isnan(d_env["onset_hour"].values), np.isnan(d_ref["onset_hour"].values))
    ir = np.max(np.abs(d_env["irls"].values - d_ref["irls"].values))
    v_env = outcomes.augmentation(env, start_day + outcomes.DAY_START_HOUR / 24.0, daily_table=d_env) if start_day else None
    same = v_ref is None or all(v_env[k] == v_ref[k] for k in ("augmented", "mpi_positive", "day_met", "day_met_clinically_relevant", "mpi_days"))
    print(f"ACC {tag}: final {err.max():.3e} ({names[int(np.argmax(err))]}), onset {on:.4f} h (nan-pattern same {nanok}), "
          f"irls {ir:.4f}, verdicts same {same}", flush=True)

prami = rlsmodel.Regimen.daily("pramipexole", 0.25, 21.0)
prami14 = rlsmodel.Regimen.daily("pramipexole", 0.25, 21.0, start_day=14)
H = outcomes.DAY_START_HOUR / 24.0
for w in what:
    t0 = time.time()
    if w == "count":
        for y in (5, 2):
            s = count(365.0 * y, prami, ENV)
            print(f"COUNT {y}y: integrated {s['days_integrated']}, skipped {s['days_skipped']}, jumps {s['jumps']}, steps {s['steps']}", flush=True)
    elif w == "bench5":
        compare("bench5", 5 * 365 + H, prami, start_day=0)
    elif w == "t5":
        compare("t5", 5 * 365 + H, prami14)
    elif w == "t10":
        compare("t10", 10 * 365 + H, prami14)
    elif w == "aug":
        compare("aug", 2 * 365 + H, rlsmodel.Regimen.daily("pramipexole", 0.75, 21.0, start_day=14), {"bbb_uptake_gain": 0.4})
    elif w == "rop":
        reg = (rlsmodel.Regimen.daily("ropinirole", 1.0, 21.0, start_day=14, stop_day=365)
               + rlsmodel.Regimen.daily("ropinirole", 2.0, 21.0, start_day=365))
        compare("rop", 3 * 365 + H, reg)
    elif w == "rop2e8":   # as tests/test_envelope.py::test_ropinirole_and_a_dose_change_match_the_exact_path
        reg = (rlsmodel.Regimen.daily("ropinirole", 1.0, 21.0, start_day=14, stop_day=365)
               + rlsmodel.Regimen.daily("ropinirole", 2.0, 21.0, start_day=365))
        RTOL, ATOLF = 2e-8, 2e-10
        compare("rop", 3 * 365 + H, reg)
        RTOL = ATOLF = None
    elif w == "iron":   # 2 years rls_iron_deficient, ropinirole 2 mg at 21:00 from day 14, daily samples
        reg = rlsmodel.Regimen.daily("ropinirole", 2.0, 21.0, start_day=14)
        kw = dict(regimen=reg, sample_every_hours=24.0)
        fn = "/tmp/env55/ref_iron.pkl"
        if os.path.exists(fn):
            ref = pickle.load(open(fn, "rb"))
        else:
            ref = model.run(730, "rls_iron_deficient", engine_options={"long_horizon": "exact"}, rtol=1e-10, atol=1e-12, **kw).states
            pickle.dump(ref, open(fn, "wb"))
        s = model.run(730, "rls_iron_deficient", engine_options=ENV, **kw).states
        e = np.abs(s[:, -1] - ref[:, -1]) / np.maximum(np.abs(ref[:, -1]), scale)
        print(f"ACC iron: final {e.max():.3e} ({names[int(np.argmax(e))]})", flush=True)
    print(f"  ({w}: {time.time()-t0:.1f} s)", flush=True)
