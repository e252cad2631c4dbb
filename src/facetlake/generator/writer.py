"""Writes raw-zone files the way real sources deliver them: late, resent and sometimes broken.

Every line a generator module produces goes through `RawZoneWriter.add`, which decides (from its own random
stream) which lines arrive late, which are resent and which are corrupted, and records each decision as
planted truth with the file and line number where it ended up.
"""

from __future__ import annotations

import gzip
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np

# Required fields per source (the raw contract's bold fields), and the field holding the time.
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    "app_events": ("event_id", "event_time", "event_type", "device_id"),
    "orders": ("order_id", "line_no", "order_time", "user_pin", "sku_id", "quantity", "unit_price"),
    "ad_events": ("event_id", "event_time", "event_type", "campaign_id", "channel"),
    "message_events": ("message_id", "event_time", "event_type", "channel", "campaign_id"),
    "crm_members": ("member_id", "brand_id", "updated_at"),
    "products": ("sku_id", "updated_at"),
    "campaigns": ("campaign_id", "updated_at"),
    "stores": ("store_id", "updated_at"),
}
TIME_FIELD: dict[str, str] = {
    "app_events": "event_time",
    "orders": "order_time",
    "ad_events": "event_time",
    "message_events": "event_time",
    "crm_members": "updated_at",
    "products": "updated_at",
    "campaigns": "updated_at",
    "stores": "updated_at",
}
# Extra malformed kinds beyond not_json / missing_required / bad_timestamp, per source:
# (kind, field, expected quarantine reason)
EXTRA_KINDS: dict[str, list[tuple[str, str, str]]] = {
    "orders": [
        ("negative_quantity", "quantity", "bad_value:quantity"),
        ("bad_number", "unit_price", "bad_number:unit_price"),
    ],
    "ad_events": [("bad_number", "cost", "bad_number:cost")],
}
GZIP_SOURCES = frozenset({"app_events", "ad_events"})
LINES_PER_FILE = 400_000
BAD_TIMESTAMPS = ("2026-13-45T25:61:00+08:00", "not-a-time")


@dataclass
class Rates:
    malformed: float = 0.005
    duplicate: float = 0.01
    late: float = 0.02
    duplicate_next_day: float = 0.3  # share of resends that arrive in the next dt's files


@dataclass
class _Pending:
    lines: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    is_resend: list[bool] = field(default_factory=list)
    tags: list[object] = field(default_factory=list)


def _field_pattern(name: str) -> re.Pattern[str]:
    return re.compile(r'"' + re.escape(name) + r'":(?:"(?:[^"\\]|\\.)*"|[^,}]*),?')


