"""The daily schedule: yesterday's dt, once the day is over, through the daily job."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from dagster import (
    DefaultScheduleStatus,
    RunRequest,
    ScheduleDefinition,
    ScheduleEvaluationContext,
    schedule,
)

from facetlake.orchestration.jobs import AssetJob
from facetlake.orchestration.partitions import TIME_ZONE

SCHEDULE_NAME = "daily_after_midnight"


def previous_dt(context: ScheduleEvaluationContext) -> str:
    """The arrival date that ended before this tick (ticks are in the raw contract's zone)."""
    tick = context.scheduled_execution_time.astimezone(ZoneInfo(TIME_ZONE))
    return (tick.date() - timedelta(days=1)).isoformat()


def build_daily_schedule(job: AssetJob) -> ScheduleDefinition:
    @schedule(
        name=SCHEDULE_NAME,
        job=job,
        cron_schedule="30 1 * * *",
        execution_timezone=TIME_ZONE,
        default_status=DefaultScheduleStatus.STOPPED,
        description=(
            "At 01:30 Asia/Shanghai, rebuild yesterday's dt. The sensor may have processed the dt while its "
            "files were still arriving; this run completes it (delete+insert by dt, so never doubled)."
        ),
    )
    def daily_after_midnight(context: ScheduleEvaluationContext) -> RunRequest:
        dt = previous_dt(context)
        return RunRequest(run_key=f"{SCHEDULE_NAME}-{dt}", partition_key=dt)

    return daily_after_midnight
