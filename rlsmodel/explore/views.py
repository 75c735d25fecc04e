"""The explorer's views: one function per view, returning a Bokeh layout.

Each view ``X_view(result)`` plots exactly the numbers its companion ``X_data(result)``
returns; the app publishes those numbers as JSON in the page (``#explore-data``) so a
browser test can read what is plotted. Every view also has a one-line
``NOTICE[view]`` telling a class what to look at; units are in the axis labels.
"""
from __future__ import annotations

import math

import numpy as np
from bokeh.layouts import column, gridplot
from bokeh.core.properties import value
from bokeh.models import BoxAnnotation, ColumnDataSource, HoverTool, Label, Legend, LegendItem, Span
from bokeh.plotting import figure

from .. import clinical, outcomes
from ..plotting import DRUG_COLOURS, weekly
from ..pharmacology import DRUGS
from .runs import daily_stats

#: What to notice in each view (one line each; the app shows it under the title).
NOTICE = {
    "day": "Symptoms rise in the evening and peak around midnight, when the circadian gate is open "
           "and the patient is at rest; moving (daytime) relieves them. Compare the untreated day with "
           "the first days and the last days on the drug.",
    "iron": "Serum ferritin and transferrin saturation can be normal while iron crossing the blood-brain "
            "barrier, brain iron and CSF ferritin are low: blood tests do not see the brain.",
    "dopamine": "Dopamine is not low in RLS: tyrosine hydroxylase and extracellular dopamine are normal or "
                "high; the drug's level swings every day and the receptors adapt over months.",
    "augmentation": "Augmentation: under a short-acting dopaminergic drug symptoms start earlier in the day "
                    "and the IRLS-like score climbs after weeks to months; the marker shows the day the "
                    "criteria were first met.",
    "transmitters": "Adenosine and glutamate: brain iron deficiency lowers the adenosine A1 receptors on "
                    "corticostriatal terminals over days to weeks, so adenosine brakes glutamate release less "
                    "and excitability rises; dipyridamole raises the adenosine tone, pregabalin cuts the "
                    "excitability that follows the release, an opioid acts on the urge downstream and leaves "
                    "these curves unchanged.",
    "schematic": "Iron moves only along these arrows (diet to plasma to brain barrier to neurons and "
                 "myelin); the numbers are the values at the end of the run, flows in mg/day.",
}

#: Variables of the iron view (name, short title).
IRON_VARIABLES = (
    ("serum_ferritin", "serum ferritin"),
    ("transferrin_saturation", "transferrin saturation"),
    ("bbb_iron_flux", "BBB iron uptake"),
    ("fe_interstitial", "brain interstitial iron"),
    ("neuronal_iron", "neuronal iron"),
    ("csf_ferritin", "CSF ferritin"),
    ("myelin", "myelin"),
)
#: Variables of the adenosine/glutamate view (rlsmodel.model.adenosine_glutamate; name, short title).
TRANSMITTER_VARIABLES = (
    ("a1_receptor_density", "A1 receptor density"),
    ("adenosine_tone", "adenosine tone"),
    ("glutamate_release", "glutamate release"),
    ("excitability", "excitability"),
)
#: Variables of the dopamine view (the mechanism's receptor densities are added).
DOPAMINE_VARIABLES = (
    ("th_activity", "tyrosine hydroxylase activity"),
    ("dopamine_extracellular", "extracellular dopamine"),
    ("d2_density", "D2 receptor density"),
)
ACTIVITY_COLOURS = {"active": "#fff7d6", "sedentary": "#fde0c5", "asleep": "#dde6f5"}
DAY_COLOURS = {"untreated": "#555555", "early": "#9ecae1", "late": "#08519c"}
MONTH = 30.4375
WIDTH = 340
HEIGHT = 210


def _r(values, digits=5):
    """A JSON-friendly list: floats rounded to ``digits`` significant digits, NaN -> None."""
    out = []
    for v in np.asarray(values, dtype=float).ravel():
        out.append(None if not math.isfinite(v) else float(f"{v:.{digits}g}"))
    return out


def _f(value):
    """A JSON-friendly float (None for NaN / None)."""
    if value is None:
        return None
    v = float(value)
    return None if not math.isfinite(v) else v


