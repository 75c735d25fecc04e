"""Switching away from augmentation: augmented patients moved to pregabalin, oxycodone-naloxone or the rotigotine patch.

What clinicians face most after augmentation on a dopamine agonist (issue 28, item 3): the
guidelines (Garcia-Borreguero et al. 2016, Sleep Med 21:1) advise switching to an
alpha-2-delta ligand, the rotigotine patch or an opioid, often after a washout. This
experiment asks how fast the augmentation resolves after each switch and how the IRLS runs
over the following year, with the published numbers beside the simulated ones. Everything
here is a prediction: nothing is fitted to switching data (docs/calibration.md).

Design (fixed-week switch; docs/decisions.md, decision 44)
----------------------------------------------------------
1. **Who augments.** A virtual population (``n`` patients, ``seed``, profile ``rls_genetic``,
   inclusion baseline IRLS >= 15) takes the source drug daily from randomisation for
   ``switch_week`` weeks: by default pramipexole 0.5 mg (Allen et al. 2014's higher arm) for
   104 weeks in the model with the persistent D2 sensitisation switched on
   (``params={"d2_persistent_gain": 0.03}``, decision 34), because the default model
   augments pramipexole patients rarely within a year (clinically relevant about 2 %). The
   trial is :func:`rlsmodel.virtual_trial` with that one arm, scored as every trial is.
2. **The switch.** Every patient who met the MPI criteria at some visit up to week
   ``switch_week`` is run again in every arm, the same person with the same day-to-day
   fluctuations (:func:`rlsmodel.trial.daily_fluctuation`): the source drug stops after week
   ``switch_week`` (``Regimen.daily(..., stop_day=7 * switch_week)``) and, after
   ``washout_days`` without drug, the new drug starts at its reference dose
   (``Regimen.daily(new, ..., start_day=7 * switch_week + washout_days)``). Control arms:
   the source drug continued, and the source drug stopped with nothing after it.
3. **Two cohorts are analysed.** *Clinically relevant*: augmentation adjudicated at a visit
   up to the switch (the persistent tier, the patients a clinician switches); *MPI-positive
   at the switch*: the criteria hold at the switch visit.
4. **Criteria-triggered design** (``criteria_n`` patients, default 100): a
   :func:`rlsmodel.virtual_trial` whose switching arms carry
   ``rlsmodel.SwitchPolicy(to=drug, when="augmented", washout_days=washout_days)``, so each
   patient switches at the first 4-weekly visit adjudicating clinically relevant augmentation;
   it reports who switched and when, and the IRLS at the end against the same patients
   continuing the source drug (``switching_criteria.md`` / ``.csv``).

Read-outs per arm (reported series, as the trial scores them; day 0 = first day off the
source drug):

* ``days_to_mpi_off``: days until the MPI criteria (recall week ending on each day, against
  the pre-treatment baseline) stop holding and stay off for :data:`SUSTAINED_DAYS` days;
* ``days_to_irls_below_baseline``: days until the weekly IRLS falls below the pre-treatment
  baseline week and stays below for :data:`SUSTAINED_DAYS` days;
* the weekly IRLS and onset hour over the ``follow_weeks`` weeks after the switch, the IRLS
  change from the last week on the source drug at weeks 5 and 12, and the change against
  the stop arm at week 12 (the placebo-controlled contrast of Trenkwalder et al. 2013);
* augmentation on the new drug: MPI-positive at, or clinically relevant by, a 4-weekly visit
  from week :data:`FOLLOW_VISITS_FROM_WEEK` after the switch (the earlier visits still recall
  the source drug).

Writes ``switching.png`` (IRLS and onset courses, cumulative resolution, published against
simulated), ``switching_table.md`` / ``.csv`` (per cohort and arm) and
``switching_published.md`` / ``.csv`` (each published number beside its simulated
counterpart) and, with the criteria-triggered design, ``switching_criteria.md`` / ``.csv``.

Run: ``rlsmodel run switching [-o DIR] [--n 300] [--switch-week 104] [--washout-days 7]``,
or from Python ``rlsmodel.experiments.switching.run("out", n=60, switch_week=26)``.
"""
from __future__ import annotations

import json
import math
import sys
import time
import warnings

import numpy as np

