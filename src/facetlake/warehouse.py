"""Access to a lake's DuckDB warehouse: read-only queries (for the CLI, tests and reports), and the bounded wait
for the write lock a build needs (DuckDB lets one process write a database file at a time)."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from facetlake.paths import warehouse_path

if TYPE_CHECKING:  # pandas is imported where used: the build path imports this module
    import pandas as pd


def query(lake: Path, sql: str) -> list[tuple]:
    """Rows of one query against the warehouse, opened read-only and closed again."""
    con = duckdb.connect(str(warehouse_path(lake)), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def query_df(lake: Path, sql: str) -> pd.DataFrame:
    """A query's result as a DataFrame, the warehouse opened read-only."""
    con = duckdb.connect(str(warehouse_path(lake)), read_only=True)
    try:
        return con.execute(sql).df()
    finally:
        con.close()


LOCK_WAIT_VARIABLE = "FACETLAKE_LOCK_WAIT_SECONDS"
DEFAULT_LOCK_WAIT_SECONDS = 60.0
_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.*?) \(PID (?P<pid>\d+)\)")


class WarehouseLocked(RuntimeError):
    """Another process kept the warehouse's write lock longer than we were willing to wait."""


def lock_wait_seconds() -> float:
    """How long a writer waits for the warehouse lock: FACETLAKE_LOCK_WAIT_SECONDS, default 60."""
    text = os.environ.get(LOCK_WAIT_VARIABLE, "").strip()
    try:
        return max(0.0, float(text)) if text else DEFAULT_LOCK_WAIT_SECONDS
    except ValueError:
        return DEFAULT_LOCK_WAIT_SECONDS


def is_lock_error(error: BaseException) -> bool:
    text = str(error).lower()
    return "could not set lock" in text or "conflicting lock" in text


def lock_holder(error: BaseException | str) -> str:
    """Who holds the lock, from DuckDB's error text: 'PID 123 (python -m dagster ...)' with the command line
    from /proc when readable, else the program DuckDB names; 'another process' when the text names none."""
    match = _LOCK_HOLDER.search(str(error))
    if not match:
        return "another process"
    pid = match.group("pid")
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
        command = " ".join(part.decode("utf-8", "replace") for part in raw.split(b"\0") if part)
    except OSError:
        command = ""
    command = command or match.group("program")
    if len(command) > 240:  # keep both ends: the program and the arguments that tell builds apart
        command = command[:150] + " ... " + command[-85:]
    return f"PID {pid} ({command})"


def locked_message(lake: Path, error: BaseException | str, waited: float) -> str:
    return (
        f"The warehouse {warehouse_path(lake)} is locked by {lock_holder(error)}; waited {waited:.0f} s "
        f"({LOCK_WAIT_VARIABLE}). Let that build finish (or stop it), then run again."
    )


def wait_for_writer(lake: Path, timeout: float | None = None, poll_seconds: float = 0.5) -> None:
    """Return once the warehouse can be opened for writing (at once when it does not exist yet); poll while
    another process holds it, up to `timeout` seconds (default lock_wait_seconds()), then raise
    WarehouseLocked with one line naming the holder's PID and command line."""
    path = warehouse_path(lake)
    if not path.exists():
        return
    timeout = lock_wait_seconds() if timeout is None else timeout
    start = time.monotonic()
    while True:
        try:
            duckdb.connect(str(path)).close()
            return
        except duckdb.IOException as error:
            if not is_lock_error(error):
                raise
            waited = time.monotonic() - start
            if waited >= timeout:
                raise WarehouseLocked(locked_message(lake, error, waited)) from None
            time.sleep(min(poll_seconds, max(0.05, timeout - waited)))
