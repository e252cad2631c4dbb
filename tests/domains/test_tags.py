"""Tag catalogue, tall and wide user tags, coverage, and demographic inference against the truth."""

from __future__ import annotations

import csv
import re
import shutil

import duckdb
import pandas as pd

from facetlake import paths
from facetlake.crowds.catalogue import FAMILIES, catalogue_path
from facetlake.dbt_runner import run_dbt


def _catalogue() -> list[dict]:
    with open(catalogue_path(), newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_catalogue_has_100_governed_tags_in_six_families():
    rows = _catalogue()
    assert len(rows) >= 100
    assert {r["family"] for r in rows} == set(FAMILIES)
    for r in rows:
        assert re.match(r"^[a-z][a-z0-9_]*$", r["tag_id"]) and not r["tag_id"].endswith("_score"), r["tag_id"]
        for column in (
            "family",
            "tag_name",
            "definition",
            "value_kind",
            "feature_model",
            "source_models",
            "refresh_cadence",
            "owner",
        ):
            assert r[column].strip(), f"{r['tag_id']} lacks {column}"
    assert len({r["tag_id"] for r in rows}) == len(rows)


def test_tall_and_wide_tags_follow_the_catalogue(domain_lake):
    tag_ids = {r["tag_id"] for r in _catalogue()}
    scored = {r["tag_id"] for r in _catalogue() if r["score_sql"].strip()}
    wide = domain_lake.query("select * from marts.user_tags_wide")
    assert set(wide.columns) == {"super_id", "as_of_date", "tag_count"} | tag_ids | {f"{t}_score" for t in scored}
    persons = domain_lake.query("select count(*) as n from marts.dim_persons")["n"].iat[0]
    assert len(wide) == persons == wide["super_id"].nunique()
    tall = domain_lake.query("select super_id, tag_id, tag_value from marts.user_tags")
    assert set(tall["tag_id"]) <= tag_ids
    assert len(set(tall["tag_id"])) >= 100, "most tags are carried by someone"
    # The wide table is the tall one pivoted: every (person, tag, value) agrees.
    melted = wide.melt(id_vars="super_id", value_vars=sorted(tag_ids), var_name="tag_id", value_name="tag_value")
    melted = melted.dropna(subset=["tag_value"])
    assert len(melted) == len(tall)
    merged = tall.merge(melted, on=["super_id", "tag_id"], suffixes=("", "_wide"))
    assert (merged["tag_value"] == merged["tag_value_wide"]).all()


def test_daily_coverage_has_every_tag(domain_lake):
    coverage = domain_lake.query("select * from marts.tag_coverage_daily")
    latest = coverage[coverage["as_of_date"] == coverage["as_of_date"].max()]
    assert set(latest["tag_id"]) == {r["tag_id"] for r in _catalogue()}
    tall = domain_lake.query("select tag_id, count(*) as n from marts.user_tags group by 1")
    merged = latest.merge(tall, on="tag_id", how="left").fillna({"n": 0})
    assert (merged["tagged_persons"] == merged["n"]).all()
    assert ((merged["coverage"] - merged["tagged_persons"] / merged["base_persons"]).abs() < 1e-12).all()


def _demographics(lake) -> pd.DataFrame:
    inferred = lake.query("select * from intermediate.int_person_demographics_inferred")
    persons = pd.read_parquet(lake.truth / "persons.parquet")[["person_id", "gender", "age_band"]]
    return inferred.merge(lake.person_of_super_id(), on="super_id").merge(
        persons, on="person_id", suffixes=("", "_true")
    )


def test_gender_accuracy_against_truth(domain_lake):
    d = _demographics(domain_lake)
    baseline = d["gender_true"].value_counts(normalize=True).max()
    declared = d[d["gender_source"] == "declared"]
    inferred = d[d["gender_source"] == "inferred"]
    tagged = d[d["gender"].notna()]
    accuracy = {
        "declared": (declared["gender"] == declared["gender_true"]).mean(),
        "inferred": (inferred["gender"] == inferred["gender_true"]).mean(),
        "all": (tagged["gender"] == tagged["gender_true"]).mean(),
    }
    print(f"\ngender accuracy {accuracy}, majority baseline {baseline:.3f}, tagged {len(tagged)} of {len(d)}")
    assert accuracy["declared"] >= 0.98
    assert accuracy["inferred"] >= baseline + 0.08
    assert accuracy["all"] >= baseline + 0.2
    confident = inferred[inferred["gender_confidence"] >= 0.8]
    unsure = inferred[inferred["gender_confidence"] < 0.7]
    assert (confident["gender"] == confident["gender_true"]).mean() > (unsure["gender"] == unsure["gender_true"]).mean()


def test_age_band_accuracy_against_truth(domain_lake):
    d = _demographics(domain_lake)
    baseline = d["age_band_true"].value_counts(normalize=True).max()
    declared = d[d["age_band_source"] == "declared"]
    tagged = d[d["age_band"].notna()]
    accuracy_declared = (declared["age_band"] == declared["age_band_true"]).mean()
    accuracy_all = (tagged["age_band"] == tagged["age_band_true"]).mean()
    print(f"\nage band accuracy declared {accuracy_declared:.3f}, all {accuracy_all:.3f}, baseline {baseline:.3f}")
    assert accuracy_declared >= 0.95
    assert accuracy_all >= baseline + 0.1


def test_adding_a_catalogue_row_adds_the_tag_to_tall_and_wide(domain_lake, lake_copy, tmp_path, monkeypatch):
    project = tmp_path / "project"
    source = paths.project_dir()
    keep = ["dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "snapshots", "analyses", "tests"]
    project.mkdir()
    for name in keep:
        src = source / name
        if src.is_dir():
            shutil.copytree(src, project / name, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
        elif src.exists():
            shutil.copy(src, project / name)
    with open(project / "seeds" / "tag_catalogue.csv", "a", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerow(
            [
                "heavy_searcher",
                "behaviour",
                "Heavy searcher",
                "Five or more searches.",
                "flag",
                "",
                "int_person_behaviour_aggregated",
                "",
                "searches >= 5",
                "",
                "stg_raw__app_events",
                "daily",
                "test",
            ]
        )
    monkeypatch.setenv("FACETLAKE_PROJECT_DIR", str(project))
    run_dbt(lake_copy, ["build", "--select", "tag_catalogue user_tags user_tags_wide"], quiet=True)
    con = duckdb.connect(str(lake_copy / "warehouse" / "facetlake.duckdb"), read_only=True)
    try:
        tall = con.execute("select count(*) from marts.user_tags where tag_id = 'heavy_searcher'").fetchone()[0]
        wide = con.execute("select count(heavy_searcher) from marts.user_tags_wide").fetchone()[0]
        expected = con.execute(
            "select count(*) from intermediate.int_person_behaviour_aggregated where searches >= 5"
        ).fetchone()[0]
    finally:
        con.close()
    assert tall == wide == expected > 0
