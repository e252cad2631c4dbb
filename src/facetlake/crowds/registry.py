"""The crowd registry: crowd definitions (from the repository's crowds/*.yml and from the CLI) and uploaded
identifier lists, kept as tables in the engine (schema `registry`) for the dbt crowd models to read."""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from facetlake import paths
from facetlake.crowds.catalogue import Tag, load_catalogue
from facetlake.crowds.engine import Engine
from facetlake.crowds.rules import RuleError, compile_rule, sql_string

if TYPE_CHECKING:  # pandas is imported where used, to keep `crowd size` fast
    import pandas as pd

REGISTRY_SCHEMA = "registry"
DEFINITIONS = "crowd_definitions"
UPLOAD_IDENTIFIERS = "crowd_upload_identifiers"
CROWD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
# An upload is a folder name under <lake>/uploads: no separators, no dots, not hidden, so it cannot leave it.
UPLOAD_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
KINDS = ("rule", "upload", "lookalike")
UPLOAD_KINDS = ("phone", "phone_sha256", "device_id", "user_pin", "member_id")

DEFINITION_COLUMNS: list[tuple[str, str]] = [
    ("crowd_name", "varchar"),
    ("crowd_kind", "varchar"),
    ("description", "varchar"),
    ("rule_text", "varchar"),
    ("rule_sql", "varchar"),
    ("upload_name", "varchar"),
    ("upload_id_type", "varchar"),
    ("upload_rows", "bigint"),
    ("upload_invalid_rows", "bigint"),
    ("seed_crowd", "varchar"),
    ("target_size", "bigint"),
    ("origin", "varchar"),
    ("owner", "varchar"),
    ("status", "varchar"),
    ("status_message", "varchar"),
    ("created_at", "timestamp"),
    ("updated_at", "timestamp"),
]
UPLOAD_COLUMNS: list[tuple[str, str]] = [
    ("crowd_name", "varchar"),
    ("id_type", "varchar"),
    ("id_value", "varchar"),
]


class CrowdError(ValueError):
    """A crowd definition, upload or request that cannot be honoured; the message says why."""


@dataclass
class CrowdDefinition:
    crowd_name: str
    crowd_kind: str = "rule"
    description: str | None = None
    rule_text: str | None = None
    rule_sql: str | None = None
    upload_name: str | None = None
    upload_id_type: str | None = None
    upload_rows: int | None = None
    upload_invalid_rows: int | None = None
    seed_crowd: str | None = None
    target_size: int | None = None
    origin: str = "cli"
    owner: str | None = None
    status: str = "valid"
    status_message: str | None = None
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC).replace(tzinfo=None, microsecond=0))
    updated_at: datetime | None = None


def check_name(name: str) -> str:
    if not isinstance(name, str) or not CROWD_NAME.fullmatch(name):
        raise CrowdError(
            f"Crowd name {name!r} is not valid: use lower-case letters, digits and _, starting with a letter "
            "(at most 63 characters; no paths)."
        )
    return name


def check_upload_name(name: str) -> str:
    if not isinstance(name, str) or not UPLOAD_NAME.fullmatch(name):
        raise CrowdError(
            f"Upload name {name!r} is not valid: name a folder directly under <lake>/uploads with lower-case "
            "letters, digits, _ and -, starting with a letter or digit (at most 63 characters; no paths, no hidden "
            "folders)."
        )
    return name


def inside(path: Path, root: Path) -> bool:
    """Whether `path`, symbolic links resolved, lies within `root` (also resolved)."""
    return path.resolve().is_relative_to(root.resolve())


# ---- tables ----------------------------------------------------------------------------------------------
def _type(engine: Engine, sql_type: str) -> str:
    # Iceberg on Trino stores timestamps with microseconds only.
    return "timestamp(6)" if engine.name == "trino" and sql_type == "timestamp" else sql_type


def ensure_tables(engine: Engine) -> None:
    """Create the registry schema and tables when missing (the CLI fills them; dbt reads them)."""
    schema = engine.relation(REGISTRY_SCHEMA, "x").rsplit(".", 1)[0]
    engine.execute(f"create schema if not exists {schema}")
    for table, columns in ((DEFINITIONS, DEFINITION_COLUMNS), (UPLOAD_IDENTIFIERS, UPLOAD_COLUMNS)):
        cols = ", ".join(f"{name} {_type(engine, t)}" for name, t in columns)
        engine.execute(f"create table if not exists {engine.relation(REGISTRY_SCHEMA, table)} ({cols})")


