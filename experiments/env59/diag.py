import sys, time, pickle, numpy as np
import rlsmodel
from rlsmodel import outcomes
from rlsmodel.engines import cvode as cv
import os as _o
from rlsmodel.engines import envelope as _env
if _o.environ.get('NOINV'):
    import numpy as _np; cv.envelope.linear_invariants = lambda *a, **k: _np.zeros((0, len(a[1])))
if _o.environ.get('UNDAMP'):
    import numpy as _np
    _names = rlsmodel.Model(engine="cvode").compiled.state_names
    _sel = _np.array([n in _o.environ['UNDAMP'].split(',') for n in _names])
    _orig_d = _env.one_day_damping
    def _d(jd):
        d = _orig_d(jd); d[_sel] = 1.0; return d
    _env.one_day_damping = _d
if _o.environ.get('FLOOR'): _env.DAMPING_FLOOR = float(_o.environ['FLOOR'])
if _o.environ.get('SETTLE'): _env.SETTLE_DAYS = float(_o.environ['SETTLE'])
sys.path.insert(0, "/work/wt/env59/tests")
from conftest import nominal_scale
START_DAY=14
DAYS = START_DAY + 730 + outcomes.DAY_START_HOUR / 24.0
reg = (rlsmodel.Regimen.daily("pramipexole", 0.25, 21.0, start_day=START_DAY)
       + rlsmodel.Regimen.daily("ferrous_sulfate", 65.0, 8.0, start_day=START_DAY))
model = rlsmodel.Model(engine="cvode")
opts = eval(sys.argv[1]) if len(sys.argv) > 1 else {}
tag = sys.argv[2] if len(sys.argv) > 2 else "env"
cap = {}
orig = cv.fill_skipped
def fs(out, t, skip, jumps, day0, *a, **k):
    cap["jumps"] = np.array(jumps); cap["skip"] = np.array(skip); cap["day0"] = day0
    return orig(out, t, skip, jumps, day0, *a, **k)
cv.fill_skipped = fs
import os
names = model.compiled.state_names
def summ(ds):
    Y = np.array([ds[n].values for n in names]); t = ds["time"].values if "time" in ds else ds.time.values
    return Y, t, outcomes.daily(ds)
if not os.path.exists("/tmp/e59/ref.pkl"):
    ref = model.simulate(DAYS, "rls_genetic", regimen=reg, engine="lsoda", rtol=1e-10, atol=1e-12)
    pickle.dump(summ(ref), open("/tmp/e59/ref.pkl","wb"))
Yr, tr, dr = pickle.load(open("/tmp/e59/ref.pkl","rb"))
t0=time.time()
ds = model.simulate(DAYS, "rls_genetic", regimen=reg, engine_options={"long_horizon":"envelope", **opts})
Y, t, d = summ(ds)
scale = nominal_scale(model)
err = np.abs(Y - Yr) / np.maximum(np.abs(Yr), scale[:, None])
fin = err[:, -1]; w = np.argsort(fin)[::-1][:4]
print(tag, opts, "final worst", [(names[i], f"{fin[i]:.2e}") for i in w])
di = np.abs(d["irls"].values - dr["irls"].values); k = int(np.nanargmax(di))
print(" irls max", f"{np.nanmax(di):.3f}", "day", d["day"].values[k], "irls env/ref", d["irls"].values[k], dr["irls"].values[k])
j = cap.get("jumps"); 
print(" jumps", 0 if j is None else len(j), "skipped", 0 if j is None else int(j[:,1].sum()))
pickle.dump(dict(Y=Y, t=t, d=d, jumps=j, day0=cap.get("day0"), err=err), open(f"/tmp/e59/{tag}.pkl","wb"))
