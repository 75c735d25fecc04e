"""The model's equations as LaTeX and Markdown, and the generated ``docs/model.md``.

Everything is read from the assembled :class:`~rlsmodel.model.system.System` (nothing is
re-derived here): for each state its derivative terms (:attr:`System.derivative_terms`:
flows in, flows out, regulations; a ledger's boundary flows),

    d(state)/dt = (flows in) - (flows out) + (regulations),

written with each flow's and regulation's declared rate, observables kept as symbols;
then each observable's definition (:attr:`System.observable_definitions`, including terms
other modules contribute to it), the schedule inputs (forcings) and the list of flows. Names
are typeset upright with escaped underscores (``\\mathrm{fe\\_plasma}``), so
``k_store_uptake`` is not read as ``k`` with a subscript.

>>> import rlsmodel
>>> from rlsmodel.export.latex import equations_markdown
>>> print(equations_markdown(rlsmodel.Model()))        # doctest: +SKIP
"""
from __future__ import annotations
from ..fileio import write_text_atomic

from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import sympy as sp

from .._version import __version__
from ..model.declaration import sym
from ..model.system import Term
from . import tables

#: Printer settings shared by every equation (explicit products read better with long names).
_LATEX_SETTINGS = {"mul_symbol": "dot"}


def latex_name(name: str) -> str:
    """``name`` as an upright LaTeX identifier, e.g. ``\\mathrm{fe\\_plasma}``."""
    return r"\mathrm{" + name.replace("_", r"\_") + "}"


def symbol_names(system) -> dict:
    """sympy ``symbol_names`` mapping for every declared name of ``system``."""
    names = list(system.states) + list(system.parameters) + list(system.observables) + list(system.forcings)
    return {sym(n): latex_name(n) for n in names}


def expr_latex(expr, names: dict) -> str:
    """``expr`` as LaTeX with the declared names typeset by ``names``."""
    return sp.latex(sp.sympify(expr), symbol_names=names, **_LATEX_SETTINGS)


def derivative_terms(system) -> "OrderedDict[str, list]":
    """For each state: its signed :class:`~rlsmodel.model.system.Term` s (flows in, flows out,
    regulations, ledger flows), as assembled (:attr:`System.derivative_terms`)."""
    return OrderedDict((n, list(ts)) for n, ts in system.derivative_terms.items())


def observable_definitions(system) -> "OrderedDict[str, sp.Expr]":
    """Each observable's defining expression, with other modules' contributions added
    (:attr:`System.observable_definitions`)."""
    return OrderedDict(system.observable_definitions)


@dataclass(frozen=True)
class _Group:
    """What one module (or the assembler) owns, by name."""

    module: str
    description: str
    states: list
    observables: list
    flows: list
    forcings: list


def _owner_groups(system) -> list:
    """One :class:`_Group` per module, then the assembler's ledger states and body totals."""
    owned = set()
    groups = []
    for m in system.modules:
        names = [s.name for s in m.states]
        owned.update(names)
        groups.append(_Group(m.name, m.description, names, [o.name for o in m.observables], list(m.flows),
                             [f.name for f in m.forcings]))
    extra = [n for n in system.states if n not in owned]
    totals = list(system.assembled_observables)
    if extra or totals:
        groups.append(_Group(tables.ASSEMBLED_GROUP,
                             "Added by the assembler: running totals of flows across the body boundary "
                             "(for mass-balance checks) and the body total of each conserved quantity.",
                             extra, totals, [], []))
    return groups


# -- equation lines ---------------------------------------------------------------------------

def _state_lines(state: str, terms, names) -> list:
    """Aligned lines ``\\frac{d X}{dt} &= term \\\\ &\\quad - term ...`` for one state."""
    lhs = r"\frac{d\," + latex_name(state) + "}{dt}"
    terms = [tm.normalised() for tm in terms]
    if not terms:
        return [lhs + " &= 0"]
    lines = []
    for i, tm in enumerate(terms):
        body = expr_latex(tm.rate, names)
        if isinstance(tm.rate, sp.Add):
            body = r"\left(" + body + r"\right)"
        if i == 0:
            lines.append(lhs + " &= " + ("- " if tm.sign < 0 else "") + body)
        else:
            lines.append(r"&\quad " + ("- " if tm.sign < 0 else "+ ") + body)
    return lines


def _observable_lines(system, name: str, expr, names) -> list:
    lines = [latex_name(name) + " &= " + expr_latex(expr, names)]
    mean = system.observables[name].daily_mean
    if mean is not None:
        lines.append(r"\langle " + latex_name(name) + r"\rangle_{\mathrm{day}} &= "
                     + expr_latex(mean, names) + r" && \text{(daily mean, used for steady states)}")
    return lines