def _a(values):
    """A float array from a JSON-friendly list (None -> NaN)."""
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def _legend(label, show):
    """``legend_label`` keyword only where a legend entry is wanted."""
    return {"legend_label": label} if show else {}


def _units(ds, name):
    u = ds[name].attrs.get("units", "")
    return {"1": "", "percent": "%"}.get(u, u)


def _label(ds, name, title=None):
    u = _units(ds, name)
    return f"{title or ds[name].attrs.get('long_name', name)}" + (f" ({u})" if u else "")


def _clock_ticks(fig, axis="x", start=6, stop=30, step=3):
    ticks = list(range(start, stop + 1, step))
    ax = fig.xaxis if axis == "x" else fig.yaxis
    ax.ticker = ticks
    ax.major_label_overrides = {h: f"{h % 24:02d}:00" for h in ticks}


def _fig(title, x_label, y_label, **kw):
    f = figure(title=title, width=WIDTH, height=HEIGHT, sizing_mode="stretch_width",
               tools="pan,box_zoom,wheel_zoom,reset,save", toolbar_location="right", **kw)
    f.xaxis.axis_label = x_label
    f.yaxis.axis_label = y_label
    f.title.text_font_size = "11pt"
    f.toolbar.logo = None
    return f


def drug_colour(drug) -> str:
    """A Bokeh colour for ``drug`` (None: untreated) from :data:`rlsmodel.plotting.DRUG_COLOURS`."""
    c = DRUG_COLOURS.get(drug or "untreated") or "#08519c"
    try:                                   # matplotlib grey levels ("0.3") -> hex
        g = int(round(float(c) * 255))
        return f"#{g:02x}{g:02x}{g:02x}"
    except ValueError:
        return c


def drug_level_variable(model_system, drug):
    """Name of the variable that shows ``drug``'s level in the body (None without a drug)."""
    if drug is None:
        return None
    obs = f"{drug}_plasma_concentration"
    if obs in model_system.observables:
        return obs
    mod = next((m for m in model_system.modules if m.name == f"pharmacology_{drug}"), None)
    if mod is None or not mod.states:
        return None
    return mod.states[-1].name


def _set_span(span, location):
    """Show ``span`` at ``location`` (hide it for None)."""
    span.visible = location is not None
    if location is not None:
        span.location = float(location)


class View:
    """A view drawn once and updated in place: the app builds one per session and, on each
    run, calls :meth:`update` (new numbers into the existing data sources -- fast) unless
    :meth:`structure` of the new result differs, in which case it builds a new one."""

    name = ""

    def __init__(self, result, data=None):
        self.key = self.structure(result)
        self.layout = self.build(result)
        self.update(result, data if data is not None else self.data(result))

    @staticmethod
    def structure(result):
        """What the layout depends on besides the numbers (None: nothing)."""
        return None

    @staticmethod
    def data(result) -> dict:
        raise NotImplementedError

    def build(self, result):
        raise NotImplementedError

    def update(self, result, data) -> None:
        raise NotImplementedError


def _markers(fig):
    """Drug start and stop markers of a months figure: (start span, stop span)."""
    start = Span(location=0, dimension="height", line_dash="dotted", line_width=2, visible=False)
    stop = Span(location=0, dimension="height", line_color="#444444", line_dash="dotdash", visible=False)
    fig.add_layout(start)
    fig.add_layout(stop)
    return start, stop


def _update_markers(markers, result, scale=MONTH, origin=0.0):
    s = result.settings
    start, stop = markers
    _set_span(start, None if s.drug is None else (s.start_day - origin) / scale)
    start.line_color = drug_colour(s.drug)
    _set_span(stop, None if s.effective_stop is None else (s.effective_stop - origin) / scale)


# ============================================================================================
# a day
# ============================================================================================
def _segments(hours, modes):
    """Runs of equal activity mode: [(start_h, end_h, mode)]."""
    out, start = [], 0
    for i in range(1, len(modes) + 1):
        if i == len(modes) or modes[i] != modes[start]:
            out.append((float(hours[start]), float(hours[min(i, len(modes) - 1)]), str(modes[start])))
            start = i
    return out


