"""Shared fixtures: small generated lakes built for real on DuckDB."""

from __future__ import annotations

from pathlib import Path

import pytest

from facetlake.build import run_build
from facetlake.generator import GeneratorConfig, generate_lake

SMALL = GeneratorConfig(persons=400, days=4, seed=3)


def build_small_lake(root: Path, config: GeneratorConfig = SMALL) -> Path:
    generate_lake(root, config, progress=False)
    run_build(root, engine="duckdb", quiet=True)
    return root


@pytest.fixture(scope="session")
def small_lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 400-person, 4-day lake generated and built once per test session (read it, don't change it)."""
    return build_small_lake(tmp_path_factory.mktemp("small_lake"))
