import os, sys, rlsmodel
from rlsmodel.engines import envelope as _env
if os.environ.get('FLOOR'): _env.DAMPING_FLOOR = float(os.environ['FLOOR'])
if os.environ.get('SETTLE'): _env.SETTLE_DAYS = float(os.environ['SETTLE'])
if os.environ.get('UNDAMP'):
    import numpy as _np
    _names = rlsmodel.Model(engine="cvode").compiled.state_names
    _sel = _np.array([n in os.environ['UNDAMP'].split(',') for n in _names])
    _orig_d = _env.one_day_damping
    def _d(jd):
        d = _orig_d(jd); d[_sel] = 1.0; return d
    _env.one_day_damping = _d
sys.path.insert(0, "/work/wt/env59/tests")
import test_envelope as te
opts = eval(sys.argv[1]) if len(sys.argv) > 1 else {}
m = rlsmodel.Model(engine="cvode")
reg = rlsmodel.Regimen.daily("pramipexole", 0.25, 21.0, start_day=0)
st = te._skipped_days(m, 1825.0, reg, {**te.ENVELOPE, **opts})
print("5y", opts, os.environ.get('SETTLE'), st)
