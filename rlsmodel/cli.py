"""The ``rlsmodel`` command line.

Subcommands: ``params``, ``export`` (``latex``, ``docs``), ``simulate``,
``steady-state``, ``run`` (experiments, :mod:`rlsmodel.experiments`), ``sweep``, ``sensitivity``, ``validate``
(``--population N``, ``--compare``);
see ``rlsmodel --help``.

User errors (unknown profile or parameter, bad ``name=value``, missing files) print one
line ``rlsmodel: error: ...`` and exit with status 2; they never show a traceback (set
the environment variable ``RLSMODEL_TRACEBACK=1`` to see one when debugging). A failed
integration exits with status 1.

Adding a subcommand or an export format is one decorated function::

    @export_format("sbml", "the model as SBML", arg("out", help="output .xml file"))
    def _export_sbml(args):
        ...
        return 0
"""
from __future__ import annotations

import argparse
import os
import sys
import warnings
from pathlib import Path

from ._version import __version__
from .errors import RunTooLargeError
from .fileio import LockedError, atomic_output, check_new_output
from .integrate import IntegrationError
from .model.hypotheses import DEFAULT_AUGMENTATION, DEFAULT_DAT_HYPOTHESIS

PROG = "rlsmodel"

#: Readouts printed by ``steady-state`` (those the model provides, in this order).
KEY_READOUTS = ("serum_ferritin", "transferrin_saturation", "hepcidin", "csf_ferritin", "brain_iron",
                "fe_neuron_labile", "myelin", "hif", "th_activity", "dopamine_extracellular",
                "dat", "d2_density", "d2_signal", "excitability", "urge_at_rest", "total_body_iron")


class CLIError(Exception):
    """A failure to report as one line ``rlsmodel: error: <message>`` with ``status``."""

    def __init__(self, message: str, status: int = 2):
        super().__init__(message)
        self.status = status


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors become :class:`CLIError` (one line, status 2)."""

    def error(self, message):
        raise CLIError(f"{message} (see '{self.prog} --help')")


# -- registries ---------------------------------------------------------------------------------

def arg(*names, **kwargs):
    """An argument declaration, as for ``ArgumentParser.add_argument``."""
    return names, kwargs


_COMMANDS = []          # (name, help, args, func)
_EXPORT_FORMATS = []    # (name, help, args, func)


def command(name: str, help: str, *args):
    """Register ``func(args) -> int`` as subcommand ``name`` with arguments ``args``."""
    def register(func):
        _COMMANDS.append((name, help, args, func))
        return func
    return register


def export_format(name: str, help: str, *args):
    """Register ``func(args) -> int`` as ``rlsmodel export <name>``."""
    def register(func):
        _EXPORT_FORMATS.append((name, help, args, func))
        return func
    return register


def _add_args(parser, args):
    for names, kwargs in args:
        parser.add_argument(*names, **kwargs)


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser (every registered command and export format)."""
    parser = _Parser(prog=PROG, description="A mechanistic model of restless legs syndrome.")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, help_, args, func in _COMMANDS:
        p = sub.add_parser(name, help=help_, description=help_)
        _add_args(p, args)
        p.set_defaults(func=func)
        if name == "export":
            fmt = p.add_subparsers(dest="format", metavar="FORMAT", parser_class=_Parser)
            for fname, fhelp, fargs, ffunc in _EXPORT_FORMATS:
                fp = fmt.add_parser(fname, help=fhelp, description=fhelp)
                _add_args(fp, fargs)
                fp.set_defaults(func=ffunc)
    return parser


def main(argv=None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit status."""
    with warnings.catch_warnings():
        warnings.showwarning = _show_warning
        return _main(argv)


def _show_warning(message, category, filename, lineno, file=None, line=None):
    """rlsmodel's own warnings as one line ``rlsmodel: warning: ...``; others as usual."""
    from .errors import ParameterRangeWarning, RegimenWarning, StoreRepairWarning
    if issubclass(category, (ParameterRangeWarning, RegimenWarning, StoreRepairWarning)):
        print(f"{PROG}: warning: {' '.join(str(message).split())}", file=sys.stderr)
    else:
        sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))


