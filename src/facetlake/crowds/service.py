"""Crowd operations behind `facetlake crowd`: size, create (rule, upload, lookalike), refresh, profile,
export and bench. Rules are compiled here; membership, profiles and packages are dbt models (marts.crowds)."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import random
import re
import statistics
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from facetlake import paths
from facetlake.build import run_build, sync_crowd_registry
from facetlake.crowds.catalogue import Tag, load_catalogue
from facetlake.crowds.engine import Engine, EngineError, connect, engine_name
from facetlake.crowds.registry import (
    CrowdDefinition,
    CrowdError,
    SyncReport,
    check_name,
    get_definition,
    inside,
    lookalike_definition,
    read_upload,
    rule_definition,
    save_definition,
    upload_definition,
)
from facetlake.crowds.rules import parse_rule, sql_string

if TYPE_CHECKING:  # pandas is imported where used, to keep `crowd size` fast
    import pandas as pd

CROWD_MODELS = "group:crowds"
CHANNELS = {"dsp": "device_id", "sms": "phone_sha256"}
PERSON_KINDS = ("known_person", "anonymous_device", "lone_hash", "other")  # dim_persons.person_kind


def _wide(engine: Engine) -> str:
    if not engine.exists("marts", "user_tags_wide"):
        raise EngineError(
            f"The warehouse of {engine.lake} has no user tags yet. Run `facetlake build --lake {engine.lake}`."
        )
    return engine.relation("marts", "user_tags_wide")


# ---- size ----------------------------------------------------------------------------------------------
@dataclass
class SizeResult:
    rule: str
    size: int
    base: int
    as_of_date: object
    milliseconds: float
    sql: str

    @property
    def share(self) -> float:
        return self.size / self.base if self.base else 0.0


def crowd_size(engine: Engine, rule: str, catalogue: dict[str, Tag] | None = None) -> SizeResult:
    """How many persons a rule selects now (a live count over marts.user_tags_wide)."""
    predicate = parse_rule(rule, catalogue or load_catalogue()).sql()
    wide = _wide(engine)
    sql = (
        f"select sum(case when {predicate} then 1 else 0 end) as crowd_size, count(*) as base_persons, "
        f"max(as_of_date) as as_of_date from {wide}"
    )
    t0 = time.perf_counter()
    size, base, as_of = engine.query(sql)[0]
    ms = (time.perf_counter() - t0) * 1000
    return SizeResult(rule, int(size or 0), int(base or 0), as_of, ms, predicate)


# ---- create / refresh ----------------------------------------------------------------------------------
def refresh(lake: Path, engine: str | None = None, quiet: bool = True) -> None:
    """Sync the repository's crowds, then rebuild the crowd models (membership, profiles, packages)."""
    run_build(lake, engine=engine_name(engine), select=CROWD_MODELS, quiet=quiet)


def sync(lake: Path, engine: str | None = None) -> SyncReport:
    """Load crowds/*.yml into the registry and recompile CLI rules against the catalogue."""
    return sync_crowd_registry(lake, engine_name(engine))


def _save(lake: Path, engine: str | None, definition: CrowdDefinition, replace: bool, upload=None) -> None:
    e = connect(lake, engine, write=True)
    try:
        existing = get_definition(e, definition.crowd_name)
        if existing is not None:
            if existing.origin == "repo":
                raise CrowdError(f"{definition.crowd_name!r} is defined in the repository's crowds/; edit it there.")
            if not replace:
                raise CrowdError(f"A crowd named {definition.crowd_name!r} exists; pass --replace to redefine it.")
        save_definition(e, definition, upload)
    finally:
        e.close()


def create_rule_crowd(
    lake: Path,
    name: str,
    rule: str,
    engine: str | None = None,
    description: str | None = None,
    replace: bool = False,
    build: bool = True,
) -> CrowdDefinition:
    definition = rule_definition(name, rule, description=description)
    _save(lake, engine, definition, replace)
    if build:
        refresh(lake, engine)
    return definition


@dataclass
class UploadMatch:
    rows: int
    invalid_rows: int
    identifiers: int
    matched_identifiers: int
    matched_persons: int

    @property
    def match_rate(self) -> float:
        return self.matched_identifiers / self.identifiers if self.identifiers else 0.0


