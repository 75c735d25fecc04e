"""Tables, equations and the generated docs/model.md (rlsmodel.export.tables / .latex)."""
from __future__ import annotations

import csv
import difflib
import io
import re
from pathlib import Path

import pytest
import sympy as sp

from rlsmodel.export import latex, tables
from rlsmodel.model.declaration import sym

DOCS = Path(__file__).resolve().parent.parent / "docs" / "model.md"


def _rows_starting(text: str, prefix: str) -> list:
    return [line for line in text.splitlines() if line.startswith(prefix)]


def _markdown_unescaped(cell: str) -> str:
    """A Markdown cell's text as a reader sees it (backslash escapes removed)."""
    return re.sub(r"\\(.)", r"\1", cell)


_LATEX_TEXT = {r"\textbackslash{}": "\\", r"\textasciitilde{}": "~", r"\textasciicircum{}": "^",
               r"\textless{}": "<", r"\textgreater{}": ">"}


def _latex_unescaped(cell: str) -> str:
    """A LaTeX text cell as printed (escaped specials back to their characters)."""
    for code, char in _LATEX_TEXT.items():
        cell = cell.replace(code, char)
    return re.sub(r"\\([&%$#_{}])", r"\1", cell)


def _latex_value(cell: str) -> float:
    """A number cell, plain (``302.8``) or in math mode (``$1.5\\times10^{-5}$``, ``$-0.5$``)."""
    m = re.fullmatch(r"\$?(-?[\d.]+)(?:\\times10\^\{(-?\d+)\})?\$?", cell)
    assert m, cell
    return float(m.group(1)) * 10.0 ** int(m.group(2) or 0)


# -- parameter tables ---------------------------------------------------------------------------

def test_markdown_table_lists_every_parameter_with_unit_and_source(model):
    text = tables.parameters_markdown(model)
    for name, p in model.parameters.items():
        rows = _rows_starting(text, f"| `{name}` |")
        assert len(rows) == 1, f"{name}: expected one row, found {len(rows)}"
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", rows[0])[1:-1]]
        assert len(cells) == 6, rows[0]
        assert float(cells[1]) == pytest.approx(p.default, rel=5e-6, abs=0), (name, cells[1])
        assert cells[2] == f"`{p.unit}`"
        assert _markdown_unescaped(cells[4]) == " ".join(p.source.split()), name
        assert _markdown_unescaped(cells[5]) == " ".join(p.description.split()), name


def test_markdown_table_is_grouped_by_module(model):
    text = tables.parameters_markdown(model)
    for module in model.system.modules:
        if module.parameters:
            section = text.split(f"### {module.name}\n", 1)[1].split("\n### ", 1)[0]
            for p in module.parameters:
                assert f"| `{p.name}` |" in section, (module.name, p.name)


def test_csv_parses_back_to_the_declared_values(model):
    rows = list(csv.DictReader(io.StringIO(tables.parameters_csv(model))))
    assert [r["name"] for r in rows] == [p.name for m in model.system.modules for p in m.parameters]
    owner = {p.name: m.name for m in model.system.modules for p in m.parameters}
    for r in rows:
        p = model.parameters[r["name"]]
        assert float(r["value"]) == p.default
        assert (float(r["range_low"]), float(r["range_high"])) == tuple(map(float, p.range))
        assert (r["unit"], r["source"], r["description"], r["domain"]) == (p.unit, p.source, p.description, p.domain)
        assert r["module"] == owner[p.name]


def test_csv_quotes_commas_quotes_and_newlines():
    table = tables.Table("t", tables.PARAMETER_COLUMNS, (("m", (
        {"name": "x", "value": 0.1, "unit": "1", "range": (0.0, 1.0),
         "source": 'Smith, "quoted", 2001\nline two', "description": "a, b", "domain": "fraction"},)),))
    (row,) = list(csv.DictReader(io.StringIO(tables.to_csv(table))))
    assert row["source"] == 'Smith, "quoted", 2001\nline two'
    assert row["description"] == "a, b"
    assert float(row["value"]) == 0.1


