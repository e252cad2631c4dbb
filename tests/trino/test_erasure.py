"""Erasure on Trino: the deletes go through Trino (Iceberg DELETE), the raw files are rewritten, and after the
rebuild no Iceberg table of the lake holds the person's values."""

from __future__ import annotations

import pandas as pd

from facetlake.build import run_build
from facetlake.erasure import service
from facetlake.generator import GeneratorConfig, generate_lake


def test_erase_on_trino(trino_node, monkeypatch) -> None:
    name = "erasure"
    lake = trino_node.lake / name
    generate_lake(lake, GeneratorConfig(persons=150, days=2, seed=21), progress=False)
    monkeypatch.setenv("FACETLAKE_TRINO_PORT", str(trino_node.port))
    monkeypatch.setenv("FACETLAKE_TRINO_LAKE_URI", f"local:///{name}")
    monkeypatch.setenv("FACETLAKE_SCHEMA_PREFIX", f"{name}_")
    run_build(lake, engine="trino", quiet=True)

    mapped = pd.DataFrame(
        trino_node.query(f"select id_type, id_value, super_id from iceberg.{name}_marts.identity_map"),
        columns=["id_type", "id_value", "super_id"],
    )
    pins = mapped[mapped["id_type"] == "user_pin"]
    sizes = mapped.groupby("super_id").size()
    pin_row = pins[pins["super_id"].map(sizes) >= 3].iloc[0]
    theirs = mapped[mapped["super_id"] == pin_row["super_id"]]
    values = set(theirs["id_value"]) | {pin_row["super_id"]}

    report = service.erase(lake, service.normalise_request([("user_pin", pin_row["id_value"])]), engine="trino")
    print(report.describe())
    assert report.raw_lines_removed > 0
    assert report.rows_deleted.get(f"{name}_intermediate.int_super_ids_assigned", 0) >= len(theirs)
    assert report.remaining == {}

    columns = trino_node.query(
        "select table_schema, table_name, column_name from iceberg.information_schema.columns "
        f"where table_schema like '{name}\\_%' escape '\\' and data_type = 'varchar'"
    )
    assert len(columns) > 100
    listed = ", ".join(f"'{v}'" for v in sorted(values))
    hits = {}
    for schema, table, column in columns:
        n = trino_node.query(f'select count(*) from iceberg.{schema}.{table} where "{column}" in ({listed})')[0][0]
        if n:
            hits[f"{schema}.{table}.{column}"] = n
    assert hits == {}
