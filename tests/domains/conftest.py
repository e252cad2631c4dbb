"""A 2,000-person, 7-day lake built for real on DuckDB, once per session: first up to day 6, then with day 7
(so super_id stability across a new day can be checked), then crowds registered and built."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from facetlake.build import run_build
from facetlake.crowds import service
from facetlake.crowds.engine import connect
from facetlake.crowds.registry import (
    get_definition,
    lookalike_definition,
    read_upload,
    rule_definition,
    save_definition,
    sync_repo_crowds,
    upload_definition,
)
from facetlake.generator import GeneratorConfig, generate_lake

from .truth import person_of_super_id, truth_identifiers

CONFIG = GeneratorConfig(persons=2000, days=7, seed=11, start=date(2026, 10, 1))
LOOKALIKE_SEGMENT = "baby"  # latent top_category of the lookalike seed
LOOKALIKE_SIZE = 300


@dataclass
class DomainLake:
    root: Path
    map_before_last_day: pd.DataFrame  # identity map after building days 1-6

    def query(self, sql: str) -> pd.DataFrame:
        con = duckdb.connect(str(self.root / "warehouse" / "facetlake.duckdb"), read_only=True)
        try:
            return con.execute(sql).fetchdf()
        finally:
            con.close()

    @property
    def truth(self) -> Path:
        return self.root / "truth"

    def identity_map(self) -> pd.DataFrame:
        return self.query("select id_type, id_value, super_id from marts.identity_map")

    def person_of_super_id(self) -> pd.DataFrame:
        return person_of_super_id(self.identity_map(), self.root)


def _write_uploads(root: Path) -> None:
    """Uploads made from planted truth: accounts of the lookalike segment, phone hashes with bad rows."""
    rng = np.random.default_rng(5)
    persons = pd.read_parquet(root / "truth" / "persons.parquet")
    ids = truth_identifiers(root)
    segment = set(persons.loc[persons["top_category"] == LOOKALIKE_SEGMENT, "person_id"])
    pins = ids[(ids["id_type"] == "user_pin") & ids["person_id"].isin(segment)]["id_value"].to_numpy()
    seed_pins = sorted(rng.choice(pins, size=len(pins) // 2, replace=False))
    folder = root / "uploads" / "segment_accounts"
    folder.mkdir(parents=True)
    pd.DataFrame({"user_pin": seed_pins}).to_csv(folder / "part-1.csv", index=False)
    phones = ids[ids["id_type"] == "phone_sha256"]["id_value"].to_numpy()
    picked = list(rng.choice(phones, size=300, replace=False))
    unknown = [f"{k:064x}" for k in range(40)]  # well-formed hashes nobody has
    folder = root / "uploads" / "phone_list"
    folder.mkdir(parents=True)
    rows = [p.upper() if i % 7 == 0 else p for i, p in enumerate(picked)] + unknown + ["not-a-hash", ""]
    pd.DataFrame({"phone_sha256": rows, "note": "x"}).to_csv(folder / "list.csv", index=False)


@pytest.fixture(scope="session")
def domain_lake(tmp_path_factory: pytest.TempPathFactory) -> DomainLake:
    root = tmp_path_factory.mktemp("domain_lake")
    generate_lake(root, CONFIG, progress=False)
    day6 = (CONFIG.start + timedelta(days=CONFIG.days - 2)).isoformat()
    run_build(root, engine="duckdb", dt_to=day6, quiet=True)
    con = duckdb.connect(str(root / "warehouse" / "facetlake.duckdb"), read_only=True)
    before = con.execute("select id_type, id_value, super_id from marts.identity_map").fetchdf()
    con.close()
    run_build(root, engine="duckdb", quiet=True)
    _write_uploads(root)
    engine = connect(root, write=True)
    try:
        sync_repo_crowds(engine, root)
        save_definition(engine, rule_definition("test_beauty_women", "gender = F and interest_beauty = high"))
        for name, upload_name in (("test_segment_seed", "segment_accounts"), ("test_phone_list", "phone_list")):
            upload = read_upload(root, upload_name)
            save_definition(engine, upload_definition(name, upload), upload.identifiers)
        seed = get_definition(engine, "test_segment_seed")
        save_definition(engine, lookalike_definition("test_segment_lookalike", seed, LOOKALIKE_SIZE))
    finally:
        engine.close()
    service.refresh(root)
    return DomainLake(root, before)


@pytest.fixture
def lake_copy(domain_lake: DomainLake, tmp_path: Path) -> Path:
    """A copy of the built lake a test may rebuild or change."""
    target = tmp_path / "lake"
    shutil.copytree(domain_lake.root, target, ignore=shutil.ignore_patterns("serving", "exports"))
    return target
