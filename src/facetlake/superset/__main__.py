"""`python -m facetlake.superset`: set up, deploy and serve Superset for a lake (the Makefile calls this)."""

from __future__ import annotations

from pathlib import Path

import click

from facetlake import paths
from facetlake.superset import server

LAKE_OPTION = click.option(
    "--lake",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Lake directory (default: $FACETLAKE_LAKE, else ./lake in the repository).",
)


def _lake(lake: Path | None) -> Path:
    return (lake or paths.default_lake()).resolve()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Superset for a facetlake lake: metadata under <lake>/superset/, dashboards from dashboards/assets/.

    Needs .venv-superset: `make superset-setup` creates it.
    """


@main.command()
@LAKE_OPTION
def setup(lake: Path | None) -> None:
    """Create or upgrade the metadata database, the admin user and the built-in roles."""
    server.deploy(_lake(lake), "setup")


@main.command("import")
@LAKE_OPTION
def import_(lake: Path | None) -> None:
    """Import dashboards/assets/ and (re)make the brand_analyst role, its RLS filter and its user."""
    server.deploy(_lake(lake), "import")


@main.command()
@LAKE_OPTION
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8088, show_default=True)
def serve(lake: Path | None, host: str, port: int) -> None:
    """Set up, import the dashboards, then serve Superset in the foreground (Ctrl-C stops it)."""
    server.serve(_lake(lake), host, port)


if __name__ == "__main__":
    main()