from .._version import __version__
from ..pharmacology import Regimen, get_drug, reference_dose
from ..switch_course import (CONTINUE, FOLLOW_VISITS_FROM_WEEK, MIN_BASELINE_IRLS, STOP, SUSTAINED_DAYS, empty_row, nanmean,
                             arm_names, select_patients, simulate_switches, source_arm_name, summarise,
                             switch_regimens)
from .outputs import DEFAULT_OUT, ExperimentResult, OutputDir, experiment_parser

NAME = "switching"
DESCRIPTION = ("Augmented patients switched to pregabalin, oxycodone-naloxone or the rotigotine patch: "
               "how fast augmentation resolves and the IRLS over the next year.")

#: The drugs augmented patients are switched to (each at the drug table's reference dose and hour).
TARGETS = ("pregabalin", "oxycodone_naloxone", "rotigotine")
#: Default source regimen: pramipexole 0.5 mg (Allen et al. 2014's higher arm).
SOURCE_DRUG, SOURCE_DOSE_MG = "pramipexole", 0.5
#: Default model parameters: the persistent D2 sensitisation on (decision 34's hand-set value),
#: so that pramipexole patients augment over years as Silver et al. 2011 describe.
SOURCE_PARAMS = {"d2_persistent_gain": 0.03}
#: Cohorts: key -> label.
COHORTS = {"clinically_relevant": "clinically relevant augmentation by the switch",
           "mpi_at_switch": "MPI criteria met at the switch visit"}

TABLE_MD, TABLE_CSV = "switching_table.md", "switching_table.csv"
PUBLISHED_MD, PUBLISHED_CSV = "switching_published.md", "switching_published.csv"
FIGURE = "switching.png"
#: Figures of a run with the default options, main figure first (the docs gallery reads this).
FIGURES = (FIGURE,)
CRITERIA_MD, CRITERIA_CSV = "switching_criteria.md", "switching_criteria.csv"
OUTPUT_NAMES = (TABLE_CSV, TABLE_MD, PUBLISHED_CSV, PUBLISHED_MD, FIGURE)
#: Markdown tables the docs gallery shows under the figure (when present in figures/).
TABLES = (PUBLISHED_MD, TABLE_MD, CRITERIA_MD)
#: When the criteria-triggered design switches (rlsmodel.SwitchPolicy's ``when``).
CRITERIA_WHEN = "augmented"

#: Published numbers on switching, each compared with one simulated quantity (key of
#: :func:`summarise`'s rows) in one arm and cohort. ``value``: the published figure;
#: ``low``/``high``: its 95 % interval where the paper gives one (else None).
PUBLISHED = (
    {"key": "irls_vs_stop_week_12", "target": "oxycodone_naloxone", "value": -7.0, "low": -9.69, "high": -4.31,
     "short": "IRLS vs placebo, week 12",
     "quantity": "IRLS change at week 12 against placebo (switch minus stop arm)",
     "source": "Trenkwalder et al. 2013 Lancet Neurol 12:1141 (severe RLS after failed, mostly dopaminergic "
               "treatment, 7-day washout; Cochrane mean difference)"},
    {"key": "augmented_after", "target": "oxycodone_naloxone", "value": 0.0, "low": None, "high": None,
     "short": "augmentation after the switch",
     "quantity": "clinically relevant augmentation on the new drug within a year",
     "source": "Trenkwalder et al. 2013 (no augmentation in 52 weeks); Silver et al. 2011 Sleep Med 12:440 "
               "(methadone: 0 %/year for up to 10 years)"},
    {"key": "irls_change_week_5", "target": "rotigotine", "value": -6.7, "low": -6.7 - 1.96 * 8.4 / math.sqrt(20),
     "short": "IRLS change, week 5",
     "high": -6.7 + 1.96 * 8.4 / math.sqrt(20),
     "quantity": "IRLS change 5 weeks after switching to rotigotine (from the last week on the oral agonist)",
     "source": "cross-titration to rotigotine, n = 20, 85 % with (mostly mild) augmentation, IRLS 19.4 +- 5.5 "
               "-> -6.7 +- 8.4 at week 5 (Sleep Med 2016;24:18, doi 10.1016/j.sleep.2016.05.004); "
               "interval: mean +- 1.96 SD/sqrt(20)"},
    {"key": "augmented_after", "target": "rotigotine", "value": 1 / 28, "low": None, "high": None,
     "short": "augmentation after the switch",
     "quantity": "augmentation on rotigotine within a year after switching",
     "source": "Godau and Berg 2011 Sleep Disord 468952: 1 of 28 patients with severe augmentation, "
               "switched to rotigotine (median 4 mg/24 h), IRLS relief stable over 12 months"},
    {"key": "augmented_after", "target": "pregabalin", "value": 0.021, "low": None, "high": None,
     "short": "augmentation (de novo, 52 weeks)",
     "quantity": "augmentation on pregabalin within a year (de novo, not after a switch)",
     "source": "Allen et al. 2014 NEJM 370:621: 2.1 % on pregabalin 300 mg over 52 weeks (MPI-adjudicated)"},
)


