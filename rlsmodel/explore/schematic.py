"""A schematic of the model drawn from its declaration: compartments, flows, current values.

Nothing here is hand-placed per state: :func:`layout` walks ``System.modules`` (one box
per module that owns states, its states stacked inside) and ``System.flows`` (one arrow
per flow; a flow from or to outside the body gets a small "outside" stub), and the
ledger states the assembler adds get a box of their own. Adding or changing a module
changes the picture without touching this file, and :func:`layout` lists every state
and flow of the declared model (``tests/test_schematic.py`` compares the sets).

:func:`flow_rates` evaluates each flow's declared rate expression (observables
substituted) at a state, so arrows carry current rates in the state's unit per day.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from ..caching import LRUCache
from ..model.declaration import sym, t

#: Colours by kind of state.
KIND_COLOURS = {"iron": "#c98a5a", "ledger": "#bdbdbd", "input": "#b39ddb", "other": "#9ecae1"}
BOX_W, BOX_H, ROW_STEP = 2.6, 0.55, 0.75
COL_STEP, COLS = 3.4, 4


@dataclass
class Node:
    """One drawn state (or an 'outside' stub: ``state`` None)."""

    name: str
    x: float
    y: float
    module: str
    label: str
    unit: str = ""
    kind: str = "other"
    description: str = ""
    state: str | None = None


@dataclass
class Edge:
    """One drawn flow: from node ``tail`` to node ``head``."""

    flow: str
    source: str | None
    target: str | None
    tail: str
    head: str
    description: str = ""


@dataclass
class Schematic:
    """Positions of every state and flow of a system, grouped by module."""

    nodes: dict = field(default_factory=dict)          # node name -> Node
    edges: list = field(default_factory=list)          # Edge per flow
    modules: list = field(default_factory=list)        # (module name, x0, y0, x1, y1)

    @property
    def states(self) -> set:
        """Names of the states drawn."""
        return {n.state for n in self.nodes.values() if n.state is not None}

    @property
    def flows(self) -> set:
        """(flow name, source, target) of the flows drawn (None = outside the system)."""
        return {(e.flow, e.source, e.target) for e in self.edges}


def _kind(state) -> str:
    if state.kind in ("ledger", "input"):
        return state.kind
    return "iron" if state.quantity == "iron" else "other"


def layout(system) -> Schematic:
    """Place every state of ``system`` in its module's box and every flow as an arrow."""
    sch = Schematic()
    owner = {}
    groups = []
    for m in system.modules:
        names = [s.name for s in m.states]
        if names:
            groups.append((m.name, names))
            for n in names:
                owner[n] = m.name
    ledger = [n for n, s in system.states.items() if n not in owner]
    if ledger:
        groups.append(("ledger (added by the assembler)", ledger))
    # iron-carrying modules first, in declaration order; pharmacology in a compact band
    def order(g):
        name, names = g
        iron = any(system.states[n].quantity == "iron" for n in names)
        return (name.startswith("pharmacology"), not iron)
    groups.sort(key=order)
    col, row_y, row_height = 0, 0.0, 0.0
    for name, names in groups:
        if col == COLS:
            col, row_y, row_height = 0, row_y - row_height - 0.4, 0.0
        x = col * COL_STEP
        height = len(names) * ROW_STEP + 0.8
        sch.modules.append((name, x - BOX_W / 2 - 0.2, row_y - height + 0.55, x + BOX_W / 2 + 0.2, row_y + 0.7))
        for i, n in enumerate(names):
            s = system.states[n]
            y = row_y - i * ROW_STEP
            sch.nodes[n] = Node(n, x, y, name, s.long_name or n, s.unit, _kind(s), s.description, n)
        row_height = max(row_height, height)
        col += 1
    for f in system.flows:
        if f.source is None:
            tgt = sch.nodes[f.target]
            stub = f"outside: {f.name}"
            sch.nodes[stub] = Node(stub, tgt.x - BOX_W / 2 - 0.55, tgt.y + 0.22, tgt.module, "in", kind="outside")
            sch.edges.append(Edge(f.name, None, f.target, stub, f.target, f.description))
        elif f.target is None:
            src = sch.nodes[f.source]
            stub = f"outside: {f.name}"
            sch.nodes[stub] = Node(stub, src.x + BOX_W / 2 + 0.55, src.y - 0.22, src.module, "out", kind="outside")
            sch.edges.append(Edge(f.name, f.source, None, f.source, stub, f.description))
        else:
            sch.edges.append(Edge(f.name, f.source, f.target, f.source, f.target, f.description))
    return sch


