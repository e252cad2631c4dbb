"""Compare a lake's warehouse on DuckDB with the same models built on Trino, row for row.

Every table and view of the layer schemas (staging, intermediate, marts, reference, with the schema prefix)
is read from both engines; the two must hold the same set of relations, the same columns in the same order
and the same multiset of rows. Values are compared after normalising what the engines' clients return
differently but means the same:

- numbers: int, Decimal and float compare by value; floating-point values within a relative tolerance of
  FLOAT_RELATIVE_TOLERANCE (1e-9, absolute 1e-12 near zero): sums and averages of doubles add up in a
  different order on each engine, and the last bits differ;
- timestamps: to the microsecond (both engines keep microseconds: DuckDB's timestamp, Trino's timestamp(6));
- NaN equals NaN; lists and maps element by element.

Rows are matched by sorting both sides on a key where floats are rounded to KEY_SIGNIFICANT_DIGITS, so
rows whose floats differ only in the last bits line up.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from facetlake.paths import warehouse_path
from facetlake.trino.config import TrinoSettings

LAYER_SCHEMAS: tuple[str, ...] = ("staging", "intermediate", "marts", "reference")
FLOAT_RELATIVE_TOLERANCE = 1e-9
FLOAT_ABSOLUTE_TOLERANCE = 1e-12
KEY_SIGNIFICANT_DIGITS = 8
# Columns that record when something was written, not what the data says: the crowd registry is written by
# `facetlake crowd` (or the build's sync) once per engine, seconds apart. Left out of the comparison.
WALL_CLOCK_COLUMNS: dict[str, frozenset[str]] = {"crowds": frozenset({"created_at", "updated_at"})}


@dataclass
class RelationDiff:
    """How one relation differs between the engines (empty lists: it does not)."""

    name: str
    rows_duckdb: int = 0
    rows_trino: int = 0
    column_problem: str = ""
    only_in_duckdb: list[tuple] = field(default_factory=list)
    only_in_trino: list[tuple] = field(default_factory=list)

    @property
    def equal(self) -> bool:
        return not (self.column_problem or self.only_in_duckdb or self.only_in_trino)

    def describe(self, examples: int = 3) -> str:
        if self.column_problem:
            return f"{self.name}: {self.column_problem}"
        lines = [
            f"{self.name}: {self.rows_duckdb} rows on DuckDB, {self.rows_trino} on Trino; "
            f"{len(self.only_in_duckdb)} only on DuckDB, {len(self.only_in_trino)} only on Trino"
        ]
        lines += [f"  duckdb only: {_short(row)}" for row in self.only_in_duckdb[:examples]]
        lines += [f"  trino only:  {_short(row)}" for row in self.only_in_trino[:examples]]
        return "\n".join(lines)


def _short(row: tuple, width: int = 400) -> str:
    text = repr(row)
    return text if len(text) <= width else text[: width - 3] + "..."


@dataclass
class ParityReport:
    relations: list[str]
    missing_on_trino: list[str]
    missing_on_duckdb: list[str]
    diffs: list[RelationDiff]
    rows_compared: int

    @property
    def equal(self) -> bool:
        return not (self.missing_on_trino or self.missing_on_duckdb) and all(d.equal for d in self.diffs)

    def describe(self) -> str:
        parts = [f"{len(self.relations)} relations, {self.rows_compared:,} rows compared"]
        if self.missing_on_trino:
            parts.append(f"missing on Trino: {', '.join(self.missing_on_trino)}")
        if self.missing_on_duckdb:
            parts.append(f"missing on DuckDB: {', '.join(self.missing_on_duckdb)}")
        parts += [diff.describe() for diff in self.diffs if not diff.equal]
        return "\n".join(parts)


def _schemas(prefix: str) -> list[str]:
    return [prefix + schema for schema in LAYER_SCHEMAS]


def duckdb_relations(con: duckdb.DuckDBPyConnection, prefix: str = "") -> list[str]:
    schemas = _schemas(prefix)
    rows = con.execute(
        "select table_schema || '.' || table_name from information_schema.tables "
        f"where table_schema in ({', '.join('?' for _ in schemas)}) and table_catalog = current_database()",
        schemas,
    ).fetchall()
    return sorted(row[0] for row in rows)


def trino_relations(cur: Any, catalog: str, prefix: str = "") -> list[str]:
    schemas = ", ".join(f"'{schema}'" for schema in _schemas(prefix))
    cur.execute(
        f"select table_schema || '.' || table_name from {catalog}.information_schema.tables "
        f"where table_schema in ({schemas})"
    )
    return sorted(row[0] for row in cur.fetchall())


def _normal(value: Any) -> Any:
    """A value as a comparable Python object (see the module docstring)."""
    if value is None or isinstance(value, bool | str | bytes):
        return value
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        return value
    if isinstance(value, datetime):
        return value.replace(tzinfo=None) if value.tzinfo is None else value
    if isinstance(value, date | time):
        return value
    if isinstance(value, dict):
        return tuple(sorted((_normal(k), _normal(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_normal(v) for v in value)
    return str(value)


def _key_part(value: Any) -> tuple:
    """A sort key for one normalised value: a type rank, then the value (floats rounded)."""
    if value is None:
        return (0, "")
    if isinstance(value, float):
        if math.isnan(value):
            return (1, "nan")
        return (1, float(f"{value:.{KEY_SIGNIFICANT_DIGITS}g}"))
    if isinstance(value, Decimal):
        return (1, float(f"{float(value):.{KEY_SIGNIFICANT_DIGITS}g}"))
    if isinstance(value, tuple):
        return (2, tuple(_key_part(v) for v in value))
    return (3, repr(value))


def _row_key(row: tuple) -> tuple:
    return tuple(_key_part(v) for v in row)


def values_equal(left: Any, right: Any) -> bool:
    if left is None or right is None:
        return left is None and right is None
    if isinstance(left, float | Decimal) and isinstance(right, float | Decimal):
        a, b = float(left), float(right)
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        if isinstance(left, Decimal) and isinstance(right, Decimal):
            return left == right
        return math.isclose(a, b, rel_tol=FLOAT_RELATIVE_TOLERANCE, abs_tol=FLOAT_ABSOLUTE_TOLERANCE)
    if isinstance(left, tuple) and isinstance(right, tuple):
        return len(left) == len(right) and all(values_equal(a, b) for a, b in zip(left, right, strict=True))
    return left == right


def rows_equal(left: tuple, right: tuple) -> bool:
    return len(left) == len(right) and all(values_equal(a, b) for a, b in zip(left, right, strict=True))


def compare_rows(name: str, duck_rows: Iterable[tuple], trino_rows: Iterable[tuple]) -> RelationDiff:
    """Multiset comparison with float tolerance: sort both sides, walk them together."""
    left = sorted((tuple(_normal(v) for v in row) for row in duck_rows), key=_row_key)
    right = sorted((tuple(_normal(v) for v in row) for row in trino_rows), key=_row_key)
    diff = RelationDiff(name, rows_duckdb=len(left), rows_trino=len(right))
    if len(left) == len(right) and all(rows_equal(a, b) for a, b in zip(left, right, strict=True)):
        return diff
    # Not equal in sorted order: pair rows with the same key that are equal within tolerance, then pair
    # what is left across keys (floats near a rounding boundary of the key); the rest differs.
    by_key: dict[tuple, list[tuple]] = {}
    for row in right:
        by_key.setdefault(_row_key(row), []).append(row)
    leftover_left = []
    for row in left:
        candidates = by_key.get(_row_key(row), [])
        match = next((i for i, other in enumerate(candidates) if rows_equal(row, other)), None)
        if match is None:
            leftover_left.append(row)
        else:
            candidates.pop(match)
    leftover_right = [row for rows in by_key.values() for row in rows]
    for row in leftover_left:
        match = next((i for i, other in enumerate(leftover_right) if rows_equal(row, other)), None)
        if match is None:
            diff.only_in_duckdb.append(row)
        else:
            leftover_right.pop(match)
    diff.only_in_trino = leftover_right
    return diff


def compare_warehouses(lake: Path, settings: TrinoSettings | None = None) -> ParityReport:
    """Every relation of the layer schemas of `lake`'s DuckDB warehouse against the same on Trino."""
    settings = settings or TrinoSettings.from_env()
    prefix = settings.schema_prefix
    con = duckdb.connect(str(warehouse_path(lake)), read_only=True)
    conn = settings.connect()
    try:
        cur = conn.cursor()
        on_duckdb = duckdb_relations(con, prefix)
        on_trino = trino_relations(cur, settings.catalog, prefix)
        both = sorted(set(on_duckdb) & set(on_trino))
        diffs, compared = [], 0
        for name in both:
            duck = con.execute(f"select * from {name}")
            duck_columns = [d[0] for d in duck.description]
            duck_rows = duck.fetchall()
            cur.execute(f"select * from {settings.catalog}.{name}")
            trino_rows = cur.fetchall()
            trino_columns = [d[0] for d in cur.description]
            if duck_columns != trino_columns:
                diffs.append(
                    RelationDiff(name, column_problem=f"columns differ: DuckDB {duck_columns}, Trino {trino_columns}")
                )
                continue
            wall_clock = WALL_CLOCK_COLUMNS.get(name.rsplit(".", 1)[-1], frozenset())
            keep = [i for i, column in enumerate(duck_columns) if column not in wall_clock]
            diffs.append(
                compare_rows(
                    name,
                    [tuple(row[i] for i in keep) for row in duck_rows],
                    [tuple(row[i] for i in keep) for row in trino_rows],
                )
            )
            compared += len(duck_rows) + len(trino_rows)
        return ParityReport(
            relations=both,
            missing_on_trino=sorted(set(on_duckdb) - set(on_trino)),
            missing_on_duckdb=sorted(set(on_trino) - set(on_duckdb)),
            diffs=diffs,
            rows_compared=compared,
        )
    finally:
        conn.close()
        con.close()