def published_rows(rows, cohort="clinically_relevant") -> list:
    """Each :data:`PUBLISHED` number beside the simulated value of its arm in ``cohort``."""
    by_role = {r["role"]: r for r in rows if r["cohort"] == cohort}
    out = []
    for p in PUBLISHED:
        r = by_role.get(p["target"])
        sim = float("nan") if r is None else r[p["key"]]
        out.append({"quantity": p["quantity"], "short": p["short"], "arm": None if r is None else r["arm"],
                    "cohort": cohort, "n": 0 if r is None else r["n"], "published": p["value"], "published_low": p["low"],
                    "published_high": p["high"], "simulated": sim, "source": p["source"]})
    return out


def _fmt(x, pct=False, digits=1):
    if x is None or not np.isfinite(x):
        return "never" if x is not None and np.isinf(x) else "n/a"
    return f"{100 * x:.{digits}f} %" if pct else f"{x:.{digits}f}"


def table_markdown(rows, header) -> str:
    cols = (("arm", "arm", None), ("n", "n", None), ("MPI at switch", "mpi_at_switch", "pct"),
            ("IRLS baseline / at switch", None, None), ("median days to MPI off", "median_days_to_mpi_off", "d"),
            ("resolved by wk 4 / 12", None, None),
            ("median days to IRLS < baseline", "median_days_to_irls_below_baseline", "d"),
            ("IRLS change wk 5 / 12 / end", None, None), ("vs stop, wk 12", "irls_vs_stop_week_12", "n"),
            ("augmented after (relevant / MPI)", None, None))
    lines = [header, ""]
    for cohort, label in COHORTS.items():
        sub = [r for r in rows if r["cohort"] == cohort]
        if not sub:
            continue
        lines += ["", f"## Cohort: {label} (n = {sub[0]['n']})", "",
                  "| " + " | ".join(c[0] for c in cols) + " |", "|" + " --- |" * len(cols)]
        for r in sub:
            cells = [r["arm"], str(r["n"]), _fmt(r["mpi_at_switch"], True, 0),
                     f"{_fmt(r['baseline_irls'])} / {_fmt(r['irls_switch_week'])}",
                     _fmt(r["median_days_to_mpi_off"], digits=0),
                     f"{_fmt(r['resolved_by_week_4'], True, 0)} / {_fmt(r['resolved_by_week_12'], True, 0)}",
                     _fmt(r["median_days_to_irls_below_baseline"], digits=0),
                     f"{_fmt(r['irls_change_week_5'])} / {_fmt(r['irls_change_week_12'])} / "
                     f"{_fmt(r['irls_change_end'])}",
                     _fmt(r["irls_vs_stop_week_12"]),
                     f"{_fmt(r['augmented_after'], True, 0)} / {_fmt(r['mpi_positive_after'], True, 0)}"]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def published_markdown(prows, header) -> str:
    lines = [header, "", "| quantity | arm | n | simulated | published (95 % interval) | source |",
             "| --- | --- | ---: | ---: | --- | --- |"]
    for p in prows:
        pct = p["quantity"].startswith(("clinically relevant augmentation", "augmentation"))
        pub = _fmt(p["published"], pct)
        if p["published_low"] is not None:
            pub += f" ({_fmt(p['published_low'], pct)} to {_fmt(p['published_high'], pct)})"
        lines.append(f"| {p['quantity']} | {p['arm']} | {p['n']} | {_fmt(p['simulated'], pct)} | {pub} | "
                     f"{p['source']} |")
    return "\n".join(lines) + "\n"