def _main(argv=None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if getattr(args, "func", None) is None:
            parser.print_help(sys.stderr)
            return 2
        status = args.func(args)
        return 0 if status is None else int(status)
    except SystemExit as exc:          # --help, --version, or an experiment's sys.exit
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except CLIError as exc:
        return _fail(str(exc), exc.status)
    except LockedError as exc:
        return _fail(str(exc), 1)
    except (ValueError, OSError) as exc:
        if os.environ.get("RLSMODEL_TRACEBACK"):
            raise
        return _fail(str(exc), 2)
    except IntegrationError as exc:
        if os.environ.get("RLSMODEL_TRACEBACK"):
            raise
        return _fail(f"integration failed: {exc}", 1)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)


def _fail(message: str, status: int) -> int:
    print(f"{PROG}: error: {' '.join(message.split())}", file=sys.stderr)
    return status


# -- shared helpers ---------------------------------------------------------------------------

def _model(args):
    """The model the options ask for (compiled once per process, cached on disk)."""
    from .simulator import Model
    return Model(augmentation=getattr(args, "augmentation", DEFAULT_AUGMENTATION),
                 dat_hypothesis=getattr(args, "dat_hypothesis", DEFAULT_DAT_HYPOTHESIS))


def parse_params(items) -> dict:
    """``["name=value", ...]`` -> ``{name: float}``; raises ``ValueError`` naming the bad item."""
    out = {}
    for item in items or ():
        name, sep, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name or not value:
            raise ValueError(f"--param expects name=value; got {item!r}")
        try:
            number = float(value)
        except ValueError:
            raise ValueError(f"--param {name}: {value!r} is not a number") from None
        if name in out:
            raise ValueError(f"--param {name} is given twice ({name}={out[name]:g} and {name}={number:g}); "
                             "give each parameter once")
        out[name] = number
    return out


def _augmentation_names() -> tuple:
    """Built-in augmentation mechanisms (the registry of rlsmodel.model.hypotheses)."""
    from .model.hypotheses import augmentation_names
    return augmentation_names()


_MODEL_ARGS = (
    arg("--augmentation", default=DEFAULT_AUGMENTATION, metavar="NAME",
        help="augmentation hypothesis, a built-in name (" + " or ".join(_augmentation_names())
             + f"; default {DEFAULT_AUGMENTATION})"),
    arg("--dat-hypothesis", default="reduced", metavar="NAME",
        help="direction of membrane DAT change in iron deficiency (reduced or increased)"),
)
_OVERWRITE_ARG = arg("--overwrite", action="store_true",
                     help="replace an existing output (otherwise it is refused before any work)")


def _refuse_existing(paths, overwrite: bool) -> None:
    """Refuse, before any work, outputs that exist unless ``--overwrite`` was given
    (:func:`rlsmodel.fileio.check_new_output` on each; its error exits with status 2)."""
    for path in paths:
        check_new_output(path, overwrite)


_WAIT_ARG = arg("--wait", action="store_true",
                help="if another process is writing the same output, wait for it instead of stopping")
_PARAM_ARG = arg("--param", action="extend", nargs="+", default=[], metavar="NAME=VALUE",
                 help="parameter override (repeatable)")


def _readout_table(values) -> str:
    """Aligned text table of ``(name, value, unit, long_name)`` rows."""
    rows = [(n, f"{v:.6g}", u, ln) for n, v, u, ln in values]
    widths = [max(len(r[i]) for r in rows + [("readout", "value", "unit", "")]) for i in range(3)]
    lines = [f"{'readout':<{widths[0]}}  {'value':>{widths[1]}}  {'unit':<{widths[2]}}  description"]
    lines += [f"{n:<{widths[0]}}  {v:>{widths[1]}}  {u:<{widths[2]}}  {ln}" for n, v, u, ln in rows]
    return "\n".join(lines)


def _var_row(ds, name, value=None):
    da = ds[name]
    return (name, float(da if value is None else value), da.attrs.get("units", ""),
            da.attrs.get("long_name", ""))


# -- params -----------------------------------------------------------------------------------

