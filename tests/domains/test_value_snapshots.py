"""The member snapshot (snapshots/crm_member_history, SCD2) and its tier-change mart against planted truth.

The generator plants tier moves on re-delivered memberships (truth/member_tier_changes.parquet). A lake without
line faults is built in two loads, as two daily builds would see it: the days before SPLIT_DAY, then the rest.
The snapshot then holds, per membership, the version of the first build and, when a line arrived later, the
latest of those lines: a membership whose tier moved gains exactly one version, with the tiers the truth gives
at the two builds; fct_member_tier_changes counts the upgrades and downgrades the truth implies per brand and
month; and a rerun with nothing new changes nothing.
"""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest

from facetlake.build import run_build
from facetlake.generator import GeneratorConfig, generate_lake
from facetlake.generator.reference import MEMBER_TIERS
from facetlake.generator.writer import Rates
from facetlake.paths import RAW_SOURCES
from facetlake.warehouse import query_df

CONFIG = GeneratorConfig(
    persons=3000, days=50, seed=8, start=date(2026, 8, 1), rates=Rates(malformed=0.0, duplicate=0.0, late=0.0)
)
# Lines from this day on arrive in the second load (2026-09-10: every later version falls in September).
SPLIT_DAY = 40
SELECT = "+fct_member_tier_changes"


def _history(lake: Path) -> pd.DataFrame:
    frame = query_df(lake, "select * from snapshots.crm_member_history")
    return frame.sort_values(["member_key", "dbt_valid_from"]).reset_index(drop=True)


@pytest.fixture(scope="module")
def two_loads(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    lake = tmp_path_factory.mktemp("member_history") / "lake"
    generate_lake(lake, CONFIG, progress=False)
    held = lake.parent / "held"
    later = [(CONFIG.start + timedelta(days=d)).isoformat() for d in range(SPLIT_DAY, CONFIG.days)]
    for source in RAW_SOURCES:
        for dt in later:
            folder = lake / "raw" / source / f"dt={dt}"
            if folder.exists():
                (held / source).mkdir(parents=True, exist_ok=True)
                shutil.move(str(folder), str(held / source / folder.name))
    run_build(lake, select=SELECT, quiet=True)
    first = _history(lake)
    for source_dir in held.iterdir():
        for folder in source_dir.iterdir():
            shutil.move(str(folder), str(lake / "raw" / source_dir.name / folder.name))
    run_build(lake, select=SELECT, quiet=True)
    second = _history(lake)
    run_build(lake, select=SELECT, quiet=True)  # nothing new
    return {"lake": lake, "first": first, "second": second, "rerun": _history(lake)}


def _tiers_at(members: pd.DataFrame, changes: pd.DataFrame, before_day: int) -> pd.Series:
    """Each membership's tier after the planted changes on days before `before_day`."""
    tiers = members.set_index(["brand_id", "member_id"])["tier"].copy()
    for row in changes[changes["day"] < before_day].sort_values("day").itertuples():
        tiers[(row.brand_id, row.member_id)] = row.to_tier
    return tiers


def test_a_rerun_with_nothing_new_changes_nothing(two_loads: dict[str, object]) -> None:
    pd.testing.assert_frame_equal(two_loads["rerun"], two_loads["second"])


def test_a_changed_tier_adds_exactly_one_version(two_loads: dict[str, object]) -> None:
    lake: Path = two_loads["lake"]
    members = pd.read_parquet(lake / "truth" / "crm_members.parquet")
    changes = pd.read_parquet(lake / "truth" / "member_tier_changes.parquet")
    first, second = two_loads["first"], two_loads["second"]
    # the first build keeps one version per membership, with the tier the truth gives before SPLIT_DAY
    assert not first["member_key"].duplicated().any()
    at_split = _tiers_at(members, changes, SPLIT_DAY)
    got = first.set_index(["brand_id", "member_id"])["tier"]
    assert (got == at_split.reindex(got.index)).all()
    # a membership with a planted move after the split: exactly one new version, holding the final tier
    moved = changes[changes["day"] >= SPLIT_DAY][["brand_id", "member_id"]].drop_duplicates()
    moved = moved[moved.set_index(["brand_id", "member_id"]).index.isin(got.index)]
    assert len(moved) >= 10, f"only {len(moved)} planted moves after the split: the test says little"
    final = _tiers_at(members, changes, CONFIG.days)
    versions = second.groupby(["brand_id", "member_id"])["tier"].agg(list)
    for key in moved.itertuples(index=False):
        assert versions[tuple(key)] == [at_split[tuple(key)], final[tuple(key)]], key
    # the first build's versions are all kept (closed where a newer one arrived)
    assert set(first["dbt_scd_id"]) <= set(second["dbt_scd_id"])


def test_tier_change_mart_counts_the_planted_moves(two_loads: dict[str, object]) -> None:
    lake: Path = two_loads["lake"]
    members = pd.read_parquet(lake / "truth" / "crm_members.parquet")
    changes = pd.read_parquet(lake / "truth" / "member_tier_changes.parquet")
    level = {tier: k for k, tier in enumerate(MEMBER_TIERS)}
    joined = members[members["join_day"] < SPLIT_DAY].set_index(["brand_id", "member_id"]).index
    at_split = _tiers_at(members, changes, SPLIT_DAY).reindex(joined)
    final = _tiers_at(members, changes, CONFIG.days).reindex(joined)
    step = final.map(level) - at_split.map(level)
    expected = pd.DataFrame({"upgrades": step > 0, "downgrades": step < 0}).groupby(level="brand_id").sum().astype(int)
    mart = query_df(lake, "select * from marts.fct_member_tier_changes")
    september = mart[pd.to_datetime(mart["change_month"]) == pd.Timestamp("2026-09-01")].set_index("brand_id")
    august = mart[pd.to_datetime(mart["change_month"]) < pd.Timestamp("2026-09-01")]
    assert (august[["upgrades", "downgrades"]] == 0).all().all()  # the first build: new memberships only
    got = september[["upgrades", "downgrades"]].reindex(expected.index, fill_value=0).astype(int)
    pd.testing.assert_frame_equal(got, expected, check_names=False)
    assert expected["upgrades"].sum() > 0 and expected["downgrades"].sum() > 0
    print(f"\nplanted net moves after the split: {expected.sum().to_dict()}")
