"""A plain build loads the repository's crowds (crowds/*.yml) into the registry and builds their marts."""

from __future__ import annotations

from pathlib import Path

import duckdb

from facetlake.crowds.registry import load_repo_crowds


def test_a_build_brings_the_repository_crowds(small_lake: Path) -> None:
    con = duckdb.connect(str(small_lake / "warehouse" / "facetlake.duckdb"), read_only=True)
    try:
        crowds = con.execute("select crowd_name, origin, status, crowd_size, base_persons from marts.crowds").fetchdf()
        persons = con.execute("select count(*) from marts.dim_persons").fetchone()[0]
    finally:
        con.close()
    repo = {e["name"]: e for e in load_repo_crowds()}
    assert set(repo) <= set(crowds["crowd_name"])
    ours = crowds.set_index("crowd_name").loc[sorted(repo)]
    assert (ours["origin"] == "repo").all()
    # Rule crowds compile against the catalogue; an upload crowd without its files in this lake is the only
    # kind allowed to be invalid (kept, with the reason, instead of failing the build).
    rule_crowds = [n for n, e in repo.items() if e.get("kind", "rule") == "rule"]
    assert (ours.loc[rule_crowds, "status"] == "valid").all()
    everyone = ours.loc["everyone"]
    assert everyone["base_persons"] == persons and everyone["crowd_size"] == persons > 0
