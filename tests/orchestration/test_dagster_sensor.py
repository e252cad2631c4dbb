"""The raw-zone sensor requests one run per new dt and never one for a dt it has seen; the schedule asks
for the day that has just ended."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg

from facetlake.orchestration.jobs import DAILY_JOB
from facetlake.orchestration.resources import FacetlakeResource
from facetlake.orchestration.schedules import SCHEDULE_NAME
from facetlake.orchestration.sensors import SENSOR_NAME


def _arrive(lake: Path, source: str, dt: str) -> None:
    folder = lake / "raw" / source / dt
    folder.mkdir(parents=True)
    (folder / "part-0.jsonl").write_text('{"event_id": "e1"}\n')


def _tick(definitions: dg.Definitions, lake: Path, cursor: str | None) -> dg.SensorResult:
    sensor = definitions.get_repository_def().get_sensor_def(SENSOR_NAME)
    with dg.build_sensor_context(cursor=cursor, resources={"facetlake": FacetlakeResource(lake=str(lake))}) as ctx:
        return sensor(ctx)


def test_one_run_per_new_dt_and_none_for_a_seen_one(definitions: dg.Definitions, tmp_path: Path) -> None:
    lake = tmp_path
    assert _tick(definitions, lake, None).run_requests == []  # no raw zone yet

    _arrive(lake, "app_events", "dt=2026-10-01")
    _arrive(lake, "orders", "dt=2026-10-01")  # a second source the same day: still one run
    _arrive(lake, "orders", "dt=2026-10-02")
    _arrive(lake, "orders", ".landing-dt=2026-10-03")  # a day still being landed
    _arrive(lake, "orders", "dt=not-a-date")
    _arrive(lake, "orders", "dt=2025-12-31")  # before the partitions start
    first = _tick(definitions, lake, None)
    assert [(r.run_key, r.partition_key) for r in first.run_requests] == [
        ("2026-10-01", "2026-10-01"),
        ("2026-10-02", "2026-10-02"),
    ]
    assert all(r.job_name in (None, DAILY_JOB) for r in first.run_requests)

    second = _tick(definitions, lake, first.cursor)
    assert second.run_requests == []

    _arrive(lake, "app_events", "dt=2026-10-02")  # more files for a seen dt: the schedule completes it
    _arrive(lake, "ad_events", "dt=2026-10-03")
    third = _tick(definitions, lake, second.cursor)
    assert [r.run_key for r in third.run_requests] == ["2026-10-03"]
    assert _tick(definitions, lake, third.cursor).run_requests == []


def test_the_schedule_runs_the_day_that_has_ended(definitions: dg.Definitions) -> None:
    repository = definitions.get_repository_def()
    schedule = repository.get_schedule_def(SCHEDULE_NAME)
    tick = datetime(2026, 10, 5, 1, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    with dg.build_schedule_context(scheduled_execution_time=tick, repository_def=repository) as ctx:
        request = schedule.evaluate_tick(ctx).run_requests[0]
    assert request.partition_key == "2026-10-04"
    assert schedule.job_name == DAILY_JOB
