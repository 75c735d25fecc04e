"""Augmentation over years: cumulative incidence per arm and tier in a 5-year virtual trial.

A virtual trial (:func:`rlsmodel.virtual_trial`; rls_genetic population, baseline weekly IRLS
>= 15, visits every 4 weeks) of pramipexole 0.25 and 0.5 mg, ropinirole 2 mg, rotigotine
2 mg/24 h, levodopa 200 mg, pregabalin 300 mg and placebo at fixed doses for ``years`` years,
plus pramipexole and ropinirole starting at their reference doses under a dose-adjustment
policy (:data:`POLICY_ARMS`; the doses of the long-term cohorts rose, Silber et al. 2003),
scored in the three tiers the papers counted (:mod:`rlsmodel.clinical.practice`):
MPI-positive at a visit (Allen et al. 2014, Hogl et al. 2011), clinically relevant (Benes et
al. 2012) and diagnosed in practice, needing a change of treatment (Silver et al. 2011; at a
fixed dose it equals the clinically relevant tier). Published points are drawn in the tier
their paper counted, with the range the scorecard accepts where the paper gives no interval.
The flagship figure's median patient on pramipexole 0.25 mg is followed for ``patient_years``
years (default 10): the default model (with the drug-pulse sensitization of decision 47), the
model without it, and the default model with the dose rising along Silber et al. 2003's slope
(0.125 mg a year to the 0.75 mg label maximum).

Writes into the output directory:

* ``long_term.png`` -- cumulative incidence per arm (one panel per arm, the three tiers, the
  published points), the life-table annual rate of new cases per year beside 4-10 % and the
  median dose over time under the policy;
* ``long_term_patient.png`` -- the median rls_genetic patient on pramipexole 0.25 mg for
  ``patient_years`` years: weekly IRLS, onset hour and the slow states;
* ``long_term.md`` / ``long_term.csv`` -- per arm and tier: cumulative incidence at each year
  (Wilson 95 % interval) and the life-table annual rate after year 1, with the published numbers;
  the median dose by year under the policy against Silber et al. 2003.

Run: ``rlsmodel run long_term [-o DIR] [--n 200] [--years 5] [--persistent-gain G] [--exact]``.
The trial runs on cvode's envelope (``--exact``: the exact path, about 3x the time; the verdicts
are the same, decision 54); the two policy arms are cut into visit-long segments and so stay exact.
Cost at the defaults (9 arms x 200 patients x 5 years): the trial took 343 s on 2 workers
(decision 54).
"""
from __future__ import annotations

from dataclasses import replace

import math
import sys
import time

import numpy as np

from .. import clinical, outcomes, plotting
from .._version import __version__
from ..pharmacology import DosePolicy, arm_name, reference_regimen
from ..engines.base import default_engine
from ..engines.envelope import envelope_solver, exact_solver
from ..simulator import Model
from ..trial import virtual_trial, wilson_interval
from ..validation.checks import long_term as checks
from ..validation.protocol import POPULATION_MIN_BASELINE_IRLS, POPULATION_PROFILE
from .outputs import DEFAULT_OUT, ExperimentResult, OutputDir, experiment_parser, markdown_stamp

NAME = "long_term"
DESCRIPTION = "Augmentation over years: cumulative incidence per arm and tier in a 5-year virtual trial."
FIGURE = "long_term.png"
FIGURE_PATIENT = "long_term_patient.png"
TABLE_MD = "long_term.md"
TABLE_CSV = "long_term.csv"
#: Figures of a run with the default options, main figure first (the docs gallery reads this).
FIGURES = (FIGURE, FIGURE_PATIENT)
#: Markdown tables shown by the docs gallery beside the figures.
TABLES = (TABLE_MD,)
OUTPUT_NAMES = (TABLE_CSV, TABLE_MD, FIGURE, FIGURE_PATIENT)

#: The arms: (drug, dose mg or None = the drug table's reference dose).
ARMS = (("pramipexole", None), ("pramipexole", 0.5), ("ropinirole", None), ("rotigotine", None),
        ("levodopa", None), ("pregabalin", None))
#: Tiers drawn and tabulated: per-patient verdict -> label (rlsmodel.clinical.practice).
TIERS = {"mpi_positive": "MPI-positive", "augmented": "clinically relevant",
         "augmented_practice": "diagnosed in practice"}