@command("params", "print the parameter table (or the state/observable table)",
         arg("--format", choices=("md", "csv", "latex"), default="md", help="output format (default md)"),
         arg("--table", choices=("parameters", "states", "observables"), default="parameters",
             help="which table (default parameters)"),
         *_MODEL_ARGS)
def _params(args) -> int:
    from .export import tables
    table = tables.TABLES[args.table](_model(args))
    sys.stdout.write(tables.render(table, args.format))
    return 0


# -- export -----------------------------------------------------------------------------------

def default_docs_path() -> Path:
    """Where ``rlsmodel export docs`` writes by default: ``docs/model.md`` of the current
    directory (the repository root when run there; never the installed package)."""
    return Path("docs") / "model.md"


@command("export", "write the model in another format (see 'rlsmodel export --help')")
def _export(args) -> int:
    raise CLIError("export needs a format: " + ", ".join(n for n, *_ in _EXPORT_FORMATS)
                   + " (see 'rlsmodel export --help')")


@export_format("latex", "equations and parameter table as LaTeX and Markdown "
               "(equations.tex, parameters.tex, equations.md, parameters.md)",
               arg("-o", "--out", default=".", metavar="DIR", help="output directory (default .)"),
               _OVERWRITE_ARG, *_MODEL_ARGS)
def _export_latex(args) -> int:
    from .export.latex import write_latex
    _refuse_existing([Path(args.out) / n for n in ("equations.tex", "parameters.tex", "equations.md",
                                                   "parameters.md")], args.overwrite)
    for path in write_latex(_model(args), args.out):
        print(f"wrote {path}")
    return 0


@export_format("sbml", "the whole model as SBML Level 3 (needs the 'sbml' extra)",
               arg("out", help="output .xml file"),
               arg("--profile", default="healthy", help="profile whose parameters and initial state to use"),
               arg("--augmentation", default=DEFAULT_AUGMENTATION,
                   help="augmentation mechanism (" + " or ".join(_augmentation_names()) + ")"),
               arg("--drug", default=None, help="optional daily regimen: drug name"),
               arg("--dose", type=float, default=None, help="dose (mg; patch mg/24 h)"),
               arg("--clock-hour", type=float, default=21.0, help="dose clock hour"),
               arg("--days", type=float, default=None, help="horizon for regimen events (days)"),
               _OVERWRITE_ARG)
def _export_sbml(args) -> int:
    _refuse_existing([args.out], args.overwrite)
    from .export.sbml import sbml
    from .simulator import Model
    regimen = None
    if args.drug is not None:
        from .pharmacology import Regimen
        if args.dose is None or args.days is None:
            raise CLIError("--drug needs --dose and --days")
        regimen = Regimen.daily(args.drug, args.dose, args.clock_hour)
    path = sbml(args.out, profile=args.profile, regimen=regimen,
                model=Model(augmentation=args.augmentation), days=args.days)
    print(f"wrote {path}")
    return 0


@export_format("omex", "the flagship experiment as a COMBINE archive: SBML model and SED-ML (untreated versus "
               "one agonist after a baseline; needs the 'sbml' extra)",
               arg("out", metavar="DIR", help="output directory (the .omex file is written there)"),
               arg("--profile", default="rls_genetic", help="profile (default rls_genetic)"),
               arg("--drug", default="pramipexole", help="drug given at its reference dose (default pramipexole)"),
               arg("--augmentation", default="d2_tolerance",
                   help="augmentation mechanism (" + " or ".join(_augmentation_names()) + ")"),
               arg("--baseline-days", type=int, default=28, help="untreated baseline, days (default 28)"),
               arg("--years", type=float, default=2.0, help="years of treatment (default 2)"),
               arg("--no-libcombine", action="store_true",
                   help="write the zip and its manifest without python-libcombine"),
               _OVERWRITE_ARG)
def _export_omex(args) -> int:
    _refuse_existing([Path(args.out) / f"rlsmodel_augmentation_{args.drug}_{args.profile}.omex"], args.overwrite)
    from .export.omex import write_omex
    from .simulator import Model
    if not args.years > 0 or args.baseline_days < 0:
        raise CLIError(f"--years must be > 0 and --baseline-days >= 0 (got {args.years}, {args.baseline_days})")
    path = write_omex(args.out, model=Model(augmentation=args.augmentation), profile=args.profile,
                      drug=args.drug, baseline_days=args.baseline_days, years=args.years,
                      use_libcombine=False if args.no_libcombine else None)
    print(f"wrote {path}")
    return 0


