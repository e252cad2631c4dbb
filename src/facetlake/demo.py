"""`facetlake demo`: a synthetic lake delivered and built by Dagster as an operator would, then a summary.

The first demo on a lake writes a whole synthetic lake to <lake>/synthetic/ (its planted truth to
<lake>/truth/). Then Dagster lands every day but the last into <lake>/raw/ (the land_synthetic_day job) and
backfills them in ONE run of the daily job over the partition range (BackfillPolicy.single_run(): one `dbt
build` with dt_from/dt_to), then lands the last day and runs the daily job for it alone, as the schedule and
the sensor do every day; the summary says how long each part took. A lake that already has a raw zone and no
synthetic/ is built as it is, the same way. Runs go to the lake's Dagster instance (<lake>/dagster), so `make
dagster` shows them afterwards; their full logs are in <lake>/dagster/demo.log. A demo that stopped resumes
with the first day not built; the last day is always run again.
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
# Dagster's tags for a run over a partition range (a backfill in one run, BackfillPolicy.single_run()).
_RANGE_START, _RANGE_END = "dagster/asset_partition_range_start", "dagster/asset_partition_range_end"


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
    # Uploads (campaign audiences, brands' ad-monitoring logs) are files a brand hands over, not daily arrivals:
    # they go where the pipeline reads uploads (<lake>/uploads) at once.
    if (lake / "synthetic" / "uploads").exists() and not (lake / "uploads").exists():
        shutil.move(lake / "synthetic" / "uploads", lake / "uploads")
    print(summary.describe().replace(f"{lake}/synthetic/truth", f"{lake}/truth"))


def _day_folders(raw: Path) -> list[str]:
    return sorted({p.name.removeprefix("dt=") for p in raw.glob("*/dt=*") if p.is_dir()})


def _minutes(seconds: float) -> str:
    return f"{int(seconds // 60)}m{seconds % 60:04.1f}s"


def run_demo(lake: Path, persons: int, days: int, seed: int) -> None:
    lake = Path(lake).resolve()
    load_before = os.getloadavg()
    timings: dict[str, float] = {}
    started = time.perf_counter()
    if not paths.raw_zone(lake).is_dir() and not paths.synthetic_raw(lake).is_dir():
        _generate_synthetic(lake, persons, days, seed)
        timings["generation"] = time.perf_counter() - started
    landing = paths.synthetic_raw(lake).is_dir()
    dts = _day_folders(paths.synthetic_raw(lake) if landing else paths.raw_zone(lake))
    if not dts:
        raise DemoError(f"{lake} has no dt=YYYY-MM-DD folders to build. Remove it and run the demo again.")
    print(f"using the {'synthetic' if landing else 'existing'} lake at {lake}: {len(dts)} days, {dts[0]}..{dts[-1]}")

    from facetlake.orchestration.home import lake_instance

    log = paths.demo_log(lake)
    jobs = _DemoJobs(lake)
    with lake_instance(lake) as instance:
        history, last = _plan(dts, jobs.built_dts(instance, dts))
        print(f"Dagster instance {instance.root_directory}; run logs in {log}")
        if history:
            # History as an operator backfills it: one run over the partition range, not one per day.
            with _output_to(log) as terminal:
                if landing:
                    t0 = time.perf_counter()
                    _check(jobs.run(jobs.landing, instance, history), history, log)
                    timings["landing history"] = time.perf_counter() - t0
                t0 = time.perf_counter()
                built = jobs.run(jobs.daily, instance, history)
                timings["backfill"] = time.perf_counter() - t0
                _check(built, history, log)
                print(
                    f"  backfill dt={history[0]}..{history[-1]} ({len(history)} partitions, one run) "
                    f"{built.run_id[:8]} succeeded in {timings['backfill']:5.1f}s",
                    file=terminal,
                )
        # Then the last day, as the schedule or the sensor runs it every day.
        jobs.reload_if_models_changed()
        with _output_to(log) as terminal:
            if landing:
                t0 = time.perf_counter()
                _check(jobs.run(jobs.landing, instance, [last]), [last], log)
                timings["landing the day"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            built = jobs.run(jobs.daily, instance, [last])
            timings["daily run"] = time.perf_counter() - t0
            _check(built, [last], log)
            print(
                f"  daily   dt={last} {built.job_def.name} run {built.run_id[:8]} succeeded in "
                f"{timings['daily run']:5.1f}s",
                file=terminal,
            )
    timings["total"] = time.perf_counter() - started
    load_after = os.getloadavg()
    print(
        "demo timings: "
        + ", ".join(f"{name} {_minutes(seconds)}" for name, seconds in timings.items())
        + f" (load average {load_before[0]:.1f} before, {load_after[0]:.1f} after, on {os.cpu_count()} cores). "
        "See the runs with `make dagster` (http://127.0.0.1:3000)."
    )
    print_summary(lake)


def _plan(dts: list[str], built: set[str]) -> tuple[list[str], str]:
    """(the history to backfill in one run, the day to run as the daily job does).

    History is every day before the last one that is not built yet (a demo that stopped resumes there); the
    last day always runs, so the marts reflect the current models."""
    history = [dt for dt in dts[:-1] if dt not in built]
    if history:
        history = dts[dts.index(history[0]) : -1]  # a partition range is contiguous
    return history, dts[-1]


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

    def built_dts(self, instance, dts: list[str]) -> set[str]:
        """Days covered by a successful run of the daily job in this instance (one dt or a range)."""
        from dagster import DagsterRunStatus, RunsFilter

        runs = instance.get_runs(RunsFilter(job_name=self.daily.name, statuses=[DagsterRunStatus.SUCCESS]))
        built: set[str] = set()
        for run in runs:
            if "dagster/partition" in run.tags:
                built.add(run.tags["dagster/partition"])
            start, end = run.tags.get(_RANGE_START), run.tags.get(_RANGE_END)
            if start and end:
                built.update(dt for dt in dts if start <= dt <= end)
        return built

    @staticmethod
    def run(job, instance, dts: list[str]):
        """One run of `job` over the partition dts[0]..dts[-1] (a single partition when they are one day)."""
        if len(dts) == 1:
            return job.execute_in_process(
                instance=instance, partition_key=dts[0], run_config=_QUIET_RUN_CONFIG, raise_on_error=False
            )
        return job.execute_in_process(
            instance=instance,
            tags={_RANGE_START: dts[0], _RANGE_END: dts[-1]},
            run_config=_QUIET_RUN_CONFIG,
            raise_on_error=False,
        )


def _check(result, dts: list[str], log: Path) -> None:
    if result.success:
        return
    failures = [e.message for e in result.all_events if e.is_failure]
    days = dts[0] if len(dts) == 1 else f"{dts[0]}..{dts[-1]}"
    raise DemoError(
        f"{result.job_def.name} failed for dt={days} (run {result.run_id}). The end of its log is in {log}; "
        f"open it in the UI with `make dagster`.\n" + "\n".join(failures[-3:])
    )