def day_data(result) -> dict:
    """Urge over the symptom day for the untreated and treated days, with onsets and IRLS."""
    out = {"days": {}, "units": {"hour": "h (clock time; 24-30 = next morning)", "urge": "0-10"}}
    s = result.settings
    for label, (day, ds) in result.days.items():
        hours, sel = clinical.select_day(ds, day)
        dd = outcomes.daily(ds)
        row = dd.sel(day=day) if day in dd.day.values else dd.isel(day=0)
        out["days"][label] = {
            "day": int(day), "hour": _r(hours, 6), "urge": _r(sel["symptom"].values, 4),
            "urge_at_rest": _r(sel["urge_at_rest"].values, 4),
            "gate": _r(sel["circadian_gate"].values, 4),
            "activity": [str(a) for a in sel["activity"].values],
            "onset_hour": _f(row["onset_hour"]), "peak": _f(row["peak"]), "irls": _f(row["irls"]),
        }
    out["dose_hour"] = None if s.drug is None else s.clock_hour
    return out


class DayView(View):
    """Urge to move over 24 h (06:00 to 06:00): activity schedule, circadian gate, untreated
    versus early and late days on the drug, dose time and symptom onsets marked."""

    name = "day"
    LABELS = ("untreated", "early", "late")
    N_SEGMENTS = 8

    @staticmethod
    def data(result):
        return day_data(result)

    def build(self, result):
        top = _fig("Urge to move over a day", "clock time", "urge to move (0-10)", x_range=(6, 30),
                   y_range=(0, 10.5))
        top.height = 300
        self.boxes = []
        for _ in range(self.N_SEGMENTS):
            box = BoxAnnotation(left=0, right=0, fill_alpha=0.8, level="underlay", visible=False)
            lab = Label(x=0, y=10.0, text="", text_font_size="8pt", text_align="center", text_color="#777777",
                        visible=False)
            top.add_layout(box)
            top.add_layout(lab)
            self.boxes.append((box, lab))
        self.lines, self.onsets, items = {}, {}, []
        for label in self.LABELS:
            src = ColumnDataSource({"hour": [], "urge": []})
            r = top.line("hour", "urge", source=src, line_width=2 if label == "early" else 3,
                         color=DAY_COLOURS[label], line_dash="dashed" if label == "early" else "solid")
            osrc = ColumnDataSource({"x": [], "y": []})
            top.scatter("x", "y", source=osrc, size=10, color=DAY_COLOURS[label], marker="triangle")
            self.lines[label], self.onsets[label] = src, osrc
            items.append(LegendItem(label=label, renderers=[r]))
        self.legend = Legend(items=items, location="top_left", label_text_font_size="8pt",
                             background_fill_alpha=0.7)
        top.add_layout(self.legend)
        self.dose = Span(location=0, dimension="height", line_width=2, line_dash="dotted", visible=False)
        self.dose_label = Label(x=0, y=8.8, text="", text_font_size="8pt", visible=False)
        top.add_layout(self.dose)
        top.add_layout(self.dose_label)
        top.add_layout(Span(location=clinical.DEFAULT_THRESHOLD, dimension="width", line_color="#999999",
                            line_dash="dashed"))
        top.add_layout(Label(x=6.2, y=clinical.DEFAULT_THRESHOLD, text="onset threshold",
                             text_font_size="7pt", text_color="#999999"))
        top.add_tools(HoverTool(tooltips=[("clock", "@hour{0.0} h"), ("urge", "@urge{0.0}")]))
        _clock_ticks(top)
        gate = _fig("Circadian gate (1 = fully open)", "clock time", "gate (1)", x_range=top.x_range,
                    y_range=(0, 1.05))
        gate.height = 150
        self.gate = ColumnDataSource({"hour": [], "gate": []})
        gate.line("hour", "gate", source=self.gate, color="#6a51a3", line_width=2)
        _clock_ticks(gate)
        return column(top, gate, sizing_mode="stretch_width")

    def update(self, result, data):
        s = result.settings
        untreated = data["days"]["untreated"]
        segs = _segments(untreated["hour"], untreated["activity"])
        for i, (box, lab) in enumerate(self.boxes):
            if i < len(segs):
                a, b, mode = segs[i]
                box.update(left=a, right=b, fill_color=ACTIVITY_COLOURS.get(mode, "#eeeeee"), visible=True)
                lab.update(x=(a + b) / 2, text=mode, visible=True)
            else:
                box.visible = lab.visible = False
        names = {"untreated": "untreated", "early": "early on {drug} (day {day})",
                 "late": "late on {drug} (day {day})"}
        for item, label in zip(self.legend.items, self.LABELS):
            d = data["days"].get(label)
            if d is None:
                self.lines[label].data = {"hour": [], "urge": []}
                self.onsets[label].data = {"x": [], "y": []}
                item.visible = False
                continue
            self.lines[label].data = {"hour": _a(d["hour"]), "urge": _a(d["urge"])}
            on = [] if d["onset_hour"] is None else [d["onset_hour"]]
            self.onsets[label].data = {"x": on, "y": [clinical.DEFAULT_THRESHOLD] * len(on)}
            item.label = value(names[label].format(drug=s.drug, day=d["day"]))
            item.visible = True
        self.gate.data = {"hour": _a(untreated["hour"]), "gate": _a(untreated["gate"])}
        h = data["dose_hour"]
        h = None if h is None else clinical.in_day_hour(h)
        _set_span(self.dose, h)
        self.dose.line_color = drug_colour(s.drug)
        self.dose_label.update(visible=h is not None, x=h or 0, text=f" dose {s.dose_mg:g} mg",
                               text_color=drug_colour(s.drug))


