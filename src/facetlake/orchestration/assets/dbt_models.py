"""Every dbt model, seed and snapshot as an asset and every dbt test as an asset check, from the manifest.

Nothing here names a model: groups come from the dbt group a node belongs to (else the folders it lives
in), partitions from its materialization, so a model added under models/ joins the graph, the daily job and
the schedule by itself. The sources are assets of the prepare steps (assets/prepare.py) and of the demo's
landing (assets/landing.py); models that read the raw zone also depend on the raw-partition sync.

Partitions: incremental models replaced a dt at a time (unique_key dt: the raw zone's base tables) are
partitioned by dt, and a partition run passes `{"dt": <partition>}` to dbt (a backfill range in one run passes
`dt_from`/`dt_to`). Views and tables are not partitioned: a mart is a whole table over every dt, rebuilt
after the partitions it reads have changed. The daily job selects both, so each run loads one dt and then
rebuilds what reads it with one `dbt build`; Dagster records the marts as unpartitioned materializations,
which is what they are.
"""

import json
import re
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from dagster import (
    AssetDep,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    BackfillPolicy,
    PartitionsDefinition,
)
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtProject, dbt_assets

from facetlake import build, paths
from facetlake.orchestration.resources import FacetlakeResource

DBT_ASSETS_NAME = "facetlake_dbt"

RAW_SOURCE = "raw"  # the dbt source that is the raw zone (models/staging/_raw__sources.yml)
CROWD_REGISTRY_SOURCE = "crowd_registry"  # models/intermediate/crowds/_crowd_registry__sources.yml
# The prepare step that registers the raw zone's dt folders with the engine (assets/prepare.py).
RAW_PARTITIONS_KEY = AssetKey("raw_partitions")
# Groups of the sources, which are assets of the prepare steps and the landing, not of dbt.
SOURCE_GROUPS = {RAW_SOURCE: "raw_zone", "raw_manifest": "raw_zone", CROWD_REGISTRY_SOURCE: "crowds"}


def dbt_group(dbt_resource_props: Mapping[str, Any]) -> str | None:
    """The dbt group a node belongs to (`group:` in its YAML or folder config), if any."""
    return dbt_resource_props.get("group") or dbt_resource_props.get("config", {}).get("group") or None


def reads_raw_zone(dbt_resource_props: Mapping[str, Any]) -> bool:
    """A node that selects from a table of the raw source."""
    return any(
        dep.split(".")[:1] == ["source"] and dep.split(".")[2:3] == [RAW_SOURCE]
        for dep in dbt_resource_props.get("depends_on", {}).get("nodes", [])
    )


def source_tables(project: DbtProject, translator: DagsterDbtTranslator, source_name: str) -> dict[AssetKey, str]:
    """{asset key of each table of a dbt source: the table's name}, from the manifest."""
    manifest = json.loads(Path(project.manifest_path).read_text())
    return {
        translator.get_asset_key(props): props["name"]
        for props in manifest["sources"].values()
        if props["source_name"] == source_name
    }


class FacetlakeDbtTranslator(DagsterDbtTranslator):
    """Groups follow the dbt groups (else the folders); models dbt replaces a dt at a time are partitioned by
    dt; models that read the raw zone wait for its partitions to be registered."""

    def __init__(self, partitions_def: PartitionsDefinition) -> None:
        super().__init__(settings=DagsterDbtTranslatorSettings(enable_code_references=True))
        self.dt_partitions = partitions_def

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None) -> AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        if reads_raw_zone(self.get_resource_props(manifest, unique_id)):
            spec = spec.merge_attributes(deps=[AssetDep(RAW_PARTITIONS_KEY)])
        return spec

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        """The node's dbt group; without one, its folders: models/staging/orders/x.sql -> staging_orders,
        seeds/ -> seeds. Sources: the raw zone -> raw_zone, the crowd registry -> crowds."""
        resource_type = dbt_resource_props["resource_type"]
        if resource_type == "source":
            return SOURCE_GROUPS.get(dbt_resource_props.get("source_name", ""), "sources")
        group = dbt_group(dbt_resource_props)
        if group:
            return group
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
        # prepare (the registry and raw partitions are assets upstream) -> dbt build -> publish
        lake, engine = facetlake.lake_path, facetlake.checked_engine()
        args = build.build_args(**dt_vars(context))
        context.log.info(f"dbt {' '.join(args)} on {engine} for {lake}")
        target_path = paths.dagster_dbt_target(lake, context.run.run_id, DBT_ASSETS_NAME)
        build.prepare_warehouse(lake)
        with facetlake.dbt_environment():
            # As run_build: dbt upstream of the Python fits, the fits, then dbt on what reads their tables. The
            # fits run inside this step (as assets between dbt assets, Dagster split the dbt step around them
            # and ordered the parts wrongly). dagster-dbt streams the first dbt call's events (one per node); the
            # models reading the fits are built by the same runner as `facetlake build` and are materialized
            # without an event of their own in this run (dagster-dbt would yield their outputs twice).
            upstream = [*args, "--exclude", build.FITS_DOWNSTREAM]
            yield from facetlake.dbt().cli(upstream, context=context, target_path=target_path).stream()
        shutil.rmtree(target_path, ignore_errors=True)
        steps: dict[str, float] = {}
        served = build.finish_build(lake, engine, options=dt_vars(context), log=context.log.info, step_seconds=steps)
        context.log.info(f"seconds per step after the first dbt call: {steps}")
        context.log.info(f"published the serving copy {served}" if served else f"nothing to publish on {engine}")

    return facetlake_dbt