def _forcing_item(forcing) -> tuple:
    """``(name, unit, description)`` of a schedule input."""
    return forcing.name, forcing.unit, forcing.description


def _flow_line(flow, names) -> str:
    src = latex_name(flow.source) if flow.source else r"\emptyset"
    tgt = latex_name(flow.target) if flow.target else r"\emptyset"
    return (r"J_{" + latex_name(flow.name) + "} &= " + expr_latex(flow.rate, names)
            + r" && (" + src + r" \to " + tgt + ")")


@dataclass(frozen=True)
class ModuleEquations:
    """One module's equations as lists of aligned LaTeX lines (without ``\\\\``)."""

    module: str
    description: str
    states: list
    observables: list
    flows: list
    #: schedule inputs the observables read: ``[(name, unit, description)]``
    forcings: list = ()


def module_equations(model) -> list:
    """The equations of ``model`` grouped by module (a list of :class:`ModuleEquations`)."""
    system = model.system
    names = symbol_names(system)
    terms = system.derivative_terms
    obs = system.observable_definitions
    out = []
    for g in _owner_groups(system):
        out.append(ModuleEquations(
            g.module, g.description,
            [_state_lines(s, terms[s], names) for s in g.states],
            [_observable_lines(system, o, obs[o], names) for o in g.observables],
            [[_flow_line(f, names)] for f in g.flows],
            [_forcing_item(system.forcings[f]) for f in g.forcings]))
    return out


#: Heading of the schedule inputs of a module.
_FORCINGS_TITLE = "Inputs from the rest/activity schedule (forcings, supplied per run)"


_SECTIONS = (("states", "State equations"), ("observables", "Observables"),
             ("flows", r"Flows ($J$, from $\to$ to; $\emptyset$ = outside the system)"))


def _provenance(model, structure: bool = True) -> str:
    """Version and model choices (and the compiled structure's hash if ``structure``)."""
    text = (f"rlsmodel {__version__}; augmentation mechanism {model.augmentation!r}, "
            f"DAT hypothesis {model.dat_hypothesis!r}")
    return text + (f"; model structure {model.compiled.structure_hash}" if structure else "")


def equations_latex(model) -> str:
    """All equations as a LaTeX fragment for ``\\input`` (needs ``amsmath``).

    One ``\\subsection*`` per module with ``align*`` blocks for the state equations,
    the observables and the flows.
    """
    out = [f"% Model equations generated by `rlsmodel export latex` ({_provenance(model)}).",
           r"% Requires \usepackage{amsmath}. Do not edit: regenerate instead.", ""]
    for eq in module_equations(model):
        out += [r"\subsection*{Module \texttt{" + tables.latex_escape(eq.module) + "}}",
                tables.latex_escape(eq.description), ""]
        for attr, title in _SECTIONS:
            blocks = getattr(eq, attr)
            if not blocks:
                continue
            lines = [line for block in blocks for line in block]
            out += [r"\paragraph{" + (title if attr == "flows" else tables.latex_escape(title)) + "}",
                    r"\begin{align*}", " \\\\\n".join(lines), r"\end{align*}", ""]
        if eq.forcings:
            out += [r"\paragraph{" + tables.latex_escape(_FORCINGS_TITLE) + "}", r"\begin{itemize}"]
            out += [r"\item $" + latex_name(n) + "$ (" + tables.latex_unit(u) + "): " + tables.latex_escape(d)
                    for n, u, d in eq.forcings]
            out += [r"\end{itemize}", ""]
    return "\n".join(out)


def _math_block(lines) -> str:
    return "$$\n\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}\n$$"


def equations_markdown(model, heading_level: int = 3) -> str:
    """All equations as Markdown: a section per module, ``$$`` math blocks."""
    hashes = "#" * heading_level
    out = []
    for eq in module_equations(model):
        out += [f"{hashes} Module `{eq.module}`", "", eq.description, ""]
        for attr, title in _SECTIONS:
            blocks = getattr(eq, attr)
            if not blocks:
                continue
            out += [f"**{title}**", ""]
            if attr != "states":    # one block for all observables / all flows of the module
                blocks = [[line for block in blocks for line in block]]
            for block in blocks:
                out += [_math_block(block), ""]
        if eq.forcings:
            out += [f"**{_FORCINGS_TITLE}**", ""]
            out += [f"- ${latex_name(n)}$ (`{u}`): {tables.markdown_escape(d)}" for n, u, d in eq.forcings]
            out.append("")
    return "\n".join(out)