def day_view(result):
    """The day view of ``result`` as a Bokeh layout (see :class:`DayView`)."""
    return DayView(result).layout


# ============================================================================================
# iron from blood to brain
# ============================================================================================
def iron_data(result, variables=IRON_VARIABLES) -> dict:
    """Daily means over the run of ``variables`` ((name, title) pairs; default the iron
    variables), the untreated and healthy levels."""
    run = result.run
    _, uds = result.days["untreated"]
    out = {"month": None, "variables": {}}
    for name, title in variables:
        mid, mean, _, _ = daily_stats(run, name)
        out["month"] = _r(mid / MONTH, 6)
        out["variables"][name] = {
            "title": title, "units": _units(run, name), "label": _label(run, name, title),
            "daily_mean": _r(mean), "first": _f(mean[0]), "final": _f(mean[-1]),
            "untreated": _f(clinical.select_day(uds, 0)[1][name].mean()),
            "healthy": _f(result.healthy[name]) if name in result.healthy else None,
        }
    return out


class IronView(View):
    """Seven panels over months: serum ferritin, transferrin saturation, BBB iron uptake,
    brain interstitial iron, neuronal iron, CSF ferritin and myelin (daily means); dashed:
    the untreated level, dotted green: the healthy profile's steady state."""

    name = "iron"
    #: (name, title) of each panel.
    VARIABLES = IRON_VARIABLES
    COLOUR = "#8c510a"

    @classmethod
    def data(cls, result):
        return iron_data(result, cls.VARIABLES)

    def build(self, result):
        self.panels = {}
        figs = []
        for i, (name, title) in enumerate(self.VARIABLES):
            f = _fig(title, "months since the start of the run", _label(result.run, name, title))
            src = ColumnDataSource({"month": [], "value": []})
            f.line("month", "value", source=src, line_width=2, color=self.COLOUR, **_legend("this run", i == 0))
            f.y_range.start = 0
            untreated = Span(location=0, dimension="width", line_color="#555555", line_dash="dashed")
            healthy = Span(location=0, dimension="width", line_color="#2ca02c", line_dash="dotted", line_width=2)
            f.add_layout(untreated)
            f.add_layout(healthy)
            if i == 0:      # legend entries for the reference lines
                f.line([], [], color="#555555", line_dash="dashed", legend_label="untreated")
                f.line([], [], color="#2ca02c", line_dash="dotted", line_width=2, legend_label="healthy profile")
                f.legend.label_text_font_size = "8pt"
                f.legend.location = "bottom_right"
                f.legend.background_fill_alpha = 0.6
            self.panels[name] = (src, untreated, healthy, _markers(f))
            figs.append(f)
        self.figures = figs
        return gridplot(figs, ncols=4, sizing_mode="stretch_width", toolbar_location=None)

    def update(self, result, data):
        month = _a(data["month"])
        for name, (src, untreated, healthy, markers) in self.panels.items():
            v = data["variables"][name]
            src.data = {"month": month, "value": _a(v["daily_mean"])}
            _set_span(untreated, v["untreated"])
            _set_span(healthy, v["healthy"])
            _update_markers(markers, result)
        for f in self.figures:
            f.renderers[0].glyph.line_color = drug_colour(result.settings.drug)


