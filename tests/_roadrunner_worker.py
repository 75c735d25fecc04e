"""Run libroadrunner in its own process (used by test_sbml.py).

libroadrunner bundles its own LLVM and SUNDIALS; loaded into a process that already holds
numba's LLVM and the SUNDIALS libraries of the cvode engine it can crash (seen as a
segfault in RoadRunner() when the whole suite runs in one process). The tests therefore
send it work as JSON on stdin and read the answer as JSON on stdout.

Request: {"sbml": path-or-xml, "set": {id: value}, "op": "rates" | "simulate" | "values",
          "selections": [...], "t0": float, "t1": float, "n": int, "ids": [...]}
"""
import json
import sys

import numpy as np
import roadrunner


def main():
    req = json.load(sys.stdin)
    rr = roadrunner.RoadRunner(req["sbml"])
    rr.integrator.relative_tolerance = 1e-8
    rr.integrator.absolute_tolerance = 1e-10
    rr.integrator.maximum_num_steps = 100000
    for key, value in req.get("set", {}).items():
        rr[key] = value
    op = req["op"]
    if op == "rates":
        out = {"ids": list(rr.model.getFloatingSpeciesIds()), "rates": list(map(float, rr.getRatesOfChange()))}
    elif op == "simulate":
        rr.timeCourseSelections = req["selections"]
        out = {"result": np.asarray(rr.simulate(req["t0"], req["t1"], req["n"])).tolist()}
    elif op == "values":
        out = {"values": [float(rr[i]) for i in req["ids"]]}
    else:
        raise SystemExit(f"unknown op {op!r}")
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
