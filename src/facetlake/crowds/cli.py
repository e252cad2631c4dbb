"""`facetlake crowd`: size, create, profile, lookalike and export crowds (audiences) from the tag catalogue."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from facetlake.cli_options import engine_option, lake_option, resolve_lake

if TYPE_CHECKING:  # pandas is imported where used: `facetlake --help` stays fast
    import pandas as pd

LAKE = lake_option()
ENGINE = engine_option("Engine to query")
REFRESH = click.option(
    "--no-refresh",
    "no_refresh",
    is_flag=True,
    help="Only register the crowd; membership, profile and packages follow at the next build or `crowd refresh`.",
)


_lake = resolve_lake


def _friendly(func):
    """Turn the crowd errors into a one-paragraph message and exit status 1."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from facetlake.build import BuildError
        from facetlake.crowds.engine import EngineError
        from facetlake.crowds.registry import CrowdError
        from facetlake.crowds.rules import RuleError
        from facetlake.trino import TrinoError

        try:
            return func(*args, **kwargs)
        except RuleError as exc:
            raise click.ClickException(f"the rule does not work: {exc}") from exc
        # TrinoError: a crowd refresh on Trino first registers the raw zone's partitions.
        except (CrowdError, EngineError, BuildError, TrinoError, FileNotFoundError) as exc:
            raise click.ClickException(str(exc)) from exc

    return wrapper


