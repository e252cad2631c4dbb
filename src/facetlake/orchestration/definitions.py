"""facetlake's Dagster code location; it only assembles what the other modules build.

dagster dev                      (from the repository root: pyproject.toml's [tool.dagster] names this module)
dagster dev -m facetlake.orchestration.definitions     (anywhere; `make dagster` for the lake's instance)
"""

from __future__ import annotations

import dagster as dg

from facetlake.orchestration.assets.dbt_models import FacetlakeDbtTranslator, build_dbt_assets
from facetlake.orchestration.assets.landing import build_landing_assets
from facetlake.orchestration.assets.prepare import build_crowd_registry_assets, build_raw_partitions_asset
from facetlake.orchestration.jobs import build_daily_job, build_landing_job
from facetlake.orchestration.partitions import daily_partitions
from facetlake.orchestration.project import dbt_project, prepare_manifest
from facetlake.orchestration.resources import FacetlakeResource, facetlake_from_env
from facetlake.orchestration.schedules import build_daily_schedule
from facetlake.orchestration.sensors import build_raw_partition_sensor


def build_definitions(facetlake: FacetlakeResource | None = None) -> dg.Definitions:
    """The code location for a lake and engine (from the environment unless given)."""
    project = dbt_project()
    prepare_manifest(project)
    partitions = daily_partitions()
    translator = FacetlakeDbtTranslator(partitions)
    dbt_assets_def = build_dbt_assets(project, partitions)
    landing_assets_def = build_landing_assets(project, partitions, translator)
    prepare_assets = [
        build_crowd_registry_assets(project, translator),
        build_raw_partitions_asset(project, partitions, translator),
    ]
    # The build's Python fits run inside the dbt step, between its two dbt invocations (assets/dbt_models.py).
    daily_job = build_daily_job(dbt_assets_def, prepare_assets)
    return dg.Definitions(
        assets=[landing_assets_def, *prepare_assets, dbt_assets_def],
        jobs=[daily_job, build_landing_job(landing_assets_def)],
        schedules=[build_daily_schedule(daily_job)],
        sensors=[build_raw_partition_sensor(daily_job, partitions)],
        resources={"facetlake": facetlake or facetlake_from_env()},
    )


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions()