def header(meta) -> str:
    return (f"# Switching away from augmentation (rlsmodel {__version__})\n\n"
            f"Source: {meta['source']} daily for {meta['switch_week']} weeks in a virtual population of "
            f"{meta['n']} (seed {meta['seed']}, baseline IRLS >= {MIN_BASELINE_IRLS:g}; model parameters "
            f"{json.dumps(meta['params'])}), then the source drug stops and, after {meta['washout_days']} days "
            f"without drug, the new drug starts at its reference dose; {meta['follow_weeks']} weeks of "
            "follow-up. Day 0 = first day off the source drug. Reported series (placebo term and "
            "day-to-day fluctuation included), scored as rlsmodel.virtual_trial scores. Resolution = "
            f"criteria off (or weekly IRLS below the pre-treatment baseline) for {SUSTAINED_DAYS} days in a row; "
            "'never' = median not reached. Augmentation after the switch: visits from week "
            f"{FOLLOW_VISITS_FROM_WEEK} after it. A prediction: nothing is fitted to switching data.")


def draw(course, rows, prows, cohort_patients, names, path, provenance, cohort="clinically_relevant"):
    """Four panels: weekly IRLS and onset around the switch, cumulative resolution, published vs simulated."""
    from .. import plotting
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(2, 2, figsize=(13, 9))
    patients = np.asarray(cohort_patients[cohort], dtype=int)
    if patients.size == 0:
        cohort = "mpi_at_switch"
        patients = np.asarray(cohort_patients[cohort], dtype=int)
    weeks = course["week"].values
    colours = {CONTINUE: "0.3", STOP: "0.6"}
    for role, arm in names.items():
        if patients.size == 0:
            break
        a = course.sel(arm=arm, patient=patients)
        ok = a["status"].values == "ok"
        c = colours.get(role) or plotting.colour(role)
        ls = "--" if role in (CONTINUE, STOP) else "-"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            axes[0, 0].plot(weeks, np.nanmean(a["irls_course"].values[ok], axis=0), color=c, ls=ls, label=arm)
            axes[0, 1].plot(weeks, np.nanmean(a["onset_course"].values[ok], axis=0), color=c, ls=ls, label=arm)
        d = np.sort(np.where(np.isfinite(a["days_to_mpi_off"].values[ok]), a["days_to_mpi_off"].values[ok], np.inf))
        grid = np.arange(0, 7 * int(course.attrs["follow_weeks"]) + 1)
        axes[1, 0].step(grid, [np.mean(d <= g) if d.size else np.nan for g in grid], where="post", color=c, ls=ls,
                        label=arm)
    if patients.size:
        base = nanmean(course.sel(arm=names[CONTINUE], patient=patients)["baseline_irls"].values)
        axes[0, 0].axhline(base, color="k", lw=0.8, ls=":", label="pre-treatment baseline (mean)")
    for ax in (axes[0, 0], axes[0, 1]):
        ax.axvline(0.5, color="0.5", lw=0.8, ls="--")
        ax.set_xlabel("weeks after the switch (0 = last week on the source drug)")
    axes[0, 0].set_ylabel("reported weekly IRLS (0-40), mean")
    axes[0, 1].set_ylabel("symptom onset (clock hour; 24 = midnight), mean")
    axes[0, 1].invert_yaxis()
    axes[1, 0].set_xlabel("days after stopping the source drug")
    axes[1, 0].set_ylabel(f"fraction with MPI criteria off for {SUSTAINED_DAYS} days")
    axes[1, 0].set_ylim(-0.02, 1.02)
    axes[0, 0].legend(fontsize=7)
    axes[0, 0].set_title(f"IRLS around the switch ({COHORTS[cohort]}, n = {patients.size})", fontsize=9)
    axes[0, 1].set_title("symptom onset around the switch", fontsize=9)
    axes[1, 0].set_title("how fast augmentation resolves", fontsize=9)
    ax = axes[1, 1]
    labels = [f"{p['short']}\n{(p['arm'] or '').replace('switch to ', '')}" for p in prows]
    y = np.arange(len(prows))[::-1]
    for yi, p in zip(y, prows):
        pct = p["quantity"].startswith(("clinically relevant augmentation", "augmentation"))
        scale = 100.0 if pct else 1.0
        ax.plot(scale * p["published"], yi, "D", color="k", label="published" if yi == y[0] else None)
        if p["published_low"] is not None:
            ax.plot([scale * p["published_low"], scale * p["published_high"]], [yi, yi], color="k", lw=1)
        if np.isfinite(p["simulated"]):
            ax.plot(scale * p["simulated"], yi, "o", color="#d62728", label="simulated" if yi == y[0] else None)
    ax.set_yticks(y)
    ax.set_yticklabels(labels, fontsize=8)
    ax.axvline(0, color="0.7", lw=0.8)
    ax.set_xlabel("IRLS points, or % of patients (augmentation rows)")
    ax.set_title("published beside simulated", fontsize=9)
    ax.legend(fontsize=7)
    fig.suptitle("Switching away from augmentation: " + provenance.get("source", ""))
    fig.tight_layout()
    plotting.save(fig, path, provenance)
    plt.close(fig)


