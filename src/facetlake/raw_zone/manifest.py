"""The raw-zone manifest: every file under <lake>/raw, what it holds and whether staging reads it.

Written by the build's prepare step (`scan_raw_zone`) before dbt runs, read by the `raw_lines` macro (which
files to read, and from where) and by the health marts (every file accounted for). One row per file:

    source_name, relative_path, file_name, dt     where it is (dt null when the path is skipped)
    size_bytes, modified_at, modified_ns          as last seen; a file whose size or mtime changed is rescanned
    sha256, lines                                 content hash of the stored bytes, lines as DuckDB splits them
    status, reason                                ok | sidecar | unreadable | skipped | vanished, and why
    lines_before_error                            unreadable: lines decoded before the error (none loaded)
    sidecar_path                                  sidecar: the normalised Parquet copy staging reads instead
    first_seen_at, scanned_at                     when the file was first listed, when its bytes were last read
    erased_lines, rewritten_at                    lines erasure removed from the file (all requests), when last
    suppression_version                           the suppression list the file was last checked against

The manifest is rewritten whole (temporary file, then rename), so a reader never sees half of it. Its folder
<lake>/raw_manifest/files/ holds only it: on Trino it is the location of the external table
raw.raw_manifest_files (facetlake.trino.catalogs).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pyarrow as pa
import pyarrow.parquet as pq

from facetlake import paths
from facetlake.erasure import suppression
from facetlake.erasure.rewrite import erase_lines
from facetlake.raw_zone.classify import partition_date, skip_reason
from facetlake.raw_zone.scan import scan_file
from facetlake.raw_zone.sidecar import write_sidecar

LOG = logging.getLogger(__name__)
READ_STATUSES = ("ok", "sidecar")
SCHEMA = pa.schema(
    [
        ("source_name", pa.string()),
        ("relative_path", pa.string()),
        ("file_name", pa.string()),
        ("dt", pa.date32()),
        ("size_bytes", pa.int64()),
        ("modified_at", pa.timestamp("ms")),
        ("modified_ns", pa.int64()),
        ("sha256", pa.string()),
        ("lines", pa.int64()),
        ("status", pa.string()),
        ("reason", pa.string()),
        ("lines_before_error", pa.int64()),
        ("sidecar_path", pa.string()),
        ("first_seen_at", pa.timestamp("ms")),
        ("scanned_at", pa.timestamp("ms")),
        ("erased_lines", pa.int64()),
        ("rewritten_at", pa.timestamp("ms")),
        ("suppression_version", pa.string()),
    ]
)


@dataclass
class ScanReport:
    """What a scan found: files per status, how many were (re)read, seconds taken."""

    statuses: dict[str, int] = field(default_factory=dict)
    scanned: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)
    # Erasure: files checked against the suppression list, lines read there, files rewritten and lines removed.
    erasure_checked: int = 0
    erasure_lines_read: int = 0
    erasure_seconds: float = 0.0
    rewritten: dict[str, int] = field(default_factory=dict)

    def describe(self) -> str:
        counts = ", ".join(f"{status} {n}" for status, n in sorted(self.statuses.items()))
        text = f"raw zone manifest: {counts} ({self.scanned} files read in {self.seconds:.1f} s)"
        if self.rewritten:
            text += f"; erasure removed {sum(self.rewritten.values())} lines from {len(self.rewritten)} files"
        return text


def _utc_ms(moment: dt.datetime) -> dt.datetime:
    """UTC without zone, to the millisecond (Trino's hive catalog reads Parquet timestamps at that precision)."""
    moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def _now() -> dt.datetime:
    return _utc_ms(dt.datetime.now(dt.UTC))


def read_manifest(lake: Path) -> list[dict]:
    """The manifest's rows (empty when there is none yet)."""
    path = paths.raw_manifest_path(lake)
    return pq.read_table(path).to_pylist() if path.exists() else []


def _write(lake: Path, rows: list[dict]) -> Path:
    path = paths.raw_manifest_path(lake)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")  # hidden: Trino's external table never reads it
    pq.write_table(pa.Table.from_pylist(rows, schema=SCHEMA), tmp)
    os.replace(tmp, path)
    return path


def _source_files(source_root: Path) -> list[Path]:
    found = []
    for folder, subfolders, names in os.walk(source_root):
        subfolders.sort()
        found += [Path(folder) / name for name in sorted(names)]
    return found


def _scan_one(lake: Path, source: str, relative: PurePosixPath, path: Path, previous: dict | None) -> dict:
    stat = path.stat()
    now = _now()
    row = {
        "source_name": source,
        "relative_path": f"{source}/{relative}",
        # The name DuckDB's reader gives the file (FACETLAKE_LAKE is str(lake)), the key staging rows carry.
        "file_name": f"{lake}/raw/{source}/{relative}",
        "dt": None,
        "size_bytes": stat.st_size,
        "modified_at": _utc_ms(dt.datetime.fromtimestamp(stat.st_mtime, dt.UTC)),
        "modified_ns": stat.st_mtime_ns,
        "sha256": None,
        "lines": None,
        "status": "skipped",
        "reason": skip_reason(relative),
        "lines_before_error": None,
        "sidecar_path": None,
        "first_seen_at": previous["first_seen_at"] if previous else now,
        "scanned_at": None,
        "erased_lines": (previous or {}).get("erased_lines"),
        "rewritten_at": (previous or {}).get("rewritten_at"),
        "suppression_version": (previous or {}).get("suppression_version"),
    }
    if row["reason"]:
        return row
    row["dt"] = partition_date(relative.parts[0])
    unchanged = (
        previous is not None
        and previous["status"] in ("ok", "sidecar", "unreadable")
        and previous["size_bytes"] == stat.st_size
        and previous["modified_ns"] == stat.st_mtime_ns
        and (previous["status"] != "sidecar" or Path(previous["sidecar_path"]).exists())
    )
    if unchanged:
        keep = ("sha256", "lines", "status", "reason", "lines_before_error", "sidecar_path", "scanned_at")
        return row | {key: previous[key] for key in keep}
    scan = scan_file(path)
    row |= {
        "sha256": scan.sha256,
        "lines": scan.lines,
        "status": scan.status,
        "reason": scan.reason,
        "lines_before_error": scan.lines_before_error,
        "scanned_at": now,
    }
    if scan.status == "sidecar":
        # Hive-style folders: on Trino the sidecars are one external table partitioned by source and dt.
        folder = paths.raw_sidecar_dir(lake) / f"source_name={source}" / relative.parts[0]
        target = folder / f"{scan.sha256}.parquet"
        if not target.exists():
            written = write_sidecar(path, target)
            if written != scan.lines:  # the two passes must agree, or the file changed under us
                raise RuntimeError(f"{path} changed while it was scanned ({scan.lines} then {written} lines)")
        row["sidecar_path"] = str(target)
    return row


def scan_raw_zone(lake: Path) -> ScanReport:
    """List every file of the raw zone, (re)scan new and changed ones, write the manifest; return a report."""
    started = time.perf_counter()
    raw = paths.raw_zone(lake)
    previous = {row["relative_path"]: row for row in read_manifest(lake)}
    suppressed = suppression.load(lake)  # empty (no file): no line is parsed
    rows: list[dict] = []
    report = ScanReport()
    for source in sorted(os.listdir(raw)) if raw.is_dir() else []:
        source_root = raw / source
        if not source_root.is_dir():
            continue
        for path in _source_files(source_root):
            relative = PurePosixPath(path.relative_to(source_root).as_posix())
            before = previous.pop(f"{source}/{relative}", None)
            erased = _erase(path, relative, before, suppressed, report) if suppressed else None
            row = _scan_one(lake, source, relative, path, before)
            if erased is not None:
                row["suppression_version"] = suppressed.version
                if erased:
                    row["erased_lines"] = (row["erased_lines"] or 0) + erased
                    row["rewritten_at"] = _now()
                    report.rewritten[row["relative_path"]] = erased
            report.scanned += row["scanned_at"] is not None and row["scanned_at"] != (before or {}).get("scanned_at")
            rows.append(row)
    # A file listed before and gone now is kept as vanished: its dt is reloaded, and the health mart shows it.
    for row in previous.values():
        if row["status"] != "skipped":
            rows.append(row | {"status": "vanished", "reason": "file_removed", "sidecar_path": None})
    _write(lake, rows)
    paths.raw_sidecar_dir(lake).mkdir(parents=True, exist_ok=True)  # Trino's sidecar table needs it
    _remove_unused_sidecars(lake, {row["sidecar_path"] for row in rows if row["sidecar_path"]})
    for row in rows:
        report.statuses[row["status"]] = report.statuses.get(row["status"], 0) + 1
        if row["status"] in ("unreadable", "skipped", "vanished"):
            report.problems.append(f"{row['relative_path']}: {row['status']} ({row['reason']})")
            LOG.warning("raw file not read: %s", report.problems[-1])
    report.seconds = time.perf_counter() - started
    return report


def _erase(
    path: Path, relative: PurePosixPath, before: dict | None, suppressed: suppression.Suppressed, report: ScanReport
) -> int | None:
    """Rewrite a data file without the lines of suppressed identifiers, unless it was checked against this
    list and has not changed since; return the lines removed (None: not checked)."""
    if skip_reason(relative):
        return None
    stat = path.stat()
    if (
        before is not None
        and before.get("suppression_version") == suppressed.version
        and before["size_bytes"] == stat.st_size
        and before["modified_ns"] == stat.st_mtime_ns
    ):
        return None
    started = time.perf_counter()
    result = erase_lines(path, suppressed.hashes)
    report.erasure_seconds += time.perf_counter() - started
    if result is None:  # a broken gzip: unreadable, staging loads none of it
        return None
    report.erasure_checked += 1
    report.erasure_lines_read += result.lines_read
    if result.lines_removed:
        LOG.warning("erasure: removed %d lines from %s", result.lines_removed, path)
    return result.lines_removed


def _remove_unused_sidecars(lake: Path, used: set[str]) -> None:
    root = paths.raw_sidecar_dir(lake)
    if root.is_dir():
        for path in root.rglob("*.parquet"):
            if str(path) not in used:
                path.unlink()
