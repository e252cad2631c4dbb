"""Fast JSON-lines formatting and time strings for the generator (vectorised where it matters)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import numpy as np

SHANGHAI_OFFSET_MS = 8 * 3600 * 1000


def time_strings(start: date, day: np.ndarray, ms_of_day: np.ndarray, as_utc: np.ndarray) -> list[str]:
    """ISO-8601 strings with an offset for business day `day` (Asia/Shanghai) at `ms_of_day` local time.

    Where `as_utc` is set the same instant is written in UTC (`+00:00`), as some sources do.
    """
    base = np.datetime64(start.isoformat(), "ms")
    local = base + (day.astype(np.int64) * 86_400_000 + ms_of_day.astype(np.int64)).astype("timedelta64[ms]")
    local_s = np.datetime_as_string(local, unit="ms")
    utc_s = np.datetime_as_string(local - np.timedelta64(SHANGHAI_OFFSET_MS, "ms"), unit="ms")
    return [u + "+00:00" if m else loc + "+08:00" for loc, u, m in zip(local_s, utc_s, as_utc, strict=True)]


def _fragments(name: str, values: Any, kind: str) -> list[str]:
    key = f'"{name}":'
    if kind == "str":
        return [f'{key}"{v}"' if v is not None else "" for v in values]
    if kind == "num":
        return [f"{key}{v}" if v is not None else "" for v in values]
    if kind == "money":
        return [f"{key}{v:.2f}" if v is not None else "" for v in values]
    if kind == "json":
        return [key + json.dumps(v, ensure_ascii=False) if v is not None else "" for v in values]
    raise ValueError(kind)


def json_lines(columns: dict[str, tuple[Any, str]]) -> list[str]:
    """One compact JSON object per row; a None value leaves its field out (optional fields)."""
    frags = [_fragments(name, list(values), kind) for name, (values, kind) in columns.items()]
    return ["{" + ",".join(p for p in parts if p) + "}" for parts in zip(*frags, strict=True)]


def maybe(values: list[Any], present: np.ndarray) -> list[Any]:
    """Blank out values where `present` is False (an optional field left out)."""
    return [v if p else None for v, p in zip(values, present, strict=True)]
