"""The Dagster instance of a lake: DAGSTER_HOME is <lake>/dagster, so a lake's runs stay with the lake.

python -m facetlake.orchestration.home --lake LAKE     # prepares it and prints its path (used by `make dagster`)
"""

from __future__ import annotations

import argparse
from pathlib import Path

from dagster import DagsterInstance

from facetlake import paths

DAGSTER_YAML = """\
# Written once by facetlake (facetlake/orchestration/home.py); edit freely, it is never overwritten.
run_queue:
  # DuckDB allows one writer per warehouse file: runs that build it must go one at a time.
  # On Trino (FACETLAKE_ENGINE=trino) this may be raised.
  max_concurrent_runs: 1
telemetry:
  enabled: false
"""


def prepare_dagster_home(lake: Path) -> Path:
    """Create <lake>/dagster with its dagster.yaml if missing; return it."""
    home = paths.dagster_home(lake)
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML)
    return home


def lake_instance(lake: Path) -> DagsterInstance:
    """The persistent instance of a lake (runs, event logs, schedules, sensor cursors)."""
    return DagsterInstance.from_config(str(prepare_dagster_home(lake)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lake", type=Path, required=True, help="Lake directory.")
    print(prepare_dagster_home(parser.parse_args().lake))


if __name__ == "__main__":
    main()
