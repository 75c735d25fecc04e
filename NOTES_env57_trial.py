# 5-year trial, 2 arms x n patients, seed 5: envelope (given options) vs exact, patient by patient
import sys, json, time, numpy as np, rlsmodel
n = int(sys.argv[1]); opts = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
arms = {"pramipexole 0.5 mg": rlsmodel.Regimen.daily("pramipexole", 0.5, 21.0),
        "ropinirole 2 mg": rlsmodel.Regimen.daily("ropinirole", 2.0, 21.0)}
out = {}
for path, o in (("exact", {"long_horizon": "exact"}), ("envelope", {"long_horizon": "envelope", **opts})):
    model = rlsmodel.Model(engine="cvode", engine_options=o)
    t0 = time.process_time()
    out[path] = rlsmodel.virtual_trial(arms, n=n, weeks=5 * 52, seed=5, model=model, workers=1, progress=False)
    print(path, "cpu", round(time.process_time() - t0, 1), flush=True)
ex, en = out["exact"], out["envelope"]
print("status ok", (ex["status"].values == "ok").all(), (en["status"].values == "ok").all())
for name in ("augmented", "mpi_positive", "augmented_biological", "day_met", "day_met_clinically_relevant"):
    a, b = en[name].values, ex[name].values
    try:
        np.testing.assert_array_equal(a, b); print(name, "equal")
    except AssertionError as e:
        print(name, "DIFFER", str(e)[:300])
print("irls_change_end max diff", np.nanmax(np.abs(en["irls_change_end"].values - ex["irls_change_end"].values)))
print(ex["augmented"].values.shape, "augmented (exact):", int(np.sum(ex["augmented"].values == True)), "day_met:", ex["day_met"].values.ravel().tolist())
