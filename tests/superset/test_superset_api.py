"""Superset from scratch over a built lake: every dashboard imported, every chart returns rows that mean
what they say, the brand_analyst sees one brand, and a running build never blocks a dashboard."""

from __future__ import annotations

import time

import duckdb
import pytest
import yaml

from facetlake import paths
from facetlake.build import publish_serving_copy
from facetlake.superset import SupersetClient, SupersetError
from facetlake.superset.assets import bundle, dashboard_charts

pytestmark = pytest.mark.superset


def charts_by_name(client: SupersetClient) -> dict[str, int]:
    return {chart["slice_name"]: chart["id"] for chart in client.list("chart")}


def test_every_dashboard_and_chart_of_the_bundle_is_imported(admin: SupersetClient) -> None:
    dashboards = {d["dashboard_title"]: d for d in admin.list("dashboard")}
    assert {d["dashboard_title"] for d in bundle("dashboards")} <= set(dashboards)
    assert {"Data health", "Brand sales", "Crowd insight"} <= set(dashboards)
    assert all(dashboards[d["dashboard_title"]]["published"] for d in bundle("dashboards"))
    assert {c["slice_name"] for c in bundle("charts")} <= set(charts_by_name(admin))
    for dashboard in bundle("dashboards"):
        on_dashboard = admin.get(f"/api/v1/dashboard/{dashboard['slug']}/charts")["result"]
        assert {chart["slice_name"] for chart in on_dashboard} == set(dashboard_charts(dashboard))


