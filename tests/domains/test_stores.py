"""Stores against the generator's planted truth, on a lake long enough for several ISO weeks.

The generator silences some stores for two consecutive ISO weeks (truth/stores.parquet, `silent_weeks`): the
weak-store alert (zero sales in two consecutive ISO weeks, the store open throughout) must flag exactly those
store-weeks, none missed and none extra. A store closed over its silent weeks (a status version dropped into
the raw zone, as a store system would send it) must not raise the alert, and is not tiered while closed.
Tiers A-D partition the stores open on the last day. Regional demand places every person exactly once.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from facetlake.build import run_build
from facetlake.generator import GeneratorConfig, generate_lake

# 8,000 persons give 20 stores of which 2 go silent; 21 days from a Thursday touch 4 ISO weeks.
CONFIG = GeneratorConfig(persons=8000, days=21, seed=5, start=date(2026, 10, 1))
STORE_MARTS = "+fct_store_alerts +fct_store_tiers"


def _query(root: Path, sql: str) -> pd.DataFrame:
    con = duckdb.connect(str(root / "warehouse" / "facetlake.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchdf()
    finally:
        con.close()


def _planted_silent_weeks(root: Path) -> set[tuple[str, str]]:
    stores = pd.read_parquet(root / "truth" / "stores.parquet")
    return {(row.store_id, week) for row in stores.itertuples() for week in row.silent_weeks}


def _alerted_weeks(root: Path) -> set[tuple[str, str]]:
    alerts = _query(root, "select store_id, alert_week_start, first_silent_week_start from marts.fct_store_alerts")
    return {
        (row.store_id, str(week)[:10])
        for row in alerts.itertuples()
        for week in (row.alert_week_start, row.first_silent_week_start)
    }


def _build_store_marts(root: Path) -> None:
    """The store marts and their upstream only; tests of other domains that read a selected model too
    (eager selection) stay out, since their other parents are not built here."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DBT_INDIRECT_SELECTION", "cautious")
        run_build(root, engine="duckdb", select=STORE_MARTS, quiet=True)


@pytest.fixture(scope="module")
def store_lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("store_lake")
    generate_lake(root, CONFIG, progress=False)
    _build_store_marts(root)
    return root


def test_weak_store_alerts_equal_the_planted_silent_weeks(store_lake: Path) -> None:
    planted = _planted_silent_weeks(store_lake)
    assert len({store for store, _ in planted}) >= 2, "the lake should plant at least two silent stores"
    alerted = _alerted_weeks(store_lake)
    assert alerted - planted == set(), f"alerts on weeks nobody silenced: {sorted(alerted - planted)}"
    assert planted - alerted == set(), f"silent weeks missed: {sorted(planted - alerted)}"


def test_weekly_sales_count_every_store_order(store_lake: Path) -> None:
    truth = pd.read_parquet(store_lake / "truth" / "store_weeks.parquet")
    weekly = _query(store_lake, "select store_id, week_start, orders from marts.fct_store_weekly_sales")
    weekly = weekly[weekly["orders"] > 0].copy()
    weekly["week_start"] = weekly["week_start"].astype(str).str[:10]
    merged = truth.merge(weekly, on=["store_id", "week_start"], how="left", suffixes=("_truth", "_mart"))
    keys = ["store_id", "week_start"]
    assert set(weekly[keys].itertuples(index=False)) <= set(truth[keys].itertuples(index=False))
    # Malformed lines are quarantined, so a week may miss an order or two; never gain one.
    assert (merged["orders_mart"].fillna(0) <= merged["orders_truth"]).all()
    assert merged["orders_mart"].sum() >= 0.95 * merged["orders_truth"].sum()


def test_tiers_partition_the_open_stores(store_lake: Path) -> None:
    tiers = _query(store_lake, "select * from marts.fct_store_tiers")
    stores = pd.read_parquet(store_lake / "truth" / "stores.parquet")
    assert sorted(tiers["store_id"]) == sorted(stores["store_id"])  # every planted store is open throughout
    assert tiers["store_id"].is_unique and set(tiers["tier"]) <= {"A", "B", "C", "D"}
    expected = tiers.apply(
        lambda r: {(True, True): "A", (True, False): "B", (False, True): "C", (False, False): "D"}[
            (bool(r.level_index >= 1.0), bool(r.is_rising))
        ],
        axis=1,
    )
    assert (expected == tiers["tier"]).all()
    # A store silent at the end of the lake sold nothing in the later half: never rising.
    assert tiers.loc[tiers["paid_amount"] == 0, "tier"].eq("D").all()


def test_a_closed_store_raises_no_alert_and_is_not_tiered(store_lake: Path, tmp_path: Path) -> None:
    import shutil

    root = tmp_path / "lake"
    shutil.copytree(store_lake, root, ignore=shutil.ignore_patterns("serving"))
    planted = _planted_silent_weeks(root)
    closed_store = sorted({store for store, _ in planted})[0]
    first_week = date.fromisoformat(min(week for store, week in planted if store == closed_store))
    shanghai = timezone(timedelta(hours=8))
    last_day = CONFIG.start + timedelta(days=CONFIG.days - 1)
    stores = pd.read_parquet(root / "truth" / "stores.parquet").set_index("store_id")
    row = stores.loc[closed_store]
    version = {
        "store_id": closed_store,
        "store_name": row["store_name"],
        "city": row["city"],
        "district": row["district"],
        "latitude": float(row["latitude"]),
        "longitude": float(row["longitude"]),
        "format": row["format"],
        "status": "closed",
    }
    # Closed from the first silent week (or the lake's first day) to the end of the lake: a closure sent late.
    closed_at = datetime.combine(max(first_week, CONFIG.start), datetime.min.time(), shanghai) + timedelta(hours=12)
    folder = root / "raw" / "stores" / f"dt={last_day.isoformat()}"
    folder.mkdir(parents=True, exist_ok=True)
    line = {**version, "updated_at": closed_at.isoformat(timespec="milliseconds")}
    (folder / "part-closure.jsonl").write_text(json.dumps(line) + "\n", encoding="utf-8")
    _build_store_marts(root)
    alerted = _alerted_weeks(root)
    assert alerted == {(store, week) for store, week in planted if store != closed_store}
    tiers = _query(root, "select store_id from marts.fct_store_tiers")
    assert closed_store not in set(tiers["store_id"])
    assert len(tiers) == len(stores) - 1


def test_district_demand_places_every_person_once(domain_lake) -> None:
    demand = domain_lake.query("select * from marts.fct_district_demand")
    persons = int(domain_lake.query("select count(*) as n from marts.user_tags_wide")["n"].iat[0])
    assert demand["persons"].sum() == persons
    assert not demand.duplicated(["city", "district"]).any()
    spend = domain_lake.query(
        """
        select sum(o.paid_amount) as spend
        from staging.stg_raw__order_lines o
        join marts.identity_map m on m.id_type = 'user_pin' and m.id_value = o.user_pin
        cross join marts.tag_windows w
        where o.status = 'paid' and o.order_date between w.purchase_window_start and w.as_of_date
        """
    )["spend"].iat[0]
    assert abs(float(demand["paid_amount"].sum()) - float(spend)) < 0.01
    with_stores = demand[demand["district"] != "no_local_store"]
    assert len(with_stores) > 0 and with_stores["latitude"].notna().all()
