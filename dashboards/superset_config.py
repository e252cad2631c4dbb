"""Superset configuration for facetlake (loaded through SUPERSET_CONFIG_PATH, inside .venv-superset).

Everything that varies per machine comes from the environment; no secret lives in git.
State lives under the lake: <lake>/superset/ holds the SQLite metadata database, the secret key made for
this lake on first use, and the server log.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

_REPO = Path(__file__).resolve().parent.parent
LAKE = Path(os.environ.get("FACETLAKE_LAKE") or _REPO / "lake").resolve()
SUPERSET_STATE = LAKE / "superset"
SUPERSET_STATE.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """FACETLAKE_SUPERSET_SECRET_KEY or SUPERSET_SECRET_KEY, else a random key made once per lake.

    The key signs sessions and encrypts stored database passwords: changing it logs everyone out and makes
    stored passwords unreadable, so the generated one is kept (mode 0600) beside the metadata it protects.
    """
    for name in ("FACETLAKE_SUPERSET_SECRET_KEY", "SUPERSET_SECRET_KEY"):
        if os.environ.get(name):
            return os.environ[name]
    path = SUPERSET_STATE / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DATA_DIR = str(SUPERSET_STATE)
SQLALCHEMY_DATABASE_URI = f"sqlite:///{SUPERSET_STATE / 'superset.db'}?check_same_thread=false"

# Row-level security is always on in Superset 6 (the ROW_LEVEL_SECURITY flag was removed in 4.x);
# DASHBOARD_RBAC stays off so that dashboard access follows dataset access, which the brand_analyst role uses.
FEATURE_FLAGS = {
    "DASHBOARD_RBAC": False,
    "ENABLE_TEMPLATE_PROCESSING": False,
}

# DuckDB is not on the unsafe-driver list (only sqlite and shillelagh are): the safety check stays on.
PREVENT_UNSAFE_DB_CONNECTIONS = True

# Chart data is not cached: a dashboard shows the serving copy as the last build published it.
CACHE_CONFIG = {"CACHE_TYPE": "NullCache"}
DATA_CACHE_CONFIG = {"CACHE_TYPE": "NullCache"}

SUPERSET_WEBSERVER_TIMEOUT = int(timedelta(minutes=2).total_seconds())
SQLLAB_TIMEOUT = int(timedelta(minutes=2).total_seconds())
ROW_LIMIT = 50_000

APP_NAME = "facetlake"