# -- docs/model.md ----------------------------------------------------------------------------

def _sources_markdown(model) -> str:
    """Module references, then each literature source with the parameters that cite it."""
    out = ["### Module references", ""]
    for m in model.system.modules:
        for ref in m.references:
            out.append(f"- `{m.name}`: {tables.markdown_escape(ref)}")
    cited = {}
    for p in model.parameters.values():
        if not p.source.lower().startswith(_NOT_CITATIONS):
            cited.setdefault(p.source, []).append(p.name)
    out += ["", "### Parameter sources", "",
            "Sources cited by parameters, with the parameters that cite them (values marked "
            "*assumed*, *calibrated* or *scale* are explained in the parameter table).", ""]
    out += [f"- {tables.markdown_escape(s)}: " + ", ".join(f"`{n}`" for n in cited[s])
            for s in sorted(cited, key=str.lower)]
    return "\n".join(out) + "\n"


#: Parameter sources that are reasons rather than citations.
_NOT_CITATIONS = ("assumed", "calibrated", "scale")


def model_doc(model) -> str:
    """The text of ``docs/model.md`` for ``model``."""
    system = model.system
    counts = (f"{len(system.states)} states, {len(system.parameters)} parameters, "
              f"{len(system.flows)} flows, {len(system.regulations)} regulations, "
              f"{len(system.observables)} observables and {len(system.forcings)} schedule inputs")
    modules = "\n".join(f"- **`{m.name}`**: {tables.markdown_escape(m.description)}" for m in system.modules)
    parts = [
        "# The rlsmodel model",
        "",
        "<!-- Generated by `rlsmodel export docs` from `rlsmodel.Model()`. Do not edit by hand:",
        "     tests/test_export_latex.py fails when this file differs from the model. -->",
        "",
        f"Generated from the declaration of `rlsmodel.Model()` ({_provenance(model, structure=False)}): "
        f"{counts}. Time $t$ is in days; $t = 0$ is midnight.",
        "",
        "Iron moves only through flows $J$ (subtracted from their source, added to their "
        "target; $\\emptyset$ is outside the system), so iron mass balance holds by "
        "construction. Other states change through regulations (production and loss terms). "
        "Observables are algebraic readouts; in the state equations they appear as symbols "
        "and are defined below each module's state equations. Schedule inputs (forcings) are "
        "time courses each run supplies from its rest/activity schedule (`rlsmodel.Activity`); "
        "only observables read them, never a state equation.",
        "",
        "## Modules",
        "",
        modules,
        "",
        "## Equations",
        "",
        equations_markdown(model, heading_level=3),
        "## States",
        "",
        tables.to_markdown(tables.state_table(model), heading_level=3),
        "## Parameters",
        "",
        "Values are the defaults of the healthy profile; profiles override some of them "
        "(`rlsmodel.profiles`). Ranges are the plausible intervals that sweeps sample.",
        "",
        tables.to_markdown(tables.parameter_table(model), heading_level=3),
        "## Observables",
        "",
        tables.to_markdown(tables.observable_table(model), heading_level=3),
        "## Sources",
        "",
        _sources_markdown(model),
    ]
    return "\n".join(parts)


def write_model_doc(model, path) -> Path:
    """Write :func:`model_doc` of ``model`` to ``path`` (directories created); return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, model_doc(model))
    return path


def write_latex(model, directory) -> list:
    """Write ``equations.tex``, ``parameters.tex``, ``equations.md`` and ``parameters.md``.

    Returns the paths written.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    note = f"Generated by `rlsmodel export latex` ({_provenance(model)})."
    files = {
        "equations.tex": equations_latex(model),
        "parameters.tex": (f"% {note}\n% Requires \\usepackage{{booktabs,longtable}}.\n"
                           + tables.parameters_latex(model)),
        "equations.md": f"<!-- {note} -->\n\n# Model equations\n\n" + equations_markdown(model, 2),
        "parameters.md": (f"<!-- {note} -->\n\n# Model parameters\n\n"
                          + tables.to_markdown(tables.parameter_table(model), heading_level=2)),
    }
    paths = []
    for name, text in files.items():
        p = directory / name
        write_text_atomic(p, text)
        paths.append(p)
    return paths


__all__ = ["Term", "derivative_terms", "equations_latex", "equations_markdown", "latex_name",
           "model_doc", "module_equations", "observable_definitions", "symbol_names",
           "write_latex", "write_model_doc"]
