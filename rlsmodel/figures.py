"""Teaching figures for slides: ``rlsmodel figures [--out figures/]``.

Each figure function takes a :class:`~rlsmodel.Model` and returns ``(fig, caption)``;
:func:`write` saves it as ``NAME.png`` (16:9, 200 dpi: 2667 x 1500 px) and ``NAME.svg``
with ``NAME.txt``, a caption saying what the figure shows and which profiles,
parameters, regimens and model version made it. Figures read every number from the
model, so they stay true when parameters are re-calibrated: regenerate them.

>>> from rlsmodel.figures import write_all
>>> for paths in write_all("figures"):                       # doctest: +SKIP
...     print(paths)
"""
from __future__ import annotations
from .fileio import atomic_output, write_text_atomic

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from ._version import __version__  # noqa: E402
from . import clinical, outcomes  # noqa: E402
from .plotting import DRUG_COLOURS, weekly  # noqa: E402
from .pharmacology import reference_dose  # noqa: E402
from .profiles import PROFILES  # noqa: E402

#: Slide size (inches, 16:9) and resolution (dots per inch) of the PNGs.
SLIDE_SIZE = (13.33, 7.5)
DPI = 200
PROFILE_COLOURS = {"healthy": "#2ca02c", "iron_deficient": "#ff7f0e", "rls_genetic": "#1f77b4",
                   "rls_iron_deficient": "#d62728", "severe_iron_deficiency": "#8c564b",
                   "iron_overload": "#9467bd"}
ACTIVITY_COLOURS = {"active": "#fff7d6", "sedentary": "#fde0c5", "asleep": "#dde6f5"}


def _style():
    plt.rcParams.update({"font.size": 15, "axes.titlesize": 17, "axes.labelsize": 15, "legend.fontsize": 12,
                         "axes.spines.top": False, "axes.spines.right": False})


def _profiles():
    """The profiles shown: the four core ones first, then any others the package defines."""
    core = [p for p in ("healthy", "iron_deficient", "rls_genetic", "rls_iron_deficient") if p in PROFILES]
    return core + [p for p in PROFILES if p not in core]


def _profile_lines(names) -> str:
    lines = []
    for name in names:
        prof = PROFILES[name]
        over = ", ".join(f"{k}={v:g}" for k, v in prof.overrides.items()) or "declared defaults"
        lines.append(f"  - {name}: {over}")
    return "\n".join(lines)


def _provenance(model) -> str:
    return (f"Model: rlsmodel {__version__}, structure {model.compiled.structure_hash}, augmentation "
            f"mechanism {model.augmentation}, DAT hypothesis {model.dat_hypothesis}.")


def _clock(hours) -> str:
    """Clock time ``HH:MM`` of an hour value (24-30 = after midnight); 'no symptoms' for NaN."""
    if not np.isfinite(hours):
        return "no symptoms"
    minutes = int(round(hours * 60))
    return f"{(minutes // 60) % 24:02d}:{minutes % 60:02d}"


def _clock_axis(ax, step=3):
    ticks = list(range(6, 31, step))
    ax.set_xticks(ticks)
    ax.set_xticklabels([f"{h % 24:02d}:00" for h in ticks])
    ax.set_xlim(6, 30)
    ax.set_xlabel("clock time")


def _shade_activity(ax, hours, modes):
    start = 0
    for i in range(1, len(modes) + 1):
        if i == len(modes) or modes[i] != modes[start]:
            ax.axvspan(hours[start], hours[min(i, len(modes) - 1)], color=ACTIVITY_COLOURS.get(str(modes[start])),
                       zorder=0, lw=0)
            ax.text((hours[start] + hours[min(i, len(modes) - 1)]) / 2, 0.97, str(modes[start]),
                    transform=ax.get_xaxis_transform(), ha="center", va="top", fontsize=11, color="0.4")
            start = i


