"""Raw phones and emails never leave staging: search the built tables' values, not their column names."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pandas as pd

from facetlake.paths import warehouse_path

PHONE_LIKE = re.compile(r"(?:\+?86[\s-]?)?\(?\+?\d{0,3}\)?1\d{2}[\s-]?\d{4}[\s-]?\d{4}")


def _string_values(lake: Path, schemas: tuple[str, ...], exclude: set[str]) -> dict[str, set[str]]:
    con = duckdb.connect(str(warehouse_path(lake)), read_only=True)
    try:
        columns = con.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where data_type = 'VARCHAR' and table_schema in (" + ",".join(f"'{s}'" for s in schemas) + ")"
        ).fetchall()
        values: dict[str, set[str]] = {}
        for schema, table, column in columns:
            if table in exclude:
                continue
            rows = con.execute(f'select distinct "{column}" from "{schema}"."{table}" where "{column}" is not null')
            values[f"{schema}.{table}.{column}"] = {r[0] for r in rows.fetchall()}
        return values
    finally:
        con.close()


def test_no_raw_phone_or_email_past_staging(small_lake: Path) -> None:
    persons_phones = pd.read_parquet(small_lake / "truth" / "identifiers.parquet")
    assert not persons_phones.empty
    # Collect every raw phone and email the generator typed into the raw zone.
    raw_values: set[str] = set()
    for source in ("crm_members", "message_events"):
        for path in (small_lake / "raw" / source).glob("dt=*/*.jsonl"):
            for m in re.finditer(r'"(?:phone|email)":"([^"]*)"', path.read_text()):
                raw_values.add(m.group(1))
                raw_values.add(m.group(1).strip().lower())
    assert len(raw_values) > 50
    # Everything the pipeline keeps except the quarantine (the raw-zone contract keeps rejected raw text there)
    # and the base tables' raw_line column holding those same rejected lines.
    values = _string_values(
        small_lake, ("staging", "intermediate", "marts", "reference"), exclude={"quarantined_lines"}
    )
    assert values, "no string columns found: the warehouse was not built"
    for where, found in values.items():
        if where.endswith(".raw_line"):
            continue
        leaked = found & raw_values
        assert not leaked, f"{where} holds raw phone/email values, e.g. {sorted(leaked)[:3]}"
        looks_like = [v for v in found if "@" in v or PHONE_LIKE.fullmatch(v.strip())]
        assert not looks_like, f"{where} holds values that look like a raw phone or email: {looks_like[:3]}"


def test_raw_text_is_kept_only_for_rejected_lines(small_lake: Path) -> None:
    con = duckdb.connect(str(warehouse_path(small_lake)), read_only=True)
    try:
        for source in ("crm_members", "message_events"):
            kept = con.execute(
                f"select count(*) from staging.base_raw__{source} "
                "where raw_line is not null and rejection_reason is null"
            ).fetchone()[0]
            assert kept == 0, source
    finally:
        con.close()
