"""Where crowd commands run their SQL: the DuckDB warehouse of a lake, or a Trino server.

Both engines see the same relations (schemas named by layer: marts, registry, ...); SQL written for the
crowd commands sticks to what both accept. FACETLAKE_ENGINE=trino selects Trino (host, port, user, catalog
from facetlake.trino.config.TrinoSettings, which reads the FACETLAKE_TRINO_* variables profiles.yml reads).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from facetlake import paths
from facetlake.dbt_runner import BuildError
from facetlake.warehouse import lock_wait_seconds, locked_message

if TYPE_CHECKING:  # pandas is imported where used, to keep `crowd size` fast
    import pandas as pd


class EngineError(RuntimeError):
    """The engine cannot be reached or holds no built warehouse; the message says what to do."""


class Engine(Protocol):
    name: str
    lake: Path

    def relation(self, schema: str, table: str) -> str: ...

    def query(self, sql: str) -> list[tuple[Any, ...]]: ...

    def query_df(self, sql: str) -> pd.DataFrame: ...

    def execute(self, sql: str) -> None: ...

    def exists(self, schema: str, table: str) -> bool: ...

    def close(self) -> None: ...


def schema_name(schema: str) -> str:
    """A layer schema as dbt names it (generate_schema_name): with FACETLAKE_SCHEMA_PREFIX."""
    return os.environ.get("FACETLAKE_SCHEMA_PREFIX", "") + schema


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc).lower()
    return "lock" in text or "conflicting" in text


class WarehouseBusy(EngineError, BuildError):
    """A write connection waited its bounded time for the warehouse lock; the message names the holder.
    Both an EngineError (crowd CLI) and a BuildError (the build path runs the registry sync first)."""


class DuckDBEngine:
    """The lake's DuckDB warehouse. Readers use the warehouse when no build holds it, else the serving copy
    (warehouse/serving/, published after every build); writers wait up to `wait_seconds` for the lock
    (default FACETLAKE_LOCK_WAIT_SECONDS, 60), then raise WarehouseBusy naming the process that holds it."""

    name = "duckdb"

    def __init__(self, lake: Path, write: bool = False, wait_seconds: float | None = None) -> None:
        import duckdb

        self.lake = lake
        self.write = write
        warehouse = paths.warehouse_path(lake)
        serving = paths.serving_path(lake)
        if not write and not warehouse.exists() and not serving.exists():
            raise EngineError(f"{lake} has no warehouse yet. Run `facetlake build --lake {lake}` first.")
        wait_seconds = lock_wait_seconds() if wait_seconds is None else wait_seconds
        start = time.monotonic()
        deadline = start + wait_seconds
        while True:
            try:
                if write:
                    warehouse.parent.mkdir(parents=True, exist_ok=True)
                    self.con = duckdb.connect(str(warehouse))
                    self.path = warehouse
                else:
                    self.con = duckdb.connect(str(warehouse), read_only=True)
                    self.path = warehouse
                break
            except duckdb.IOException as exc:
                if not _is_lock_error(exc):
                    raise
                if not write and serving.exists():
                    self.con = duckdb.connect(str(serving), read_only=True)
                    self.path = serving
                    break
                if time.monotonic() > deadline:
                    raise WarehouseBusy(locked_message(lake, exc, time.monotonic() - start)) from None
                time.sleep(0.5)
        self.con.execute("set TimeZone = 'UTC'")

    def relation(self, schema: str, table: str) -> str:
        return f"{schema_name(schema)}.{table}"

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        return self.con.execute(sql).fetchall()

    def query_df(self, sql: str) -> pd.DataFrame:
        return self.con.execute(sql).fetchdf()

    def execute(self, sql: str) -> None:
        self.con.execute(sql)

    def exists(self, schema: str, table: str) -> bool:
        import duckdb

        # A probe query: information_schema reads every table's metadata, seconds on a big warehouse.
        try:
            self.con.execute(f"select * from {self.relation(schema, table)} limit 0")
        except duckdb.CatalogException:
            return False
        return True

    def close(self) -> None:
        self.con.close()


class TrinoEngine:
    """A Trino server, as TrinoSettings (FACETLAKE_TRINO_*) and the dbt profile describe it."""

    name = "trino"

    def __init__(self, lake: Path) -> None:
        from facetlake.trino.config import TrinoSettings

        self.lake = lake
        settings = TrinoSettings.from_env()
        self.catalog = settings.catalog
        self.con = settings.connect(catalog=self.catalog, schema=schema_name("marts"))
        try:
            self.query("select 1")
        except Exception as exc:  # noqa: BLE001 - any connection failure means the same to the user
            raise EngineError(
                f"Cannot reach Trino at {settings.describe()} ({exc}). Start it with `facetlake trino start`."
            ) from exc

    def relation(self, schema: str, table: str) -> str:
        return f"{self.catalog}.{schema_name(schema)}.{table}"

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        cur = self.con.cursor()
        cur.execute(sql)
        return cur.fetchall()

    def query_df(self, sql: str) -> pd.DataFrame:
        import pandas as pd

        cur = self.con.cursor()
        cur.execute(sql)
        rows = cur.fetchall()
        return pd.DataFrame(rows, columns=[d[0] for d in cur.description])

    def execute(self, sql: str) -> None:
        cur = self.con.cursor()
        cur.execute(sql)
        cur.fetchall()

    def exists(self, schema: str, table: str) -> bool:
        rows = self.query(
            f"select count(*) from {self.catalog}.information_schema.tables "
            f"where table_schema = '{schema_name(schema)}' and table_name = '{table}'"
        )
        return bool(rows and rows[0][0])

    def close(self) -> None:
        self.con.close()


def engine_name(engine: str | None = None) -> str:
    name = (engine or os.environ.get("FACETLAKE_ENGINE") or "duckdb").lower()
    if name not in ("duckdb", "trino"):
        raise EngineError(f"Unknown engine {name!r}; use duckdb or trino (FACETLAKE_ENGINE).")
    return name


def connect(lake: Path, engine: str | None = None, write: bool = False) -> Engine:
    """An engine for the lake: DuckDB (default) or Trino (engine='trino' or FACETLAKE_ENGINE=trino)."""
    if engine_name(engine) == "trino":
        return TrinoEngine(lake)
    return DuckDBEngine(lake, write=write)
