"""Validation scorecard: every target of ``science.md`` run against the model.

A :class:`Target` is one published fact: an id (``"P1"``, ``"T-iron-IV-rise"``,
``"A-levodopa"``), a description, its source, what is expected (text and, where numeric, an
accepted range for the headline number), a check computing the simulated value, and a
pass rule. Targets the model cannot address (spread to the arms, prevalence, heritability,
paradoxical dose response) stay in the table with status ``"not modelled"`` and the reason;
none is dropped. Population targets (augmentation rates across patients, the placebo
response) are scored on a virtual trial when one is asked for
(``validate(population=N, seed=...)``, ``rlsmodel validate --population N``) and are "not
modelled" otherwise.

>>> from rlsmodel import validation
>>> rows = validation.validate(quick=True)                      # doctest: +SKIP
>>> validation.report(rows, ".")                                # doctest: +SKIP

:func:`validate` returns a :class:`Scorecard`: a plain ``list`` of row dicts (no pandas),
one per target, with keys ``id, category, target, source, expected, simulated, value,
unit, lo, hi, status, note, failed_checks, seconds``; its ``meta`` dict records the mode,
horizons, model options, package version and run time. :func:`report` writes
``figures/validation.png`` (the scorecard figure) and ``docs/validation.md`` (a Markdown
table) under ``out_dir``. ``rlsmodel validate`` does both from the command line.

:func:`compare` scores every target under every hypothesis (augmentation mechanism x DAT
direction) and :func:`write_comparison` writes ``docs/hypotheses.md`` (and
``figures/hypotheses.png``); ``rlsmodel validate --compare``.

The package, one job per module:

* :mod:`~rlsmodel.validation.scoring` -- :class:`Target`, :class:`Observation`, the pass
  rule, :func:`evaluate` (one row) and :class:`Scorecard`;
* :mod:`~rlsmodel.validation.protocol` -- patients, doses, iron regimens and horizons;
* :mod:`~rlsmodel.validation.runs` -- :class:`Runs`, the simulations shared by the targets
  of one model, and the helpers checks read them with;
* :mod:`~rlsmodel.validation.checks` -- the checks, one module per area (``symptoms``,
  ``physiology``, ``iron_therapy``, ``treatment``, ``population``);
* :mod:`~rlsmodel.validation.targets` -- :data:`TARGETS`, one keyword row per target;
* :mod:`~rlsmodel.validation.scorecard` -- :func:`validate`;
* :mod:`~rlsmodel.validation.reporting` -- the text table, Markdown, figure and :func:`report`;
* :mod:`~rlsmodel.validation.compare` -- every target under every hypothesis, side by side.

Conventions
-----------
* "Higher"/"lower" without a number means by more than :data:`NOISE` (0.5 %) relative:
  steady states are solved to about 1e-9, so 0.5 % is a model effect, not solver noise
  (the same margin as ``tests/test_targets.py``).
* Slow quantities compare day-averaged steady states (:meth:`Model.steady_state`); daily
  rhythms use the entrained second day of a 2-day run sampled every 5 minutes, read from
  noon to noon so that the night is contiguous (clock hour 24 = midnight, 25 = 01:00).
* Treatment targets use one *median patient*, profile :data:`TREATMENT_PROFILE`, with a
  28-day untreated baseline, then each drug daily at a typical RLS dose
  (:data:`DOSES`, the drug table's reference doses). One long run per drug is shared by the acute-benefit, augmentation and
  receptor targets; stop runs, iron runs and day runs are likewise simulated once per
  :func:`validate` call.
* Quick mode (``quick=True``) keeps every target but shortens horizons
  (:data:`HORIZONS`): 1 year of treatment instead of 2, 12 weeks before stopping instead of
  26, 12 weeks of iron follow-up instead of 26, and hourly instead of half-hourly samples.
  Verdicts that depend on the horizon say so in their note. The population trial is not
  shortened.
* Population targets share one virtual trial (:meth:`Runs.population_trial`): placebo and
  every arm of :func:`population_regimens` (the reference doses, plus Allen et al. 2014's
  pramipexole 0.5 mg), ``N`` patients per arm, 52 weeks, seed :data:`POPULATION_SEED` by
  default; a published rate passes when it lies inside the simulated Wilson 95 % interval
  (:mod:`rlsmodel.validation.checks.population`).
* The long-term targets (issue 22) share a 5-year trial (:meth:`Runs.long_term_trial`: the
  reference doses of pramipexole, ropinirole, rotigotine, levodopa and pregabalin, and placebo;
  the same ``N``, seed and patients) and read the tier their paper counted
  (:mod:`rlsmodel.validation.checks.long_term`, :mod:`rlsmodel.clinical.practice`). It costs
  about five times the 52-week trial per arm.
"""
from .compare import Comparison, compare, comparison_figure, comparison_markdown, default_models, write_comparison
from .protocol import (ALLEN_2014_PRAMIPEXOLE_MG, ALPHA2DELTA, BASELINE_DAYS, DOPAMINERGIC, DOSES, HORIZONS,
                       IRON_PROFILE, IRON_REGIMENS, IRON_START_DAY, LEVODOPA_LOW_DOSE, OVERLOAD_PROFILE,
                       POPULATION_ARMS, POPULATION_MIN_BASELINE_IRLS, POPULATION_PROFILE, POPULATION_SEED,
                       POPULATION_WEEKS, RLS_PROFILES, SEVERE_PROFILE, SHORT_STOP_DAYS, TREATMENT_PROFILE,
                       population_arm, population_regimens)
from .reporting import STATUS_COLOURS, figure, format_table, markdown, range_position, report
from .runs import Runs
from .scorecard import validate
from .scoring import (CATEGORIES, FAIL, NOISE, NOT_MODELLED, PASS, POPULATION_REASON, STATUSES, Observation,
                      Scorecard, Target, accepted_range, count_statuses, default_rule, evaluate, in_range)
from .targets import TARGETS, get

#: The untreated RLS profiles (former name; see :data:`RLS_PROFILES`).
RLS = RLS_PROFILES

__all__ = ["Target", "Observation", "Scorecard", "TARGETS", "CATEGORIES", "STATUSES", "PASS", "FAIL",
           "NOT_MODELLED", "validate", "report", "markdown", "format_table", "figure", "get", "evaluate",
           "Runs", "NOISE", "in_range", "default_rule", "count_statuses", "range_position", "STATUS_COLOURS",
           "TREATMENT_PROFILE", "IRON_PROFILE", "RLS_PROFILES", "BASELINE_DAYS", "DOSES", "DOPAMINERGIC",
           "ALPHA2DELTA", "IRON_REGIMENS", "IRON_START_DAY", "HORIZONS", "SHORT_STOP_DAYS", "SEVERE_PROFILE",
           "OVERLOAD_PROFILE", "LEVODOPA_LOW_DOSE", "POPULATION_SEED", "POPULATION_WEEKS", "POPULATION_ARMS",
           "POPULATION_PROFILE", "POPULATION_MIN_BASELINE_IRLS", "ALLEN_2014_PRAMIPEXOLE_MG", "POPULATION_REASON",
           "population_arm", "population_regimens", "accepted_range", "compare", "Comparison", "default_models",
           "comparison_markdown", "comparison_figure", "write_comparison"]
