"""`facetlake erase`: remove persons from a lake and keep them out.

    resolve      the requested identifiers -> the persons (super_ids) holding them -> all their identifiers
    suppress     every such identifier's hash appended to <lake>/erasure/suppressed.parquet
    raw zone     the manifest scan rewrites each raw file holding a line with a suppressed identifier
    warehouse    persisted rows deleted (identity state, super_id ledger, crowd registry, any table keyed
                 by the persons' ids or identifiers); staging reloads the rewritten dts on the next build
    files        exports and uploads rewritten without the suppressed identifiers
    build        the marts rebuilt (facetlake.build.run_build), DuckDB's serving copy republished
    verify       every table counted for the persons' values; the request logged (no values)

Shared identifiers (marts.shared_identifiers: a household device) are never erased wholesale: they are
nobody's own, so they are not suppressed; a line carrying one is removed only when it also carries one of the
person's own identifiers.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from facetlake import paths
from facetlake.crowds.engine import Engine, connect, schema_name
from facetlake.crowds.rules import sql_string
from facetlake.erasure import suppression
from facetlake.erasure.identifiers import (
    IdentifierError,
    node_key,
    normalise,
    suppression_hash,
    variants,
)

CHUNK = 500


class ErasureError(RuntimeError):
    """An erasure that cannot go ahead; the message says what to do."""


@dataclass
class Resolution:
    """Who a request names: the persons found and every identifier to erase."""

    requested: list[tuple[str, str]]
    shared: list[tuple[str, str]] = field(default_factory=list)  # requested, shared: not erased wholesale
    unknown: list[tuple[str, str]] = field(default_factory=list)  # requested, in no person: suppressed anyway
    super_ids: set[str] = field(default_factory=set)  # live ids of the persons, and ids retired into them
    identifiers: set[tuple[str, str]] = field(default_factory=set)  # (id_type, id_value) to suppress

    @property
    def node_keys(self) -> set[str]:
        return {node_key(t, v) for t, v in self.identifiers}

    def by_type(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for id_type, _ in self.identifiers:
            counts[id_type] = counts.get(id_type, 0) + 1
        return dict(sorted(counts.items()))

    def describe(self) -> str:
        kinds = ", ".join(f"{t} {n}" for t, n in self.by_type().items()) or "none"
        text = (
            f"{len(self.requested)} identifiers requested: {len(self.super_ids)} super_ids found, "
            f"{len(self.identifiers)} identifiers to erase ({kinds})"
        )
        if self.shared:
            text += f"; {len(self.shared)} shared (not erased wholesale: {', '.join(t for t, _ in self.shared)})"
        if self.unknown:
            text += f"; {len(self.unknown)} not in the warehouse (suppressed all the same)"
        return text


@dataclass
class ErasureReport:
    request_id: str
    requested_at: dt.datetime
    resolution: Resolution
    suppressed_new: int = 0
    rows_deleted: dict[str, int] = field(default_factory=dict)
    raw_files_rewritten: dict[str, int] = field(default_factory=dict)
    raw_lines_checked: int = 0
    raw_seconds: float = 0.0
    files_rewritten: dict[str, int] = field(default_factory=dict)  # exports and uploads: rows removed
    remaining: dict[str, int] = field(default_factory=dict)  # after the build: rows still holding a value
    notes: list[str] = field(default_factory=list)

    @property
    def raw_lines_removed(self) -> int:
        return sum(self.raw_files_rewritten.values())

    def log_entry(self) -> dict:
        r = self.resolution
        return {
            "request_id": self.request_id,
            "requested_at": self.requested_at.isoformat(),
            "identifiers_requested": len(r.requested),
            "persons": len(r.super_ids),
            "identifiers_suppressed": r.by_type(),
            "shared_not_erased": len(r.shared),
            "unknown_suppressed": len(r.unknown),
            "suppression_rows_added": self.suppressed_new,
            "rows_deleted": self.rows_deleted,
            "raw_files_rewritten": self.raw_files_rewritten,
            "raw_lines_removed": self.raw_lines_removed,
            "exports_uploads_rewritten": self.files_rewritten,
            "rows_remaining": self.remaining,
            "notes": self.notes,
        }

    def describe(self) -> str:
        lines = [f"erasure {self.request_id}: {self.resolution.describe()}"]
        lines.append(f"  suppression list: {self.suppressed_new} new hashes")
        rate = self.raw_lines_checked / self.raw_seconds if self.raw_seconds else 0.0
        lines.append(
            f"  raw zone: {self.raw_lines_removed} lines removed from {len(self.raw_files_rewritten)} files "
            f"({self.raw_lines_checked} lines checked, {rate:,.0f} lines/s)"
        )
        for path, n in sorted(self.raw_files_rewritten.items()):
            lines.append(f"    {path}: {n}")
        lines.append("  rows deleted from persisted tables:")
        for table, n in sorted(self.rows_deleted.items()):
            lines.append(f"    {table}: {n}")
        if self.files_rewritten:
            lines.append("  exports and uploads rewritten:")
            for path, n in sorted(self.files_rewritten.items()):
                lines.append(f"    {path}: {n} rows removed")
        left = {k: v for k, v in self.remaining.items() if v}
        lines.append("  verified: no table holds their values or super_ids" if not left else f"  STILL HELD: {left}")
        lines += [f"  note: {note}" for note in self.notes]
        return "\n".join(lines)


# ---- requests --------------------------------------------------------------------------------------------
def read_request_file(path: Path) -> list[tuple[str, str]]:
    """Identifiers from a file: a CSV whose header names identifier kinds (phone, email, user_pin, device_id,
    member_id, with brand_id beside a bare member_id) and every non-empty cell below, or a text file of
    `kind=value` lines (`#` starts a comment)."""
    text = path.read_text(encoding="utf-8-sig")
    first = next((line for line in text.splitlines() if line.strip() and not line.startswith("#")), "")
    if "=" in first and "," not in first:
        found = []
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            kind, sep, value = line.partition("=")
            if not sep:
                raise ErasureError(f"{path}:{number}: expected kind=value (e.g. phone=13800138000)")
            found.append((kind.strip(), value.strip()))
        return found
    rows = list(csv.reader(io.StringIO(text)))
    header = [h.strip().lower().replace("-", "_") for h in rows[0]] if rows else []
    kinds = [
        i
        for i, h in enumerate(header)
        if h in ("phone", "email", "user_pin", "device_id", "member_id", "union_id", "phone_sha256", "email_sha256")
    ]
    if not kinds:
        raise ErasureError(f"{path}: the header names no identifier kind (phone, email, user_pin, device_id, ...)")
    brand = header.index("brand_id") if "brand_id" in header else None
    found = []
    for row in rows[1:]:
        for i in kinds:
            value = row[i].strip() if i < len(row) else ""
            if not value:
                continue
            if header[i] == "member_id" and ":" not in value and brand is not None and brand < len(row):
                value = f"{row[brand].strip()}:{value}"
            found.append((header[i], value))
    return found


def normalise_request(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """(id_type, id_value) of each requested identifier, with the form staging gives a phone- or email-shaped
    account, device or member id (pseudonymized) beside it."""
    try:
        return sorted({v for kind, value in pairs for v in variants(*normalise(kind, value))})
    except IdentifierError as error:
        raise ErasureError(str(error)) from None


# ---- SQL helpers -----------------------------------------------------------------------------------------
def _in(column: str, values: Iterable[str]) -> str:
    """`column in (...)`, chunked into or-ed lists; false when there are no values."""
    ordered = sorted(set(values))
    if not ordered:
        return "1 = 0"
    parts = [
        f"{column} in ({', '.join(sql_string(v) for v in ordered[i : i + CHUNK])})"
        for i in range(0, len(ordered), CHUNK)
    ]
    return "(" + " or ".join(parts) + ")"


def _pairs_in(keys: list[tuple[str, str]]) -> str:
    return _in("id_type || ':' || id_value", [node_key(t, v) for t, v in keys])


def resolve(engine: Engine, requested: list[tuple[str, str]]) -> Resolution:
    """The persons holding the requested identifiers, and all of their identifiers (identity_map)."""
    resolution = Resolution(requested=requested)
    if not requested:
        return resolution
    if not engine.exists("marts", "identity_map"):
        raise ErasureError("The warehouse has no marts.identity_map yet: run `facetlake build` first.")
    shared: set[tuple[str, str]] = set()
    if engine.exists("marts", "shared_identifiers"):
        shared = {
            (t, v)
            for t, v in engine.query(
                f"select id_type, id_value from {engine.relation('marts', 'shared_identifiers')} "
                f"where {_pairs_in(requested)}"
            )
        }
    identity_map = engine.relation("marts", "identity_map")
    found = engine.query(f"select id_type, id_value, super_id from {identity_map} where {_pairs_in(requested)}")
    resolution.super_ids = {sid for _, _, sid in found}
    known = {(t, v) for t, v, _ in found}
    resolution.shared = sorted(shared)
    resolution.unknown = sorted(set(requested) - known - shared)
    if resolution.super_ids:
        rows = engine.query(
            f"select id_type, id_value from {identity_map} where {_in('super_id', resolution.super_ids)}"
        )
        resolution.identifiers = {(t, v) for t, v in rows}
        if engine.exists("marts", "super_id_merges"):
            merges = engine.relation("marts", "super_id_merges")
            retired = engine.query(f"select super_id from {merges} where {_in('live_super_id', resolution.super_ids)}")
            resolution.super_ids |= {sid for (sid,) in retired}
    resolution.identifiers |= set(resolution.unknown)
    resolution.identifiers -= shared
    return resolution


# ---- the warehouse ---------------------------------------------------------------------------------------
ID_COLUMNS = ("device_id", "user_pin", "union_id", "phone_sha256", "email_sha256")


def _base_tables(engine: Engine) -> list[tuple[str, str, list[str]]]:
    """(schema, table, columns) of every table (not view) the sweep may delete from: every schema of this
    project's prefix but staging, whose base tables are reloaded from the rewritten raw files instead (deleting
    their rows would hide the change from the manifest comparison that triggers the reload)."""
    if engine.name == "trino":
        catalog = engine.catalog  # type: ignore[attr-defined]
        info = f"{catalog}.information_schema"
    else:
        info = "information_schema"
    prefix = schema_name("")
    rows = engine.query(
        f"select c.table_schema, c.table_name, c.column_name from {info}.columns as c "
        f"inner join {info}.tables as t on c.table_schema = t.table_schema and c.table_name = t.table_name "
        "where t.table_type = 'BASE TABLE' and c.table_schema not in ('information_schema', 'pg_catalog') "
        "order by c.table_schema, c.table_name, c.ordinal_position"
    )
    tables: dict[tuple[str, str], list[str]] = {}
    for schema, table, column in rows:
        if prefix and not schema.startswith(prefix):
            continue
        if schema == schema_name("staging") or schema == schema_name("raw"):
            continue
        tables.setdefault((schema, table), []).append(column.lower())
    return [(s, t, cols) for (s, t), cols in tables.items()]


def _person_predicate(columns: list[str], resolution: Resolution) -> str | None:
    """Rows of a table that belong to the persons: keyed by one of their super_ids, node keys or identifiers."""
    values: dict[str, set[str]] = {}
    for id_type, id_value in resolution.identifiers:
        values.setdefault(id_type, set()).add(id_value)
    parts = []
    for column in columns:
        quoted = f'"{column}"'
        if column.endswith("super_id"):
            parts.append(_in(quoted, resolution.super_ids))
        elif column.endswith("node_key"):
            parts.append(_in(quoted, resolution.node_keys))
        elif column in ID_COLUMNS:
            parts.append(_in(quoted, values.get(column, set())))
        elif column == "member_key":
            parts.append(_in(quoted, values.get("member_id", set())))
    if "id_type" in columns and "id_value" in columns:
        parts.append(_in("id_type || ':' || id_value", resolution.node_keys))
    parts = [p for p in parts if p != "1 = 0"]
    return " or ".join(parts) if parts else None


def delete_persisted(engine: Engine, resolution: Resolution) -> dict[str, int]:
    """Delete the persons' rows from every table outside staging; return rows deleted per table."""
    deleted: dict[str, int] = {}
    for schema, table, columns in _base_tables(engine):
        predicate = _person_predicate(columns, resolution)
        if predicate is None:
            continue
        relation = f"{engine.catalog}.{schema}.{table}" if engine.name == "trino" else f'"{schema}"."{table}"'  # type: ignore[attr-defined]
        count = int(engine.query(f"select count(*) from {relation} where {predicate}")[0][0])
        if count:
            engine.execute(f"delete from {relation} where {predicate}")
            deleted[f"{schema}.{table}"] = count
    return deleted