TIER_STYLE = {"mpi_positive": ("#1f77b4", ":"), "augmented": ("#d62728", "-"), "augmented_practice": ("#2ca02c", "--"),
              "augmented_biological": ("0.5", "-")}
#: Published points: arm -> [(tier, week, fraction, (low, high) or None, label)]. Intervals are
#: given where the source states one; otherwise the figure shows the point only.
PUBLISHED = {
    arm_name("pramipexole", None): [("mpi_positive", 52, 0.053, None, "Allen 2014")],
    arm_name("pramipexole", 0.5): [("mpi_positive", 52, 0.077, None, "Allen 2014")],
    arm_name("ropinirole", None): [("augmented", 26, 0.035, None, "Garcia-Borreguero 2012"),
                                   ("augmented", 66, 0.065, None, "Garcia-Borreguero 2012")],
    arm_name("rotigotine", None): [("augmented", 26, 0.015, None, "Benes 2012"),
                                   ("mpi_positive", 26, 0.082, None, "Benes 2012")],
    arm_name("levodopa", None): [("augmented_biological", 9, 0.82, None, "Allen & Earley 1996")],
    arm_name("pregabalin", None): [("mpi_positive", 52, 0.021, None, "Allen 2014")],
    "placebo": [("mpi_positive", 26, 0.060, None, "Hogl 2011"), ("augmented", 26, 0.005, None, "Benes 2012")],
}
#: Published annual rates of new cases after year 1 (practice tier): (rate, label), and the
#: accepted range of the scorecard row A-long-term-agonists.
PUBLISHED_ANNUAL = ((0.07, "Silver 2011, pramipexole"), (0.08, "Allen 2011, community"))


#: Arms that start at the reference dose and follow symptoms (issue 22 item 2; DosePolicy of
#: rlsmodel.pharmacology.policies): step up by ``step_mg`` at every third monthly visit (12 weeks)
#: when the weekly IRLS of the recall week is above ``threshold_irls`` 15, up to the label maximum
#: (pramipexole 0.75 mg, ropinirole 4 mg). The rule is the protocol of the experiment, chosen to
#: follow Silber et al. 2003 (Sleep 26:819: median pramipexole 0.38 -> 0.63 mg over a mean of 27
#: months in practice, 1.66x the starting dose). Decision 57 (the trial population's severity
#: fitted to the trials' baseline) moved it from 20 to 15: with 20 the median pramipexole dose
#: stayed at 0.25 mg to month 27 (the less severe patients stay below 20 on the drug); with 15
#: (n = 200, seed 7) it is 0.375 mg at month 27 (1.5x) and 0.75 mg from year 3. Before decision 57
#: the threshold 20 gave 0.375 mg from year 1 (n = 60) and 0.625 mg at month 27 (n = 200), and
#: IRLS > 15 at every monthly visit reached the 0.75 mg maximum within the first year (decision
#: 43, addendum).
POLICY_ARMS = {"pramipexole": DosePolicy(threshold_irls=15, step_mg=0.125, every_weeks=12),
               "ropinirole": DosePolicy(threshold_irls=15, step_mg=0.5, every_weeks=12)}
POLICY_SUFFIX = " + DosePolicy"
#: Silber et al. 2003: (months, median pramipexole dose mg).
SILBER_2003 = ((0.0, 0.38), (27.0, 0.63))


def arms(policy=True, threshold_irls=None, every_weeks=None) -> tuple:
    """``({arm name: Regimen}, {arm name: DosePolicy})`` of the trial's drug arms (placebo is added
    by the trial); with ``policy`` also the :data:`POLICY_ARMS` at their reference starting doses.

    ``threshold_irls`` (weekly IRLS) and ``every_weeks`` (weeks between dose decisions, a multiple of
    the 4-week visit spacing) replace those of :data:`POLICY_ARMS` when given (a higher threshold or
    longer spacing: slower rises).
    """
    regimens = {arm_name(drug, dose): reference_regimen(drug, dose=dose) for drug, dose in ARMS}
    policies = {}
    if policy:
        changes = {k: v for k, v in (("threshold_irls", threshold_irls), ("every_weeks", every_weeks)) if v is not None}
        for drug, rule in POLICY_ARMS.items():
            name = arm_name(drug, None) + POLICY_SUFFIX
            regimens[name] = reference_regimen(drug)
            policies[name] = replace(rule, **changes) if changes else rule
    return regimens, policies