def test_latex_table_lists_every_parameter_with_unit_and_source(model):
    text = tables.parameters_latex(model)
    assert r"\begin{longtable}" in text and r"\toprule" in text and r"\bottomrule" in text
    for name, p in model.parameters.items():
        rows = _rows_starting(text, r"\texttt{" + tables.latex_escape(name) + "} &")
        assert len(rows) == 1, name
        cells = [c.strip() for c in re.split(r"(?<!\\)&", rows[0].removesuffix(r"\\").rstrip(" \\"))]
        assert len(cells) == 6, rows[0]
        assert _latex_value(cells[1]) == pytest.approx(p.default, rel=5e-6, abs=0), (name, cells[1])
        unit = cells[2].replace(r"\textmu{}", "u").replace(r"\,", "*").replace(r"\%", "percent")
        assert re.sub(r"\\textsuperscript\{(-?\d+)\}", r"**\1", unit) == p.unit, (name, cells[2])
        assert _latex_unescaped(cells[4]) == p.source, name


def test_latex_table_leaves_no_special_character_unescaped(model):
    body = tables.parameters_latex(model)
    for line in _rows_starting(body, r"\texttt{"):
        text = line.removesuffix(r" \\")
        assert not re.search(r"(?<!\\)[_%#$]", re.sub(r"\$[^$]*\$", "", text)), line
        assert len(re.findall(r"(?<!\\)&", text)) == 5, line


@pytest.mark.parametrize("raw, escaped", [
    ("k_store_uptake", r"k\_store\_uptake"),
    ("20-40% of 5 mg & more", r"20-40\% of 5 mg \& more"),
    (r"$x$ #1 {a} ~b^2 \c", r"\$x\$ \#1 \{a\} \textasciitilde{}b\textasciicircum{}2 \textbackslash{}c"),
    ("< 30 ug/L > 5", r"\textless{} 30 ug/L \textgreater{} 5"),
])
def test_latex_escape(raw, escaped):
    assert tables.latex_escape(raw) == escaped


def test_latex_table_escapes_a_hostile_row():
    table = tables.Table("t", tables.PARAMETER_COLUMNS, (("my_module", (
        {"name": "a_b", "value": 1.5e-5, "unit": "ug/L", "range": (1e-6, 1e-4),
         "source": "Smith & Jones 2001: 50% of C_max", "description": "x_y",
         "domain": "positive"},)),))
    text = tables.to_latex(table)
    assert r"\textbf{my\_module}" in text
    assert r"\texttt{a\_b} & $1.5\times10^{-5}$ & \textmu{}g/L & $1\times10^{-6}$--0.0001 &" in text
    assert r"Smith \& Jones 2001: 50\% of C\_max & x\_y \\" in text


def test_latex_units_and_numbers():
    assert tables.latex_unit("mg*L/ug") == r"mg\,L/\textmu{}g"
    assert tables.latex_unit("uM/day") == r"\textmu{}M/day"
    assert tables.latex_unit("percent") == r"\%"
    assert tables.latex_unit("m**2") == r"m\textsuperscript{2}"
    assert tables.latex_number(2.5e-7) == r"$2.5\times10^{-7}$"
    assert tables.latex_number(-0.5) == "$-0.5$"
    assert tables.latex_number(302.8) == "302.8"


def test_state_and_observable_tables_cover_the_system(model):
    states = tables.state_table(model)
    names = [r["name"] for r in states.rows]
    assert sorted(names) == sorted(model.system.states)
    assert states.groups[-1][0] == tables.ASSEMBLED_GROUP       # ledgers, owned by no module
    observables = tables.observable_table(model)
    assert {r["name"] for r in observables.rows} == set(model.system.observables)
    for fmt in tables.FORMATS:
        text = tables.render(states, fmt)
        for name in model.system.states:
            assert name in text or tables.latex_escape(name) in text, (fmt, name)


def test_render_rejects_unknown_format(model):
    with pytest.raises(ValueError, match="unknown table format 'xls'"):
        tables.render(tables.state_table(model), "xls")


