"""A Superset server from scratch over a small built lake, shared by the Superset and browser tests.

The session generates and builds a lake (300 persons, 3 days), registers the repository's crowds (crowds/*.yml)
and builds their marts (`facetlake crowd refresh`: a plain build leaves the crowd marts empty), makes the
Superset environment if it is missing or older than its lock (`make superset-setup`), deploys dashboards/assets
into fresh metadata under the lake, and starts gunicorn on a free port. Nothing here skips: on CI (CI=true) a
missing piece fails.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from facetlake import paths
from facetlake.superset import SupersetClient, SupersetServer, deploy

REPO = paths.project_dir()
SUPERSET_STAMP = REPO / ".venv-superset" / ".installed"
SUPERSET_LOCK = REPO / "dashboards" / "requirements-superset.lock"
ADMIN = ("admin", "admin")
ANALYST = ("analyst", "analyst")
ANALYST_BRAND = "B01"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def facetlake_cli(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "facetlake.cli", *args], check=True, cwd=REPO)


@pytest.fixture(scope="session")
def timings() -> Iterator[dict[str, float]]:
    """Seconds each step took; written next to the lake's Superset state at the end of the session."""
    measured: dict[str, float] = {}
    yield measured
    print("\nSuperset timings (s): " + json.dumps({k: round(v, 2) for k, v in measured.items()}))


@pytest.fixture(scope="session")
def superset_lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    lake = tmp_path_factory.mktemp("superset") / "lake"
    facetlake_cli("generate", "--lake", str(lake), "--persons", "300", "--days", "3", "--seed", "1")
    facetlake_cli("build", "--lake", str(lake))
    facetlake_cli("crowd", "refresh", "--lake", str(lake))
    return lake


@pytest.fixture(scope="session")
def superset_server(superset_lake: Path, timings: dict[str, float]) -> Iterator[SupersetServer]:
    env = {
        "FACETLAKE_ENGINE": "duckdb",
        "FACETLAKE_SUPERSET_ADMIN_USER": ADMIN[0],
        "FACETLAKE_SUPERSET_ADMIN_PASSWORD": ADMIN[1],
        "FACETLAKE_SUPERSET_ANALYST_USER": ANALYST[0],
        "FACETLAKE_SUPERSET_ANALYST_PASSWORD": ANALYST[1],
        "FACETLAKE_ANALYST_BRAND": ANALYST_BRAND,
    }
    started = time.monotonic()
    if not SUPERSET_STAMP.exists() or SUPERSET_STAMP.stat().st_mtime < SUPERSET_LOCK.stat().st_mtime:
        subprocess.run(
            ["make", "superset-setup"],
            cwd=REPO,
            check=True,
            env={**os.environ, **env, "FACETLAKE_LAKE": str(superset_lake)},
        )
        timings["make_superset_setup"] = time.monotonic() - started
        deploy(superset_lake, "import", env)
    else:
        deploy(superset_lake, "all", env)
    timings["deploy"] = time.monotonic() - started
    server = SupersetServer(superset_lake, port=free_port(), extra_env=env)
    serving = time.monotonic()
    server.start()
    timings["server_start"] = time.monotonic() - serving
    timings["from_scratch_to_ready"] = time.monotonic() - started
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def credentials() -> dict[str, tuple[str, str]]:
    return {"admin": ADMIN, "analyst": ANALYST}


@pytest.fixture(scope="session")
def analyst_brand() -> str:
    return ANALYST_BRAND


@pytest.fixture(scope="session")
def admin(superset_server: SupersetServer) -> SupersetClient:
    return SupersetClient(superset_server.url).login(*ADMIN)


@pytest.fixture(scope="session")
def analyst(superset_server: SupersetServer) -> SupersetClient:
    return SupersetClient(superset_server.url).login(*ANALYST)