@export_format("petab", "the measurement part of a calibration spec as a PEtab problem (SBML model, conditions, "
               "observables, measurements, parameters; needs the 'sbml' extra)",
               arg("out", metavar="DIR", help="output directory (problem.yaml and its tables)"),
               arg("--spec", required=True, metavar="SPEC.toml", help="calibration spec whose measurements to export"),
               _OVERWRITE_ARG)
def _export_petab(args) -> int:
    _refuse_existing([Path(args.out) / "problem.yaml"], args.overwrite)
    if not Path(args.spec).is_file():
        raise CLIError(f"calibration spec not found: {args.spec}")
    from .export.petab import write_petab
    paths = write_petab(args.out, args.spec)
    print(f"wrote {paths['yaml']} and its tables (see {paths['readme']})")
    return 0


@export_format("docs", "regenerate docs/model.md (equations and parameter table) from the default model",
               arg("-o", "--out", default=None, metavar="PATH",
                   help="output file (default: docs/model.md in the current directory, which must hold docs/)"),
               _OVERWRITE_ARG)
def _export_docs(args) -> int:
    from .export.latex import write_model_doc
    from .simulator import Model
    if args.out is None:
        path = default_docs_path()
        if not path.parent.is_dir():
            raise CLIError(f"no docs/ directory in the current directory ({Path.cwd()}): run this from the "
                           "repository root, or pass -o PATH")
    else:
        path = Path(args.out)
    _refuse_existing([path], args.overwrite)
    print(f"wrote {write_model_doc(Model(), path)}")
    return 0


# -- simulate / steady-state --------------------------------------------------------------------

def _positive_float(text):
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not v > 0 or v == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive finite number; got {text!r}")
    return v


#: Suffixes ``rlsmodel simulate -o`` writes (NetCDF).
NETCDF_SUFFIXES = (".nc",)


def check_output_file(path, suffixes=NETCDF_SUFFIXES, what="NetCDF") -> Path:
    """``path`` as a Path if a file can be written there, else ``ValueError`` naming why.

    Checked before any work: the suffix must be one of ``suffixes``; ``path`` must not be
    a directory; the nearest existing ancestor must be a writable directory (missing
    directories below it are created when the file is written).
    """
    out = Path(path)
    if out.suffix not in suffixes:
        raise ValueError(f"output file {str(path)!r} must end in {' or '.join(suffixes)} (a {what} file is "
                         f"written); e.g. -o {out.with_suffix(suffixes[0]).name}")
    if out.is_dir():
        raise ValueError(f"output file {str(path)!r} is an existing directory; give a file name ending in "
                         f"{suffixes[0]}")
    parent = out.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise ValueError(f"cannot write {str(path)!r}: {str(parent)!r} is a file, not a directory")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ValueError(f"cannot write {str(path)!r}: no write permission in {str(parent)!r}; choose another "
                         "directory")
    return out


@command("simulate", "simulate a profile and write the trajectory as NetCDF",
         arg("--days", type=_positive_float, required=True, metavar="N", help="duration in days"),
         arg("--profile", default="healthy", metavar="P", help="profile name (default healthy)"),
         _PARAM_ARG,
         arg("--sample-every-hours", type=_positive_float, default=1.0, metavar="H",
             help="output spacing in hours (default 1)"),
         arg("--keep", action="extend", nargs="+", default=[], metavar="NAME",
             help="write only these variables (default: all); lets long finely sampled runs fit in memory"),
         arg("-o", "--out", required=True, metavar="OUT.nc", help="output NetCDF file (.nc), checked before "
             "the simulation starts; written atomically (a temporary name, then a rename)"),
         _OVERWRITE_ARG,
         *_MODEL_ARGS)
