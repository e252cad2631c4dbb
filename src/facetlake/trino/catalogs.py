"""The raw zone as external tables of Trino's hive catalog, and the connection settings dbt uses too.

Each raw source is one external TEXTFILE table `<raw catalog>.<prefix>raw.<source>` over
`<lake>/raw/<source>/`, partitioned by the `dt=YYYY-MM-DD` folders, with a single varchar column `line`.
Before every build `prepare_raw_tables_for_lake` creates what is missing and syncs the partitions (FULL:
new dt folders appear, removed ones disappear).

Lines come through byte for byte. Hive's text format splits a line into fields at `\\x01` and reads a
field equal to `\\N` as NULL; both are set to a newline here, which can never occur inside a line, so a
line is always exactly one field and never NULL. No escape character is set, so backslashes stay.
Trino's reader (like DuckDB's) ends a line at `\\n`, `\\r\\n` or a lone `\\r`, drops a UTF-8 byte-order
mark at the start of a file, and reads `.gz` files whole (they cannot be split).

The raw manifest (facetlake.raw_zone, written before each build) is the external Parquet table
`<raw catalog>.<prefix>raw.raw_manifest_files` over `<lake>/raw_manifest/files/`: staging reads only the
files it lists as read (`ok`, `sidecar`), so a skipped or unreadable file never fails a Trino build; a
`sidecar` file's lines come from `<raw catalog>.<prefix>raw.raw_sidecars`, the normalised Parquet copies under
`<lake>/raw_manifest/sidecars/source_name=<source>/dt=<dt>/`.

Everything that varies per deployment comes from `TrinoSettings` (facetlake.trino.config), the one reader
of the FACETLAKE_TRINO_* variables the dbt profile reads too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from facetlake.paths import RAW_SOURCES
from facetlake.trino import TrinoError
from facetlake.trino.config import TrinoSettings

# Field separator and null format of the raw tables: a newline never occurs inside a line (it ends it).
_NEVER_IN_A_LINE = "U&'\\000A'"


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class _Session:
    """Runs statements on one connection and turns failures into TrinoErrors that say what was being done."""

    def __init__(self, settings: TrinoSettings) -> None:
        self.settings = settings
        self.conn = settings.connect()

    def run(self, sql: str, doing: str) -> list[list]:
        import trino

        try:
            cur = self.conn.cursor()
            cur.execute(sql)
            return cur.fetchall()
        except trino.exceptions.TrinoUserError as error:
            raise TrinoError(f"Trino refused to {doing}: {error.message}\nStatement: {sql}") from None
        except trino.exceptions.TrinoQueryError as error:
            raise TrinoError(f"Trino failed to {doing}: {error.message}\nStatement: {sql}") from None
        except (OSError, trino.exceptions.HttpError, trino.exceptions.TrinoConnectionError) as error:
            raise TrinoError(
                f"Cannot reach Trino at {self.settings.describe()} to {doing}: {error}. Start the local node "
                "with `facetlake trino start`, or point FACETLAKE_TRINO_HOST/PORT at your cluster."
            ) from None

    def close(self) -> None:
        self.conn.close()


def _table_ddl(settings: TrinoSettings, source: str) -> str:
    table = f"{_quote(settings.raw_catalog)}.{_quote(settings.raw_schema)}.{_quote(source)}"
    return (
        f"create table {table} (line varchar, dt varchar) with ("
        f"external_location = {_literal(settings.raw_location(source))}, format = 'TEXTFILE', "
        f"partitioned_by = array['dt'], textfile_field_separator = {_NEVER_IN_A_LINE}, "
        f"null_format = {_NEVER_IN_A_LINE})"
    )


MANIFEST_TABLE = "raw_manifest_files"
# The manifest's columns (facetlake.raw_zone.manifest.SCHEMA); Parquet columns are matched by name.
_MANIFEST_COLUMNS = (
    ("source_name", "varchar"),
    ("relative_path", "varchar"),
    ("file_name", "varchar"),
    ("dt", "date"),
    ("size_bytes", "bigint"),
    ("modified_at", "timestamp(3)"),
    ("modified_ns", "bigint"),
    ("sha256", "varchar"),
    ("lines", "bigint"),
    ("status", "varchar"),
    ("reason", "varchar"),
    ("lines_before_error", "bigint"),
    ("sidecar_path", "varchar"),
    ("first_seen_at", "timestamp(3)"),
    ("scanned_at", "timestamp(3)"),
)


def _manifest_ddl(settings: TrinoSettings) -> str:
    table = f"{_quote(settings.raw_catalog)}.{_quote(settings.raw_schema)}.{_quote(MANIFEST_TABLE)}"
    columns = ", ".join(f"{_quote(name)} {kind}" for name, kind in _MANIFEST_COLUMNS)
    return (
        f"create table {table} ({columns}) with ("
        f"external_location = {_literal(settings.raw_manifest_location())}, format = 'PARQUET')"
    )


SIDECAR_TABLE = "raw_sidecars"
# The sidecars' columns (facetlake.raw_zone.sidecar.SCHEMA), then the partition columns of their folders.
_SIDECAR_COLUMNS = (
    ("line_number", "bigint"),
    ("line", "varchar"),
    ("line_defect", "varchar"),
    ("line_bytes", "bigint"),
    ("source_name", "varchar"),
    ("dt", "varchar"),
)


def _sidecar_ddl(settings: TrinoSettings) -> str:
    table = f"{_quote(settings.raw_catalog)}.{_quote(settings.raw_schema)}.{_quote(SIDECAR_TABLE)}"
    columns = ", ".join(f"{_quote(name)} {kind}" for name, kind in _SIDECAR_COLUMNS)
    return (
        f"create table {table} ({columns}) with ("
        f"external_location = {_literal(settings.raw_sidecar_location())}, format = 'PARQUET', "
        "partitioned_by = array['source_name', 'dt'])"
    )


def _sidecar_is_current(create_statement: str, settings: TrinoSettings) -> bool:
    text = create_statement.lower()
    return (
        f"external_location = {_literal(settings.raw_sidecar_location()).lower()}" in text
        and "format = 'parquet'" in text
        and "partitioned_by = array['source_name','dt']" in text.replace(", ", ",")
        and all(f"{name} {kind}" in text for name, kind in _SIDECAR_COLUMNS)
    )


def _manifest_is_current(create_statement: str, settings: TrinoSettings) -> bool:
    text = create_statement.lower()
    return (
        f"external_location = {_literal(settings.raw_manifest_location()).lower()}" in text
        and "format = 'parquet'" in text
        and all(f"{name} {kind}" in text for name, kind in _MANIFEST_COLUMNS)
    )


def _is_current(create_statement: str, settings: TrinoSettings, source: str) -> bool:
    """Whether an existing table reads lines the way facetlake needs (else it is dropped and recreated)."""
    text = create_statement.lower()
    # SHOW CREATE TABLE prints the newline separator as a quoted newline (Trino 476), not as U&'\000A'.
    newline = ("u&'\\000a'", "'\n'")
    return (
        any(f"textfile_field_separator = {form}" in text for form in newline)
        and any(f"null_format = {form}" in text for form in newline)
        and f"external_location = {_literal(settings.raw_location(source)).lower()}" in text
        and "partitioned_by = array['dt']" in text
        and "format = 'textfile'" in text
    )


@dataclass
class RawTables:
    """What preparing the raw tables did: dt partitions per source, and which tables it (re)created."""

    partitions: dict[str, int]
    created: list[str]


def prepare_raw_tables(
    settings: TrinoSettings, sources: Iterable[str] = RAW_SOURCES, lake: Path | None = None
) -> RawTables:
    """Create the raw schema and tables that are missing or stale, and sync their dt partitions.

    `lake`, when the cluster is the local node, is the lake directory: a source without a folder yet gets an
    empty one (Trino requires an external location to exist), so its table reads as empty.
    """
    session = _Session(settings)
    catalog, schema = _quote(settings.raw_catalog), _quote(settings.raw_schema)
    try:
        catalogs = {row[0] for row in session.run("show catalogs", "list catalogs")}
        if settings.raw_catalog not in catalogs:
            raise TrinoError(
                f"Trino at {settings.describe()} has no catalog {settings.raw_catalog!r} for the raw zone "
                f"(it has {', '.join(sorted(catalogs))}). Configure a hive catalog over the lake, or set "
                "FACETLAKE_TRINO_RAW_CATALOG to yours."
            )
        session.run(f"create schema if not exists {catalog}.{schema}", f"create schema {settings.raw_schema}")
        existing = {
            row[0]
            for row in session.run(
                f"select table_name from {catalog}.information_schema.tables "
                f"where table_schema = {_literal(settings.raw_schema)}",
                "list the raw tables",
            )
        }
        result = RawTables(partitions={}, created=[])
        for source in sources:
            if lake is not None and settings.is_local_node:
                (lake / "raw" / source).mkdir(parents=True, exist_ok=True)
            table = f"{catalog}.{schema}.{_quote(source)}"
            if source in existing:
                ddl = session.run(f"show create table {table}", f"read the definition of {source}")[0][0]
                if not _is_current(ddl, settings, source):
                    # External: dropping the table leaves the files alone.
                    session.run(f"drop table {table}", f"drop the outdated raw table {source}")
                    existing.discard(source)
            if source not in existing:
                session.run(_table_ddl(settings, source), f"create the raw table {source}")
                result.created.append(source)
            session.run(
                f"call {catalog}.system.sync_partition_metadata("
                f"schema_name => {_literal(settings.raw_schema)}, table_name => {_literal(source)}, "
                "mode => 'FULL', case_sensitive => true)",
                f"sync the dt partitions of {source}",
            )
            result.partitions[source] = session.run(
                f"select count(*) from {catalog}.{schema}.{_quote(source + '$partitions')}",
                f"count the partitions of {source}",
            )[0][0]
        return result
    finally:
        session.close()


def prepare_raw_manifest_tables(settings: TrinoSettings, lake: Path | None = None) -> list[str]:
    """Create the raw manifest's and the sidecars' external tables when missing or stale (after
    prepare_raw_tables made the schema), sync the sidecars' partitions; return the tables (re)created.
    `lake`: as for prepare_raw_tables."""
    session = _Session(settings)
    catalog, schema = _quote(settings.raw_catalog), _quote(settings.raw_schema)
    created = []
    try:
        if lake is not None and settings.is_local_node:
            (lake / "raw_manifest" / "files").mkdir(parents=True, exist_ok=True)
            (lake / "raw_manifest" / "sidecars").mkdir(parents=True, exist_ok=True)
        for name, ddl, is_current in (
            (MANIFEST_TABLE, _manifest_ddl, _manifest_is_current),
            (SIDECAR_TABLE, _sidecar_ddl, _sidecar_is_current),
        ):
            table = f"{catalog}.{schema}.{_quote(name)}"
            exists = session.run(
                f"select count(*) from {catalog}.information_schema.tables "
                f"where table_schema = {_literal(settings.raw_schema)} and table_name = {_literal(name)}",
                f"look for the table {name}",
            )[0][0]
            if exists:
                current = session.run(f"show create table {table}", f"read the definition of {name}")[0][0]
                if is_current(current, settings):
                    continue
                session.run(f"drop table {table}", f"drop the outdated table {name}")
            session.run(ddl(settings), f"create the table {name}")
            created.append(name)
        session.run(
            f"call {catalog}.system.sync_partition_metadata(schema_name => {_literal(settings.raw_schema)}, "
            f"table_name => {_literal(SIDECAR_TABLE)}, mode => 'FULL', case_sensitive => true)",
            "sync the sidecars' partitions",
        )
        return created
    finally:
        session.close()


def prepare_raw_tables_for_lake(lake: Path) -> RawTables:
    """Before a Trino build of `lake`: its raw zone as external tables, partitions in sync with the folders."""
    settings = TrinoSettings.from_env()
    if settings.is_local_node:
        if not (lake / "raw").is_dir():
            raise TrinoError(f"{lake} has no raw/ zone; generate a lake or drop files there first.")
        check_local_node_serves(lake, settings)
    tables = prepare_raw_tables(settings, RAW_SOURCES, lake=lake)
    tables.created.extend(prepare_raw_manifest_tables(settings, lake=lake))
    return tables


def check_local_node_serves(lake: Path, settings: TrinoSettings) -> None:
    """The project's own node reads the lake it was started for (`local.location`): make sure that is `lake`.

    A node started for another lake would read that lake's raw files, and build into its warehouse.
    """
    from facetlake.trino.config import NodeLayout
    from facetlake.trino.server import read_state

    if settings.host not in ("127.0.0.1", "localhost", "::1"):
        return
    state = read_state(NodeLayout(lake))
    if state is None:
        raise TrinoError(
            f"No Trino node runs for the lake {lake}. Start one with `facetlake trino start --lake {lake}` "
            "(each lake has its own node), or point FACETLAKE_TRINO_HOST/PORT and FACETLAKE_TRINO_LAKE_URI "
            "at a cluster that sees this lake."
        )
    if state.port != settings.port:
        raise TrinoError(
            f"The Trino node of {lake} listens on port {state.port}, but FACETLAKE_TRINO_PORT is "
            f"{settings.port}. Set FACETLAKE_TRINO_PORT={state.port} (the port may belong to another lake's node)."
        )
