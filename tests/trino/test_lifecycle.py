"""`facetlake trino start|status|stop` on a real node, and the clear failures around them."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
import trino as trino_client
from click.testing import CliRunner

from facetlake.trino import server as trino_server
from facetlake.trino.cli import EXIT_NOT_RUNNING, trino
from facetlake.trino.config import NodeLayout, NodeSettings

pytestmark = pytest.mark.trino


def query(port: int, sql: str) -> list[list]:
    conn = trino_client.dbapi.connect(host="127.0.0.1", port=port, user="facetlake")
    try:
        cur = conn.cursor()
        cur.execute(sql)
        return cur.fetchall()
    finally:
        conn.close()


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(trino, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_start_status_query_restart_stop(tmp_path: Path, free_port, trino_unavailable) -> None:
    lake = tmp_path / "lake"
    port = free_port()
    code, out = run("start", "--lake", str(lake), "--port", str(port), "--heap", "2G")
    if code != 0:
        trino_unavailable(out)
    try:
        assert f"is ready at http://127.0.0.1:{port}" in out

        code, out = run("status", "--lake", str(lake))
        assert code == 0, out
        assert "Trino is running: version 476" in out
        assert f"http://127.0.0.1:{port}" in out
        pid = json.loads(NodeLayout(lake).state_file.read_text())["pid"]
        assert f"pid {pid}" in out

        assert query(port, "select count(*) from tpch.tiny.nation") == [[25]]
        catalogs = {row[0] for row in query(port, "show catalogs")}
        assert {"hive", "iceberg", "memory", "tpch"} <= catalogs
        assert NodeLayout(lake).server_log.stat().st_size > 0

        code, out = run("start", "--lake", str(lake), "--port", str(port))
        assert code == 0, out
        assert f"Trino is already running: pid {pid}" in out
    finally:
        code, out = run("stop", "--lake", str(lake))
    assert code == 0, out
    assert f"Trino stopped (pid {pid}" in out
    assert not NodeLayout(lake).state_file.exists()

    code, out = run("status", "--lake", str(lake))
    assert code == EXIT_NOT_RUNNING
    assert "Trino is not running" in out
    code, out = run("stop", "--lake", str(lake))
    assert code == 0 and "Trino is not running" in out
    # The port is free again: nothing of the node is left listening.
    trino_server.check_port_free(port)


def test_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        result = CliRunner().invoke(trino, ["start", "--lake", str(tmp_path), "--port", str(port)])
    assert result.exit_code == 1
    assert f"Port {port} on 127.0.0.1 is already in use by another program" in result.output
    assert "Traceback" not in result.output
    assert not NodeLayout(tmp_path).state_file.exists()


def test_a_node_that_does_not_come_up_in_time_is_stopped_with_a_pointer_to_its_log(tmp_path: Path, free_port) -> None:
    port = free_port()
    with pytest.raises(trino_server.TrinoError, match="did not answer a query within 2 s") as raised:
        trino_server.start(tmp_path, NodeSettings(port=port, heap="1G"), timeout=2)
    assert str(NodeLayout(tmp_path).server_log) in str(raised.value)
    assert trino_server.read_state(NodeLayout(tmp_path)) is None
    trino_server.check_port_free(port)


def test_a_stale_pid_file_reads_as_not_running(tmp_path: Path) -> None:
    layout = NodeLayout(tmp_path)
    layout.state_file.parent.mkdir(parents=True)
    # A pid that is surely not a Trino server: this test process's parent's parent may be anything, but
    # pid 1 is init, never io.trino.server.TrinoServer.
    state = {"pid": 1, "port": 8080, "version": "476", "java": "25.0.2", "started_at": 0.0}
    layout.state_file.write_text(json.dumps(state))
    code, out = run("status", "--lake", str(tmp_path))
    assert code == EXIT_NOT_RUNNING, out
    assert not layout.state_file.exists()
