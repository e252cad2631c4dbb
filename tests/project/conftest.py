"""The dbt project as dbt parses it, for tests of the repository's shape (macros, domains, docs).

Parsing reads no data, so these tests are fast and belong to `make check`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from facetlake import paths


def parse_manifest(target: Path, engine: str = "duckdb") -> dict:
    """`dbt parse` of the repository into `target`; the manifest as a dict."""
    env = dict(os.environ)
    env.update(
        FACETLAKE_LAKE=str(target / "lake"),
        FACETLAKE_ENGINE=engine,
        DBT_PROFILES_DIR=str(paths.project_dir()),
        DBT_TARGET_PATH=str(target),
        DBT_LOG_PATH=str(target),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    (target / "lake" / "warehouse").mkdir(parents=True, exist_ok=True)
    dbt = Path(sys.executable).parent / "dbt"
    result = subprocess.run(
        [str(dbt), "parse", "--no-partial-parse", "--project-dir", str(paths.project_dir())],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"dbt parse failed:\n{result.stdout[-4000:]}"
    return json.loads((target / "manifest.json").read_text())


@pytest.fixture(scope="session")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The DuckDB target's manifest, parsed once per session."""
    return parse_manifest(tmp_path_factory.mktemp("dbt_parse"))
