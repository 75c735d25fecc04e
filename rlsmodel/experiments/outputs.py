"""Where an experiment writes: one output directory, checked before any computing.

:class:`OutputDir` is told every file name an experiment will write *before* the experiment
computes anything, and refuses (``FileExistsError``, naming the files and the fix) when one
of them already exists and ``overwrite`` is False, when the directory lies inside the
installed ``rlsmodel`` package, or when a file stands where the directory should be. Every
file is then written to a temporary name in the same directory and renamed over its final
name (:func:`rlsmodel.fileio.atomic_output`: flushed to disk, then ``os.replace``), so an
interrupted run leaves either the old file or the new one, never half of one.

The default directory is ``./rlsmodel-output`` (:data:`DEFAULT_OUT`), relative to the
current working directory, never the installed package.

>>> out = OutputDir("results", ["table.csv", "figure.png"], overwrite=False)   # doctest: +SKIP
>>> out.write_text("table.csv", "a,b\\n1,2\\n")                                 # doctest: +SKIP
>>> out.save("figure.png", lambda tmp: fig.savefig(tmp))                       # doctest: +SKIP
"""
from __future__ import annotations

import functools

import argparse
from dataclasses import dataclass, field
from pathlib import Path

from ..fileio import atomic_output

#: Default output directory of ``rlsmodel run NAME`` (relative to the working directory).
DEFAULT_OUT = Path("rlsmodel-output")


def markdown_stamp() -> str:
    """An HTML comment line recording the model a Markdown table came from (issue 26):
    ``<!-- rlsmodel-model: structure=... defaults=... -->`` for the default :class:`rlsmodel.Model`,
    whose structure and parameter defaults every experiment starts from."""
    return f"<!-- {_default_model_stamp()} -->\n"


@functools.lru_cache(maxsize=1)
def _default_model_stamp() -> str:
    from ..provenance import model_stamp
    from ..simulator import Model
    return model_stamp(Model().identity())


def package_dir() -> Path:
    """The directory of the imported ``rlsmodel`` package (never written to)."""
    return Path(__file__).resolve().parent.parent


@dataclass
class ExperimentResult:
    """What an experiment's ``run`` returns.

    Attributes
    ----------
    name : str
        The experiment's name (``rlsmodel run NAME``).
    out : pathlib.Path
        The output directory.
    paths : list of pathlib.Path
        Every file written, in the order written.
    tables : dict
        The main tables: name -> list of row dicts (the rows of the CSV files).
    datasets : dict
        The main ``xarray.Dataset`` results by name (time in days, units in ``attrs``).
    meta : dict
        Anything else worth reporting (e.g. ``"seconds"`` of computing).
    """

    name: str
    out: Path
    paths: list = field(default_factory=list)
    tables: dict = field(default_factory=dict)
    datasets: dict = field(default_factory=dict)
    meta: dict = field(default_factory=dict)


class OutputDir:
    """An experiment's output directory and the files it will hold.

    Parameters
    ----------
    path : str or os.PathLike
        The directory (created, with its parents, when the first file is written).
    names : iterable of str
        Every file name (relative to ``path``) the experiment will write; checked now.
    overwrite : bool
        Replace existing files of those names (default False: refuse them).

    Raises
    ------
        FileExistsError
        A named file exists and ``overwrite`` is False (the message lists them and says
        ``--overwrite`` / ``overwrite=True`` or another directory fixes it).
        ValueError
        ``path`` lies inside the installed rlsmodel package, is a file, or has a file
        among its ancestors.
    """

    def __init__(self, path, names, overwrite: bool = False):
        self.path = Path(path)
        self.names = tuple(str(n) for n in names)
        self.overwrite = bool(overwrite)
        self.written: list = []
        self._check()

    def _check(self) -> None:
        resolved = self.path.resolve()
        pkg = package_dir()
        if resolved == pkg or pkg in resolved.parents:
            raise ValueError(f"output directory {str(self.path)!r} lies inside the installed rlsmodel package "
                             f"({pkg}); choose a directory of your own, e.g. -o {DEFAULT_OUT}")
        if self.path.exists() and not self.path.is_dir():
            raise ValueError(f"output directory {str(self.path)!r} is a file; give a directory (-o DIR)")
        parent = self.path
        while not parent.exists():
            parent = parent.parent
        if not parent.is_dir():
            raise ValueError(f"cannot create output directory {str(self.path)!r}: {str(parent)!r} is a file")
        if not self.overwrite:
            existing = [n for n in self.names if (self.path / n).exists()]
            if existing:
                raise FileExistsError(
                    f"{len(existing)} output file(s) already exist in {str(self.path)!r}: "
                    + ", ".join(existing) + "; pass --overwrite (overwrite=True) to replace them, or choose "
                    "another directory with -o DIR")

    def __truediv__(self, name) -> Path:
        """The final path of ``name`` (which must be one of the declared names)."""
        return self._final(name)

    def _final(self, name) -> Path:
        name = str(name)
        if name not in self.names:
            raise ValueError(f"{name!r} is not among the declared output files of {str(self.path)!r}: "
                             + ", ".join(self.names))
        return self.path / name

    def save(self, name, writer) -> Path:
        """Write file ``name`` by calling ``writer(tmp_path)`` then renaming ``tmp_path`` over it.

        ``tmp_path`` is in the same directory and keeps the suffix of ``name`` (so writers
        that pick a format by suffix, such as ``Figure.savefig``, work). Returns the final path.
        """
        final = self._final(name)
        # rlsmodel.fileio: temporary name beside it, flushed to disk, renamed; with
        # overwrite False a file that appeared since the check is not replaced either
        with atomic_output(final, overwrite=self.overwrite) as tmp:
            writer(tmp)
        self.written.append(final)
        return final

    def write_text(self, name, text: str) -> Path:
        """Write ``text`` (UTF-8, line endings as given) to file ``name``; returns its path."""
        def write(tmp):
            with open(tmp, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
        return self.save(name, write)

    def write_bytes(self, name, data: bytes) -> Path:
        """Write ``data`` to file ``name``; returns its path."""
        return self.save(name, lambda tmp: Path(tmp).write_bytes(data))

    def write_csv(self, name, rows) -> Path:
        """Write ``rows`` (a non-empty list of dicts with the same keys) as CSV (the ``csv``
        module's default dialect, CRLF line ends); returns the path."""
        import csv
        import io
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
        return self.write_text(name, buf.getvalue())


def experiment_parser(prog, description, default_out=DEFAULT_OUT, overwrite=False) -> argparse.ArgumentParser:
    """An argument parser with the options every experiment shares.

    ``-o/--out DIR`` (default ``default_out``) and ``--overwrite`` (replace existing output
    files; default ``overwrite``, True for the repository's scripts that refresh ``figures/``).
    """
    ap = argparse.ArgumentParser(prog=prog, description=description)
    ap.add_argument("-o", "--out", type=Path, default=Path(default_out), metavar="DIR",
                    help=f"output directory (default {default_out}; created if missing)")
    ap.add_argument("--overwrite", action="store_true", default=bool(overwrite),
                    help="replace output files that already exist (default: refuse them before computing)")
    return ap


__all__ = ["DEFAULT_OUT", "ExperimentResult", "OutputDir", "experiment_parser", "package_dir"]