def model_for(persistent_gain=None, drug_gain=None, long_horizon=None) -> Model:
    """The default model, or one whose ``d2_persistent_gain`` default is ``persistent_gain`` and/or whose
    ``d2_drug_sensitization_gain`` default is ``drug_gain`` (1/day; 0 switches the drug-pulse
    sensitization of decision 47 off). ``long_horizon="envelope"`` / ``"exact"``: on cvode's envelope /
    exact path when cvode is the engine here (the envelope gives the verdicts of the exact path,
    decision 54), else the default solver; None: the default solver (cvode's default is the
    envelope since decision 60)."""
    changes = {k: float(v) for k, v in (("d2_persistent_gain", persistent_gain),
                                        ("d2_drug_sensitization_gain", drug_gain)) if v is not None}
    solver = ({"envelope": envelope_solver, "exact": exact_solver}[long_horizon]()
              if long_horizon is not None and default_engine() == "cvode" else {})
    model = Model(**solver)
    return model.with_defaults(changes) if changes else model


def incidence_curves(ds, tier, weeks=None) -> dict:
    """Per arm: ``(weeks, fraction, low, high)`` of cumulative incidence of ``tier`` at every visit."""
    weeks = np.asarray(clinical.visit_weeks(int(ds.attrs["weeks"]), 4) if weeks is None else weeks)
    out = {}
    for arm in ds["arm"].values:
        d = checks.first_days(ds, str(arm), tier)
        k = np.array([np.sum(np.isfinite(d) & (d <= 7 * w)) for w in weeks], dtype=float)
        m = np.full(weeks.size, float(d.size))
        lo, hi = wilson_interval(k, m)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[str(arm)] = (weeks, k / m, lo, hi)
    return out


def table_rows(ds) -> list:
    """One row per arm and tier: cumulative incidence at each year and the annual rate after year 1."""
    years = int(ds.attrs["weeks"]) * 7 // checks.DAYS_PER_YEAR
    rows = []
    for arm in ds["arm"].values:
        arm = str(arm)
        for tier, label in TIERS.items():
            row = {"arm": arm, "tier": label, "n": int(ds["n_evaluated"].sel(arm=arm))}
            for y in range(1, years + 1):
                r = checks.cumulative(ds, arm, tier, y * checks.DAYS_PER_YEAR)
                lo, hi = r.interval()
                row[f"year_{y}"], row[f"year_{y}_low"], row[f"year_{y}_high"] = r.p, lo, hi
            after = checks.annual_rate(ds, arm, tier, first_year=2) if years >= 2 else None
            row["annual_rate_after_year_1"] = after.p if after is not None and after.n > 0 else math.nan
            row["cases_after_year_1"] = after.k if after is not None else math.nan
            row["patient_years_at_risk"] = after.n if after is not None else math.nan
            pub = [f"{100 * p:.1f}% at week {w} ({src})" for t, w, p, _, src in PUBLISHED.get(arm, []) if t == tier]
            row["published"] = "; ".join(pub)
            rows.append(row)
    return rows


def dose_rows(ds) -> list:
    """Per policy arm: the median daily dose (mg) at the start and at the end of each year."""
    if "median_dose_mg" not in ds:
        return []
    weeks = ds["visit_week"].values
    years = int(ds.attrs["weeks"]) // 52
    rows = []
    for arm in ds["arm"].values:
        dose = ds["median_dose_mg"].sel(arm=arm).values
        if not str(arm).endswith(POLICY_SUFFIX) or not np.isfinite(dose).any():
            continue
        row = {"arm": str(arm)}
        for y in range(0, years + 1):
            row[f"year_{y}"] = float(dose[int(np.argmin(np.abs(weeks - 52 * y)))])
        k27 = int(np.argmin(np.abs(weeks - 27 * 52 / 12)))
        row["month_27"] = float(dose[k27])
        rows.append(row)
    return rows


