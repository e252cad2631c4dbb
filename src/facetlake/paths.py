"""Where things live: the repository (dbt project), the lake and everything in it, and the cache.

Every path a module needs is built here, so the lake's layout is written down once:

    <lake>/raw/<source>/dt=YYYY-MM-DD/    the raw zone (sources write it; the demo lands it from synthetic/)
    <lake>/synthetic/raw/                 the demo's whole synthetic lake, landed a day at a time
    <lake>/raw_manifest/                  the raw zone's manifest and the sidecars of files read through it
    <lake>/warehouse/facetlake.duckdb     the DuckDB warehouse dbt builds
    <lake>/warehouse/serving/             the serving copy readers use, published after each DuckDB build
    <lake>/dbt/target, <lake>/dbt/logs    dbt's artifacts and logs for builds of this lake
    <lake>/dagster/                       the lake's Dagster instance (DAGSTER_HOME), its runs' dbt artifacts
    <lake>/uploads/, <lake>/exports/      crowd uploads read, crowd packages written
    <lake>/erasure/                       the suppression list of erased identifiers (hashes only), the erasure log
"""

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


def raw_zone(lake: Path) -> Path:
    """The raw zone of a lake: one folder per source, one `dt=YYYY-MM-DD` folder per arrival date."""
    return lake / "raw"


def raw_manifest_path(lake: Path) -> Path:
    """The raw zone's manifest (one row per file; facetlake.raw_zone writes it before each build)."""
    return lake / "raw_manifest" / "files" / "manifest.parquet"


def raw_sidecar_dir(lake: Path) -> Path:
    """Normalised copies of raw files DuckDB's reader cannot take: <dir>/source_name=<s>/dt=<dt>/<sha256>.parquet."""
    return lake / "raw_manifest" / "sidecars"


def synthetic_raw(lake: Path) -> Path:
    """The demo's synthetic raw zone, landed into the raw zone a day at a time."""
    return lake / "synthetic" / "raw"


def serving_path(lake: Path) -> Path:
    """The serving copy of the DuckDB warehouse: what dashboards and readers open while a build writes."""
    return lake / "warehouse" / "serving" / "facetlake.duckdb"


def dbt_target_dir(lake: Path) -> Path:
    """dbt's target folder for builds of a lake (each lake its own, so partial-parse state is never shared)."""
    return lake / "dbt" / "target"


def dbt_log_dir(lake: Path) -> Path:
    return lake / "dbt" / "logs"


def dagster_home(lake: Path) -> Path:
    """The lake's Dagster instance (DAGSTER_HOME): a lake's runs stay with the lake."""
    return Path(lake).resolve() / "dagster"


def dagster_dbt_target(lake: Path, run_id: str, name: str) -> Path:
    """A dbt target folder for one Dagster invocation (its compiled SQL names the lake)."""
    return dagster_home(lake) / "dbt" / f"{run_id[:8]}-{name}"


def demo_log(lake: Path) -> Path:
    """Where `facetlake demo` sends the Dagster runs' output."""
    return dagster_home(lake) / "demo.log"


def uploads_dir(lake: Path) -> Path:
    """Identifier lists uploaded for crowds (`facetlake crowd create --upload NAME` reads <lake>/uploads/NAME)."""
    return lake / "uploads"


def exports_dir(lake: Path) -> Path:
    """Crowd packages: <lake>/exports/<crowd>/<as_of_date>/<channel>/."""
    return lake / "exports"


def dagster_manifest_dir() -> Path:
    """Where the Dagster code location keeps its dbt manifest, apart from target/ (hand-run dbt rewrites it)."""
    return project_dir() / "target" / "dagster"


def cache_dir() -> Path:
    """Downloads reused across runs (Trino, Java): FACETLAKE_CACHE, else ~/.cache/facetlake."""
    env = os.environ.get("FACETLAKE_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "facetlake"


def erasure_dir(lake: Path) -> Path:
    """Erasure's records: the suppression list (hashes only) and the log of erasure requests."""
    return lake / "erasure"


def suppression_list_path(lake: Path) -> Path:
    """Hashes of every erased identifier: the raw-zone scan drops lines carrying one (facetlake.erasure)."""
    return erasure_dir(lake) / "suppressed.parquet"


def erasure_log_path(lake: Path) -> Path:
    return erasure_dir(lake) / "log.jsonl"