# ============================================================================================
def circadian_symptom_curve(model):
    """Urge to move over 24 h (06:00 to 06:00) for each profile, with the activity schedule
    and the circadian gate."""
    _style()
    names = _profiles()
    fig, (ax, gate_ax) = plt.subplots(2, 1, figsize=SLIDE_SIZE, sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    onsets = {}
    for i, name in enumerate(names):
        ds = model.simulate(2, name, sample_every_hours=0.1)
        h, sel = clinical.select_day(ds, 0)
        if i == 0:
            _shade_activity(ax, h, sel["activity"].values)
            gate_ax.plot(h, sel["circadian_gate"].values, color="#6a51a3", lw=2.5)
        ax.plot(h, sel["symptom"].values, lw=3, color=PROFILE_COLOURS.get(name), label=name.replace("_", " "))
        onsets[name] = float(outcomes.daily(ds)["onset_hour"].values[0])
    ax.axhline(clinical.DEFAULT_THRESHOLD, color="0.5", ls="--", lw=1)
    ax.set_ylabel("urge to move (0-10)")
    ax.set_ylim(0, 10.5)
    ax.set_title("The urge to move rises in the evening and at rest, peaking around midnight")
    ax.legend(loc="upper left", bbox_to_anchor=(0.0, 0.9), frameon=False)  # below the activity labels
    gate_ax.set_ylabel("circadian gate (1)")
    gate_ax.set_ylim(0, 1.05)
    _clock_axis(gate_ax)
    fig.tight_layout()
    onset_text = "; ".join(f"{n}: {_clock(v)}" for n, v in onsets.items())
    caption = (
        "Circadian symptom curve. Urge to move (0-10) over one day, 06:00 to 06:00, for each patient "
        "profile on its daily limit cycle (untreated), with the default activity schedule shaded "
        "(active 07-18 h, sedentary evening 18-23 h, asleep 23-07 h) and the circadian gate below. "
        "Movement relieves the urge by day; at rest in the evening, with the gate opening, it builds up. "
        f"Symptom onset (urge at rest above {clinical.DEFAULT_THRESHOLD:g}/10): {onset_text}.\n"
        "Made with: Model.simulate(2 days, sample_every_hours=0.1), second symptom day not needed "
        "because runs start on the limit cycle; profiles (parameter overrides):\n"
        f"{_profile_lines(names)}\n{_provenance(model)}"
    )
    return fig, caption


IRON_CHAIN = (("serum_ferritin", "serum\nferritin"), ("transferrin_saturation", "transferrin\nsaturation"),
              ("bbb_iron_flux", "BBB iron\nuptake"), ("fe_interstitial", "brain\ninterstitial"),
              ("neuronal_iron", "neuronal\niron"), ("csf_ferritin", "CSF\nferritin"), ("myelin", "myelin"))
DOPAMINE_CHAIN = (("th_activity", "TH\nactivity"), ("da_tissue", "tissue\ndopamine"),
                  ("dopamine_extracellular", "extracellular\ndopamine"), ("dat", "membrane\nDAT"),
                  ("d2_density", "D2\ndensity"), ("d2_signal", "D2\nsignalling"))


def _percent_of_healthy(model, chain, title, ylabel):
    _style()
    names = _profiles()
    ss = {n: model.steady_state(n) for n in names}
    chain = [(v, lab) for v, lab in chain if v in ss["healthy"]]
    fig, ax = plt.subplots(figsize=SLIDE_SIZE)
    width = 0.8 / len(names)
    x = np.arange(len(chain))
    table = {}
    for i, name in enumerate(names):
        vals = np.array([100.0 * float(ss[name][v]) / float(ss["healthy"][v]) if float(ss["healthy"][v]) else np.nan
                         for v, _ in chain])
        table[name] = dict(zip([v for v, _ in chain], vals))
        ax.bar(x + (i - (len(names) - 1) / 2) * width, vals, width, color=PROFILE_COLOURS.get(name),
               label=name.replace("_", " "))
    ax.axhline(100, color="0.3", lw=1, ls="--")
    ax.set_xticks(x)
    ax.set_xticklabels([lab for _, lab in chain])
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.set_ylim(0, max(ax.get_ylim()[1], 100) * 1.12)
    ax.legend(frameon=False, ncol=len(names), loc="upper right")
    fig.tight_layout()
    units = "; ".join(f"{v}: healthy {float(ss['healthy'][v]):.3g} {ss['healthy'][v].attrs.get('units', '')}"
                      for v, _ in chain)
    values = "\n".join(f"  - {n}: " + ", ".join(f"{v} {p:.0f}%" for v, p in row.items()) for n, row in table.items())
    return fig, units, values, names


def iron_blood_to_brain(model):
    """Steady-state iron readouts from blood to brain for each profile, in % of healthy."""
    fig, units, values, names = _percent_of_healthy(
        model, IRON_CHAIN, "Iron from blood to brain: blood tests can be normal while the brain is iron-poor",
        "% of the healthy profile")
    caption = (
        "Iron from blood to brain across profiles. Bars: steady state of the day-averaged system "
        "(Model.steady_state) of each readout along the path blood -> blood-brain barrier -> brain "
        "interstitium -> neurons -> CSF ferritin -> myelin, as % of the healthy profile (dashed line: "
        "100 %). In genetic RLS (impaired BBB and neuronal iron acquisition) serum ferritin and "
        "transferrin saturation stay near normal while BBB uptake, brain iron and CSF ferritin are low; "
        "systemic iron deficiency lowers both; the two hits together lower the brain most.\n"
        f"Healthy values: {units}.\nValues:\n{values}\nProfiles (parameter overrides):\n"
        f"{_profile_lines(names)}\n{_provenance(model)}"
    )
    return fig, caption


def dopamine_not_low(model):
    """Steady-state dopamine readouts for each profile, in % of healthy."""
    fig, units, values, names = _percent_of_healthy(
        model, DOPAMINE_CHAIN, "Dopamine is not low in RLS: synthesis is up, the receptors adapt",
        "% of the healthy profile")
    caption = (
        "Dopamine is not low. Bars: steady state of the day-averaged system of tyrosine hydroxylase "
        "activity, tissue and extracellular dopamine, membrane DAT, D2 receptor density and D2 "
        "signalling for each profile, as % of the healthy profile (dashed line: 100 %). Brain iron "
        "deficiency stabilises HIF and induces TH, so presynaptic dopamine is normal or high (as in "
        "CSF and PET studies); postsynaptic D2 density falls in response.\n"
        f"Healthy values: {units}.\nValues:\n{values}\nProfiles (parameter overrides):\n"
        f"{_profile_lines(names)}\n{_provenance(model)}"
    )
    return fig, caption


def _day(day) -> str:
    return "not within the run" if day is None else f"day {day}"


#: Regimens of the drug figure: (drug, dose mg (patch mg/24 h), clock hour), the drug table's
#: reference doses (:func:`rlsmodel.pharmacology.reference_dose`).
DRUG_REGIMENS = tuple((drug, *reference_dose(drug)) for drug in ("levodopa", "pramipexole", "rotigotine"))


def drug_day_augmentation(model, profile: str = "rls_genetic", treatment_days: int = 365):
    """Left: the urge over a day untreated, early and late on levodopa. Right: weekly
    IRLS-like score over a year for levodopa, pramipexole and the rotigotine patch."""
    from .explore import runs
    _style()
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=SLIDE_SIZE, gridspec_kw={"width_ratios": [1, 1.2]})
    results = {}
    for drug, dose, hour in DRUG_REGIMENS:
        s = runs.with_profile(runs.Settings(drug=drug, dose_mg=dose, clock_hour=hour, treatment_days=treatment_days,
                                            mechanism=model.augmentation), profile)
        results[drug] = runs.run(s)
    first = DRUG_REGIMENS[0][0]
    res = results[first]
    for label, colour, ls in (("untreated", "0.3", "-"), ("early", "#9ecae1", "--"), ("late", "#08519c", "-")):
        if label not in res.days:
            continue
        day, ds = res.days[label]
        h, sel = clinical.select_day(ds, day)
        if label == "untreated":
            _shade_activity(ax, h, sel["activity"].values)
        text = "untreated" if label == "untreated" else f"{label} on {first} (day {day})"
        ax.plot(h, sel["symptom"].values, color=colour, ls=ls, lw=3, label=text)
    dose_h = DRUG_REGIMENS[0][2]
    ax.axvline(clinical.in_day_hour(dose_h), color=DRUG_COLOURS.get(first), ls=":", lw=2)
    ax.set_ylabel("urge to move (0-10)")
    ax.set_ylim(0, 10.5)
    _clock_axis(ax, step=6)
    ax.set_title(f"A day on {first} {DRUG_REGIMENS[0][1]:g} mg at {dose_h:g}:00")
    ax.legend(loc="upper left", bbox_to_anchor=(0.0, 0.92), frameon=True, framealpha=0.8, fontsize=11)
    verdict_lines = []
    for drug, dose, hour in DRUG_REGIMENS:
        r = results[drug]
        dd = r.daily
        idx, irls = weekly(dd, "irls")
        weeks = (dd.day.values[0] + 7 * idx - r.settings.start_day) / 7.0
        ax2.plot(weeks, irls, lw=2.5, marker="o", ms=3, color=DRUG_COLOURS.get(drug), label=drug)
        v = r.verdict
        if v["day_met"] is not None:
            ax2.axvline((v["day_met"] - r.settings.start_day) / 7.0, color=DRUG_COLOURS.get(drug), ls=":", lw=1.5)
        verdict_lines.append(
            f"  - {drug} {dose:g} {'mg/24 h patch' if drug == 'rotigotine' else 'mg'} at {hour:g}:00 from day "
            f"{r.settings.start_day}: criteria first met: {_day(v['day_met'])}; clinically relevant "
            f"(persistent): {_day(v['day_met_clinically_relevant'])}, onset advance {v['onset_advance_h']:.1f} h, "
            f"late/baseline IRLS {v['severity_ratio']:.2f}")
    ax2.axvline(0, color="0.5", lw=1)
    ax2.set_xlabel("weeks since the first dose")
    ax2.set_ylabel("IRLS-like score (0-40), weekly mean")
    ax2.set_title("Augmentation: severity over a year of treatment")
    ax2.legend(frameon=False)
    fig.tight_layout()
    caption = (
        f"A drug day and augmentation (profile {profile}). Left: the urge to move (0-10) over one symptom "
        f"day (06:00 to 06:00) untreated, on the second day of {first} and on the last day of a "
        f"{treatment_days}-day course, with the activity schedule shaded and the dose time dotted. Right: "
        f"weekly mean IRLS-like score (0-40) from {clinical.BASELINE_DAYS // 7} untreated weeks through the course "
        "for each drug; dotted "
        "verticals mark the day the augmentation criteria (rlsmodel.outcomes.augmentation, MPI-like) were "
        "first met. A short-acting drug wears off before the night ends and the receptors adapt; the "
        "24-hour patch keeps a steady level.\nRuns (rlsmodel.explore.runs.run: 1 h sampling, rtol 1e-6; the "
        "displayed days re-simulated at 6-minute spacing):\n" + "\n".join(verdict_lines) +
        f"\nProfile overrides: {_profile_lines([profile]).strip()[2:]}\n{_provenance(model)}"
    )
    return fig, caption