def expire_trino_snapshots(engine: Engine, tables: Iterable[str]) -> list[str]:
    """Iceberg keeps deleted rows in older snapshots: compact the tables and expire those snapshots. Returns the
    tables where that failed (the catalog's minimum retention is longer: iceberg.expire-snapshots.min-retention)."""
    failed = []
    for table in tables:
        relation = f"{engine.catalog}.{table}"  # type: ignore[attr-defined]
        try:
            engine.execute(f"alter table {relation} execute optimize")
            engine.execute(f"alter table {relation} execute expire_snapshots(retention_threshold => '0s')")
            engine.execute(f"alter table {relation} execute remove_orphan_files(retention_threshold => '0s')")
        except Exception:  # noqa: BLE001 - reported, the deletes themselves stand
            failed.append(table)
    return failed


# ---- exports and uploads ---------------------------------------------------------------------------------
def _row_hashes(header: list[str], row: list[str]) -> set[str]:
    hashes = set()
    brand = header.index("brand_id") if "brand_id" in header else None
    for i, kind in enumerate(header):
        if i >= len(row) or not row[i].strip():
            continue
        value = row[i].strip()
        if kind == "member_id" and ":" not in value and brand is not None and brand < len(row):
            value = f"{row[brand].strip()}:{value}"
        try:
            hashes.add(suppression_hash(*normalise(kind, value)))
        except IdentifierError:
            continue
    return hashes


