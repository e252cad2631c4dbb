"""One streaming pass over a raw file: content hash, gzip integrity, exact line count, line defects.

Lines are counted the way DuckDB's reader splits them (on `\\n`; a last line without a newline counts), so
the manifest's count is what staging must read. A file is

- `ok`: clean, read by DuckDB's `read_csv` at full speed;
- `sidecar`: has a line the reader cannot take as it is (invalid UTF-8, a line over MAX_LINE_BYTES, a
  `\\x00`/`\\x01` byte, a carriage return that is not part of a CRLF ending, or LF and CRLF endings mixed):
  its lines are written to a normalised Parquet copy (sidecar.py) and read from there;
- `unreadable`: a `.gz` that is empty, truncated, corrupt or not gzip; no line of it is loaded (a gzip
  stream cannot be trusted past its first error), the manifest keeps how many lines came before the error.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

CHUNK_BYTES = 8 << 20
MAX_LINE_BYTES = 2 * 1024 * 1024
BOM = b"\xef\xbb\xbf"


class GzipError(Exception):
    """A .gz file that cannot be read to its end; the argument is the reason (empty_gzip, ...)."""


@dataclass
class FileScan:
    sha256: str
    lines: int | None  # none for an unreadable file (see lines_before_error)
    status: str  # ok | sidecar | unreadable
    reason: str | None  # unreadable: why; sidecar: the file's defects, comma-separated
    lines_before_error: int | None


def stored_chunks(path: Path, digest: hashlib._Hash) -> Iterator[bytes]:
    """The file's lines' bytes (gzip decompressed, every member, CRC checked), hashing the stored bytes."""
    with path.open("rb") as handle:
        if not path.name.endswith(".gz"):
            while chunk := handle.read(CHUNK_BYTES):
                digest.update(chunk)
                yield chunk
            return
        inflater = zlib.decompressobj(31)
        read_any = False
        at_member_boundary = False
        while chunk := handle.read(CHUNK_BYTES):
            digest.update(chunk)
            read_any = True
            while chunk:
                at_member_boundary = False
                try:
                    # Bounded output, so the lines counted before an error are those really decoded.
                    out = inflater.decompress(chunk, 1 << 20)
                except zlib.error as error:
                    text = str(error)
                    raise GzipError("not_gzip" if "header" in text else "corrupt_gzip") from error
                if out:
                    yield out
                if inflater.eof:  # one gzip member ended; another may follow (concatenated .gz files)
                    chunk = inflater.unused_data
                    inflater = zlib.decompressobj(31)
                    at_member_boundary = True
                else:
                    chunk = inflater.unconsumed_tail
        if not read_any:
            raise GzipError("empty_gzip")
        if not inflater.eof and not at_member_boundary:
            raise GzipError("truncated_gzip")


def _has_long_line(segment: bytes) -> bool:
    start = 0
    while start < len(segment):
        end = segment.find(b"\n", start)
        end = len(segment) if end < 0 else end
        if end - start > MAX_LINE_BYTES:
            return True
        start = end + 1
    return False


def _segment_defects(segment: bytes, defects: set[str]) -> None:
    if b"\x01" in segment or b"\x00" in segment:
        defects.add("control_byte")
    if not segment.isascii():
        try:
            segment.decode("utf-8")
        except UnicodeDecodeError:
            defects.add("invalid_utf8")


def scan_file(path: Path) -> FileScan:
    """Hash, count and check a raw file in one pass (memory bounded by CHUNK_BYTES + MAX_LINE_BYTES)."""
    digest = hashlib.sha256()
    lines = 0
    defects: set[str] = set()
    carry = b""
    in_long_line = False
    carriage_returns = crlf_endings = 0
    window = MAX_LINE_BYTES // 2
    try:
        for data in stored_chunks(path, digest):
            cut = data.rfind(b"\n")
            if cut < 0:
                if not in_long_line:
                    carry += data
                    if len(carry) > MAX_LINE_BYTES:
                        defects.add("line_too_long")
                        carry, in_long_line = b"", True
                continue
            segment = data[: cut + 1] if in_long_line else carry + data[: cut + 1]
            in_long_line = False
            carry = data[cut + 1 :]
            lines += segment.count(b"\n")
            if b"\r" in segment:
                carriage_returns += segment.count(b"\r")
                crlf_endings += segment.count(b"\r\n")
            _segment_defects(segment, defects)
            # A line longer than MAX_LINE_BYTES covers a whole aligned window of half that size.
            if len(segment) > MAX_LINE_BYTES and "line_too_long" not in defects:
                for start in range(0, len(segment) - window, window):
                    if segment.find(b"\n", start, start + window) < 0:
                        if _has_long_line(segment):
                            defects.add("line_too_long")
                        break
            if len(carry) > MAX_LINE_BYTES:
                defects.add("line_too_long")
                carry, in_long_line = b"", True
        if carry or in_long_line:  # a last line without a newline
            lines += 1
            carriage_returns += carry.count(b"\r")
            _segment_defects(carry, defects)
    except GzipError as error:
        return FileScan(digest.hexdigest(), None, "unreadable", str(error), lines)
    # DuckDB takes a file whose every line ends in CRLF; any other carriage return it cannot.
    if carriage_returns and not (carriage_returns == crlf_endings == lines):
        defects.add("stray_cr" if carriage_returns != crlf_endings else "mixed_line_endings")
    if defects:
        return FileScan(digest.hexdigest(), lines, "sidecar", ",".join(sorted(defects)), None)
    return FileScan(digest.hexdigest(), lines, "ok", None, None)
