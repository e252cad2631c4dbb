"""A single Trino node's configuration under `<lake>/trino/`: etc/ (node, JVM, server, log, catalogs).

    <lake>/trino/etc/               node.properties, jvm.config, config.properties, log.properties, catalog/,
                                    access-control.properties and rules.json (facetlake.trino.access)
    <lake>/trino/data/              node.data-dir; data/spill/ where queries larger than memory spill
    <lake>/trino/var/log/           server.log (Trino's log), launcher.log (the JVM's stdout and stderr)
    <lake>/trino/var/run/           server.json (pid, port, version) while a node runs
    <lake>/trino/metastore/hive/    file metastore of the `hive` catalog (the raw zone's external tables)
    <lake>/trino/warehouse/         file metastore and table files of the `iceberg` catalog (dbt's tables)

The files are rewritten on every start from the settings, so a changed port or heap takes effect on the
next start; only the node id is kept.

`TrinoSettings` is the one reader of the FACETLAKE_TRINO_* variables (where the cluster is, how facetlake
names things in it, the local node's port and heap): the build, the crowd commands, the parity check and
`facetlake trino start` all take their settings from it.
"""

from __future__ import annotations

import os
import re
import uuid
from dataclasses import dataclass, replace
from pathlib import Path

from facetlake.trino import TrinoError, access

DEFAULT_PORT = 8080
# The machine has 24 GiB shared with DuckDB, Superset and Dagster: Trino gets a quarter of it.
DEFAULT_HEAP = "6G"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_USER = "facetlake"
DEFAULT_RAW_CATALOG = "hive"
DEFAULT_CATALOG = "iceberg"
# The node this project starts has `local.location` = the lake, so lake paths are `local:///raw/...`.
DEFAULT_LAKE_URI = "local://"


_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, "").strip() or default


def _lake_uri(uri: str) -> str:
    """`local://` (the local node) or a cluster's URI of the lake without its trailing slash."""
    return DEFAULT_LAKE_URI if uri.rstrip("/") == DEFAULT_LAKE_URI.rstrip("/") else uri.rstrip("/")


def _is_set(name: str) -> bool:
    return _env(name).lower() not in ("", "0", "false", "no")


