"""`facetlake demo`: a default lake if none exists, built on DuckDB, then a summary."""

from __future__ import annotations

from pathlib import Path

from facetlake.dbt_runner import run_dbt_build
from facetlake.summary import print_summary


def run_demo(lake: Path, persons: int, days: int, seed: int) -> None:
    if not (lake / "raw").is_dir():
        from facetlake.generator import GeneratorConfig, generate_lake

        print(f"no lake at {lake}: generating {persons:,} persons x {days} days (seed {seed})")
        print(generate_lake(lake, GeneratorConfig(persons=persons, days=days, seed=seed)).describe())
    else:
        print(f"using the existing lake at {lake}")
    run_dbt_build(lake, engine="duckdb")
    print_summary(lake)
