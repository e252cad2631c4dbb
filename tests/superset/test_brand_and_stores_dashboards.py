"""The Brand and Stores dashboards through Superset's API on the session's lake: every chart has rows, the
brand_analyst sees only its own brand's 4A and GOAL rows, and store charts (no brand_id) are not filtered."""

from __future__ import annotations

import pytest

from facetlake.superset import SupersetClient

pytestmark = pytest.mark.superset

BRAND_CHARTS = ["4A stage sizes", "4A flows", "GOAL penetration", "GOAL target groups"]
STORE_CHARTS = ["Weak-store alerts", "Store tiers", "Store map", "District demand map", "District demand"]


def _charts(client: SupersetClient) -> dict[str, int]:
    return {chart["slice_name"]: chart["id"] for chart in client.list("chart")}


def test_every_brand_and_store_chart_has_rows(admin: SupersetClient) -> None:
    charts = _charts(admin)
    for name in BRAND_CHARTS + STORE_CHARTS:
        assert admin.chart_data(charts[name]), name


def test_brand_analyst_sees_only_its_brand_in_4a_and_goal(
    admin: SupersetClient, analyst: SupersetClient, analyst_brand: str
) -> None:
    charts = _charts(admin)
    everyone = admin.chart_data(charts["GOAL target groups"])
    brand_names = {row["brand_name"] for row in everyone}
    assert len(brand_names) > 1
    own = analyst.chart_data(charts["GOAL target groups"])
    assert own and len({row["brand_name"] for row in own}) == 1
    (own_name,) = {row["brand_name"] for row in own}
    key = lambda row: row["crowd_name"]  # noqa: E731 - rows tie on the chart's order; compare by group
    assert sorted(own, key=key) == sorted((row for row in everyone if row["brand_name"] == own_name), key=key)
    assert analyst.chart_data(charts["4A stage sizes"]) != admin.chart_data(charts["4A stage sizes"])
    for name in STORE_CHARTS:
        assert len(analyst.chart_data(charts[name])) == len(admin.chart_data(charts[name])), name
