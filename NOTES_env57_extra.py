"""Extra scenarios (env57): final-state error of envelope variants against the exact path at rtol 1e-10.

    python NOTES_env57_extra.py   # references cached in /tmp/env57_extra_*.pkl
"""
import os, pickle, json, numpy as np, rlsmodel
m = rlsmodel.Model(engine="cvode"); names = list(m.compiled.state_names)
scale = np.maximum(np.abs([m.states[n].nominal for n in names]), 1e-3)
D53 = {"envelope_settle": 1, "envelope_relaxed": False, "envelope_jacobian": "midnight", "envelope_hinge_guard": "off"}
VARIANTS = {"default": {}, "decision53": D53, "guard off": {"envelope_hinge_guard": "off"},
            "settle0 + guard, no relax": {"envelope_relaxed": False, "envelope_jacobian": "midnight"}}
SCEN = {
    "iron prami 0.5 mg 3y": ("rls_iron_deficient", rlsmodel.Regimen.daily("pramipexole", 0.5, 21.0, start_day=14), 3 * 365),
    "iron ropi 2 mg 2y then stop, 3y": ("rls_iron_deficient", rlsmodel.Regimen.daily("ropinirole", 2.0, 21.0, start_day=14, stop_day=730), 3 * 365),
    "genetic ropi 4 mg 3y": ("rls_genetic", rlsmodel.Regimen.daily("ropinirole", 4.0, 21.0, start_day=14), 3 * 365),
}
for tag, (prof, reg, days) in SCEN.items():
    kw = dict(regimen=reg, sample_every_hours=24.0)
    fn = "/tmp/env57_extra_" + tag.replace(" ", "_") + ".pkl"
    if os.path.exists(fn):
        ref = pickle.load(open(fn, "rb"))
    else:
        ref = m.run(days, prof, engine_options={"long_horizon": "exact"}, rtol=1e-10, atol=1e-12, **kw).states
        pickle.dump(ref, open(fn, "wb"))
    for v, o in VARIANTS.items():
        s = m.run(days, prof, engine_options={"long_horizon": "envelope", **o}, **kw).states
        e = np.abs(s[:, -1] - ref[:, -1]) / np.maximum(np.abs(ref[:, -1]), scale)
        print(f"EXTRA {tag} | {v}: final {e.max():.3e} ({names[int(np.argmax(e))]})", flush=True)