@dataclass(frozen=True)
class TrinoSettings:
    """Where the Trino cluster is and how facetlake names things in it (defaults: the local node)."""

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    user: str = DEFAULT_USER
    password: str = ""
    tls: bool = False
    catalog: str = DEFAULT_CATALOG
    raw_catalog: str = DEFAULT_RAW_CATALOG
    schema_prefix: str = ""
    lake_uri: str = DEFAULT_LAKE_URI
    # The heap of the node `facetlake trino start` runs (checked when a node starts, see default_heap).
    heap: str = DEFAULT_HEAP
    # File-based access control on the local node (facetlake.trino.access); FACETLAKE_TRINO_ACCESS_CONTROL=0
    # turns it off.
    access_control: bool = True

    @classmethod
    def from_env(cls) -> TrinoSettings:
        """The settings from FACETLAKE_* variables, checked; the dbt profile reads the same ones.

        The only place the FACETLAKE_TRINO_* variables are read: everything else takes a TrinoSettings.
        """
        raw_port = _env("FACETLAKE_TRINO_PORT", str(DEFAULT_PORT))
        try:
            port = int(raw_port)
        except ValueError:
            raise TrinoError(f"FACETLAKE_TRINO_PORT must be a port number, not {raw_port!r}.") from None
        settings = cls(
            host=_env("FACETLAKE_TRINO_HOST", DEFAULT_HOST),
            port=port,
            user=_env("FACETLAKE_TRINO_USER", DEFAULT_USER),
            password=os.environ.get("FACETLAKE_TRINO_PASSWORD", ""),
            tls=_is_set("FACETLAKE_TRINO_TLS"),
            catalog=_env("FACETLAKE_TRINO_CATALOG", DEFAULT_CATALOG),
            raw_catalog=_env("FACETLAKE_TRINO_RAW_CATALOG", DEFAULT_RAW_CATALOG),
            schema_prefix=os.environ.get("FACETLAKE_SCHEMA_PREFIX", ""),
            lake_uri=_lake_uri(_env("FACETLAKE_TRINO_LAKE_URI", DEFAULT_LAKE_URI)),
            heap=_env("FACETLAKE_TRINO_HEAP", DEFAULT_HEAP),
            access_control=_env("FACETLAKE_TRINO_ACCESS_CONTROL", "1").lower() not in ("0", "false", "no", "off"),
        )
        settings.check()
        return settings

    def check(self) -> None:
        check_port_number(self.port)
        for name, value in (
            ("FACETLAKE_TRINO_CATALOG", self.catalog),
            ("FACETLAKE_TRINO_RAW_CATALOG", self.raw_catalog),
        ):
            if not _IDENTIFIER.fullmatch(value):
                raise TrinoError(f"{name}={value!r} is not a catalog name (lower-case letters, digits, _).")
        if self.schema_prefix and not _IDENTIFIER.fullmatch(self.schema_prefix):
            raise TrinoError(
                f"FACETLAKE_SCHEMA_PREFIX={self.schema_prefix!r} must be lower-case letters, digits and _ "
                "(it is put in front of schema names, e.g. team_a_ gives team_a_staging)."
            )
        if "'" in self.lake_uri:
            raise TrinoError(f"FACETLAKE_TRINO_LAKE_URI={self.lake_uri!r} must not contain a quote.")
        if self.password and not self.tls:
            # The profile switches to https when a password is set; Trino refuses passwords over http.
            object.__setattr__(self, "tls", True)

    @property
    def http_scheme(self) -> str:
        return "https" if self.tls else "http"

    @property
    def raw_schema(self) -> str:
        return f"{self.schema_prefix}raw"

    @property
    def is_local_node(self) -> bool:
        """True when the lake is this machine's directory as the project's own node sees it."""
        return self.lake_uri == DEFAULT_LAKE_URI

    def raw_location(self, source: str) -> str:
        """Where the cluster finds `<lake>/raw/<source>/` (`local:///raw/orders` on the local node)."""
        if self.is_local_node:
            return f"local:///raw/{source}"
        return f"{self.lake_uri}/raw/{source}"

    def raw_manifest_location(self) -> str:
        """Where the cluster finds the raw manifest's folder, `<lake>/raw_manifest/files/` (facetlake.raw_zone)."""
        if self.is_local_node:
            return "local:///raw_manifest/files"
        return f"{self.lake_uri}/raw_manifest/files"

    def raw_sidecar_location(self) -> str:
        """Where the cluster finds the sidecars of the raw zone, `<lake>/raw_manifest/sidecars/`."""
        if self.is_local_node:
            return "local:///raw_manifest/sidecars"
        return f"{self.lake_uri}/raw_manifest/sidecars"

    def describe(self) -> str:
        return f"{self.http_scheme}://{self.host}:{self.port} as {self.user}"

    def connect(
        self, request_timeout: float = 300.0, catalog: str | None = None, schema: str | None = None
    ):  # -> trino.dbapi.Connection
        import trino

        auth = trino.auth.BasicAuthentication(self.user, self.password) if self.password else None
        return trino.dbapi.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            catalog=catalog,
            schema=schema,
            http_scheme=self.http_scheme,
            auth=auth,
            request_timeout=request_timeout,
            timezone="UTC",
        )


@dataclass(frozen=True)
class NodeLayout:
    """Where a lake's Trino node keeps its configuration, data, logs and metastores."""

    lake: Path

    @property
    def home(self) -> Path:
        return self.lake / "trino"

    @property
    def etc(self) -> Path:
        return self.home / "etc"

    @property
    def catalog_dir(self) -> Path:
        return self.etc / "catalog"

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    @property
    def spill_dir(self) -> Path:
        return self.data_dir / "spill"

    @property
    def log_dir(self) -> Path:
        return self.home / "var" / "log"

    @property
    def server_log(self) -> Path:
        return self.log_dir / "server.log"

    @property
    def launcher_log(self) -> Path:
        return self.log_dir / "launcher.log"

    @property
    def state_file(self) -> Path:
        return self.home / "var" / "run" / "server.json"

    @property
    def hive_metastore(self) -> Path:
        return self.home / "metastore" / "hive"

    @property
    def iceberg_warehouse(self) -> Path:
        return self.home / "warehouse"


