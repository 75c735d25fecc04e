import pickle, numpy as np, rlsmodel, sys
from rlsmodel.engines.cvode import engine_for
model = rlsmodel.Model(engine="cvode")
names = model.compiled.state_names
sys.path.insert(0,"/work/wt/env59/tests"); from conftest import nominal_scale
sc = np.maximum(nominal_scale(model), 1e-30)
eng = engine_for(model.compiled); p = model.parameter_vector("rls_genetic")
Yr, tr, dr = pickle.load(open("/tmp/e59/ref.pkl","rb"))
D = pickle.load(open("/tmp/e59/env.pkl","rb"))
ip = names.index("d2_priming")
j = D["jumps"]; day0 = D["day0"]
for day in [60, 150, 250, 450, 650]:
    idx = np.flatnonzero((tr >= day) & (tr < day + 1))
    J = np.mean([np.asarray(eng.jacobian(tr[k], Yr[:, k], p)) for k in idx], axis=0)
    row = J[ip] * sc / sc[ip]        # d(f_prime/s_p)/d(y_j/s_j), per day
    # landing state error (env - ref) at the nearest landing day
    lands = (day0 + j[:, 0] + j[:, 1]).astype(int)
    U = lands[np.argmin(np.abs(lands - day))]; m = int(np.argmin(np.abs(tr - U)))
    dy = (D["Y"][:, m] - Yr[:, m]) / sc
    contrib = row * dy
    top = np.argsort(-np.abs(contrib))[:5]
    print(f"day {day} (landing {U}): scaled d(priming drift)/dy top:", ", ".join(f"{names[k]} J={row[k]:.2g} dy={dy[k]:+.1e} -> {contrib[k]:+.1e}/day" for k in top))
    print(f"     total predicted priming drift error {contrib.sum():+.2e}/day (x scale); K={int(j[np.argmin(np.abs(lands-day)),1])}")
