"""Incremental by dt: rebuilding a dt replaces it (never doubles it), a new dt appends, load order is free; the
daily path: a day's run over a built lake gives the marts a full build gives, a late line changes its event
date's rows only, a rerun of a dt changes nothing."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pandas as pd
import pandas.testing as pdt
import pytest

from facetlake.build import run_build
from facetlake.demo import run_demo
from facetlake.generator import GeneratorConfig, generate_lake
from facetlake.paths import RAW_SOURCES
from facetlake.warehouse import query, query_df

COUNTS = (
    "select source_name, cast(dt as varchar), lines_read, rows_staged, duplicates_removed, lines_quarantined "
    "from marts.fct_raw_line_reconciliation order by 1, 2"
)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[tuple]]:
    """A 4-day lake built in one go: what every other load order must end up with."""
    lake = tmp_path_factory.mktemp("reference")
    generate_lake(lake, GeneratorConfig(persons=250, days=4, seed=21), progress=False)
    run_build(lake, quiet=True)
    return lake, query(lake, COUNTS)


def _move_days(src: Path, dst: Path, dts: list[str]) -> None:
    for source in RAW_SOURCES:
        for dt in dts:
            folder = src / "raw" / source / f"dt={dt}"
            if folder.exists():
                target = dst / "raw" / source / f"dt={dt}"
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(str(folder), str(target))


def test_rebuilding_is_idempotent(reference: tuple[Path, list[tuple]]) -> None:
    lake, expected = reference
    run_build(lake, quiet=True)
    assert query(lake, COUNTS) == expected
    run_build(lake, dt="2026-10-02", quiet=True)
    assert query(lake, COUNTS) == expected
    staged = query(lake, "select count(*), count(distinct event_id) from staging.stg_raw__app_events")[0]
    assert staged[0] == staged[1]


def test_new_days_append_and_any_load_order_agrees(reference: tuple[Path, list[tuple]], tmp_path: Path) -> None:
    lake_ref, expected = reference
    lake = tmp_path / "lake"
    shutil.copytree(lake_ref / "raw", lake / "raw")
    held = tmp_path / "held"
    _move_days(lake, held, ["2026-10-01", "2026-10-03", "2026-10-04"])
    run_build(lake, quiet=True)  # only 10-02 exists
    _move_days(held, lake, ["2026-10-03", "2026-10-04"])
    run_build(lake, quiet=True)  # new days: the incremental run appends them
    _move_days(held, lake, ["2026-10-01"])
    run_build(lake, dt="2026-10-01", quiet=True)  # an older day, out of order
    assert query(lake, COUNTS) == expected


# --- The daily path: a day's run over a built lake equals a full build; late lines; reruns ----------------

LATE_DT = "2026-10-05"


# Columns that describe the run or the files' place, not the data: when a crowd was registered (the
# prepare step's sync), when a raw file was written and scanned.
WALL_CLOCK_COLUMNS = {
    "crowds": ["created_at", "updated_at", "refreshed_at"],
    "fct_raw_files": ["modified_at", "first_seen_at", "scanned_at"],
}


def marts(lake: Path) -> dict[str, pd.DataFrame]:
    """Every table of the marts schema but its wall-clock columns, paths relative to the lake, rows in a
    canonical order (for comparing two builds)."""
    tables = [
        row[0]
        for row in query(
            lake, "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
        )
    ]
    frames = {}
    for table in tables:
        frame = query_df(lake, f'select * from marts."{table}"')
        frame = frame.drop(columns=[c for c in WALL_CLOCK_COLUMNS.get(table, []) if c in frame.columns])
        for column in frame.select_dtypes(include="object").columns:
            frame[column] = frame[column].map(lambda v: v.replace(str(lake), "<lake>") if isinstance(v, str) else v)
        frames[table] = frame.sort_values(list(frame.columns)).reset_index(drop=True)
    return frames


def without_run_history(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """What the raw files alone decide, leaving out what records the builds that ran: tag_coverage_daily keeps
    one snapshot per build date (a one-shot build has only the latest); super_id_merges keeps every super_id a
    build issued (ids issued on one day and merged the next are retired rows only a daily path has) and the
    dt of the run that issued each; fct_member_tier_changes is read from the member snapshot, whose versions are
    the builds that saw a member's row change (a late or resent line seen on a later day is a version, and a new
    membership, only a daily path has): only its brands and months are compared. person_restatements records
    when each run changed a person's identifiers (and keeps the ids runs retired): its live persons and their
    identifiers are compared."""
    coverage = frames["tag_coverage_daily"]
    merges = frames["super_id_merges"]
    live = merges[~merges["is_retired"]].drop(columns=["first_issued_dt"])
    restated = frames["person_restatements"]
    return {
        **frames,
        "person_restatements": restated[restated["identifier_count"] > 0]
        .drop(columns=["restated_dt"])
        .reset_index(drop=True),
        "tag_coverage_daily": coverage[coverage["as_of_date"] == coverage["as_of_date"].max()].reset_index(drop=True),
        "super_id_merges": live.reset_index(drop=True),
        "fct_member_tier_changes": frames["fct_member_tier_changes"][["brand_id", "change_month"]],
    }


def assert_same_marts(got: dict[str, pd.DataFrame], expected: dict[str, pd.DataFrame]) -> None:
    assert sorted(got) == sorted(expected)
    for table, frame in expected.items():
        pdt.assert_frame_equal(got[table], frame, check_exact=False, rtol=1e-9, obj=f"marts.{table}")


def _raw_files(raw: Path) -> dict[str, bytes]:
    return {str(p.relative_to(raw)): p.read_bytes() for p in sorted(raw.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def daily_lake(reference: tuple[Path, list[tuple]], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`facetlake demo` on the reference's lake (same generator settings): the first three days landed and
    built as one Dagster backfill run, then the last day as the daily job runs it (one dt partition)."""
    lake_ref, _ = reference
    lake = tmp_path_factory.mktemp("daily") / "lake"
    run_demo(lake, persons=250, days=4, seed=21)
    assert _raw_files(lake / "raw") == _raw_files(lake_ref / "raw")  # the same raw files as the one-shot build
    return lake