def _simulate(args) -> int:
    out = check_new_output(check_output_file(args.out), args.overwrite)
    params = parse_params(args.param)
    model = _model(args)
    try:
        ds = model.simulate(days=args.days, profile=args.profile, params=params,
                            sample_every_hours=args.sample_every_hours, keep=args.keep or None)
    except RunTooLargeError as exc:
        raise CLIError(f"{exc} (on the command line: --sample-every-hours H, --keep NAME ...)") from None
    try:
        with atomic_output(out, args.overwrite) as tmp:
            ds.to_netcdf(tmp, engine="h5netcdf")
    except ImportError as exc:       # h5netcdf >= 1.4 needs h5py installed separately
        raise CLIError(f"cannot write NetCDF: {exc}", status=1) from None
    last = ds.isel(time=-1)
    rows = [_var_row(last, n) for n in ("serum_ferritin", "brain_iron", "d2_density") if n in ds]
    if not rows and "symptom" not in ds:
        rows = [_var_row(last, n) for n in list(ds.data_vars)[:8] if ds[n].dtype.kind == "f"]
    if "symptom" in ds:
        rows.append(("peak symptom", float(ds["symptom"].max()), ds["symptom"].attrs.get("units", ""),
                     "maximum over the run of " + ds["symptom"].attrs.get("long_name", "symptom")))
    print(f"{args.days:g} days, profile {args.profile} (values at the end of the run unless stated):")
    print(_readout_table(rows))
    print(f"wrote {out}")
    return 0


@command("steady-state", "print key readouts of a profile's steady state",
         arg("--profile", default="healthy", metavar="P", help="profile name (default healthy)"),
         _PARAM_ARG, *_MODEL_ARGS)
def _steady_state(args) -> int:
    params = parse_params(args.param)
    ss = _model(args).steady_state(profile=args.profile, params=params)
    rows = [_var_row(ss, n) for n in KEY_READOUTS if n in ss]
    print(f"steady state of profile {args.profile} ({ss.attrs.get('steady_state_method', '')}; "
          "rhythms at their daily means):")
    print(_readout_table(rows))
    return 0


# -- run --------------------------------------------------------------------------------------

@command("run", "run an experiment (rlsmodel.experiments) into an output directory; --list shows them",
         arg("name", nargs="?", metavar="NAME", help="experiment name (see --list)"),
         arg("--list", action="store_true", help="list the experiments and exit"),
         arg("exp_args", nargs=argparse.REMAINDER, metavar="ARGS",
             help="the experiment's options, e.g. -o DIR (default ./rlsmodel-output) and --overwrite; "
                  "see 'rlsmodel run NAME --help'"))
def _run(args) -> int:
    from . import experiments
    if args.list:
        width = max(len(n) for n in experiments.NAMES)
        for name in experiments.NAMES:
            print(f"{name:<{width}}  {experiments.describe(name)}")
        return 0
    if args.name is None:
        raise CLIError("run needs an experiment name: " + ", ".join(experiments.NAMES)
                       + " (rlsmodel run --list)")
    try:
        module = experiments.load(args.name)
    except ValueError as exc:
        raise CLIError(str(exc)) from None
    except ImportError as exc:
        raise CLIError(f"experiment {args.name!r} needs an optional extra: {exc}", status=1) from None
    try:
        status = module.main(list(args.exp_args), prog=f"{PROG} run {args.name}")
    except ImportError as exc:
        raise CLIError(str(exc), status=1) from None
    return status if isinstance(status, int) else 0


# -- sweep ------------------------------------------------------------------------------------

@command("sweep", "run a parameter sweep described by a TOML spec",
         arg("spec", metavar="SPEC.toml", help="sweep specification"),
         arg("-o", "--out", default=None, metavar="OUT",
             help="result store, resumed if it exists (default: the spec's store)"),
         arg("--workers", type=int, default=None, metavar="N", help="local worker processes"),
         arg("--scheduler", default=None, metavar="ADDRESS", help="address of a Dask scheduler"),
         _WAIT_ARG)
def _sweep(args) -> int:
    if not Path(args.spec).is_file():
        raise CLIError(f"sweep spec not found: {args.spec}")
    if args.workers is not None and args.workers < 1:
        raise CLIError(f"--workers must be at least 1; got {args.workers}")
    try:
        from .sweeps import run_spec
    except ImportError as exc:
        raise CLIError(f"sweeps are unavailable: importing rlsmodel.sweeps failed ({exc}); "
                       "install the extra with pip install 'rlsmodel[sweep]'", status=1) from None
    result = run_spec(args.spec, args.out, workers=args.workers, scheduler=args.scheduler, wait=args.wait)
    if result is not None and hasattr(result, "sizes"):
        store = args.out if args.out is not None else _spec_store(args.spec)
        print(sweep_summary(result, store))
    if args.out is not None:
        print(f"wrote {args.out}")
    return 0