#: Figure name -> function(model) -> (fig, caption).
FIGURES = {
    "circadian_symptom_curve": circadian_symptom_curve,
    "iron_blood_to_brain": iron_blood_to_brain,
    "dopamine_not_low": dopamine_not_low,
    "drug_day_augmentation": drug_day_augmentation,
}


def write(name: str, out, model=None) -> tuple:
    """Make figure ``name`` and write ``out/NAME.png``, ``.svg`` and ``.txt``; return the paths."""
    from .simulator import Model
    if name not in FIGURES:
        raise ValueError(f"unknown figure {name!r}; available: {', '.join(FIGURES)}")
    model = model or Model()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    fig, caption = FIGURES[name](model)
    png, svg, txt = out / f"{name}.png", out / f"{name}.svg", out / f"{name}.txt"
    from .provenance import model_stamp
    meta = {"Software": f"rlsmodel {__version__}", "Description": json.dumps({"figure": name}),
            "Comment": model_stamp(model.identity())}
    with atomic_output(png) as tmp:
        fig.savefig(tmp, dpi=DPI, metadata=meta)
    # a deterministic SVG (no date, clip-path ids salted by the figure's name): regenerating an
    # unchanged figure leaves the file unchanged, so a diff shows what the model changed
    with atomic_output(svg) as tmp, plt.rc_context({"svg.hashsalt": name}):
        fig.savefig(tmp, metadata={"Date": None})
    plt.close(fig)
    write_text_atomic(txt, caption.rstrip() + "\n")
    return png, svg, txt


def write_all(out="figures", names=None, model=None):
    """Write every figure (or ``names``) to ``out``; yields each figure's (png, svg, txt)."""
    from .simulator import Model
    model = model or Model()
    for name in names or FIGURES:
        yield write(name, out, model)
