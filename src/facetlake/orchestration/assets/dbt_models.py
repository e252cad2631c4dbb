"""Every dbt model, seed and snapshot as an asset and every dbt test as an asset check, from the manifest.

Nothing here names a model: groups come from the folders a node lives in, partitions from its
materialization, so a model added under models/ joins the graph, the daily job and the schedule by itself.

Partitions: incremental models replaced a dt at a time (unique_key dt: the raw zone's base tables) are
partitioned by dt, and a partition run passes `{"dt": <partition>}` to dbt (a backfill range in one run passes
`dt_from`/`dt_to`). Views and tables are not partitioned: a mart is a whole table over every dt, rebuilt
after the partitions it reads have changed. The daily job selects both, so each run loads one dt and then
rebuilds what reads it with one `dbt build`; Dagster records the marts as unpartitioned materializations,
which is what they are.
"""

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from dagster import (
    AssetExecutionContext,
    AssetsDefinition,
    BackfillPolicy,
    PartitionsDefinition,
)
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtProject, dbt_assets

from orchestration.resources import FacetlakeResource

DBT_ASSETS_NAME = "facetlake_dbt"


class FacetlakeDbtTranslator(DagsterDbtTranslator):
    """Groups follow the project's folders; models dbt replaces a dt at a time are partitioned by dt."""

    def __init__(self, partitions_def: PartitionsDefinition) -> None:
        super().__init__(settings=DagsterDbtTranslatorSettings(enable_code_references=True))
        self.dt_partitions = partitions_def

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        """models/staging/orders/x.sql -> staging_orders; marts/health -> marts_health; seeds/ -> seeds."""
        resource_type = dbt_resource_props["resource_type"]
        if resource_type == "source":
            return "raw"
        folders = list(dbt_resource_props.get("fqn", []))[1:-1]
        if resource_type != "model":
            folders = [f"{resource_type}s", *folders]
        return re.sub(r"[^A-Za-z0-9_]", "_", "_".join(folders)) or "models"

    def get_partitions_def(self, dbt_resource_props: Mapping[str, Any]) -> PartitionsDefinition | None:
        return self.dt_partitions if is_replaced_by_dt(dbt_resource_props) else None


def is_replaced_by_dt(dbt_resource_props: Mapping[str, Any]) -> bool:
    """An incremental model whose rows dbt replaces a dt at a time (unique_key dt): a dt-partitioned table.

    Other incremental models (an append-only registry, say) are not partitioned: every run extends them.
    """
    config = dbt_resource_props.get("config", {})
    unique_key = config.get("unique_key")
    keys = [unique_key] if isinstance(unique_key, str) else list(unique_key or [])
    return config.get("materialized") == "incremental" and keys == ["dt"]


def dt_vars(context: AssetExecutionContext) -> dict[str, str]:
    """The dbt vars for a run's partitions: one dt, a dt range (a backfill in one run), or none."""
    if not (context.has_partition_key or context.has_partition_key_range):
        return {}
    keys = context.partition_key_range
    if keys.start == keys.end:
        return {"dt": keys.start}
    return {"dt_from": keys.start, "dt_to": keys.end}


def build_dbt_assets(project: DbtProject, partitions_def: PartitionsDefinition) -> AssetsDefinition:
    """The dbt project as one multi-asset; Dagster runs any subset of it as one `dbt build`."""

    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        name=DBT_ASSETS_NAME,
        dagster_dbt_translator=FacetlakeDbtTranslator(partitions_def),
        # A backfill of a dt range is one dbt build over the range, not one per day.
        backfill_policy=BackfillPolicy.single_run(),
    )
    def facetlake_dbt(context: AssetExecutionContext, facetlake: FacetlakeResource) -> Iterator[Any]:
        args = ["build"]
        build_vars = dt_vars(context)
        if build_vars:
            args += ["--vars", json.dumps(build_vars)]
        context.log.info(f"dbt {' '.join(args)} on {facetlake.engine} for {facetlake.lake_path}")
        target_path = facetlake.dbt_target_path(context.run.run_id, DBT_ASSETS_NAME)
        facetlake.before_build()
        with facetlake.dbt_environment():
            yield from facetlake.dbt().cli(args, context=context, target_path=target_path).stream()
        serving = facetlake.after_build(target_path)
        if serving:
            context.log.info(f"published the serving copy {serving}")

    return facetlake_dbt
