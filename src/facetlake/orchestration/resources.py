"""Where the lake is and which engine builds it: configuration, never code.

The steps of a build are facetlake.build's, run by the assets (assets/prepare.py, assets/dbt_models.py).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dagster import ConfigurableResource, EnvVar
from dagster_dbt import DbtCliResource
from pydantic import Field

from facetlake import paths
from facetlake.build import ENGINES
from facetlake.dbt_runner import dbt_environment, dbt_executable, environment_set


class FacetlakeResource(ConfigurableResource):
    """The lake a run reads and writes, and the engine dbt builds it on."""

    lake: str = Field(description="Lake directory: raw/ zone, warehouse/, synthetic/ (demo) and dagster/.")
    engine: str = Field(default="duckdb", description="dbt profile target: duckdb (embedded) or trino.")

    @property
    def lake_path(self) -> Path:
        return Path(self.lake).resolve()

    def checked_engine(self) -> str:
        if self.engine not in ENGINES:
            raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {self.engine!r}")
        return self.engine

    def dbt(self) -> DbtCliResource:
        """The dbt CLI on this project, with the engine's profile target."""
        return _dbt_cli(str(paths.project_dir()), self.checked_engine(), dbt_executable())

    @contextmanager
    def dbt_environment(self) -> Iterator[None]:
        """The process environment dbt reads its lake and engine from, for the duration of a build.

        dagster-dbt hands the process environment to the dbt subprocess; the profile and the raw-zone
        macros read FACETLAKE_LAKE and FACETLAKE_ENGINE from it.
        """
        wanted = dbt_environment(self.lake_path, self.checked_engine())
        keys = ("FACETLAKE_LAKE", "FACETLAKE_ENGINE", "DBT_PROFILES_DIR", "DBT_SEND_ANONYMOUS_USAGE_STATS")
        with environment_set(**{key: wanted[key] for key in keys}):
            yield


@functools.cache
def _dbt_cli(project_dir: str, target: str, executable: str) -> DbtCliResource:
    # One per process: dagster-dbt asks `dbt --version` once per resource object, and the demo runs
    # all its days in one process.
    return DbtCliResource(project_dir=project_dir, profiles_dir=project_dir, target=target, dbt_executable=executable)


def facetlake_from_env() -> FacetlakeResource:
    """FACETLAKE_LAKE (else ./lake in the repository) and FACETLAKE_ENGINE (else duckdb)."""
    lake = EnvVar("FACETLAKE_LAKE") if os.environ.get("FACETLAKE_LAKE") else str(paths.default_lake())
    engine = EnvVar("FACETLAKE_ENGINE") if os.environ.get("FACETLAKE_ENGINE") else "duckdb"
    return FacetlakeResource(lake=lake, engine=engine)