def _check(n, switch_week, follow_weeks, washout_days, seed, workers, targets, source_drug, source_dose):
    for name, v, low in (("n", n, 1), ("switch_week", switch_week, 4), ("follow_weeks", follow_weeks, 1),
                         ("washout_days", washout_days, 0), ("seed", seed, 0), ("workers", workers, 1)):
        if isinstance(v, bool) or not isinstance(v, int) or v < low:
            raise ValueError(f"{name} must be a whole number >= {low}; got {v!r}")
    if not targets:
        raise ValueError(f"give at least one drug to switch to (choose from e.g. {', '.join(TARGETS)})")
    for t in targets:
        get_drug(t)                       # ValueError naming the known drugs
    get_drug(source_drug)
    if not (isinstance(source_dose, (int, float)) and not isinstance(source_dose, bool) and source_dose > 0):
        raise ValueError(f"source_dose must be a dose in mg > 0; got {source_dose!r}")
    if 7 * follow_weeks <= washout_days:
        raise ValueError(f"washout_days ({washout_days}) must end within the follow-up ({follow_weeks} weeks)")


def run(out=None, *, n=300, switch_week=104, follow_weeks=52, washout_days=7, seed=2016, workers=2,
        source_drug=SOURCE_DRUG, source_dose=SOURCE_DOSE_MG, params=None, targets=TARGETS, model=None,
        criteria_n=100, criteria_weeks=None, overwrite=False, progress=None) -> ExperimentResult:
    """Run the switching experiment and write its tables and figure into ``out``.

    Parameters
    ----------
    out : str or os.PathLike, optional
        Output directory (default ``./rlsmodel-output``); existing files refused unless ``overwrite``.
    n : int
        Virtual patients on the source drug (before the IRLS >= 15 inclusion criterion).
    switch_week : int
        Weeks on the source drug before the switch (>= 4).
    follow_weeks : int
        Weeks followed after the switch.
    washout_days : int
        Days without drug between the source drug's last day and the new drug's first (0:
        overnight switch).
    seed : int
        Population and reporting-noise seed.
    workers : int
        Local worker processes.
    source_drug, source_dose : str, float
        The drug patients augment on and its daily dose (mg), at the drug table's clock hour.
    params : dict, optional
        Model parameter defaults (default :data:`SOURCE_PARAMS`, the persistent D2
        sensitisation on); ignored when ``model`` is given.
    targets : sequence of str
        Drugs to switch to (reference dose and hour of each).
    model : rlsmodel.Model, optional
        The model (default ``Model(parameter_defaults=params)``).
    criteria_n : int
        Patients of the criteria-triggered design (:func:`criteria_trial`: each patient switched
        by ``rlsmodel.SwitchPolicy`` at the first visit adjudicating clinically relevant
        augmentation); 0 skips it.
    criteria_weeks : int, optional
        Treated weeks of that trial (default ``switch_week + follow_weeks``).
    overwrite : bool
        Replace existing output files.
    progress : bool or None
        Progress bars (None: when stderr is a terminal).

    Returns
    -------
    ExperimentResult
        ``tables["switching"]``: one row per cohort and arm; ``tables["published"]``: each
        published number beside the simulated one; ``datasets["selection"]``: the source-drug
        trial; ``datasets["course"]``: per (arm, patient) outcomes and weekly courses;
        with ``criteria_n``: ``tables["criteria"]`` and ``datasets["criteria"]`` (the
        criteria-triggered trial).
    """
    from ..simulator import Model
    targets = tuple(targets)
    _check(n, switch_week, follow_weeks, washout_days, seed, workers, targets, source_drug, source_dose)
    criteria_weeks = switch_week + follow_weeks if criteria_weeks is None else criteria_weeks
    for name, v, low in (("criteria_n", criteria_n, 0), ("criteria_weeks", criteria_weeks, 8)):
        if isinstance(v, bool) or not isinstance(v, int) or v < low:
            raise ValueError(f"{name} must be a whole number >= {low}; got {v!r}")
    params = dict(SOURCE_PARAMS if params is None else params)
    names_out = OUTPUT_NAMES + ((CRITERIA_CSV, CRITERIA_MD) if criteria_n else ())
    out_dir = OutputDir(DEFAULT_OUT if out is None else out, names_out, overwrite)
    t0 = time.perf_counter()
    model = model or Model(parameter_defaults=params or None)
    sel_ds, positive, relevant = select_patients(model, n, seed, switch_week, source_drug, source_dose, workers,
                                                 progress)
    names = arm_names(source_drug, source_dose, targets)
    regs = switch_regimens(7 * switch_week, washout_days, source_drug, source_dose, targets)
    from ..populations import population
    pop = population(n, seed, "rls_genetic", model)
    if positive.size:
        course = simulate_switches(model, pop, positive, {names[r]: regs[r] for r in names}, seed=seed,
                                   switch_week=switch_week, follow_weeks=follow_weeks, profile="rls_genetic",
                                   workers=workers, progress=progress)
        at_switch = course.sel(arm=names[CONTINUE])
        mpi_now = np.asarray(at_switch["patient"].values)[(at_switch["mpi_at_switch"].values == 1)
                                                           & (at_switch["status"].values == "ok")]
    else:
        course, mpi_now = None, np.array([], dtype=int)
    cohorts = {"clinically_relevant": relevant, "mpi_at_switch": mpi_now}
    rows = summarise(course, cohorts, names) if course is not None else \
        [empty_row(c, r, a) for c in cohorts for r, a in names.items()]
    prows = published_rows(rows)
    crit_ds, crit_rows = None, None
    if criteria_n:
        crit_ds = criteria_trial(model, criteria_n, seed, criteria_weeks, washout_days, source_drug, source_dose,
                                 targets, workers, progress)
        crit_rows = criteria_rows(crit_ds, names[CONTINUE])
    seconds = time.perf_counter() - t0
    from ..provenance import model_stamp
    meta = {"source": source_arm_name(source_drug, source_dose), "switch_week": switch_week, "n": n, "seed": seed,
            "params": params, "washout_days": washout_days, "follow_weeks": follow_weeks, "criteria_n": criteria_n,
            "criteria_weeks": criteria_weeks}
    stamp = f"<!-- {model_stamp(model.identity())} -->\n"
    out_dir.write_csv(TABLE_CSV, rows)
    out_dir.write_text(TABLE_MD, stamp + table_markdown(rows, header(meta)))
    out_dir.write_csv(PUBLISHED_CSV, prows)
    out_dir.write_text(PUBLISHED_MD, stamp + published_markdown(prows, "# Switching: published beside simulated\n\n"
                                                                 + header(meta).split("\n\n", 1)[1]))
    if crit_rows:
        out_dir.write_csv(CRITERIA_CSV, crit_rows)
        out_dir.write_text(CRITERIA_MD, stamp + criteria_markdown(crit_rows, meta))
    elif criteria_n:
        out_dir.write_csv(CRITERIA_CSV, [{"arm": "none", "n": 0}])
        out_dir.write_text(CRITERIA_MD, stamp + "# Switching when the criteria are met\n\nno switching arm\n")
    provenance = {"experiment": NAME, "rlsmodel_version": __version__, **{k: v for k, v in meta.items()
                                                                           if k != "params"},
                  "params": json.dumps(params)}
    if course is not None:
        out_dir.save(FIGURE, lambda p: draw(course, rows, prows, cohorts, names, p, provenance))
    else:
        out_dir.save(FIGURE, lambda p: _draw_empty(p, provenance))
    return ExperimentResult(NAME, out_dir.path, list(out_dir.written),
                            tables={"switching": rows, "published": prows,
                                    **({"criteria": crit_rows} if crit_rows is not None else {})},
                            datasets={"selection": sel_ds, **({"course": course} if course is not None else {}),
                                      **({"criteria": crit_ds} if crit_ds is not None else {})},
                            meta={"seconds": round(seconds, 1), "cohorts": {k: [int(i) for i in v]
                                                                             for k, v in cohorts.items()},
                                  "arms": names})