#: Flow-rate functions by compiled system (the key holds the system, so it is never a stale id).
_RATE_CACHE = LRUCache(4)


def _rate_function(compiled):
    """Vectorised ``rates(t, y, p)`` of every flow of ``compiled.system`` (cached)."""
    def build():
        system = compiled.system
        subs = {sym(n): e for n, e in system.observable_exprs.items()}
        exprs = [f.rate.xreplace(subs) for f in system.flows]
        return sp.lambdify((t, list(compiled.state_symbols), list(compiled.parameter_symbols)), exprs,
                           modules="numpy")
    return _RATE_CACHE.get_or_compute(compiled, build)


def flow_rates(model, state: dict, time_days: float, profile="healthy", params=None) -> dict:
    """Rate of every flow (state unit per day) at ``state`` (name -> value) and time ``time_days``."""
    y = np.array([float(state[n]) for n in model.compiled.state_names])
    p = model.parameter_vector(profile, params)
    values = _rate_function(model.compiled)(float(time_days), y, p)
    return {f.name: float(v) for f, v in zip(model.system.flows, values)}


def _fmt(v) -> str:
    if v is None or not math.isfinite(v):
        return "-"
    a = abs(v)
    if a == 0:
        return "0"
    if a >= 1000 or a < 0.01:
        return f"{v:.2e}"
    return f"{v:.3g}"


def schematic_data(result) -> dict:
    """States (value at the end of the run) and flows (rate at the end of the run)."""
    from .runs import get_model
    s = result.settings
    model = get_model(s.mechanism)
    sch = layout(model.system)
    last = result.run.isel(time=-1)
    state = {n: float(last[n]) for n in model.compiled.state_names}
    rates = flow_rates(model, state, float(last.time), s.profile, s.params)
    return {
        "time_days": float(last.time),
        "states": {n: {"value": state[n], "unit": model.system.states[n].unit,
                       "module": sch.nodes[n].module} for n in model.system.states},
        "flows": [{"name": e.flow, "source": e.source, "target": e.target, "rate": rates[e.flow],
                   "unit": model.system.states[e.source or e.target].unit + "/day"} for e in sch.edges],
        "_schematic": sch,
    }