# -- equations --------------------------------------------------------------------------------

def test_names_with_underscores_render_upright_and_escaped():
    assert latex.latex_name("fe_plasma") == r"\mathrm{fe\_plasma}"
    expr = sym("k_store_uptake") * sym("fe_plasma")
    names = {sym("k_store_uptake"): latex.latex_name("k_store_uptake"),
             sym("fe_plasma"): latex.latex_name("fe_plasma")}
    assert latex.expr_latex(expr, names) == r"\mathrm{fe\_plasma} \cdot \mathrm{k\_store\_uptake}"


def test_equations_mention_every_state_observable_and_flow(model):
    system = model.system
    for text in (latex.equations_latex(model), latex.equations_markdown(model)):
        for name in system.states:
            assert r"\frac{d\," + latex.latex_name(name) + "}{dt} &=" in text, name
        for name in system.observables:
            assert "\n" + latex.latex_name(name) + " &= " in text, name
        for flow in system.flows:
            assert "J_{" + latex.latex_name(flow.name) + "} &= " in text, flow.name
        # sympy's default would typeset fe_plasma as fe with subscript plasma
        assert "fe_{plasma}" not in text


def test_documented_derivatives_equal_the_compiled_right_hand_side(model):
    """The printed equations (observables substituted) are exactly the model's ODEs."""
    system = model.system
    subs = {sym(n): e for n, e in system.observable_exprs.items()}
    terms = latex.derivative_terms(system)
    assert list(terms) == list(system.states)
    for (name, state_terms), rhs in zip(terms.items(), system.rhs):
        documented = sp.Add(*[tm.sign * tm.rate for tm in state_terms]).xreplace(subs)
        diff = documented - rhs
        assert diff == 0 or sp.expand(diff) == 0, name


def test_markdown_math_blocks_are_balanced(model):
    lines = latex.equations_markdown(model).splitlines()
    assert lines.count("$$") % 2 == 0 and lines.count("$$") > 0
    assert lines.count(r"\begin{aligned}") == lines.count(r"\end{aligned}") == lines.count("$$") // 2


def test_latex_equations_environments_are_balanced(model):
    text = latex.equations_latex(model)
    assert text.count(r"\begin{align*}") == text.count(r"\end{align*}") > 0
    assert text.count(r"\left(") == text.count(r"\right)")
    for module in model.system.modules:
        assert r"\subsection*{Module \texttt{" + tables.latex_escape(module.name) + "}}" in text


def test_write_latex_writes_the_four_files(model, tmp_path):
    paths = latex.write_latex(model, tmp_path / "out")
    assert sorted(p.name for p in paths) == ["equations.md", "equations.tex", "parameters.md", "parameters.tex"]
    assert r"\begin{longtable}" in (tmp_path / "out" / "parameters.tex").read_text()
    assert "rlsmodel" in (tmp_path / "out" / "equations.tex").read_text().splitlines()[0]


# -- docs/model.md ----------------------------------------------------------------------------

def test_model_doc_has_its_sections(model):
    text = latex.model_doc(model)
    for heading in ("# The rlsmodel model", "## Modules", "## Equations", "## States",
                    "## Parameters", "## Observables", "## Sources"):
        assert "\n" + heading + "\n" in "\n" + text, heading
    for module in model.system.modules:
        assert f"**`{module.name}`**" in text


def test_docs_model_md_is_current(model):
    """docs/model.md must equal the output generated from the current declaration."""
    fresh = latex.model_doc(model)
    assert DOCS.is_file(), "docs/model.md is missing: run `rlsmodel export docs`"
    current = DOCS.read_text(encoding="utf-8")
    if current != fresh:
        diff = "\n".join(list(difflib.unified_diff(current.splitlines(), fresh.splitlines(),
                                                   "docs/model.md", "generated", lineterm=""))[:40])
        pytest.fail("docs/model.md is out of date with the model declaration: run "
                    f"`rlsmodel export docs --overwrite` and commit the result.\n{diff}")
