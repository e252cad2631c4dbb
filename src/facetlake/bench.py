"""`facetlake bench` (`make bench`): what a build costs against what the engine can do with the same bytes.

For each engine, on one generated lake (reused when it was generated with the same settings):

    parse pass        every raw line read, its JSON parsed once and every field typed: the floor a build
                      is held against (DuckDB: read_json over the raw files; Trino: json_parse of each line
                      and a cast of the object to a map, through the hive catalog)
    full build        `facetlake build --full-refresh` (prepare, dbt build with every test, publish)
    one day           `facetlake build --dt <last dt>` over the built lake: the daily job's work
    day after 10 days the same on a lake holding only the first 10 days (DuckDB; --no-history to skip):
                      a day should cost about what it costs after 30
    crowd size        p50/p95 of `crowd size` over random 3-tag rules, against a direct count(*) with the
                      same predicate on marts.user_tags_wide
    chart data        p50/p95 of the data of every chart of the dashboards (`/api/v1/chart/<id>/data/`, the
                      query the chart runs), through a real Superset deployed over the built lake (its serving
                      copy, or Trino), the cache bypassed
    peak memory       the largest resident set of any child process (dbt; Trino's JVM has its own heap)

Ratios: full build / parse pass (goal <= 3x), day / full build (goal <= 10% at 1M persons). Each engine's
result is written to docs/benchmarks/<engine>-<persons>x<days>.json in the repository, and BENCHMARKS.md and
docs/benchmarks/benchmarks.png are regenerated from every JSON there (so runs at several sizes add up).
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from facetlake import paths
from facetlake.dbt_runner import environment_set
from facetlake.paths import RAW_SOURCES

if TYPE_CHECKING:
    from facetlake.build import Prepared

ENGINES: tuple[str, ...] = ("duckdb", "trino")
HISTORY_DAYS = 10
Echo = Callable[[str], None]


@dataclass
class EngineRun:
    engine: str
    persons: int
    days: int
    raw_lines: int
    raw_bytes: int
    generate_seconds: float | None
    machine: str
    versions: dict[str, str]
    measured_at: str
    load_average: list[float] = field(default_factory=list)
    parse_seconds: float = 0.0
    lines_parsed: int = 0
    full_seconds: float = 0.0
    day_seconds: float = 0.0
    history_full_seconds: float | None = None
    history_day_seconds: float | None = None
    crowd_p50_ms: float | None = None
    crowd_p95_ms: float | None = None
    direct_p50_ms: float | None = None
    direct_p95_ms: float | None = None
    chart_p50_ms: float | None = None
    chart_p95_ms: float | None = None
    charts: int = 0
    peak_rss_mib: float = 0.0
    slowest_full: list[tuple[str, float]] = field(default_factory=list)
    slowest_day: list[tuple[str, float]] = field(default_factory=list)
    label: str = ""
    note: str = ""
    error: str = ""

    @property
    def full_over_parse(self) -> float | None:
        return self.full_seconds / self.parse_seconds if self.parse_seconds and self.full_seconds else None

    @property
    def day_over_full(self) -> float | None:
        return self.day_seconds / self.full_seconds if self.full_seconds and self.day_seconds else None

    @property
    def key(self) -> str:
        return f"{self.label + '-' if self.label else ''}{self.engine}-{self.persons}x{self.days}"


def _machine() -> str:
    cores = os.cpu_count() or 0
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError, AttributeError):
        memory = 0.0
    return (
        f"{cores} cores, {memory:.0f} GiB, {platform.system()} {platform.machine()}, Python {platform.python_version()}"
    )


def _versions(engine: str) -> dict[str, str]:
    from importlib.metadata import version

    found = {name: version(name) for name in ("dbt-core", f"dbt-{engine}", "duckdb", "dagster")}
    return found


def _git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "-C", str(paths.project_dir()), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
        )
        return out.stdout.strip()
    except OSError:
        return ""


def _peak_child_rss_mib() -> float:
    # Linux reports kilobytes: the largest resident set of any waited-for child (dbt runs as one).
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


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
            return saved.get("seconds"), saved["lines"], saved["bytes"]
    echo(f"Generating {persons:,} persons x {days} days into {lake} ...")
    summary = generate_lake(lake, GeneratorConfig(persons=persons, days=days, seed=seed), force=True, progress=True)
    recorded.write_text(
        json.dumps({**wanted, "lines": summary.lines, "bytes": summary.bytes, "seconds": summary.seconds}) + "\n"
    )
    return summary.seconds, summary.lines, summary.bytes


def _slowest(prepared: Prepared, count: int = 6) -> list[tuple[str, float]]:
    """The slowest parts of a build: its dbt nodes and its Python fits step (as 'python fits')."""
    timed = dict(prepared.node_seconds)
    if "fits" in prepared.step_seconds:
        timed["python fits"] = prepared.step_seconds["fits"]
    return sorted(timed.items(), key=lambda item: -item[1])[:count]


def _duckdb_parse_pass(lake: Path) -> tuple[float, int]:
    """Every raw line read, parsed as JSON once and every field typed by DuckDB's JSON reader (malformed
    lines skipped, not parsed twice); (seconds, objects parsed). count(COLUMNS(*)) makes it type every
    column rather than count lines."""
    import duckdb

    con = duckdb.connect()
    try:
        started = time.perf_counter()
        parsed = 0
        for source in RAW_SOURCES:
            glob = f"{lake}/raw/{source}/dt=*/*.jsonl*"
            if not con.execute(f"select count(*) from glob('{glob}')").fetchone()[0]:
                continue
            row = con.execute(
                f"select count(*), count(columns(*)) from read_json('{glob}', format = 'newline_delimited', "
                "ignore_errors = true, union_by_name = true, sample_size = -1, maximum_object_size = 1048576)"
            ).fetchone()
            parsed += row[0]
        return time.perf_counter() - started, parsed
    finally:
        con.close()


def _trino_parse_pass(port: int) -> tuple[float, int, str]:
    """Every raw line read through the hive catalog and parsed once (json_parse, cast to a map of its
    fields); (seconds, objects parsed, Trino version)."""
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
        cur.execute(
            "select count(fields), coalesce(sum(cardinality(fields)), 0) from ("
            f"select try(cast(json_parse(line) as map(varchar, json))) as fields from ({union}))"
        )
        parsed, _ = cur.fetchall()[0]
        return time.perf_counter() - started, parsed, version
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


def _timed_build(lake: Path, engine: str, **options) -> tuple[float, Prepared]:
    from facetlake.build import run_build

    started = time.perf_counter()
    prepared = run_build(lake, engine=engine, quiet=True, **options)
    return time.perf_counter() - started, prepared


def _last_dt(lake: Path) -> str:
    return max(p.name.removeprefix("dt=") for p in (lake / "raw").glob("*/dt=*") if p.is_dir())


def _history_lake(lake: Path, days: int) -> Path:
    """A lake holding the first `days` dts of `lake` (hard links to its files, nothing copied; the raw-zone
    scan does not follow symbolic links)."""
    dts = sorted({p.name for p in (lake / "raw").glob("*/dt=*") if p.is_dir()})[:days]
    short = lake.with_name(f"{lake.name}-first{days}")
    for source in RAW_SOURCES:
        for dt in dts:
            origin = lake / "raw" / source / dt
            if not origin.is_dir():
                continue
            target = short / "raw" / source / dt
            target.mkdir(parents=True, exist_ok=True)
            for file in origin.iterdir():
                if file.is_file() and not (target / file.name).exists():
                    os.link(file, target / file.name)
    return short


def _crowd_sizes(lake: Path, engine: str, rules: int = 20) -> tuple[float, float, float, float]:
    """(crowd size p50, p95, direct count p50, p95) in milliseconds over the same random rules."""
    from facetlake.crowds.catalogue import load_catalogue
    from facetlake.crowds.engine import connect
    from facetlake.crowds.rules import parse_rule
    from facetlake.crowds.service import bench

    sized = bench(lake, rules=rules, engine=engine, repeat=3)
    e = connect(lake, engine)
    try:
        catalogue = load_catalogue()
        wide = e.relation("marts", "user_tags_wide")
        direct = []
        for text, _, _ in sized.rules:
            predicate = parse_rule(text, catalogue).sql()
            best = float("inf")
            for _ in range(3):
                t0 = time.perf_counter()
                e.query(f"select count(*) from {wide} where {predicate}")
                best = min(best, (time.perf_counter() - t0) * 1000)
            direct.append(best)
    finally:
        e.close()
    return sized.p50, sized.p95, statistics.median(direct), _p95(direct)


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(0.95 * len(ordered) + 0.5)) - 1))]


def _chart_data(lake: Path, engine: str) -> tuple[float, float, int]:
    """(p50, p95 ms, charts) of every dashboard chart's data through a Superset deployed over the built lake.

    Each chart is asked once with force=true (Superset's cache is a NullCache anyway): the query a dashboard
    runs when a user opens it after a build."""
    from facetlake.superset import SupersetClient, SupersetServer, deploy

    user = ("bench", "bench")
    env = {
        "FACETLAKE_ENGINE": engine,
        "FACETLAKE_SUPERSET_ADMIN_USER": user[0],
        "FACETLAKE_SUPERSET_ADMIN_PASSWORD": user[1],
    }
    deploy(lake, "all", env)
    with SupersetServer(lake, port=_free_port(), extra_env=env) as server:
        client = SupersetClient(server.url, timeout=600).login(*user)
        latencies = []
        for chart in client.list("chart"):
            started = time.perf_counter()
            client.get(f"/api/v1/chart/{chart['id']}/data/", format="json", type="full", force="true")
            latencies.append((time.perf_counter() - started) * 1000)
    return statistics.median(latencies), _p95(latencies), len(latencies)


def run_benchmark(
    persons: int = 100_000,
    days: int = 30,
    seed: int = 7,
    lake: Path | None = None,
    engines: Sequence[str] = ENGINES,
    history: bool = True,
    label: str = "",
    note: str = "",
    echo: Echo = print,
) -> list[EngineRun]:
    """Generate (or reuse) a lake, then per engine every measurement of the module doc; write the results."""
    from facetlake.trino.catalogs import prepare_raw_tables_for_lake

    unknown = set(engines) - set(ENGINES)
    if unknown:
        raise click.UsageError(f"Unknown engine(s) {', '.join(sorted(unknown))}; use duckdb and/or trino.")
    lake = (lake or paths.project_dir() / "target" / f"bench-lake-{persons}x{days}-s{seed}").resolve()
    generate_seconds, raw_lines, raw_bytes = _generate(lake, persons, days, seed, echo)
    runs = []
    for engine in engines:
        run = EngineRun(
            engine=engine,
            persons=persons,
            days=days,
            raw_lines=raw_lines,
            raw_bytes=raw_bytes,
            generate_seconds=generate_seconds,
            machine=_machine(),
            versions={**_versions(engine), "facetlake": _git_commit()},
            measured_at=datetime.now(UTC).isoformat(timespec="seconds"),
            label=label,
            note=note,
        )
        run.load_average.append(round(os.getloadavg()[0], 1))
        try:
            if engine == "duckdb":
                _measure(run, lake, history, echo)
            else:
                with _trino_node(lake, echo) as port, environment_set(FACETLAKE_TRINO_PORT=str(port)):
                    prepare_raw_tables_for_lake(lake)
                    run.parse_seconds, run.lines_parsed, version = _trino_parse_pass(port)
                    run.versions["trino"] = version
                    _measure(run, lake, history=False, echo=echo, parsed=True)
        except Exception as error:  # a failed phase is reported with what was measured before it
            run.error = f"{type(error).__name__}: {error}"
            echo(f"{engine}: failed: {run.error.splitlines()[0]}")
        run.load_average.append(round(os.getloadavg()[0], 1))
        run.peak_rss_mib = round(_peak_child_rss_mib(), 0)
        runs.append(run)
        write_result(run)
    write_report()
    return runs


def _measure(run: EngineRun, lake: Path, history: bool, echo: Echo, parsed: bool = False) -> None:
    engine = run.engine
    if not parsed:
        echo(f"{engine}: parse pass ...")
        run.parse_seconds, run.lines_parsed = _duckdb_parse_pass(lake)
    echo(f"{engine}: parse pass {run.parse_seconds:.1f} s; full build ...")
    run.full_seconds, prepared = _timed_build(lake, engine, full_refresh=True)
    run.slowest_full = _slowest(prepared)
    last = _last_dt(lake)
    echo(f"{engine}: full build {run.full_seconds:.1f} s {prepared.step_seconds}; one day (dt {last}) ...")
    run.day_seconds, prepared = _timed_build(lake, engine, dt=last)
    run.slowest_day = _slowest(prepared)
    echo(f"{engine}: one day {prepared.step_seconds}; slowest {run.slowest_day}")
    echo(f"{engine}: one day {run.day_seconds:.1f} s; crowd sizes ...")
    run.crowd_p50_ms, run.crowd_p95_ms, run.direct_p50_ms, run.direct_p95_ms = _crowd_sizes(lake, engine)
    echo(f"{engine}: crowd size p50 {run.crowd_p50_ms:.0f} ms; dashboard chart data ...")
    run.chart_p50_ms, run.chart_p95_ms, run.charts = _chart_data(lake, engine)
    echo(f"{engine}: chart data p50 {run.chart_p50_ms:.0f} ms over {run.charts} charts")
    if history and run.days > HISTORY_DAYS:
        short = _history_lake(lake, HISTORY_DAYS)
        echo(f"{engine}: the first {HISTORY_DAYS} days alone: full build, then their last day ...")
        run.history_full_seconds = _timed_build(short, engine, full_refresh=True)[0]
        run.history_day_seconds = _timed_build(short, engine, dt=_last_dt(short))[0]


# ---- the published results ----------------------------------------------------------------------------
def results_dir() -> Path:
    return paths.project_dir() / "docs" / "benchmarks"


def write_result(run: EngineRun) -> Path:
    folder = results_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{run.key}.json"
    path.write_text(json.dumps(asdict(run), indent=2) + "\n")
    return path


def _load_results() -> list[EngineRun]:
    runs = []
    for path in sorted(results_dir().glob("*.json")):
        data = json.loads(path.read_text())
        if not {"engine", "persons", "days"} <= data.keys():
            continue  # a domain's own benchmark (value-clv-*, attribution-*), reported in docs/marts.md
        known = {k: v for k, v in data.items() if k in EngineRun.__dataclass_fields__}
        runs.append(EngineRun(**known))
    return sorted(runs, key=lambda r: (r.label != "before", r.measured_at, r.persons, r.engine))  # oldest first


def _s(value: float | None) -> str:
    return "" if value is None or value == 0 else f"{value:,.1f}"


def _ratio(value: float | None, percent: bool = False) -> str:
    if value is None:
        return ""
    return f"{value:.0%}" if percent else f"{value:.1f}x"


def write_report() -> Path:
    """BENCHMARKS.md and docs/benchmarks/benchmarks.png from every result in docs/benchmarks/."""
    runs = _load_results()
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`facetlake bench`; src/facetlake/bench.py says what each number is). One",
        "result per engine and lake size in `docs/benchmarks/*.json`; this page and the plot are regenerated",
        "from all of them. Times are wall-clock seconds on the machine named, with its load average (1 minute)",
        "before and after the run: on a shared machine other work inflates them.",
        "",
        "| run | engine | lake | raw lines | generate lines/s | parse pass s | full build s | full / parse "
        "(goal <= 3x) | one day s | day / full (goal <= 10%) | day after 10 days s | crowd size p50 / p95 ms "
        "| direct count p50 / p95 ms | chart data p50 / p95 ms | peak memory MiB | load avg |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in runs:
        generate = f"{r.raw_lines / r.generate_seconds:,.0f}" if r.generate_seconds else ""
        crowd = f"{r.crowd_p50_ms:.0f} / {r.crowd_p95_ms:.0f}" if r.crowd_p50_ms else ""
        direct = f"{r.direct_p50_ms:.0f} / {r.direct_p95_ms:.0f}" if r.direct_p50_ms else ""
        charts = f"{r.chart_p50_ms:.0f} / {r.chart_p95_ms:.0f}" if r.chart_p50_ms else ""
        lines.append(
            f"| {r.label or 'after'} | {r.engine} | {r.persons:,} x {r.days} | {r.raw_lines:,} | {generate} | "
            f"{_s(r.parse_seconds)} | {_s(r.full_seconds)} | {_ratio(r.full_over_parse)} | {_s(r.day_seconds)} | "
            f"{_ratio(r.day_over_full, percent=True)} | {_s(r.history_day_seconds)} | {crowd} | {direct} | {charts} | "
            f"{f'{r.peak_rss_mib:,.0f}' if r.peak_rss_mib else ''} | {' -> '.join(str(x) for x in r.load_average)} |"
        )
    lines += ["", "## Runs", ""]
    for r in runs:
        versions = ", ".join(f"{k} {v}" for k, v in r.versions.items())
        lines.append(
            f"- **{r.label or 'after'} {r.engine} {r.persons:,} x {r.days}** ({r.measured_at}; {r.machine}; {versions})"
        )
        if r.slowest_full:
            lines.append("  slowest in the full build: " + ", ".join(f"{n} {s}s" for n, s in r.slowest_full))
        if r.slowest_day:
            lines.append("  slowest in one day: " + ", ".join(f"{n} {s}s" for n, s in r.slowest_day))
        if r.history_full_seconds:
            lines.append(
                f"  first {HISTORY_DAYS} days alone: full build {r.history_full_seconds:.1f} s, their last day "
                f"{r.history_day_seconds:.1f} s"
            )
        if r.note:
            lines.append(f"  {r.note}")
        if r.error:
            lines.append(f"  failed: {r.error.splitlines()[0]}")
    lines.append("")
    lines.append("![full build, one day and parse pass per run](docs/benchmarks/benchmarks.png)")
    report = paths.project_dir() / "BENCHMARKS.md"
    report.write_text("\n".join(lines) + "\n")
    _plot(runs, results_dir() / "benchmarks.png")
    return report


def _plot(runs: list[EngineRun], target: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [f"{r.label or 'after'}\n{r.engine}\n{r.persons // 1000}k x {r.days}" for r in runs]
    series = [("parse pass", "parse_seconds"), ("full build", "full_seconds"), ("one day", "day_seconds")]
    width = 0.8 / len(series)
    fig, ax = plt.subplots(figsize=(max(6, 1.6 * len(runs)), 4))
    for i, (name, attribute) in enumerate(series):
        xs = [j + (i - 1) * width for j in range(len(runs))]
        ax.bar(xs, [getattr(r, attribute) or 0 for r in runs], width, label=name)
    ax.set_xticks(range(len(runs)), labels, fontsize=8)
    ax.set_ylabel("seconds (wall clock)")
    ax.set_title("facetlake: parse pass, full build and one day")
    ax.legend()
    fig.tight_layout()
    fig.savefig(target, dpi=100)
    plt.close(fig)


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
@click.option(
    "--history/--no-history", default=True, show_default=True, help="Also time a day after the first 10 days."
)
@click.option("--label", default="", help="Names the result (e.g. before); the default is the current code.")
@click.option("--note", default="", help="The conditions of the run (load, what changed), kept with the result.")
def bench(
    persons: int,
    days: int,
    seed: int,
    lake: Path | None,
    engines: tuple[str, ...],
    history: bool,
    label: str,
    note: str,
) -> None:
    """Time generation, a parse pass, a full build, one day and crowd sizes; write BENCHMARKS.md."""
    from facetlake.dbt_runner import BuildError
    from facetlake.trino import TrinoError

    try:
        runs = run_benchmark(
            persons, days, seed, lake, engines, history, label, note, echo=lambda m: click.echo(m, err=True)
        )
    except (BuildError, TrinoError) as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"wrote {paths.project_dir() / 'BENCHMARKS.md'}")
    for run in runs:
        click.echo(json.dumps(asdict(run)))
    if any(run.error for run in runs):
        raise click.ClickException("a phase failed; see the report above and the lake's dbt/logs/dbt.log")
