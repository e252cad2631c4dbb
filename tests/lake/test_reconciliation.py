"""Nothing is lost: every raw line is staged, removed as a resend, or quarantined with its reason."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd

from facetlake.paths import RAW_SOURCES
from facetlake.warehouse import query, query_df


def _count_lines(path: Path) -> int:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        return sum(1 for _ in f)


def test_lines_read_equal_lines_in_files_and_reconcile(small_lake: Path) -> None:
    expected = {}
    for source in RAW_SOURCES:
        for path in (small_lake / "raw" / source).glob("dt=*/*.jsonl*"):
            key = (source, path.parent.name[3:])
            expected[key] = expected.get(key, 0) + _count_lines(path)
    rows = query(
        small_lake,
        "select source_name, cast(dt as varchar), lines_read, rows_staged, duplicates_removed, lines_quarantined "
        "from marts.fct_raw_line_reconciliation",
    )
    got = {(s, d): read for s, d, read, *_ in rows}
    assert got == expected
    for source, dt, read, staged, dupes, quarantined in rows:
        assert read == staged + dupes + quarantined, (source, dt)
    # The staged views hold exactly the staged rows (no row gained or lost between base and view).
    staged_views = {
        "app_events": "stg_raw__app_events",
        "orders": "stg_raw__order_lines",
        "ad_events": "stg_raw__ad_events",
        "message_events": "stg_raw__message_events",
        "crm_members": "stg_raw__crm_members",
        "products": "stg_raw__products",
        "campaigns": "stg_raw__campaigns",
        "stores": "stg_raw__stores",
    }
    for source, view in staged_views.items():
        in_view = query(small_lake, f"select count(*) from staging.{view}")[0][0]
        reconciled = sum(r[3] for r in rows if r[0] == source)
        assert in_view == reconciled, source


def test_each_planted_malformed_line_is_quarantined_with_its_reason(small_lake: Path) -> None:
    truth = pd.read_parquet(small_lake / "truth" / "malformed_lines.parquet")
    got = query_df(
        small_lake,
        "select source_name, cast(dt as varchar) as dt, file_name, line_number, rejection_reason, raw_line "
        "from staging.quarantined_lines",
    )
    got["file_name"] = got["file_name"].str.rsplit("/", n=1).str[-1]
    merged = truth.merge(got, on=["source_name", "dt", "file_name", "line_number"], how="outer", indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"].head()
    assert (merged["expected_reason"] == merged["rejection_reason"]).all()
    assert merged["raw_line"].notna().all()
    assert set(truth["kind"]) >= {
        "not_json",
        "missing_required",
        "bad_timestamp",
        "negative_quantity",
        "bad_number",
    }


def test_duplicates_removed_are_exactly_the_planted_resends(small_lake: Path) -> None:
    truth = pd.read_parquet(small_lake / "truth" / "duplicate_lines.parquet")
    got = query_df(
        small_lake,
        "select source_name, cast(dt as varchar) as dt, file_name, line_number, record_key "
        "from staging.duplicate_lines",
    )
    got["file_name"] = got["file_name"].str.rsplit("/", n=1).str[-1]
    key = ["source_name", "dt", "file_name", "line_number", "record_key"]
    assert sorted(map(tuple, truth[key].to_numpy())) == sorted(map(tuple, got[key].to_numpy()))


def test_late_lines_count_on_their_event_date(small_lake: Path) -> None:
    late = pd.read_parquet(small_lake / "truth" / "late_lines.parquet")
    late = late[late["source_name"].isin(["app_events", "ad_events"])]
    staged = query_df(
        small_lake,
        "select event_id as record_key, cast(event_date as varchar) as event_date, cast(dt as varchar) as dt "
        "from staging.stg_raw__app_events union all "
        "select event_id, cast(event_date as varchar), cast(dt as varchar) from staging.stg_raw__ad_events",
    )
    merged = late.merge(staged, on="record_key", suffixes=("_truth", "_staged"))
    # A late line whose planted copy was corrupted is in the quarantine instead; all others are here.
    assert len(merged) >= 0.97 * len(late) and len(merged) > 10
    assert (merged["event_date_truth"] == merged["event_date_staged"]).all()
    assert (merged["dt_truth"] == merged["dt_staged"]).all()
    assert (merged["dt_staged"] > merged["event_date_staged"]).all()


def test_business_dates_are_taken_in_shanghai(small_lake: Path) -> None:
    # Events written with a UTC offset after 16:00Z belong to the next Shanghai day.
    rows = query(
        small_lake,
        "select count(*), sum(case when event_date = cast(timezone('Asia/Shanghai', timezone('UTC', event_at)) "
        "as date) then 1 else 0 end) from staging.stg_raw__app_events",
    )
    total, agreeing = rows[0]
    assert total > 0 and agreeing == total
    assert query(small_lake, "select count(*) from staging.stg_raw__app_events where hour(event_at) >= 16")[0][0] > 0
