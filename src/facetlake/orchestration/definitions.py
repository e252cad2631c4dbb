"""facetlake's Dagster code location; it only assembles what the other modules build.

dagster dev -m orchestration.definitions     (or `make dagster`)
"""

from __future__ import annotations

import dagster as dg

from orchestration.assets.dbt_models import FacetlakeDbtTranslator, build_dbt_assets
from orchestration.assets.landing import build_landing_assets
from orchestration.jobs import build_daily_job, build_landing_job
from orchestration.partitions import daily_partitions
from orchestration.project import dbt_project, prepare_manifest
from orchestration.resources import FacetlakeResource, facetlake_from_env
from orchestration.schedules import build_daily_schedule
from orchestration.sensors import build_raw_partition_sensor


def build_definitions(facetlake: FacetlakeResource | None = None) -> dg.Definitions:
    """The code location for a lake and engine (from the environment unless given)."""
    project = dbt_project()
    prepare_manifest(project)
    partitions = daily_partitions()
    dbt_assets_def = build_dbt_assets(project, partitions)
    landing_assets_def = build_landing_assets(project, partitions, FacetlakeDbtTranslator(partitions))
    daily_job = build_daily_job(dbt_assets_def)
    return dg.Definitions(
        assets=[landing_assets_def, dbt_assets_def],
        jobs=[daily_job, build_landing_job(landing_assets_def)],
        schedules=[build_daily_schedule(daily_job)],
        sensors=[build_raw_partition_sensor(daily_job, partitions)],
        resources={"facetlake": facetlake or facetlake_from_env()},
    )


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions()
