"""Parameter, state and observable tables as Markdown, CSV and LaTeX.

Every table is first built as a :class:`Table` (columns plus rows grouped by module),
straight from the model declaration, and then rendered by one of
:func:`to_markdown`, :func:`to_csv` or :func:`to_latex`. The renderers know nothing
about the model, so the three formats always hold the same rows.

>>> import rlsmodel
>>> from rlsmodel.export import tables
>>> print(tables.parameters_markdown(rlsmodel.Model()))   # doctest: +SKIP
"""
from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass

#: Name of the pseudo-module that holds states added by the assembler (ledgers).
ASSEMBLED_GROUP = "assembled"

#: Table formats understood by :func:`render`.
FORMATS = ("md", "csv", "latex")


@dataclass(frozen=True)
class Column:
    """One column: ``key`` into each row, a ``title`` for headers, and its kind.

    ``kind`` is ``"name"`` (an identifier, typeset verbatim), ``"number"``,
    ``"range"`` (a (low, high) pair), ``"unit"`` or ``"text"``.
    """

    key: str
    title: str
    kind: str = "text"


@dataclass(frozen=True)
class Table:
    """A table with rows grouped by module: ``groups`` is ``((module, (row, ...)), ...)``.

    Each row is a dict keyed by the columns' ``key``.
    """

    title: str
    columns: tuple
    groups: tuple

    @property
    def rows(self):
        """All rows, in group order, each with its ``module``."""
        return [dict(row, module=module) for module, rows in self.groups for row in rows]


# -- building tables from a model ----------------------------------------------------------

PARAMETER_COLUMNS = (
    Column("name", "Parameter", "name"),
    Column("value", "Value", "number"),
    Column("unit", "Unit", "unit"),
    Column("range", "Range", "range"),
    Column("source", "Source"),
    Column("description", "Description"),
)

STATE_COLUMNS = (
    Column("name", "State", "name"),
    Column("unit", "Unit", "unit"),
    Column("nominal", "Nominal", "number"),
    Column("kind", "Kind"),
    Column("description", "Description"),
)

OBSERVABLE_COLUMNS = (
    Column("name", "Observable", "name"),
    Column("unit", "Unit", "unit"),
    Column("long_name", "Long name"),
    Column("description", "Description"),
)


def parameter_table(model) -> Table:
    """Every parameter of ``model`` with its value, unit, range, source and description.

    Values are the model's defaults (``model.parameters``), so a model-level choice such
    as ``dat_hypothesis`` is reflected.
    """
    params = model.parameters
    groups = []
    for module in model.system.modules:
        rows = tuple({"name": p.name, "value": params[p.name].default, "unit": p.unit,
                      "range": tuple(params[p.name].range), "source": params[p.name].source,
                      "description": params[p.name].description, "domain": params[p.name].domain}
                     for p in module.parameters)
        if rows:
            groups.append((module.name, rows))
    return Table("Parameters", PARAMETER_COLUMNS, tuple(groups))


def state_table(model) -> Table:
    """Every state of ``model``; states added by the assembler (ledgers) come last."""
    system = model.system
    owned, groups = set(), []

    def row(s):
        kind = s.kind + (f" ({s.quantity})" if s.quantity else "")
        return {"name": s.name, "unit": s.unit, "nominal": s.nominal, "kind": kind,
                "description": s.description}

    for module in system.modules:
        rows = tuple(row(system.states[s.name]) for s in module.states)
        owned.update(s.name for s in module.states)
        if rows:
            groups.append((module.name, rows))
    extra = tuple(row(s) for n, s in system.states.items() if n not in owned)
    if extra:
        groups.append((ASSEMBLED_GROUP, extra))
    return Table("States", STATE_COLUMNS, tuple(groups))


