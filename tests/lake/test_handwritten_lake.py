"""A raw zone written by hand, not by the generator, builds correctly: the contract is the interface."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import pytest

from facetlake.build import run_build
from facetlake.warehouse import query

DT = "2026-11-02"
PHONE_HASH = hashlib.sha256(b"+8613800138000").hexdigest()
EMAIL_HASH = hashlib.sha256(b"ann.lee@example.com").hexdigest()

RAW: dict[str, list[str]] = {
    "app_events": [
        # 17:30Z is 01:30 the next day in Shanghai: the business date is 2026-11-02.
        '{"event_id":"e1","event_time":"2026-11-01T17:30:00Z","event_type":"login","device_id":"d1",'
        '"user_pin":"p1","platform":"app","extra_field":{"nested":true}}',
        '{"event_id":"e2","event_time":"2026-11-02T09:00:00.5+08:00","event_type":"page_view","device_id":"d1",'
        '"user_pin":"p1","sku_id":"S1","channel":"WeChat"}',
        '{"event_id":"e2","event_time":"2026-11-02T09:00:00.5+08:00","event_type":"page_view","device_id":"d1",'
        '"user_pin":"p1","sku_id":"S1","channel":"WeChat"}',
        "",
        "[1, 2, 3]",
        '{"event_id":"e3","event_time":"2026-11-02T10:00:00+08:00","event_type":"teleport","device_id":"d2"}',
    ],
    "orders": [
        '{"order_id":"o1","line_no":1,"order_time":"2026-11-02T12:00:00+08:00","user_pin":"p1","sku_id":"S1",'
        '"quantity":2,"unit_price":19.9}',
        '{"order_id":"o1","line_no":2,"order_time":"2026-11-02T12:00:00+08:00","user_pin":"p1","sku_id":"S2",'
        '"quantity":1.5,"unit_price":5}',
        '{"order_id":"o2","line_no":1,"order_time":"2026-11-02T12:00:00+08:00","user_pin":"p1","sku_id":"S2",'
        '"quantity":0,"unit_price":5}',
    ],
    "ad_events": [
        '{"event_id":"a1","event_time":"2026-11-02T08:00:00+08:00","event_type":"impression","campaign_id":"C1",'
        f'"channel":"a_new_channel","phone_sha256":"{PHONE_HASH.upper()}","cost":0.05}}',
    ],
    "message_events": [
        '{"message_id":"m1","event_time":"2026-11-02T08:00:00+08:00","event_type":"sent","channel":"sms",'
        '"campaign_id":"C1","phone":"(+86)138-0013-8000"}',
        '{"message_id":"m1","event_time":"2026-11-02T08:00:05+08:00","event_type":"delivered","channel":"sms",'
        '"campaign_id":"C1","phone":"86 138 0013 8000"}',
        '{"message_id":"m2","event_time":"2026-11-02T08:00:00+08:00","event_type":"sent","channel":"edm",'
        '"campaign_id":"C1","email":"  Ann.Lee@Example.COM "}',
    ],
    "crm_members": [
        '{"member_id":"M1","brand_id":"B1","updated_at":"2026-11-02T08:00:00+08:00","phone":"13800138000",'
        '"gender":"f","birth_date":"1990-05-01","points_balance":10}',
        '{"member_id":"M2","brand_id":"B1","updated_at":"2026-11-02T08:00:00+08:00","birth_date":"1990-13-01"}',
    ],
    "products": [
        '{"sku_id":"S1","updated_at":"2026-11-02T00:00:00+08:00","brand_id":"B1","brand_name":"One",'
        '"category_l1":"beauty","list_price":19.9}',
        '{"sku_id":"S2","updated_at":"2026-11-02T00:00:00+08:00","brand_id":"B2","list_price":"cheap"}',
    ],
    "campaigns": [
        '{"campaign_id":"C1","updated_at":"2026-11-02T00:00:00+08:00","brand_id":"B1","channel":"sms",'
        '"start_date":"2026-11-01","end_date":"2026-11-07"}',
    ],
    "stores": [
        '{"store_id":"ST1","updated_at":"2026-11-02T00:00:00+08:00","city":"Chengdu","latitude":30.6}',
    ],
}


@pytest.fixture(scope="module")
def hand_lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    lake = tmp_path_factory.mktemp("hand_lake")
    for source, lines in RAW.items():
        folder = lake / "raw" / source / f"dt={DT}"
        folder.mkdir(parents=True)
        data = ("\n".join(lines) + "\n").encode()
        if source == "app_events":
            (folder / "from_sdk.jsonl.gz").write_bytes(gzip.compress(data))
        else:
            (folder / "export.jsonl").write_bytes(data)
    run_build(lake, engine="duckdb", quiet=True)
    return lake


def test_reasons_for_each_hand_written_fault(hand_lake: Path) -> None:
    rows = query(
        hand_lake,
        "select source_name, line_number, rejection_reason from staging.quarantined_lines order by 1, 2",
    )
    assert rows == [
        ("app_events", 4, "empty_line"),
        ("app_events", 5, "not_json"),
        ("app_events", 6, "bad_value:event_type"),
        ("crm_members", 2, "bad_date:birth_date"),
        ("orders", 2, "bad_number:quantity"),
        ("orders", 3, "bad_value:quantity"),
        ("products", 2, "bad_number:list_price"),
    ]


def test_reconciliation_of_the_hand_written_lake(hand_lake: Path) -> None:
    rows = query(
        hand_lake,
        "select source_name, lines_read, rows_staged, duplicates_removed, lines_quarantined "
        "from marts.fct_raw_line_reconciliation order by 1",
    )
    by_source = {r[0]: r[1:] for r in rows}
    assert by_source["app_events"] == (6, 2, 1, 3)
    assert by_source["orders"] == (3, 1, 0, 2)
    assert {s: v[0] for s, v in by_source.items()} == {s: len(lines) for s, lines in RAW.items()}


def test_typed_values_dates_and_hashes(hand_lake: Path) -> None:
    login = query(
        hand_lake,
        "select cast(event_at as varchar), cast(event_date as varchar), channel "
        "from staging.stg_raw__app_events order by event_id",
    )
    assert login == [
        ("2026-11-01 17:30:00", "2026-11-02", None),
        ("2026-11-02 01:00:00.5", "2026-11-02", "wechat"),
    ]
    messages = query(
        hand_lake,
        "select message_event_id, phone_sha256, email_sha256 from staging.stg_raw__message_events order by 1",
    )
    assert messages == [
        ("m1#delivered", PHONE_HASH, None),
        ("m1#sent", PHONE_HASH, None),
        ("m2#sent", None, EMAIL_HASH),
    ]
    assert query(hand_lake, "select phone_sha256 from staging.stg_raw__ad_events") == [(PHONE_HASH,)]
    assert query(hand_lake, "select phone_sha256, declared_gender from staging.stg_raw__crm_members") == [
        (PHONE_HASH, "F")
    ]
    order = query(hand_lake, "select quantity, cast(paid_amount as double), status from staging.stg_raw__order_lines")
    assert order == [(2, 39.8, "paid")]


def test_a_source_without_files_builds_empty(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    folder = lake / "raw" / "orders" / f"dt={DT}"
    folder.mkdir(parents=True)
    (folder / "only.jsonl").write_text(RAW["orders"][0] + "\n")
    run_build(lake, engine="duckdb", quiet=True)
    assert query(lake, "select count(*) from staging.stg_raw__order_lines") == [(1,)]
    assert query(lake, "select count(*) from staging.stg_raw__app_events") == [(0,)]
