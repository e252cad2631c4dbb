"""The `facetlake` command line: generate a lake, build it, and run the services around it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from facetlake.cli_options import engine_option, lake_option, resolve_lake

LAKE_OPTION = lake_option()


_lake = resolve_lake


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="facetlake")
def main() -> None:
    """facetlake: raw marketing logs in a lake, turned by dbt into identity, tags, crowds and marts.

    Start with `facetlake demo`, or `facetlake generate` then `facetlake build`.
    """


@main.command()
@LAKE_OPTION
@click.option("--persons", type=int, default=20_000, show_default=True, help="Number of planted persons.")
@click.option("--days", type=int, default=30, show_default=True, help="Number of days of logs.")
@click.option("--seed", type=int, default=7, show_default=True, help="Random seed: same seed, same bytes.")
@click.option(
    "--start",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default="2026-10-01",
    show_default=True,
    help="First business date (Asia/Shanghai).",
)
@click.option("--force", is_flag=True, help="Overwrite raw/ and truth/ if the lake already has them.")
def generate(lake: Path | None, persons: int, days: int, seed: int, start, force: bool) -> None:
    """Write a synthetic lake in the raw-zone contract, with its planted truth under <lake>/truth/."""
    from facetlake.generator import GeneratorConfig, generate_lake

    config = GeneratorConfig(persons=persons, days=days, seed=seed, start=start.date())
    try:
        summary = generate_lake(_lake(lake), config, force=force)
    except FileExistsError as error:
        raise click.ClickException(str(error)) from None
    click.echo(summary.describe())


@main.command()
@LAKE_OPTION
@engine_option("Engine to build on")
@click.option(
    "--select",
    "select",
    default=None,
    help="dbt selection, e.g. 'staging' or '+fct_raw_line_reconciliation'.",
)
@click.option("--dt", default=None, help="Rebuild one arrival date (YYYY-MM-DD) of the incremental models.")
@click.option(
    "--full-refresh",
    is_flag=True,
    help="Rebuild incremental models from all raw partitions (the persisted super_id state is kept).",
)
@click.option(
    "--reset-identity",
    is_flag=True,
    help="With --full-refresh: rebuild the super_id state from scratch too (persons may be renumbered).",
)
@click.option(
    "--vars",
    "build_vars",
    default=None,
    help="dbt vars for this build as YAML/JSON, e.g. '{clv_calibration_end: 2026-10-20, clv_time_unit_days: 7}'.",
)
def build(
    lake: Path | None,
    engine: str,
    select: str | None,
    dt: str | None,
    full_refresh: bool,
    reset_identity: bool,
    build_vars: str | None,
) -> None:
    """Build (run and test) the dbt project on an existing lake: dbt, the fits (CLV), what reads the fits."""
    import yaml

    from facetlake.build import BuildError, run_build
    from facetlake.trino import TrinoError

    if dt is not None:
        try:
            date.fromisoformat(dt)
        except ValueError:
            raise click.BadParameter(f"{dt!r} is not a date like 2026-10-01", param_hint="--dt") from None
    if reset_identity and not full_refresh:
        raise click.UsageError("--reset-identity renumbers persons; it needs --full-refresh too")
    extra_vars = yaml.safe_load(build_vars) if build_vars else None
    if extra_vars is not None and not isinstance(extra_vars, dict):
        raise click.BadParameter("give vars as a mapping, e.g. '{clv_time_unit_days: 7}'", param_hint="--vars")
    try:
        prepared = run_build(
            _lake(lake),
            engine=engine,
            select=select,
            dt=dt,
            full_refresh=full_refresh,
            reset_identity=reset_identity,
            extra_vars={str(k): (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in extra_vars.items()}
            if extra_vars
            else None,
        )
    except (BuildError, TrinoError) as error:
        raise click.ClickException(str(error)) from None
    _report_manifest(prepared.raw_manifest)


def _report_manifest(manifest) -> None:
    """The raw manifest's counts and every file not read, with its reason."""
    if manifest is None:
        return
    click.echo(manifest.describe())
    for problem in manifest.problems:
        click.echo(f"  not read: {problem}")


@main.command()
@LAKE_OPTION
@engine_option("Engine the next dbt run builds on")
def prepare(lake: Path | None, engine: str) -> None:
    """Prepare a lake for a plain `dbt` run: scan the raw zone into its manifest, sync the crowd registry
    and (on Trino) the raw partitions. `facetlake build` does this itself."""
    from facetlake.build import BuildError
    from facetlake.build import prepare as prepare_lake
    from facetlake.trino import TrinoError

    try:
        prepared = prepare_lake(_lake(lake), engine)
    except (BuildError, TrinoError) as error:
        raise click.ClickException(str(error)) from None
    _report_manifest(prepared.raw_manifest)


@main.command()
@LAKE_OPTION
@click.option("--persons", type=int, default=20_000, show_default=True)
@click.option("--days", type=int, default=30, show_default=True)
@click.option("--seed", type=int, default=7, show_default=True)
def demo(lake: Path | None, persons: int, days: int, seed: int) -> None:
    """Generate a demo lake if none exists, build everything on DuckDB and print a summary."""
    from facetlake.demo import run_demo

    run_demo(_lake(lake), persons=persons, days=days, seed=seed)


@main.command()
@LAKE_OPTION
def summary(lake: Path | None) -> None:
    """Print rows per layer and quarantined lines by reason from the DuckDB warehouse."""
    from facetlake.summary import print_summary

    print_summary(_lake(lake))


from facetlake.trino.cli import trino  # noqa: E402 - the group is defined apart, registered here

main.add_command(trino)

from facetlake.crowds.cli import crowd  # noqa: E402 - the group is defined apart, registered here

main.add_command(crowd)

from facetlake.bench import bench  # noqa: E402 - the command is defined apart, registered here

main.add_command(bench)

from facetlake.erasure.cli import erase  # noqa: E402 - the command is defined apart, registered here

main.add_command(erase)


if __name__ == "__main__":
    main()
