"""Sphinx extension: one gallery page per experiment of :mod:`rlsmodel.experiments`.

Each page shows what the experiment is for (its module docstring), the command that reruns
it, the figures it wrote into the repository's ``figures/`` (committed, so the site builds in
seconds instead of rerunning years of simulation), its tables, and the code that made them:
the package module and the thin script in ``experiments/``. Pages are generated into
``docs/gallery/`` when the build starts (the folder is not committed); a figure an experiment
declares but that is missing from ``figures/`` fails the build.
"""
from __future__ import annotations

import inspect
from pathlib import Path

from sphinx.errors import ExtensionError

DOCS = Path(__file__).resolve().parent.parent
ROOT = DOCS.parent
FIGURES = ROOT / "figures"
OUT = DOCS / "gallery"

#: Where an experiment's script (``experiments/NAME.py``) keeps its committed figures, when not
#: in ``figures/``: the synthetic cohort lives beside its calibration spec.
FIGURE_DIRS = {"synthetic_cohort": ROOT / "experiments" / "calibration"}


def figure_path(name: str, fig: str) -> Path:
    """The committed file of figure ``fig`` of experiment ``name``."""
    return FIGURE_DIRS.get(name, FIGURES) / fig


def _title(module, name: str) -> str:
    doc = inspect.getdoc(module) or name
    return doc.strip().splitlines()[0].rstrip(".")


def _body(module) -> str:
    doc = inspect.getdoc(module) or ""
    lines = doc.strip().splitlines()[1:]
    return "\n".join(lines).strip()


def experiment_page(name: str, module) -> str:
    """The MyST text of experiment ``name``'s gallery page."""
    figures = tuple(getattr(module, "FIGURES", ()))
    if not figures:
        raise ExtensionError(f"rlsmodel.experiments.{name} declares no FIGURES: the gallery has nothing to show")
    parts = [f"# {name}: {_title(module, name)}", ""]
    body = _body(module)
    if body:
        parts += ["```{eval-rst}", body, "```", ""]
    parts += ["Rerun it (from any directory; files land in `DIR`):", "",
              "```bash", f"rlsmodel run {name} -o DIR", "```", "", "## Figures", ""]
    for fig in figures:
        path = figure_path(name, fig)
        where = path.relative_to(ROOT).as_posix()
        if not path.is_file():
            raise ExtensionError(f"gallery: {name} declares figure {fig!r} but {where} does not exist; "
                                 f"run `python experiments/{name}.py` to regenerate it")
        parts += [f"```{{figure}} ../../{where}", f":alt: {fig}", ":width: 100%", "",
                  f"`{where}`", "```", ""]
    tables = [t for t in getattr(module, "TABLES", ()) if t.endswith(".md") and (FIGURES / t).is_file()]
    if tables:
        parts += ["## Tables", ""]
        for table in tables:
            parts += [f"```{{include}} ../../figures/{table}", ":heading-offset: 2", "```", ""]
    source = Path(inspect.getsourcefile(module)).resolve()
    parts += ["## The code that made it", "",
              f"`rlsmodel/experiments/{name}.py`, the experiment's logic:", "",
              f"```{{literalinclude}} {Path('..', '..', source.relative_to(ROOT)).as_posix()}",
              ":language: python", "```", ""]
    script = ROOT / "experiments" / f"{name}.py"
    if script.is_file():
        parts += [f"`experiments/{name}.py`, the script that refreshes `figures/`:", "",
                  f"```{{literalinclude}} ../../experiments/{name}.py", ":language: python", "```", ""]
    return "\n".join(parts)


def index_page(entries) -> str:
    """The gallery's front page: a card per experiment with its main figure."""
    parts = ["# Gallery", "",
             "Every experiment of `rlsmodel run`, with the figures it made and the code that made them.", "",
             "::::{grid} 1 2 2 3", ":gutter: 3", ""]
    for name, module in entries:
        fig = figure_path(name, module.FIGURES[0]).relative_to(ROOT).as_posix()
        parts += [f":::{{grid-item-card}} {name}", f":link: {name}", ":link-type: doc",
                  f":img-top: ../../{fig}", "", _title(module, name), ":::", ""]
    parts += ["::::", "", "```{toctree}", ":hidden:", ""] + [name for name, _ in entries] + ["```", ""]
    return "\n".join(parts)


def _write_if_changed(path: Path, text: str) -> None:
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return                                   # unchanged: Sphinx need not re-read it
    from rlsmodel.fileio import write_text_atomic
    write_text_atomic(path, text)


def generate(app=None) -> list[Path]:
    """Write ``docs/gallery/*.md``; returns the pages written."""
    from rlsmodel import experiments
    OUT.mkdir(exist_ok=True)
    entries = [(name, experiments.load(name)) for name in experiments.NAMES]
    pages = []
    for name, module in entries:
        path = OUT / f"{name}.md"
        _write_if_changed(path, experiment_page(name, module))
        pages.append(path)
    _write_if_changed(OUT / "index.md", index_page(entries))
    for stale in OUT.glob("*.md"):
        if stale.stem not in {"index", *experiments.NAMES}:
            stale.unlink()                       # an experiment that was removed
    return pages


def setup(app):
    app.connect("builder-inited", generate)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
