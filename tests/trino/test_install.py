"""Installing Trino: the cached installation, and clear errors from a repository that fails.

The failing repositories are real HTTP servers on 127.0.0.1 (FACETLAKE_MAVEN_URL points at them), so the
code under test makes its real requests.
"""

from __future__ import annotations

import hashlib
import socket
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from facetlake.trino import PLUGINS, TRINO_VERSION, TrinoError
from facetlake.trino import install as installer
from facetlake.trino.cli import trino

pytestmark = pytest.mark.trino


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class names it so
        pass


@pytest.fixture
def repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A directory served over HTTP as the Maven repository, with a fresh cache."""
    root = tmp_path / "maven"
    root.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("FACETLAKE_MAVEN_URL", f"http://127.0.0.1:{server.server_address[1]}/")
    monkeypatch.setenv("FACETLAKE_CACHE", str(tmp_path / "cache"))
    try:
        yield root
    finally:
        server.shutdown()
        server.server_close()


def publish(root: Path, artifact: installer.Artifact, content: bytes, sha1: str | None = None) -> None:
    path = root / artifact.url("").lstrip("/")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    path.with_name(path.name + ".sha1").write_text((sha1 or hashlib.sha1(content).hexdigest()) + "\n")


def test_the_installation_has_the_server_and_every_plugin() -> None:
    home = installer.install(TRINO_VERSION)
    assert installer.is_installed(TRINO_VERSION)
    assert (home / "lib" / f"io.trino_trino-main-{TRINO_VERSION}.jar").is_file()
    for name in PLUGINS:
        assert any((home / "plugin" / name).glob("*.jar")), name
    # A second install reuses it: nothing is fetched, the marker is unchanged.
    marker = (home / installer.MARKER).stat().st_mtime_ns
    assert installer.install(TRINO_VERSION) == home
    assert (home / installer.MARKER).stat().st_mtime_ns == marker


def test_a_verified_download_is_renamed_into_place_and_reused(repository: Path, tmp_path: Path) -> None:
    artifact = installer.Artifact("trino-memory", "1", "zip")
    publish(repository, artifact, b"plugin bytes")
    downloads = tmp_path / "downloads"
    path = installer.fetch(artifact, downloads)
    assert path.read_bytes() == b"plugin bytes"
    assert [p.name for p in downloads.iterdir() if ".part" in p.name] == []
    # Reused without asking the repository again (it no longer has the file).
    (repository / artifact.url("").lstrip("/")).unlink()
    assert installer.fetch(artifact, downloads) == path


def test_a_checksum_mismatch_is_a_clear_error_and_leaves_nothing(repository: Path, tmp_path: Path) -> None:
    artifact = installer.Artifact("trino-tpch", "1", "zip")
    publish(repository, artifact, b"tampered", sha1="0" * 40)
    downloads = tmp_path / "downloads"
    with pytest.raises(TrinoError, match="Checksum mismatch"):
        installer.fetch(artifact, downloads)
    assert list(downloads.iterdir()) == []


def test_a_missing_version_says_so(repository: Path) -> None:
    result = CliRunner().invoke(trino, ["install"])
    assert result.exit_code == 1
    assert "Maven has no" in result.output and "trino-server-core" in result.output
    assert "Traceback" not in result.output
    assert not installer.is_installed(TRINO_VERSION)


def test_an_unreachable_repository_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("FACETLAKE_MAVEN_URL", f"http://127.0.0.1:{port}/maven2")
    monkeypatch.setenv("FACETLAKE_CACHE", str(tmp_path / "cache"))
    result = CliRunner().invoke(trino, ["install"])
    assert result.exit_code == 1
    assert "Cannot reach" in result.output and "FACETLAKE_MAVEN_URL" in result.output


def test_a_stalled_repository_times_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(installer, "HTTP_TIMEOUT_SECONDS", 1.0)
    with socket.socket() as silent:  # accepts connections (backlog) but never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        monkeypatch.setenv("FACETLAKE_MAVEN_URL", f"http://127.0.0.1:{silent.getsockname()[1]}/")
        monkeypatch.setenv("FACETLAKE_CACHE", str(tmp_path / "cache"))
        with pytest.raises(TrinoError, match="Cannot reach .*timed out"):
            installer.install(TRINO_VERSION)
