"""A build killed with SIGKILL at any point, then built again normally, leaves the lake as one clean build does.

The reference is a clean `facetlake build` of a generated lake. The same lake, restored to before that
build, is then built as a subprocess in its own process group and the whole group (dbt's process too) is
killed at seeded random points, one per step of the build path: prepare (after the raw manifest is
written: the crowd registry sync or dbt's start), dbt (its models), publish (while the serving copy is
written). After each kill a normal build runs to completion, and the warehouse, the serving copy and the raw
manifest must equal the reference's: same relations, same columns, same multiset of rows, no temporary file
left behind. The first kill interrupts the lake's first build, the later ones rebuilds of a built lake.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from facetlake import paths
from facetlake.build import run_build
from facetlake.generator import GeneratorConfig, generate_lake
from facetlake.trino.parity import compare_rows

CONFIG = GeneratorConfig(persons=300, days=3, seed=11)
SEED = 20261130
BUILD_TIMEOUT_SECONDS = 600
# Columns recording when something was written, not what the data says (see facetlake.trino.parity too).
WALL_CLOCK_COLUMNS: dict[str, frozenset[str]] = {
    "crowd_definitions": frozenset({"created_at", "updated_at"}),
    "crowds": frozenset({"created_at", "updated_at"}),
    "clv_parameters": frozenset({"fitted_at"}),  # fits.clv_parameters: when the CLV fit ran
    "fct_raw_files": frozenset({"first_seen_at", "scanned_at"}),
}
MANIFEST_WALL_CLOCK = ("first_seen_at", "scanned_at")


def _cli() -> list[str]:
    script = Path(sys.executable).parent / "facetlake"
    return [str(script)] if script.exists() else [sys.executable, "-m", "facetlake.cli"]


def _signature(path: Path) -> tuple[int, int] | None:
    """Which version of a file is there (inode, mtime), None when there is none."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return stat.st_ino, stat.st_mtime_ns


def _serving_tmp(lake: Path) -> Path:
    return paths.serving_path(lake).with_suffix(".duckdb.tmp")


# What marks a step as started: a new version of this file.
MARKERS: dict[str, Callable[[Path], Path]] = {"manifest": paths.raw_manifest_path, "serving": _serving_tmp}


@dataclass(frozen=True)
class KillPoint:
    step: str
    marker: str | None  # the clock starts when this marker's file changes; None: when the build starts
    delay: float  # seconds after that