def _spec_store(spec):
    from .sweeps.spec import load_spec
    return load_spec(spec).get("store")


def sweep_summary(ds, store=None) -> str:
    """``sweep done: ...`` with the number of failed points, where their messages are, and
    the first few messages with their points."""
    import numpy as np
    n = int(ds.attrs.get("n_points", int(np.prod([ds.sizes[d] for d in ds["status"].dims]))))
    status = ds["status"]
    failed = status != "ok"
    n_failed = int(failed.sum())
    dims = {d: int(ds.sizes[d]) for d in status.dims}
    lines = [f"sweep done: {n} points {dims}; {n_failed} failed" + ("" if n_failed else ", all ok")]
    if n_failed:
        where = f"the 'status' variable of {store}" if store else "the 'status' variable of the result"
        lines.append(f"failed points have NaN outcomes; every point's message is in {where} "
                     f"(xarray: ds['status'].where(ds['status'] != 'ok', drop=True)). First failures:")
        flat = status.stack(_point=status.dims) if status.ndim > 1 else status
        shown = 0
        for i in np.flatnonzero(flat.values != "ok")[:3]:
            point = flat.isel({flat.dims[0]: int(i)})
            coords = ", ".join(f"{k}={_fmt(point[k].values)}" for k in point.coords
                               if k not in ("_point",) and point[k].ndim == 0)
            lines.append(f"  {coords}: {str(point.values)}")
            shown += 1
        if n_failed > shown:
            lines.append(f"  ... and {n_failed - shown} more")
    return "\n".join(lines)


def _fmt(value) -> str:
    value = value.item() if hasattr(value, "item") else value
    return f"{value:g}" if isinstance(value, float) else str(value)



# -- sensitivity ------------------------------------------------------------------------------

@command("sensitivity", "global sensitivity (Sobol' or Morris, SALib) described by a TOML spec",
         arg("spec", metavar="SPEC.toml", help="sensitivity specification (see experiments/sensitivity_example.toml)"),
         arg("-o", "--out", default=None, metavar="OUT.nc", help="write the indices (.nc or .zarr)"),
         arg("--workers", type=int, default=None, metavar="N", help="local worker processes (Dask LocalCluster)"),
         arg("--scheduler", default=None, metavar="ADDRESS", help="address of a Dask scheduler"),
         arg("--figure", default=None, metavar="PATH", help="also draw the indices as a bar figure (PNG)"))
def _sensitivity(args) -> int:
    if not Path(args.spec).is_file():
        raise CLIError(f"sensitivity spec not found: {args.spec}")
    if args.workers is not None and args.workers < 1:
        raise CLIError(f"--workers must be at least 1; got {args.workers}")
    from . import sensitivity
    try:
        result = sensitivity.run_spec(args.spec, args.out, workers=args.workers, scheduler=args.scheduler,
                                      figure=args.figure)
    except ImportError as exc:
        raise CLIError(str(exc), status=1) from None
    print(sensitivity.format_table(result))
    for path in (args.out, args.figure):
        if path is not None:
            print(f"wrote {path}")
    return 0


# -- calibrate --------------------------------------------------------------------------------

@command("calibrate", "fit parameters to targets as a TOML calibration spec describes (pyPESTO; needs the "
         "'calibrate' extra): multistart, and optionally profiles, samples and prediction bands",
         arg("spec", metavar="SPEC.toml", help="calibration spec (see experiments/calibration/)"),
         arg("-o", "--out", default=None, metavar="DIR",
             help="output directory (calibration.nc, waterfall.png, residuals.csv, ...); resumed if it exists"),
         arg("--workers", type=int, default=None, metavar="N", help="local worker processes for starts and profiles"),
         arg("--scheduler", default=None, metavar="ADDRESS", help="address of a Dask scheduler to run them on"),
         arg("--profiles", action="store_true", help="profile likelihoods: intervals and identifiability"),
         arg("--sample", action="store_true", help="posterior samples (pyPESTO adaptive Metropolis; [sampling])"),
         arg("--bands", action="store_true", help="prediction bands of the spec's [[predictions]]"),
         arg("--docs", default=None, metavar="PATH",
             help="regenerate this fit's section of a Markdown page (e.g. docs/calibration.md)"),
         _WAIT_ARG)
