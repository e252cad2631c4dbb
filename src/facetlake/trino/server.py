"""Start, stop and inspect the single Trino node of a lake.

The JVM is started directly (`java -cp lib/* io.trino.server.TrinoServer`) in its own session, so it
outlives the command that started it; `<lake>/trino/var/run/server.json` records its pid, port and version.
A start returns only once the node answers a query, or fails with the end of its log.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from facetlake.trino import TRINO_VERSION, TrinoError
from facetlake.trino.config import NodeLayout, NodeSettings, write_node_config
from facetlake.trino.install import install, install_dir, is_installed
from facetlake.trino.java import find_java

DEFAULT_START_TIMEOUT = 240.0
# A node stops in under a second when it is idle; twice in CI (2026-12) a node took over 60 s to act on SIGTERM
# (its server.log shows no shutdown before the kill), and the kill left its port held for a while. Three
# minutes lets a slow shutdown finish before the SIGKILL.
DEFAULT_STOP_TIMEOUT = 180.0
MAIN_CLASS = "io.trino.server.TrinoServer"

Echo = Callable[[str], None]


@dataclass(frozen=True)
class ServerState:
    """A node this project started, as recorded when it started."""

    pid: int
    port: int
    version: str
    java: str
    started_at: float

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass(frozen=True)
class StartResult:
    state: ServerState
    already_running: bool
    seconds_to_ready: float


def read_state(layout: NodeLayout) -> ServerState | None:
    """The recorded node if its process still runs; a stale record is removed."""
    try:
        state = ServerState(**json.loads(layout.state_file.read_text()))
    except FileNotFoundError:
        return None
    except (ValueError, TypeError):
        layout.state_file.unlink(missing_ok=True)
        return None
    if not _is_trino_process(state.pid):
        layout.state_file.unlink(missing_ok=True)
        return None
    return state


def _write_state(layout: NodeLayout, state: ServerState) -> None:
    tmp = layout.state_file.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(state), indent=2) + "\n")
    tmp.replace(layout.state_file)


def _reap(pid: int) -> None:
    """Collect the exit status if `pid` is our child, so it does not linger as a zombie."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def _is_alive(pid: int) -> bool:
    _reap(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    if stat.exists():
        try:
            return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
        except (OSError, IndexError):
            return False
    return True


def _is_trino_process(pid: int) -> bool:
    """Alive and (where /proc tells) running Trino's main class: a reused pid is not our server."""
    if not _is_alive(pid):
        return False
    cmdline = Path(f"/proc/{pid}/cmdline")
    if cmdline.exists():
        try:
            return MAIN_CLASS in cmdline.read_bytes().decode(errors="replace")
        except OSError:
            return False
    return True


def check_port_free(port: int) -> None:
    """Raise a clear error if something already listens on 127.0.0.1:`port`."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # Like the JVM's server socket: connections of an earlier run in TIME_WAIT do not block the port,
        # a listener does.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as error:
            if error.errno in (errno.EADDRINUSE, errno.EACCES):
                raise TrinoError(
                    f"Port {port} on 127.0.0.1 is already in use by another program; start Trino on another "
                    "port with --port or FACETLAKE_TRINO_PORT (and use the same for `facetlake build`)."
                ) from None
            raise


def fetch_info(port: int, timeout: float = 2.0) -> dict | None:
    """Trino's /v1/info, or None if nothing answers there."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/info", timeout=timeout) as response:
            return json.loads(response.read())
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError, ValueError):
        return None


# `select 1` runs on the coordinator alone and succeeds before the node has announced itself as a worker;
# a scan needs a worker, so a node that answers this can run the build's queries.
READY_QUERY = "select count(*) from tpch.tiny.region"
READY_ROWS = [[5]]


def answers_query(port: int, timeout: float = 30.0, user: str = "facetlake") -> bool:
    """True once the node runs a table scan (catalogs loaded, the node active as a worker).

    Asked as the node's service user: with access control on, only it may read the tpch catalog.
    """
    import trino

    try:
        conn = trino.dbapi.connect(host="127.0.0.1", port=port, user=user, request_timeout=timeout, max_attempts=1)
        try:
            cur = conn.cursor()
            cur.execute(READY_QUERY)
            return cur.fetchall() == READY_ROWS
        finally:
            conn.close()
    except Exception:  # any failure means "not ready yet"; the caller times out
        return False


def log_tail(path: Path, lines: int = 25) -> str:
    """The first ERROR of a log and what follows it (the cause, not the stack), else its last lines."""
    if not path.exists():
        return "(no log written)"
    with open(path, "rb") as handle:
        handle.seek(0, os.SEEK_END)
        handle.seek(max(0, handle.tell() - 256_000))
        text_lines = handle.read().decode(errors="replace").splitlines()
    errors = [i for i, line in enumerate(text_lines) if "\tERROR\t" in line]
    if errors:
        return "\n".join(text_lines[errors[0] : errors[0] + lines])
    return "\n".join(text_lines[-lines:])


