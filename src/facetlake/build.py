"""The one build path of a lake: prepare (raw manifest, crowd registry, Trino raw partitions) -> dbt -> publish.

`facetlake build`, `facetlake crowd refresh` (and crowd create) and the tests call `run_build`. The Dagster
code location runs the same steps as assets: `sync_crowd_registry` and `sync_raw_partitions` are assets
upstream of the dbt sources they feed, and the dbt asset streams its own first `dbt build` (dagster-dbt reads
the events) after `prepare_warehouse`, then calls `finish_build` (fits, dbt on what reads them, publish) as
run_build does.

    prepare_warehouse   <lake>/warehouse exists (DuckDB writes its file there; the crowd registry too)
    scan_raw_zone       the raw zone's manifest (facetlake.raw_zone): every file listed with its status,
                        new and changed files hashed and counted; the raw_lines macro reads what it lists
    sync_raw_partitions on Trino, the raw zone's dt folders registered with the hive catalog; on DuckDB
                        nothing (dbt reads the files directly)
    sync_crowd_registry the repository's crowds/*.yml loaded into the registry the crowd models read
    dbt build           seeds, models, snapshots and tests (dbt_runner.run_dbt) upstream of the fits
    fits                the Python fits (facetlake.fits: CLV, ...) read dbt models and write the `fits` schema
    dbt build           the models downstream of the fits' source (`source:fits+`), so no mart misses its fit
    publish             on DuckDB, the serving copy readers open; on Trino nothing (readers query Trino)
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from facetlake import paths, serving
from facetlake.dbt_runner import BuildError, dbt_environment, run_dbt
from facetlake.raw_zone import ScanReport, scan_raw_zone

if TYPE_CHECKING:
    from facetlake.crowds.registry import SyncReport

__all__ = [
    "BuildError",
    "Prepared",
    "RawPartitions",
    "build_args",
    "finish_build",
    "prepare",
    "prepare_warehouse",
    "publish",
    "publish_serving_copy",
    "run_build",
    "run_fits",
    "scan_raw_zone",
    "sync_crowd_registry",
    "sync_raw_partitions",
]

ENGINES = ("duckdb", "trino")
# The models that read the fits' tables (the dbt source `fits`, facetlake.fits): built after the fits run.
FITS_DOWNSTREAM = "source:fits+"


@dataclass(frozen=True)
class RawPartitions:
    """What syncing the raw zone with the engine did: dt partitions per source, tables (re)created."""

    engine: str
    partitions: dict[str, int]
    created: list[str]

    def describe(self) -> str:
        if self.engine != "trino":
            return "DuckDB reads the raw zone's files directly: nothing to register"
        counts = ", ".join(f"{source} {n}" for source, n in sorted(self.partitions.items()))
        return f"dt partitions registered with Trino: {counts}" + (
            f"; tables created: {', '.join(self.created)}" if self.created else ""
        )


@dataclass(frozen=True)
class Prepared:
    """What the prepare step did before dbt ran."""

    raw_partitions: RawPartitions
    crowds: SyncReport
    raw_manifest: ScanReport | None = None
    # Filled by run_build: seconds per step (prepare, dbt, fits, dbt after fits, publish) and per dbt node.
    step_seconds: dict[str, float] = field(default_factory=dict)
    node_seconds: dict[str, float] = field(default_factory=dict)


def check_engine(engine: str) -> str:
    if engine not in ENGINES:
        raise BuildError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    return engine


def prepare_warehouse(lake: Path) -> Path:
    """Create <lake>/warehouse (DuckDB creates its file, not the folder); return it."""
    folder = paths.warehouse_path(lake).parent
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def sync_raw_partitions(lake: Path, engine: str) -> RawPartitions:
    """On Trino, register the raw zone's dt folders with the hive catalog (a new dt is invisible before)."""
    if check_engine(engine) != "trino":
        return RawPartitions(engine=engine, partitions={}, created=[])
    from facetlake.trino.catalogs import prepare_raw_tables_for_lake

    tables = prepare_raw_tables_for_lake(lake)
    return RawPartitions(engine=engine, partitions=dict(tables.partitions), created=list(tables.created))


