"""Deploy and run Superset for a lake, as processes of .venv-superset."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

from facetlake import paths


def venv_dir() -> Path:
    return paths.project_dir() / ".venv-superset"


def dashboards_dir() -> Path:
    return paths.project_dir() / "dashboards"


def superset_bin(name: str) -> Path:
    """A program of the Superset virtual environment; tells the user how to make it when missing."""
    program = venv_dir() / "bin" / name
    if not (venv_dir() / ".installed").exists() or not program.exists():
        raise FileNotFoundError(f"{program} is missing: run `make superset-setup` to create the Superset environment.")
    return program


def superset_env(lake: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment Superset runs in: this process's, pointed at the lake and at our config."""
    env = dict(os.environ)
    env.update(
        FACETLAKE_LAKE=str(lake.resolve()),
        SUPERSET_CONFIG_PATH=str(dashboards_dir() / "superset_config.py"),
        SUPERSET_HOME=str(lake.resolve() / "superset"),
        PYTHONUNBUFFERED="1",
    )
    # The main environment's variables must not leak into the other one.
    for name in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"):
        env.pop(name, None)
    env.update(extra or {})
    return env


def deploy(lake: Path, step: str = "all", extra_env: Mapping[str, str] | None = None) -> None:
    """Run dashboards/deploy.py (setup: metadata, admin, roles; import: dashboards, brand_analyst, RLS)."""
    subprocess.run(
        [str(superset_bin("python")), str(dashboards_dir() / "deploy.py"), step],
        env=superset_env(lake, extra_env),
        check=True,
    )


def gunicorn_command(host: str, port: int) -> list[str]:
    # One worker with threads: each Superset worker costs ~15 s and ~400 MB to start, and the machines
    # this runs on have two cores. FACETLAKE_SUPERSET_WORKERS raises it for a shared server.
    workers = os.environ.get("FACETLAKE_SUPERSET_WORKERS", "1")
    return [
        str(superset_bin("gunicorn")),
        "--bind",
        f"{host}:{port}",
        "--workers",
        workers,
        "--worker-class",
        "gthread",
        "--threads",
        "8",
        "--timeout",
        "120",
        "--limit-request-line",
        "0",
        "--limit-request-field_size",
        "0",
        "superset.app:create_app()",
    ]


class SupersetServer:
    """A Superset web server on host:port for one lake, started in its own process group.

    Use as a context manager, or call start() and stop(). Output goes to <lake>/superset/server.log.
    """

    def __init__(
        self,
        lake: Path,
        host: str = "127.0.0.1",
        port: int = 8088,
        extra_env: Mapping[str, str] | None = None,
    ) -> None:
        self.lake = lake.resolve()
        self.host = host
        self.port = port
        self.extra_env = dict(extra_env or {})
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = self.lake / "superset" / "server.log"

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 180.0) -> SupersetServer:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                gunicorn_command(self.host, self.port),
                env=superset_env(self.lake, self.extra_env),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"Superset exited with {self.process.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.5)
        self.stop()
        raise TimeoutError(f"Superset did not answer on {self.url} within {timeout:.0f} s; see {self.log_path}")

    def stop(self, timeout: float = 30.0) -> None:
        """Stop gunicorn and its workers (the process group this server started, nothing else)."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout)

    def __enter__(self) -> SupersetServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()


def serve(lake: Path, host: str, port: int) -> None:
    """Deploy (setup + import), then run Superset in the foreground until interrupted."""
    deploy(lake, "all")
    print(f"Superset for {lake} on http://{host}:{port} (Ctrl-C stops it)", flush=True)
    os.execve(gunicorn_command(host, port)[0], gunicorn_command(host, port), superset_env(lake))