def _calibrate(args) -> int:
    if not Path(args.spec).is_file():
        raise CLIError(f"calibration spec not found: {args.spec}")
    if args.workers is not None and args.workers < 1:
        raise CLIError(f"--workers must be at least 1; got {args.workers}")
    if args.workers is not None and args.scheduler is not None:
        raise CLIError("give --workers (local processes) or --scheduler (a Dask cluster), not both")
    try:
        from . import calibration
        import pypesto  # noqa: F401
    except ImportError as exc:
        raise CLIError(f"calibration needs pyPESTO ({exc}): pip install 'rlsmodel[calibrate]'", status=1) from None
    client = None
    if args.scheduler is not None:
        from distributed import Client
        client = Client(args.scheduler)
    try:
        ds = calibration.calibrate(args.spec, args.out, workers=args.workers, client=client, profiles=args.profiles,
                                   sample=args.sample, bands=args.bands, wait=args.wait)
    finally:
        if client is not None:
            client.close()
    from .calibration.report import identifiability_markdown
    print(f"best objective {float(ds['best_objective']):.4g} ({int(ds['n_converged'])} of {ds.sizes['start']} "
          f"starts reached it; {ds.attrs['seconds']} s)")
    print(identifiability_markdown(ds), end="")
    if "prediction_best" in ds:
        for name, band in calibration.bands_from(ds).items():
            print(f"{name}: {band.format()}")
    if args.out is not None:
        print(f"wrote {Path(args.out) / 'calibration.nc'} and its figures and tables")
    if args.docs is not None:
        print(f"wrote {calibration.write_docs_section(ds, args.docs)}")
    return 0


# -- validate ---------------------------------------------------------------------------------

def _whole(minimum):
    """argparse type: a whole number >= ``minimum``."""
    def parse(text):
        try:
            v = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if v < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}; got {v}")
        return v
    return parse


def _default_workers() -> int:
    return max(1, os.cpu_count() or 1)


@command("validate", "run the validation scorecard (science.md targets): print the table, write "
         "figures/validation.png and docs/validation.md under -o DIR (with --compare: every hypothesis side by side "
         "in docs/hypotheses.md and figures/hypotheses.png)",
         arg("-o", "--out", default=".", metavar="DIR",
             help="directory receiving figures/ and docs/ (default: the current directory)"),
         arg("--quick", action="store_true", help="shorter horizons (1 year of treatment instead of 2)"),
         arg("--strict", action="store_true", help="exit with status 1 if any target fails (with --compare: under "
             "any hypothesis)"),
         arg("--population", type=_whole(1), default=None, metavar="N",
             help="score the population targets (augmentation rates, placebo response) on one 52-week virtual trial "
                  "with N patients per arm (placebo and 6 drug arms; minutes of CPU for N of a few hundred); "
                  "without it those rows are 'not modelled'"),
         arg("--seed", type=_whole(0), default=None, metavar="S",
             help="seed of the population trial (default 2014; needs --population)"),
         arg("--workers", type=_whole(1), default=None, metavar="N",
             help="local worker processes for the population trial (default: every CPU; needs --population)"),
         arg("--compare", action="store_true",
             help="score every target under every hypothesis (augmentation mechanism x DAT direction) and write "
                  "docs/hypotheses.md instead of docs/validation.md"),
         arg("--augmentation", default=None, metavar="NAME",
             help="augmentation hypothesis, a built-in name (" + " or ".join(_augmentation_names())
                  + "; default d2_tolerance; not with --compare)"),
         arg("--dat-hypothesis", default=None, metavar="NAME",
             help="direction of membrane DAT change in iron deficiency (reduced or increased; default reduced; "
                  "not with --compare)"),
         _OVERWRITE_ARG)
