"""TOML sweep specifications: ``run_spec(spec_path, out)`` (the CLI's ``rlsmodel sweep``).

A spec (see ``experiments/sweep_example.toml``)::

    days = 30                        # simulated days per point (day)
    profile = "healthy"              # optional
    mechanism = "d2_tolerance"       # optional: augmentation mechanism
    outcomes = ["serum_ferritin_final", "symptom_max_last_day"]   # optional: built-in names
    store = "out.zarr"               # optional if run_spec gets out=
    sample_every_hours = 1.0         # optional (h)
    chunk_size = 50                  # optional
    keep = "trajectories"            # optional

    [space]                          # a grid: name = [values]
    diet_iron = [8.0, 15.0]
    # or a sampler instead of lists:
    # [space.sampler]
    # method = "sobol"  n = 64  seed = 1
    # ranges = { diet_iron = [5, 30] }   (or a list of names, or omitted: all parameters)

    [regimen]                        # optional: Regimen.daily(**table); fields may be swept in [space]
    drug = "pramipexole"  dose_mg = 0.25  clock_hour = 21  start_day = 0  stop_day = 30

Unknown keys, wrong types and malformed TOML raise ``ValueError`` naming the field.
"""
from __future__ import annotations

from pathlib import Path

from ..model.hypotheses import DEFAULT_AUGMENTATION
from ..spec_fields import check_keys, integer, number, read_toml, string, string_list
from .space import REGIMEN_FIELDS

WHAT = "sweep spec"

TOP_KEYS = ("days", "profile", "mechanism", "outcomes", "store", "sample_every_hours", "chunk_size",
            "keep", "space", "regimen", "description")
SAMPLER_KEYS = ("method", "n", "seed", "ranges")


def load_spec(spec_path) -> dict:
    """Parse and check a spec file; return keyword arguments for :func:`rlsmodel.sweep`."""
    path = Path(spec_path)
    raw = read_toml(path, "sweep spec")
    check_keys(raw, TOP_KEYS, "", WHAT)
    for key in ("days", "space"):
        if key not in raw:
            raise ValueError(f"sweep spec {str(path)!r}: missing required key {key!r}")
    kwargs = {"days": number(raw["days"], "days")}
    for key, name in (("profile", "profile"), ("mechanism", "augmentation"), ("keep", "keep")):
        if key in raw:
            kwargs[name] = string(raw[key], key)
    if "sample_every_hours" in raw:
        kwargs["sample_every_hours"] = number(raw["sample_every_hours"], "sample_every_hours")
    if "chunk_size" in raw:
        kwargs["chunk_size"] = integer(raw["chunk_size"], "chunk_size")
    if "outcomes" in raw:
        kwargs["outcomes"] = string_list(raw["outcomes"], "outcomes")
    if "store" in raw:
        kwargs["store"] = string(raw["store"], "store")
    regimen_table_ = regimen_table(raw.get("regimen"))
    space, swept_regimen = _space(raw["space"])
    if "profile" in raw and isinstance(space, dict) and "profile" in space:
        raise ValueError(f"sweep spec {str(path)!r}: profile = {raw['profile']!r} is given at the top level and "
                         f"swept in [space] (profile = {space['profile']!r}); the swept values would win. Remove "
                         "one of the two")
    if regimen_table_ is not None or swept_regimen:
        kwargs["regimen"] = daily_regimen(regimen_table_ or {}, swept_regimen)
    kwargs["space"] = space
    return kwargs


