"""A normalised Parquet copy of a raw file DuckDB's reader cannot take as it is (scan status `sidecar`).

One row per line, numbered as the reader would number it: `line_number`, `line` (UTF-8, invalid bytes
replaced by U+FFFD, a line over MAX_LINE_BYTES cut to PREVIEW_CHARS characters, an empty line NULL, a CRLF
ending dropped), `line_defect` (null for a clean line) and `line_bytes` (the line's length as stored).
Keyed by the file's sha256, so a file is converted once, whatever it is called.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from facetlake.raw_zone.scan import BOM, MAX_LINE_BYTES, stored_chunks

PREVIEW_BYTES = 64 * 1024
BATCH_ROWS = 50_000
LINE_DEFECTS = ("line_too_long", "invalid_utf8", "control_byte", "stray_cr")
SCHEMA = pa.schema(
    [
        ("line_number", pa.int64()),
        ("line", pa.string()),
        ("line_defect", pa.string()),
        ("line_bytes", pa.int64()),
    ]
)


def _lines(path: Path) -> Iterator[tuple[bytes, int]]:
    """Each line's bytes (at most MAX_LINE_BYTES + 1 kept) and its full length, split as DuckDB splits."""
    carry = b""
    carry_length = 0
    first = True
    for data in stored_chunks(path, hashlib.sha256()):
        if first and data.startswith(BOM):
            data = data[len(BOM) :]
        first = False
        pieces = data.split(b"\n")
        for piece in pieces[:-1]:
            yield carry + piece, carry_length + len(piece)
            carry, carry_length = b"", 0
        tail = pieces[-1]
        if len(carry) <= MAX_LINE_BYTES:
            carry += tail[: MAX_LINE_BYTES + 1 - len(carry)]
        carry_length += len(tail)
    if carry_length:
        yield carry, carry_length


def line_defect(kept: bytes, length: int) -> str | None:
    """Why a line cannot be staged as it is, in order of precedence; None for a clean line."""
    if length > MAX_LINE_BYTES:
        return "line_too_long"
    try:
        kept.decode("utf-8")
    except UnicodeDecodeError:
        return "invalid_utf8"
    if b"\x01" in kept or b"\x00" in kept:
        return "control_byte"
    if b"\r" in kept:
        return "stray_cr"
    return None


def write_sidecar(path: Path, target: Path) -> int:
    """Write the sidecar of `path` to `target` (atomically); return its number of lines."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")  # hidden: Trino's sidecar table never reads it
    columns: dict[str, list] = {name: [] for name in SCHEMA.names}
    count = 0
    with pq.ParquetWriter(tmp, SCHEMA) as writer:
        for kept, length in _lines(path):
            count += 1
            if kept.endswith(b"\r") and length <= MAX_LINE_BYTES:  # a CRLF ending, as the reader drops it
                kept, length = kept[:-1], length - 1
            defect = line_defect(kept, length)
            text = (kept[:PREVIEW_BYTES] if defect == "line_too_long" else kept).decode("utf-8", "replace")
            columns["line_number"].append(count)
            columns["line"].append(text or None)
            columns["line_defect"].append(defect)
            columns["line_bytes"].append(length)
            if len(columns["line_number"]) >= BATCH_ROWS:
                writer.write_table(pa.table(columns, schema=SCHEMA))
                columns = {name: [] for name in SCHEMA.names}
        if columns["line_number"] or count == 0:
            writer.write_table(pa.table(columns, schema=SCHEMA))
    os.replace(tmp, target)
    return count
