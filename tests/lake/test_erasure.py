"""Erasure (PIPL art. 47, GDPR art. 17): `facetlake erase` leaves nothing of a person in the warehouse, the
serving copy, exports, uploads or raw files, keeps only hashes, and a raw file arriving later with the person's
lines does not bring them back."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

from facetlake import paths
from facetlake.build import run_build
from facetlake.crowds.registry import phone_sha256
from facetlake.crowds.service import create_rule_crowd, create_upload_crowd, export_crowd
from facetlake.erasure import service, suppression
from facetlake.erasure.identifiers import line_hashes, suppression_hash
from facetlake.generator import GeneratorConfig, generate_lake
from facetlake.raw_zone import read_manifest
from facetlake.warehouse import query


def _raw_lines(lake: Path) -> list[tuple[Path, bytes]]:
    found = []
    for path in sorted(paths.raw_zone(lake).rglob("*.jsonl*")):
        opener = gzip.open if path.name.endswith(".gz") else open
        with opener(path, "rb") as handle:
            found += [(path, line) for line in handle]
    return found


def _values_in(con: duckdb.DuckDBPyConnection, values: set[str]) -> dict[str, int]:
    """Rows of every table and view whose text columns hold one of `values` (by value, every schema)."""
    listed = ", ".join("'" + v.replace("'", "''") + "'" for v in sorted(values))
    columns = con.execute(
        "select table_schema, table_name, column_name from information_schema.columns "
        "where data_type = 'VARCHAR' and table_schema not in ('information_schema', 'pg_catalog')"
    ).fetchall()
    assert len(columns) > 100, "the warehouse was not built"
    found = {}
    for schema, table, column in columns:
        n = con.execute(f'select count(*) from "{schema}"."{table}" where "{column}" in ({listed})').fetchone()[0]
        if n:
            found[f"{schema}.{table}.{column}"] = n
    return found


def _warehouse_hits(lake: Path, values: set[str]) -> dict[str, int]:
    hits = {}
    for label, path in (("warehouse", paths.warehouse_path(lake)), ("serving", paths.serving_path(lake))):
        con = duckdb.connect(str(path), read_only=True)
        try:
            hits |= {f"{label}:{k}": v for k, v in _values_in(con, values).items()}
        finally:
            con.close()
    return hits


def _reconciles(lake: Path) -> None:
    rows = query(
        lake,
        "select source_name, cast(dt as varchar), lines_read, rows_staged, duplicates_removed, lines_quarantined "
        "from marts.fct_raw_line_reconciliation",
    )
    assert rows
    on_disk: dict[tuple[str, str], int] = {}
    for path, _ in _raw_lines(lake):
        key = (path.parent.parent.name, path.parent.name[3:])
        on_disk[key] = on_disk.get(key, 0) + 1
    assert {(s, d): read for s, d, read, *_ in rows} == on_disk
    for source, dt, read, staged, dupes, quarantined in rows:
        assert read == staged + dupes + quarantined, (source, dt)


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("erasure_lake")
    generate_lake(root, GeneratorConfig(persons=300, days=3, seed=11), progress=False)
    run_build(root, engine="duckdb", quiet=True)
    return root


def test_erase_by_phone_and_user_pin_leaves_nothing(lake: Path) -> None:
    truth = pd.read_parquet(lake / "truth" / "identifiers.parquet")
    own = truth[~truth["is_shared"]]
    mapped = pd.DataFrame(
        query(lake, "select id_type, id_value, super_id from marts.identity_map"),
        columns=["id_type", "id_value", "super_id"],
    )
    # Person A: erased by a raw phone as a CRM line typed it. Person B: by a user_pin. Both known persons.
    crm_phones = {}
    for _, line in _raw_lines(lake):
        try:
            record = json.loads(line) if b'"member_id"' in line else None
        except ValueError:  # the generator plants malformed lines
            continue
        if isinstance(record, dict) and isinstance(record.get("phone"), str):
            crm_phones.setdefault(phone_sha256(record["phone"]), record["phone"])
    # Persons the warehouse resolved whole (all their own identifiers in one super_id), so that erasing by one
    # identifier must reach every other.
    joined = mapped.merge(own, on=["id_type", "id_value"])
    whole = joined.groupby("person_id")["super_id"].nunique()
    whole = set(whole[whole == 1].index) & set(joined["person_id"])
    phones = own[(own["id_type"] == "phone_sha256") & own["id_value"].isin(crm_phones) & own["person_id"].isin(whole)]
    pins = own[(own["id_type"] == "user_pin") & own["person_id"].isin(whole)]
    person_a = next(p for p in phones["person_id"] if p in set(pins["person_id"]))
    person_b = next(p for p in pins["person_id"] if p != person_a)
    raw_phone = crm_phones[phones[phones["person_id"] == person_a]["id_value"].iat[0]]
    pin_b = pins[pins["person_id"] == person_b]["id_value"].iat[0]
    own_keys = {(t, v) for t, v in zip(own["id_type"], own["id_value"], strict=True)}
    sids = set(joined[joined["person_id"].isin([person_a, person_b])]["super_id"])
    assert sids
    # Everything the warehouse knew of them: every identifier of their super_ids, the super_ids, node keys.
    theirs = mapped[mapped["super_id"].isin(sids)]
    values = (
        set(theirs["id_value"])
        | sids
        | {f"{t}:{v}" for t, v in zip(theirs["id_type"], theirs["id_value"], strict=True)}
    )
    assert not set(zip(theirs["id_type"], theirs["id_value"], strict=True)) - own_keys, "a shared id in a person"

    # A crowd of everyone, exported to both channels, and an upload naming person B.
    create_rule_crowd(lake, "erasure_all", "all", build=False)
    upload = paths.uploads_dir(lake) / "vip"
    upload.mkdir(parents=True)
    others = list(pins[pins["person_id"] != person_b]["id_value"].iloc[:5])
    (upload / "list.csv").write_text("user_pin\n" + "\n".join([pin_b, *others]) + "\n")
    create_upload_crowd(lake, "vip", "vip")  # builds the crowd marts
    for channel in ("dsp", "sms"):
        export_crowd(lake, "erasure_all", channel)
    exported = "".join(p.read_text() for p in paths.exports_dir(lake).rglob("*.csv"))
    assert any(v in exported for v in values), "the export does not hold the persons: the test cannot fail"
    before_hits = _warehouse_hits(lake, values)
    assert any("int_super_ids_assigned" in k for k in before_hits)
    lines_before = len(_raw_lines(lake))

    requested = service.normalise_request([("phone", raw_phone), ("user_pin", pin_b)])
    report = service.erase(lake, requested)
    print(report.describe())

    assert report.resolution.super_ids >= sids
    assert {p for p in joined[joined["super_id"].isin(report.resolution.super_ids)]["person_id"]} == {
        person_a,
        person_b,
    }
    assert report.remaining == {}
    assert report.raw_lines_removed > 0
    assert any(k.startswith("intermediate.int_super_ids_assigned") for k in report.rows_deleted)
    assert report.rows_deleted.get("registry.crowd_upload_identifiers", 0) >= 1
    # Nothing of them in any table or view of either database, by value.
    assert _warehouse_hits(lake, values) == {}
    # Nor in any export or upload; the export's manifest follows its file.
    for path in [*paths.exports_dir(lake).rglob("*"), *paths.uploads_dir(lake).rglob("*")]:
        if path.is_file():
            text = path.read_text()
            assert not [v for v in values if v in text], path
    for manifest in paths.exports_dir(lake).rglob("manifest.json"):
        data = json.loads(manifest.read_text())
        body = (manifest.parent / data["file"]).read_text()
        assert data["identifiers"] == body.count("\n") - 1
    # The raw zone holds none of their lines; the manifest records each rewrite.
    hashes = {suppression_hash(t, v) for t, v in zip(theirs["id_type"], theirs["id_value"], strict=True)}
    lines_after = _raw_lines(lake)
    assert len(lines_after) == lines_before - report.raw_lines_removed
    plain = {v for t, v in zip(theirs["id_type"], theirs["id_value"], strict=True) if t in ("device_id", "user_pin")}
    for path, line in lines_after:
        assert not set(line_hashes(line.rstrip(b"\n"))) & hashes, path
        assert not [v for v in plain if v.encode() in line], path
    assert raw_phone.encode() not in b"".join(line for _, line in lines_after)
    manifest = {row["relative_path"]: row for row in read_manifest(lake)}
    for relative, removed in report.raw_files_rewritten.items():
        assert manifest[relative]["erased_lines"] == removed
        assert manifest[relative]["rewritten_at"] is not None
    # The suppression list holds hashes only.
    table = pq.read_table(paths.suppression_list_path(lake))
    assert table.column_names == ["id_hash", "id_type", "request_id", "suppressed_at"]
    stored = set(table.column("id_hash").to_pylist())
    assert stored >= hashes and all(re.fullmatch(r"[0-9a-f]{64}", h) for h in stored)
    assert not stored & values and raw_phone not in paths.suppression_list_path(lake).read_bytes().decode("latin-1")
    log = paths.erasure_log_path(lake).read_text()
    assert not [v for v in values | {raw_phone} if v in log]
    _reconciles(lake)

    # A file arriving later with one of their lines: the scan removes it before staging reads it.
    late_dir = paths.raw_zone(lake) / "app_events" / "dt=2026-10-09"
    late_dir.mkdir()
    device = next(v for t, v in zip(theirs["id_type"], theirs["id_value"], strict=True) if t == "device_id")
    back = {
        "event_id": "late-erased-1",
        "event_time": "2026-10-03T10:00:00+08:00",
        "event_type": "login",
        "device_id": device,
        "user_pin": pin_b,
    }
    kept = back | {"event_id": "late-kept-1", "device_id": "dev-late-not-erased", "user_pin": "u-late-kept"}
    (late_dir / "late.jsonl").write_text(json.dumps(back) + "\n" + json.dumps(kept) + "\n")
    run_build(lake, engine="duckdb", quiet=True)
    assert _warehouse_hits(lake, values) == {}
    assert (late_dir / "late.jsonl").read_text().count("\n") == 1
    row = {r["relative_path"]: r for r in read_manifest(lake)}["app_events/dt=2026-10-09/late.jsonl"]
    assert row["erased_lines"] == 1 and row["lines"] == 1
    assert query(lake, "select count(*) from marts.identity_map where id_value = 'u-late-kept'")[0][0] == 1
    _reconciles(lake)


def test_empty_suppression_list_parses_nothing(tmp_path: Path) -> None:
    assert not suppression.load(tmp_path)
    assert suppression.load(tmp_path).version is None


def test_shared_device_is_not_erased_wholesale_cli(lake: Path, tmp_path: Path) -> None:
    """Naming a shared device (a household tablet) through the CLI's --from-file suppresses nothing of it: its
    lines stay, and so does every person who used it."""
    from click.testing import CliRunner

    from facetlake.cli import main

    shared = query(lake, "select id_value from marts.shared_identifiers where id_type = 'device_id' limit 1")
    assert shared, "the generator plants shared devices"
    device = shared[0][0]
    lines_with_it = sum(device.encode() in line for _, line in _raw_lines(lake))
    assert lines_with_it
    requests = tmp_path / "requests.txt"
    requests.write_text(f"# a household tablet\ndevice_id={device}\n")
    result = CliRunner().invoke(main, ["erase", "--lake", str(lake), "--from-file", str(requests), "--yes"])
    assert result.exit_code == 0, result.output
    assert "shared (not erased wholesale" in result.output
    assert suppression_hash("device_id", device) not in suppression.load(lake).hashes
    assert sum(device.encode() in line for _, line in _raw_lines(lake)) == lines_with_it
    assert query(lake, f"select count(*) from marts.shared_identifiers where id_value = '{device}'")[0][0] == 1


def test_request_file_formats(tmp_path: Path) -> None:
    csv_file = tmp_path / "r.csv"
    csv_file.write_text("phone,member_id,brand_id\n138 0013 8000,M1,B01\n,B02:M2,\n")
    assert service.normalise_request(service.read_request_file(csv_file)) == sorted(
        [
            ("phone_sha256", phone_sha256("13800138000")),
            ("member_id", "B01:M1"),
            ("member_id", "B02:M2"),
        ]
    )
    bad = tmp_path / "bad.txt"
    bad.write_text("phone=12\n")
    with pytest.raises(service.ErasureError, match="not a valid phone"):
        service.normalise_request(service.read_request_file(bad))


def test_raw_lines_match_the_forms_staging_keys(tmp_path: Path) -> None:
    """A phone typed as a user_pin is keyed by staging as its hash (pseudonymize_identifier): the suppression
    hash of that form removes the raw line; a cut line is still read; other lines and bytes stay as they were."""
    from facetlake.erasure.identifiers import pseudonymize
    from facetlake.erasure.rewrite import erase_lines

    pin = pseudonymize("138 0013 8000")
    assert pin.startswith("phone_sha256:")
    lines = [
        b'{"event_id":"e1","device_id":"d1","user_pin":"138 0013 8000"}\r\n',
        b'{"event_id":"e2","device_id":"d2"}\r\n',
        b'{"member_id":"M9","brand_id":"B01","phone":"(+86)189-9099-55\n',
        b"not json at all\n",
    ]
    path = tmp_path / "part.jsonl.gz"
    path.write_bytes(gzip.compress(b"".join(lines)))
    suppressed = frozenset({suppression_hash("user_pin", pin), suppression_hash("member_id", "B01:M9")})
    result = erase_lines(path, suppressed)
    assert result is not None and (result.lines_read, result.lines_removed) == (4, 2)
    assert gzip.decompress(path.read_bytes()) == lines[1] + lines[3]
    assert not list(tmp_path.glob(".*"))
