"""Rows written to a Trino table as JSON text: one statement carries thousands of rows as one string, which
`json_parse` and `unnest` turn into typed columns. Trino plans such a statement once; literal VALUES rows
are planned one by one (30,000 rows: 1.2 s against about 26 s in 200-row VALUES statements).

Used by the writers that push Python-made rows into the warehouse on Trino: the fits' tables
(facetlake.fits) and the crowd registry (facetlake.crowds.registry).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

import pandas as pd

__all__ = ["MAX_STATEMENT_CHARS", "insert_statements", "json_value"]

# Trino rejects a statement longer than query.max-length (1,000,000 characters by default).
MAX_STATEMENT_CHARS = 500_000


def _missing(value: Any) -> bool:
    # A missing value from a nullable pandas column is pd.NA or pd.NaT, not None.
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def json_value(value: Any, sql_type: str) -> Any:
    """A Python value as JSON for a column of `sql_type`: timestamps as text (cast after, to the second),
    dates as ISO text, non-finite doubles null."""
    if _missing(value):
        return None
    if sql_type == "boolean":
        return bool(value)
    if sql_type == "bigint":
        return int(value)
    if sql_type == "double":
        return float(value) if math.isfinite(float(value)) else None
    if sql_type.startswith("timestamp"):
        stamp = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        return stamp.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def insert_statements(relation: str, types: dict[str, str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """`insert into relation` statements holding `rows` (values in the order of `types`, {column: Trino
    type}), each at most about MAX_STATEMENT_CHARS long."""
    columns = list(types)
    as_text = {c: "varchar" if t.startswith("timestamp") else t for c, t in types.items()}
    row_type = ", ".join(f'"{c}" {as_text[c]}' for c in columns)
    select = ", ".join(f'cast("{c}" as {types[c]})' if as_text[c] != types[c] else f'"{c}"' for c in columns)
    names = ", ".join(f'"{c}"' for c in columns)

    def statement(batch: list[str]) -> str:
        payload = ("[" + ",".join(batch) + "]").replace("'", "''")
        return (
            f"insert into {relation} ({names}) select {select} "
            f"from unnest(cast(json_parse('{payload}') as array(row({row_type})))) as json_rows ({names})"
        )

    batch: list[str] = []
    size = 0
    for row in rows:
        text = json.dumps([json_value(v, types[c]) for v, c in zip(row, columns, strict=True)])
        if batch and size + len(text) > MAX_STATEMENT_CHARS:
            yield statement(batch)
            batch, size = [], 0
        batch.append(text)
        size += len(text) + 1
    if batch:
        yield statement(batch)