@dataclass(frozen=True)
class NodeSettings:
    """What varies per start: the port and the heap (query memory is derived from the heap), and the access
    rules' service user, schema prefix and whether access control is on (None: from the environment, see
    TrinoSettings)."""

    port: int = DEFAULT_PORT
    heap: str = DEFAULT_HEAP
    service_user: str | None = None
    schema_prefix: str | None = None
    catalog: str | None = None
    access_control: bool | None = None

    def resolved(self) -> NodeSettings:
        """These settings with every None taken from the FACETLAKE_* environment."""
        if None not in (self.service_user, self.schema_prefix, self.catalog, self.access_control):
            return self
        env = TrinoSettings.from_env()
        return replace(
            self,
            service_user=env.user if self.service_user is None else self.service_user,
            schema_prefix=env.schema_prefix if self.schema_prefix is None else self.schema_prefix,
            catalog=env.catalog if self.catalog is None else self.catalog,
            access_control=env.access_control if self.access_control is None else self.access_control,
        )

    @property
    def heap_mb(self) -> int:
        return parse_size_mb(self.heap)

    @property
    def query_memory_mb(self) -> int:
        # Single node: one query may use up to 40% of the heap, and 25% is kept as headroom for
        # untracked allocations; Trino requires their sum to stay below the heap.
        return self.heap_mb * 40 // 100

    @property
    def headroom_mb(self) -> int:
        return self.heap_mb * 25 // 100


def default_port() -> int:
    """FACETLAKE_TRINO_PORT (also read by the dbt profile), else 8080."""
    return TrinoSettings.from_env().port


def default_heap() -> str:
    """FACETLAKE_TRINO_HEAP, else 6G."""
    heap = TrinoSettings.from_env().heap
    parse_size_mb(heap)
    return heap


def check_port_number(port: int) -> None:
    if not 1 <= port <= 65535:
        raise TrinoError(f"Port {port} is not a TCP port number (1-65535).")


def parse_size_mb(size: str) -> int:
    """A JVM size (`6G`, `4096M`) in MiB."""
    match = re.fullmatch(r"(\d+)([gGmM])", size.strip())
    if not match:
        raise TrinoError(f"Heap size {size!r} is not like 6G or 4096M (FACETLAKE_TRINO_HEAP).")
    amount, unit = int(match.group(1)), match.group(2).upper()
    mb = amount * 1024 if unit == "G" else amount
    if mb < 1024:
        raise TrinoError(f"Heap size {size!r} is below 1G; Trino does not start reliably with less.")
    return mb


def jvm_options(settings: NodeSettings) -> list[str]:
    """JVM flags after Trino's recommended jvm.config, with a heap that fits a shared 24 GiB machine."""
    return [
        "-server",
        f"-Xmx{settings.heap_mb}M",
        "-XX:+UseG1GC",
        "-XX:G1HeapRegionSize=32M",
        "-XX:+ExplicitGCInvokesConcurrent",
        "-XX:+ExitOnOutOfMemoryError",
        "-XX:-OmitStackTraceInFastThrow",
        "-XX:ReservedCodeCacheSize=256M",
        "-XX:PerMethodRecompilationCutoff=10000",
        "-XX:PerBytecodeRecompilationCutoff=10000",
        "-XX:+EnableDynamicAgentLoading",
        "--enable-native-access=ALL-UNNAMED",
        "-Djdk.attach.allowAttachSelf=true",
        "-Djdk.nio.maxCachedBufferSize=2000000",
        "-Dfile.encoding=UTF-8",
        # Session time zone defaults to the JVM's: UTC, like the DuckDB target, so both engines agree.
        "-Duser.timezone=UTC",
    ]


def _node_id(layout: NodeLayout) -> str:
    """Keep the node id across restarts (Trino ties its data dir to it)."""
    node_file = layout.etc / "node.properties"
    if node_file.exists():
        for line in node_file.read_text().splitlines():
            if line.startswith("node.id="):
                return line.split("=", 1)[1].strip()
    return str(uuid.uuid4())


def _properties(values: dict[str, str | int | bool]) -> str:
    lines = []
    for key, value in values.items():
        text = str(value).lower() if isinstance(value, bool) else str(value)
        if "\n" in text or "\\" in text:
            raise TrinoError(f"Cannot write {key}={text!r} to a Trino properties file (newline or backslash).")
        lines.append(f"{key}={text}")
    return "\n".join(lines) + "\n"


def local_uri(layout: NodeLayout, path: Path) -> str:
    """A path inside the lake as a location of Trino's native local file system.

    `local.location` is the lake itself, so locations are relative to it (`local:///raw/orders`): the
    metastores stay valid when the lake directory moves, and the catalogs cannot reach outside the lake.
    """
    relative = path.resolve().relative_to(layout.lake.resolve())
    return "local:///" + relative.as_posix()