def _literal(value: object, sql_type: str) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "null"
    if sql_type == "bigint":
        return str(int(value))  # type: ignore[call-overload]
    if sql_type == "timestamp":
        assert isinstance(value, datetime)
        return f"timestamp '{value.strftime('%Y-%m-%d %H:%M:%S')}'"
    return sql_string(str(value))


def insert_rows(engine: Engine, table: str, columns: list[tuple[str, str]], rows: list[tuple]) -> None:
    if not rows:
        return
    relation = engine.relation(REGISTRY_SCHEMA, table)
    names = ", ".join(c for c, _ in columns)
    if engine.name == "duckdb" and len(rows) > 50:
        import pandas as pd

        frame = pd.DataFrame(rows, columns=[c for c, _ in columns])
        con = engine.con  # type: ignore[attr-defined]
        con.register("registry_rows", frame)
        try:
            con.execute(f"insert into {relation} ({names}) select {names} from registry_rows")
        finally:
            con.unregister("registry_rows")
        return
    if engine.name == "trino":
        from facetlake.trino.rows import insert_statements

        for insert in insert_statements(relation, {c: _type(engine, t) for c, t in columns}, rows):
            engine.execute(insert)
        return
    values = ",\n".join(
        "(" + ", ".join(_literal(v, t) for v, (_, t) in zip(row, columns, strict=True)) + ")" for row in rows
    )
    engine.execute(f"insert into {relation} ({names}) values {values}")


def read_definitions(engine: Engine) -> list[CrowdDefinition]:
    if not engine.exists(REGISTRY_SCHEMA, DEFINITIONS):
        return []
    names = [c for c, _ in DEFINITION_COLUMNS]
    rows = engine.query(
        f"select {', '.join(names)} from {engine.relation(REGISTRY_SCHEMA, DEFINITIONS)} order by crowd_name"
    )
    out = []
    for row in rows:
        values = {k: (None if isinstance(v, float) and v != v else v) for k, v in zip(names, row, strict=True)}
        out.append(CrowdDefinition(**values))  # type: ignore[arg-type]
    return out


def get_definition(engine: Engine, name: str) -> CrowdDefinition | None:
    return next((d for d in read_definitions(engine) if d.crowd_name == name), None)


def save_definition(engine: Engine, definition: CrowdDefinition, upload: pd.DataFrame | None = None) -> None:
    """Insert or replace one crowd (and, for an upload crowd, its identifiers)."""
    ensure_tables(engine)
    existing = get_definition(engine, definition.crowd_name)
    if existing is not None:
        definition.created_at = existing.created_at or definition.created_at
    definition.updated_at = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    name = sql_string(definition.crowd_name)
    engine.execute(f"delete from {engine.relation(REGISTRY_SCHEMA, DEFINITIONS)} where crowd_name = {name}")
    row = tuple(getattr(definition, c) for c, _ in DEFINITION_COLUMNS)
    insert_rows(engine, DEFINITIONS, DEFINITION_COLUMNS, [row])
    if upload is not None or (existing is not None and existing.crowd_kind == "upload"):
        engine.execute(f"delete from {engine.relation(REGISTRY_SCHEMA, UPLOAD_IDENTIFIERS)} where crowd_name = {name}")
    if upload is not None and len(upload):
        rows = [(definition.crowd_name, t, v) for t, v in zip(upload["id_type"], upload["id_value"], strict=True)]
        insert_rows(engine, UPLOAD_IDENTIFIERS, UPLOAD_COLUMNS, rows)


def delete_definition(engine: Engine, name: str) -> bool:
    if get_definition(engine, name) is None:
        return False
    for table in (DEFINITIONS, UPLOAD_IDENTIFIERS):
        engine.execute(f"delete from {engine.relation(REGISTRY_SCHEMA, table)} where crowd_name = {sql_string(name)}")
    return True


# ---- building definitions ------------------------------------------------------------------------------
def rule_definition(
    name: str,
    rule: str,
    catalogue: dict[str, Tag] | None = None,
    description: str | None = None,
    origin: str = "cli",
    owner: str | None = None,
) -> CrowdDefinition:
    """A rule crowd, its rule compiled (RuleError when it names an unknown tag or does not parse)."""
    sql = compile_rule(rule, catalogue or load_catalogue())
    return CrowdDefinition(
        crowd_name=check_name(name),
        crowd_kind="rule",
        rule_text=rule,
        rule_sql=sql,
        description=description,
        origin=origin,
        owner=owner,
    )