def iron_view(result):
    """The iron view of ``result`` as a Bokeh layout (see :class:`IronView`)."""
    return IronView(result).layout


# ============================================================================================
# adenosine and glutamate
# ============================================================================================
class TransmitterView(IronView):
    """Four panels over months from :mod:`rlsmodel.model.adenosine_glutamate`: A1 receptor
    density, adenosine tone, glutamate release and excitability (daily means; 1 = healthy
    basal); dashed: the untreated level, dotted green: the healthy profile's steady state."""

    name = "transmitters"
    VARIABLES = TRANSMITTER_VARIABLES
    COLOUR = "#6a3d9a"

    def update(self, result, data):
        super().update(result, data)
        for f, (name, _) in zip(self.figures, self.VARIABLES):     # the healthy level (1) stays in view
            v = data["variables"][name]
            levels = [x for x in (*(y for y in v["daily_mean"] if y is not None), v["untreated"], v["healthy"])
                      if x is not None and math.isfinite(x)]
            f.y_range.end = 1.1 * max(levels) if levels else None


def transmitter_view(result):
    """The adenosine/glutamate view of ``result`` as a Bokeh layout (see :class:`TransmitterView`)."""
    return TransmitterView(result).layout


# ============================================================================================
# dopamine
# ============================================================================================
def _system_of(result):
    from .runs import get_model
    return get_model(result.settings.mechanism).system


def dopamine_data(result) -> dict:
    """Daily mean, minimum and maximum over the run of TH activity, extracellular dopamine,
    receptor densities and the drug level; the drug level over the early and late day."""
    run = result.run
    s = result.settings
    names = list(DOPAMINE_VARIABLES) + [(n, n.replace("d1_density", "D1 receptor density")
                                         .replace("d3_density", "D3 receptor density"))
                                        for n in result.mechanism_states]
    out = {"month": None, "variables": {}, "drug": None}
    for name, title in names:
        mid, mean, lo, hi = daily_stats(run, name)
        out["month"] = _r(mid / MONTH, 6)
        out["variables"][name] = {"title": title, "label": _label(run, name, title), "daily_mean": _r(mean),
                                  "daily_min": _r(lo), "daily_max": _r(hi), "first": _f(mean[0]),
                                  "final": _f(mean[-1]),
                                  "healthy": _f(result.healthy[name]) if name in result.healthy else None}
    level = drug_level_variable(_system_of(result), s.drug)
    if level is not None:
        mid, mean, lo, hi = daily_stats(run, level)
        days = {}
        for label in ("early", "late"):
            if label in result.days:
                day, ds = result.days[label]
                hours, sel = clinical.select_day(ds, day)
                days[label] = {"day": int(day), "hour": _r(hours, 6), "level": _r(sel[level].values, 4)}
        out["drug"] = {"variable": level, "label": _label(run, level, f"{s.drug} level"),
                       "daily_max": _r(hi), "daily_mean": _r(mean), "days": days}
    return out