def _validate(args) -> int:
    from . import validation
    if args.compare and (args.augmentation is not None or args.dat_hypothesis is not None):
        raise CLIError("--compare scores every hypothesis (every augmentation mechanism x DAT direction); drop "
                       "--augmentation/--dat-hypothesis, or drop --compare to score one hypothesis")
    if args.population is None and (args.seed is not None or args.workers is not None):
        raise CLIError("--seed and --workers set up the population trial; give --population N as well")
    out = Path(args.out)
    pkg = Path(__file__).resolve().parent
    if out.resolve() == pkg or pkg in out.resolve().parents:
        raise CLIError(f"-o {args.out}: that is inside the installed rlsmodel package ({pkg}); choose another "
                       "directory")
    if out.exists() and not out.is_dir():
        raise CLIError(f"-o {args.out} is a file; give a directory (figures/ and docs/ are written under it)")
    stem = "hypotheses" if args.compare else "validation"
    _refuse_existing([out / "docs" / f"{stem}.md", out / "figures" / f"{stem}.png"], args.overwrite)
    population = {}
    if args.population is not None:
        population = {"population": args.population,
                      "seed": validation.POPULATION_SEED if args.seed is None else args.seed,
                      "workers": _default_workers() if args.workers is None else args.workers}
    if args.compare:
        cmp = validation.compare(quick=args.quick, progress=True, **population)
        counts = cmp.counts()
        for label in cmp.labels:
            c = counts[label]
            print(f"{label}: {c[validation.PASS]} pass, {c[validation.FAIL]} fail, "
                  f"{c[validation.NOT_MODELLED]} not modelled")
        disc = cmp.discriminating()
        print(f"{len(disc)} discriminating target(s)" + (": " + ", ".join(disc) if disc else ""))
        paths = validation.write_comparison(cmp, out)
        print(f"wrote {paths['markdown']} and {paths['figure']} ({cmp.meta['seconds']} s)")
        failed = any(c[validation.FAIL] for c in counts.values())
        return 1 if (args.strict and failed) else 0
    args.augmentation = args.augmentation or DEFAULT_AUGMENTATION
    args.dat_hypothesis = args.dat_hypothesis or DEFAULT_DAT_HYPOTHESIS
    results = validation.validate(_model(args), quick=args.quick, progress=True, **population)
    print(validation.format_table(results))
    paths = validation.report(results, out)
    print(f"wrote {paths['markdown']} and {paths['figure']} ({results.meta['seconds']} s)")
    failed = results.counts()[validation.FAIL]
    return 1 if (args.strict and failed) else 0


# -- explore / figures (teaching) ---------------------------------------------------------------

def _port(text):
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= v <= 65535:
        raise argparse.ArgumentTypeError(f"port must lie in 0-65535 (0: any free port); got {v}")
    return v


@command("explore", "start the teaching explorer in the browser (needs the explore extra: panel)",
         arg("--port", type=_port, default=5006, metavar="N", help="port to serve on (default 5006; 0: any free port)"),
         arg("--no-browser", action="store_true", help="do not open a browser; just print the address"))
def _explore(args) -> int:
    try:
        import panel  # noqa: F401
    except ImportError:
        raise CLIError("the explorer needs Panel: pip install 'rlsmodel[explore]'", status=1) from None
    from .explore import serve
    serve(port=args.port, open_browser=not args.no_browser)
    return 0


@command("figures", "regenerate the teaching figures (PNG + SVG + caption .txt each)",
         arg("--out", default="figures", metavar="DIR", help="output directory (default figures/)"),
         arg("--only", action="extend", nargs="+", default=[], metavar="NAME",
             help="make only these figures (default: all)"))
def _figures(args) -> int:
    from .figures import FIGURES, write_all
    unknown = [n for n in args.only if n not in FIGURES]
    if unknown:
        raise CLIError(f"unknown figure(s) {', '.join(unknown)}; available: {', '.join(FIGURES)}")
    for paths in write_all(args.out, names=args.only or None):
        print("wrote " + ", ".join(str(p) for p in paths))
    return 0

if __name__ == "__main__":      # pragma: no cover
    sys.exit(main())
