"""The code location loads, and the asset graph is the dbt project's: one asset per model, dbt groups (else
folders) as groups, dbt tests as checks, dt partitions exactly on the models dbt replaces a dt at a time, and
the prepare steps upstream of the sources they feed."""

from __future__ import annotations

from pathlib import PurePosixPath

import dagster as dg
import pytest

from facetlake.orchestration.assets.dbt_models import DBT_ASSETS_NAME
from facetlake.orchestration.jobs import DAILY_JOB, LANDING_JOB
from facetlake.orchestration.partitions import daily_partitions
from facetlake.orchestration.schedules import SCHEDULE_NAME
from facetlake.orchestration.sensors import SENSOR_NAME


def _dbt_assets(definitions: dg.Definitions) -> dg.AssetsDefinition:
    (dbt_assets,) = [a for a in definitions.assets if a.node_def.name == DBT_ASSETS_NAME]
    return dbt_assets


@pytest.fixture
def manifest(definitions: dg.Definitions) -> dict:
    """The manifest these definitions were built from (the project may be edited while tests run)."""
    spec = next(iter(_dbt_assets(definitions).specs))
    return spec.metadata["dagster_dbt/manifest"].manifest


def _unique_ids(dbt_assets: dg.AssetsDefinition) -> dict[dg.AssetKey, str]:
    return {spec.key: spec.metadata["dagster_dbt/unique_id"] for spec in dbt_assets.specs}


def test_definitions_load(definitions: dg.Definitions) -> None:
    dg.Definitions.validate_loadable(definitions)
    repository = definitions.get_repository_def()
    assert {DAILY_JOB, LANDING_JOB} <= {job.name for job in repository.get_all_jobs()}
    assert repository.get_schedule_def(SCHEDULE_NAME).job_name == DAILY_JOB
    assert repository.get_sensor_def(SENSOR_NAME).job_name == DAILY_JOB


def test_the_lazy_entry_point_loads(definitions: dg.Definitions) -> None:
    from facetlake.orchestration.definitions import defs

    assert isinstance(defs(), dg.Definitions)


def _materialized_models(manifest: dict) -> set[str]:
    """Models that are relations in the warehouse. An ephemeral model is a CTE inlined into the models
    that read it: there is nothing to materialize, so dagster-dbt draws the lineage through it instead."""
    return {
        uid
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["config"]["materialized"] != "ephemeral"
    }


def test_every_dbt_model_is_exactly_one_asset(definitions: dg.Definitions, manifest: dict) -> None:
    models = _materialized_models(manifest)
    assert models, "the manifest has no models"
    asset_ids = [uid for uid in _unique_ids(_dbt_assets(definitions)).values() if uid.startswith("model.")]
    assert sorted(asset_ids) == sorted(models)


def test_groups_are_the_dbt_groups_else_the_model_folders(definitions: dg.Definitions, manifest: dict) -> None:
    dbt_assets = _dbt_assets(definitions)
    for key, uid in _unique_ids(dbt_assets).items():
        node = manifest["nodes"][uid]
        if node["resource_type"] != "model":
            continue
        folders = PurePosixPath(node["original_file_path"]).parent.parts[1:]  # below models/
        expected = node.get("group") or node["config"].get("group") or "_".join(folders)
        assert dbt_assets.group_names_by_key[key] == expected, node["original_file_path"]


def test_the_prepare_steps_are_upstream_of_the_sources_they_feed(definitions: dg.Definitions, manifest: dict) -> None:
    from facetlake.orchestration.assets.dbt_models import RAW_PARTITIONS_KEY

    graph = definitions.resolve_asset_graph()
    registry = [dg.AssetKey(["crowd_registry", s["name"]]) for s in manifest["sources"].values()]
    registry = [key for key in registry if graph.has(key)]
    assert registry, "the crowd_registry source has no assets"
    assert all(graph.get(key).is_materializable and graph.get(key).group_name == "crowds" for key in registry)
    raw_partitions = graph.get(RAW_PARTITIONS_KEY)
    assert raw_partitions.group_name == "raw_zone" and raw_partitions.partitions_def is not None
    readers = {key for key in graph.get_all_asset_keys() if RAW_PARTITIONS_KEY in graph.get(key).parent_keys}
    dbt_assets = _dbt_assets(definitions)
    unique_ids = _unique_ids(dbt_assets)
    raw_readers = {
        key
        for key, uid in unique_ids.items()
        if any(dep.startswith("source.facetlake.raw.") for dep in manifest["nodes"][uid]["depends_on"].get("nodes", []))
    }
    assert raw_readers and readers == raw_readers
    daily = definitions.resolve_job_def(DAILY_JOB)
    assert {RAW_PARTITIONS_KEY, *registry} <= set(daily.asset_layer.executable_asset_keys)


def test_dbt_tests_are_asset_checks(definitions: dg.Definitions, manifest: dict) -> None:
    dbt_assets = _dbt_assets(definitions)
    checks = {key.name for key in dbt_assets.check_keys}
    models = _materialized_models(manifest)
    on_one_model = [
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test" and node.get("attached_node") in models
    ]
    assert on_one_model, "the project has no generic tests on models"
    assert set(on_one_model) <= checks


def test_partitioned_exactly_where_dbt_replaces_a_dt(definitions: dg.Definitions, manifest: dict) -> None:
    dbt_assets = _dbt_assets(definitions)
    partitioned = set()
    for spec in dbt_assets.specs:
        node = manifest["nodes"][spec.metadata["dagster_dbt/unique_id"]]
        config = node["config"]
        by_dt = config["materialized"] == "incremental" and config.get("unique_key") in ("dt", ["dt"])
        assert (spec.partitions_def is not None) == by_dt, node["unique_id"]
        if by_dt:
            partitioned.add(node["unique_id"])
    assert partitioned, "no model is replaced a dt at a time: the raw-zone base models should be"
    raw_tables = {f"source.facetlake.raw.{n}" for n in {s["name"] for s in manifest["sources"].values()}}
    assert all(manifest["nodes"][uid]["depends_on"]["nodes"] for uid in partitioned)
    assert raw_tables & {dep for uid in partitioned for dep in manifest["nodes"][uid]["depends_on"]["nodes"]}


def test_partitions_start_at_the_configured_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FACETLAKE_START_DATE", "2026-11-01")
    keys = daily_partitions().get_partition_keys()
    assert keys[0] == "2026-11-01"
    monkeypatch.setenv("FACETLAKE_START_DATE", "1 November")
    with pytest.raises(ValueError, match="FACETLAKE_START_DATE"):
        daily_partitions()


def test_the_engine_is_configuration(definitions: dg.Definitions, monkeypatch: pytest.MonkeyPatch) -> None:
    from facetlake.orchestration.resources import facetlake_from_env

    monkeypatch.setenv("FACETLAKE_ENGINE", "trino")
    monkeypatch.setenv("FACETLAKE_LAKE", "/tmp/some-lake")
    resource = facetlake_from_env()
    assert isinstance(resource.engine, dg.EnvVar) and resource.engine.env_var_name == "FACETLAKE_ENGINE"
    monkeypatch.delenv("FACETLAKE_ENGINE")
    assert facetlake_from_env().engine == "duckdb"
