"""`facetlake erase`: the command line of facetlake.erasure (wiring only)."""

from __future__ import annotations

from pathlib import Path

import click

from facetlake.cli_options import engine_option, lake_option, resolve_lake


@click.command()
@lake_option()
@engine_option("Engine the lake is built on")
@click.option("--phone", multiple=True, help="A phone, any usual format (normalised to E.164, then hashed).")
@click.option("--email", multiple=True, help="An email (trimmed, lower-cased, then hashed).")
@click.option("--user-pin", multiple=True, help="A retail account (user_pin).")
@click.option("--device-id", multiple=True, help="A device id (a shared device is not erased wholesale).")
@click.option("--member-id", multiple=True, metavar="BRAND:ID", help="A brand membership, brand_id:member_id.")
@click.option(
    "--from-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A CSV whose header names identifier kinds (phone, email, user_pin, device_id, member_id[, brand_id]), "
    "or a text file of kind=value lines.",
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase(
    lake: Path | None,
    engine: str,
    phone: tuple[str, ...],
    email: tuple[str, ...],
    user_pin: tuple[str, ...],
    device_id: tuple[str, ...],
    member_id: tuple[str, ...],
    from_file: Path | None,
    yes: bool,
) -> None:
    """Erase persons (PIPL art. 47, GDPR art. 17): from every table, crowd, export, upload and raw file.

    The identifiers named find the persons; all of their identifiers are erased and kept, hashed only, in
    <lake>/erasure/suppressed.parquet, so raw files arriving later never bring them back. The lake is then
    rebuilt and checked. See docs/personal-data.md.
    """
    from facetlake.build import BuildError
    from facetlake.crowds.engine import EngineError
    from facetlake.erasure.service import ErasureError, normalise_request, plan, read_request_file
    from facetlake.erasure.service import erase as run_erase

    root = resolve_lake(lake)
    pairs = [("phone", v) for v in phone] + [("email", v) for v in email] + [("user_pin", v) for v in user_pin]
    pairs += [("device_id", v) for v in device_id] + [("member_id", v) for v in member_id]
    try:
        if from_file is not None:
            pairs += read_request_file(from_file)
        requested = normalise_request(pairs)
        if not requested:
            raise click.UsageError(
                "Name at least one identifier: --phone, --email, --user-pin, --device-id, --member-id or --from-file."
            )
        resolution = plan(root, requested, engine)
        click.echo(resolution.describe())
        if not yes:
            click.confirm("Erase them from the raw zone, the warehouse, exports and uploads?", abort=True)
        report = run_erase(root, requested, engine=engine, quiet=True)
    except (ErasureError, EngineError, BuildError) as error:
        raise click.ClickException(str(error)) from None
    click.echo(report.describe())
    if any(report.remaining.values()):
        raise click.ClickException("Some tables still hold the persons' values (listed above).")
