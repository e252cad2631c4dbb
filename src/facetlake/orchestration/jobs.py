"""Jobs: the daily job (prepare, then the dbt project for one dt; what the schedule, the sensor and the demo
run) and the demo's landing of a synthetic day."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, TypeAlias

from dagster import AssetsDefinition, AssetSelection, JobDefinition, define_asset_job

if TYPE_CHECKING:
    from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition

# What define_asset_job returns: a job resolved against the asset graph when Definitions are built.
AssetJob: TypeAlias = "JobDefinition | UnresolvedAssetJobDefinition"

DAILY_JOB = "facetlake_daily"
LANDING_JOB = "land_synthetic_day"


def build_daily_job(dbt_assets_def: AssetsDefinition, prepare_assets: Sequence[AssetsDefinition]) -> AssetJob:
    """The prepare steps (crowd registry, raw partitions), then every dbt asset and check: the dt's partition
    of the incremental models, then all that reads them; the dbt step publishes the serving copy.

    The job's partitions are the dt partitions of the assets it selects."""
    return define_asset_job(
        DAILY_JOB,
        selection=AssetSelection.assets(*prepare_assets, dbt_assets_def),
        description=(
            "Sync the crowd registry and the raw zone's partitions, load one dt of the raw zone (incremental "
            "models), rebuild the views and marts, publish the serving copy."
        ),
    )


def build_landing_job(landing_assets_def: AssetsDefinition) -> AssetJob:
    return define_asset_job(
        LANDING_JOB,
        selection=AssetSelection.assets(landing_assets_def),
        description="Demo: land one day of the synthetic lake (<lake>/synthetic/raw) into <lake>/raw.",
    )
