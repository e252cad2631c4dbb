"""The serving copy of the DuckDB warehouse: what dashboards read, without the quarantine's raw text.

The writer warehouse keeps each rejected line's raw text (`raw_line`) for engineers; a rejected line can hold
a raw phone or email, so the serving copy is written without it: a fresh database file gets the writer's
schema, then every table's rows except the raw-text columns, and `staging.quarantined_lines` becomes a table
of the rejections without their text. Copying rows into a new file, rather than copying the file and
dropping the columns, leaves no raw bytes behind in the serving file's free blocks.

Readers get the warehouse's public interface only: the layers in READER_LAYERS (the marts, the crowd
registry, reference seeds, fits and snapshots), the quarantine, and whatever a view kept there reads. The
staging and intermediate tables (dbt's private models, 40% of a warehouse's rows) stay in the writer:
copying them made publishing the largest fixed cost of a daily run.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from facetlake import paths
from facetlake.crowds.engine import schema_name

__all__ = ["RAW_TEXT_COLUMNS", "READER_LAYERS", "publish_serving_copy"]

# Columns holding a raw line's text, left out of the serving copy wherever they are.
RAW_TEXT_COLUMNS = ("raw_line", "line")
# The layers (schemas, before FACETLAKE_SCHEMA_PREFIX) readers query: dashboards, crowd commands, summaries.
READER_LAYERS = ("marts", "registry", "reference", "fits", "snapshots")
# The writer is attached under the catalog name its views name (the file's stem, `facetlake`), so that
# reading its quarantine view reads its own tables; the serving file is attached as SERVING meanwhile and
# opened as `facetlake` by readers.
WRITER = "facetlake"
CATALOG = "serving_copy"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _write_serving_database(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"copy from database {WRITER} to {CATALOG} (schema)")
    tables = con.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = ? order by 1, 2", [CATALOG]
    ).fetchall()
    raw_views = con.execute(
        "select distinct v.schema_name, v.view_name from duckdb_views() v join duckdb_columns() c "
        "on c.database_name = v.database_name and c.schema_name = v.schema_name and c.table_name = v.view_name "
        "where v.database_name = ? and c.column_name in (select unnest(?))",
        [CATALOG, list(RAW_TEXT_COLUMNS)],
    ).fetchall()
    # A view showing raw text (the quarantine) becomes a table of its other columns.
    for schema, view in raw_views:
        name = f"{_quote(schema)}.{_quote(view)}"
        con.execute(f"drop view {CATALOG}.{name}")
        source_columns = {
            r[0]
            for r in con.execute(
                "select column_name from duckdb_columns() where database_name = ? and schema_name = ? "
                "and table_name = ?",
                [WRITER, schema, view],
            ).fetchall()
        }
        present = ", ".join(_quote(c) for c in RAW_TEXT_COLUMNS if c in source_columns)
        con.execute(f"create table {CATALOG}.{name} as select * exclude ({present}) from {WRITER}.{name}")
    served = _relations_readers_need(con, {(schema, view) for schema, view in raw_views})
    for kind, schema, relation in _relations(con):
        if (schema, relation) not in served:
            con.execute(f"drop {kind} {CATALOG}.{_quote(schema)}.{_quote(relation)}")
    for schema, table in tables:
        if (schema, table) not in served:
            continue
        name = f"{_quote(schema)}.{_quote(table)}"
        columns = [
            r[0]
            for r in con.execute(
                "select column_name from duckdb_columns() where database_name = ? and schema_name = ? "
                "and table_name = ? order by column_index",
                [CATALOG, schema, table],
            ).fetchall()
        ]
        for column in columns:
            if column in RAW_TEXT_COLUMNS:
                con.execute(f"alter table {CATALOG}.{name} drop column {_quote(column)}")
        kept = ", ".join(_quote(c) for c in columns if c not in RAW_TEXT_COLUMNS)
        con.execute(f"insert into {CATALOG}.{name} ({kept}) select {kept} from {WRITER}.{name}")


def _relations(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    """(view or table, schema, name) of every relation in the serving catalog, views first."""
    return con.execute(
        "select 'view', schema_name, view_name from duckdb_views() where database_name = ? and not internal "
        "union all select 'table', schema_name, table_name from duckdb_tables() where database_name = ? "
        "order by 1 desc, 2, 3",
        [CATALOG, CATALOG],
    ).fetchall()


def _relations_readers_need(con: duckdb.DuckDBPyConnection, quarantine: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """The reader layers' relations, the quarantine, and (transitively) every relation a kept view names."""
    relations = [(schema, name) for _kind, schema, name in _relations(con)]
    readers = {schema_name(layer) for layer in READER_LAYERS}
    kept = {(schema, name) for schema, name in relations if schema in readers} | quarantine
    view_sql = {
        (schema, name): sql.lower()
        for schema, name, sql in con.execute(
            "select schema_name, view_name, sql from duckdb_views() where database_name = ? and not internal",
            [CATALOG],
        ).fetchall()
    }
    pending = [relation for relation in kept if relation in view_sql]
    while pending:
        sql = view_sql[pending.pop()]
        for schema, name in relations:
            named = f'"{schema}"."{name}"'.lower() in sql or f"{schema}.{name}".lower() in sql
            if named and (schema, name) not in kept:
                kept.add((schema, name))
                if (schema, name) in view_sql:
                    pending.append((schema, name))
    return kept


def publish_serving_copy(lake: Path) -> Path:
    """Write the serving copy to warehouse/serving/ (without raw text) and swap it in atomically.

    DuckDB allows one writer or many readers per file: dashboards read the serving copy, so a running
    build never waits on them and they never see a half-written warehouse.
    """
    target = paths.serving_path(lake)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".duckdb.tmp")
    tmp.unlink(missing_ok=True)
    con = duckdb.connect()
    try:
        con.execute(f"attach {_literal(paths.warehouse_path(lake))} as {WRITER} (read_only)")
        con.execute(f"attach {_literal(tmp)} as {CATALOG}")
        _write_serving_database(con)
        con.execute(f"detach {CATALOG}")
    except BaseException:
        con.close()
        tmp.unlink(missing_ok=True)
        raise
    con.close()
    os.replace(tmp, target)
    return target
