"""Throughput of the pipeline: generating a lake, scanning its raw zone, and building it on DuckDB and Trino.

For each engine the benchmark times a bare scan of the raw zone (every line of every file read and
measured, nothing parsed) and then a full `dbt build` (seeds, models, tests) of the same lake, so the build
can be read against what the engine can do with the same bytes. Rates are raw lines per second; the ratio
is Trino's time over DuckDB's (above 1: Trino is slower).

Trino runs as the lake's own node: started for the benchmark if none runs (and stopped after), else the
running node is used as it is.
"""

from __future__ import annotations

import json
import os
import platform
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import click

from facetlake import paths
from facetlake.dbt_runner import environment_set
from facetlake.paths import RAW_SOURCES

ENGINES: tuple[str, ...] = ("duckdb", "trino")
Echo = Callable[[str], None]


@dataclass
class EngineRun:
    engine: str
    version: str = ""
    scan_seconds: float = 0.0
    lines_scanned: int = 0
    bytes_scanned: int = 0
    prepare_seconds: float = 0.0
    build_seconds: float = 0.0
    slowest_nodes: list[tuple[str, float]] = field(default_factory=list)
    error: str = ""

    @property
    def scan_lines_per_second(self) -> float:
        return self.lines_scanned / self.scan_seconds if self.scan_seconds else 0.0

    def build_lines_per_second(self, lines: int) -> float:
        return lines / self.build_seconds if self.build_seconds else 0.0


@dataclass
class BenchResult:
    lake: str
    persons: int
    days: int
    seed: int
    raw_lines: int
    raw_bytes: int
    generate_seconds: float | None
    runs: dict[str, EngineRun]
    machine: str
    java: str = ""

    @property
    def generate_lines_per_second(self) -> float | None:
        return self.raw_lines / self.generate_seconds if self.generate_seconds else None

    def ratio(self, attribute: str) -> float | None:
        duck, trino = self.runs.get("duckdb"), self.runs.get("trino")
        if not duck or not trino or not getattr(duck, attribute):
            return None
        return getattr(trino, attribute) / getattr(duck, attribute)

    def report(self) -> str:
        lines = [
            f"facetlake benchmark: {self.persons:,} persons x {self.days} days (seed {self.seed}), lake {self.lake}",
            f"machine: {self.machine}",
            f"raw zone: {self.raw_lines:,} lines, {self.raw_bytes / 1e6:,.1f} MB on disk, {len(RAW_SOURCES)} sources",
        ]
        if self.generate_seconds is not None:
            lines.append(f"generate: {self.generate_seconds:,.1f} s, {self.generate_lines_per_second:,.0f} lines/s")
        else:
            lines.append("generate: reused the lake generated earlier with the same settings")
        lines.append("")
        header = (
            f"{'engine':<8}{'version':<28}{'raw scan s':>11}{'scan lines/s':>14}{'build s':>10}{'build lines/s':>15}"
        )
        lines += [header, "-" * len(header)]
        for run in self.runs.values():
            build = (
                f"{'failed':>10}{'':>15}"
                if run.error
                else f"{run.build_seconds:>10.1f}{run.build_lines_per_second(self.raw_lines):>15,.0f}"
            )
            lines.append(
                f"{run.engine:<8}{run.version[:27]:<28}{run.scan_seconds:>11.1f}{run.scan_lines_per_second:>14,.0f}"
                + build
            )
        scan_ratio, build_ratio = self.ratio("scan_seconds"), self.ratio("build_seconds")
        if scan_ratio is not None:
            lines.append(f"Trino/DuckDB time: raw scan {scan_ratio:.2f}x")
        if build_ratio is not None and not self.failed:
            lines.append(f"Trino/DuckDB time: build {build_ratio:.2f}x")
        trino = self.runs.get("trino")
        if trino:
            lines.append(f"Trino partition sync before the build: {trino.prepare_seconds:.1f} s; Java {self.java}")
        for run in self.runs.values():
            slowest = ", ".join(f"{name} {seconds:.1f}s" for name, seconds in run.slowest_nodes)
            lines.append(f"slowest on {run.engine}: {slowest}")
            if run.error:
                lines.append(f"{run.engine} build failed: {run.error.splitlines()[0]}")
        return "\n".join(lines)

    @property
    def failed(self) -> bool:
        return any(run.error for run in self.runs.values())


def _machine() -> str:
    cores = os.cpu_count() or 0
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError, AttributeError):
        memory = 0.0
    system = f"{platform.system()} {platform.machine()}, Python {platform.python_version()}"
    return f"{cores} cores, {memory:.0f} GiB, {system}"