# ============================================================================================
# the criteria-triggered design (rlsmodel.pharmacology.policies.SwitchPolicy)
# ============================================================================================
def criteria_arms(source_drug, source_dose, targets, when=CRITERIA_WHEN, washout_days=7):
    """``(arms, policies)`` for :func:`rlsmodel.virtual_trial`: the source drug continued, and per
    target the source drug with ``SwitchPolicy(to=target, when=when, washout_days=washout_days)``
    (the switch at the first visit meeting the criteria)."""
    from ..pharmacology.policies import SwitchPolicy
    base = Regimen.daily(source_drug, source_dose, reference_dose(source_drug)[1])
    names = arm_names(source_drug, source_dose, targets)
    arms, policies = {names[CONTINUE]: base}, {}
    for t in targets:
        arm = f"{names[t]} when {when.replace('_', ' ')}"
        arms[arm] = base
        policies[arm] = SwitchPolicy(to=t, when=when, washout_days=washout_days)
    return arms, policies


def criteria_trial(model, n, seed, weeks, washout_days, source_drug, source_dose, targets, workers, progress=None,
                   when=CRITERIA_WHEN):
    """The criteria-triggered design: :func:`rlsmodel.virtual_trial` with :func:`criteria_arms`
    (``weeks`` treated weeks, inclusion baseline IRLS >= 15); returns its Dataset."""
    from ..trial import virtual_trial
    arms, policies = criteria_arms(source_drug, source_dose, targets, when, washout_days)
    return virtual_trial(arms, n=n, weeks=weeks, seed=seed, placebo=False, model=model, workers=workers,
                         min_baseline_irls=MIN_BASELINE_IRLS, progress=progress, policies=policies)


