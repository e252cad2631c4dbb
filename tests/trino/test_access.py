"""Trino's access rules (facetlake.trino.access) on the test node: a brand analyst reads exactly their
brand's rows of the brand-scoped marts and nothing outside the analyst marts; the service user reads all.

The session node runs with access control on (its rules written at start, as for any local node). This
module builds a small lake of its own under the node's lake with schema prefix `access_`, so it rewrites
the node's rules.json for that prefix (the node reloads it within seconds) and puts the start's rules
back afterwards.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import trino

from facetlake.build import run_build
from facetlake.generator import GeneratorConfig, generate_lake
from facetlake.trino import access
from facetlake.trino.config import NodeLayout

pytestmark = pytest.mark.trino

NAME = "access"
MARTS = f"iceberg.{NAME}_marts"
CONFIG = GeneratorConfig(persons=150, days=2, seed=5)


@dataclass
class AccessLake:
    lake: Path
    port: int
    # Two brands with sales, the first spelled as the data spells it, the second in lower case.
    brands: list[str]

    def query(self, user: str, sql: str) -> list[list]:
        conn = trino.dbapi.connect(host="127.0.0.1", port=self.port, user=user)
        try:
            cur = conn.cursor()
            cur.execute(sql)
            return cur.fetchall()
        finally:
            conn.close()

    def denied(self, user: str, sql: str) -> str:
        with pytest.raises(trino.exceptions.TrinoUserError) as raised:
            self.query(user, sql)
        assert "Access Denied" in str(raised.value), (sql, raised.value)
        return str(raised.value)


def _wait_for_rules(node_port: int, user: str, sql: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            conn = trino.dbapi.connect(host="127.0.0.1", port=node_port, user=user)
            cur = conn.cursor()
            cur.execute(sql)
            cur.fetchall()
            return
        except trino.exceptions.TrinoUserError:
            if time.monotonic() > deadline:
                raise
            time.sleep(1.0)


@pytest.fixture(scope="module")
def built(trino_node) -> Iterator[AccessLake]:
    lake = trino_node.lake / NAME
    generate_lake(lake, CONFIG, progress=False)
    rules_file = NodeLayout(trino_node.lake).etc / "rules.json"
    assert rules_file.exists(), "the test node must run with access control on"
    started_with = rules_file.read_text()
    with pytest.MonkeyPatch.context() as env:
        env.setenv("FACETLAKE_TRINO_PORT", str(trino_node.port))
        env.setenv("FACETLAKE_TRINO_LAKE_URI", f"local:///{NAME}")
        env.setenv("FACETLAKE_SCHEMA_PREFIX", f"{NAME}_")
        env.delenv("FACETLAKE_TRINO_HOST", raising=False)
        env.delenv("FACETLAKE_TRINO_USER", raising=False)
        # The whole project, built by the service user under the node's rules.
        run_build(lake, engine="trino", quiet=True)
    rules_file.write_text(access.rules_json("facetlake", "iceberg", f"{NAME}_"))
    try:
        brands = [
            row[0]
            for row in trino_node.query(
                f"select brand_id from {MARTS}.fct_brand_daily_sales group by 1 order by count(*) desc, 1 limit 2"
            )
        ]
        assert len(brands) == 2
        first = access.analyst_user(brands[0])
        _wait_for_rules(trino_node.port, first, f"select count(*) from {MARTS}.fct_brand_daily_sales")
        yield AccessLake(lake, trino_node.port, brands)
    finally:
        rules_file.write_text(started_with)


def _analyst(brand: str, lower: bool = False) -> str:
    return access.analyst_user(brand.lower() if lower else brand)


def test_each_analyst_sees_exactly_their_brand_rows(built: AccessLake) -> None:
    everything = built.query("facetlake", f"select * from {MARTS}.fct_brand_daily_sales")
    seen_total = 0
    for index, brand in enumerate(built.brands):
        user = _analyst(brand, lower=index == 1)
        theirs = built.query(user, f"select * from {MARTS}.fct_brand_daily_sales order by order_date")
        expected = built.query(
            "facetlake",
            f"select * from {MARTS}.fct_brand_daily_sales where brand_id = '{brand}' order by order_date",
        )
        assert theirs == expected and len(theirs) > 0, (user, len(theirs), len(expected))
        seen_total += len(theirs)
        # The filter cannot be widened from the query: asking for another brand gives nothing.
        other = built.brands[1 - index]
        assert built.query(user, f"select count(*) from {MARTS}.fct_brand_daily_sales where brand_id = '{other}'") == [
            [0]
        ]
        print(f"{user}: {len(theirs)} of {len(everything)} rows of fct_brand_daily_sales")
    # The service user sees every brand, more than the two analysts together.
    brands = built.query("facetlake", f"select count(distinct brand_id) from {MARTS}.fct_brand_daily_sales")
    assert brands[0][0] > 2 and len(everything) > seen_total


def test_other_brand_scoped_marts_are_filtered(built: AccessLake) -> None:
    brand = built.brands[0]
    user = _analyst(brand)
    for mart in ("dim_products", "dim_campaigns"):
        theirs = built.query(user, f"select distinct brand_id from {MARTS}.{mart}")
        counts = built.query(user, f"select count(*) from {MARTS}.{mart}")
        expected = built.query("facetlake", f"select count(*) from {MARTS}.{mart} where brand_id = '{brand}'")
        # Their own rows only (a brand may run no campaign on a small lake: then none at all).
        assert theirs == ([[brand]] if expected[0][0] > 0 else []), (mart, theirs)
        assert counts == expected
    for mart in ("tag_value_distribution", "crowd_profiles"):
        bases = {row[0] for row in built.query(user, f"select distinct base_name from {MARTS}.{mart}")}
        all_bases = {row[0] for row in built.query("facetlake", f"select distinct base_name from {MARTS}.{mart}")}
        assert {b for b in bases if b.startswith("brand:")} <= {f"brand:{brand}"}, (mart, bases)
        assert bases == {b for b in all_bases if not b.startswith("brand:") or b == f"brand:{brand}"}, mart


def test_analyst_is_denied_outside_the_analyst_marts(built: AccessLake) -> None:
    user = _analyst(built.brands[0])
    for sql in (
        f"select count(*) from iceberg.{NAME}_staging.stg_raw__order_lines",
        f"select count(*) from iceberg.{NAME}_staging.quarantined_lines",
        f"select count(*) from iceberg.{NAME}_intermediate.int_order_lines_attributed",
        f"select count(*) from hive.{NAME}_raw.orders",
        "select count(*) from tpch.tiny.region",
        f"insert into {MARTS}.fct_brand_daily_sales select * from {MARTS}.fct_brand_daily_sales",
        f"create table {MARTS}.mine as select 1 as x",
        "set session task_concurrency = 1",
        "call hive.system.sync_partition_metadata('access_raw', 'orders', 'FULL')",
        f"call iceberg.system.rollback_to_snapshot('{NAME}_marts', 'fct_brand_daily_sales', 1)",
        # Iceberg metadata tables would show per-file bounds of every brand: no rule names them.
        f'select * from {MARTS}."fct_brand_daily_sales$files"',
        f"select * from table(iceberg.system.table_changes('{NAME}_marts', 'fct_brand_daily_sales', 0))",
        f"alter table {MARTS}.identity_map execute optimize",
        "select count(*) from system.runtime.queries",
    ):
        built.denied(user, sql)
    for mart in access.PERSON_LEVEL_MARTS:
        if built.query(
            "facetlake",
            f"select count(*) from iceberg.information_schema.tables "
            f"where table_schema = '{NAME}_marts' and table_name = '{mart}'",
        ) == [[1]]:
            built.denied(user, f"select * from {MARTS}.{mart} limit 1")
    # File-based access control has no rule for table procedures; Trino refuses them on a filtered table.
    with pytest.raises(trino.exceptions.TrinoUserError, match="row filter"):
        built.query(user, f"alter table {MARTS}.fct_brand_daily_sales execute optimize")
    # Reference seeds are harmless; a user who is neither kind sees nothing.
    assert built.query(user, f"select count(*) from iceberg.{NAME}_reference.channels")[0][0] > 0
    built.denied("somebody", f"select count(*) from {MARTS}.dim_stores")
    built.denied("brand_analyst_", f"select count(*) from {MARTS}.fct_brand_daily_sales")


def test_every_mart_is_decided_and_brand_columns_are_filtered(built: AccessLake) -> None:
    """A mart nobody classified, or an analyst mart with a brand column and no filter, fails here."""
    columns: dict[str, set[str]] = {}
    for table, column in built.query(
        "facetlake",
        f"select table_name, column_name from iceberg.information_schema.columns where table_schema = '{NAME}_marts'",
    ):
        columns.setdefault(table, set()).add(column)
    analyst = {mart.name: mart for mart in access.ANALYST_MARTS}
    undecided = set(columns) - set(analyst) - set(access.PERSON_LEVEL_MARTS)
    assert not undecided, (
        f"add these marts to ANALYST_MARTS or PERSON_LEVEL_MARTS in facetlake.trino.access: {undecided}"
    )
    for name, mart in analyst.items():
        if name not in columns:
            continue
        if "brand_id" in columns[name]:
            assert mart.filter == access.BRAND_FILTER, name
        elif "base_name" in columns[name]:
            assert mart.filter == access.BASE_FILTER, name
        # Every analyst mart reads without error under its filter.
        built.query(_analyst(built.brands[0]), f"select count(*) from {MARTS}.{name}")
    assert "fct_brand_daily_sales" in columns and len(columns) >= 15


def test_information_schema_shows_analysts_only_their_tables(built: AccessLake) -> None:
    user = _analyst(built.brands[0])
    schemas = {row[0] for row in built.query(user, "select schema_name from iceberg.information_schema.schemata")}
    assert f"{NAME}_staging" not in schemas and f"{NAME}_marts" in schemas
    tables = {
        row[0]
        for row in built.query(
            user, f"select table_name from iceberg.information_schema.tables where table_schema = '{NAME}_marts'"
        )
    }
    assert "fct_brand_daily_sales" in tables and not tables & set(access.PERSON_LEVEL_MARTS)
    # BI tools read the same through system.jdbc, filtered alike.
    jdbc = {
        row[0]
        for row in built.query(
            user,
            f"select table_name from system.jdbc.tables where table_cat = 'iceberg' and table_schem = '{NAME}_marts'",
        )
    }
    assert jdbc == tables
    every = {
        row[0]
        for row in built.query(
            "facetlake", f"select table_name from iceberg.information_schema.tables where table_schema = '{NAME}_marts'"
        )
    }
    assert tables == every & {mart.name for mart in access.ANALYST_MARTS} and len(every) > len(tables)