def sync_crowd_registry(lake: Path, engine: str) -> SyncReport:
    """Load the repository's crowds/*.yml into the lake's crowd registry; recompile every rule crowd."""
    from facetlake.crowds.engine import connect
    from facetlake.crowds.registry import sync_repo_crowds

    connection = connect(lake, check_engine(engine), write=True)
    try:
        return sync_repo_crowds(connection, lake)
    finally:
        connection.close()


def prepare(lake: Path, engine: str) -> Prepared:
    """Everything a dbt build of the lake needs first: the warehouse folder, the raw manifest, raw partitions,
    crowd registry."""
    prepare_warehouse(lake)
    # Staging reads the files the manifest lists, so it is written before anything reads the raw zone.
    manifest = scan_raw_zone(lake)
    raw = sync_raw_partitions(lake, engine)
    # The crowd models read the registry: the repository's crowds join every build.
    return Prepared(raw_partitions=raw, crowds=sync_crowd_registry(lake, engine), raw_manifest=manifest)


def publish_serving_copy(lake: Path) -> Path:
    """Write the serving copy dashboards read (without the quarantine's raw text) and swap it in atomically."""
    return serving.publish_serving_copy(lake)


def publish(lake: Path, engine: str) -> Path | None:
    """After a successful build: DuckDB's serving copy (returned); Trino's readers query Trino (None)."""
    return publish_serving_copy(lake) if check_engine(engine) == "duckdb" else None


def build_args(
    select: str | None = None,
    dt: str | None = None,
    dt_from: str | None = None,
    dt_to: str | None = None,
    full_refresh: bool = False,
    reset_identity: bool = False,
    extra_vars: dict[str, object] | None = None,
    exclude: str | None = None,
) -> list[str]:
    """The `dbt build` arguments: a selection (and exclusion), the arrival date(s) to load, a full refresh,
    other project vars (`extra_vars`, e.g. clv_calibration_end: a build's settings without editing files).

    `reset_identity` (with `full_refresh`) also rebuilds the persisted super_id state, which a full refresh
    otherwise keeps: every person may be renumbered, so it is never implied.
    """
    if reset_identity and not full_refresh:
        raise ValueError("reset_identity renumbers persons and needs full_refresh too")
    args = ["build"]
    if select:
        args += ["--select", select]
    if exclude:
        args += ["--exclude", exclude]
    build_vars: dict[str, object] = dict(extra_vars or {})
    build_vars.update({k: v for k, v in {"dt": dt, "dt_from": dt_from, "dt_to": dt_to}.items() if v})
    if reset_identity:
        build_vars["identity_reset_state"] = True
    if build_vars:
        args += ["--vars", json.dumps(build_vars)]
    if full_refresh:
        args.append("--full-refresh")
    return args


def run_build(
    lake: Path,
    engine: str = "duckdb",
    select: str | None = None,
    dt: str | None = None,
    dt_from: str | None = None,
    dt_to: str | None = None,
    full_refresh: bool = False,
    quiet: bool = False,
    reset_identity: bool = False,
    extra_vars: dict[str, object] | None = None,
) -> Prepared:
    """Prepare, `dbt build` upstream of the fits, the fits, `dbt build` of what reads them, publish; raise
    BuildError when dbt fails. With a selection, the fits and the second step run only when the selection
    reaches a model downstream of the fits."""
    if not paths.raw_zone(lake).is_dir():
        raise BuildError(f"{lake} has no raw/ zone. Run `facetlake generate --lake {lake}` or drop files there.")
    check_engine(engine)
    started = time.perf_counter()
    prepared = prepare(lake, engine)
    prepared.step_seconds["prepare"] = round(time.perf_counter() - started, 1)
    clock = StepClock(prepared.step_seconds)
    options = {"dt": dt, "dt_from": dt_from, "dt_to": dt_to, "full_refresh": full_refresh}
    upstream = build_args(
        select, **options, reset_identity=reset_identity, extra_vars=extra_vars, exclude=FITS_DOWNSTREAM
    )
    run_dbt(lake, upstream, engine=engine, quiet=quiet)
    prepared.node_seconds.update(_node_seconds(lake))
    clock.lap("dbt")
    finish_build(
        lake,
        engine,
        select=select,
        options=options,
        extra_vars=extra_vars,
        quiet=quiet,
        log=(lambda _message: None) if quiet else print,
        step_seconds=prepared.step_seconds,
        node_seconds=prepared.node_seconds,
    )
    return prepared


