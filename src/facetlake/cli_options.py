"""Options every `facetlake` command spells the same way: the lake and the engine."""

from __future__ import annotations

from pathlib import Path

import click

from facetlake import paths

ENGINES = ("duckdb", "trino")


def lake_option(**overrides):
    """`--lake DIR`: the lake (default $FACETLAKE_LAKE, else ./lake in the repository)."""
    settings = {
        "type": click.Path(file_okay=False, path_type=Path),
        "default": None,
        "help": "Lake directory (default: $FACETLAKE_LAKE, else ./lake in the repository).",
    }
    return click.option("--lake", **{**settings, **overrides})


def engine_option(what: str = "Engine to build on"):
    """`--engine duckdb|trino` (env FACETLAKE_ENGINE); `what` says what the engine is for in this command."""
    return click.option(
        "--engine",
        type=click.Choice(ENGINES),
        envvar="FACETLAKE_ENGINE",
        default="duckdb",
        show_default=True,
        help=f"{what} (env FACETLAKE_ENGINE).",
    )


def resolve_lake(lake: Path | None) -> Path:
    """The lake a command works on, absolute."""
    return (lake or paths.default_lake()).resolve()