def _start_build(lake: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [*_cli(), "build", "--lake", str(lake)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the kill reaches dbt's process too
    )


def _timed_build(lake: Path) -> dict[str, float]:
    """A clean CLI build; seconds from its start until each marker changed, and until the end."""
    before = {name: _signature(marker(lake)) for name, marker in MARKERS.items()}
    started = time.perf_counter()
    process = _start_build(lake)
    seen: dict[str, float] = {}
    try:
        while process.poll() is None:
            for name, marker in MARKERS.items():
                if name not in seen and _signature(marker(lake)) != before[name]:
                    seen[name] = time.perf_counter() - started
            time.sleep(0.01)
            assert time.perf_counter() - started < BUILD_TIMEOUT_SECONDS
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == 0, "the clean build failed"
    seen["end"] = time.perf_counter() - started
    assert set(seen) == {*MARKERS, "end"}, seen
    return seen


def _kill_build(lake: Path, point: KillPoint) -> dict[str, bool]:
    """Start a build, SIGKILL its process group at the kill point (fail if the build ended before); return
    what the killed build left behind."""
    marker = MARKERS[point.marker](lake) if point.marker else None
    before = _signature(marker) if marker else None
    process = _start_build(lake)
    started = time.perf_counter()
    clock = started if marker is None else None
    try:
        while process.poll() is None:
            now = time.perf_counter()
            if clock is None and _signature(marker) != before:
                clock = now
            if clock is not None and now - clock >= point.delay:
                break
            assert now - started < BUILD_TIMEOUT_SECONDS
            time.sleep(0.005)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    assert process.returncode == -signal.SIGKILL, f"the build ended ({process.returncode}) before {point}"
    # The group's other processes (dbt) were killed too; wait until none is left holding the warehouse.
    deadline = time.perf_counter() + 30
    while time.perf_counter() < deadline:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    warehouse = paths.warehouse_path(lake)
    return {
        "warehouse": warehouse.exists(),
        "wal": warehouse.with_name(warehouse.name + ".wal").exists(),
        "serving_tmp": _serving_tmp(lake).exists(),
    }


def _kill_points(timings: dict[str, float], rng: random.Random) -> list[KillPoint]:
    dbt_start, dbt_end = timings["manifest"], timings["serving"]
    return [
        KillPoint("prepare", "manifest", rng.uniform(0.0, 0.2)),
        KillPoint(
            "dbt", None, rng.uniform(dbt_start + 0.2 * (dbt_end - dbt_start), dbt_start + 0.6 * (dbt_end - dbt_start))
        ),
        KillPoint("publish", "serving", rng.uniform(0.0, 0.5 * (timings["end"] - timings["serving"]))),
    ]


def _relations(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "select table_schema || '.' || table_name from information_schema.tables "
        "where table_catalog = current_database() and table_schema not in ('information_schema', 'pg_catalog')"
    ).fetchall()
    return sorted(row[0] for row in rows)


def _database_differences(expected: Path, got: Path) -> list[str]:
    """Every relation of every schema of two DuckDB files: the same relations, columns and rows."""
    problems = []
    # Both files are named facetlake.duckdb: their views name that catalog, so each is opened on its own.
    left = duckdb.connect(str(expected), read_only=True)
    right = duckdb.connect(str(got), read_only=True)
    try:
        names_left, names_right = _relations(left), _relations(right)
        if names_left != names_right:
            problems.append(
                f"relations differ: only in the reference {sorted(set(names_left) - set(names_right))}, "
                f"only after recovery {sorted(set(names_right) - set(names_left))}"
            )
        for name in sorted(set(names_left) & set(names_right)):
            quoted = ".".join(f'"{part}"' for part in name.split("."))
            cursor_left = left.execute(f"select * from {quoted}")
            cursor_right = right.execute(f"select * from {quoted}")
            columns = [d[0] for d in cursor_left.description]
            if columns != [d[0] for d in cursor_right.description]:
                problems.append(f"{name}: columns differ: {columns} / {[d[0] for d in cursor_right.description]}")
                continue
            wall_clock = WALL_CLOCK_COLUMNS.get(name.rsplit(".", 1)[-1], frozenset())
            keep = [i for i, column in enumerate(columns) if column not in wall_clock]
            diff = compare_rows(
                name,
                [tuple(row[i] for i in keep) for row in cursor_left.fetchall()],
                [tuple(row[i] for i in keep) for row in cursor_right.fetchall()],
            )
            if not diff.equal:
                described = (
                    diff.describe()
                    .replace("duckdb only:", "reference only:")
                    .replace("trino only: ", "recovered only:")
                )
                problems.append(described.replace("on DuckDB", "in the reference").replace("on Trino", "recovered"))
        if not names_left:
            problems.append(f"{expected} holds no relation")
    finally:
        left.close()
        right.close()
    return problems


def _manifest(path: Path) -> list[dict]:
    rows = pq.read_table(path).drop_columns(list(MANIFEST_WALL_CLOCK)).to_pylist()
    return sorted(rows, key=lambda row: row["relative_path"])


def _differences(reference: Path, lake: Path) -> list[str]:
    problems = [
        f"warehouse: {p}"
        for p in _database_differences(reference / "warehouse" / "facetlake.duckdb", paths.warehouse_path(lake))
    ]
    problems += [
        f"serving: {p}"
        for p in _database_differences(reference / "serving" / "facetlake.duckdb", paths.serving_path(lake))
    ]
    if _manifest(reference / "manifest.parquet") != _manifest(paths.raw_manifest_path(lake)):
        problems.append("the raw manifest differs from the reference's")
    leftovers = sorted(str(p.relative_to(lake)) for p in lake.rglob("*.tmp"))
    if leftovers:
        problems.append(f"temporary files left behind: {leftovers}")
    return problems


def _keep_reference(lake: Path, reference: Path) -> None:
    # Each kept as facetlake.duckdb in a folder of its own: the views in them name that catalog.
    for name, source in (("warehouse", paths.warehouse_path(lake)), ("serving", paths.serving_path(lake))):
        (reference / name).mkdir(parents=True)
        for file in source.parent.glob(source.name + "*"):  # a write-ahead log too, were one left
            shutil.copy2(file, reference / name / file.name)
    shutil.copy2(paths.raw_manifest_path(lake), reference / "manifest.parquet")


def test_a_build_killed_at_any_step_then_built_again_equals_a_clean_build(tmp_path: Path) -> None:
    lake, pristine, reference = tmp_path / "lake", tmp_path / "pristine", tmp_path / "reference"
    generate_lake(lake, CONFIG, progress=False)
    # Copied with their modification times: the files are the same files to the manifest. The recovered
    # lake is built at the same path as the reference, since the warehouse records each raw file's path.
    shutil.copytree(lake, pristine)
    timings = _timed_build(lake)
    _keep_reference(lake, reference)
    shutil.rmtree(lake)
    shutil.copytree(pristine, lake)

    points = _kill_points(timings, random.Random(SEED))
    outcomes = []
    for point in points:
        left_behind = _kill_build(lake, point)
        # The kill landed in its step: mid-publish, the serving copy was half written; before, not begun.
        assert left_behind["serving_tmp"] == (point.step == "publish"), (point, left_behind)
        started = time.perf_counter()
        run_build(lake, quiet=True)
        recovery_seconds = time.perf_counter() - started
        outcomes.append((point, left_behind, recovery_seconds, _differences(reference, lake)))
    print(f"clean build {timings}")
    for point, left_behind, seconds, problems in outcomes:
        print(f"{point}: left {left_behind}; recovered in {seconds:.1f} s; {len(problems)} differences")
    failed = [f"{point}:\n  " + "\n  ".join(problems) for point, _, _, problems in outcomes if problems]
    assert not failed, f"clean build timings {timings}\n" + "\n".join(failed)
