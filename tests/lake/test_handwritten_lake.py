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
UK_PHONE_HASH = hashlib.sha256(b"+442079460958").hexdigest()

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
        # Strict typing: a time without offset, an object or a boolean as an identifier are rejected.
        '{"event_id":"e4","event_time":"2026-11-02T08:00:00","event_type":"page_view","device_id":"d3"}',
        '{"event_id":"e5","event_time":"2026-11-02T08:00:00+08:00","event_type":"page_view","device_id":{"id":"d3"}}',
        '{"event_id":"e6","event_time":"2026-11-02T08:00:00+08:00","event_type":"login","device_id":"d3","user_pin":true}',
        # Kept: the string "true" and a number as identifiers, +hh; a phone and an email in the keyword are
        # scrubbed; a duplicate key: the first wins.
        '{"event_id":"e7","event_time":"2026-11-02T08:00:00+08","event_type":"search","device_id":"d4",'
        '"user_pin":"true","sku_id":12345,"keyword":"call +86 138-0013-8000 or Ann.Lee@Example.COM",'
        '"channel":"first","channel":"second"}',
        # A phone and an email used as identifiers leave staging hashed.
        '{"event_id":"e8","event_time":"2026-11-02T08:00:00.000+0800","event_type":"login",'
        '"device_id":" Ann.Lee@Example.COM","user_pin":"138 0013 8000"}',
        '{"event_id":"e9","event_time":"2026-11-02","event_type":"login","device_id":"d5"}',
    ],
    "orders": [
        '{"order_id":"o1","line_no":1,"order_time":"2026-11-02T12:00:00+08:00","user_pin":"p1","sku_id":"S1",'
        '"quantity":2,"unit_price":19.9}',
        '{"order_id":"o1","line_no":2,"order_time":"2026-11-02T12:00:00+08:00","user_pin":"p1","sku_id":"S2",'
        '"quantity":1.5,"unit_price":5}',
        '{"order_id":"o2","line_no":1,"order_time":"2026-11-02T12:00:00+08:00","user_pin":"p1","sku_id":"S2",'
        '"quantity":0,"unit_price":5}',
        # Money is exact (no double on the way), out of decimal(18, 2) is bad_number; an array is no order id.
        '{"order_id":"o3","line_no":1,"order_time":"2026-11-02T12:00:00+08:00","user_pin":"p1","sku_id":"S1",'
        '"quantity":1,"unit_price":9999999999999999.99}',
        '{"order_id":"o4","line_no":1,"order_time":"2026-11-02T12:00:00+08:00","user_pin":"p1","sku_id":"S1",'
        '"quantity":1,"unit_price":99999999999999999.99}',
        '{"order_id":["o5"],"line_no":1,"order_time":"2026-11-02T12:00:00+08:00","user_pin":"p1","sku_id":"S1",'
        '"quantity":1,"unit_price":1}',
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
        # 17:30Z is the next business day in Shanghai; a phone as union_id, an email as user_pin are hashed.
        '{"member_id":"M3","brand_id":"B1","updated_at":"2026-11-01T17:30:00Z","union_id":"+44 20 7946 0958",'
        '"user_pin":"ann.lee@example.com"}',
    ],
    "products": [
        '{"sku_id":"S1","updated_at":"2026-11-02T00:00:00+08:00","brand_id":"B1","brand_name":"One",'
        '"category_l1":"beauty","list_price":19.9}',
        '{"sku_id":"S2","updated_at":"2026-11-02T00:00:00+08:00","brand_id":"B2","list_price":"cheap"}',
        '{"sku_id":"S3","updated_at":"2026-11-02T00:00:00+08:00","sku_name":"gift for 13800138000","list_price":12.5}',
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
        ("app_events", 7, "bad_timestamp:event_time"),
        ("app_events", 8, "bad_value:device_id"),
        ("app_events", 9, "bad_value:user_pin"),
        ("app_events", 12, "bad_timestamp:event_time"),
        ("crm_members", 2, "bad_date:birth_date"),
        ("orders", 2, "bad_number:quantity"),
        ("orders", 3, "bad_value:quantity"),
        ("orders", 5, "bad_number:unit_price"),
        ("orders", 6, "bad_value:order_id"),
        ("products", 2, "bad_number:list_price"),
    ]