class DopamineView(View):
    """Panels over months (daily mean line, daily range band, dotted: healthy profile) of TH
    activity, extracellular dopamine, D2 density (and D1/D3 density under d3_d1_spinal); the
    drug's level over months (daily peak) and over the early and late day."""

    name = "dopamine"

    @staticmethod
    def structure(result):
        return (result.mechanism_states, result.settings.drug is not None)

    @staticmethod
    def data(result):
        return dopamine_data(result)

    def build(self, result):
        figs, self.panels = [], {}
        names = list(DOPAMINE_VARIABLES) + [(n, n) for n in result.mechanism_states]
        for name, title in names:
            title = {"d1_density": "D1 receptor density", "d3_density": "D3 receptor density"}.get(name, title)
            f = _fig(title, "months since the start of the run", _label(result.run, name, title))
            src = ColumnDataSource({"month": [], "mean": [], "lo": [], "hi": []})
            f.varea(x="month", y1="lo", y2="hi", source=src, fill_color="#6baed6", fill_alpha=0.35)
            f.line("month", "mean", source=src, color="#08519c", line_width=2)
            f.y_range.start = 0
            healthy = Span(location=0, dimension="width", line_color="#2ca02c", line_dash="dotted", line_width=2)
            f.add_layout(healthy)
            if not figs:
                f.line([], [], color="#2ca02c", line_dash="dotted", line_width=2, legend_label="healthy profile")
                f.legend.label_text_font_size = "8pt"
                f.legend.location = "bottom_right"
                f.legend.background_fill_alpha = 0.6
            self.panels[name] = (src, _markers(f), healthy)
            figs.append(f)
        self.drug_figs = None
        if result.settings.drug is not None:
            f = _fig("drug: daily peak level", "months since the start of the run", "level")
            src = ColumnDataSource({"month": [], "value": []})
            f.line("month", "value", source=src, color="#d62728", line_width=2)
            g = _fig("drug level over a day", "clock time", "level", x_range=(6, 30))
            day_src, items = {}, []
            for label in ("early", "late"):
                day_src[label] = ColumnDataSource({"hour": [], "level": []})
                r = g.line("hour", "level", source=day_src[label], color=DAY_COLOURS[label], line_width=2,
                           line_dash="dashed" if label == "early" else "solid")
                items.append(LegendItem(label=label, renderers=[r]))
            legend = Legend(items=items, location="top_right", label_text_font_size="8pt",
                            background_fill_alpha=0.6)
            g.add_layout(legend)
            _clock_ticks(g, step=6)
            self.drug_figs = (f, src, _markers(f), g, day_src, legend)
            figs += [f, g]
        return gridplot(figs, ncols=3, sizing_mode="stretch_width", toolbar_location=None)

    def update(self, result, data):
        month = _a(data["month"])
        for name, (src, markers, healthy) in self.panels.items():
            v = data["variables"][name]
            _set_span(healthy, v["healthy"])
            src.data = {"month": month, "mean": _a(v["daily_mean"]), "lo": _a(v["daily_min"]),
                        "hi": _a(v["daily_max"])}
            _update_markers(markers, result)
        d = data["drug"]
        if self.drug_figs is None:
            return
        f, src, markers, g, day_src, legend = self.drug_figs
        s = result.settings
        colour = drug_colour(s.drug)
        if d is None:
            src.data = {"month": [], "value": []}
            for label in day_src:
                day_src[label].data = {"hour": [], "level": []}
            return
        f.title.text = f"{s.drug}: daily peak level"
        g.title.text = f"{s.drug} level over a day"
        f.yaxis.axis_label = g.yaxis.axis_label = d["label"]
        f.renderers[0].glyph.line_color = colour
        src.data = {"month": month, "value": _a(d["daily_max"])}
        _update_markers(markers, result)
        for item, label in zip(legend.items, ("early", "late")):
            dd = d["days"].get(label)
            day_src[label].data = ({"hour": [], "level": []} if dd is None
                                   else {"hour": _a(dd["hour"]), "level": _a(dd["level"])})
            item.visible = dd is not None
            if dd is not None:
                item.label = value(f"{label} (day {dd['day']})")


def dopamine_view(result):
    """The dopamine view of ``result`` as a Bokeh layout (see :class:`DopamineView`)."""
    return DopamineView(result).layout


# ============================================================================================
# augmentation
# ============================================================================================
def augmentation_data(result) -> dict:
    """Weekly mean symptom onset clock time and IRLS-like score, baseline medians, the last
    four weeks' values and the day the augmentation criteria were met (MPI-like and
    clinically relevant)."""
    s = result.settings
    dd = result.daily
    days = dd.day.values
    onset_all = dd["onset_hour"].values
    idx, onset = weekly(dd, "onset_hour")
    _, irls = weekly(dd, "irls")
    wd = days[0] + 7 * idx
    v = result.verdict or {}
    base = np.isin(days, v["baseline_days"] if v else list(s.baseline_days))
    late = days > days[-1] - outcomes.LATE_WINDOW_DAYS

    def med(x):
        return _f(np.nanmedian(x)) if np.isfinite(x).any() else None

    return {
        "week": _r((wd - s.start_day) / 7.0, 6), "week_start_day": [int(x) for x in wd],
        "onset_hour": _r(onset), "irls": _r(irls),
        "baseline_onset_hour": med(onset_all[base]) if base.any() else None,
        "baseline_irls": _f(np.median(dd["irls"].values[base])) if base.any() else None,
        "late_onset_hour": med(onset_all[late]), "late_irls": _f(np.mean(dd["irls"].values[late])),
        "day_met": v.get("day_met"), "day_met_clinically_relevant": v.get("day_met_clinically_relevant"),
        "augmented": v.get("augmented"), "onset_advance_h": _f(v.get("onset_advance_h")),
        "severity_ratio": _f(v.get("severity_ratio")), "start_day": s.start_day,
        "units": {"onset_hour": "h (clock time; 24-30 = after midnight)", "irls": "0-40"},
    }


