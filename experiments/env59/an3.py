import pickle, numpy as np, sys
import rlsmodel
tag = sys.argv[1]; nm = sys.argv[2]
D = pickle.load(open(f"/tmp/e59/{tag}.pkl","rb"))
Yr, tr, dr = pickle.load(open("/tmp/e59/ref.pkl","rb"))
names = rlsmodel.Model(engine="cvode").compiled.state_names
t = D["t"]; j = D["jumps"]; day0 = D["day0"]
i = names.index(nm); e = D["err"][i]*np.sign(D["Y"][i]-Yr[i])
def at(day): return e[int(np.argmin(np.abs(t-day)))]
tot_j = tot_i = 0; prevU = None; rows=[]
for s, K in j:
    L = int(day0+s)-1; U = int(day0+s+K)
    dj = at(U) - at(L); di = 0 if prevU is None else at(L) - at(prevU)
    tot_j += dj; tot_i += di; prevU = U
    rows.append(f"{L+1}+{int(K)}:{dj:+.1e}/{di:+.1e}")
print(nm, "per jump (start+K: jump increment / integrated-days increment before it)")
for k in range(0, len(rows), 8): print("  ", "  ".join(rows[k:k+8]))
print(" total over jumps", f"{tot_j:+.2e}", "over integrated days", f"{tot_i:+.2e}", "final", f"{e[-1]:+.2e}")