def _command(java: Path, options: list[str], install: Path, layout: NodeLayout) -> list[str]:
    return [
        str(java),
        *options,
        "-cp",
        str(install / "lib" / "*"),
        f"-Dconfig={(layout.etc / 'config.properties').resolve()}",
        f"-Dlog.output-file={layout.server_log.resolve()}",
        f"-Dlog.levels-file={(layout.etc / 'log.properties').resolve()}",
        "-Dlog.enable-console=false",
        MAIN_CLASS,
    ]


def start(
    lake: Path,
    settings: NodeSettings,
    timeout: float = DEFAULT_START_TIMEOUT,
    echo: Echo = print,
    version: str = TRINO_VERSION,
) -> StartResult:
    """Start the lake's node (installing Trino first if needed) and wait until it answers a query."""
    layout = NodeLayout(lake)
    running = read_state(layout)
    if running is not None:
        return StartResult(running, already_running=True, seconds_to_ready=0.0)
    check_port_free(settings.port)
    settings = settings.resolved()
    java = find_java()
    home = install(version, echo=echo) if not is_installed(version) else install_dir(version)
    options = write_node_config(layout, settings, home)
    # Trino opens a new dated server.log-<time> per start (server.log links to it), so a failed start's
    # message is about this start only; the JVM's own output gets the same treatment here.
    if layout.launcher_log.exists():
        layout.launcher_log.replace(layout.launcher_log.with_name("launcher.log.previous"))
    started = time.monotonic()
    with open(layout.launcher_log, "wb") as launcher_log:
        process = subprocess.Popen(
            _command(java.executable, options, home, layout),
            cwd=layout.home,
            stdin=subprocess.DEVNULL,
            stdout=launcher_log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, "JAVA_HOME": str(java.home)},
        )
    state = ServerState(pid=process.pid, port=settings.port, version=version, java=java.version, started_at=time.time())
    _write_state(layout, state)
    echo(f"Starting Trino {version} (Java {java.version}) on 127.0.0.1:{settings.port}, pid {process.pid} ...")
    try:
        _wait_until_ready(layout, state, timeout, user=settings.service_user or "facetlake")
    except TrinoError:
        _terminate(process.pid, DEFAULT_STOP_TIMEOUT)
        layout.state_file.unlink(missing_ok=True)
        raise
    return StartResult(state, already_running=False, seconds_to_ready=time.monotonic() - started)


def _wait_until_ready(layout: NodeLayout, state: ServerState, timeout: float, user: str = "facetlake") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _is_alive(state.pid):
            raise TrinoError(
                f"Trino exited during start-up. End of {layout.server_log}:\n{log_tail(layout.server_log)}\n"
                f"End of {layout.launcher_log}:\n{log_tail(layout.launcher_log, 10)}"
            )
        info = fetch_info(state.port)
        if info is not None and info.get("starting") is False and answers_query(state.port, user=user):
            return
        time.sleep(1.0)
    raise TrinoError(
        f"Trino did not answer a query within {timeout:.0f} s on port {state.port}; it was stopped. "
        f"See {layout.server_log} (end below), or raise --timeout.\n{log_tail(layout.server_log)}"
    )


def _terminate(pid: int, timeout: float) -> bool:
    """SIGTERM (Trino shuts down gracefully), then SIGKILL after `timeout`; True if it had to be killed."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _is_alive(pid):
            return False
        time.sleep(0.25)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return False
    while _is_alive(pid):
        time.sleep(0.1)
    return True


def stop(lake: Path, timeout: float = DEFAULT_STOP_TIMEOUT) -> ServerState | None:
    """Stop the lake's node; return what was stopped, or None if none was running."""
    layout = NodeLayout(lake)
    state = read_state(layout)
    if state is None:
        return None
    killed = _terminate(state.pid, timeout)
    layout.state_file.unlink(missing_ok=True)
    if killed:
        raise TrinoError(
            f"Trino (pid {state.pid}) did not stop within {timeout:.0f} s of SIGTERM and was killed; "
            f"see {layout.server_log}."
        )
    return state


@dataclass(frozen=True)
class Status:
    state: ServerState | None
    info: dict | None
    layout: NodeLayout

    @property
    def running(self) -> bool:
        return self.state is not None

    @property
    def ready(self) -> bool:
        return self.info is not None and self.info.get("starting") is False


def status(lake: Path) -> Status:
    layout = NodeLayout(lake)
    state = read_state(layout)
    info = fetch_info(state.port) if state is not None else None
    return Status(state=state, info=info, layout=layout)
