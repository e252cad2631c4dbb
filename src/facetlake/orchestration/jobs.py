"""Jobs: the daily job (the dbt project for one dt; what the schedule, the sensor and the demo run) and
the demo's landing of a synthetic day."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

from dagster import AssetsDefinition, AssetSelection, JobDefinition, define_asset_job

if TYPE_CHECKING:
    from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition

# What define_asset_job returns: a job resolved against the asset graph when Definitions are built.
AssetJob: TypeAlias = "JobDefinition | UnresolvedAssetJobDefinition"

DAILY_JOB = "facetlake_daily"
LANDING_JOB = "land_synthetic_day"


def build_daily_job(dbt_assets_def: AssetsDefinition) -> AssetJob:
    """Every dbt asset and check: the dt's partition of the incremental models, then all that reads them.

    The job's partitions are the dt partitions of the assets it selects."""
    return define_asset_job(
        DAILY_JOB,
        selection=AssetSelection.assets(dbt_assets_def),
        description="Load one dt of the raw zone (incremental models) and rebuild the views and marts.",
    )


def build_landing_job(landing_assets_def: AssetsDefinition) -> AssetJob:
    return define_asset_job(
        LANDING_JOB,
        selection=AssetSelection.assets(landing_assets_def),
        description="Demo: land one day of the synthetic lake (<lake>/synthetic/raw) into <lake>/raw.",
    )