def run_spec(spec_path, out=None, workers=None, scheduler=None, progress=None, wait=False):
    """Run the sweep a TOML spec describes; write it to ``out`` (or the spec's ``store``).

    ``workers``: start a Dask ``LocalCluster`` with that many single-threaded worker
    processes; ``scheduler``: the address of an existing Dask scheduler. Neither: serial.
    ``wait``: wait for another process writing the same store instead of stopping.
    Returns the swept ``xarray.Dataset`` (as stored).
    """
    from . import sweep
    from .execute import dask_client
    kwargs = load_spec(spec_path)
    space = kwargs.pop("space")
    if out is not None:
        kwargs["store"] = str(out)
    if "store" not in kwargs:
        raise ValueError("no output store: pass out= (the CLI's -o) or set store = \"...\" in the spec")
    if workers is not None and scheduler is not None:
        raise ValueError("give workers (a local Dask cluster) or scheduler (an existing one), not both")
    space = _materialise(space, kwargs.get("augmentation"))
    if workers is None and scheduler is None:
        return sweep(space, progress=progress, wait=wait, **kwargs)
    client, cluster = dask_client(workers, scheduler)
    try:
        return sweep(space, client=client, progress=progress, wait=wait, **kwargs)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _space(table):
    """(space, swept regimen field names); a sampler stays a description until materialised."""
    if not isinstance(table, dict):
        raise ValueError("space must be a table: [space] name = [values], or [space.sampler]")
    if not table:
        raise ValueError("space is empty: give name = [values] lists or a [space.sampler] table")
    if "sampler" in table:
        if len(table) > 1:
            extra = next(k for k in table if k != "sampler")
            raise ValueError(f"space: {extra!r} given beside space.sampler; use lists or a sampler, not both")
        return ("sampler", _sampler(table["sampler"])), []
    space = {}
    for name, values in table.items():
        if not isinstance(values, list):
            raise ValueError(f"space.{name} must be a list of values; got {values!r}")
        space[name] = values
    return space, [n for n in space if n in REGIMEN_FIELDS]


def _sampler(table) -> dict:
    if not isinstance(table, dict):
        raise ValueError("space.sampler must be a table {method, n, seed, ranges}")
    check_keys(table, SAMPLER_KEYS, "space.sampler.", WHAT)
    for key in ("method", "n"):
        if key not in table:
            raise ValueError(f"space.sampler: missing required key {key!r}")
    from ..samplers import METHODS
    method = string(table["method"], "space.sampler.method")
    if method not in METHODS:
        raise ValueError(f"space.sampler.method {method!r} is unknown; valid: {', '.join(METHODS)}")
    ranges = table.get("ranges")
    if isinstance(ranges, dict):
        for name, rng in ranges.items():
            if not (isinstance(rng, list) and len(rng) == 2):
                raise ValueError(f"space.sampler.ranges.{name} must be [low, high]; got {rng!r}")
    elif ranges is not None:
        ranges = string_list(ranges, "space.sampler.ranges")
    return {"method": method, "n": integer(table["n"], "space.sampler.n"),
            "seed": integer(table.get("seed", 0), "space.sampler.seed"), "ranges": ranges}


def _materialise(space, augmentation):
    """Draw a sampler's points (needs the model when ranges come from the parameter table)."""
    if not (isinstance(space, tuple) and space[0] == "sampler"):
        return space
    from .. import samplers
    from ..simulator import Model
    s = space[1]
    model = Model(augmentation=augmentation or DEFAULT_AUGMENTATION)
    draw = samplers.latin_hypercube if s["method"] == "latin_hypercube" else samplers.sobol
    return draw(s["ranges"], s["n"], s["seed"], model=model)


def regimen_table(table, what=WHAT):
    """The ``[regimen]`` table of a spec (fields of :data:`REGIMEN_FIELDS`), or None."""
    if table is None:
        return None
    if not isinstance(table, dict):
        raise ValueError("regimen must be a table: [regimen] drug = ..., dose_mg = ...")
    check_keys(table, REGIMEN_FIELDS, "regimen.", what)
    return dict(table)


def regimen_class():
    """``rlsmodel.Regimen`` (the class regimen tables build)."""
    from ..pharmacology import Regimen
    return Regimen


def daily_regimen(table: dict, swept: list):
    """``Regimen.daily(**table)``, or with ``swept`` regimen fields a :class:`DailyRegimenFactory`."""
    if not swept:
        try:
            return regimen_class().daily(**table)
        except TypeError as exc:
            raise ValueError(f"regimen: {exc}") from None
    return DailyRegimenFactory(tuple(sorted(table.items())), tuple(swept))


class DailyRegimenFactory:
    """``point -> rlsmodel.Regimen.daily(**base, **swept fields of the point)`` (picklable)."""

    def __init__(self, base: tuple, fields: tuple):
        self.base = base
        self.fields = fields

    def __call__(self, point: dict):
        kwargs = dict(self.base)
        kwargs.update({f: point[f] for f in self.fields if f in point})
        return regimen_class().daily(**kwargs)
