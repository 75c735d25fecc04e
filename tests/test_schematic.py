"""The explorer's schematic is drawn from the declaration: every state and flow, nothing else."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("bokeh", reason="the schematic view needs bokeh (pip install 'rlsmodel[explore]')")

from rlsmodel.explore import runs  # noqa: E402
from rlsmodel.explore.schematic import SchematicView, flow_rates, layout, schematic_data  # noqa: E402
from rlsmodel.simulator import AUGMENTATION_MECHANISMS  # noqa: E402


@pytest.mark.parametrize("mechanism", AUGMENTATION_MECHANISMS)
def test_schematic_lists_every_state_and_flow(mechanism):
    system = runs.get_model(mechanism).system
    sch = layout(system)
    assert sch.states == set(system.states)
    assert sch.flows == {(f.name, f.source, f.target) for f in system.flows}
    assert len(sch.edges) == len(system.flows)
    # every state sits inside the box of the module that declares it
    for name, x0, y0, x1, y1 in sch.modules:
        for node in sch.nodes.values():
            if node.module == name and node.state is not None:
                assert x0 < node.x < x1 and y0 < node.y < y1, (node.state, name)


def test_schematic_data_and_view_carry_current_values():
    settings = runs.Settings(profile="rls_genetic", drug="levodopa", dose_mg=100.0, treatment_days=14)
    result = runs.run(settings)
    data = schematic_data(result)
    model = runs.get_model(settings.mechanism)
    assert set(data["states"]) == set(model.system.states)
    assert {(f["name"], f["source"], f["target"]) for f in data["flows"]} == \
        {(f.name, f.source, f.target) for f in model.system.flows}
    assert all(np.isfinite(s["value"]) for s in data["states"].values())
    assert all(np.isfinite(f["rate"]) for f in data["flows"])
    view = SchematicView(result, data)
    texts = view.nodes.data["text"]
    for state in model.system.states:
        assert any(t.startswith(state + "\n") for t in texts), state
    assert list(view.flows.data["flow"]) == [f.name for f in model.system.flows]


def test_flow_rates_add_up_to_the_iron_derivatives():
    """An iron state changes only through flows: in - out equals the compiled right-hand side."""
    model = runs.get_model()
    ds = model.simulate(1, "rls_genetic", sample_every_hours=6)
    last = ds.isel(time=-1)
    state = {n: float(last[n]) for n in model.compiled.state_names}
    rates = flow_rates(model, state, float(last.time), "rls_genetic")
    y = np.array([state[n] for n in model.compiled.state_names])
    rhs = model.compiled.rhs(float(last.time), y, model.parameter_vector("rls_genetic"))
    for i, name in enumerate(model.compiled.state_names):
        s = model.system.states[name]
        if s.quantity != "iron" or s.kind != "dynamic":
            continue
        net = sum(r for f in model.system.flows for r in [rates[f.name]] if f.target == name) - \
            sum(r for f in model.system.flows for r in [rates[f.name]] if f.source == name)
        assert net == pytest.approx(rhs[i], rel=1e-9, abs=1e-12), name
