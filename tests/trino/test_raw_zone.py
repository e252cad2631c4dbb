"""The raw zone on Trino: lines come through byte for byte, partitions follow the dt folders, and line numbers
are the lines' positions in their files, also for a file big enough to be cut into several splits."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest

from facetlake.build import run_build
from facetlake.paths import RAW_SOURCES
from facetlake.trino.catalogs import prepare_raw_tables
from facetlake.trino.config import TrinoSettings

pytestmark = pytest.mark.trino

# Bytes Hive's text format would otherwise mangle (\x01 splits fields, \N is NULL, a backslash escapes),
# blank lines, CRLF endings, a byte-order mark, bytes that are not UTF-8 and a last line without a newline.
TRICKY = (
    b"\xef\xbb\xbf" + b'{"a":"bom at the start of the file"}\n'
    b'{"path":"C:\\\\temp\\\\x","tab":"\\t"}\n'
    b"\n"
    b"\\N\n"
    b"field\x01separator\x01inside\n"
    b"   \n"
    b"crlf line\r\n"
    b"lone cr\rsplits here\n"
    b"not utf-8: \xff\xfe\n"
    b'{"unicode":"\xe4\xb8\xad\xe6\x96\x87 \\u00e9"}\n'
    b"last line without newline"
)
# What a line is, as Trino's text reader (and DuckDB's) cuts it: at \n, \r\n or a lone \r; a byte-order
# mark at the very start is not part of the first line; a final newline does not start another line.
EXPECTED = [
    b'{"a":"bom at the start of the file"}',
    b'{"path":"C:\\\\temp\\\\x","tab":"\\t"}',
    b"",
    b"\\N",
    b"field\x01separator\x01inside",
    b"   ",
    b"crlf line",
    b"lone cr",
    b"splits here",
    b"not utf-8: \xff\xfe",
    b'{"unicode":"\xe4\xb8\xad\xe6\x96\x87 \\u00e9"}',
    b"last line without newline",
]


def _settings(node, name: str) -> TrinoSettings:
    """A small lake of its own under the node's lake, seen by the node at local:///<name>."""
    return TrinoSettings(port=node.port, lake_uri=f"local:///{name}", schema_prefix=f"{name}_")


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)


def test_lines_come_through_byte_for_byte(trino_node) -> None:
    settings = _settings(trino_node, "bytes")
    folder = trino_node.lake / "bytes" / "raw" / "edge_cases" / "dt=2026-11-01"
    _write(folder / "plain.jsonl", TRICKY)
    _write(folder / "packed.jsonl.gz", TRICKY)
    assert prepare_raw_tables(settings, ["edge_cases"]).partitions == {"edge_cases": 1}
    rows = trino_node.query(
        "select \"$path\", to_hex(to_utf8(line)) from hive.bytes_raw.edge_cases where dt = '2026-11-01'"
    )
    by_file: dict[str, list[bytes]] = {}
    for path, hex_line in rows:
        assert hex_line is not None, "a line read as NULL"
        by_file.setdefault(path.rsplit("/", 1)[1], []).append(bytes.fromhex(hex_line))
    assert set(by_file) == {"plain.jsonl", "packed.jsonl.gz"}
    for name, lines in by_file.items():
        assert sorted(lines) == sorted(EXPECTED), name


def test_partitions_follow_the_dt_folders(trino_node) -> None:
    settings = _settings(trino_node, "parts")
    raw = trino_node.lake / "parts" / "raw" / "orders"
    for dt in ("2026-11-01", "2026-11-02"):
        _write(raw / f"dt={dt}" / "part-0.jsonl", f'{{"dt":"{dt}"}}\n'.encode())
    first = prepare_raw_tables(settings, ["orders"])
    assert first.partitions == {"orders": 2} and first.created == ["orders"]
    # A new arrival date appears, a removed one disappears (FULL sync); the table itself is kept.
    _write(raw / "dt=2026-11-03" / "part-0.jsonl", b'{"dt":"2026-11-03"}\n{"dt":"again"}\n')
    shutil.rmtree(raw / "dt=2026-11-01")
    again = prepare_raw_tables(settings, ["orders"])
    assert again.partitions == {"orders": 2} and again.created == []
    counts = trino_node.query("select dt, count(*) from hive.parts_raw.orders group by dt order by dt")
    assert counts == [["2026-11-02", 1], ["2026-11-03", 2]]


def test_an_outdated_raw_table_is_recreated(trino_node) -> None:
    settings = _settings(trino_node, "stale")
    _write(trino_node.lake / "stale" / "raw" / "stores" / "dt=2026-11-01" / "a.jsonl", b"x\x01y\n")
    trino_node.query("create schema if not exists hive.stale_raw")
    # As a plain Hive text table would be: \x01 splits the line, so only "x" would be read.
    trino_node.query(
        "create table hive.stale_raw.stores (line varchar, dt varchar) with (format = 'TEXTFILE', "
        "external_location = 'local:///stale/raw/stores', partitioned_by = array['dt'])"
    )
    assert prepare_raw_tables(settings, ["stores"]).created == ["stores"]
    assert trino_node.query("select to_hex(to_utf8(line)) from hive.stale_raw.stores") == [[b"x\x01y".hex().upper()]]