def _rewrite_csv(path: Path, suppressed: frozenset[str]) -> tuple[int, bytes] | None:
    """The CSV without rows carrying a suppressed identifier (by the header's kinds); None when none does."""
    text = path.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return None
    header = [h.strip().lower() for h in rows[0]]
    kept = [rows[0]]
    removed = 0
    for row in rows[1:]:
        if _row_hashes(header, row) & suppressed:
            removed += 1
        else:
            kept.append(row)
    if not removed:
        return None
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(kept)
    return removed, out.getvalue().encode("utf-8")


def _atomic_write(path: Path, content: bytes) -> None:
    tmp = path.with_name(f".{path.name}.erasure.tmp")
    tmp.write_bytes(content)
    os.replace(tmp, path)


def rewrite_files(lake: Path, suppressed: frozenset[str], request_id: str) -> dict[str, int]:
    """Exports (<lake>/exports/**/identifiers.csv, their manifest.json updated) and uploads
    (<lake>/uploads/*/*.csv) rewritten without the rows of suppressed identifiers."""
    changed: dict[str, int] = {}
    for root in (paths.exports_dir(lake), paths.uploads_dir(lake)):
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*.csv")):
            if any(part.startswith(".") for part in path.relative_to(root).parts) or path.is_symlink():
                continue
            result = _rewrite_csv(path, suppressed)
            if result is None:
                continue
            removed, content = result
            _atomic_write(path, content)
            changed[str(path.relative_to(lake))] = removed
            manifest = path.with_name("manifest.json")
            if root == paths.exports_dir(lake) and manifest.exists():
                data = json.loads(manifest.read_text(encoding="utf-8"))
                data["identifiers"] = max(0, int(data.get("identifiers", 0)) - removed)
                data["bytes"] = len(content)
                data["sha256"] = hashlib.sha256(content).hexdigest()
                data["erasure_requests"] = [*data.get("erasure_requests", []), request_id]
                data["erased_identifiers"] = int(data.get("erased_identifiers", 0)) + removed
                _atomic_write(manifest, (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    return changed


# ---- verification ----------------------------------------------------------------------------------------
def remaining_rows(con, resolution: Resolution, schemas: Iterable[str] | None = None) -> dict[str, int]:
    """Rows of every table and view (a DuckDB connection) whose text columns hold one of the persons' values:
    identifier values, node keys, super_ids."""
    values = {v for _, v in resolution.identifiers} | resolution.node_keys | resolution.super_ids
    if not values:
        return {}
    columns = con.execute(
        "select table_schema, table_name, column_name from information_schema.columns "
        "where data_type = 'VARCHAR' and table_schema not in ('information_schema', 'pg_catalog')"
    ).fetchall()
    wanted = set(schemas) if schemas else None
    found: dict[str, int] = {}
    for schema, table, column in columns:
        if wanted and schema not in wanted:
            continue
        n = con.execute(f'select count(*) from "{schema}"."{table}" where {_in(chr(34) + column + chr(34), values)}')
        count = int(n.fetchone()[0])
        if count:
            key = f"{schema}.{table}"
            found[key] = found.get(key, 0) + count
    return found


def _verify(lake: Path, engine: str, resolution: Resolution) -> dict[str, int]:
    if engine != "duckdb":
        e = connect(lake, engine)
        try:
            remaining: dict[str, int] = {}
            for schema, table, columns in _base_tables(e):
                predicate = _person_predicate(columns, resolution)
                if predicate:
                    n = int(e.query(f"select count(*) from {e.catalog}.{schema}.{table} where {predicate}")[0][0])  # type: ignore[attr-defined]
                    if n:
                        remaining[f"{schema}.{table}"] = n
            return remaining
        finally:
            e.close()
    import duckdb

    remaining = {}
    for label, path in (("warehouse", paths.warehouse_path(lake)), ("serving", paths.serving_path(lake))):
        if not path.exists():
            continue
        con = duckdb.connect(str(path), read_only=True)
        try:
            for table, n in remaining_rows(con, resolution).items():
                remaining[f"{label}:{table}"] = n
        finally:
            con.close()
    return remaining


# ---- the request -----------------------------------------------------------------------------------------
def new_request_id(now: dt.datetime) -> str:
    return f"er_{now.strftime('%Y%m%dT%H%M%SZ')}_{secrets.token_hex(3)}"


def plan(lake: Path, requested: list[tuple[str, str]], engine: str = "duckdb") -> Resolution:
    """Resolve a request without changing anything (what `facetlake erase` shows before it asks)."""
    e = connect(lake, engine)
    try:
        return resolve(e, requested)
    finally:
        e.close()


def erase(
    lake: Path,
    requested: list[tuple[str, str]],
    engine: str = "duckdb",
    build: bool = True,
    quiet: bool = True,
) -> ErasureReport:
    """Erase the persons holding `requested` (normalised (id_type, id_value) pairs) from the lake."""
    from facetlake.build import run_build
    from facetlake.raw_zone import scan_raw_zone

    if not requested:
        raise ErasureError("Name at least one identifier to erase (--phone, --email, --user-pin, ...).")
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    request_id = new_request_id(now)
    resolution = plan(lake, requested, engine)
    report = ErasureReport(request_id, now, resolution)
    keys = [(t, suppression_hash(t, v)) for t, v in resolution.identifiers]
    report.suppressed_new = suppression.append(lake, keys, request_id, now)
    # The raw zone first: the build that follows reloads the dts whose files changed.
    scan = scan_raw_zone(lake)
    report.raw_files_rewritten = dict(scan.rewritten)
    report.raw_lines_checked = scan.erasure_lines_read
    report.raw_seconds = scan.erasure_seconds
    e = connect(lake, engine, write=True)
    try:
        report.rows_deleted = delete_persisted(e, resolution)
        if engine == "trino" and report.rows_deleted:
            failed = expire_trino_snapshots(e, report.rows_deleted)
            if failed:
                report.notes.append(
                    f"Iceberg snapshots still hold deleted rows of {len(failed)} tables ({', '.join(failed[:3])}"
                    f"{', ...' if len(failed) > 3 else ''}): expire_snapshots was refused; lower the catalog's "
                    "iceberg.expire-snapshots.min-retention (and remove-orphan-files.min-retention), then run "
                    "`alter table ... execute expire_snapshots` on them"
                )
    finally:
        e.close()
    report.files_rewritten = rewrite_files(lake, suppression.load(lake).hashes, request_id)
    if build:
        started = time.perf_counter()
        run_build(lake, engine=engine, quiet=quiet)
        report.notes.append(f"build after erasure: {time.perf_counter() - started:.0f} s")
        report.remaining = _verify(lake, engine, resolution)
    else:
        report.notes.append("no build run: marts still hold the persons until the next build")
    suppression.log(lake, report.log_entry())
    return report