def dose_markdown(rows, threshold_irls=None, every_weeks=None) -> str:
    """The dose-over-time table (policy arms) against Silber et al. 2003."""
    if not rows:
        return ""
    years = sorted(int(k.split("_")[1]) for k in rows[0] if k.startswith("year_"))
    threshold = POLICY_ARMS["pramipexole"].threshold_irls if threshold_irls is None else threshold_irls
    every_weeks = POLICY_ARMS["pramipexole"].every_weeks if every_weeks is None else every_weeks
    spacing = "a monthly visit" if every_weeks in (None, 4) else f"a visit every {every_weeks} weeks"
    lines = ["", f"Median daily dose (mg) under the DosePolicy (weekly IRLS > {threshold:g} at {spacing}: one step "
             "up, to the label maximum); Silber et al. 2003: median pramipexole 0.38 -> 0.63 mg over a mean of 27 "
             "months.", "",
             "| arm | " + " | ".join(f"year {y}" for y in years) + " | month 27 |",
             "| --- | " + " | ".join("---:" for _ in years) + " | ---: |"]
    for r in rows:
        lines.append(f"| {r['arm']} | " + " | ".join(f"{r[f'year_{y}']:.3g}" for y in years)
                     + f" | {r['month_27']:.3g} |")
    return "\n".join(lines) + "\n"


def _pct(x):
    return "n/a" if x is None or not np.isfinite(x) else f"{100 * x:.1f}%"


def table_markdown(rows, header) -> str:
    """The Markdown page of :func:`table_rows`."""
    years = sorted(int(k.split("_")[1]) for k in rows[0] if k.startswith("year_") and k.count("_") == 1)
    lines = [header, "",
             "| arm | tier | n | " + " | ".join(f"year {y}" for y in years)
             + " | annual rate after year 1 (cases / patient-years) | published |",
             "| --- | --- | ---: | " + " | ".join("---" for _ in years) + " | --- | --- |"]
    for r in rows:
        cells = [f"{_pct(r[f'year_{y}'])} ({_pct(r[f'year_{y}_low'])}-{_pct(r[f'year_{y}_high'])})" for y in years]
        rate = (f"{_pct(r['annual_rate_after_year_1'])} ({r['cases_after_year_1']:g} / {r['patient_years_at_risk']:g})"
                if np.isfinite(r["annual_rate_after_year_1"]) else "n/a")
        lines.append(f"| {r['arm']} | {r['tier']} | {r['n']} | " + " | ".join(cells) + f" | {rate} | "
                     f"{r['published'] or '-'} |")
    return "\n".join(lines) + "\n"


def header(n, seed, years, persistent_gain) -> str:
    """The heading paragraph of ``long_term.md``."""
    gain = ("the default model (drug-pulse sensitization of decision 47 on; the withdrawal-driven persistent "
            "sensitization of decision 34 off, `d2_persistent_gain` = 0)" if persistent_gain is None
            else f"the default model with `d2_persistent_gain` = {persistent_gain:g}/day (decision 34)")
    return (f"# Augmentation over years (n = {n} per arm, seed {seed}, {years} years, rlsmodel {__version__})\n\n"
            f"Virtual trial of {gain}: rls_genetic population, baseline weekly IRLS >= "
            f"{POPULATION_MIN_BASELINE_IRLS:g}, fixed reference doses (and the DosePolicy arms: the starting dose raised at visits while symptoms stay high, rule under the dose table), visits every 4 weeks. Cumulative incidence "
            "(Wilson 95% interval) at the end of each year in three tiers (rlsmodel.clinical.practice): "
            "MPI-positive at a visit, clinically relevant (persistent since the previous visit), diagnosed in "
            "practice (clinically relevant at the maximum dose; equal to clinically relevant at fixed doses). "
            "Annual rate after year 1: life-table rate over years 2 to the last (new cases over patient-years "
            "at risk), the quantity of Silver et al. 2011 (about 7% a year on pramipexole) and Allen et al. "
            "2011 (about 8%); issue 22 accepts 4-10%. Regenerate: `python experiments/long_term.py` "
            "(`rlsmodel run long_term`).")


