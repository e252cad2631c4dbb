"""Fixtures for the Dagster code location: a parsed manifest, its definitions, a small synthetic lake."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from facetlake.orchestration.definitions import build_definitions
from facetlake.orchestration.project import dbt_project, prepare_manifest
from facetlake.orchestration.resources import FacetlakeResource


@pytest.fixture(scope="session")
def manifest_path() -> Path:
    """dbt's manifest, parsed now if missing or stale (tests never run under `dagster dev`)."""
    return prepare_manifest(dbt_project(), engine="duckdb")


@pytest.fixture(scope="session")
def synthetic_lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A lake whose raw zone is still empty: 300 persons x 3 days waiting in <lake>/synthetic/raw."""
    from facetlake.generator import GeneratorConfig, generate_lake

    lake = tmp_path_factory.mktemp("dagster-lake")
    generate_lake(lake / "synthetic", GeneratorConfig(persons=300, days=3, seed=1), progress=False)
    return lake


@pytest.fixture(scope="session")
def definitions(manifest_path: Path, tmp_path_factory: pytest.TempPathFactory) -> dg.Definitions:
    """The code location as loaded, over an empty lake (tests that run jobs build their own)."""
    return build_definitions(FacetlakeResource(lake=str(tmp_path_factory.mktemp("empty-lake"))))
