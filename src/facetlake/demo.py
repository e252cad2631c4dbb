"""`facetlake demo`: a synthetic lake delivered day by day and built by the daily Dagster job, then a summary.

The first demo on a lake writes a whole synthetic lake to <lake>/synthetic/ (its planted truth to
<lake>/truth/). Then, for every dt in order, Dagster lands that day's files into <lake>/raw/ (the
land_synthetic_day job) and runs the daily job (facetlake_daily: the dt's partition of the raw-zone models,
then every view and mart), as the sensor and the schedule would. A lake that already has a raw zone and no
synthetic/ is built as it is, one daily run per dt. Runs go to the lake's Dagster instance (<lake>/dagster),
so `make dagster` shows them afterwards; their full logs are in <lake>/dagster/demo.log. A demo that stopped
resumes with the first day not built; on a lake whose days are all built, the last day is rebuilt.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from facetlake import paths
from facetlake.summary import print_summary

# Dagster's own console logging is kept to warnings: the run's events are in the UI and in demo.log.
_QUIET_RUN_CONFIG = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


class DemoError(RuntimeError):
    """A demo run failed; the message names the run and the log to read."""


@contextmanager
def _output_to(log: Path) -> Iterator[TextIO]:
    """Send this process's stdout and stderr (dbt's and Dagster's output) to `log`; yield the terminal."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved_out, saved_err = os.dup(1), os.dup(2)
    terminal = os.fdopen(os.dup(saved_out), "w", buffering=1)
    with log.open("a") as sink:
        os.dup2(sink.fileno(), 1)
        os.dup2(sink.fileno(), 2)
        try:
            yield terminal
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved_out, 1)
            os.dup2(saved_err, 2)
            os.close(saved_out)
            os.close(saved_err)
            terminal.close()


def _generate_synthetic(lake: Path, persons: int, days: int, seed: int) -> None:
    from facetlake.generator import GeneratorConfig, generate_lake

    print(f"no lake at {lake}: generating {persons:,} persons x {days} days (seed {seed}) in {lake}/synthetic")
    summary = generate_lake(lake / "synthetic", GeneratorConfig(persons=persons, days=days, seed=seed))
    # The truth belongs with the lake (<lake>/truth), which the pipeline never reads.
    if not (lake / "truth").exists():
        shutil.move(lake / "synthetic" / "truth", lake / "truth")
    print(summary.describe().replace(f"{lake}/synthetic/truth", f"{lake}/truth"))


def _day_folders(raw: Path) -> list[str]:
    return sorted({p.name.removeprefix("dt=") for p in raw.glob("*/dt=*") if p.is_dir()})


def _minutes(seconds: float) -> str:
    return f"{int(seconds // 60)}m{seconds % 60:04.1f}s"


def run_demo(lake: Path, persons: int, days: int, seed: int) -> None:
    lake = Path(lake).resolve()
    if not paths.raw_zone(lake).is_dir() and not paths.synthetic_raw(lake).is_dir():
        _generate_synthetic(lake, persons, days, seed)
    landing = paths.synthetic_raw(lake).is_dir()
    dts = _day_folders(paths.synthetic_raw(lake) if landing else paths.raw_zone(lake))
    if not dts:
        raise DemoError(f"{lake} has no dt=YYYY-MM-DD folders to build. Remove it and run the demo again.")
    print(f"using the {'synthetic' if landing else 'existing'} lake at {lake}: {len(dts)} days, {dts[0]}..{dts[-1]}")

    from facetlake.orchestration.home import lake_instance

    log = paths.demo_log(lake)
    jobs = _DemoJobs(lake)
    with lake_instance(lake) as instance:
        todo = _days_to_build(dts, jobs.built_dts(instance))
        if len(todo) < len(dts):
            print(f"{len(dts) - len(todo)} days already built in this lake's instance; {len(todo)} to build")
        print(f"Dagster instance {instance.root_directory}; run logs in {log}")
        started = time.perf_counter()
        daily_seconds = 0.0
        for dt in todo:
            jobs.reload_if_models_changed()
            with _output_to(log) as terminal:
                if landing:
                    _check(jobs.run(jobs.landing, instance, dt), dt, log)
                t0 = time.perf_counter()
                built = jobs.run(jobs.daily, instance, dt)
                seconds = time.perf_counter() - t0
                daily_seconds += seconds
                _check(built, dt, log)
                print(
                    f"  dt={dt}  {built.job_def.name} run {built.run_id[:8]} succeeded in {seconds:5.1f}s",
                    file=terminal,
                )
        total = time.perf_counter() - started
    print(
        f"{len(todo)} daily runs through Dagster in {_minutes(daily_seconds)} "
        f"(mean {daily_seconds / len(todo):.1f}s per dt; {_minutes(total)} with landing). "
        "See them with `make dagster` (http://127.0.0.1:3000)."
    )
    print_summary(lake)


def _days_to_build(dts: list[str], built: set[str]) -> list[str]:
    """The days not built yet (a demo that stopped resumes); when all are, the last one again, so the
    marts reflect the current models."""
    return [dt for dt in dts if dt not in built] or dts[-1:]


class _DemoJobs:
    """The daily and landing jobs of the code location, reloaded when the dbt project changes (dbt runs
    the project as it is on disk; Dagster must know the same models)."""

    def __init__(self, lake: Path) -> None:
        from facetlake.orchestration.project import dbt_project

        self.lake = lake
        self.project = dbt_project()
        self._load()

    def _load(self) -> None:
        from facetlake.orchestration.definitions import build_definitions
        from facetlake.orchestration.jobs import DAILY_JOB, LANDING_JOB
        from facetlake.orchestration.resources import FacetlakeResource

        defs = build_definitions(FacetlakeResource(lake=str(self.lake), engine="duckdb"))
        self.daily = defs.resolve_job_def(DAILY_JOB)
        self.landing = defs.resolve_job_def(LANDING_JOB)

    def reload_if_models_changed(self) -> None:
        from facetlake.orchestration.project import manifest_is_stale

        if manifest_is_stale(self.project, "duckdb"):
            self._load()

    def built_dts(self, instance) -> set[str]:
        """Days with a successful run of the daily job in this instance."""
        from dagster import DagsterRunStatus, RunsFilter

        runs = instance.get_runs(RunsFilter(job_name=self.daily.name, statuses=[DagsterRunStatus.SUCCESS]))
        return {run.tags["dagster/partition"] for run in runs if "dagster/partition" in run.tags}

    @staticmethod
    def run(job, instance, dt: str):
        return job.execute_in_process(
            instance=instance, partition_key=dt, run_config=_QUIET_RUN_CONFIG, raise_on_error=False
        )


def _check(result, dt: str, log: Path) -> None:
    if result.success:
        return
    failures = [e.message for e in result.all_events if e.is_failure]
    raise DemoError(
        f"{result.job_def.name} failed for dt={dt} (run {result.run_id}). The end of its log is in {log}; "
        f"open it in the UI with `make dagster`.\n" + "\n".join(failures[-3:])
    )
