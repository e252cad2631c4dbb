"""Retired super_ids stay followable: a small lake built day by day (persons merge as days arrive) keeps, in
marts.super_id_merges, every id it ever issued; a retired one is held by no identifier and points at the live
id its identifiers hold now."""

from __future__ import annotations

import json

import duckdb
import pandas as pd
import pytest

from facetlake.build import run_build
from facetlake.dbt_runner import run_dbt
from facetlake.generator import generate_lake

from .test_identity_state import CONFIG, _day


def _query(root, sql: str) -> pd.DataFrame:
    con = duckdb.connect(str(root / "warehouse" / "facetlake.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchdf()
    finally:
        con.close()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    """The lake of test_identity_state, built day by day; identity_map kept after every build."""
    root = tmp_path_factory.mktemp("retired_ids_lake")
    generate_lake(root, CONFIG, progress=False)
    maps = []
    for day in range(1, CONFIG.days + 1):
        if day in (1, CONFIG.days):
            run_build(root, engine="duckdb", dt_to=_day(day), quiet=True)
        else:
            select = ["--select", "+super_id_merges"]
            run_dbt(root, ["run", *select, "--vars", json.dumps({"dt_to": _day(day)})], quiet=True)
        maps.append(_query(root, "select node_key, super_id from marts.identity_map"))
    return root, maps


def test_every_issued_id_is_in_the_ledger(built) -> None:
    root, maps = built
    ledger = _query(root, "select super_id from marts.super_id_merges")
    issued = set().union(*(set(m["super_id"]) for m in maps))
    assert issued <= set(ledger["super_id"])
    assert ledger["super_id"].is_unique


def test_retired_ids_point_at_live_ids_their_identifiers_now_hold(built) -> None:
    root, maps = built
    ledger = _query(root, "select * from marts.super_id_merges")
    live = set(maps[-1]["super_id"])
    retired = ledger[ledger["is_retired"]]
    print(f"\nsuper_ids issued: {len(ledger)}, retired by merges: {len(retired)}")
    assert len(retired) > 0, "the day-by-day lake merges persons; some id must have been retired"
    assert not set(retired["super_id"]) & live, "a retired id is still held by an identifier"
    assert set(retired["live_super_id"].dropna()) <= live
    assert retired["live_super_id"].notna().mean() > 0.95
    assert retired["retired_dt"].notna().all()
    kept = ledger[~ledger["is_retired"]]
    assert (kept["live_super_id"] == kept["super_id"]).all()
    assert set(kept["super_id"]) == live

    # The identifiers that held a retired id (in any earlier map) hold its live id now.
    history = pd.concat(maps[:-1]).drop_duplicates()
    held = history.merge(retired[["super_id", "live_super_id"]], on="super_id").dropna(subset=["live_super_id"])
    now = held.merge(maps[-1], on="node_key", how="inner", suffixes=("_then", "_now"))
    assert len(now) > 0
    agree = (now["super_id_now"] == now["live_super_id"]).mean()
    assert agree > 0.95, f"only {agree:.1%} of the identifiers that held a retired id hold its target"


def test_full_refresh_keeps_the_ledger(built) -> None:
    root, _ = built
    before = _query(root, "select * from marts.super_id_merges order by super_id")
    run_dbt(root, ["run", "--select", "+super_id_merges", "--full-refresh"], quiet=True)
    after = _query(root, "select * from marts.super_id_merges order by super_id")
    pd.testing.assert_frame_equal(before.reset_index(drop=True), after.reset_index(drop=True))