def _config_file(lake: Path) -> Path:
    return lake / "bench.json"


def _generate(lake: Path, persons: int, days: int, seed: int, echo: Echo) -> tuple[float | None, int, int]:
    """Generate the lake unless it was generated with the same settings; (seconds or None, lines, bytes)."""
    from facetlake.generator import GeneratorConfig, generate_lake

    wanted = {"persons": persons, "days": days, "seed": seed}
    recorded = _config_file(lake)
    if recorded.exists() and (lake / "raw").is_dir():
        saved = json.loads(recorded.read_text())
        if {k: saved.get(k) for k in wanted} == wanted:
            echo(f"Reusing the lake at {lake} ({saved['lines']:,} lines).")
            return None, saved["lines"], saved["bytes"]
    echo(f"Generating {persons:,} persons x {days} days into {lake} ...")
    summary = generate_lake(lake, GeneratorConfig(persons=persons, days=days, seed=seed), force=True, progress=True)
    recorded.write_text(json.dumps({**wanted, "lines": summary.lines, "bytes": summary.bytes}) + "\n")
    return summary.seconds, summary.lines, summary.bytes


def _slowest(lake: Path, count: int = 5) -> list[tuple[str, float]]:
    results = paths.dbt_target_dir(lake) / "run_results.json"
    if not results.exists():
        return []
    nodes = json.loads(results.read_text()).get("results", [])
    timed = sorted(((r["unique_id"].split(".")[-1], r.get("execution_time", 0.0)) for r in nodes), key=lambda x: -x[1])
    return [(name, round(seconds, 1)) for name, seconds in timed[:count]]


def _duckdb_scan(lake: Path) -> tuple[float, int, int]:
    """Every raw line read by DuckDB as the raw_lines macro reads them; (seconds, lines, bytes)."""
    import duckdb

    con = duckdb.connect()
    try:
        started = time.perf_counter()
        lines = size = 0
        for source in RAW_SOURCES:
            glob = f"{lake}/raw/{source}/dt=*/*.jsonl*"
            if not con.execute(f"select count(*) from glob('{glob}')").fetchone()[0]:
                continue
            count, total = con.execute(
                f"select count(*), coalesce(sum(strlen(line)), 0) from read_csv('{glob}', "
                "columns = {'line': 'VARCHAR'}, delim = chr(1), quote = '', escape = '', header = false, "
                "auto_detect = false, hive_partitioning = true, filename = true)"
            ).fetchone()
            lines, size = lines + count, size + total
        return time.perf_counter() - started, lines, size
    finally:
        con.close()


def _trino_scan(port: int) -> tuple[float, int, int, str]:
    """Every raw line read by Trino through the hive catalog's raw tables; (seconds, lines, bytes, version)."""
    from facetlake.trino.config import TrinoSettings

    settings = TrinoSettings.from_env()
    conn = settings.connect()
    try:
        cur = conn.cursor()
        cur.execute("select node_version from system.runtime.nodes where coordinator")
        version = cur.fetchall()[0][0]
        union = " union all ".join(
            f"select line from {settings.raw_catalog}.{settings.raw_schema}.{source}" for source in RAW_SOURCES
        )
        started = time.perf_counter()
        cur.execute(f"select count(*), coalesce(sum(length(to_utf8(line))), 0) from ({union})")
        lines, size = cur.fetchall()[0]
        return time.perf_counter() - started, lines, size, version
    finally:
        conn.close()


def _free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def _trino_node(lake: Path, echo: Echo) -> Iterator[int]:
    """The lake's running node, or one started for the benchmark and stopped after; yields its port."""
    from facetlake.trino import TrinoError, server
    from facetlake.trino.config import NodeLayout, NodeSettings, default_heap, default_port

    running = server.read_state(NodeLayout(lake))
    if running is not None:
        echo(f"Using the running Trino node of {lake} on port {running.port}.")
        yield running.port
        return
    port = default_port()
    try:
        server.check_port_free(port)
    except TrinoError:
        port = _free_port()
        echo(f"Port {default_port()} is taken; the benchmark's node uses port {port}.")
    result = server.start(lake, NodeSettings(port=port, heap=default_heap()), echo=echo)
    echo(f"Trino ready in {result.seconds_to_ready:.0f} s.")
    try:
        yield result.state.port
    finally:
        server.stop(lake)
        echo("Trino stopped.")