def draw(ds, path, provenance):
    """Cumulative incidence per arm (three tiers, published points) and annual rates per year."""
    import matplotlib.pyplot as plt
    names = [str(a) for a in ds["arm"].values]
    curves = {tier: incidence_curves(ds, tier) for tier in (*TIERS, "augmented_biological")}
    ncol = 4
    nrow = math.ceil((len(names) + 1) / ncol)
    dosed = [a for a in names if "median_dose_mg" in ds and np.isfinite(ds["median_dose_mg"].sel(arm=a).values).any()
             and a.endswith(POLICY_SUFFIX)]
    nrow = math.ceil((len(names) + 1 + bool(dosed)) / ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(4.0 * ncol, 3.2 * nrow), squeeze=False)
    for i, arm in enumerate(names):
        ax = axes[i // ncol, i % ncol]
        for tier, label in TIERS.items():
            w, p, lo, hi = curves[tier][arm]
            colour, style = TIER_STYLE[tier]
            ax.plot(w / 52.0, 100 * p, color=colour, ls=style, label=label)
            if tier == "augmented_practice":           # the interval of the headline tier only
                ax.fill_between(w / 52.0, 100 * lo, 100 * hi, color=colour, alpha=0.10, lw=0)
        w, p, _, _ = curves["augmented_biological"][arm]
        ax.plot(w / 52.0, 100 * p, color="0.5", lw=0.8, label="noise-free verdict")
        for tier, week, frac, interval, src in PUBLISHED.get(arm.removesuffix(POLICY_SUFFIX), []):
            colour, _ = TIER_STYLE[tier]
            err = None if interval is None else [[100 * (frac - interval[0])], [100 * (interval[1] - frac)]]
            ax.errorbar([week / 52.0], [100 * frac], yerr=err, fmt="D", color=colour, mec="k", ms=6, capsize=3)
            ax.annotate(src, (week / 52.0, 100 * frac), fontsize=6, xytext=(3, 3), textcoords="offset points")
        ax.set_title(f"{arm} (n {int(ds['n_evaluated'].sel(arm=arm))})", fontsize=9)
        ax.set_xlabel("years on treatment", fontsize=8)
        ax.set_ylabel("cumulative incidence (%)", fontsize=8)
        ax.set_ylim(0, 100 if "levodopa" in arm else 40)
        if i == 0:
            ax.legend(fontsize=7, loc="upper left")
    ax = axes[len(names) // ncol, len(names) % ncol]
    years = int(ds.attrs["weeks"]) * 7 // checks.DAYS_PER_YEAR
    oral = [a for a in names if a.startswith(("pramipexole 0.25", "ropinirole", "rotigotine"))]
    for j, arm in enumerate(oral):
        new, risk = checks.yearly_counts(ds, arm, "augmented_practice", years)
        rate = [100 * k / m if m else np.nan for k, m in zip(new, risk)]
        ax.plot(np.arange(1, years + 1) + 0.05 * j, rate, "o-" if arm.endswith(POLICY_SUFFIX) else "o:", ms=4,
                label=arm, color=plotting.colour(arm.split()[0]))
    ax.axhspan(checks.AGONIST_RANGE[0], checks.AGONIST_RANGE[1], color="0.85", zorder=0, label="accepted 4-10%/year")
    for rate, label in PUBLISHED_ANNUAL:
        ax.axhline(100 * rate, color="k", lw=0.8, ls="--")
        ax.annotate(label, (1.0, 100 * rate), fontsize=6, xytext=(0, 2), textcoords="offset points")
    ax.set_xlabel("year of treatment", fontsize=8)
    ax.set_ylabel("new cases / patients at risk (%)", fontsize=8)
    ax.set_title("annual rate, diagnosed in practice", fontsize=9)
    ax.legend(fontsize=6, loc="upper right")
    if dosed:
        ax = axes[(len(names) + 1) // ncol, (len(names) + 1) % ncol]
        weeks = ds["visit_week"].values
        for arm in dosed:
            dose = ds["median_dose_mg"].sel(arm=arm).values
            start = dose[0] if np.isfinite(dose[0]) and dose[0] > 0 else np.nan
            ax.step(weeks / 52.0, dose / start, where="post", color=plotting.colour(arm.split()[0]),
                    label=f"{arm.removesuffix(POLICY_SUFFIX)}: median dose / starting dose")
        (m0, d0), (m1, d1) = SILBER_2003
        ax.plot([m0 / 12.0, m1 / 12.0], [1.0, d1 / d0], "kD--", ms=5, label="Silber 2003: 0.38 -> 0.63 mg (27 months)")
        ax.set_xlabel("years on treatment", fontsize=8)
        ax.set_ylabel("median dose (x starting dose)", fontsize=8)
        ax.set_title("dose over time under the DosePolicy", fontsize=9)
        ax.legend(fontsize=6, loc="upper left")
    for k in range(len(names) + 1 + bool(dosed), nrow * ncol):
        axes[k // ncol, k % ncol].axis("off")
    fig.suptitle(f"Augmentation over {years} years: virtual trial, seed {ds.attrs.get('seed')}, "
                 f"{provenance.get('model', 'default model')}", fontsize=10)
    fig.tight_layout()
    plotting.save(fig, path, provenance)
    plt.close(fig)


#: Yearly dose rise of the median patient's "rising dose" line (mg a year; Silber et al. 2003: 0.38 ->
#: 0.63 mg over 27 months, about 0.11 mg a year), up to the label maximum.
RISE_MG_PER_YEAR = 0.125


def rising_regimen(years, baseline_days, drug="pramipexole", rise=RISE_MG_PER_YEAR):
    """The reference dose of ``drug`` from ``baseline_days``, raised by ``rise`` mg each year up to
    the label maximum (a Regimen sum; the dose of the long-term cohorts, Silber et al. 2003)."""
    from ..pharmacology import DRUGS, Regimen, reference_dose
    dose0, hour = reference_dose(drug)
    top = DRUGS[drug].max_daily_dose_mg
    regimen = None
    n_years = max(1, math.ceil(years))
    for y in range(n_years):
        part = Regimen.daily(drug, min(dose0 + rise * y, top), hour, start_day=baseline_days + 364 * y,
                             stop_day=None if y == n_years - 1 else baseline_days + 364 * (y + 1))
        regimen = part if regimen is None else regimen + part
    return regimen


def median_patient(years, persistent_gain, baseline_days=28, dose=None, rising=False, drug_gain=None):
    """The median rls_genetic patient on pramipexole (reference dose, or ``rising`` by
    :data:`RISE_MG_PER_YEAR` a year) for ``years`` years under :func:`model_for` ``(persistent_gain,
    drug_gain)``; returns ``(daily outcomes, weekly slow states)`` (hourly samples)."""
    model = model_for(persistent_gain, drug_gain)
    days = baseline_days + int(round(364 * years))
    regimen = (rising_regimen(years, baseline_days) if rising
               else reference_regimen("pramipexole", dose=dose, start_day=baseline_days))
    ds = model.simulate(days=days, profile=POPULATION_PROFILE, regimen=regimen, sample_every_hours=1.0)
    daily = outcomes.daily(ds)
    slow = {v: ds[v].values[::24 * 7] for v in ("d2_tolerance", "d2_sensitization", "d2_persistent_sensitization",
                                                 "d2_drug_sensitization") if v in ds}
    slow["week"] = (ds["time"].values[::24 * 7] - baseline_days) / 7.0
    return daily, slow


def draw_patient(runs, baseline_days, path, provenance):
    """Weekly IRLS, onset hour and slow states of the median patient, one line per model."""
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(3, 1, figsize=(8.0, 8.0), sharex=True)
    for (label, (daily, slow)), colour in zip(runs.items(), ("#1f77b4", "#d62728", "#2ca02c")):
        wk, irls = plotting.weekly(daily, "irls")
        _, onset = plotting.weekly(daily, "onset_hour")
        x = (wk - baseline_days / 7.0) / 52.0
        axes[0].plot(x, irls, color=colour, label=label)
        axes[1].plot(x, onset, color=colour, label=label)
        for v, style in (("d2_tolerance", "-"), ("d2_drug_sensitization", "--")):
            if v in slow:
                axes[2].plot(slow["week"] / 52.0, slow[v], color=colour, ls=style, label=f"{v} ({label})")
    axes[0].set_ylabel("weekly IRLS-like score")
    axes[1].set_ylabel("symptom onset (clock h)")
    axes[2].set_ylabel("slow states")
    axes[2].set_xlabel("years on pramipexole (reference dose)")
    for ax in axes:
        ax.axvline(0.0, color="0.6", lw=0.8)
        ax.legend(fontsize=7)
    fig.suptitle("Median rls_genetic patient on pramipexole (0.25 mg, or rising 0.125 mg a year to 0.75 mg) "
                 "over the years", fontsize=10)
    fig.tight_layout()
    plotting.save(fig, path, provenance)
    plt.close(fig)


def _check(n, years, seed, workers, patient_years, persistent_gain, policy=True, threshold_irls=None,
           every_weeks=None):
    if policy not in (True, False):
        raise ValueError(f"policy must be True or False; got {policy!r}")
    if threshold_irls is not None and (isinstance(threshold_irls, bool) or not isinstance(threshold_irls, (int, float))
                                       or not 0 <= threshold_irls <= 40):
        raise ValueError(f"policy_threshold_irls must be None or a weekly IRLS in [0, 40]; got {threshold_irls!r}")
    if every_weeks is not None and (isinstance(every_weeks, bool) or not isinstance(every_weeks, int)
                                    or every_weeks < 4 or every_weeks % 4):
        raise ValueError(f"policy_every_weeks must be None or a whole multiple of the 4-week visit spacing; "
                         f"got {every_weeks!r}")
    for name, v, low in (("n", n, 1), ("years", years, 1), ("workers", workers, 1), ("seed", seed, 0)):
        if isinstance(v, bool) or not isinstance(v, int) or v < low:
            raise ValueError(f"{name} must be a whole number >= {low}; got {v!r}")
    if isinstance(patient_years, bool) or not isinstance(patient_years, (int, float)) or not 0 < patient_years <= 30:
        raise ValueError(f"patient_years must be a number in (0, 30] (years); got {patient_years!r}")
    if persistent_gain is not None and (isinstance(persistent_gain, bool)
                                        or not isinstance(persistent_gain, (int, float))
                                        or not 0 <= persistent_gain <= 1):
        raise ValueError(f"persistent_gain must be None (the default model) or a number in [0, 1] (1/day); "
                         f"got {persistent_gain!r}")


def run(out=None, *, n=200, years=5, seed=7, workers=2, patient_years=10, persistent_gain=None, policy=True,
        policy_threshold_irls=None, policy_every_weeks=None, overwrite=False, progress=None,
        long_horizon="envelope") -> ExperimentResult:
    """Run the 5-year trial and the median patient; write the figures and the table into ``out``.

    Parameters
    ----------
    out : str or os.PathLike, optional
        Output directory (default ``./rlsmodel-output``); existing files refused unless ``overwrite``.
    n : int
        Virtual patients per arm (before the IRLS >= 15 inclusion criterion).
    years : int
        Treated years of the trial (52 weeks each).
    seed : int
        Seed of the virtual population.
    workers : int
        Local worker processes.
    patient_years : float
        Years the median patient is followed (the flagship figure extended; default 10).
    persistent_gain : float, optional
        ``d2_persistent_gain`` (1/day) of the trial's model; None: the default model. The
        median-patient figure always shows the default model, the model without the drug-pulse
        sensitization (decision 47), and the default model with the dose rising (:func:`rising_regimen`).
    policy : bool
        Add the :data:`POLICY_ARMS` (pramipexole 0.25 mg and ropinirole 2 mg whose doses follow
        symptoms under a DosePolicy) and the dose-over-time panel.
    policy_threshold_irls : float, optional
        Weekly IRLS above which the policy arms step up (default that of :data:`POLICY_ARMS`, 20).
    policy_every_weeks : int, optional
        Weeks between the policy arms' dose decisions (a multiple of 4; default that of
        :data:`POLICY_ARMS`, 12).
    overwrite : bool
        Replace existing output files.
    progress : bool, optional
        Progress bar of the trial's sweep.
    long_horizon : {"envelope", "exact"}
        The trial's solver: cvode's envelope (default; at n = 300 over 5 years it gave every yearly
        count of the exact path, decision 54, at about a third of the cost) or the exact path.

    Returns
    -------
    ExperimentResult
        ``tables["long_term"]``: one row per arm and tier; ``datasets["trial"]``: the trial.
    """
    _check(n, years, seed, workers, patient_years, persistent_gain, policy, policy_threshold_irls,
           policy_every_weeks)
    if long_horizon not in ("envelope", "exact"):
        raise ValueError(f"long_horizon must be 'envelope' or 'exact'; got {long_horizon!r}")
    out_dir = OutputDir(DEFAULT_OUT if out is None else out, OUTPUT_NAMES, overwrite)
    t0 = time.perf_counter()
    model = model_for(persistent_gain, long_horizon=long_horizon)
    regimens, policies = arms(policy, policy_threshold_irls, policy_every_weeks)
    ds = virtual_trial(regimens, n=n, weeks=52 * years, seed=seed, placebo=True, profile=POPULATION_PROFILE,
                       model=model, workers=workers, min_baseline_irls=POPULATION_MIN_BASELINE_IRLS,
                       progress=progress, policies=policies or None)
    trial_seconds = time.perf_counter() - t0
    rows = table_rows(ds)
    label = "default model" if persistent_gain is None else f"d2_persistent_gain {persistent_gain:g}/day"
    provenance = {"experiment": NAME, "n": n, "seed": seed, "years": years, "model": label,
                  "persistent_gain": persistent_gain, "long_horizon": model.settings.options().get(
                      "long_horizon", "exact"),
                  "policies": {a: r.describe() for a, r in policies.items()}}
    out_dir.write_csv(TABLE_CSV, rows)
    doses = dose_rows(ds)
    out_dir.write_text(TABLE_MD, markdown_stamp() + table_markdown(rows, header(n, seed, years, persistent_gain))
                       + dose_markdown(doses, policy_threshold_irls, policy_every_weeks))
    out_dir.save(FIGURE, lambda p: draw(ds, p, provenance))
    baseline_days = 28
    patients = {"0.25 mg, default model": median_patient(patient_years, None, baseline_days),
                "0.25 mg, without the drug-pulse sensitization": median_patient(patient_years, None, baseline_days,
                                                                               drug_gain=0.0),
                "rising dose, default model": median_patient(patient_years, None, baseline_days, rising=True)}
    out_dir.save(FIGURE_PATIENT, lambda p: draw_patient(patients, baseline_days, p,
                                                        {**provenance, "patient_years": patient_years}))
    return ExperimentResult(NAME, out_dir.path, list(out_dir.written), tables={"long_term": rows, "doses": doses},
                            datasets={"trial": ds},
                            meta={"seconds": round(time.perf_counter() - t0, 1),
                                  "trial_seconds": round(trial_seconds, 1)})


def main(argv=None, prog=None, default_out=DEFAULT_OUT, overwrite=False) -> int:
    """Command line of :func:`run` (``rlsmodel run long_term``); returns the exit status."""
    ap = experiment_parser(prog or f"rlsmodel run {NAME}", DESCRIPTION, default_out, overwrite)
    ap.add_argument("--n", type=int, default=200, help="patients per arm (default 200)")
    ap.add_argument("--years", type=int, default=5, help="treated years (default 5)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workers", type=int, default=2, help="local worker processes (default 2)")
    ap.add_argument("--patient-years", type=float, default=10.0,
                    help="years the median pramipexole patient is followed (default 10)")
    ap.add_argument("--persistent-gain", type=float, default=None, metavar="G",
                    help="d2_persistent_gain of the trial's model (1/day; default: the default model, 0)")
    ap.add_argument("--no-policy", action="store_true", help="leave out the arms whose doses follow symptoms")
    ap.add_argument("--policy-threshold", type=float, default=None, metavar="IRLS",
                    help="weekly IRLS above which the policy arms step up (default 15)")
    ap.add_argument("--policy-every-weeks", type=int, default=None, metavar="W",
                    help="weeks between the policy arms' dose decisions, a multiple of 4 (default 12)")
    ap.add_argument("--exact", action="store_true",
                    help="run the trial on the exact path instead of cvode's envelope (about 3x the time)")
    args = ap.parse_args(argv)
    result = run(args.out, long_horizon="exact" if args.exact else "envelope", n=args.n, years=args.years, seed=args.seed, workers=args.workers,
                 patient_years=args.patient_years, persistent_gain=args.persistent_gain, policy=not args.no_policy,
                 policy_threshold_irls=args.policy_threshold, policy_every_weeks=args.policy_every_weeks,
                 overwrite=args.overwrite)
    print(f"long-term trial: n = {args.n} per arm, seed {args.seed}, {args.years} years, "
          f"{result.meta['trial_seconds']:.0f} s on {args.workers} worker(s)")
    for r in result.tables["long_term"]:
        cum = " ".join(_pct(r[f"year_{y}"]) for y in range(1, args.years + 1))
        print(f"{r['arm']:<22} {r['tier']:<22} n {r['n']:>3}  cumulative by year: {cum}  after year 1: "
              f"{_pct(r['annual_rate_after_year_1'])}/year")
    for r in result.tables["doses"]:
        print(f"{r['arm']:<30} median dose by year: " + " ".join(f"{v:.3g}" for k, v in r.items() if k.startswith("year_"))
              + f" mg; month 27: {r['month_27']:.3g} mg (Silber et al. 2003: 0.38 -> 0.63 mg)")
    print("wrote " + ", ".join(str(p) for p in result.paths))
    return 0


if __name__ == "__main__":      # pragma: no cover
    sys.exit(main())
