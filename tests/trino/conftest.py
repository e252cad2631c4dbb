"""A real Trino node for the test session: installed (or reused from the cache), started on a free port
over a temporary lake, stopped at the end.

Where Trino cannot be installed or started, the tests that need it are skipped on a developer's machine
and fail on CI (CI=true): CI never passes without having run them.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest
import trino

from facetlake.trino import TrinoError
from facetlake.trino import server as trino_server
from facetlake.trino.config import NodeSettings

# Small enough to run beside a second node of the lifecycle test on the 24 GiB CI machine.
TEST_HEAP = "3G"


def on_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _unavailable(reason: str) -> NoReturn:
    """Fail on CI, skip elsewhere."""
    if on_ci():
        pytest.fail(f"Trino is required on CI: {reason}", pytrace=False)
    pytest.skip(f"Trino unavailable: {reason}")


@pytest.fixture
def free_port() -> Callable[[], int]:
    """A function returning a TCP port on 127.0.0.1 that nothing listens on right now."""
    return _free_port


@pytest.fixture
def trino_unavailable() -> Callable[[str], NoReturn]:
    """Call with the reason when Trino cannot be installed or started: fails on CI, skips elsewhere."""
    return _unavailable


@dataclass(frozen=True)
class TrinoNode:
    lake: Path
    port: int

    def connect(self, catalog: str | None = None, schema: str | None = None) -> trino.dbapi.Connection:
        return trino.dbapi.connect(host="127.0.0.1", port=self.port, user="facetlake", catalog=catalog, schema=schema)

    def query(self, sql: str) -> list[list]:
        conn = self.connect()
        try:
            cur = conn.cursor()
            cur.execute(sql)
            return cur.fetchall()
        finally:
            conn.close()


@pytest.fixture(scope="session")
def trino_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TrinoNode]:
    """A running node over an empty temporary lake (tests put raw files under `node.lake / "raw"`)."""
    lake = tmp_path_factory.mktemp("trino-lake")
    port = _free_port()
    try:
        trino_server.start(lake, NodeSettings(port=port, heap=TEST_HEAP))
    except TrinoError as error:
        _unavailable(str(error))
    try:
        yield TrinoNode(lake=lake, port=port)
    finally:
        trino_server.stop(lake)
