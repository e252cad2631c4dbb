"""The dbt project as Dagster sees it, and the manifest it is loaded from.

Dagster builds its asset graph from dbt's manifest.json. `dagster dev` could parse the project itself
(`DbtProject.prepare_if_dev`), but tests, run workers and `dagster asset materialize` do not run under
`dagster dev`, so `prepare_manifest` parses the project whenever the manifest is missing or older than
any file dbt reads to make it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

from dagster_dbt import DbtProject

from facetlake import paths
from facetlake.dbt_runner import dbt_environment, dbt_executable

# What `dbt parse` reads; a change to any of these makes the manifest stale.
_PROJECT_FILES = ("dbt_project.yml", "profiles.yml", "selectors.yml", "packages.yml", "dependencies.yml")
_PROJECT_FOLDERS = ("models", "macros", "seeds", "snapshots", "analyses", "tests/dbt")


class ManifestError(RuntimeError):
    """`dbt parse` failed: the project has an error to fix before Dagster can load it."""


def dbt_project() -> DbtProject:
    project_dir = paths.project_dir()
    # Kept apart from target/, which every hand-run dbt command rewrites.
    return DbtProject(project_dir=project_dir, profiles_dir=project_dir, target_path=paths.dagster_manifest_dir())


def engine_from_env() -> str:
    return os.environ.get("FACETLAKE_ENGINE") or "duckdb"


def _project_files(project_dir: Path) -> Iterator[Path]:
    for name in _PROJECT_FILES:
        if (project_dir / name).exists():
            yield project_dir / name
    for folder in _PROJECT_FOLDERS:
        if (project_dir / folder).is_dir():
            # Folders too: deleting a model changes only its folder's time.
            yield project_dir / folder
            yield from (project_dir / folder).rglob("*")


def manifest_is_stale(project: DbtProject, engine: str) -> bool:
    """True when the manifest is missing, was parsed for another engine, or predates a project file."""
    manifest = Path(project.manifest_path)
    if not manifest.exists():
        return True
    try:
        adapter = json.loads(manifest.read_text())["metadata"].get("adapter_type")
    except (ValueError, KeyError):
        return True
    if adapter != engine:
        return True
    built = manifest.stat().st_mtime
    return any(p.stat().st_mtime > built for p in _project_files(Path(project.project_dir)))


def prepare_manifest(project: DbtProject | None = None, engine: str | None = None) -> Path:
    """Run `dbt parse` when the manifest is missing or stale; return the manifest's path.

    The parse writes to a scratch target folder and the manifest is swapped in whole, so a run worker
    loading the code location at the same moment reads the old manifest or the new one, never half.
    """
    project = project or dbt_project()
    engine = engine or engine_from_env()
    manifest = Path(project.manifest_path)
    if not manifest_is_stale(project, engine):
        return manifest
    project_dir = Path(project.project_dir)
    scratch = manifest.parent.with_name(f"dagster-parse-{os.getpid()}")
    # Parsing reads no data, but the profile names the lake: any lake will do.
    lake = paths.default_lake()
    env = dbt_environment(lake, engine)
    env["DBT_TARGET_PATH"] = str(scratch)
    env["DBT_LOG_PATH"] = str(scratch)
    result = subprocess.run(
        [dbt_executable(), "parse", "--quiet", "--project-dir", str(project_dir)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise ManifestError(
            f"`dbt parse` failed (exit {result.returncode}), so Dagster cannot load the dbt project. "
            f"Fix the project error below, then reload the code location.\n{result.stdout[-4000:]}"
        )
    manifest.parent.mkdir(parents=True, exist_ok=True)
    for artifact in ("partial_parse.msgpack", "manifest.json"):
        if (scratch / artifact).exists():
            os.replace(scratch / artifact, manifest.parent / artifact)
    shutil.rmtree(scratch, ignore_errors=True)
    return manifest