def lookalike_definition(
    name: str,
    seed: CrowdDefinition,
    size: int,
    description: str | None = None,
    origin: str = "cli",
    owner: str | None = None,
) -> CrowdDefinition:
    if seed.crowd_kind == "lookalike":
        raise CrowdError(f"The seed {seed.crowd_name!r} is itself a lookalike; seed with a rule or upload crowd.")
    if size <= 0:
        raise CrowdError("The lookalike size must be a positive number of persons.")
    return CrowdDefinition(
        crowd_name=check_name(name),
        crowd_kind="lookalike",
        seed_crowd=seed.crowd_name,
        target_size=int(size),
        rule_text=f"lookalike of {seed.crowd_name}",
        description=description,
        origin=origin,
        owner=owner,
    )


# ---- uploads -----------------------------------------------------------------------------------------
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


def normalize_phone_e164(text: str) -> str | None:
    """A phone as E.164, the same rule as the staging macro normalize_phone_e164."""
    digits = re.sub(r"[^0-9]", "", text or "")
    if len(digits) == 11 and digits.startswith("1"):
        return "+86" + digits
    if len(digits) == 13 and digits.startswith("861"):
        return "+" + digits
    if len(digits) == 15 and digits.startswith("00861"):
        return "+" + digits[2:]
    if (text or "").strip().startswith("+") and 8 <= len(digits) <= 15:
        return "+" + digits
    return None


def phone_sha256(text: str) -> str | None:
    e164 = normalize_phone_e164(text)
    return hashlib.sha256(e164.encode("utf-8")).hexdigest() if e164 else None


@dataclass
class Upload:
    name: str
    id_kind: str  # the header's kind (phone is stored as phone_sha256)
    identifiers: pd.DataFrame  # id_type, id_value (distinct, hashed where needed)
    rows: int
    invalid_rows: int
    files: list[Path]


def upload_dir(lake: Path, name: str) -> Path:
    """<lake>/uploads/<name>, refused (CrowdError) when the name is not a plain folder name or the folder,
    symbolic links resolved, lies outside <lake>/uploads."""
    root = paths.uploads_dir(lake)
    folder = root / check_upload_name(name)
    if not inside(folder, root):
        raise CrowdError(f"The upload {name!r} resolves outside {root} (a symbolic link?); refusing to read it.")
    return folder


def read_upload(lake: Path, name: str) -> Upload:
    """Read <lake>/uploads/<name>/*.csv: a header naming one identifier kind (phone, phone_sha256, device_id,
    user_pin, member_id). Phones are normalised to E.164 and hashed here: no raw phone is stored. Hidden files
    are ignored; a file that resolves outside <lake>/uploads is refused."""
    folder = upload_dir(lake, name)
    files = sorted(p for p in folder.glob("*.csv") if not p.name.startswith(".")) if folder.is_dir() else []
    for path in files:
        if not inside(path, paths.uploads_dir(lake)):
            raise CrowdError(
                f"{path} resolves outside {paths.uploads_dir(lake)} (a symbolic link?); refusing to read it."
            )
    if not files:
        raise CrowdError(
            f"No upload at {folder}: put one or more CSV files there (header: one of {', '.join(UPLOAD_KINDS)})."
        )
    kind: str | None = None
    values: list[str | None] = []
    for path in files:
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f)
            header = [h.strip().lower() for h in next(reader, [])]
            kinds = [h for h in header if h in UPLOAD_KINDS]
            if len(kinds) != 1:
                raise CrowdError(
                    f"{path}: the header must name exactly one identifier kind of {', '.join(UPLOAD_KINDS)}; "
                    f"found {', '.join(header) or 'no header'}."
                )
            if kind is not None and kinds[0] != kind:
                raise CrowdError(f"{path}: holds {kinds[0]} but the upload's other files hold {kind}.")
            kind = kinds[0]
            col = header.index(kind)
            brand_col = header.index("brand_id") if "brand_id" in header else None
            for row in reader:
                if not row or all(not c.strip() for c in row):
                    continue
                raw = row[col].strip() if col < len(row) else ""
                if kind == "member_id" and brand_col is not None and brand_col < len(row) and ":" not in raw:
                    raw = f"{row[brand_col].strip()}:{raw}" if raw else ""
                values.append(_normalise(kind, raw))
    assert kind is not None
    import pandas as pd

    valid = [v for v in values if v]
    id_type = "phone_sha256" if kind == "phone" else kind
    identifiers = pd.DataFrame({"id_type": id_type, "id_value": sorted(set(valid))})
    return Upload(name, kind, identifiers, len(values), len(values) - len(valid), files)


def _normalise(kind: str, raw: str) -> str | None:
    if not raw:
        return None
    if kind == "phone":
        return phone_sha256(raw)
    if kind == "phone_sha256":
        low = raw.lower()
        return low if _HEX64.match(low) else None
    if kind == "member_id":
        return raw if re.match(r"^[^:\s]+:[^:\s]+$", raw) else None
    return raw


