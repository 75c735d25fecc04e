"""Calibration as code: reproducible fits, identifiability and prediction bands.

A calibration problem is a TOML spec (``experiments/calibration/*.toml``;
:mod:`rlsmodel.calibration.spec`): the parameters to fit, the targets (scorecard rows,
measurement CSVs, custom functions; :mod:`~rlsmodel.calibration.targets`) and the
hypothesis. :func:`calibrate` runs the multistart fit with pyPESTO (optionally profiles,
samples and prediction bands) and writes a Dataset, figures and tables.

>>> import rlsmodel
>>> ds = rlsmodel.calibrate("experiments/calibration/synthetic_cohort.toml", out="fit",
...                         profiles=True)                                  # doctest: +SKIP

Modules: :mod:`.spec` (TOML specs), :mod:`.targets` (residuals), :mod:`.objective`
(pyPESTO problem), :mod:`.engine` (serial / processes / Dask, resumable parts),
:mod:`.fit` (:func:`calibrate`), :mod:`.bands` (prediction bands), :mod:`.predictions`
(named predictions), :mod:`.report` (figures, tables, ``docs/calibration.md``),
:mod:`.synthetic` (synthetic data for the worked example). The PEtab export is
:mod:`rlsmodel.export.petab`. Needs the ``calibrate`` extra (pyPESTO).
"""
from .spec import CalibrationSpec, FitParameter, load_spec
from .fit import calibrate, open_result
from .bands import Band, bands_from, prediction_bands
from .report import write_docs_section

__all__ = ["calibrate", "load_spec", "CalibrationSpec", "FitParameter", "open_result", "Band", "bands_from",
           "prediction_bands", "write_docs_section"]
