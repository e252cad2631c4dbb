"""Read-only access to a lake's DuckDB warehouse (for the CLI, tests and reports)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from facetlake.paths import warehouse_path


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