def _table(df: pd.DataFrame, formats: dict[str, str] | None = None) -> str:
    formats = formats or {}
    cells = [[str(c) for c in df.columns]]
    for row in df.itertuples(index=False):
        out = []
        for col, v in zip(df.columns, row, strict=True):
            if v is None or (isinstance(v, float) and v != v):
                out.append("")
            elif col in formats:
                out.append(format(v, formats[col]))
            else:
                out.append(str(v))
        cells.append(out)
    widths = [max(len(r[i]) for r in cells) for i in range(len(cells[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _rule_from(rule: str | None, tags: tuple[str, ...]) -> str:
    from facetlake.crowds.rules import simple_screen

    if rule and tags:
        raise click.UsageError("give a rule or --tag conditions, not both")
    if tags:
        try:
            return simple_screen(list(tags))
        except ValueError as exc:
            raise click.UsageError(str(exc)) from exc
    if not rule:
        raise click.UsageError('give a rule, e.g. "gender = F and interest_beauty = high", or up to three --tag')
    return rule


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def crowd() -> None:
    """Crowds (audiences) over the tag catalogue: size a rule, create, profile, lookalike, export.

    A rule combines tags with AND, OR, NOT and parentheses, e.g.
    "gender = F and age_band in (25-34, 35-44) and not cart_abandoner". See crowds/README.md.
    """


@crowd.command()
@click.option("--family", default=None, help="Only this family (basic_attributes, behaviour, interest, ...).")
@click.option("--search", default=None, help="Only tags whose id, name or definition contains this text.")
def tags(family: str | None, search: str | None) -> None:
    """List the tag catalogue: id, family, kind and values, as rules name them."""
    import pandas as pd

    from facetlake.crowds.catalogue import load_catalogue

    rows = []
    for t in load_catalogue().values():
        if family and t.family != family:
            continue
        text = f"{t.tag_id} {t.name} {t.definition}".lower()
        if search and search.lower() not in text:
            continue
        values = "|".join(t.allowed_values) if t.allowed_values else "(open)"
        rows.append((t.tag_id, t.family, t.value_kind + (" +score" if t.has_score else ""), values, t.name))
    df = pd.DataFrame(rows, columns=["tag", "family", "kind", "values", "name"])
    click.echo(_table(df))
    click.echo(f"\n{len(df)} tags")


@crowd.command()
@click.argument("rule", required=False)
@click.option("--tag", "tags_", multiple=True, help="Simple screen: up to three tag=value conditions (AND).")
@click.option("--sql", "show_sql", is_flag=True, help="Also print the compiled SQL predicate.")
@LAKE
@ENGINE
@_friendly
def size(rule: str | None, tags_: tuple[str, ...], show_sql: bool, lake: Path | None, engine: str) -> None:
    """Count the persons a RULE selects now, e.g. facetlake crowd size "gender = F and sharer"."""
    from facetlake.crowds.engine import connect
    from facetlake.crowds.service import crowd_size

    text = _rule_from(rule, tags_)
    e = connect(_lake(lake), engine)
    try:
        r = crowd_size(e, text)
    finally:
        e.close()
    click.echo(f"{r.size:,} persons ({r.share:.2%} of {r.base:,}) as of {r.as_of_date}  [{r.milliseconds:.0f} ms]")
    if show_sql:
        click.echo(r.sql)


@crowd.command()
@click.argument("name")
@click.option("--rule", default=None, help="The crowd's rule over tags.")
@click.option("--tag", "tags_", multiple=True, help="Simple screen: up to three tag=value conditions (AND).")
@click.option("--upload", "upload", default=None, help="Make the crowd from <lake>/uploads/<UPLOAD>/*.csv.")
@click.option("--description", default=None, help="What the crowd is for.")
@click.option("--replace", is_flag=True, help="Redefine an existing crowd of that name.")
@REFRESH
@LAKE
@ENGINE
@_friendly
def create(
    name: str,
    rule: str | None,
    tags_: tuple[str, ...],
    upload: str | None,
    description: str | None,
    replace: bool,
    no_refresh: bool,
    lake: Path | None,
    engine: str,
) -> None:
    """Create crowd NAME from a --rule (or --tag screen) or an --upload, and build its membership."""
    from facetlake.crowds import service

    root = _lake(lake)
    if upload:
        if rule or tags_:
            raise click.UsageError("give --upload or a rule, not both")
        _, match = service.create_upload_crowd(root, name, upload, engine, description, replace, not no_refresh)
        click.echo(
            f"upload {upload}: {match.rows:,} rows, {match.invalid_rows:,} invalid, {match.identifiers:,} distinct "
            f"identifiers; matched {match.matched_identifiers:,} ({match.match_rate:.1%}) to "
            f"{match.matched_persons:,} persons"
        )
    else:
        text = _rule_from(rule, tags_)
        service.create_rule_crowd(root, name, text, engine, description, replace, not no_refresh)
    _echo_crowd(root, name, engine, no_refresh)


def _echo_crowd(lake: Path, name: str, engine: str, no_refresh: bool) -> None:
    from facetlake.crowds.engine import connect
    from facetlake.crowds.service import crowd_row

    if no_refresh:
        click.echo(f"crowd {name} registered; run `facetlake crowd refresh` to build it")
        return
    e = connect(lake, engine)
    try:
        row = crowd_row(e, name)
    finally:
        e.close()
    click.echo(
        f"crowd {name}: {int(row['crowd_size']):,} persons ({row['base_share']:.2%} of the base) as of "
        f"{str(row['as_of_date'])[:10]}; DSP reach {int(row['dsp_persons']):,} persons / "
        f"{int(row['dsp_device_ids']):,} devices, SMS reach {int(row['sms_persons']):,} persons"
    )


@crowd.command()
@click.argument("name")
@click.option("--seed", required=True, help="The seed crowd (a rule or upload crowd).")
@click.option("--size", "size_", type=int, required=True, help="How many persons to add beyond the seed.")
@click.option("--description", default=None)
@click.option("--replace", is_flag=True, help="Redefine an existing crowd of that name.")
@REFRESH
@LAKE
@ENGINE
@_friendly
def lookalike(
    name: str,
    seed: str,
    size_: int,
    description: str | None,
    replace: bool,
    no_refresh: bool,
    lake: Path | None,
    engine: str,
) -> None:
    """Create crowd NAME: the --size persons outside --seed most like it (naive Bayes over tag values)."""
    from facetlake.crowds import service

    root = _lake(lake)
    service.create_lookalike(root, name, seed, size_, engine, description, replace, not no_refresh)
    _echo_crowd(root, name, engine, no_refresh)


@crowd.command(name="list")
@LAKE
@ENGINE
@_friendly
def list_(lake: Path | None, engine: str) -> None:
    """List the crowds with kind, origin, size and rule."""
    from facetlake.crowds.engine import connect
    from facetlake.crowds.service import list_crowds

    e = connect(_lake(lake), engine)
    try:
        df = list_crowds(e)
    finally:
        e.close()
    if df.empty:
        click.echo("no crowds yet: `facetlake crowd create NAME --rule ...` or `facetlake crowd refresh`")
        return
    click.echo(_table(df, {"base_share": ".2%", "match_rate": ".1%", "crowd_size": ","}))


@crowd.command(name="profile")
@click.argument("name")
@click.option("--top", type=int, default=30, show_default=True, help="Rows to show (0: all).")
@click.option("--family", default=None, help="Only tags of this family.")
@click.option("--tag", default=None, help="Only this tag.")
@click.option("--min-persons", type=int, default=5, show_default=True, help="Ignore values fewer members carry.")
@click.option(
    "--base",
    default="all",
    show_default=True,
    help="The base to compare with: all (every super_id), known (known persons), brand:<brand_id> (the "
    "brand's paying customers) or crowd:<name> (another crowd).",
)
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path), help="Also write all rows.")
@LAKE
@ENGINE
@_friendly
def profile_(
    name: str,
    top: int,
    family: str | None,
    tag: str | None,
    min_persons: int,
    base: str,
    csv_path: Path | None,
    lake: Path | None,
    engine: str,
) -> None:
    """Profile crowd NAME against a base (--base): per tag value the crowd's and the base's share among the
    persons whose value for the tag is known, the tag's coverage in each, and TGI, highest TGI first."""
    from facetlake.crowds.engine import connect
    from facetlake.crowds.service import crowd_row, profile

    e = connect(_lake(lake), engine)
    try:
        row = crowd_row(e, name)
        df = profile(e, name, top or None, family, tag, min_persons, base)
        full = profile(e, name, None, family, tag, 0, base) if csv_path else None
    finally:
        e.close()
    base_size = f"{int(df['base_size'].iat[0]):,}" if not df.empty else "?"
    click.echo(
        f"crowd {name}: {int(row['crowd_size']):,} super_ids ({int(row['crowd_size_known_persons']):,} known "
        f"persons, {int(row['crowd_size_anonymous']):,} anonymous ids); base {base}: {base_size}. "
        "TGI = crowd share / base share x 100, shares over the persons whose value for the tag is known"
    )
    shown = [
        "tag_id",
        "family",
        "tag_value",
        "crowd_persons",
        "crowd_coverage",
        "crowd_share",
        "base_coverage",
        "base_share",
        "tgi",
    ]
    formats = {"crowd_coverage": ".0%", "crowd_share": ".1%", "base_coverage": ".0%", "base_share": ".1%"}
    click.echo(_table(df[shown], {**formats, "tgi": ".0f"}))
    if full is not None and csv_path is not None:
        full.to_csv(csv_path, index=False)
        click.echo(f"wrote {len(full):,} rows to {csv_path}")


@crowd.command()
@click.argument("name")
@click.option(
    "--to",
    "channel",
    type=click.Choice(["dsp", "sms"]),
    required=True,
    help="dsp: device ids; sms: phone SHA-256 (never raw phones).",
)
@LAKE
@ENGINE
@_friendly
def export(name: str, channel: str, lake: Path | None, engine: str) -> None:
    """Write crowd NAME's package for a channel, with a manifest (rule, counts, created_at, sha256)."""
    from facetlake.crowds.service import export_crowd

    r = export_crowd(_lake(lake), name, channel, engine)
    state = "unchanged (same content as before)" if r.unchanged else "written"
    click.echo(f"{r.identifiers:,} identifiers of {r.persons:,} persons -> {r.file} [{state}]")
    kinds = ", ".join(f"{n:,} {kind}" for kind, n in r.persons_by_kind.items() if n)
    click.echo(f"reaches {kinds or 'nobody'} (dim_persons.person_kind)")
    click.echo(f"manifest {r.manifest} sha256 {r.checksum}")
    if r.skipped:
        reasons = "; ".join(f"{n:,} {reason}" for reason, n in sorted(r.skipped_reasons.items()))
        click.echo(f"skipped {r.skipped:,} invalid identifiers ({reasons}), e.g.:", err=True)
        for example in r.skipped_examples:
            click.echo(f"  {example}", err=True)


@crowd.command()
@LAKE
@ENGINE
@_friendly
def sync(lake: Path | None, engine: str) -> None:
    """Load the repository's crowds/*.yml into the registry (no rebuild)."""
    from facetlake.crowds.service import sync as sync_

    report = sync_(_lake(lake), engine)
    click.echo(f"synced {len(report.saved)} crowds from crowds/: {', '.join(report.saved) or 'none'}")
    for name, why in report.invalid:
        click.echo(f"  invalid {name}: {why}", err=True)
    for name, why in report.skipped:
        click.echo(f"  skipped {name}: {why}", err=True)
    if report.removed:
        click.echo(f"  removed {', '.join(report.removed)} (no longer in crowds/)")


@crowd.command()
@LAKE
@ENGINE
@_friendly
def refresh(lake: Path | None, engine: str) -> None:
    """Sync the repository's crowds and rebuild membership, profiles and packages."""
    from facetlake.crowds.service import refresh as refresh_

    refresh_(_lake(lake), engine)
    click.echo("crowd marts rebuilt")


@crowd.command()
@click.argument("name")
@click.option("--no-refresh", "no_refresh", is_flag=True, help="Leave the marts until the next build.")
@LAKE
@ENGINE
@_friendly
def delete(name: str, no_refresh: bool, lake: Path | None, engine: str) -> None:
    """Delete crowd NAME (created from the CLI) from the registry."""
    from facetlake.crowds.engine import connect
    from facetlake.crowds.registry import CrowdError, delete_definition, get_definition
    from facetlake.crowds.service import refresh as refresh_

    root = _lake(lake)
    e = connect(root, engine, write=True)
    try:
        d = get_definition(e, name) if e.exists("registry", "crowd_definitions") else None
        if d is None:
            raise CrowdError(f"No crowd named {name!r}.")
        if d.origin == "repo":
            raise CrowdError(f"{name!r} is defined in the repository's crowds/; remove it there.")
        delete_definition(e, name)
    finally:
        e.close()
    if not no_refresh:
        refresh_(root, engine)
    click.echo(f"deleted crowd {name}")


@crowd.command()
@click.option("--rules", type=int, default=20, show_default=True, help="Number of random 3-tag rules.")
@click.option("--seed", type=int, default=7, show_default=True, help="Random seed for the rules.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@LAKE
@ENGINE
@_friendly
def bench(rules: int, seed: int, as_json: bool, lake: Path | None, engine: str) -> None:
    """Time `crowd size` over random 3-tag AND/OR/NOT rules: p50 and p95 latency."""
    from facetlake.crowds.service import bench as bench_

    r = bench_(_lake(lake), rules, seed, engine)
    if as_json:
        click.echo(json.dumps(r.as_dict(), indent=2, default=str))
        return
    for text, n, ms in r.rules:
        click.echo(f"{ms:8.1f} ms  {n:>10,}  {text}")
    click.echo(f"\n{r.engine}: {len(r.rules)} rules over {r.persons:,} persons: p50 {r.p50:.1f} ms, p95 {r.p95:.1f} ms")
