"""A sensor on the raw zone: one run of the daily job per dt that appears under <lake>/raw/*/dt=*."""

import json
from datetime import date
from pathlib import Path

from dagster import (
    DefaultSensorStatus,
    PartitionsDefinition,
    RunRequest,
    SensorDefinition,
    SensorEvaluationContext,
    SensorResult,
    sensor,
)

from facetlake.orchestration.jobs import AssetJob
from facetlake.orchestration.resources import FacetlakeResource

SENSOR_NAME = "new_raw_partitions"


def raw_dts(lake: Path) -> set[str]:
    """Every arrival date with a folder in the raw zone, any source (hidden folders being landed excluded)."""
    found = set()
    for folder in (lake / "raw").glob("*/dt=*"):
        dt = folder.name.removeprefix("dt=")
        try:
            date.fromisoformat(dt)
        except ValueError:
            continue
        if folder.is_dir() and len(dt) == 10:
            found.add(dt)
    return found


def build_raw_partition_sensor(job: AssetJob, partitions_def: PartitionsDefinition) -> SensorDefinition:
    @sensor(
        name=SENSOR_NAME,
        job=job,
        minimum_interval_seconds=60,
        default_status=DefaultSensorStatus.STOPPED,
        description=(
            "Scans <lake>/raw/*/dt=* and requests one run of the daily job per dt it has not seen "
            "(run key = dt). The cursor holds the dts already requested. A dt outside the partitions "
            "(before FACETLAKE_START_DATE, after today) is left for later."
        ),
    )
    def new_raw_partitions(context: SensorEvaluationContext, facetlake: FacetlakeResource) -> SensorResult:
        seen = set(json.loads(context.cursor)) if context.cursor else set()
        valid = set(partitions_def.get_partition_keys())
        new = sorted((raw_dts(facetlake.lake_path) - seen) & valid)
        if new:
            context.log.info(f"new raw partitions: {', '.join(new)}")
        return SensorResult(
            run_requests=[RunRequest(run_key=dt, partition_key=dt) for dt in new],
            cursor=json.dumps(sorted(seen | set(new))),
        )

    return new_raw_partitions
