"""Every model built on Trino from a generated lake equals the same model built on DuckDB, row for row.

One lake, two loads, both engines: the first load has all arrival dates but the last (the raw-zone models
only), the second adds the last date and builds everything, incrementally where a model is incremental.
So the comparison covers full builds of the tables and views and incremental appends of the raw-zone
models; the tests after it rebuild a dt on Trino and check it changes nothing, and check the quarantine
against the planted faults. Tolerances: see facetlake.trino.parity (floats within 1e-9 relative).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from facetlake.dbt_runner import run_dbt_build
from facetlake.generator import GeneratorConfig, generate_lake
from facetlake.paths import RAW_SOURCES
from facetlake.trino.catalogs import TrinoSettings
from facetlake.trino.parity import compare_warehouses
from facetlake.warehouse import query as duckdb_query

pytestmark = pytest.mark.trino

CONFIG = GeneratorConfig(persons=300, days=3, seed=1)
RAW_ZONE_MODELS = "path:models/staging"


@dataclass
class BuiltLake:
    lake: Path
    settings: TrinoSettings
    dts: list[str]
    # Trino's raw-zone rows after the first load, per base model.
    first_load: dict[str, pd.DataFrame]


def _base_models() -> list[str]:
    return [f"base_raw__{source}" for source in RAW_SOURCES]


def trino_frame(node, sql: str) -> pd.DataFrame:
    conn = node.connect()
    try:
        cur = conn.cursor()
        cur.execute(sql)
        rows = cur.fetchall()
        return pd.DataFrame(rows, columns=[d[0] for d in cur.description])
    finally:
        conn.close()


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(["file_name", "line_number"]).reset_index(drop=True)


@pytest.fixture(scope="module")
def built(trino_node) -> Iterator[BuiltLake]:
    lake = trino_node.lake
    generate_lake(lake, CONFIG, progress=False)
    dts = sorted(p.name[3:] for p in (lake / "raw" / "orders").glob("dt=*"))
    held = lake / "held_back"
    for source in RAW_SOURCES:
        folder = lake / "raw" / source / f"dt={dts[-1]}"
        if folder.exists():
            (held / source).mkdir(parents=True)
            shutil.move(folder, held / source / folder.name)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("FACETLAKE_TRINO_PORT", str(trino_node.port))
        for name in ("FACETLAKE_TRINO_HOST", "FACETLAKE_TRINO_LAKE_URI", "FACETLAKE_SCHEMA_PREFIX"):
            env.delenv(name, raising=False)
        for engine in ("duckdb", "trino"):
            run_dbt_build(lake, engine=engine, select=RAW_ZONE_MODELS, quiet=True)
        first_load = {
            model: _sorted(trino_frame(trino_node, f"select * from iceberg.staging.{model}"))
            for model in _base_models()
        }
        for source_folder in held.iterdir():
            for dt_folder in source_folder.iterdir():
                shutil.move(dt_folder, lake / "raw" / source_folder.name / dt_folder.name)
        for engine in ("duckdb", "trino"):
            run_dbt_build(lake, engine=engine, quiet=True)
        yield BuiltLake(lake, TrinoSettings.from_env(), dts, first_load)


def test_every_model_is_the_same_on_both_engines(built: BuiltLake) -> None:
    report = compare_warehouses(built.lake, built.settings)
    assert report.equal, report.describe()
    # The comparison saw the whole project, not an empty schema: every layer, seeds included.
    names = set(report.relations)
    assert {"staging.base_raw__orders", "staging.quarantined_lines", "reference.channels"} <= names
    assert {"marts.fct_raw_line_reconciliation", "marts.dim_products"} <= names
    assert len(names) >= 30 and report.rows_compared > 10_000


def test_quarantine_on_trino_holds_the_planted_faults_at_their_lines(built: BuiltLake, trino_node) -> None:
    truth = pd.read_parquet(built.lake / "truth" / "malformed_lines.parquet")
    got = trino_frame(
        trino_node,
        "select source_name, cast(dt as varchar) as dt, regexp_extract(file_name, '[^/]+$') as file_name, "
        "line_number, rejection_reason, raw_line from iceberg.staging.quarantined_lines",
    )
    merged = truth.merge(got, on=["source_name", "dt", "file_name", "line_number"], how="outer", indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"].head()
    assert (merged["expected_reason"] == merged["rejection_reason"]).all()
    assert merged["raw_line"].notna().all()
    # And per source and dt, the same counts as DuckDB's.
    on_trino = trino_node.query(
        "select source_name, cast(dt as varchar), count(*) from iceberg.staging.quarantined_lines group by 1, 2"
    )
    on_duckdb = duckdb_query(
        built.lake, "select source_name, cast(dt as varchar), count(*) from staging.quarantined_lines group by 1, 2"
    )
    assert sorted(map(tuple, on_trino)) == sorted(on_duckdb)
    assert len(on_trino) >= len(RAW_SOURCES)


def test_a_new_dt_is_appended_and_earlier_dts_are_kept(built: BuiltLake, trino_node) -> None:
    last = built.dts[-1]
    for model, before in built.first_load.items():
        after = _sorted(trino_frame(trino_node, f"select * from iceberg.staging.{model}"))
        kept = _sorted(after[after["dt"].astype(str) < last])
        pd.testing.assert_frame_equal(kept, before, obj=model)
    appended = trino_node.query(f"select count(*) from iceberg.staging.base_raw__app_events where dt = date '{last}'")[
        0
    ][0]
    assert appended > 0


def test_rebuilding_a_dt_on_trino_changes_nothing(built: BuiltLake, trino_node, monkeypatch) -> None:
    def snapshot() -> dict[str, pd.DataFrame]:
        return {
            model: _sorted(trino_frame(trino_node, f"select * from iceberg.staging.{model}"))
            for model in _base_models()
        }

    before = snapshot()
    monkeypatch.setenv("FACETLAKE_TRINO_PORT", str(trino_node.port))
    for dt in (built.dts[-1], built.dts[0]):
        run_dbt_build(built.lake, engine="trino", select=RAW_ZONE_MODELS, dt=dt, quiet=True)
    after = snapshot()
    for model in before:
        pd.testing.assert_frame_equal(after[model], before[model], obj=model)
