"""Person-level models on the daily path (incremental strategy rebuild_rows) equal their full rebuild: a lake
built day by day as the daily job runs it (var dt, one arrival date per run) while persons merge and fall apart,
then the same models rebuilt with --full-refresh over the same persisted super_ids. A day's run rebuilds only
the days new arrivals touch and the persons identity restated: a planted row outside both survives it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pandas.testing as pdt
import pytest

from facetlake.build import run_build
from facetlake.dbt_runner import run_dbt
from facetlake.generator import GeneratorConfig, generate_lake
from facetlake.paths import warehouse_path

CONFIG = GeneratorConfig(persons=500, days=6, seed=24, start=date(2026, 10, 1))  # persons merge and split
MODELS = {
    "intermediate.int_app_events_identified": ["event_id"],
    "intermediate.int_touchpoints_unioned": ["touchpoint_id"],
    "intermediate.int_brand_person_days_signalled": ["super_id", "brand_id", "signal_date"],
    "marts.fct_brand_4a_person_stage_spells": ["super_id", "brand_id", "valid_from"],
}
SELECT = "+fct_brand_4a_person_stage_spells +int_app_events_identified +int_touchpoints_unioned"
# Planted rows on a day before the lake's first, which no arrival touches (late lines included).
PROBE_DATE = (CONFIG.start - timedelta(days=30)).isoformat()
UNTOUCHED = "sid_probe_untouched"  # a person no run restates
PROBED = "intermediate.int_brand_person_days_signalled"
PROBES = f"select super_id from {PROBED} where signal_date = date '{PROBE_DATE}' order by 1"


def _day(n: int) -> str:
    return (CONFIG.start + timedelta(days=n - 1)).isoformat()


@dataclass
class Built:
    root: Path
    daily: dict[str, pd.DataFrame]
    restatements: pd.DataFrame
    probes_left: list[str]  # the planted super_ids still in the signals after a rerun of the last day
    restated_probe: str


def _execute(root: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse_path(root))) as con:
        return con.execute(sql).fetchall()


def _frames(root: Path) -> dict[str, pd.DataFrame]:
    frames = {}
    with duckdb.connect(str(warehouse_path(root)), read_only=True) as con:
        for table, key in MODELS.items():
            frame = con.execute(f"select * from {table}").df()
            frames[table] = frame.sort_values(key).reset_index(drop=True)
    return frames


def _run_day(root: Path, day: str) -> None:
    run_dbt(root, ["run", "--select", SELECT, "--vars", json.dumps({"dt": day})], quiet=True)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp("daily_person_models")
    generate_lake(root, CONFIG, progress=False)
    run_build(root, engine="duckdb", dt_to=_day(1), quiet=True)
    last = _day(CONFIG.days)
    for day in range(2, CONFIG.days + 1):
        _run_day(root, _day(day))
    restatements = _frames_restatements(root)
    daily = _frames(root)
    # Probes on a day no arrival touches: one of a person the last day restated (a rerun of that day rebuilds
    # all of that person's rows, so it goes), one of a person no run restated (it stays).
    restated_probe = restatements.loc[
        (restatements["restated_dt"].astype(str) == last) & (restatements["identifier_count"] > 0), "super_id"
    ].min()
    for super_id in (restated_probe, UNTOUCHED):
        _execute(
            root,
            f"insert into {PROBED} values ('{super_id}', 'probe', date '{PROBE_DATE}', 1, 0, 0, 0, 0, 0)",
        )
    _run_day(root, last)
    probes_left = [row[0] for row in _execute(root, PROBES)]
    _execute(root, f"delete from {PROBED} where signal_date = date '{PROBE_DATE}'")
    assert _frames(root).keys() == daily.keys()
    run_dbt(root, ["run", "--full-refresh", "--select", " ".join(t.split(".")[1] for t in MODELS)], quiet=True)
    return Built(root, daily, restatements, probes_left, restated_probe)


def _frames_restatements(root: Path) -> pd.DataFrame:
    with duckdb.connect(str(warehouse_path(root)), read_only=True) as con:
        return con.execute("select * from marts.person_restatements").df()


def test_the_history_restates_persons(built: Built) -> None:
    restated = built.restatements.dropna(subset=["restated_dt"])
    restated_later = restated[restated["restated_dt"].astype(str) > _day(1)]
    gone = restated_later[restated_later["identifier_count"] == 0]
    known_before = restated_later[restated_later["identifier_count"] > 0]
    print(f"\npersons restated after day 1: {len(restated_later)}, of them gone (merged away): {len(gone)}")
    # Without merges the comparison below would not test the restatement.
    assert len(gone) > 0
    assert len(known_before) > 0


def test_daily_runs_equal_a_full_rebuild_and_rebuild_only_their_scope(built: Built) -> None:
    # A rerun of the last day rebuilt every row of the persons it restated and no row outside its scope.
    assert built.probes_left == [UNTOUCHED], built.probes_left
    full = _frames(built.root)
    for table, frame in full.items():
        assert len(frame) > 0, table
        pdt.assert_frame_equal(built.daily[table], frame, obj=table)
