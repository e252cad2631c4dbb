"""Incremental by dt: rebuilding a dt replaces it (never doubles it), a new dt appends, load order is free."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from facetlake.build import run_build
from facetlake.generator import GeneratorConfig, generate_lake
from facetlake.paths import RAW_SOURCES
from facetlake.warehouse import query

COUNTS = (
    "select source_name, cast(dt as varchar), lines_read, rows_staged, duplicates_removed, lines_quarantined "
    "from marts.fct_raw_line_reconciliation order by 1, 2"
)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[tuple]]:
    """A 4-day lake built in one go: what every other load order must end up with."""
    lake = tmp_path_factory.mktemp("reference")
    generate_lake(lake, GeneratorConfig(persons=250, days=4, seed=21), progress=False)
    run_build(lake, quiet=True)
    return lake, query(lake, COUNTS)


def _move_days(src: Path, dst: Path, dts: list[str]) -> None:
    for source in RAW_SOURCES:
        for dt in dts:
            folder = src / "raw" / source / f"dt={dt}"
            if folder.exists():
                target = dst / "raw" / source / f"dt={dt}"
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(str(folder), str(target))


def test_rebuilding_is_idempotent(reference: tuple[Path, list[tuple]]) -> None:
    lake, expected = reference
    run_build(lake, quiet=True)
    assert query(lake, COUNTS) == expected
    run_build(lake, dt="2026-10-02", quiet=True)
    assert query(lake, COUNTS) == expected
    staged = query(lake, "select count(*), count(distinct event_id) from staging.stg_raw__app_events")[0]
    assert staged[0] == staged[1]


def test_new_days_append_and_any_load_order_agrees(reference: tuple[Path, list[tuple]], tmp_path: Path) -> None:
    lake_ref, expected = reference
    lake = tmp_path / "lake"
    shutil.copytree(lake_ref / "raw", lake / "raw")
    held = tmp_path / "held"
    _move_days(lake, held, ["2026-10-01", "2026-10-03", "2026-10-04"])
    run_build(lake, quiet=True)  # only 10-02 exists
    _move_days(held, lake, ["2026-10-03", "2026-10-04"])
    run_build(lake, quiet=True)  # new days: the incremental run appends them
    _move_days(held, lake, ["2026-10-01"])
    run_build(lake, dt="2026-10-01", quiet=True)  # an older day, out of order
    assert query(lake, COUNTS) == expected