def criteria_rows(ds, continue_arm) -> list:
    """Per switching arm of the criteria-triggered trial: how many switched and when, and the
    IRLS at the end of the trial against the same patients continuing the source drug."""
    ok_all = np.asarray(ds["eligible"].values, bool)
    cont = ds.sel(arm=continue_arm)
    ok_c = ok_all & (np.asarray(cont["status"].values).astype(str) == "ok")
    weeks = int(ds.attrs["weeks"])
    rows = []
    for arm in [str(a) for a in ds["arm"].values if str(a) != continue_arm]:
        a = ds.sel(arm=arm)
        ok = ok_c & (np.asarray(a["status"].values).astype(str) == "ok")
        day = np.asarray(a["day_switched"].values, float)
        sw = ok & np.isfinite(day)
        end_sw = np.asarray(a["irls_change_end"].values, float)[sw]
        end_c = np.asarray(cont["irls_change_end"].values, float)[sw]
        rows.append({
            "arm": arm, "n": int(ok.sum()), "switched": int(sw.sum()),
            "switched_fraction": float(sw.sum() / ok.sum()) if ok.sum() else float("nan"),
            "median_week_switched": float(np.median(day[sw]) / 7.0) if sw.any() else float("nan"),
            "median_weeks_after_switch": float(weeks - np.median(day[sw]) / 7.0) if sw.any() else float("nan"),
            "irls_change_end_switched": nanmean(end_sw) if sw.any() else float("nan"),
            "irls_change_end_if_continued": nanmean(end_c) if sw.any() else float("nan"),
            "irls_end_switched_minus_continued": nanmean(end_sw - end_c) if sw.any() else float("nan"),
        })
    return rows


