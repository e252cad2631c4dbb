"""A short report of a built warehouse: rows per layer and quarantined lines by reason."""

from __future__ import annotations

from pathlib import Path

import duckdb

from facetlake import paths

LAYERS = ("reference", "staging", "intermediate", "marts")


def warehouse_report(lake: Path) -> dict[str, list[tuple]]:
    """{'tables': [(schema, table, rows)], 'quarantine': [(source, reason, lines)], 'reconciliation': [...]}"""
    path = paths.serving_path(lake) if paths.serving_path(lake).exists() else paths.warehouse_path(lake)
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in ('reference', 'staging', 'intermediate', 'marts') order by 1, 2"
        ).fetchall()
        counts = [
            (schema, name, con.execute(f'select count(*) from "{schema}"."{name}"').fetchone()[0])
            for schema, name in tables
        ]
        quarantine = con.execute(
            "select source_name, rejection_reason, count(*) from staging.quarantined_lines "
            "group by all order by 1, 3 desc"
        ).fetchall()
        reconciliation = con.execute(
            "select source_name, sum(lines_read), sum(rows_staged), sum(duplicates_removed), "
            "sum(lines_quarantined) from marts.fct_raw_line_reconciliation group by 1 order by 1"
        ).fetchall()
    finally:
        con.close()
    return {"tables": counts, "quarantine": quarantine, "reconciliation": reconciliation}


def print_summary(lake: Path) -> None:
    report = warehouse_report(lake)
    print(f"\nwarehouse of {lake}")
    print("\nrows per layer")
    for layer in LAYERS:
        rows = [r for r in report["tables"] if r[0] == layer]
        if rows:
            print(f"  {layer:<13}{sum(r[2] for r in rows):>14,} rows in {len(rows)} tables/views")
            for _, name, n in rows:
                print(f"      {name:<40}{n:>12,}")
    print("\nraw lines: read = staged + duplicates + quarantined")
    print(f"  {'source':<16}{'read':>12}{'staged':>12}{'dupes':>9}{'quarant.':>10}")
    for source, read, staged, dupes, quarantined in report["reconciliation"]:
        print(f"  {source:<16}{read:>12,}{staged:>12,}{dupes:>9,}{quarantined:>10,}")
    print("\nquarantined lines by reason")
    for source, reason, n in report["quarantine"]:
        print(f"  {source:<16}{reason:<36}{n:>8,}")