def observable_table(model) -> Table:
    """Every observable of ``model`` with its unit and descriptions; the ones the assembler
    adds (body totals) come last."""
    def row(o):
        return {"name": o.name, "unit": o.unit, "long_name": o.long_name, "description": o.description}

    system = model.system
    groups = []
    for module in system.modules:
        rows = tuple(row(o) for o in module.observables)
        if rows:
            groups.append((module.name, rows))
    extra = tuple(row(system.observables[n]) for n in system.assembled_observables)
    if extra:
        groups.append((ASSEMBLED_GROUP, extra))
    return Table("Observables", OBSERVABLE_COLUMNS, tuple(groups))


#: Table builders by the names the CLI uses.
TABLES = {"parameters": parameter_table, "states": state_table, "observables": observable_table}


# -- cell formatting ------------------------------------------------------------------------

def format_number(value) -> str:
    """A compact, exact-enough decimal for humans: six significant digits."""
    v = float(value)
    if v == 0:
        return "0"
    if not math.isfinite(v):
        return str(v)
    return f"{v:.6g}"


_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
    "<": r"\textless{}", ">": r"\textgreater{}",
}
_LATEX_RE = re.compile("|".join(re.escape(c) for c in _LATEX_SPECIALS))


def latex_escape(text) -> str:
    """``text`` with every LaTeX special character escaped for text mode."""
    return _LATEX_RE.sub(lambda m: _LATEX_SPECIALS[m.group()], str(text))


def latex_number(value) -> str:
    """A number for LaTeX text: ``1.5e-05`` becomes ``$1.5\\times10^{-5}$``."""
    s = format_number(value)
    m = re.fullmatch(r"(-?[\d.]+)e([+-])0*(\d+)", s)
    if not m:
        return s if not s.startswith("-") else f"${s}$"
    mant, sign, exp = m.groups()
    exp = ("-" if sign == "-" else "") + exp
    return f"${mant}\\times10^{{{exp}}}$"


def latex_unit(unit: str) -> str:
    """A pint unit string typeset for LaTeX text (``ug`` -> micro-g, ``*`` -> thin space)."""
    if unit == "percent":
        return r"\%"
    s = latex_escape(unit)
    s = re.sub(r"\*\*(-?\d+)", r"\\textsuperscript{\1}", s)
    s = s.replace("*", r"\,")
    return re.sub(r"(?<![A-Za-z])u(?=[A-Za-z])", r"\\textmu{}", s)


_MD_SPECIALS = re.compile(r"([\\`*_|<>\[\]])")


def markdown_escape(text) -> str:
    """``text`` safe inside a Markdown table cell (one line, no emphasis, no pipes)."""
    return _MD_SPECIALS.sub(r"\\\1", " ".join(str(text).split()))


def _md_cell(column: Column, value) -> str:
    if column.kind in ("name", "unit"):
        return f"`{value}`"
    if column.kind == "number":
        return format_number(value)
    if column.kind == "range":
        return f"{format_number(value[0])} – {format_number(value[1])}"
    return markdown_escape(value)


def _latex_cell(column: Column, value) -> str:
    if column.kind == "name":
        return r"\texttt{" + latex_escape(value) + "}"
    if column.kind == "unit":
        return latex_unit(value)
    if column.kind == "number":
        return latex_number(value)
    if column.kind == "range":
        return f"{latex_number(value[0])}--{latex_number(value[1])}"
    return latex_escape(value)


# -- renderers ------------------------------------------------------------------------------

def to_markdown(table: Table, heading_level: int = 3) -> str:
    """One Markdown table per module, each under a heading naming the module."""
    hashes = "#" * heading_level
    header = "| " + " | ".join(c.title for c in table.columns) + " |"
    rule = "|" + "|".join("---:" if c.kind == "number" else "---" for c in table.columns) + "|"
    out = []
    for module, rows in table.groups:
        out += [f"{hashes} {module}", "", header, rule]
        out += ["| " + " | ".join(_md_cell(c, row[c.key]) for c in table.columns) + " |" for row in rows]
        out.append("")
    return "\n".join(out)


