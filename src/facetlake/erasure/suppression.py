"""The suppression list and the erasure log, under <lake>/erasure/.

`suppressed.parquet`: one row per erased identifier: `id_hash` (hex SHA-256 of `id_type:id_value`,
facetlake.erasure.identifiers), `id_type`, `request_id`, `suppressed_at`. Hashes only: the list can say
whether a value was erased, never which values were. Written whole (temporary file, then rename).

`log.jsonl`: one JSON object per erasure request: request id, time, identifiers and persons, rows removed
per table, raw files rewritten, exports and uploads rewritten, what was left behind. No raw value, no hash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from facetlake import paths

SCHEMA = pa.schema(
    [
        ("id_hash", pa.string()),
        ("id_type", pa.string()),
        ("request_id", pa.string()),
        ("suppressed_at", pa.timestamp("ms")),
    ]
)


@dataclass(frozen=True)
class Suppressed:
    """The suppression list as the raw-zone scan uses it: the hashes, and a version that changes with them."""

    hashes: frozenset[str]
    version: str | None  # none when the list is empty: nothing to check

    def __bool__(self) -> bool:
        return bool(self.hashes)


def read_rows(lake: Path) -> list[dict]:
    path = paths.suppression_list_path(lake)
    return pq.read_table(path).to_pylist() if path.exists() else []


def load(lake: Path) -> Suppressed:
    """The lake's suppression list; an empty one (no file) costs one stat."""
    path = paths.suppression_list_path(lake)
    if not path.exists():
        return Suppressed(frozenset(), None)
    hashes = frozenset(pq.read_table(path, columns=["id_hash"]).column("id_hash").to_pylist())
    if not hashes:
        return Suppressed(frozenset(), None)
    version = hashlib.sha256("\n".join(sorted(hashes)).encode()).hexdigest()[:16]
    return Suppressed(hashes, version)


def append(lake: Path, keys: list[tuple[str, str]], request_id: str, at: dt.datetime) -> int:
    """Add identifiers (id_type, id_hash) to the list; return how many were new."""
    path = paths.suppression_list_path(lake)
    rows = read_rows(lake)
    known = {row["id_hash"] for row in rows}
    new = [
        {"id_hash": id_hash, "id_type": id_type, "request_id": request_id, "suppressed_at": at}
        for id_type, id_hash in sorted(set(keys))
        if id_hash not in known
    ]
    if new:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        pq.write_table(pa.Table.from_pylist(rows + new, schema=SCHEMA), tmp)
        os.replace(tmp, path)
    return len(new)


def log(lake: Path, entry: dict) -> Path:
    """Append an erasure request's record to <lake>/erasure/log.jsonl."""
    path = paths.erasure_log_path(lake)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry, default=str, ensure_ascii=False) + "\n")
    return path