LINES_IN_BIG_FILE = 320_000


def _app_event(number: int) -> str:
    # Padded so the file passes Trino's default split sizes (32 MB first splits, 64 MB after).
    return json.dumps(
        {
            "event_id": f"e{number}",
            "event_time": "2026-11-01T08:00:00+08:00",
            "event_type": "page_view",
            "device_id": f"d{number % 97}",
            "keyword": "x" * (number % 80),
        },
        separators=(",", ":"),
    )


def test_line_numbers_are_positions_in_the_file_even_across_splits(trino_node, monkeypatch) -> None:
    """Built by dbt through base_raw__app_events: each line's number must be the one written into it."""
    name = "order"
    lake = trino_node.lake / name
    for source in RAW_SOURCES:
        (lake / "raw" / source).mkdir(parents=True, exist_ok=True)
    folder = lake / "raw" / "app_events" / "dt=2026-11-01"
    folder.mkdir()
    big = "\n".join(_app_event(n) for n in range(1, LINES_IN_BIG_FILE + 1)) + "\n"
    (folder / "big.jsonl").write_text(big)
    assert (folder / "big.jsonl").stat().st_size > 40_000_000
    small = "\n".join(_app_event(n) for n in range(1, 20_001)) + "\n"
    (folder / "small.jsonl.gz").write_bytes(gzip.compress(small.encode()))

    monkeypatch.setenv("FACETLAKE_TRINO_PORT", str(trino_node.port))
    monkeypatch.setenv("FACETLAKE_TRINO_LAKE_URI", f"local:///{name}")
    monkeypatch.setenv("FACETLAKE_SCHEMA_PREFIX", f"{name}_")
    run_build(lake, engine="trino", select="base_raw__app_events", quiet=True)

    rows = trino_node.query(
        "select regexp_extract(file_name, '[^/]+$'), count(*), "
        "count_if(line_number <> cast(substr(event_id, 2) as bigint)), min(line_number), max(line_number) "
        "from iceberg.order_staging.base_raw__app_events group by 1 order by 1"
    )
    assert rows == [
        ["big.jsonl", LINES_IN_BIG_FILE, 0, 1, LINES_IN_BIG_FILE],
        ["small.jsonl.gz", 20_000, 0, 1, 20_000],
    ]


def test_only_the_files_the_manifest_reads_are_read(trino_node, monkeypatch) -> None:
    """A truncated .gz, an in-flight .tmp and a dt=latest folder beside good files: the build succeeds and
    reads exactly the good files (the raw manifest's `ok` ones, by "$path")."""
    name = "unread"
    lake = trino_node.lake / name
    for source in RAW_SOURCES:
        (lake / "raw" / source).mkdir(parents=True, exist_ok=True)
    events = lake / "raw" / "app_events"
    good = "\n".join(_app_event(n) for n in range(1, 11)) + "\n"
    _write(events / "dt=2026-11-01" / "good.jsonl", good.encode())
    _write(events / "dt=2026-11-01" / "good.jsonl.gz", good.encode())
    whole = gzip.compress("".join(_app_event(n) + "\n" for n in range(1, 2001)).encode())
    (events / "dt=2026-11-01" / "truncated.jsonl.gz").write_bytes(whole[: len(whole) // 2])
    (events / "dt=2026-11-01" / "arriving.jsonl.gz.tmp").write_bytes(whole[:100])
    _write(events / "dt=latest" / "a.jsonl", good.encode())
    # Read from its sidecar: a CRLF line, an invalid UTF-8 line, a lone CR inside a line, a clean line.
    mixed = [_app_event(101) + "\r\n", _app_event(102) + "\xff\n", _app_event(103)[:-1] + ',\r"k":1}\n']
    _write(events / "dt=2026-11-01" / "mixed.jsonl", "".join(mixed).encode("latin-1") + _app_event(104).encode())

    monkeypatch.setenv("FACETLAKE_TRINO_PORT", str(trino_node.port))
    monkeypatch.setenv("FACETLAKE_TRINO_LAKE_URI", f"local:///{name}")
    monkeypatch.setenv("FACETLAKE_SCHEMA_PREFIX", f"{name}_")
    run_build(lake, engine="trino", select="base_raw__app_events", quiet=True)

    rows = trino_node.query(
        "select regexp_extract(file_name, '[^/]+$'), count(*), min(line_number), max(line_number), "
        "count(rejection_reason) from iceberg.unread_staging.base_raw__app_events group by 1 order by 1"
    )
    assert rows == [["good.jsonl", 10, 1, 10, 0], ["good.jsonl.gz", 10, 1, 10, 0], ["mixed.jsonl", 4, 1, 4, 2]]
    rejected = trino_node.query(
        "select line_number, rejection_reason from iceberg.unread_staging.base_raw__app_events "
        "where file_name like '%mixed.jsonl' order by 1"
    )
    assert rejected == [[1, None], [2, "invalid_utf8"], [3, "stray_cr"], [4, None]]
