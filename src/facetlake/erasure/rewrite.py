"""Raw files rewritten without the lines that carry a suppressed identifier.

The raw-zone scan (facetlake.raw_zone.manifest) calls `erase_lines` for every data file it has not yet checked
against the current suppression list, so a file that arrives after an erasure is cleaned before staging reads
it. A file is read once to find matching lines (each line parsed as JSON, its identifier fields hashed: see
identifiers.line_hashes); only a file that holds one is written again, to a temporary file beside it (same
format: plain, or gzip) that then replaces it. Every other byte, line endings included, is kept as it was.
"""

from __future__ import annotations

import gzip
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from facetlake.erasure.identifiers import line_hashes


@dataclass(frozen=True)
class LineFilter:
    lines_read: int
    lines_removed: int


def _open(path: Path) -> BinaryIO:
    return gzip.open(path, "rb") if path.name.endswith(".gz") else path.open("rb")  # type: ignore[return-value]


def _lines(handle: BinaryIO) -> Iterator[bytes]:
    # Split on \n only (as DuckDB's reader and the manifest count), keeping each line's ending.
    carry = b""
    while chunk := handle.read(8 << 20):
        parts = (carry + chunk).split(b"\n")
        carry = parts.pop()
        for part in parts:
            yield part + b"\n"
    if carry:
        yield carry


def _matches(line: bytes, suppressed: frozenset[str]) -> bool:
    return any(h in suppressed for h in line_hashes(line.rstrip(b"\r\n")))


def erase_lines(path: Path, suppressed: frozenset[str]) -> LineFilter | None:
    """Remove the lines of `path` that carry a suppressed identifier (atomically); None when the file cannot be
    read to its end (a broken gzip: the scan lists it as unreadable, and staging loads none of it)."""
    read = removed = 0
    try:
        with _open(path) as handle:
            for line in _lines(handle):
                read += 1
                removed += _matches(line, suppressed)
    except (OSError, EOFError, zlib.error):
        return None
    if removed:
        tmp = path.with_name(f".{path.name}.erasure.tmp")  # hidden: never read as data if left behind
        try:
            with _open(path) as source, tmp.open("wb") as raw_out:
                out: BinaryIO = (
                    gzip.GzipFile(fileobj=raw_out, mode="wb", mtime=0) if path.name.endswith(".gz") else raw_out
                )  # type: ignore[assignment]
                for line in _lines(source):
                    if not _matches(line, suppressed):
                        out.write(line)
                if out is not raw_out:
                    out.close()
                raw_out.flush()
                os.fsync(raw_out.fileno())
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
    return LineFilter(read, removed)
