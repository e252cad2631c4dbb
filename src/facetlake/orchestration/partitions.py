"""Daily partitions keyed by the raw zone's arrival date, `dt`."""

from __future__ import annotations

import os
from datetime import date

from dagster import DailyPartitionsDefinition

DEFAULT_START_DATE = "2026-10-01"
# Business dates, and so arrival dates, are taken in the raw contract's zone.
TIME_ZONE = "Asia/Shanghai"


def start_date_from_env() -> str:
    """FACETLAKE_START_DATE (YYYY-MM-DD), the first dt Dagster offers; 2026-10-01 by default."""
    value = os.environ.get("FACETLAKE_START_DATE") or DEFAULT_START_DATE
    try:
        date.fromisoformat(value)
    except ValueError as error:
        raise ValueError(f"FACETLAKE_START_DATE must be a date like 2026-10-01, not {value!r}") from error
    return value


def daily_partitions(start_date: str | None = None) -> DailyPartitionsDefinition:
    """One partition per dt from the start date through today.

    `end_offset=1` makes today's partition exist: the sensor processes a dt as soon as its first files
    land, and the schedule reprocesses it once the day is over.
    """
    return DailyPartitionsDefinition(
        start_date=start_date or start_date_from_env(),
        timezone=TIME_ZONE,
        end_offset=1,
        fmt="%Y-%m-%d",
    )
