"""Runs the dbt project for a lake on an engine, and publishes the DuckDB warehouse for readers."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from facetlake import paths


class BuildError(RuntimeError):
    """dbt failed; the message says which command and where to look."""


def dbt_environment(lake: Path, engine: str) -> dict[str, str]:
    """The environment dbt needs: the lake, the engine (profile target) and the project's profiles."""
    env = dict(os.environ)
    env["FACETLAKE_LAKE"] = str(lake)
    env["FACETLAKE_ENGINE"] = engine
    env["DBT_PROFILES_DIR"] = str(paths.project_dir())
    # Each lake gets its own dbt target and log folders, so builds of different lakes (tests, a demo
    # beside a dev loop) never share partial-parse state.
    env.setdefault("DBT_TARGET_PATH", str(lake / "dbt" / "target"))
    env.setdefault("DBT_LOG_PATH", str(lake / "dbt" / "logs"))
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    return env


def dbt_executable() -> str:
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"


def run_dbt(lake: Path, args: list[str], engine: str = "duckdb", quiet: bool = False) -> None:
    """Run one dbt command in the project for `lake`; raise BuildError when it fails."""
    lake.mkdir(parents=True, exist_ok=True)
    (lake / "warehouse").mkdir(exist_ok=True)
    cmd = [dbt_executable(), *args, "--project-dir", str(paths.project_dir())]
    env = dbt_environment(lake, engine)
    result = subprocess.run(cmd, env=env, capture_output=quiet, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stdout or "")[-4000:] if quiet else ""
        raise BuildError(
            f"`{' '.join(args)}` failed on {engine} (exit {result.returncode}). "
            f"See the output above or {lake}/dbt/logs/dbt.log.\n{detail}"
        )


def run_dbt_build(
    lake: Path,
    engine: str = "duckdb",
    select: str | None = None,
    dt: str | None = None,
    dt_from: str | None = None,
    dt_to: str | None = None,
    full_refresh: bool = False,
    quiet: bool = False,
) -> None:
    """`dbt build` (seeds, models, snapshots, tests) for the lake; then publish the serving copy."""
    if not (lake / "raw").is_dir():
        raise BuildError(f"{lake} has no raw/ zone. Run `facetlake generate --lake {lake}` or drop files there.")
    args = ["build"]
    if select:
        args += ["--select", select]
    build_vars = {k: v for k, v in {"dt": dt, "dt_from": dt_from, "dt_to": dt_to}.items() if v}
    if build_vars:
        args += ["--vars", json.dumps(build_vars)]
    if full_refresh:
        args.append("--full-refresh")
    if engine == "trino":
        _prepare_trino(lake)
    # The crowd models read the registry: the repository's crowds/*.yml join every build.
    from facetlake.crowds.service import sync as sync_repo_crowds

    sync_repo_crowds(lake, engine)
    run_dbt(lake, args, engine=engine, quiet=quiet)
    if engine == "duckdb":
        publish_serving_copy(lake)


def _prepare_trino(lake: Path) -> None:
    """Register the raw zone's new dt partitions with Trino's hive catalog before a build."""
    from facetlake.trino.catalogs import prepare_raw_tables_for_lake

    prepare_raw_tables_for_lake(lake)


def serving_path(lake: Path) -> Path:
    return lake / "warehouse" / "serving" / "facetlake.duckdb"


def publish_serving_copy(lake: Path) -> Path:
    """Copy the warehouse to warehouse/serving/ and swap it in atomically.

    DuckDB allows one writer or many readers per file: dashboards read the serving copy, so a running
    build never waits on them and they never see a half-written warehouse.
    """
    source = paths.warehouse_path(lake)
    target = serving_path(lake)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".duckdb.tmp")
    shutil.copyfile(source, tmp)
    os.replace(tmp, target)
    return target
