"""The prepare steps of a build as assets upstream of the dbt sources they feed (facetlake.build runs them).

- `crowd_registry`: syncs the repository's crowds/*.yml into the registry. Its assets are the tables of the
  dbt source `crowd_registry`, so the crowd models are drawn downstream of it (group `crowds`).
- `raw_partitions`: writes the raw zone's manifest (every file, its status; staging reads what it lists) and
  registers the raw zone's dt folders with Trino's hive catalog (a new dt is invisible to Trino before).
  Partitioned by dt, downstream of the raw zone's tables and upstream of every model that reads them (group `raw_zone`).

The daily job selects both, so each run shows prepare -> dbt build (which publishes the serving copy).
"""

from collections.abc import Iterator

from dagster import (
    AssetDep,
    AssetExecutionContext,
    AssetsDefinition,
    AssetSpec,
    BackfillPolicy,
    MaterializeResult,
    PartitionsDefinition,
    multi_asset,
)
from dagster_dbt import DbtProject

from facetlake import build
from facetlake.orchestration.assets.dbt_models import (
    CROWD_REGISTRY_SOURCE,
    RAW_PARTITIONS_KEY,
    RAW_SOURCE,
    SOURCE_GROUPS,
    FacetlakeDbtTranslator,
    source_tables,
)
from facetlake.orchestration.resources import FacetlakeResource

CROWD_REGISTRY_ASSETS_NAME = "crowd_registry"


def build_crowd_registry_assets(project: DbtProject, translator: FacetlakeDbtTranslator) -> AssetsDefinition:
    tables = source_tables(project, translator, CROWD_REGISTRY_SOURCE)
    specs = [
        AssetSpec(
            key,
            group_name=SOURCE_GROUPS[CROWD_REGISTRY_SOURCE],
            description=f"The crowd registry's {table}, synced from the repository's crowds/*.yml before dbt runs.",
            kinds={"python"},
        )
        for key, table in tables.items()
    ]

    @multi_asset(name=CROWD_REGISTRY_ASSETS_NAME, specs=specs, description=__doc__)
    def crowd_registry(context: AssetExecutionContext, facetlake: FacetlakeResource) -> Iterator[MaterializeResult]:
        report = build.sync_crowd_registry(facetlake.lake_path, facetlake.checked_engine())
        context.log.info(f"crowd registry: {len(report.saved)} crowds synced from crowds/")
        for name, why in report.invalid:
            context.log.warning(f"crowd {name} is invalid: {why}")
        metadata = {
            "crowds_synced": len(report.saved),
            "invalid": len(report.invalid),
            "removed": len(report.removed),
            "skipped": len(report.skipped),
        }
        for spec in specs:
            yield MaterializeResult(asset_key=spec.key, metadata=metadata)

    return crowd_registry


def build_raw_partitions_asset(
    project: DbtProject, partitions_def: PartitionsDefinition, translator: FacetlakeDbtTranslator
) -> AssetsDefinition:
    raw_tables = source_tables(project, translator, RAW_SOURCE)

    @multi_asset(
        specs=[
            AssetSpec(
                RAW_PARTITIONS_KEY,
                deps=[AssetDep(key) for key in raw_tables],
                group_name=SOURCE_GROUPS[RAW_SOURCE],
                partitions_def=partitions_def,
                kinds={"python"},
                description=(
                    "The raw zone's manifest (every file with its status; staging reads what it lists), and its "
                    "dt folders registered with Trino's hive catalog (sync_partition_metadata, FULL), so a Trino "
                    "build sees a new dt."
                ),
            )
        ],
        name="raw_partitions",
        partitions_def=partitions_def,
        # A backfill registers every dt of its range at once (the sync is FULL, not per dt).
        backfill_policy=BackfillPolicy.single_run(),
    )
    def raw_partitions(context: AssetExecutionContext, facetlake: FacetlakeResource) -> MaterializeResult:
        # The raw manifest decides what staging reads (facetlake.raw_zone), so it is written first.
        manifest = build.scan_raw_zone(facetlake.lake_path)
        context.log.info(manifest.describe())
        for problem in manifest.problems:
            context.log.warning(f"raw file not read: {problem}")
        synced = build.sync_raw_partitions(facetlake.lake_path, facetlake.checked_engine())
        context.log.info(synced.describe())
        return MaterializeResult(
            metadata={
                "raw_files": manifest.statuses,
                "engine": synced.engine,
                "registered": synced.engine == "trino",
                "partitions": sum(synced.partitions.values()),
                "tables_created": len(synced.created),
            }
        )

    return raw_partitions