def _timed_build(run: EngineRun, lake: Path, echo: Echo) -> None:
    """A full-refresh `dbt build` on the run's engine, timed; a failure is recorded, not raised."""
    from facetlake.dbt_runner import BuildError, run_dbt_build

    started = time.perf_counter()
    try:
        run_dbt_build(lake, engine=run.engine, full_refresh=True, quiet=True)
    except BuildError as error:
        run.error = str(error)
    run.build_seconds = time.perf_counter() - started
    run.slowest_nodes = _slowest(lake)
    outcome = f"failed after {run.build_seconds:.1f} s" if run.error else f"{run.build_seconds:.1f} s"
    echo(f"{run.engine}: build {outcome}")


def run_benchmark(
    persons: int = 100_000,
    days: int = 30,
    seed: int = 7,
    lake: Path | None = None,
    engines: Sequence[str] = ENGINES,
    echo: Echo = print,
) -> BenchResult:
    """Generate (or reuse) a lake, then per engine: a raw scan and a full build, timed. See the module doc."""
    import duckdb

    from facetlake.trino.catalogs import prepare_raw_tables_for_lake
    from facetlake.trino.java import find_java

    unknown = set(engines) - set(ENGINES)
    if unknown:
        raise click.UsageError(f"Unknown engine(s) {', '.join(sorted(unknown))}; use duckdb and/or trino.")
    lake = (lake or paths.project_dir() / "target" / f"bench-lake-{persons}x{days}-s{seed}").resolve()
    generate_seconds, raw_lines, raw_bytes = _generate(lake, persons, days, seed, echo)
    result = BenchResult(
        lake=str(lake),
        persons=persons,
        days=days,
        seed=seed,
        raw_lines=raw_lines,
        raw_bytes=raw_bytes,
        generate_seconds=generate_seconds,
        runs={},
        machine=_machine(),
    )
    if "duckdb" in engines:
        run = EngineRun("duckdb", version=f"DuckDB {duckdb.__version__}")
        echo("DuckDB: raw scan ...")
        run.scan_seconds, run.lines_scanned, run.bytes_scanned = _duckdb_scan(lake)
        echo(f"DuckDB: scan {run.scan_seconds:.1f} s ({run.scan_lines_per_second:,.0f} lines/s); dbt build ...")
        result.runs["duckdb"] = run
        _timed_build(run, lake, echo)
    if "trino" in engines:
        result.java = find_java().version
        with _trino_node(lake, echo) as port, environment_set(FACETLAKE_TRINO_PORT=str(port)):
            run = EngineRun("trino")
            started = time.perf_counter()
            prepare_raw_tables_for_lake(lake)
            run.prepare_seconds = time.perf_counter() - started
            echo("Trino: raw scan ...")
            run.scan_seconds, run.lines_scanned, run.bytes_scanned, version = _trino_scan(port)
            run.version = f"Trino {version}"
            echo(f"Trino: scan {run.scan_seconds:.1f} s ({run.scan_lines_per_second:,.0f} lines/s); dbt build ...")
            result.runs["trino"] = run
            _timed_build(run, lake, echo)
    for run in result.runs.values():
        if run.lines_scanned != raw_lines:
            echo(f"warning: {run.engine} scanned {run.lines_scanned:,} lines, the generator wrote {raw_lines:,}")
    (lake / "bench-result.json").write_text(json.dumps(asdict(result), indent=2) + "\n")
    return result


@click.command("bench")
@click.option("--persons", type=int, default=100_000, show_default=True, help="Persons in the generated lake.")
@click.option("--days", type=int, default=30, show_default=True, help="Days of logs in the generated lake.")
@click.option("--seed", type=int, default=7, show_default=True, help="Generator seed.")
@click.option(
    "--lake",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where the benchmark lake goes (default: target/bench-lake-<persons>x<days>-s<seed>; reused when "
    "it was generated with the same settings).",
)
@click.option(
    "--engine",
    "engines",
    type=click.Choice(ENGINES),
    multiple=True,
    default=ENGINES,
    show_default=True,
    help="Engines to run (repeat the option for both).",
)
def bench(persons: int, days: int, seed: int, lake: Path | None, engines: tuple[str, ...]) -> None:
    """Time generation, a raw scan and a full build of the same lake on DuckDB and Trino."""
    from facetlake.dbt_runner import BuildError
    from facetlake.trino import TrinoError

    try:
        result = run_benchmark(persons, days, seed, lake, engines, echo=lambda m: click.echo(m, err=True))
    except (BuildError, TrinoError) as error:
        raise click.ClickException(str(error)) from None
    click.echo(result.report())
    if result.failed:
        raise click.ClickException("a build failed; see the report above and the lake's dbt/logs/dbt.log")