def create_upload_crowd(
    lake: Path,
    name: str,
    upload_name: str,
    engine: str | None = None,
    description: str | None = None,
    replace: bool = False,
    build: bool = True,
) -> tuple[CrowdDefinition, UploadMatch]:
    upload = read_upload(lake, upload_name)
    definition = upload_definition(name, upload, description=description)
    _save(lake, engine, definition, replace, upload.identifiers)
    if build:
        refresh(lake, engine)
    e = connect(lake, engine)
    try:
        row = e.query(
            "select count(*), sum(case when m.super_id is not null then 1 else 0 end), count(distinct m.super_id) "
            f"from {e.relation('registry', 'crowd_upload_identifiers')} u "
            f"left join {e.relation('marts', 'identity_map')} m on u.id_type = m.id_type and u.id_value = m.id_value "
            f"where u.crowd_name = {sql_string(name)}"
        )[0]
    finally:
        e.close()
    match = UploadMatch(upload.rows, upload.invalid_rows, int(row[0]), int(row[1] or 0), int(row[2] or 0))
    return definition, match


def create_lookalike(
    lake: Path,
    name: str,
    seed: str,
    size: int,
    engine: str | None = None,
    description: str | None = None,
    replace: bool = False,
    build: bool = True,
) -> CrowdDefinition:
    e = connect(lake, engine)
    try:
        seed_definition = get_definition(e, seed) if e.exists("registry", "crowd_definitions") else None
    finally:
        e.close()
    if seed_definition is None:
        raise CrowdError(f"No crowd named {seed!r} to seed the lookalike; `facetlake crowd list` shows the crowds.")
    definition = lookalike_definition(name, seed_definition, size, description=description)
    _save(lake, engine, definition, replace)
    if build:
        refresh(lake, engine)
    return definition


# ---- reading marts -------------------------------------------------------------------------------------
def crowd_row(engine: Engine, name: str) -> dict:
    if not engine.exists("marts", "crowds"):
        raise EngineError(f"No crowd marts in {engine.lake} yet. Run `facetlake build` or `facetlake crowd refresh`.")
    df = engine.query_df(f"select * from {engine.relation('marts', 'crowds')} where crowd_name = {sql_string(name)}")
    if df.empty:
        raise CrowdError(
            f"No crowd named {name!r} in the warehouse. Create it with `facetlake crowd create`, or run "
            "`facetlake crowd refresh` if you created it with --no-refresh."
        )
    row = df.iloc[0].to_dict()
    if row.get("status") != "valid":
        raise CrowdError(f"The crowd {name!r} is invalid: {row.get('status_message')}")
    return row


def list_crowds(engine: Engine) -> pd.DataFrame:
    if not engine.exists("marts", "crowds"):
        import pandas as pd

        return pd.DataFrame()
    return engine.query_df(
        "select crowd_name, crowd_kind, origin, status, crowd_size, base_share, match_rate, rule_text "
        f"from {engine.relation('marts', 'crowds')} order by crowd_name"
    )


PROFILE_BASE_HELP = (
    "all (every super_id), known (known persons), brand:<brand_id> (the brand's paying customers) or "
    "crowd:<name> (another crowd, computed on demand)"
)
PROFILE_COLUMNS = (
    "tag_id, family, tag_value, is_unknown, crowd_size, crowd_known_persons, crowd_persons, crowd_coverage, "
    "crowd_share, crowd_share_all, base_size, base_known_persons, base_persons, base_coverage, base_share, "
    "base_share_all, tgi"
)


@functools.cache
def tgi_min_crowd_persons() -> int:
    """var tgi_min_crowd_persons of dbt_project.yml: is_reliable of profiles computed on demand agrees with
    crowd_profiles."""
    import yaml

    project = yaml.safe_load((paths.project_dir() / "dbt_project.yml").read_text(encoding="utf-8"))
    return int(project["vars"]["tgi_min_crowd_persons"])


def tgi_sql(crowd: str, base: str) -> str:
    """The TGI of crowd_profiles as SQL over two sets of counts (aliases `crowd` and `base`, each with
    `<side>_persons` and `<side>_known_persons`): shares over the persons whose value is known, computed from
    the counts so that equal shares score exactly 100; null where undefined. Mirrors crowd_profiles.sql."""
    return (
        f"case when not {crowd}.is_unknown and {crowd}.crowd_known_persons > 0 and {base}.base_persons > 0 "
        f"then 100.0 * {crowd}.crowd_persons * {base}.base_known_persons "
        f"/ (cast({crowd}.crowd_known_persons as double) * {base}.base_persons) end"
    )