def upload_definition(
    name: str,
    upload: Upload,
    description: str | None = None,
    origin: str = "cli",
    owner: str | None = None,
) -> CrowdDefinition:
    if upload.identifiers.empty:
        raise CrowdError(f"The upload {upload.name!r} holds no valid {upload.id_kind} ({upload.rows} rows read).")
    return CrowdDefinition(
        crowd_name=check_name(name),
        crowd_kind="upload",
        upload_name=upload.name,
        upload_id_type=upload.identifiers["id_type"].iat[0],
        upload_rows=upload.rows,
        upload_invalid_rows=upload.invalid_rows,
        rule_text=f"upload {upload.name} ({upload.id_kind})",
        description=description,
        origin=origin,
        owner=owner,
    )


# ---- the repository's crowds ------------------------------------------------------------------------------
def repo_crowds_dir() -> Path:
    return paths.project_dir() / "crowds"


def load_repo_crowds(folder: Path | None = None) -> list[dict]:
    """The crowd entries of crowds/*.yml (a top-level `crowds:` list in each file)."""
    folder = folder or repo_crowds_dir()
    entries: list[dict] = []
    for path in sorted(folder.glob("*.yml")) + sorted(folder.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for entry in doc.get("crowds", []) or []:
            if not isinstance(entry, dict) or "name" not in entry:
                raise CrowdError(f"{path}: every entry under `crowds:` needs a name.")
            entries.append({**entry, "_file": path.name})
    names = [e["name"] for e in entries]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise CrowdError(f"Crowds defined twice in {folder}: {', '.join(dupes)}.")
    return entries


@dataclass
class SyncReport:
    saved: list[str] = field(default_factory=list)
    invalid: list[tuple[str, str]] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)


def sync_repo_crowds(engine: Engine, lake: Path, folder: Path | None = None) -> SyncReport:
    """Load crowds/*.yml into the registry (origin 'repo') and recompile every rule crowd against the
    current catalogue: a crowd whose rule no longer compiles is kept with status 'invalid' and its error."""
    ensure_tables(engine)
    catalogue = load_catalogue()
    report = SyncReport()
    existing = {d.crowd_name: d for d in read_definitions(engine)}
    entries = load_repo_crowds(folder)
    repo_names = {e["name"] for e in entries}
    for name, d in existing.items():
        if d.origin == "repo" and name not in repo_names:
            delete_definition(engine, name)
            report.removed.append(name)
    # Rule and upload crowds first: lookalikes need their seeds.
    ordered = sorted(entries, key=lambda e: e.get("kind", "rule") == "lookalike")
    saved: dict[str, CrowdDefinition] = {}
    for entry in ordered:
        name = entry["name"]
        current = existing.get(name)
        if current is not None and current.origin != "repo":
            report.skipped.append((name, "a crowd of that name was created from the CLI"))
            continue
        kind = entry.get("kind", "rule")
        common = {"description": entry.get("description"), "origin": "repo", "owner": entry.get("owner")}
        try:
            if kind == "rule":
                definition = rule_definition(name, str(entry.get("rule", "")), catalogue, **common)
                save_definition(engine, definition)
            elif kind == "upload":
                upload = read_upload(lake, str(entry.get("upload", name)))
                definition = upload_definition(name, upload, **common)
                save_definition(engine, definition, upload.identifiers)
            elif kind == "lookalike":
                seed_name = str(entry.get("seed", ""))
                seed = saved.get(seed_name) or get_definition(engine, seed_name)
                if seed is None:
                    raise CrowdError(f"its seed crowd {seed_name!r} is not defined")
                definition = lookalike_definition(name, seed, int(entry.get("size", 0)), **common)
                save_definition(engine, definition)
            else:
                raise CrowdError(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")
            saved[name] = definition
            report.saved.append(name)
        except (RuleError, CrowdError, ValueError) as exc:
            bad = CrowdDefinition(crowd_name=name, crowd_kind=kind, rule_text=entry.get("rule"), **common)
            bad.status, bad.status_message = "invalid", f"{entry['_file']}: {exc}"
            if CROWD_NAME.match(name):
                save_definition(engine, bad)
            report.invalid.append((name, str(exc)))
    for d in existing.values():
        if d.origin != "repo" and d.crowd_kind == "rule" and d.rule_text:
            try:
                sql = compile_rule(d.rule_text, catalogue)
                status, message = "valid", None
            except RuleError as exc:
                sql, status, message = d.rule_sql, "invalid", str(exc)
            if (sql, status, message) != (d.rule_sql, d.status, d.status_message):
                d.rule_sql, d.status, d.status_message = sql, status, message
                save_definition(engine, d)
    return report