def test_every_chart_returns_rows(admin: SupersetClient, timings: dict[str, float]) -> None:
    latencies = []
    for name in sorted(c["slice_name"] for c in bundle("charts")):
        started = time.monotonic()
        rows = admin.chart_data(charts_by_name(admin)[name])
        latencies.append(time.monotonic() - started)
        assert rows, f"chart {name!r} returned no rows"
    latencies.sort()
    timings["chart_data_median"] = latencies[len(latencies) // 2]
    timings["chart_data_max"] = latencies[-1]


def test_the_warehouse_is_the_read_only_serving_copy(admin: SupersetClient, superset_lake) -> None:
    (database,) = [d for d in admin.list("database") if d["database_name"] == "facetlake"]
    uri = admin.get(f"/api/v1/database/{database['id']}/connection")["result"]["sqlalchemy_uri"]
    assert uri == f"duckdb:///{superset_lake / 'warehouse' / 'serving' / 'facetlake.duckdb'}?access_mode=read_only"


def test_health_charts_reconcile_with_each_other(admin: SupersetClient) -> None:
    charts = charts_by_name(admin)
    reconciliation = admin.chart_data(charts["Line reconciliation by source"])
    assert {row["source_name"] for row in reconciliation} == set(paths.RAW_SOURCES)
    for row in reconciliation:
        assert row["lines_read"] == row["rows_staged"] + row["duplicates_removed"] + row["lines_quarantined"], row

    (total,) = admin.chart_data(charts["Lines quarantined"])
    by_reason = admin.chart_data(charts["Quarantined lines by reason"])
    assert total["lines_quarantined"] > 0, "the generator plants malformed lines: some must be quarantined"
    assert sum(row["quarantined_lines"] for row in by_reason) == total["lines_quarantined"]

    per_day = admin.chart_data(charts["Raw lines per source and day"])
    assert sum(row["lines_read"] for row in per_day) == sum(row["lines_read"] for row in reconciliation)

    freshness = admin.chart_data(charts["Source freshness"])
    assert sorted(row["source_name"] for row in freshness) == sorted(paths.RAW_SOURCES)
    assert all(row["days_behind"] >= 0 for row in freshness)


def test_brand_analyst_sees_only_its_brand(admin: SupersetClient, analyst: SupersetClient, analyst_brand: str) -> None:
    charts = charts_by_name(admin)
    everyone = admin.chart_data(charts["Sales by brand"])
    assert len({row["brand_id"] for row in everyone}) > 1, "the test lake must have several brands"
    (own,) = [row for row in everyone if row["brand_id"] == analyst_brand]

    assert {"Data health", "Brand sales"} <= {d["dashboard_title"] for d in analyst.list("dashboard")}
    assert analyst.chart_data(charts["Sales by brand"]) == [own]

    daily_everyone = admin.chart_data(charts["Brand daily sales"])
    daily_own = analyst.chart_data(charts["Brand daily sales"])
    assert daily_own and {row["brand_name"] for row in daily_own} == {own["brand_name"]}
    assert daily_own == [row for row in daily_everyone if row["brand_name"] == own["brand_name"]]

    # Datasets without a brand_id column are not filtered: the analyst sees the same data health as the admin.
    assert analyst.chart_data(charts["Lines quarantined"]) == admin.chart_data(charts["Lines quarantined"])


def test_brand_analyst_cannot_administer(analyst: SupersetClient) -> None:
    with pytest.raises(SupersetError) as denied:
        analyst.get("/api/v1/security/roles/")
    assert denied.value.status in (401, 403, 404)


def test_dashboards_keep_working_while_a_build_writes(admin: SupersetClient, superset_lake) -> None:
    """A build holds the warehouse open for writing, then publishes a new serving copy (os.replace):
    Superset reads the serving copy read-only, so it answers throughout and never blocks the build."""
    chart = charts_by_name(admin)["Brand daily sales"]
    before = admin.chart_data(chart)
    with duckdb.connect(str(paths.warehouse_path(superset_lake))) as writer:
        writer.execute("create or replace table main.superset_test_write_lock as select 1 as held")
        assert admin.chart_data(chart) == before
    publish_serving_copy(superset_lake)
    assert admin.chart_data(chart) == before


def test_crowd_insight_charts_agree_with_the_crowds_and_the_catalogue(admin: SupersetClient) -> None:
    charts = charts_by_name(admin)
    repo_crowds = yaml.safe_load((paths.project_dir() / "crowds" / "crowds.yml").read_text())["crowds"]
    sizes = {row["crowd_name"]: row["crowd_size"] for row in admin.chart_data(charts["Crowd sizes"])}
    assert {crowd["name"] for crowd in repo_crowds} <= set(sizes), "every crowd of crowds/ is in the registry"
    # Known persons and anonymous ids are the whole base (every super_id: the crowd `everyone`).
    (known,) = admin.chart_data(charts["Known persons in the base"])
    (anonymous,) = admin.chart_data(charts["Anonymous ids in the base"])
    base = known["base_known_persons"] + anonymous["base_anonymous"]
    assert sizes["everyone"] == base and known["base_known_persons"] > 0
    assert all(0 <= size <= base for size in sizes.values())

    # The dashboard's crowd filter defaults to a crowd that has members in the lake, its base filter to `all`.
    (dashboard,) = [d for d in bundle("dashboards") if d["slug"] == "crowd-insight"]
    filters = {f["id"]: f for f in dashboard["metadata"]["native_filter_configuration"]}
    assert set(filters) == {"NATIVE_FILTER-crowd", "NATIVE_FILTER-base"}
    (default_crowd,) = filters["NATIVE_FILTER-crowd"]["defaultDataMask"]["filterState"]["value"]
    assert sizes[default_crowd] > 0
    assert filters["NATIVE_FILTER-base"]["defaultDataMask"]["filterState"]["value"] == ["all"]

    profile = admin.chart_data(charts["Crowd TGI profile"])
    assert profile
    for row in profile:
        # Shares among the persons whose value for the tag is known; the unknown rows are left out.
        assert row["tgi"] == pytest.approx(100 * row["crowd_share"] / row["base_share"]), row
        assert 0 <= row["crowd_coverage"] <= 1 and 0 <= row["base_coverage"] <= 1
    # Values enough members carry come first, each part by TGI, highest first.
    order = [(not row["is_reliable"], -row["tgi"]) for row in profile]
    assert order == sorted(order) and profile[0]["is_reliable"]

    coverage = admin.chart_data(charts["Tag coverage by tag"])
    catalogue = (paths.project_dir() / "seeds" / "tag_catalogue.csv").read_text().splitlines()
    assert len(coverage) == len(catalogue) - 1, "one row per catalogue tag"
    assert all(0 <= row["coverage"] <= 1 for row in coverage)
    assert any(row["coverage"] > 0 for row in coverage)
    families = admin.chart_data(charts["Tag coverage by family"])
    assert len(families) == 6, "six tag families"