class SchematicView:
    """The model's compartments (boxes grouped by module) and flows (arrows), with the state
    values and flow rates at the end of the run; hover a box or an arrow's dot for details.

    Built once per model structure; :meth:`update` only replaces the numbers."""

    name = "schematic"

    def __init__(self, result, data=None):
        data = data if data is not None else schematic_data(result)
        self.key = self.structure(result)
        self.layout = self.build(data["_schematic"])
        self.update(result, data)

    @staticmethod
    def structure(result):
        return result.settings.mechanism

    @staticmethod
    def data(result):
        return schematic_data(result)

    def build(self, sch):
        from bokeh.models import Arrow, ColumnDataSource, HoverTool, LabelSet, NormalHead, Range1d
        from bokeh.plotting import figure

        self.sch = sch
        xs = [n.x for n in sch.nodes.values()]
        ys = [n.y for n in sch.nodes.values()]
        f = figure(title="Model schematic: compartments and flows (values at the end of the run)",
                   height=820, sizing_mode="stretch_width", tools="pan,wheel_zoom,box_zoom,reset,save",
                   x_range=Range1d(min(xs) - 2.0, max(xs) + 2.0), y_range=Range1d(min(ys) - 0.8, max(ys) + 1.0))
        f.axis.visible = False
        f.grid.visible = False
        f.toolbar.logo = None
        mod = {"x": [], "y": [], "w": [], "h": [], "name": [], "ty": []}
        for name, x0, y0, x1, y1 in sch.modules:
            mod["x"].append((x0 + x1) / 2)
            mod["y"].append((y0 + y1) / 2)
            mod["w"].append(x1 - x0)
            mod["h"].append(y1 - y0)
            mod["name"].append(name)
            mod["ty"].append(y1 - 0.04)
        msrc = ColumnDataSource(mod)
        f.rect("x", "y", "w", "h", source=msrc, fill_color="#f7f7f7", line_color="#bbbbbb", line_dash="dashed")
        f.add_layout(LabelSet(x="x", y="ty", text="name", source=msrc, text_font_size="8pt", text_align="center",
                              text_baseline="top", text_color="#666666", text_font_style="italic"))
        mids = {"x": [], "y": [], "flow": [], "description": []}
        seen_pairs = set()
        for e in sch.edges:
            a, b = sch.nodes[e.tail], sch.nodes[e.head]
            dx, dy = b.x - a.x, b.y - a.y
            length = math.hypot(dx, dy) or 1.0
            pair = frozenset((e.tail, e.head))        # offset the two directions of a pair
            off = 0.09 if pair in seen_pairs else -0.09
            seen_pairs.add(pair)
            ux, uy = dx / length, dy / length
            ox, oy = -uy * off, ux * off

            def gap(node):
                if node.state is None:
                    return 0.12
                return min(BOX_W / 2 / max(abs(ux), 1e-9), BOX_H / 2 / max(abs(uy), 1e-9)) + 0.03
            x0, y0 = a.x + ux * gap(a) + ox, a.y + uy * gap(a) + oy
            x1, y1 = b.x - ux * gap(b) + ox, b.y - uy * gap(b) + oy
            colour = "#8c510a"
            f.add_layout(Arrow(end=NormalHead(size=8, fill_color=colour, line_color=colour), x_start=x0,
                               y_start=y0, x_end=x1, y_end=y1, line_color=colour, line_width=1.5, line_alpha=0.8))
            mids["x"].append((x0 + x1) / 2)
            mids["y"].append((y0 + y1) / 2)
            mids["flow"].append(e.flow)
            mids["description"].append(e.description)
        nodes = {"x": [], "y": [], "name": [], "label": [], "description": [], "colour": [], "w": [], "h": []}
        for n in sch.nodes.values():
            nodes["x"].append(n.x)
            nodes["y"].append(n.y)
            nodes["name"].append(n.state or n.name)
            nodes["label"].append(n.label)
            nodes["description"].append(n.description)
            real = n.state is not None
            nodes["w"].append(BOX_W if real else 0.4)
            nodes["h"].append(BOX_H if real else 0.3)
            nodes["colour"].append(KIND_COLOURS[n.kind] if real else "#ffffff")
        n_nodes, n_flows = len(nodes["x"]), len(mids["x"])
        self.nodes = ColumnDataSource({**nodes, "value": [""] * n_nodes, "text": [""] * n_nodes})
        boxes = f.rect("x", "y", "w", "h", source=self.nodes, fill_color="colour", line_color="#555555",
                       fill_alpha=0.9)
        f.add_layout(LabelSet(x="x", y="y", text="text", source=self.nodes, text_font_size="7.5pt",
                              text_align="center", text_baseline="middle"))
        f.add_tools(HoverTool(renderers=[boxes], tooltips=[("state", "@name"), ("", "@label"),
                                                            ("value", "@value"), ("", "@description")]))
        self.flows = ColumnDataSource({**mids, "rate": [""] * n_flows, "text": [""] * n_flows})
        dots = f.scatter("x", "y", source=self.flows, size=6, color="#8c510a")
        f.add_layout(LabelSet(x="x", y="y", text="text", source=self.flows, text_font_size="7pt",
                              text_color="#8c510a", x_offset=4, y_offset=2))
        f.add_tools(HoverTool(renderers=[dots], tooltips=[("flow", "@flow"), ("rate", "@rate"),
                                                           ("", "@description")]))
        return f

    def update(self, result, data):
        values, texts = [], []
        for n in self.sch.nodes.values():
            if n.state is None:
                values.append("")
                texts.append(n.label)
                continue
            v = data["states"][n.state]["value"]
            unit = "" if n.unit == "1" else f" {n.unit}"
            values.append(_fmt(v) + unit)
            texts.append(f"{n.state}\n{_fmt(v)}{unit}")
        self.nodes.patch({"value": [(slice(0, len(values)), values)], "text": [(slice(0, len(texts)), texts)]})
        rates = {fl["name"]: fl for fl in data["flows"]}
        rate_text = [f"{_fmt(rates[e.flow]['rate'])} {rates[e.flow]['unit']}" for e in self.sch.edges]
        short = [_fmt(rates[e.flow]["rate"]) for e in self.sch.edges]
        self.flows.patch({"rate": [(slice(0, len(short)), rate_text)], "text": [(slice(0, len(short)), short)]})


def schematic_view(result):
    """The schematic of ``result`` as a Bokeh figure (see :class:`SchematicView`)."""
    return SchematicView(result).layout
