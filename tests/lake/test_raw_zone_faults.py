"""No file or line of the raw zone can fail a build, and every file is accounted for (issue 9, items 1-2).

One small generated lake gets every kind of bad input planted in it, then builds. Each planted line must be
quarantined at its exact file and line with its exact reason, each unreadable or skipped file must be listed
in fct_raw_files with its reason, and the lines must reconcile exactly per file and per source and dt.
Then a file added to an old dt and a file removed from it are picked up by a normal build.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from facetlake.build import run_build
from facetlake.generator import GeneratorConfig, generate_lake
from facetlake.raw_zone import read_manifest
from facetlake.warehouse import query


def _event(event_id: str, **extra: str) -> bytes:
    record = {
        "event_id": event_id,
        "event_time": "2026-10-01T08:00:00+08:00",
        "event_type": "page_view",
        "device_id": "dev-fault",
    }
    return json.dumps(record | extra).encode()


def _order(order_id: str, line_no: str, quantity: str) -> bytes:
    return (
        f'{{"order_id":"{order_id}","line_no":{line_no},"order_time":"2026-10-01T08:00:00+08:00",'
        f'"user_pin":"pin-fault","sku_id":"SKU-1","quantity":{quantity},"unit_price":9.9}}'
    ).encode()


# Lines of the planted app_events file bad_bytes.jsonl: (bytes, line ending, reason or None when staged).
BAD_BYTES_LINES: list[tuple[bytes, bytes, str | None]] = [
    (_event("fault-1"), b"\r\n", None),  # CRLF here, LF below: mixed line endings
    (_event("fault-2", keyword="caf\xe9").replace(b"\\u00e9", b"\xe9"), b"\n", "invalid_utf8"),
    (_event("fault-3", keyword="x" * 5_000_000), b"\n", "line_too_long"),
    (_event("fault-4", keyword="a\x01b").replace(b"\\u0001", b"\x01"), b"\n", "control_byte"),
    (_event("fault-5").replace(b'"event_time"', b'\r"event_time"'), b"\n", "stray_cr"),
    (_event("fault-6"), b"\n", None),
]
BIG_NUMBER_LINES = [
    (_order("fault-o1", "1", "9223372036854775808"), "bad_number:quantity"),
    (_order("fault-o2", "99999999999999999999", "1"), "bad_number:line_no"),
    (_order("fault-o3", "1", "2"), None),
]
# Files that are not read, relative to raw/app_events/, with the status and reason they must be listed with.
NOT_READ = {
    "{dt}/empty.jsonl.gz": ("unreadable", "empty_gzip"),
    "{dt}/truncated.jsonl.gz": ("unreadable", "truncated_gzip"),
    "{dt}/bad_crc.jsonl.gz": ("unreadable", "corrupt_gzip"),
    "{dt}/plain_text.jsonl.gz": ("unreadable", "not_gzip"),
    "{dt}/arriving.jsonl.gz.tmp": ("skipped", "in_flight_file"),
    "{dt}/old.jsonl.bak": ("skipped", "unsupported_extension"),
    "{dt}/.hidden.jsonl": ("skipped", "hidden_file"),
    "{dt}/events.json": ("skipped", "unsupported_extension"),
    "{dt}/EVENTS.JSONL": ("skipped", "extension_case"),
    "dt=2026-13-45/a.jsonl": ("skipped", "invalid_partition_date"),
    "dt=latest/a.jsonl": ("skipped", "bad_partition_name"),
}


def _plant(lake: Path) -> str:
    """Plant every kind of bad input; return the dt folder (the oldest) it went into."""
    events = lake / "raw" / "app_events"
    dt_folder = sorted(p.name for p in events.glob("dt=*"))[0]
    (events / dt_folder / "bad_bytes.jsonl").write_bytes(b"".join(line + end for line, end, _ in BAD_BYTES_LINES))
    orders = lake / "raw" / "orders" / dt_folder
    (orders / "big_numbers.jsonl").write_bytes(b"".join(line + b"\n" for line, _ in BIG_NUMBER_LINES))
    whole = gzip.compress(b"".join(_event(f"trunc-{i}") + b"\n" for i in range(2000)))
    for relative in NOT_READ:
        path = events / relative.format(dt=dt_folder)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_event("never-read") + b"\n")
    (events / dt_folder / "empty.jsonl.gz").write_bytes(b"")
    (events / dt_folder / "truncated.jsonl.gz").write_bytes(whole[: len(whole) // 2])
    bad_crc = bytearray(whole)
    bad_crc[-8] ^= 0xFF  # the CRC-32 in the gzip trailer
    (events / dt_folder / "bad_crc.jsonl.gz").write_bytes(bytes(bad_crc))
    # Concatenated gzip members are one valid file (`cat a.gz b.gz`): read whole.
    members = [gzip.compress(_event(f"member-{i}") + b"\n") for i in range(3)]
    (events / dt_folder / "members.jsonl.gz").write_bytes(b"".join(members))
    return dt_folder


@pytest.fixture(scope="module")
def faulty_lake(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    lake = tmp_path_factory.mktemp("faulty_lake")
    generate_lake(lake, GeneratorConfig(persons=200, days=3, seed=9), progress=False)
    dt_folder = _plant(lake)
    run_build(lake, engine="duckdb", quiet=True)  # must not raise
    return lake, dt_folder


def _expected_lines(path: Path) -> int:
    data = path.read_bytes()
    data = gzip.decompress(data) if path.name.endswith(".gz") else data
    return data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)


def test_each_bad_line_is_quarantined_at_its_place_with_its_reason(faulty_lake: tuple[Path, str]) -> None:
    lake, _ = faulty_lake
    rows = query(
        lake,
        "select source_name, regexp_extract(file_name, '[^/]+$'), line_number, rejection_reason "
        "from staging.quarantined_lines where file_name like '%bad_bytes.jsonl' or file_name like '%big_numbers%'",
    )
    expected = {("app_events", "bad_bytes.jsonl", n, r) for n, (_, _, r) in enumerate(BAD_BYTES_LINES, 1) if r}
    expected |= {("orders", "big_numbers.jsonl", n, r) for n, (_, r) in enumerate(BIG_NUMBER_LINES, 1) if r}
    assert set(rows) == expected
    staged = query(lake, "select event_id from staging.stg_raw__app_events where event_id like 'fault-%'")
    assert sorted(r[0] for r in staged) == ["fault-1", "fault-6"]
    assert query(lake, "select count(*) from staging.stg_raw__order_lines where order_id = 'fault-o3'") == [(1,)]
    members = query(lake, "select event_id from staging.stg_raw__app_events where event_id like 'member-%'")
    assert sorted(r[0] for r in members) == ["member-0", "member-1", "member-2"]
    # Nothing of a file that is not read reaches staging.
    never = "select count(*) from staging.base_raw__app_events where raw_line like '%never-read%' or record_key"
    assert query(lake, never + " = 'never-read' or record_key like 'trunc-%'") == [(0,)]


def test_every_file_is_listed_with_its_status_and_reason(faulty_lake: tuple[Path, str]) -> None:
    lake, dt_folder = faulty_lake
    events = lake / "raw" / "app_events"
    listed = {
        row[0]: row[1:]
        for row in query(
            lake,
            "select file_name, status, reason, lines_before_error, lines_loaded, load_state from marts.fct_raw_files",
        )
    }
    for relative, (status, reason) in NOT_READ.items():
        got = listed[str(events / relative.format(dt=dt_folder))]
        assert got[:2] == (status, reason), relative
        assert got[3] is None and got[4] == "not_loaded", relative
    truncated = listed[str(events / dt_folder / "truncated.jsonl.gz")]
    assert 0 < truncated[2] < 2000
    bad_bytes = listed[str(events / dt_folder / "bad_bytes.jsonl")]
    assert bad_bytes[0] == "sidecar"
    assert set(bad_bytes[1].split(",")) == {"invalid_utf8", "line_too_long", "control_byte", "stray_cr"}
    # Every file on disk is listed, and nothing else.
    on_disk = {str(p) for p in (lake / "raw").rglob("*") if p.is_file()}
    assert set(listed) == on_disk


def test_lines_reconcile_per_file_and_per_source_and_dt(faulty_lake: tuple[Path, str]) -> None:
    lake, _ = faulty_lake
    files = query(lake, "select file_name, status, lines, lines_loaded, load_state from marts.fct_raw_files")
    read = [row for row in files if row[1] in ("ok", "sidecar")]
    assert read
    for file_name, _, lines, lines_loaded, load_state in read:
        assert lines == _expected_lines(Path(file_name)) == lines_loaded, file_name
        assert load_state == "loaded", file_name
    per_dt: dict[tuple[str, str], int] = {}
    for row in read_manifest(lake):
        if row["status"] in ("ok", "sidecar"):
            key = (row["source_name"], row["dt"].isoformat())
            per_dt[key] = per_dt.get(key, 0) + row["lines"]
    counts = query(
        lake,
        "select source_name, cast(dt as varchar), lines_read, rows_staged, duplicates_removed, lines_quarantined "
        "from marts.fct_raw_line_reconciliation",
    )
    assert {(s, d): n for s, d, n, *_ in counts} == {key: n for key, n in per_dt.items() if n}
    for source, dt, lines_read, staged, duplicates, quarantined in counts:
        assert lines_read == staged + duplicates + quarantined, (source, dt)


def test_a_file_added_to_or_removed_from_an_old_dt_is_picked_up_by_a_normal_build(
    faulty_lake: tuple[Path, str],
) -> None:
    lake, dt_folder = faulty_lake
    events = lake / "raw" / "app_events" / dt_folder
    (events / "late.jsonl").write_bytes(b"".join(_event(f"late-{i}") + b"\n" for i in range(3)))
    (events / "bad_bytes.jsonl").unlink()
    run_build(lake, engine="duckdb", quiet=True)
    staged = query(lake, "select event_id from staging.stg_raw__app_events where event_id like 'late-%'")
    assert sorted(r[0] for r in staged) == ["late-0", "late-1", "late-2"]
    files = {
        row[0]: row[1:]
        for row in query(lake, "select file_name, status, reason, lines_loaded, load_state from marts.fct_raw_files")
    }
    assert files[str(events / "late.jsonl")] == ("ok", None, 3, "loaded")
    assert files[str(events / "bad_bytes.jsonl")] == ("vanished", "file_removed", None, "not_loaded")
    assert query(lake, "select count(*) from staging.base_raw__app_events where file_name like '%bad_bytes%'") == [(0,)]
    counts = query(
        lake,
        "select count(*) from marts.fct_raw_line_reconciliation "
        "where lines_read <> rows_staged + duplicates_removed + lines_quarantined",
    )
    assert counts == [(0,)]
