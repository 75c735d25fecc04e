import sys, json, time, statistics, os
import rlsmodel
model = rlsmodel.Model(engine="cvode")
regimen = rlsmodel.Regimen.daily("pramipexole", 0.25, 21.0)
variants = [json.loads(a) for a in sys.argv[1:]]
reps = int(os.environ.get("REPS", "5"))
res = {i: [] for i in range(len(variants))}
def run(o):
    return model.run(365.0 * 5, "rls_genetic", regimen=regimen, sample_every_hours=24.0,
                     engine_options={"long_horizon": "envelope", **o}, warn=False)
for i, o in enumerate(variants): run(o)
for r in range(reps):
    for i, o in enumerate(variants):
        t0 = time.process_time(); run(o); res[i].append(time.process_time() - t0)
for i, o in enumerate(variants):
    print(f"CPU {json.dumps(o)}: median {1000*statistics.median(res[i]):.1f} ms, min {1000*min(res[i]):.1f} ms")