class RawZoneWriter:
    """Buffers lines per (source, arrival day) and writes each day's files when the day is flushed."""

    def __init__(self, lake: Path, start: date, days: int, rng: np.random.Generator, rates: Rates) -> None:
        self.raw = lake / "raw"
        self.start = start
        self.days = days
        self.rng = rng
        self.rates = rates
        self.pending: dict[tuple[str, int], _Pending] = defaultdict(_Pending)
        self.malformed: list[tuple] = []
        self.malformed_tags: list[object] = []  # the caller's tag of each line it corrupted (when tagged)
        self.planted_kinds: dict[str, set[str]] = defaultdict(set)
        self.duplicates: list[tuple] = []
        self.late: list[tuple] = []
        self.line_counts: list[tuple] = []
        self.bytes_written = 0
        self.lines_written = 0

    def dt(self, day: int) -> str:
        return (self.start + timedelta(days=day)).isoformat()

    def add(
        self,
        source: str,
        lines: list[str],
        keys: list[str],
        event_day: np.ndarray | int,
        allow_late: bool = True,
        tags: list[object] | None = None,
    ) -> None:
        """Queue lines whose business date is `event_day` (day index); some are delayed 1-3 days.

        `tags` (one per line, optional) are handed back in `malformed_tags` for the lines corrupted.
        """
        n = len(lines)
        if n == 0:
            return
        event_days = np.broadcast_to(np.asarray(event_day, dtype=np.int64), (n,))
        arrival = event_days.copy()
        if allow_late:
            lag = self.rng.integers(1, 4, size=n)
            late = (self.rng.random(n) < self.rates.late) & (event_days + lag < self.days)
            arrival[late] = event_days[late] + lag[late]
            for i in np.flatnonzero(late):
                self.late.append((source, keys[i], self.dt(int(event_days[i])), self.dt(int(arrival[i]))))
        for day in np.unique(arrival):
            idx = np.flatnonzero(arrival == day)
            bucket = self.pending[(source, int(day))]
            bucket.lines.extend(lines[i] for i in idx)
            bucket.keys.extend(keys[i] for i in idx)
            bucket.is_resend.extend([False] * len(idx))
            bucket.tags.extend([None] * len(idx) if tags is None else [tags[i] for i in idx])

    def flush(self, day: int) -> None:
        """Write every source's files for arrival day `day`: resends placed, lines corrupted, truth noted."""
        for source in sorted({s for (s, d) in self.pending if d == day}):
            self._write_source_day(source, day, self.pending.pop((source, day)))

    def _write_source_day(self, source: str, day: int, bucket: _Pending) -> None:
        rng, rates = self.rng, self.rates
        lines, keys = bucket.lines, bucket.keys
        n = len(lines)
        is_resend = np.array(bucket.is_resend, dtype=bool)
        # Resends: a copy of an original line, later in the same file or in the next day's files.
        original = np.flatnonzero(~is_resend)
        chosen = original[rng.random(len(original)) < rates.duplicate]
        to_next = rng.random(len(chosen)) < rates.duplicate_next_day
        to_next &= day + 1 < self.days
        nxt = self.pending[(source, day + 1)] if to_next.any() else None
        for i in chosen[to_next]:
            nxt.lines.append(lines[i])
            nxt.keys.append(keys[i])
            nxt.is_resend.append(True)
            nxt.tags.append(None)  # a resend is never corrupted
        same = chosen[~to_next]
        order_key = np.concatenate([np.arange(n, dtype=float), rng.uniform(same + 0.5, n)])
        source_index = np.concatenate([np.arange(n), same])
        copy_flag = np.concatenate([is_resend, np.ones(len(same), dtype=bool)])
        order = np.argsort(order_key, kind="stable")
        final_index = source_index[order]
        final_is_copy = copy_flag[order]
        out = [lines[i] for i in final_index]
        # Corruption: only lines that are neither resent nor copies, so each planted fault is unique.
        resent_originals = set(chosen.tolist())
        candidates = np.flatnonzero(
            ~final_is_copy & ~np.isin(final_index, np.fromiter(resent_originals, dtype=np.int64))
        )
        broken = candidates[rng.random(len(candidates)) < rates.malformed]
        files = self._file_names(source, len(out))
        kinds = self._kinds(source)
        choice = list(rng.integers(len(kinds), size=len(broken)))
        # Every kind is planted at least once per source, so even a tiny lake exercises each reason.
        missing = [k for k in range(len(kinds)) if kinds[k][0] not in self.planted_kinds[source]]
        missing = [k for k in missing if k not in choice]
        spare = np.setdiff1d(candidates, broken)
        extra = spare[rng.permutation(len(spare))[: len(missing)]]
        broken = np.concatenate([broken, extra])
        choice += missing[: len(extra)]
        for pos, k in zip(broken, choice, strict=True):
            kind, fld, reason = kinds[k]
            self.planted_kinds[source].add(kind)
            if kind == "missing_required":
                fld = REQUIRED_FIELDS[source][rng.integers(len(REQUIRED_FIELDS[source]))]
                reason = f"missing_required:{fld}"
            out[pos] = self._corrupt(out[pos], kind, fld)
            file_name, line_number = self._locate(files, pos)
            self.malformed.append((source, self.dt(day), file_name, line_number, kind, reason))
            if bucket.tags[final_index[pos]] is not None:
                self.malformed_tags.append(bucket.tags[final_index[pos]])
        for pos in np.flatnonzero(final_is_copy):
            file_name, line_number = self._locate(files, pos)
            self.duplicates.append((source, self.dt(day), file_name, line_number, keys[final_index[pos]]))
        self._write_files(source, day, out, files)

    def _kinds(self, source: str) -> list[tuple[str, str, str]]:
        time_field = TIME_FIELD[source]
        return [
            ("not_json", "", "not_json"),
            ("missing_required", "", ""),
            ("bad_timestamp", time_field, f"bad_timestamp:{time_field}"),
            *EXTRA_KINDS.get(source, []),
        ]

    def _corrupt(self, line: str, kind: str, fld: str) -> str:
        if kind == "not_json":
            return line[: max(1, len(line) // 2)]
        if kind == "missing_required":
            return _field_pattern(fld).sub("", line, count=1).replace(",}", "}")
        if kind == "bad_timestamp":
            bad = BAD_TIMESTAMPS[self.rng.integers(len(BAD_TIMESTAMPS))]
            return _field_pattern(fld).sub(f'"{fld}":"{bad}",', line, count=1).replace(",}", "}")
        if kind == "negative_quantity":
            return re.sub(r'"quantity":(\d+)', r'"quantity":-\1', line, count=1)
        if kind == "bad_number":
            return _field_pattern(fld).sub(f'"{fld}":"n/a",', line, count=1).replace(",}", "}")
        raise ValueError(f"unknown malformed kind {kind}")

    @staticmethod
    def _file_names(source: str, n: int) -> list[tuple[str, int]]:
        """(file name, first position) for each file of a source-day; big days are split."""
        ext = ".jsonl.gz" if source in GZIP_SOURCES else ".jsonl"
        count = max(1, -(-n // LINES_PER_FILE))
        return [(f"part-{k:05d}{ext}", k * LINES_PER_FILE) for k in range(count)]

    @staticmethod
    def _locate(files: list[tuple[str, int]], pos: int) -> tuple[str, int]:
        k = int(pos) // LINES_PER_FILE
        name, first = files[k]
        return name, int(pos) - first + 1

    def _write_files(self, source: str, day: int, out: list[str], files: list[tuple[str, int]]) -> None:
        folder = self.raw / source / f"dt={self.dt(day)}"
        folder.mkdir(parents=True, exist_ok=True)
        for name, first in files:
            chunk = out[first : first + LINES_PER_FILE]
            data = ("\n".join(chunk) + "\n").encode("utf-8") if chunk else b""
            if name.endswith(".gz"):
                buf = io.BytesIO()
                # mtime=0 and no file name in the header: the same seed gives the same bytes.
                with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=3) as gz:
                    gz.write(data)
                data = buf.getvalue()
            (folder / name).write_bytes(data)
            self.bytes_written += len(data)
            self.lines_written += len(chunk)
            self.line_counts.append((source, self.dt(day), name, len(chunk)))
