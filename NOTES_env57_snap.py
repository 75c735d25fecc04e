# snapshot of the exact path (and envelope with given options) for bit-identity checks
import sys, json, pickle, numpy as np, rlsmodel
out = sys.argv[1]; opts = json.loads(sys.argv[2]) if len(sys.argv) > 2 else None
m = rlsmodel.Model(engine="cvode")
print(rlsmodel.__file__)
reg = rlsmodel.Regimen.daily("pramipexole", 0.25, 21.0, start_day=14)
res = {}
res["exact400h"] = m.run(400, "rls_genetic", regimen=reg, engine_options={"long_horizon": "exact"}).states
res["exact5yd"] = m.run(5 * 365, "rls_genetic", regimen=reg, sample_every_hours=24.0, engine_options={"long_horizon": "exact"}).states
if opts is not None:
    res["env400h"] = m.run(400, "rls_genetic", regimen=reg, engine_options={"long_horizon": "envelope", **opts}).states
    res["env5yd"] = m.run(5 * 365, "rls_genetic", regimen=reg, sample_every_hours=24.0, engine_options={"long_horizon": "envelope", **opts}).states
pickle.dump(res, open(out, "wb"))
