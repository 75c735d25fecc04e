import sys, numpy as np, rlsmodel
sys.path.insert(0, "/work/wt/env59/tests")
from conftest import nominal_scale
import test_envelope as te
m = rlsmodel.Model(engine="cvode")
reg = rlsmodel.Regimen.daily("ropinirole", 2.0, 21.0, start_day=te.START_DAY)
kw = dict(regimen=reg)
ref = m.run(730, "rls_iron_deficient", engine_options=te.EXACT, rtol=1e-10, atol=1e-12, **kw).states
sc = nominal_scale(m)
for opts in ({}, {"envelope_balance_undamped": True}):
    env = m.run(730, "rls_iron_deficient", engine_options={**te.ENVELOPE, **opts}, **kw).states
    err = np.abs(env[:, -1] - ref[:, -1]) / np.maximum(np.abs(ref[:, -1]), sc)
    print(opts, "final worst", m.compiled.state_names[int(np.argmax(err))], f"{err.max():.2e}")
