"""The dashboards bundle holds together and carries no secret; deploy fills the warehouse URI per engine.

Fast checks, no Superset needed: dashboards/deploy.py imports only PyYAML at module level, so the main
environment can load it.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from facetlake.superset.assets import assets_dir, bundle, dashboard_charts


@pytest.fixture(scope="module")
def deploy_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("facetlake_deploy", assets_dir().parent / "deploy.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_reference_in_the_bundle_resolves() -> None:
    databases = {str(d["uuid"]) for d in bundle("databases")}
    datasets = {str(d["uuid"]): d for d in bundle("datasets")}
    charts = {str(c["uuid"]): c for c in bundle("charts")}
    dashboards = bundle("dashboards")
    every_uuid = [*databases, *datasets, *charts, *(str(d["uuid"]) for d in dashboards)]
    assert len(every_uuid) == len(set(every_uuid)), "a uuid is used twice"
    assert all(str(d["database_uuid"]) in databases for d in datasets.values())
    assert all(str(c["dataset_uuid"]) in datasets for c in charts.values())
    placed: set[str] = set()
    for dashboard in dashboards:
        cells = [cell for cell in dashboard["position"].values() if isinstance(cell, dict) and cell["type"] == "CHART"]
        assert len({cell["meta"]["chartId"] for cell in cells}) == len(cells), dashboard["dashboard_title"]
        for cell in cells:
            chart = charts[str(cell["meta"]["uuid"])]
            assert cell["meta"]["sliceName"] == chart["slice_name"]
            placed.add(str(cell["meta"]["uuid"]))
        assert dashboard["published"] and dashboard["slug"]
        assert dashboard_charts(dashboard)
    assert placed == set(charts), "every chart of the bundle is on a dashboard"


def test_charts_use_only_columns_and_metrics_their_dataset_declares() -> None:
    datasets = {str(d["uuid"]): d for d in bundle("datasets")}
    for chart in bundle("charts"):
        dataset = datasets[str(chart["dataset_uuid"])]
        columns = {c["column_name"] for c in dataset["columns"]}
        metrics = {m["metric_name"] for m in dataset["metrics"]}
        params = chart["params"]
        used_columns = [*params.get("groupby", []), *params.get("all_columns", [])]
        used_columns += [params["x_axis"]] if "x_axis" in params else []
        used_metrics = [*params.get("metrics", []), *([params["metric"]] if "metric" in params else [])]
        assert set(used_columns) <= columns, chart["slice_name"]
        assert set(used_metrics) <= metrics, chart["slice_name"]
        assert chart["viz_type"] == params["viz_type"]


def test_native_filters_target_declared_columns_and_charts_of_their_dashboard() -> None:
    datasets = {str(d["uuid"]): d for d in bundle("datasets")}
    for dashboard in bundle("dashboards"):
        chart_ids = {
            cell["meta"]["chartId"]
            for cell in dashboard["position"].values()
            if isinstance(cell, dict) and cell["type"] == "CHART"
        }
        for native in dashboard["metadata"].get("native_filter_configuration", []):
            for target in native["targets"]:
                columns = {c["column_name"] for c in datasets[str(target["datasetUuid"])]["columns"]}
                assert target["column"]["name"] in columns, native["name"]
            assert set(native["scope"]["excluded"]) <= chart_ids, native["name"]
            (default,) = native["defaultDataMask"]["extraFormData"]["filters"]
            assert default["val"] == native["defaultDataMask"]["filterState"]["value"], native["name"]


def test_no_connection_string_or_secret_is_kept_in_git() -> None:
    for database in bundle("databases"):
        assert database["sqlalchemy_uri"] == "facetlake://filled-in-at-deploy"
        assert not database.get("password")
    for path in assets_dir().rglob("*.yaml"):
        values = "\n".join(line for line in path.read_text().splitlines() if not line.lstrip().startswith("#"))
        assert "duckdb:///" not in values and "trino://" not in values, path
    # Raw personal data never leaves staging: the quarantine dataset leaves out the raw line.
    (quarantine,) = [d for d in bundle("datasets") if d["table_name"] == "quarantined_lines"]
    assert "raw_line" not in {c["column_name"] for c in quarantine["columns"]}


def test_deploy_fills_the_duckdb_serving_copy(
    deploy_module: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("FACETLAKE_ENGINE", "duckdb")
    uri, password, params = deploy_module.warehouse_uri(tmp_path)
    assert uri == f"duckdb:///{tmp_path}/warehouse/serving/facetlake.duckdb?access_mode=read_only"
    assert password is None and params == {}
    contents = deploy_module.load_bundle(assets_dir(), uri, params)
    (database,) = [yaml.safe_load(t) for name, t in contents.items() if name.startswith("databases/")]
    assert database["sqlalchemy_uri"] == uri
    assert set(contents) == {p.relative_to(assets_dir()).as_posix() for p in assets_dir().rglob("*.yaml")}


def test_deploy_fills_trino_from_the_environment(
    deploy_module: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("FACETLAKE_ENGINE", "trino")
    monkeypatch.setenv("FACETLAKE_TRINO_HOST", "trino.internal")
    monkeypatch.setenv("FACETLAKE_TRINO_PORT", "8443")
    monkeypatch.setenv("FACETLAKE_TRINO_USER", "bi")
    monkeypatch.delenv("FACETLAKE_TRINO_CATALOG", raising=False)
    monkeypatch.delenv("FACETLAKE_TRINO_TLS", raising=False)
    monkeypatch.delenv("FACETLAKE_TRINO_PASSWORD", raising=False)
    assert deploy_module.warehouse_uri(tmp_path) == ("trino://bi@trino.internal:8443/iceberg", None, {})

    monkeypatch.setenv("FACETLAKE_TRINO_PASSWORD", "s3cret")
    uri, password, params = deploy_module.warehouse_uri(tmp_path)
    assert "s3cret" not in uri and password == "s3cret"
    assert params == {"connect_args": {"http_scheme": "https"}}


def test_deploy_refuses_an_unknown_engine(deploy_module: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FACETLAKE_ENGINE", "sqlite")
    with pytest.raises(SystemExit, match="duckdb or trino"):
        deploy_module.warehouse_uri(Path("/nowhere"))
