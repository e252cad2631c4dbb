"""Personal data planted in every free-text and identifier field never leaves staging.

A phone and an email, distinctive values, are typed into every identifier and free-text field of every source
(as a search keyword, as a user_pin, device_id, union_id, member_id, in names, in broken lines), then the
writer warehouse (every schema but staging), the serving copy (every schema, staging included), every export
file, dbt.log and the raw-zone Python logs are searched by value: the phone in any form (138..., +86 138...,
with spaces or dashes), the email in any case.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from facetlake import paths
from facetlake.build import run_build
from facetlake.cli import main
from facetlake.generator import GeneratorConfig, generate_lake

PHONE = "13912345678"
EMAIL = "Planted.Person@PII-Test.example"
PHONE_FORMS = [PHONE, "+86 139 1234 5678", "139-1234-5678", "+8613912345678", "0086 13912345678", "(+86)139-1234-5678"]
TEXT_FORMS = [*PHONE_FORMS, EMAIL, EMAIL.upper(), f"call {PHONE} now", f"mail {EMAIL} please", f"wx_{PHONE}"]
# The phone's digits with any blanks, dashes or brackets between them; the email in any case.
PHONE_SQL = "[ ()-]*".join(PHONE)
PHONE_RE = re.compile(PHONE_SQL)
EMAIL_LOWER = EMAIL.lower()
DT = "2026-10-02"
AT = "2026-10-02T10:00:00+08:00"


def _lines(device_id: str, user_pin: str) -> dict[str, list[str]]:
    def dumps(record: dict[str, object]) -> str:
        return json.dumps(record, ensure_ascii=False)

    app = [
        # A real person searching for the phone (and the email) many times: the top search keyword.
        dumps(
            {
                "event_id": f"pii-search-{i}",
                "event_time": AT,
                "event_type": "search",
                "device_id": device_id,
                "user_pin": user_pin,
                "platform": form,
                "keyword": form,
                "channel": form,
                "city": form,
                "sku_id": form,
                "campaign_id": form,
            }
        )
        for i, form in enumerate(TEXT_FORMS * 3)
    ]
    app += [
        dumps({"event_id": form, "event_time": AT, "event_type": "login", "device_id": form, "user_pin": other})
        for form, other in zip(TEXT_FORMS, reversed(TEXT_FORMS), strict=True)
    ]
    orders = [
        dumps(
            {
                "order_id": form,
                "line_no": 1,
                "order_time": AT,
                "user_pin": other,
                "sku_id": form,
                "quantity": 1,
                "unit_price": 9.9,
                "store_id": other,
                "channel": "offline",
            }
        )
        for form, other in zip(TEXT_FORMS, reversed(TEXT_FORMS), strict=True)
    ]
    ads = [
        dumps(
            {
                "event_id": form,
                "event_time": AT,
                "event_type": "click",
                "campaign_id": other,
                "channel": form,
                "device_id": other,
                "phone_sha256": form,
                "placement_id": form,
                "cost": 0.1,
            }
        )
        for form, other in zip(TEXT_FORMS, reversed(TEXT_FORMS), strict=True)
    ]
    messages = [
        dumps(
            {
                "message_id": form,
                "event_time": AT,
                "event_type": "sent",
                "channel": "sms",
                "campaign_id": other,
                "phone": form,
                "email": other,
                "template_id": form,
            }
        )
        for form, other in zip(TEXT_FORMS, reversed(TEXT_FORMS), strict=True)
    ]
    members = [
        dumps(
            {
                "member_id": form,
                "brand_id": other,
                "updated_at": AT,
                "phone": form,
                "email": EMAIL,
                "user_pin": other,
                "union_id": form,
                "gender": form,
                "register_time": AT,
                "register_channel": form,
                "tier": other,
            }
        )
        for form, other in zip(TEXT_FORMS, reversed(TEXT_FORMS), strict=True)
    ]
    products = [
        dumps(
            {
                "sku_id": form,
                "updated_at": AT,
                "sku_name": f"gift {other}",
                "brand_id": other,
                # One name for every brand: the phone forms are one brand once hashed.
                "brand_name": f"brand {PHONE}",
                "category_l1": form,
                "category_l2": other,
                "category_l3": form,
                "list_price": 1,
            }
        )
        for form, other in zip(TEXT_FORMS, reversed(TEXT_FORMS), strict=True)
    ]
    campaigns = [
        dumps(
            {
                "campaign_id": form,
                "updated_at": AT,
                "brand_id": other,
                "campaign_name": f"win {other}",
                "channel": form,
                "objective": other,
            }
        )
        for form, other in zip(TEXT_FORMS, reversed(TEXT_FORMS), strict=True)
    ]
    stores = [
        dumps(
            {
                "store_id": form,
                "updated_at": AT,
                "store_name": f"shop {other}",
                "city": form,
                "district": other,
                "format": form,
                "status": other,
            }
        )
        for form, other in zip(TEXT_FORMS, reversed(TEXT_FORMS), strict=True)
    ]
    # Lines that fail to decode or to type, carrying the phone and the email (they go to the quarantine).
    broken = [f'{{"phone": "{PHONE}", "email": "{EMAIL}"', f'{{"event_id": "{PHONE}", "event_time": "{EMAIL}"}}']
    return {
        "app_events": app + broken,
        "orders": orders + broken,
        "ad_events": ads,
        "message_events": messages,
        "crm_members": members + broken,
        "products": products,
        "campaigns": campaigns,
        "stores": stores,
    }


@pytest.fixture(scope="module")
def planted_lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    lake = tmp_path_factory.mktemp("planted_lake")
    generate_lake(lake, GeneratorConfig(persons=150, days=2, seed=5), progress=False)
    first = next((lake / "raw" / "app_events").glob("dt=*/*.jsonl*"))
    text = first.read_bytes()
    if first.suffix == ".gz":
        import gzip

        text = gzip.decompress(text)
    person = next(
        json.loads(line) for line in text.decode().splitlines() if '"user_pin"' in line and '"device_id"' in line
    )
    for source, lines in _lines(person["device_id"], person["user_pin"]).items():
        folder = lake / "raw" / source / f"dt={DT}"
        folder.mkdir(parents=True, exist_ok=True)
        data = ("\n".join(lines) + "\n").encode()
        if source == "app_events":
            # An invalid UTF-8 byte and a control byte in lines holding the phone and the email (sidecar path).
            data += f'{{"keyword": "{PHONE} {EMAIL}\xff"}}\n'.encode("latin-1")
            data += f'{{"keyword": "{PHONE}\x01{EMAIL}"}}\n'.encode()
        (folder / "planted.jsonl").write_bytes(data)
    return lake


def _found_in_database(path: Path, exclude_schemas: tuple[str, ...]) -> list[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        columns = con.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where table_schema not in ('information_schema', 'pg_catalog')"
        ).fetchall()
        found = []
        for schema, table, column in columns:
            if schema in exclude_schemas:
                continue
            value = f'cast("{column}" as varchar)'
            n = con.execute(
                f'select count(*) from "{schema}"."{table}" '
                f"where regexp_matches({value}, ?) or contains(lower({value}), ?)",
                [PHONE_SQL, EMAIL_LOWER],
            ).fetchone()[0]
            if n:
                found.append(f"{schema}.{table}.{column}: {n} rows")
        return found
    finally:
        con.close()


def _found_in_text(text: str) -> bool:
    return bool(PHONE_RE.search(text)) or EMAIL_LOWER in text.lower()


def test_planted_personal_data_never_leaves_staging(
    planted_lake: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    lake = planted_lake
    # dbt writes its log under the lake (not a folder shared by the session), so it can be read below.
    monkeypatch.delenv("DBT_LOG_PATH", raising=False)
    monkeypatch.delenv("DBT_TARGET_PATH", raising=False)
    with caplog.at_level(logging.DEBUG, logger="facetlake"):
        run_build(lake, engine="duckdb", quiet=True)
    writer, serving = paths.warehouse_path(lake), paths.serving_path(lake)

    # The plant reached staging: the quarantine holds the broken lines, the searches were staged.
    con = duckdb.connect(str(writer), read_only=True)
    try:
        quarantined = con.execute(
            "select count(*) from staging.quarantined_lines where contains(raw_line, ?)", [PHONE]
        ).fetchone()[0]
        searches = con.execute(
            "select count(*) from staging.stg_raw__app_events where event_id like 'pii-search-%'"
        ).fetchone()[0]
        top_keyword = con.execute(
            "select count(*) from marts.user_tags_wide where top_search_keyword in ('[phone]', '[email]')"
        ).fetchone()[0]
    finally:
        con.close()
    assert quarantined >= 4 and searches == 3 * len(TEXT_FORMS) and top_keyword >= 1

    runner = CliRunner()
    created = runner.invoke(
        main, ["crowd", "create", "pii_all", "--rule", "search_heavy or gender in (F, M)", "--lake", str(lake)]
    )
    assert created.exit_code == 0, created.output
    for channel in ("dsp", "sms"):
        exported = runner.invoke(main, ["crowd", "export", "pii_all", "--to", channel, "--lake", str(lake)])
        assert exported.exit_code == 0, exported.output

    assert _found_in_database(writer, exclude_schemas=("staging",)) == []
    assert _found_in_database(serving, exclude_schemas=()) == []
    export_files = [p for p in (lake / "exports").rglob("*") if p.is_file()]
    assert export_files
    assert [str(p) for p in export_files if _found_in_text(p.read_bytes().decode("utf-8", "replace"))] == []
    dbt_log = paths.dbt_log_dir(lake) / "dbt.log"
    assert dbt_log.exists()
    assert not _found_in_text(dbt_log.read_text(errors="replace"))
    assert not [r.getMessage() for r in caplog.records if _found_in_text(r.getMessage())]