def _crowd_base_profile(engine: Engine, name: str, other: str) -> str:
    """Crowd `name` against crowd `other` as the base: the crowd side of both crowds' rows against the whole
    base (same value list, same counts), with the TGI recomputed over them."""
    relation = engine.relation("marts", "crowd_profiles")
    base = (
        "select tag_id, tag_value, crowd_size as base_size, crowd_known_persons as base_known_persons, "
        "crowd_persons as base_persons, crowd_coverage as base_coverage, crowd_share as base_share, "
        f"crowd_share_all as base_share_all from {relation} "
        f"where crowd_name = {sql_string(other)} and base_name = 'all'"
    )
    return (
        "select crowd.tag_id, crowd.family, crowd.tag_value, crowd.is_unknown, crowd.crowd_size, "
        "crowd.crowd_known_persons, crowd.crowd_persons, crowd.crowd_coverage, crowd.crowd_share, "
        "crowd.crowd_share_all, base.base_size, base.base_known_persons, base.base_persons, base.base_coverage, "
        f"base.base_share, base.base_share_all, {tgi_sql('crowd', 'base')} as tgi "
        f"from {relation} as crowd inner join ({base}) as base "
        "on crowd.tag_id = base.tag_id and crowd.tag_value = base.tag_value "
        f"where crowd.crowd_name = {sql_string(name)} and crowd.base_name = 'all'"
    )


def profile_bases(engine: Engine) -> list[str]:
    """The stored profile bases (base_name of crowd_profiles); crowd:<name> bases are computed on demand."""
    df = engine.query_df(
        f"select distinct base_name from {engine.relation('marts', 'tag_value_distribution')} order by base_name"
    )
    return [str(v) for v in df["base_name"]]


def profile(
    engine: Engine,
    name: str,
    top: int | None = 30,
    family: str | None = None,
    tag: str | None = None,
    min_persons: int = 1,
    base: str = "all",
) -> pd.DataFrame:
    """The crowd's distribution over every tag against a base (see PROFILE_BASE_HELP): shares and coverage
    of the crowd and of the base, TGI over the persons whose value is known, highest TGI first; each tag's
    'unknown' row (is_unknown, no TGI) comes last."""
    crowd_row(engine, name)
    if base.startswith("crowd:"):
        other = base.removeprefix("crowd:")
        check_name(other)
        crowd_row(engine, other)
        source = f"({_crowd_base_profile(engine, name, other)}) as profile"
    else:
        bases = profile_bases(engine)
        if base not in bases:
            raise CrowdError(
                f"No profile base {base!r}. Use one of {', '.join(bases)}, or crowd:<name> for another crowd."
            )
        source = (
            f"(select {PROFILE_COLUMNS} from {engine.relation('marts', 'crowd_profiles')} "
            f"where crowd_name = {sql_string(name)} and base_name = {sql_string(base)}) as profile"
        )
    where = [f"crowd_persons >= {int(min_persons)}"]
    if family:
        where.append(f"family = {sql_string(family)}")
    if tag:
        where.append(f"tag_id = {sql_string(tag)}")
    sql = (
        f"select {PROFILE_COLUMNS}, "
        f"coalesce(tgi is not null and crowd_persons >= {tgi_min_crowd_persons()}, false) as is_reliable "
        f"from {source} where {' and '.join(where)} "
        "order by tgi desc nulls last, tag_id, tag_value"
    )
    if top:
        sql += f" limit {int(top)}"
    return engine.query_df(sql)


