"""Install Trino from Maven Central into the cache: server-core plus the connector plugins we use.

Layout of an installation (`~/.cache/facetlake/trino/<version>/`):

    bin/ lib/ ...           from io.trino:trino-server-core:<version>:tar.gz (the engine, no connectors)
    plugin/<name>/*.jar     from io.trino:trino-<name>:<version>:zip, for each name in PLUGINS
    .installed              written last: an installation without it is incomplete and is redone

Every archive is downloaded to a temporary name, checked against Maven's `.sha1` and renamed into place;
the installation is assembled in a temporary directory and renamed at the end, so an interrupted install
never leaves a half-installed Trino that a later run would trust.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import tarfile
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from tqdm import tqdm

from facetlake import paths
from facetlake.trino import PLUGINS, TRINO_VERSION, TrinoError

MAVEN_CENTRAL = "https://repo1.maven.org/maven2"
HTTP_TIMEOUT_SECONDS = 30.0  # per connect and per read: a stalled download fails instead of hanging
DOWNLOAD_ATTEMPTS = 3
CHUNK_BYTES = 1 << 20
MARKER = ".installed"

Echo = Callable[[str], None]


@dataclass(frozen=True)
class Artifact:
    """One Maven artifact: `io.trino:<artifact_id>:<version>:<extension>`."""

    artifact_id: str
    version: str
    extension: str
    group_id: str = "io.trino"

    @property
    def file_name(self) -> str:
        return f"{self.artifact_id}-{self.version}.{self.extension}"

    def url(self, repository: str) -> str:
        group = self.group_id.replace(".", "/")
        return f"{repository.rstrip('/')}/{group}/{self.artifact_id}/{self.version}/{self.file_name}"

    def __str__(self) -> str:
        return f"{self.group_id}:{self.artifact_id}:{self.version}:{self.extension}"


def maven_repository() -> str:
    """Maven Central, or a mirror named by FACETLAKE_MAVEN_URL (for networks that proxy it)."""
    return os.environ.get("FACETLAKE_MAVEN_URL", MAVEN_CENTRAL)


def trino_cache_dir() -> Path:
    return paths.cache_dir() / "trino"


def install_dir(version: str = TRINO_VERSION) -> Path:
    """Where Trino `version` is (or will be) installed."""
    return trino_cache_dir() / version


def is_installed(version: str = TRINO_VERSION) -> bool:
    return (install_dir(version) / MARKER).is_file()


def server_artifact(version: str) -> Artifact:
    return Artifact("trino-server-core", version, "tar.gz")


def plugin_artifact(name: str, version: str) -> Artifact:
    return Artifact(f"trino-{name}", version, "zip")


def install(version: str = TRINO_VERSION, echo: Echo = print) -> Path:
    """Install Trino `version` into the cache unless it is there already; return the installation."""
    target = install_dir(version)
    if is_installed(version):
        return target
    trino_cache_dir().mkdir(parents=True, exist_ok=True)
    with _install_lock(version):
        if is_installed(version):  # another process finished it while we waited
            return target
        started = time.monotonic()
        echo(f"Installing Trino {version} from {maven_repository()} into {target}")
        downloads = trino_cache_dir() / "downloads"
        server = fetch(server_artifact(version), downloads, echo)
        plugins = {name: fetch(plugin_artifact(name, version), downloads, echo) for name in PLUGINS}
        staging = trino_cache_dir() / f".{version}.staging-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        try:
            _extract_tar_stripped(server, staging)
            for name, archive in plugins.items():
                _extract_zip_stripped(archive, staging / "plugin" / name)
            (staging / MARKER).write_text(f"{version}\n")
            shutil.rmtree(target, ignore_errors=True)
            staging.rename(target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        # The archives are only kept until the installation is complete: they would double the cache size.
        for archive in (server, *plugins.values()):
            archive.unlink(missing_ok=True)
            _sha1_path(archive).unlink(missing_ok=True)
        echo(f"Installed Trino {version} in {time.monotonic() - started:.0f} s")
    return target


@contextmanager
def _install_lock(version: str) -> Iterator[None]:
    """Serialise installs of one version across processes (a test session and a CLI call, say)."""
    lock_path = trino_cache_dir() / f".{version}.lock"
    with open(lock_path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def fetch(artifact: Artifact, directory: Path, echo: Echo = print) -> Path:
    """Download `artifact` into `directory`, checked against its `.sha1`; reuse a verified download."""
    directory.mkdir(parents=True, exist_ok=True)
    dest = directory / artifact.file_name
    url = artifact.url(maven_repository())
    if dest.exists() and _sha1_path(dest).exists():
        if file_sha1(dest) == _sha1_path(dest).read_text().strip():
            return dest
        dest.unlink()
    expected = _read_sha1(url + ".sha1")
    part = dest.with_name(dest.name + f".part-{os.getpid()}")
    last_error: Exception | None = None
    for attempt in range(1, DOWNLOAD_ATTEMPTS + 1):
        try:
            actual = _download(url, part, label=artifact.file_name)
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as error:
            last_error = error
            part.unlink(missing_ok=True)
            if isinstance(error, urllib.error.HTTPError) and error.code == 404:
                break
            echo(f"Download of {artifact.file_name} failed (attempt {attempt}/{DOWNLOAD_ATTEMPTS}): {error}")
            time.sleep(2 * attempt)
            continue
        if actual != expected:
            part.unlink(missing_ok=True)
            raise TrinoError(
                f"Checksum mismatch for {url}: Maven says sha1 {expected}, the download has {actual}. "
                "Run `facetlake trino install` again; if it persists, check FACETLAKE_MAVEN_URL."
            )
        part.rename(dest)
        _sha1_path(dest).write_text(expected + "\n")
        return dest
    raise TrinoError(
        f"Could not download {artifact} from {url}: {last_error}. Check the network or proxy settings "
        "(or point FACETLAKE_MAVEN_URL at a Maven Central mirror), then run `facetlake trino install`."
    )


def _sha1_path(archive: Path) -> Path:
    return archive.with_name(archive.name + ".sha1")


def _read_sha1(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=HTTP_TIMEOUT_SECONDS) as response:
            text = response.read(4096).decode("ascii", errors="replace")
    except urllib.error.HTTPError as error:
        raise TrinoError(
            f"Maven has no {url} (HTTP {error.code}); is the Trino version right and served by {maven_repository()}?"
        ) from None
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as error:
        raise TrinoError(
            f"Cannot reach {url}: {error}. Check the network or proxy settings (or set FACETLAKE_MAVEN_URL "
            "to a Maven Central mirror), then run `facetlake trino install` again."
        ) from None
    digest = text.split()[0].lower() if text.split() else ""
    if len(digest) != 40 or any(c not in "0123456789abcdef" for c in digest):
        raise TrinoError(f"{url} does not hold a sha1 checksum: {text[:80]!r}")
    return digest


def _download(url: str, part: Path, label: str) -> str:
    """Stream `url` to `part`; return the sha1 of what was written."""
    digest = hashlib.sha1()
    with urllib.request.urlopen(url, timeout=HTTP_TIMEOUT_SECONDS) as response, open(part, "wb") as out:
        total = int(response.headers.get("Content-Length") or 0) or None
        with tqdm(total=total, unit="B", unit_scale=True, desc=label, disable=None, leave=False) as bar:
            while chunk := response.read(CHUNK_BYTES):
                out.write(chunk)
                digest.update(chunk)
                bar.update(len(chunk))
        if total is not None and out.tell() != total:
            raise ConnectionError(f"connection closed after {out.tell()} of {total} bytes")
    return digest.hexdigest()


def file_sha1(path: Path) -> str:
    digest = hashlib.sha1()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def _strip_first(name: str) -> str | None:
    """`trino-hive-476/lib/x.jar` -> `lib/x.jar`; None for the top directory itself."""
    parts = PurePosixPath(name).parts
    return str(PurePosixPath(*parts[1:])) if len(parts) > 1 else None


def _extract_tar_stripped(archive: Path, dest: Path) -> None:
    """Unpack a tarball whose members all sit under one top directory, dropping that directory."""
    dest.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "r:gz") as tar:
        members = []
        for member in tar.getmembers():
            stripped = _strip_first(member.name)
            if stripped is None:
                continue
            member.name = stripped
            if member.islnk():  # plugins hard-link the jars they share with lib/
                member.linkname = _strip_first(member.linkname) or member.linkname
            members.append(member)
        tar.extractall(dest, members=members, filter="data")


def _extract_zip_stripped(archive: Path, dest: Path) -> None:
    """Unpack a plugin zip (`trino-<name>-<version>/*.jar`) into `dest`, dropping its top directory."""
    dest.mkdir(parents=True, exist_ok=True)
    root = dest.resolve()
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            stripped = _strip_first(info.filename)
            if stripped is None or info.is_dir():
                continue
            target = (dest / stripped).resolve()
            if not target.is_relative_to(root):
                raise TrinoError(f"{archive.name} holds an entry outside its folder: {info.filename}")
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out, CHUNK_BYTES)
