"""The Python fit stage of a build: statistical fits that dbt cannot do in SQL, run between two dbt steps.

A fit reads dbt models, fits something in Python and writes small tables to the schema `fits` of the
warehouse, which dbt declares as the source `fits` (models/_fits__sources.yml); models downstream of that
source (scoring in SQL, marts) are built after the fit. So `facetlake build` (facetlake.build.run_build) runs

    dbt build, excluding source:fits+     everything upstream of the fits
    each registered fit                   reads its dbt models, writes fits.<table>
    dbt build --select source:fits+       the models that read the fits

and the Dagster code location does the same inside its dbt step, between two dbt invocations
(orchestration/assets/dbt_models.py): the fits are not assets of their own, so Dagster never splits the step.

Adding a fit (the whole interface):

    from facetlake.fits import Fit, FitContext, register

    def run(context: FitContext) -> dict[str, object]:
        frame = context.read_model("my_summary")           # a dbt model, as a pandas DataFrame
        ...
        context.write_table("my_parameters", parameters)    # fits.my_parameters (replaced)
        return {"customers": len(frame)}                    # metadata for the log and Dagster

    register(Fit(name="my_fit", reads=("my_summary",), writes=("my_parameters",), run=run,
                 description="..."))

then declare `my_parameters` under the `fits` source with its columns, and import the module in
`facetlake.fits.registry.load()`. A fit must never fail a build because the data are too thin: it writes a
row saying why it could not fit (downstream scores stay null). Both engines: the context reads and writes
through facetlake.crowds.engine (DuckDB warehouse or Trino/Iceberg).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from facetlake.crowds.engine import Engine

__all__ = ["FITS_SCHEMA", "FITS_SOURCE", "Fit", "FitContext", "register", "registered", "run_fits"]

FITS_SCHEMA = "fits"  # the warehouse schema fits write to (with FACETLAKE_SCHEMA_PREFIX)
FITS_SOURCE = "fits"  # the dbt source that declares those tables


@dataclass(frozen=True)
class Fit:
    """A fit: its name, the dbt models it reads, the tables of schema `fits` it writes, and `run`."""

    name: str
    reads: tuple[str, ...]
    writes: tuple[str, ...]
    run: Callable[[FitContext], dict[str, Any]]
    description: str = ""


@dataclass
class FitContext:
    """What a fit gets: the lake, the engine's name and a connection to read models and write fit tables."""

    lake: Path
    engine_name: str
    engine: Engine
    log: Callable[[str], None] = print
    written: list[str] = field(default_factory=list)

    def read_model(self, model: str, schema: str = "marts", columns: str = "*") -> pd.DataFrame:
        """A dbt model (a table in `schema`) as a DataFrame."""
        return self.engine.query_df(f"select {columns} from {self.engine.relation(schema, model)}")

    def write_table(self, table: str, frame: pd.DataFrame) -> str:
        """Replace fits.<table> with `frame` (columns typed from pandas dtypes); return the relation."""
        relation = self.engine.relation(FITS_SCHEMA, table)
        write_frame(self.engine, relation, frame)
        self.written.append(table)
        return relation


_REGISTRY: dict[str, Fit] = {}


def register(fit: Fit) -> Fit:
    """Add a fit to the registry (by name; registering the same name again replaces it)."""
    _REGISTRY[fit.name] = fit
    return fit


def registered() -> list[Fit]:
    """Every fit, in registration order (the registry modules imported first)."""
    from facetlake.fits import registry

    registry.load()
    return list(_REGISTRY.values())


def _sql_type(dtype: Any, engine_name: str) -> str:
    kind = getattr(dtype, "kind", "O")
    if kind in "iu":
        return "bigint"
    if kind == "f":
        return "double"
    if kind == "b":
        return "boolean"
    if kind == "M":
        return "timestamp(6)" if engine_name == "trino" else "timestamp"
    return "varchar"


def write_frame(engine: Engine, relation: str, frame: pd.DataFrame) -> None:
    """Replace `relation` with `frame` on DuckDB (registered frame) or Trino (create, then JSON inserts)."""
    schema = relation.rsplit(".", 1)[0]
    engine.execute(f"create schema if not exists {schema}")
    types = {column: _sql_type(frame[column].dtype, engine.name) for column in frame.columns}
    if engine.name == "duckdb":
        con = engine.con  # type: ignore[attr-defined]
        con.register("fit_frame", frame)
        try:
            casts = ", ".join(f'cast("{c}" as {t}) as {c}' for c, t in types.items())
            con.execute(f"create or replace table {relation} as select {casts} from fit_frame")
        finally:
            con.unregister("fit_frame")
        return
    engine.execute(f"drop table if exists {relation}")
    engine.execute(f"create table {relation} ({', '.join(f'{c} {t}' for c, t in types.items())})")
    from facetlake.trino.rows import insert_statements

    for insert in insert_statements(relation, types, frame.itertuples(index=False, name=None)):
        engine.execute(insert)


@contextmanager
def _connection(lake: Path, engine_name: str) -> Iterator[Engine]:
    from facetlake.crowds.engine import connect

    engine = connect(lake, engine_name, write=True)
    try:
        yield engine
    finally:
        engine.close()


def run_fits(
    lake: Path, engine_name: str, names: list[str] | None = None, log: Callable[[str], None] = print
) -> dict[str, dict[str, Any]]:
    """Run the registered fits (or those named) on a built lake; {fit name: the metadata it returned}."""
    results: dict[str, dict[str, Any]] = {}
    for fit in registered():
        if names is not None and fit.name not in names:
            continue
        with _connection(lake, engine_name) as engine:
            context = FitContext(lake=lake, engine_name=engine_name, engine=engine, log=log)
            results[fit.name] = fit.run(context)
    return results