def test_the_demo_backfill_then_a_day_equals_a_one_shot_build(
    reference: tuple[Path, list[tuple]], daily_lake: Path
) -> None:
    lake_ref, _ = reference
    daily, one_shot = marts(daily_lake), marts(lake_ref)
    assert_same_marts(without_run_history(daily), without_run_history(one_shot))
    # The daily path's retired ids all lead to a live person.
    merges = daily["super_id_merges"]
    assert set(merges[merges["is_retired"]]["live_super_id"]) <= set(daily["dim_persons"]["super_id"])


def _late_paid_line(lake: Path, order_date: str) -> tuple[str, float]:
    """A paid order line of the raw zone placed on `order_date`, as a new order (its JSON and amount)."""
    for path in sorted((lake / "raw" / "orders").glob("dt=*/*.jsonl*")):
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt") as lines:
            for text in lines:
                try:
                    line = json.loads(text)
                except ValueError:
                    continue
                if isinstance(line, dict) and line.get("status") == "paid" and line.get("paid_amount"):
                    line.update(order_id="O9999999999", line_no=1, order_time=f"{order_date}T12:00:00.000+08:00")
                    return json.dumps(line), float(line["paid_amount"])
    raise AssertionError("no paid order line in the raw zone")


def test_a_late_line_changes_its_event_date_only_and_a_rerun_changes_nothing(daily_lake: Path) -> None:
    sales = "select * from marts.fct_brand_daily_sales"
    before = query_df(daily_lake, sales)
    late_date = "2026-10-02"
    text, amount = _late_paid_line(daily_lake, late_date)
    folder = daily_lake / "raw" / "orders" / f"dt={LATE_DT}"
    folder.mkdir(parents=True)
    (folder / "late.jsonl").write_text(text + "\n")

    run_build(daily_lake, dt=LATE_DT, quiet=True)
    after = query_df(daily_lake, sales)
    key = ["brand_id", "order_date"]
    merged = before.merge(after, on=key, how="outer", suffixes=("_before", "_after"), indicator=True)
    changed = merged[
        (merged["_merge"] != "both")
        | (merged["paid_amount_before"] != merged["paid_amount_after"])
        | (merged["order_lines_before"] != merged["order_lines_after"])
    ]
    assert len(changed) == 1, changed
    assert str(changed["order_date"].iloc[0])[:10] == late_date
    row = changed.iloc[0]
    assert float(
        row["paid_amount_after"] - (0 if pd.isna(row["paid_amount_before"]) else row["paid_amount_before"])
    ) == pytest.approx(amount)

    frames = marts(daily_lake)
    run_build(daily_lake, dt=LATE_DT, quiet=True)
    assert_same_marts(marts(daily_lake), frames)