def catalog_properties(layout: NodeLayout) -> dict[str, dict[str, str | int | bool]]:
    """The catalogs over the lake: `hive` (raw zone), `iceberg` (dbt tables), `memory` and `tpch`."""
    local_fs: dict[str, str | int | bool] = {
        "fs.native-local.enabled": True,
        "local.location": layout.lake.resolve().as_posix(),
    }
    return {
        "hive": {
            "connector.name": "hive",
            "hive.metastore": "file",
            "hive.metastore.catalog.dir": local_uri(layout, layout.hive_metastore),
            **local_fs,
            # The raw zone is external tables over files others write: Trino creates them and registers
            # partitions, but cannot write into them (non-managed writes stay off, the default).
            "hive.non-managed-table-creates-enabled": True,
            "hive.allow-register-partition-procedure": True,
        },
        "iceberg": {
            "connector.name": "iceberg",
            # Trino 476 reads a file metastore for Iceberg only through this catalog type (hive_metastore
            # wants a Thrift URI); it is the same file metastore as the hive catalog's, JSON under the lake.
            "iceberg.catalog.type": "testing_file_metastore",
            "hive.metastore.catalog.dir": local_uri(layout, layout.iceberg_warehouse),
            **local_fs,
            "iceberg.file-format": "PARQUET",
        },
        "memory": {"connector.name": "memory", "memory.max-data-per-node": "512MB"},
        "tpch": {"connector.name": "tpch"},
    }


def write_node_config(layout: NodeLayout, settings: NodeSettings, install: Path) -> list[str]:
    """Write etc/ for a node of `install` and create its directories; return the JVM arguments.

    Like Trino's launcher, node.properties goes to the JVM as system properties (the server itself reads
    only config.properties); the file is written too, for whoever looks at etc/. With access control on,
    etc/rules.json holds facetlake.trino.access's rules for this node's service user.
    """
    settings = settings.resolved()
    for directory in (
        layout.catalog_dir,
        layout.data_dir,
        layout.spill_dir,
        layout.log_dir,
        layout.state_file.parent,
        layout.hive_metastore,
        layout.iceberg_warehouse,
    ):
        directory.mkdir(parents=True, exist_ok=True)
    node = {
        "node.environment": "facetlake",
        "node.id": _node_id(layout),
        "node.data-dir": layout.data_dir.resolve().as_posix(),
        "node.bind-ip": "127.0.0.1",
        "node.internal-address": "127.0.0.1",
    }
    server = {
        "coordinator": True,
        "node-scheduler.include-coordinator": True,
        "http-server.http.port": settings.port,
        "discovery.uri": f"http://127.0.0.1:{settings.port}",
        "plugin.dir": (install / "plugin").as_posix(),
        "catalog.config-dir": layout.catalog_dir.resolve().as_posix(),
        "http-server.log.path": (layout.log_dir / "http-request.log").resolve().as_posix(),
        "query.max-memory": f"{settings.query_memory_mb}MB",
        "query.max-memory-per-node": f"{settings.query_memory_mb}MB",
        "memory.heap-headroom-per-node": f"{settings.headroom_mb}MB",
        # An aggregation, join, sort or window larger than the query memory spills to the node's disk instead
        # of failing: the 4A stages' aggregation (a row per person, brand and day, since replaced by spells)
        # needed more than 2.4 GB (a 6 GB heap) at 100k.
        "spill-enabled": True,
        "spiller-spill-path": layout.spill_dir.resolve().as_posix(),
        # dbt runs many short statements; keep finished queries for the UI but not forever.
        "query.max-history": 500,
    }
    access_file = layout.etc / "access-control.properties"
    rules_file = layout.etc / "rules.json"
    if settings.access_control:
        server["access-control.config-files"] = access_file.resolve().as_posix()
        rules_file.write_text(
            access.rules_json(
                settings.service_user or DEFAULT_USER, settings.catalog or DEFAULT_CATALOG, settings.schema_prefix or ""
            )
        )
        access_file.write_text(
            _properties(
                {
                    "access-control.name": "file",
                    "security.config-file": rules_file.resolve().as_posix(),
                    # Rewritten on every start; an edit by hand takes effect within seconds, no restart.
                    "security.refresh-period": "5s",
                }
            )
        )
    else:
        access_file.unlink(missing_ok=True)
        rules_file.unlink(missing_ok=True)
    options = jvm_options(settings)
    (layout.etc / "node.properties").write_text(_properties(node))
    (layout.etc / "config.properties").write_text(_properties(server))
    (layout.etc / "log.properties").write_text("io.trino=INFO\n")
    (layout.etc / "jvm.config").write_text("\n".join(options) + "\n")
    wanted = catalog_properties(layout)
    for stale in layout.catalog_dir.glob("*.properties"):
        if stale.stem not in wanted:
            stale.unlink()
    for name, values in wanted.items():
        (layout.catalog_dir / f"{name}.properties").write_text(_properties(values))
    return [*options, *(f"-D{key}={value}" for key, value in node.items())]