def criteria_markdown(rows, meta) -> str:
    lines = [f"# Switching when the criteria are met (rlsmodel {__version__})", "",
             f"{meta['source']} daily in a virtual population of {meta['criteria_n']} (seed {meta['seed']}, baseline "
             f"IRLS >= {MIN_BASELINE_IRLS:g}, model parameters {json.dumps(meta['params'])}) for "
             f"{meta['criteria_weeks']} weeks; in each switching arm rlsmodel.SwitchPolicy(to=drug, "
             f"when=\"{CRITERIA_WHEN}\", washout_days={meta['washout_days']}) switches a patient at the first "
             "4-weekly visit adjudicating clinically relevant augmentation. IRLS change = reported weekly IRLS of "
             "the last week minus the pre-treatment baseline week, among the switched patients; 'if continued' = "
             "the same patients in the arm that never switches.", "",
             "| arm | n | switched | median week switched | median weeks after it | IRLS change at end, switched "
             "| same patients if continued | switched minus continued |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in rows:
        lines.append(f"| {r['arm']} | {r['n']} | {r['switched']} ({_fmt(r['switched_fraction'], True)}) | "
                     f"{_fmt(r['median_week_switched'], digits=0)} | {_fmt(r['median_weeks_after_switch'], digits=0)} "
                     f"| {_fmt(r['irls_change_end_switched'])} | {_fmt(r['irls_change_end_if_continued'])} | "
                     f"{_fmt(r['irls_end_switched_minus_continued'])} |")
    return "\n".join(lines) + "\n"


def _draw_empty(path, provenance):
    from .. import plotting
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.text(0.5, 0.5, "no patient met the MPI criteria before the switch:\nraise n or switch_week",
            ha="center", va="center")
    ax.set_axis_off()
    plotting.save(fig, path, provenance)
    plt.close(fig)


def main(argv=None, prog=None, default_out=DEFAULT_OUT, overwrite=False) -> int:
    """Command line of :func:`run` (``rlsmodel run switching``); returns the exit status."""
    ap = experiment_parser(prog or f"rlsmodel run {NAME}", DESCRIPTION, default_out, overwrite)
    ap.add_argument("--n", type=int, default=300, help="patients on the source drug (default 300)")
    ap.add_argument("--switch-week", type=int, default=104, help="weeks on the source drug before the switch "
                                                                  "(default 104)")
    ap.add_argument("--follow-weeks", type=int, default=52, help="weeks after the switch (default 52)")
    ap.add_argument("--washout-days", type=int, default=7, help="days without drug before the new one (default 7; "
                                                                 "0 = overnight)")
    ap.add_argument("--seed", type=int, default=2016)
    ap.add_argument("--workers", type=int, default=2, help="local worker processes (default 2)")
    ap.add_argument("--source", default=SOURCE_DRUG, help=f"drug patients augment on (default {SOURCE_DRUG})")
    ap.add_argument("--source-dose", type=float, default=SOURCE_DOSE_MG,
                    help=f"its daily dose in mg (default {SOURCE_DOSE_MG})")
    ap.add_argument("--criteria-n", type=int, default=100,
                    help="patients of the criteria-triggered design (SwitchPolicy; default 100, 0 skips it)")
    ap.add_argument("--criteria-weeks", type=int, default=None,
                    help="its treated weeks (default switch week + follow-up weeks)")
    ap.add_argument("--persistent-gain", type=float, default=SOURCE_PARAMS["d2_persistent_gain"],
                    help="d2_persistent_gain of the model (default 0.03; 0 = the default model)")
    args = ap.parse_args(argv)
    try:
        result = run(args.out, n=args.n, switch_week=args.switch_week, follow_weeks=args.follow_weeks,
                     washout_days=args.washout_days, seed=args.seed, workers=args.workers, source_drug=args.source,
                     source_dose=args.source_dose, params={"d2_persistent_gain": args.persistent_gain},
                     criteria_n=args.criteria_n, criteria_weeks=args.criteria_weeks, overwrite=args.overwrite)
    except ValueError as exc:
        ap.error(str(exc))
    cohorts = result.meta["cohorts"]
    print(f"switching: {len(cohorts['clinically_relevant'])} clinically relevant, {len(cohorts['mpi_at_switch'])} "
          f"MPI-positive at the switch, {result.meta['seconds']:.0f} s")
    for p in result.tables["published"]:
        print(f"  {p['quantity'][:70]:<70} [{p['arm']}] simulated {p['simulated']:.3g}  published {p['published']:.3g}")
    for r in result.tables.get("criteria", []):
        print(f"  criteria-triggered: {r['arm']}: {r['switched']}/{r['n']} switched, IRLS at end switched minus "
              f"continued {r['irls_end_switched_minus_continued']:.1f}")
    print("wrote " + ", ".join(str(p) for p in result.paths))
    return 0


if __name__ == "__main__":      # pragma: no cover
    sys.exit(main())