def test_reconciliation_of_the_hand_written_lake(hand_lake: Path) -> None:
    rows = query(
        hand_lake,
        "select source_name, lines_read, rows_staged, duplicates_removed, lines_quarantined "
        "from marts.fct_raw_line_reconciliation order by 1",
    )
    by_source = {r[0]: r[1:] for r in rows}
    assert by_source["app_events"] == (12, 4, 1, 7)
    assert by_source["orders"] == (6, 2, 0, 4)
    assert {s: v[0] for s, v in by_source.items()} == {s: len(lines) for s, lines in RAW.items()}


def test_typed_values_dates_and_hashes(hand_lake: Path) -> None:
    login = query(
        hand_lake,
        "select cast(event_at as varchar), cast(event_date as varchar), channel "
        "from staging.stg_raw__app_events where event_id in ('e1', 'e2') order by event_id",
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
    assert query(
        hand_lake, "select phone_sha256, declared_gender from staging.stg_raw__crm_members where member_id = 'M1'"
    ) == [(PHONE_HASH, "F")]
    order = query(
        hand_lake,
        "select quantity, cast(paid_amount as double), status from staging.stg_raw__order_lines where order_id = 'o1'",
    )
    assert order == [(2, 39.8, "paid")]


def test_a_source_without_files_builds_empty(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    folder = lake / "raw" / "orders" / f"dt={DT}"
    folder.mkdir(parents=True)
    (folder / "only.jsonl").write_text(RAW["orders"][0] + "\n")
    run_build(lake, engine="duckdb", quiet=True)
    assert query(lake, "select count(*) from staging.stg_raw__order_lines") == [(1,)]
    assert query(lake, "select count(*) from staging.stg_raw__app_events") == [(0,)]


def test_strict_typing_rules(hand_lake: Path) -> None:
    """Identifiers are JSON strings or numbers; a duplicate key: the first wins; money is exact decimal."""
    kept = query(
        hand_lake,
        "select user_pin, sku_id, channel from staging.stg_raw__app_events where event_id = 'e7'",
    )
    assert kept == [("true", "12345", "first")]
    prices = query(
        hand_lake,
        "select cast(unit_price as varchar), cast(paid_amount as varchar) "
        "from staging.stg_raw__order_lines where order_id = 'o3'",
    )
    assert prices == [("9999999999999999.99", "9999999999999999.99")]
    # CRM records are dated by their Asia/Shanghai business date, like every other source.
    member = query(
        hand_lake,
        "select cast(first_event_date as varchar) from marts.identity_map where id_type = 'member_id' "
        "and id_value = 'B1:M3'",
    )
    assert member == [("2026-11-02",)]


def test_personal_data_in_identifiers_and_free_text_is_hashed_or_scrubbed(hand_lake: Path) -> None:
    assert query(hand_lake, "select device_id, user_pin from staging.stg_raw__app_events where event_id = 'e8'") == [
        (f"email_sha256:{EMAIL_HASH}", f"phone_sha256:{PHONE_HASH}")
    ]
    assert query(hand_lake, "select keyword from staging.stg_raw__app_events where event_id = 'e7'") == [
        ("call [phone] or [email]",)
    ]
    assert query(hand_lake, "select union_id, user_pin from staging.stg_raw__crm_members where member_id = 'M3'") == [
        (f"phone_sha256:{UK_PHONE_HASH}", f"email_sha256:{EMAIL_HASH}")
    ]
    assert query(hand_lake, "select sku_name from staging.stg_raw__products where sku_id = 'S3'") == [
        ("gift for [phone]",)
    ]
    id_values = {r[0] for r in query(hand_lake, "select id_value from marts.identity_map")}
    assert f"phone_sha256:{PHONE_HASH}" in id_values
    assert not [v for v in id_values if "@" in v or "138" in v.replace(PHONE_HASH, "")]
