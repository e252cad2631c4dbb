"""Runs one dbt command in the project for a lake on an engine (the build path itself is facetlake.build)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from facetlake import paths
from facetlake.warehouse import WarehouseLocked, is_lock_error, locked_message, wait_for_writer


class BuildError(RuntimeError):
    """dbt failed; the message says which command and where to look."""


@contextmanager
def environment_set(**values: str) -> Iterator[None]:
    """Set environment variables for the duration of a block, then restore what was there (or unset them)."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def dbt_environment(lake: Path, engine: str) -> dict[str, str]:
    """The environment dbt needs: the lake, the engine (profile target) and the project's profiles."""
    env = dict(os.environ)
    env["FACETLAKE_LAKE"] = str(lake)
    env["FACETLAKE_ENGINE"] = engine
    env["DBT_PROFILES_DIR"] = str(paths.project_dir())
    # Each lake gets its own dbt target and log folders, so builds of different lakes (tests, a demo
    # beside a dev loop) never share partial-parse state.
    env.setdefault("DBT_TARGET_PATH", str(paths.dbt_target_dir(lake)))
    env.setdefault("DBT_LOG_PATH", str(paths.dbt_log_dir(lake)))
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    return env


def dbt_executable() -> str:
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"


def run_dbt(lake: Path, args: list[str], engine: str = "duckdb", quiet: bool = False) -> None:
    """Run one dbt command in the project for `lake`; raise BuildError when it fails."""
    paths.warehouse_path(lake).parent.mkdir(parents=True, exist_ok=True)
    if engine == "duckdb":
        # One writer at a time: wait (bounded) for a concurrent build rather than fail deep inside dbt.
        try:
            wait_for_writer(lake)
        except WarehouseLocked as error:
            raise BuildError(str(error)) from None
    cmd = [dbt_executable(), *args, "--project-dir", str(paths.project_dir())]
    env = dbt_environment(lake, engine)
    result = subprocess.run(cmd, env=env, capture_output=quiet, text=True, check=False)
    if result.returncode != 0:
        if engine == "duckdb" and quiet and is_lock_error(result.stdout or ""):
            raise BuildError(locked_message(lake, result.stdout, 0))  # taken between our wait and dbt's start
        detail = (result.stdout or "")[-4000:] if quiet else ""
        raise BuildError(
            f"`{' '.join(args)}` failed on {engine} (exit {result.returncode}). "
            f"See the output above or {paths.dbt_log_dir(lake) / 'dbt.log'}.\n{detail}"
        )


def list_nodes(
    lake: Path, selection: str, engine: str = "duckdb", extra_vars: dict[str, object] | None = None
) -> list[str]:
    """The unique ids of the models a dbt selection names (`dbt ls`), e.g. to know whether a build reaches them."""
    import json

    cmd = [
        dbt_executable(),
        "ls",
        "--select",
        selection,
        "--resource-type",
        "model",
        "--output",
        "json",
        "--output-keys",
        "unique_id",
        "--quiet",
        "--project-dir",
        str(paths.project_dir()),
    ]
    if extra_vars:
        cmd += ["--vars", json.dumps(extra_vars)]
    result = subprocess.run(cmd, env=dbt_environment(lake, engine), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BuildError(f"`dbt ls --select {selection}` failed: {(result.stdout or result.stderr)[-2000:]}")
    ids = []
    for line in result.stdout.splitlines():
        line = line.strip()
        if line.startswith("{"):
            ids.append(json.loads(line)["unique_id"])
    return ids
