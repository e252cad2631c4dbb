"""Where things live: the repository (dbt project), the lake, the warehouse and the cache."""

from __future__ import annotations

import os
from pathlib import Path

RAW_SOURCES: tuple[str, ...] = (
    "app_events",
    "orders",
    "ad_events",
    "message_events",
    "crm_members",
    "products",
    "campaigns",
    "stores",
)


def project_dir() -> Path:
    """The dbt project (the repository root): FACETLAKE_PROJECT_DIR, else found from this package."""
    env = os.environ.get("FACETLAKE_PROJECT_DIR")
    if env:
        return Path(env).resolve()
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "dbt_project.yml").exists():
            return parent
    raise RuntimeError("Cannot find the facetlake dbt project; set FACETLAKE_PROJECT_DIR to the repository root.")


def default_lake() -> Path:
    """The lake: FACETLAKE_LAKE, else `lake/` in the repository (git ignores it)."""
    env = os.environ.get("FACETLAKE_LAKE")
    return Path(env).resolve() if env else project_dir() / "lake"


def warehouse_path(lake: Path) -> Path:
    """The DuckDB warehouse file of a lake."""
    return lake / "warehouse" / "facetlake.duckdb"


def cache_dir() -> Path:
    """Downloads reused across runs (Trino, Java): FACETLAKE_CACHE, else ~/.cache/facetlake."""
    env = os.environ.get("FACETLAKE_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "facetlake"
