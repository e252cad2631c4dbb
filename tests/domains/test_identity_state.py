"""The persisted identity state survives `--full-refresh`: a small lake built day by day (so persons merge and
fall apart as days arrive), then rebuilt with --full-refresh, renumbers no known identifier; only var
identity_reset_state rebuilds the state from scratch."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from facetlake.build import run_build
from facetlake.dbt_runner import run_dbt
from facetlake.generator import GeneratorConfig, generate_lake

CONFIG = GeneratorConfig(persons=500, days=6, seed=24, start=date(2026, 10, 1))  # 369 merged, 5 split
STATE_MODELS = "int_identifiers_registered int_super_ids_assigned"
PROBE = "device_id:probe-identity-state"  # an assignment only the persisted state holds


@dataclass
class History:
    root: Path
    maps: list[pd.DataFrame]  # identity_map after each build, oldest first

    def query(self, sql: str) -> pd.DataFrame:
        con = duckdb.connect(str(self.root / "warehouse" / "facetlake.duckdb"), read_only=True)
        try:
            return con.execute(sql).fetchdf()
        finally:
            con.close()

    def execute(self, sql: str) -> None:
        con = duckdb.connect(str(self.root / "warehouse" / "facetlake.duckdb"))
        try:
            con.execute(sql)
        finally:
            con.close()

    def identity_map(self) -> pd.DataFrame:
        return self.query("select id_type, id_value, super_id from marts.identity_map")

    def plant_probe(self) -> None:
        """Marks both state tables so a rebuild from scratch shows: an assignment no identifier has, and an
        origin identifier registered earlier than any data (it stays its person's origin)."""
        origin = self.query("select node_key from marts.identity_map where is_origin order by node_key limit 1")
        self.execute(f"delete from intermediate.int_super_ids_assigned where node_key = '{PROBE}'")
        self.execute(
            "insert into intermediate.int_super_ids_assigned (node_key, super_id, origin_node_key) "
            f"values ('{PROBE}', 'sid_probe', '{PROBE}')"
        )
        self.execute(
            "update intermediate.int_identifiers_registered set first_seen_dt = date '2000-01-01' "
            f"where node_key = '{origin['node_key'].iat[0]}'"
        )

    def probe_kept(self) -> tuple[bool, bool]:
        """Whether each state table (assignments, registrations) still holds the probe."""
        assigned = self.query(
            f"select count(*) as n from intermediate.int_super_ids_assigned where node_key = '{PROBE}'"
        )
        registered = self.query(
            "select count(*) as n from intermediate.int_identifiers_registered where first_seen_dt = date '2000-01-01'"
        )
        return int(assigned["n"].iat[0]) == 1, int(registered["n"].iat[0]) == 1


def _day(n: int) -> str:
    return (CONFIG.start + timedelta(days=n - 1)).isoformat()


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> History:
    root = tmp_path_factory.mktemp("identity_state_lake")
    generate_lake(root, CONFIG, progress=False)
    built = History(root, [])
    # Day by day, as a lake fills: a whole build on the first and the last day, the identity models between.
    for day in range(1, CONFIG.days + 1):
        if day in (1, CONFIG.days):
            run_build(root, engine="duckdb", dt_to=_day(day), quiet=True)
        else:
            run_dbt(root, ["run", "--select", "+dim_persons", "--vars", json.dumps({"dt_to": _day(day)})], quiet=True)
        built.maps.append(built.identity_map())
    return built


def _changes(before: pd.DataFrame, after: pd.DataFrame) -> tuple[int, int]:
    """Identifiers known before whose person merged with another, or fell apart, between two maps."""
    both = before.merge(after, on=["id_type", "id_value"], suffixes=("_before", "_after"))
    ids_after_of_old = both.groupby("super_id_before")["super_id_after"].nunique()
    ids_before_of_new = both.groupby("super_id_after")["super_id_before"].nunique()
    split = both["super_id_before"].map(ids_after_of_old) > 1
    merged = both["super_id_after"].map(ids_before_of_new) > 1
    return int(merged.sum()), int(split.sum())


def _renumbered(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    both = before.merge(after, on=["id_type", "id_value"], how="left", suffixes=("_before", "_after"))
    return both[both["super_id_before"] != both["super_id_after"]]


def test_full_refresh_renumbers_no_known_identifier(history: History) -> None:
    merged = split = 0
    for before, after in zip(history.maps, history.maps[1:], strict=False):
        step_merged, step_split = _changes(before, after)
        merged += step_merged
        split += step_split
    print(f"\nidentifiers whose person merged: {merged}, fell apart: {split}, over {len(history.maps)} builds")
    # The history must hold the cases the state exists for, or this test proves nothing.
    assert merged > 0
    assert split > 0

    latest = history.maps[-1]
    history.plant_probe()
    run_build(history.root, engine="duckdb", full_refresh=True, quiet=True)
    refreshed = history.identity_map()
    renumbered = _renumbered(latest, refreshed)
    print(f"identifiers renumbered by --full-refresh: {len(renumbered)} of {len(latest)}")
    assert renumbered.empty, renumbered.head(10).to_string()
    assert history.probe_kept() == (True, True), "--full-refresh rebuilt the persisted identity state"


def test_reset_var_rebuilds_the_state(history: History) -> None:
    history.plant_probe()
    reset = ["--full-refresh", "--vars", json.dumps({"identity_reset_state": True})]
    # The var alone is not a reset: without --full-refresh the run stays incremental.
    unlocked = ["--vars", json.dumps({"identity_reset_state": True})]
    run_dbt(history.root, ["run", "--select", STATE_MODELS, *unlocked], quiet=True)
    assert history.probe_kept() == (True, True)
    run_dbt(history.root, ["run", *reset, "--select", "+identity_map"], quiet=True)
    assert history.probe_kept() == (False, False), "identity_reset_state with --full-refresh kept the old state"
    # From scratch, the ids are the origin-named ones: the same on a second reset.
    first = history.identity_map()
    moved = _renumbered(history.maps[-1], first)
    print(f"\nidentifiers a reset renumbered against the day-by-day history: {len(moved)}")
    run_dbt(history.root, ["run", *reset, "--select", "+identity_map"], quiet=True)
    second = history.identity_map()
    assert len(first) > 0
    assert _renumbered(first, second).empty