def to_csv(table: Table) -> str:
    """CSV with a header row, a ``module`` column and exact (``repr``) numbers.

    Ranges become two columns, ``<key>_low`` and ``<key>_high``; parameter tables also
    carry the ``domain`` column. Quoting follows :mod:`csv` (minimal, RFC 4180 style).
    """
    keys = ["module"]
    for c in table.columns:
        keys += [f"{c.key}_low", f"{c.key}_high"] if c.kind == "range" else [c.key]
    if any("domain" in row for _, rows in table.groups for row in rows):
        keys.append("domain")
    kinds = {c.key: c.kind for c in table.columns}
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(keys)
    for module, rows in table.groups:
        for row in rows:
            cells = [module]
            for c in table.columns:
                v = row[c.key]
                if kinds[c.key] == "range":
                    cells += [repr(float(v[0])), repr(float(v[1]))]
                elif kinds[c.key] == "number":
                    cells.append(repr(float(v)))
                else:
                    cells.append(str(v))
            if "domain" in keys:
                cells.append(row.get("domain", ""))
            writer.writerow(cells)
    return buf.getvalue()


#: Column specifications by column kind; free text wraps in a fixed-width column.
_LATEX_SPECS = {"name": "l", "number": "r", "unit": "l", "range": "l", "text": r"p{0.2\linewidth}"}


def to_latex(table: Table, caption: str | None = None, label: str | None = None) -> str:
    """A booktabs ``longtable`` with one bold group row per module.

    Needs ``\\usepackage{booktabs,longtable}``; ``\\textmu`` needs a 2020+ LaTeX kernel
    (or ``textcomp``).
    """
    ncol = len(table.columns)
    spec = "@{}" + " ".join(_LATEX_SPECS[c.kind] for c in table.columns) + "@{}"
    header = " & ".join(r"\textbf{" + latex_escape(c.title) + "}" for c in table.columns) + r" \\"
    out = [r"\begingroup\footnotesize", r"\begin{longtable}{" + spec + "}"]
    if caption:
        out.append(r"\caption{" + latex_escape(caption) + "}"
                   + (r"\label{" + label + "}" if label else "") + r" \\")
    out += [r"\toprule", header, r"\midrule", r"\endfirsthead",
            r"\toprule", header, r"\midrule", r"\endhead",
            r"\midrule", r"\multicolumn{" + str(ncol) + r"}{r}{\emph{continued on next page}} \\",
            r"\endfoot", r"\bottomrule", r"\endlastfoot"]
    for i, (module, rows) in enumerate(table.groups):
        if i:
            out.append(r"\addlinespace")
        out.append(r"\multicolumn{" + str(ncol) + r"}{@{}l}{\textbf{" + latex_escape(module) + r"}} \\*")
        for row in rows:
            out.append(" & ".join(_latex_cell(c, row[c.key]) for c in table.columns) + r" \\")
    out += [r"\end{longtable}", r"\endgroup"]
    return "\n".join(out) + "\n"


_RENDERERS = {"md": to_markdown, "csv": to_csv, "latex": to_latex}


def render(table: Table, fmt: str = "md") -> str:
    """``table`` in format ``fmt`` (``md``, ``csv`` or ``latex``)."""
    if fmt not in _RENDERERS:
        raise ValueError(f"unknown table format {fmt!r}; valid formats: {', '.join(FORMATS)}")
    return _RENDERERS[fmt](table)


def parameters_markdown(model) -> str:
    """The parameter table as Markdown (a table per module)."""
    return to_markdown(parameter_table(model))


def parameters_csv(model) -> str:
    """The parameter table as CSV."""
    return to_csv(parameter_table(model))


def parameters_latex(model) -> str:
    """The parameter table as a booktabs longtable."""
    return to_latex(parameter_table(model), caption="Model parameters", label="tab:parameters")
