"""Everything that leaves the package, one file per format, all fed by the declaration.

* :mod:`rlsmodel.export.tables` -- parameter, state and observable tables as Markdown,
  CSV and LaTeX (booktabs longtable).
* :mod:`rlsmodel.export.latex` -- the equations (``sympy.latex``, grouped by module) as
  LaTeX and Markdown, and the generated ``docs/model.md``.
* :mod:`rlsmodel.export.sbml` -- SBML Level 3, unit-consistent and annotated (python-libsbml,
  optional extra ``sbml``; helpers in ``sbml_math``, ``sbml_units``, ``annotations``,
  ``references``).
* :mod:`rlsmodel.export.sedml` and :mod:`rlsmodel.export.omex` -- the flagship experiment as
  SED-ML in a COMBINE archive (python-libsedml, python-libcombine).

>>> import rlsmodel
>>> from rlsmodel import export
>>> export.write_model_doc(rlsmodel.Model(), "docs/model.md")   # doctest: +SKIP
"""
from .sbml import sbml
from .latex import equations_latex, equations_markdown, model_doc, write_latex, write_model_doc
from .tables import (observable_table, parameter_table, parameters_csv, parameters_latex,
                     parameters_markdown, render, state_table)

__all__ = ["sbml", "equations_latex", "equations_markdown", "model_doc", "observable_table",
           "parameter_table", "parameters_csv", "parameters_latex", "parameters_markdown",
           "render", "state_table", "write_latex", "write_model_doc"]