class AugmentationView(View):
    """Weekly symptom onset clock time and weekly IRLS-like score over the run, with the
    untreated baseline and the day the augmentation criteria were met."""

    name = "augmentation"
    PANELS = (("onset_hour", "Symptom onset (weekly mean)", "onset clock time (h)", "#d62728"),
              ("irls", "IRLS-like severity (weekly mean)", "IRLS-like score (0-40)", "#08519c"))

    @staticmethod
    def data(result):
        return augmentation_data(result)

    def build(self, result):
        figs, self.panels = [], {}
        for key, title, ylabel, colour in self.PANELS:
            f = _fig(title, "weeks since the first dose", ylabel)
            f.height = 260
            src = ColumnDataSource({"week": [], "value": []})
            f.line("week", "value", source=src, color=colour, line_width=2)
            f.scatter("week", "value", source=src, color=colour, size=5)
            f.add_tools(HoverTool(tooltips=[("week", "@week{0}"), (ylabel, "@value{0.0}")]))
            base = Span(location=0, dimension="width", line_color="#555555", line_dash="dashed")
            base_label = Label(x=0, y=0, text="untreated baseline", text_font_size="8pt", text_color="#555555")
            start, stop = _markers(f)
            met = {}
            for dkey, mcolour, y in (("day_met", "#ff7f0e", 20), ("day_met_clinically_relevant", "#d62728", 6)):
                span = Span(location=0, dimension="height", line_color=mcolour, line_width=2, visible=False)
                lab = Label(x=0, y=y, y_units="screen", text="", text_font_size="8pt", text_color=mcolour,
                            visible=False)
                f.add_layout(span)
                f.add_layout(lab)
                met[dkey] = (span, lab)
            for a in (base, base_label):
                f.add_layout(a)
            if key == "onset_hour":
                _clock_ticks(f, axis="y")
            self.panels[key] = (src, base, base_label, start, stop, met)
            figs.append(f)
        return gridplot(figs, ncols=2, sizing_mode="stretch_width", toolbar_location=None)

    def update(self, result, data):
        s = result.settings
        week = _a(data["week"])
        for key, (src, base, base_label, start, stop, met) in self.panels.items():
            src.data = {"week": week, "value": _a(data[key])}
            b = data["baseline_onset_hour" if key == "onset_hour" else "baseline_irls"]
            _set_span(base, b)
            base_label.update(visible=b is not None, x=float(week[0]) if week.size else 0.0, y=b or 0.0)
            _update_markers((start, stop), result, scale=7.0, origin=s.start_day)
            labels = {"day_met": "criteria met", "day_met_clinically_relevant": "persistent"}
            for dkey, (span, lab) in met.items():
                day = data[dkey]
                x = None if day is None else (day - s.start_day) / 7.0
                _set_span(span, x)
                lab.update(visible=x is not None, x=x or 0.0, text=f" {labels[dkey]} (day {day})")


def augmentation_view(result):
    """The augmentation view of ``result`` as a Bokeh layout (see :class:`AugmentationView`)."""
    return AugmentationView(result).layout


def drug_note(drug) -> str:
    """One line on a drug's doses (mg) for the control panel."""
    if drug is None:
        return "untreated"
    d = DRUGS[drug]
    unit = "mg/24 h patch" if d.route == "transdermal" else "mg"
    lo, hi = d.typical_dose_mg
    extra = "; given once on the start day" if d.route == "intravenous" else ""
    return (f"{d.long_name}: typical {lo:g}-{hi:g} {unit}, documented maximum "
            f"{d.max_daily_dose_mg:g} {unit} a day{extra}")
