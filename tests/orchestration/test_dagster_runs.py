"""Real Dagster runs on a small synthetic lake: days landed by the Python asset, two dt partitions built by
the daily job, a partition rebuilt with no change, the serving copy published."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from facetlake.orchestration.definitions import build_definitions
from facetlake.orchestration.home import lake_instance
from facetlake.orchestration.jobs import DAILY_JOB, LANDING_JOB
from facetlake.orchestration.resources import FacetlakeResource
from facetlake.paths import serving_path
from facetlake.serving import READER_LAYERS

DAYS = ("2026-10-01", "2026-10-02")


def _row_counts(database: Path) -> dict[str, int]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        relations = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema not in ('information_schema', 'pg_catalog') order by 1, 2"
        ).fetchall()
        return {f"{s}.{t}": con.execute(f'select count(*) from "{s}"."{t}"').fetchone()[0] for s, t in relations}
    finally:
        con.close()


def _dts_loaded(database: Path) -> dict[str, list[str]]:
    """The arrival dates present in each table dbt replaces a dt at a time."""
    con = duckdb.connect(str(database), read_only=True)
    try:
        tables = con.execute(
            "select table_schema, table_name from information_schema.columns "
            "where column_name = 'dt' and table_name like 'base_raw__%'"
        ).fetchall()
        return {
            t: [str(r[0]) for r in con.execute(f'select distinct dt from "{s}"."{t}" order by 1').fetchall()]
            for s, t in tables
        }
    finally:
        con.close()


def _days(dts_by_table: dict[str, list[str]]) -> set[str]:
    """Every dt loaded in any table (a source may have no files on a given day)."""
    return {dt for dts in dts_by_table.values() for dt in dts}


@pytest.fixture(scope="module")
def runs(synthetic_lake: Path, manifest_path: Path) -> dict:
    """Land and build the first two days, one run each, in a persistent instance under the lake."""
    definitions = build_definitions(FacetlakeResource(lake=str(synthetic_lake), engine="duckdb"))
    landing, daily = definitions.resolve_job_def(LANDING_JOB), definitions.resolve_job_def(DAILY_JOB)
    warehouse = synthetic_lake / "warehouse" / "facetlake.duckdb"
    results: dict = {"daily": daily, "dts_after_first": None, "landed": []}
    with lake_instance(synthetic_lake) as instance:
        results["instance_dir"] = instance.root_directory
        for dt in DAYS:
            landed = landing.execute_in_process(instance=instance, partition_key=dt)
            results["landed"].append(landed)
            results[dt] = daily.execute_in_process(instance=instance, partition_key=dt, raise_on_error=False)
            if results["dts_after_first"] is None:
                results["dts_after_first"] = _dts_loaded(warehouse)
        results["counts"] = _row_counts(warehouse)
        results["again"] = daily.execute_in_process(instance=instance, partition_key=DAYS[0], raise_on_error=False)
        results["counts_again"] = _row_counts(warehouse)
        results["materialized_partitions"] = {
            key: instance.get_materialized_partitions(key)
            for key in daily.asset_layer.executable_asset_keys
            if daily.asset_layer.get(key).partitions_def is not None
        }
    results["warehouse"] = warehouse
    return results


def test_landing_copies_the_days_into_the_raw_zone(runs: dict, synthetic_lake: Path) -> None:
    assert all(result.success for result in runs["landed"])
    for day_folder in (synthetic_lake / "synthetic" / "raw").glob("*/dt=*"):
        landed = synthetic_lake / "raw" / day_folder.parent.name / day_folder.name
        if day_folder.name.removeprefix("dt=") in DAYS:
            assert sorted(p.name for p in landed.iterdir()) == sorted(p.name for p in day_folder.iterdir())
        else:
            assert not landed.exists()  # the third day has not arrived yet


def test_two_partitions_build(runs: dict) -> None:
    for dt in DAYS:
        result = runs[dt]
        failures = [
            event.step_failure_data.error.to_string() if event.is_step_failure else event.message
            for event in result.all_events
            if event.is_failure
        ]
        assert result.success, failures
        checks = result.get_asset_check_evaluations()
        assert checks and all(check.passed for check in checks)
    # The partition reached dbt as its dt: the first run loaded that day and no other.
    assert _days(runs["dts_after_first"]) == {DAYS[0]}
    partitioned = runs["materialized_partitions"]
    assert partitioned and all(keys == set(DAYS) for keys in partitioned.values())


def test_rebuilding_a_partition_changes_nothing(runs: dict) -> None:
    assert runs["again"].success
    assert runs["counts"] and any(n > 0 for n in runs["counts"].values())
    assert runs["counts_again"] == runs["counts"]
    assert _days(_dts_loaded(runs["warehouse"])) == set(DAYS)


def test_the_serving_copy_is_published(runs: dict, synthetic_lake: Path) -> None:
    """Readers get the reader layers' tables with the writer's rows, the quarantine without its raw text,
    and none of the private staging and intermediate tables."""
    served = serving_path(synthetic_lake)
    assert served.exists()
    counts = _row_counts(served)
    written = runs["counts_again"]
    readers = {name: n for name, n in written.items() if name.split(".")[0] in READER_LAYERS}
    assert {name: n for name, n in counts.items() if name != "staging.quarantined_lines"} == readers
    assert counts["staging.quarantined_lines"] == written["staging.quarantined_lines"]
    assert readers and not any(name.split(".")[0] == "intermediate" for name in counts)


def test_the_fits_ran_inside_the_daily_run(runs: dict) -> None:
    """The daily job runs the Python fits between the dbt steps: the CLV fit's table is written (fitted, or
    a row per model saying why not) and customer_clv scores every customer of the summary with it."""
    con = duckdb.connect(str(runs["warehouse"]), read_only=True)
    try:
        fits = con.execute("select model, status, reason, customers from fits.clv_parameters").fetchdf()
        summary = con.execute("select count(*) from marts.clv_customer_summary").fetchone()[0]
        scored = con.execute(
            "select count(*), count(p_alive), count(clv), count(distinct super_id) from marts.customer_clv"
        ).fetchone()
        parameters = con.execute("select count(*) from marts.clv_parameters").fetchone()[0]
    finally:
        con.close()
    assert set(fits["model"]) == {"bg_nbd", "gamma_gamma"}
    assert parameters == len(fits)
    assert summary > 0 and scored[0] == scored[3] == summary
    fitted = set(fits.loc[fits["status"] == "fitted", "model"])
    unfitted = fits[fits["status"] != "fitted"]
    assert unfitted["reason"].notna().all()  # a lake too small to fit says why
    if "bg_nbd" in fitted:
        assert scored[1] == summary  # every customer has P(alive)
    if fitted == {"bg_nbd", "gamma_gamma"}:
        assert scored[2] == summary
    else:
        assert scored[2] == 0  # no CLV without both models