# ---- export ----------------------------------------------------------------------------------------------
_PHONE_LIKE = re.compile(r"^\+?\d[\d\s\-()]{6,}$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
# What a device id may look like in a package: letters, digits and . _ : - (IDFA/GAID UUIDs, our dev-<hex>),
# starting with a letter or digit, so no cell can start a spreadsheet formula (OWASP CSV injection: = + - @
# tab CR) or break the CSV (quotes, commas, line breaks).
_DEVICE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
SKIPPED_EXAMPLES = 5


def identifier_problem(channel: str, value: str) -> str | None:
    """Why `value` cannot go into a `channel` package (None when it can). Bad identifiers are skipped and
    reported, never quoted into the file: a DSP matches ids byte for byte, so a defused '=x is useless anyway."""
    if not value:
        return "empty"
    if value.startswith(_FORMULA_START):
        return "starts like a spreadsheet formula"
    if channel == "sms":
        return None if _HEX64.fullmatch(value) else "not a phone SHA-256"
    if value.isdigit() or _PHONE_LIKE.fullmatch(value):
        return "only digits (could be a raw phone, and spreadsheets rewrite numbers)"
    if not _DEVICE_ID.fullmatch(value):
        return "characters a device id does not have"
    return None


def _masked(value: str) -> str:
    # Reported values may be personal data (a phone typed as a device id): show only how they start.
    return f"{value[:4]}... ({len(value)} characters)"


@dataclass
class ExportResult:
    crowd_name: str
    channel: str
    folder: Path
    file: Path
    manifest: Path
    identifiers: int
    persons: int
    checksum: str
    unchanged: bool
    manifest_data: dict = field(default_factory=dict)
    skipped: int = 0
    skipped_reasons: dict[str, int] = field(default_factory=dict)
    skipped_examples: list[str] = field(default_factory=list)
    persons_by_kind: dict[str, int] = field(default_factory=dict)  # reachable persons by dim_persons.person_kind


def export_crowd(lake: Path, name: str, channel: str, engine: str | None = None) -> ExportResult:
    """Write the crowd package for a channel: <lake>/exports/<crowd>/<as_of_date>/<channel>/ with
    identifiers.csv (sorted, one identifier a line) and manifest.json (rule, counts, created_at, sha256; which
    kinds of super_id the package reaches: reachable_persons_by_kind, by dim_persons.person_kind).
    Identifiers that are not valid for the channel (see identifier_problem) are skipped and reported in the
    manifest (`skipped_identifiers`, by reason, masked examples). Re-exporting the same crowd on the same data
    leaves both files untouched."""
    if channel not in CHANNELS:
        raise CrowdError(f"Unknown channel {channel!r}; use one of {', '.join(CHANNELS)}.")
    check_name(name)
    e = connect(lake, engine)
    try:
        crowd = crowd_row(e, name)
        df = e.query_df(
            "select deliverable.id_value, deliverable.super_id, persons.person_kind from "
            f"{e.relation('marts', 'crowd_deliverable_identifiers')} as deliverable "
            f"inner join {e.relation('marts', 'dim_persons')} as persons "
            "on deliverable.super_id = persons.super_id "
            f"where deliverable.crowd_name = {sql_string(name)} and deliverable.channel = {sql_string(channel)} "
            "order by deliverable.id_value"
        )
    finally:
        e.close()
    id_kind = CHANNELS[channel]
    df = df.assign(id_value=df["id_value"].astype(str))
    problems = {v: identifier_problem(channel, v) for v in set(df["id_value"])}
    bad = sorted(v for v, p in problems.items() if p)
    reasons: dict[str, int] = {}
    for v in bad:
        reasons[problems[v]] = reasons.get(problems[v], 0) + 1  # type: ignore[index]
    examples = [f"{_masked(v)}: {problems[v]}" for v in bad[:SKIPPED_EXAMPLES]]
    df = df[~df["id_value"].isin(bad)]
    values = sorted(set(df["id_value"]))
    content = (id_kind + "\n" + "".join(v + "\n" for v in values)).encode("utf-8")
    checksum = hashlib.sha256(content).hexdigest()
    as_of = str(crowd["as_of_date"])[:10]
    root = paths.exports_dir(lake)
    folder = root / name / as_of / channel
    if not inside(folder, root):
        raise CrowdError(f"The export folder {folder} resolves outside {root} (a symbolic link?); refusing to write.")
    file = folder / "identifiers.csv"
    manifest_path = folder / "manifest.json"
    persons = int(df["super_id"].nunique())
    # Which kinds of super_id the package reaches (dim_persons.person_kind): known persons or anonymous ids.
    kinds = df.drop_duplicates("super_id")["person_kind"].value_counts()
    persons_by_kind = {kind: int(kinds.get(kind, 0)) for kind in PERSON_KINDS}
    details = {
        "skipped": len(bad),
        "skipped_reasons": reasons,
        "skipped_examples": examples,
        "persons_by_kind": persons_by_kind,
    }

    if manifest_path.exists() and file.exists():
        old = json.loads(manifest_path.read_text(encoding="utf-8"))
        if old.get("sha256") == checksum and hashlib.sha256(file.read_bytes()).hexdigest() == checksum:
            return ExportResult(
                name, channel, folder, file, manifest_path, len(values), persons, checksum, True, old, **details
            )
    folder.mkdir(parents=True, exist_ok=True)
    manifest = {
        "crowd_name": name,
        "crowd_kind": crowd["crowd_kind"],
        "rule": crowd["rule_text"],
        "description": crowd.get("description"),
        "channel": channel,
        "identifier_kind": id_kind,
        "as_of_date": as_of,
        "crowd_size": int(crowd["crowd_size"]),
        "crowd_size_known_persons": int(crowd["crowd_size_known_persons"]),
        "crowd_size_anonymous": int(crowd["crowd_size_anonymous"]),
        "reachable_persons": persons,
        "reachable_persons_by_kind": persons_by_kind,
        "identifiers": len(values),
        "skipped_identifiers": len(bad),
        "skipped_by_reason": reasons,
        "skipped_examples": examples,
        "file": file.name,
        "bytes": len(content),
        "sha256": checksum,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "engine": engine_name(engine),
    }
    _atomic_write(file, content)
    _atomic_write(manifest_path, (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    return ExportResult(
        name, channel, folder, file, manifest_path, len(values), persons, checksum, False, manifest, **details
    )


def _atomic_write(path: Path, content: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(content)
    os.replace(tmp, path)


# ---- bench ---------------------------------------------------------------------------------------------
@dataclass
class BenchResult:
    engine: str
    persons: int
    rules: list[tuple[str, int, float]]  # rule, size, milliseconds

    @property
    def p50(self) -> float:
        return statistics.median(ms for _, _, ms in self.rules)

    @property
    def p95(self) -> float:
        times = sorted(ms for _, _, ms in self.rules)
        return times[min(len(times) - 1, max(0, int(round(0.95 * len(times) + 0.5)) - 1))]

    def as_dict(self) -> dict:
        return {**asdict(self), "p50_ms": self.p50, "p95_ms": self.p95}


def random_rules(engine: Engine, count: int, seed: int = 7, catalogue: dict[str, Tag] | None = None) -> list[str]:
    """`count` random 3-tag rules mixing AND, OR and NOT over tags and values present in the warehouse."""
    catalogue = catalogue or load_catalogue()
    wide = _wide(engine)
    rng = random.Random(seed)
    candidates = [t for t in catalogue.values() if t.value_kind in ("flag", "category", "level")]
    open_values: dict[str, list[str]] = {}

    def values_of(tag: Tag) -> list[str]:
        if tag.allowed_values:
            return list(tag.allowed_values)
        if tag.tag_id not in open_values:
            rows = engine.query(
                f'select "{tag.tag_id}", count(*) from {wide} where "{tag.tag_id}" is not null '
                "group by 1 order by 2 desc limit 20"
            )
            open_values[tag.tag_id] = [str(r[0]) for r in rows]
        return open_values[tag.tag_id]

    def condition(tag: Tag) -> str:
        if tag.value_kind == "flag":
            return tag.tag_id
        if tag.has_score and tag.value_kind == "level" and rng.random() < 0.3:
            return f"{tag.tag_id} >= {rng.choice([0.1, 0.2, 0.3, 0.5])}"
        vals = values_of(tag) or ["x"]
        if len(vals) > 2 and rng.random() < 0.3:
            picked = rng.sample(vals, 2)
            return f"{tag.tag_id} in ({', '.join(_quote(v) for v in picked)})"
        return f"{tag.tag_id} = {_quote(rng.choice(vals))}"

    shapes = [
        "{a} and {b} and {c}",
        "{a} and ({b} or {c})",
        "{a} or {b} and not {c}",
        "({a} or {b}) and not {c}",
        "not {a} and {b} and {c}",
        "{a} and not ({b} or {c})",
    ]
    rules = []
    for _ in range(count):
        a, b, c = rng.sample(candidates, 3)
        rules.append(rng.choice(shapes).format(a=condition(a), b=condition(b), c=condition(c)))
    return rules


def _quote(value: str) -> str:
    return value if re.match(r"^[\w.+\-]+$", value) else "'" + value.replace("'", "''") + "'"


def bench(lake: Path, rules: int = 20, seed: int = 7, engine: str | None = None, repeat: int = 1) -> BenchResult:
    """Latency of `crowd size` queries over `rules` random 3-tag rules (one warm-up query first)."""
    e = connect(lake, engine)
    try:
        catalogue = load_catalogue()
        texts = random_rules(e, rules, seed, catalogue)
        crowd_size(e, texts[0], catalogue)  # warm-up: first touch of the table's files
        results = []
        for text in texts:
            best = min((crowd_size(e, text, catalogue) for _ in range(max(1, repeat))), key=lambda r: r.milliseconds)
            results.append((text, best.size, best.milliseconds))
        persons = crowd_size(e, "all", catalogue).base
    finally:
        e.close()
    return BenchResult(engine_name(engine), persons, results)