class StepClock:
    """Records the seconds each named step of a build took into `seconds`, from the last lap."""

    def __init__(self, seconds: dict[str, float]) -> None:
        self.seconds = seconds
        self.started = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.seconds[name] = round(now - self.started, 1)
        self.started = now


def finish_build(
    lake: Path,
    engine: str,
    *,
    select: str | None = None,
    options: dict[str, object] | None = None,
    extra_vars: dict[str, object] | None = None,
    quiet: bool = True,
    log: Callable[[str], None] = print,
    step_seconds: dict[str, float] | None = None,
    node_seconds: dict[str, float] | None = None,
) -> Path | None:
    """The build after dbt built what the fits read (run_build, and the Dagster dbt asset after its own dbt
    call): the fits, `dbt build` of what reads them, publish; returns the serving copy (DuckDB) or None.
    `options` are build_args' dt, dt_from, dt_to and full_refresh; seconds per step and per dbt node go to
    `step_seconds` and `node_seconds`. With a selection, the fits and the second dbt step run only when the
    selection reaches a model downstream of the fits."""
    clock = StepClock({} if step_seconds is None else step_seconds)
    nodes = {} if node_seconds is None else node_seconds
    downstream_select = FITS_DOWNSTREAM if not select else downstream_of_fits(select)
    if not select or _selects_any(lake, engine, downstream_select, extra_vars):
        run_fits(lake, engine, log=log)
        clock.lap("fits")
        downstream = build_args(downstream_select, **(options or {}), extra_vars=extra_vars)
        run_dbt(lake, downstream, engine=engine, quiet=quiet)
        nodes.update(_node_seconds(lake))
        clock.lap("dbt after fits")
    served = publish(lake, engine)
    clock.lap("publish")
    return served


def _node_seconds(lake: Path) -> dict[str, float]:
    """{model, snapshot or seed: seconds} of the last dbt invocation (its run_results.json), for timings."""
    results = Path(dbt_environment(lake, "duckdb")["DBT_TARGET_PATH"]) / "run_results.json"
    if not results.exists():
        return {}
    nodes = json.loads(results.read_text()).get("results", [])
    return {
        r["unique_id"].split(".")[-1]: round(r.get("execution_time") or 0.0, 1)
        for r in nodes
        if r["unique_id"].split(".")[0] in ("model", "snapshot", "seed")
    }


def downstream_of_fits(select: str) -> str:
    """The part of a dbt selection that reads the fits: each union term (space-separated) intersected with
    the fits' downstream, so `a b` gives `a,source:fits+ b,source:fits+` (dbt's comma binds tighter)."""
    return " ".join(f"{term},{FITS_DOWNSTREAM}" for term in select.split())


def run_fits(lake: Path, engine: str, log: Callable[[str], None] = print) -> dict[str, dict[str, object]]:
    """Every registered fit (facetlake.fits) on the built lake; {fit: what it reports}."""
    from facetlake import fits

    return fits.run_fits(lake, check_engine(engine), log=log)


def _selects_any(lake: Path, engine: str, selection: str, extra_vars: dict[str, object] | None) -> bool:
    """Whether a dbt selection names any model (dbt ls), e.g. a user's selection reaching the fits' downstream."""
    from facetlake.dbt_runner import list_nodes

    return bool(list_nodes(lake, selection, engine=engine, extra_vars=extra_vars))
