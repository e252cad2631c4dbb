"""`facetlake trino install|start|stop|status`: the lake's single Trino node."""

from __future__ import annotations

import time
from pathlib import Path

import click

from facetlake import paths
from facetlake.trino import TRINO_VERSION, TrinoError, server
from facetlake.trino import install as installer
from facetlake.trino.config import NodeLayout, NodeSettings, check_port_number, default_heap, default_port
from facetlake.trino.java import find_java

# `facetlake trino status` exits with this when no node runs, like an LSB init script's status.
EXIT_NOT_RUNNING = 3

_lake_option = click.option(
    "--lake",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Lake directory (default: $FACETLAKE_LAKE, else ./lake in the repository).",
)


def _lake(lake: Path | None) -> Path:
    return (lake or paths.default_lake()).resolve()


def _echo_err(message: str) -> None:
    click.echo(message, err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def trino() -> None:
    """The Trino engine: a single node on 127.0.0.1 over the lake, installed from Maven Central.

    `start` installs Trino on first use (into ~/.cache/facetlake/trino, or $FACETLAKE_CACHE/trino) and
    keeps its configuration, data and log under <lake>/trino/.
    """


@trino.command("install")
def install_command() -> None:
    """Download Trino server-core and the hive, iceberg, memory and tpch plugins (once; reused later)."""
    try:
        java = find_java()
        started = time.monotonic()
        already = installer.is_installed(TRINO_VERSION)
        home = installer.install(TRINO_VERSION, echo=_echo_err)
    except TrinoError as error:
        raise click.ClickException(str(error)) from None
    how = "already installed" if already else f"installed in {time.monotonic() - started:.1f} s"
    click.echo(f"Trino {TRINO_VERSION} {how}: {home}")
    click.echo(f"Java {java.version}: {java.home}")


@trino.command()
@_lake_option
@click.option(
    "--port",
    type=int,
    default=None,
    help="HTTP port on 127.0.0.1 (default: $FACETLAKE_TRINO_PORT, else 8080).",
)
@click.option("--heap", default=None, help="JVM heap, e.g. 6G (default: $FACETLAKE_TRINO_HEAP, else 6G).")
@click.option(
    "--timeout",
    type=float,
    default=server.DEFAULT_START_TIMEOUT,
    show_default=True,
    help="Seconds to wait until the node answers a query.",
)
def start(lake: Path | None, port: int | None, heap: str | None, timeout: float) -> None:
    """Start the lake's Trino node (installing Trino first if needed) and wait until it answers queries."""
    try:
        if port is not None:
            check_port_number(port)
        settings = NodeSettings(port=port or default_port(), heap=heap or default_heap())
        settings.heap_mb  # noqa: B018 - validates the heap before anything starts
        result = server.start(_lake(lake), settings, timeout=timeout, echo=_echo_err)
    except TrinoError as error:
        raise click.ClickException(str(error)) from None
    state = result.state
    if result.already_running:
        click.echo(f"Trino is already running: pid {state.pid}, {state.url}.")
        if state.port != settings.port:
            click.echo(f"(It listens on port {state.port}, not {settings.port}; stop it first to move it.)")
        return
    click.echo(f"Trino {state.version} is ready at {state.url} (pid {state.pid}) in {result.seconds_to_ready:.1f} s.")
    click.echo(f"Log: {NodeLayout(_lake(lake)).server_log}")


@trino.command()
@_lake_option
@click.option(
    "--timeout",
    type=float,
    default=server.DEFAULT_STOP_TIMEOUT,
    show_default=True,
    help="Seconds to wait after SIGTERM before killing the node.",
)
def stop(lake: Path | None, timeout: float) -> None:
    """Stop the lake's Trino node (SIGTERM, then wait for it to exit)."""
    try:
        stopped = server.stop(_lake(lake), timeout=timeout)
    except TrinoError as error:
        raise click.ClickException(str(error)) from None
    if stopped is None:
        click.echo("Trino is not running.")
    else:
        click.echo(f"Trino stopped (pid {stopped.pid}, port {stopped.port}).")


@trino.command()
@_lake_option
def status(lake: Path | None) -> None:
    """Tell whether the lake's Trino node runs, with its version, port and pid (exit 3 if it does not)."""
    current = server.status(_lake(lake))
    if current.state is None:
        click.echo(f"Trino is not running (lake {current.layout.lake}).")
        raise SystemExit(EXIT_NOT_RUNNING)
    state = current.state
    if current.info is None:
        health = "running, not answering HTTP yet"
    elif current.ready:
        health = "running"
    else:
        health = "starting"
    version = (current.info or {}).get("nodeVersion", {}).get("version", state.version)
    uptime = (current.info or {}).get("uptime", "?")
    click.echo(f"Trino is {health}: version {version}, {state.url}, pid {state.pid}, uptime {uptime}")
    click.echo(f"Java {state.java}; lake {current.layout.lake}; log {current.layout.server_log}")


@trino.command("access-rules")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the rules to this file instead of printing them.",
)
def access_rules(output: Path | None) -> None:
    """Print the file-based access control rules (rules.json) for this deployment's Trino cluster.

    The service user ($FACETLAKE_TRINO_USER, default facetlake) keeps full access; users named
    brand_analyst_<brand_id> read the analyst marts and reference seeds of $FACETLAKE_TRINO_CATALOG
    (schemas with $FACETLAKE_SCHEMA_PREFIX), their brand's rows only. The local node writes the same rules
    to <lake>/trino/etc/rules.json on every start. See docs/engines.md, "Access control".
    """
    from facetlake.trino import access
    from facetlake.trino.config import TrinoSettings

    try:
        settings = TrinoSettings.from_env()
    except TrinoError as error:
        raise click.ClickException(str(error)) from None
    text = access.rules_json(settings.user, settings.catalog, settings.schema_prefix)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text)
        click.echo(f"Wrote {output} (security.config-file of etc/access-control.properties).")
