"""Sphinx configuration of the rlsmodel documentation site.

Build: ``python -m sphinx -W --keep-going -b html docs docs/_build/html`` (``pip install -e ".[docs]"``).
Warnings are errors, so a renamed function or a broken cross-reference fails the build.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))          # _ext: the site's own generators (gallery pages)
os.environ.setdefault("MPLBACKEND", "Agg")

import rlsmodel  # noqa: E402

project = "rlsmodel"
author = "rlsmodel developers"
copyright = "rlsmodel developers, MIT licence"
release = rlsmodel.__version__
version = release

extensions = [
    "myst_nb",                       # Markdown pages (MyST) and notebooks executed at build
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "sphinx_copybutton",
    "sphinx_design",
    "_ext.gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "**.ipynb_checkpoints", "README.md", "_ext"]
root_doc = "index"

# MyST: $...$ and $$...$$ maths (docs/model.md), heading anchors for links between pages
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
myst_dmath_double_inline = True

# notebooks: executed at every build (their stored copies carry no outputs); a failing cell fails the build
nb_execution_mode = "force"
nb_execution_timeout = 600
nb_execution_raise_on_error = True
nb_execution_show_tb = True

# API reference: numpydoc renders the docstrings; class members are listed by autodoc
autodoc_member_order = "bysource"
autodoc_typehints = "none"
autosummary_generate = False
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks: set[str] = set()

html_theme = "pydata_sphinx_theme"
html_title = f"rlsmodel {release}"
html_static_path: list[str] = []
html_theme_options = {
    "navigation_with_keys": False,
    "search_bar_text": "Search the docs",
    "show_toc_level": 2,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_show_sourcelink = False


# Repository files outside docs/ that the README links to: on the site they are pages of their own
# (benchmarks) or downloads (the citation file). Rewritten while the README is included.
_README_LINKS = {
    "](benchmarks/README.md)": "](docs/benchmarks.md)",
    "[CITATION.cff](CITATION.cff)": "{download}`CITATION.cff <../../CITATION.cff>`",
}


def _rewrite_readme_links(app, relative_path, parent_docname, content):
    if Path(str(relative_path)).name != "README.md" or "benchmarks" in str(relative_path):
        return
    text = content[0]
    for old, new in _README_LINKS.items():
        text = text.replace(old, new)
    content[0] = text


def setup(app):
    app.connect("include-read", _rewrite_readme_links)
    return {"parallel_read_safe": True}
