"""Concurrent builds: a build that finds the DuckDB warehouse held by another process waits a bounded time
(FACETLAKE_LOCK_WAIT_SECONDS), then fails with one line naming the holder's PID and command line; once the
holder lets go, the same build succeeds. The holder is a real second process with a write connection."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from facetlake import paths
from facetlake.build import BuildError, run_build
from facetlake.generator import GeneratorConfig, generate_lake
from facetlake.warehouse import query, wait_for_writer

MARKER = "facetlake-test-lock-holder"
# Holds a write connection until its stdin closes; MARKER makes its command line recognisable.
HOLD = "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('holding', flush=True); sys.stdin.read()"


def _hold(warehouse: Path) -> subprocess.Popen:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(warehouse), MARKER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
    return holder


def _release(holder: subprocess.Popen) -> None:
    assert holder.stdin is not None
    holder.stdin.close()
    holder.wait(timeout=30)


@pytest.fixture
def lake(tmp_path: Path) -> Path:
    root = tmp_path / "lake"
    generate_lake(root, GeneratorConfig(persons=80, days=2, seed=5), progress=False)
    warehouse = paths.warehouse_path(root)
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    duckdb.connect(str(warehouse)).close()  # the file exists, as after an earlier build
    return root


def test_a_build_waits_then_names_the_process_holding_the_warehouse(lake: Path, monkeypatch) -> None:
    monkeypatch.setenv("FACETLAKE_LOCK_WAIT_SECONDS", "3")
    holder = _hold(paths.warehouse_path(lake))
    try:
        started = time.monotonic()
        with pytest.raises(BuildError) as caught:
            run_build(lake, engine="duckdb", quiet=True)
        elapsed = time.monotonic() - started
    finally:
        _release(holder)
    message = str(caught.value)
    print(f"\nfailed after {elapsed:.1f} s: {message}")
    assert 3 <= elapsed < 30, "waits about FACETLAKE_LOCK_WAIT_SECONDS, no less, not much more"
    assert f"PID {holder.pid}" in message
    assert MARKER in message, "the holder's command line (from /proc) is shown"
    assert "\n" not in message.strip() and "Traceback" not in message
    run_build(lake, engine="duckdb", quiet=True)
    assert query(lake, "select count(*) from marts.dim_persons")[0][0] > 0


def test_a_writer_waits_for_a_lock_released_in_time(lake: Path) -> None:
    holder = _hold(paths.warehouse_path(lake))
    release = threading.Timer(1.5, _release, args=(holder,))  # lets go while wait_for_writer polls
    started = time.monotonic()
    release.start()
    try:
        wait_for_writer(lake, timeout=30)
    finally:
        release.join()
    assert 1.5 <= time.monotonic() - started < 30
