"""TGI as marketers compute it, held against a direct pandas computation on the built 2,000-person lake.

For each tag, crowd and base shares are taken over the persons whose value for the tag is known; 'unknown' is
a row of its own with its share of all persons; TGI = crowd share / base share x 100. Every row of
crowd_profiles (every crowd, every stored base: all, known, brand:<brand_id>) and of tag_value_distribution
must equal the same numbers computed here from marts.user_tags, marts.crowd_members and the bases, which are
derived independently (known persons from identity_map, brand customers from staging order lines). Crowd
versus crowd (computed on demand by the CLI) is held against the same computation. Also: persons and
anonymous ids add up to the base, and crowd sizes add up.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from facetlake.crowds.engine import connect
from facetlake.crowds.service import PERSON_KINDS, export_crowd, profile

KEYS = ["tag_id", "tag_value"]
COUNTS = ["crowd_size", "crowd_known_persons", "crowd_persons", "base_size", "base_known_persons", "base_persons"]
RATIOS = ["crowd_coverage", "crowd_share", "crowd_share_all", "base_coverage", "base_share", "base_share_all", "tgi"]


def _side(tall: pd.DataFrame, values: pd.DataFrame, members: set[str], prefix: str) -> pd.DataFrame:
    """One side (crowd or base) of a profile: per value of the whole base's list and per tag's unknown row,
    persons, persons with the tag known, and the shares."""
    size = len(members)
    counted = tall[tall["super_id"].isin(members)].groupby(KEYS).size().rename("persons").reset_index()
    known = counted.groupby("tag_id")["persons"].sum().rename("known")
    side = values.merge(counted, on=KEYS, how="left").fillna({"persons": 0})
    side["known"] = side["tag_id"].map(known).fillna(0)
    unknown = side["is_unknown"]
    side.loc[unknown, "persons"] = size - side.loc[unknown, "known"]
    side[f"{prefix}_size"] = size
    side[f"{prefix}_known_persons"] = side["known"]
    side[f"{prefix}_persons"] = side["persons"]
    side[f"{prefix}_coverage"] = side["known"] / size
    side[f"{prefix}_share"] = np.where(
        unknown | (side["known"] == 0), np.nan, side["persons"] / side["known"].where(side["known"] > 0)
    )
    side[f"{prefix}_share_all"] = side["persons"] / size
    return side.drop(columns=["persons", "known"])


def _expected(tall: pd.DataFrame, values: pd.DataFrame, crowd: set[str], base: set[str]) -> pd.DataFrame:
    p = _side(tall, values, crowd, "crowd").merge(_side(tall, values, base, "base").drop(columns="is_unknown"), on=KEYS)
    defined = ~p["is_unknown"] & (p["crowd_known_persons"] > 0) & (p["base_persons"] > 0)
    p["tgi"] = np.where(defined, 100 * p["crowd_share"] / p["base_share"].where(defined), np.nan)
    return p


def _assert_equal(actual: pd.DataFrame, expected: pd.DataFrame, label: str) -> None:
    assert len(actual) == len(expected), label
    merged = actual.merge(expected, on=KEYS, suffixes=("", "_expected"), validate="one_to_one")
    assert len(merged) == len(expected), label
    for column in COUNTS:
        assert (merged[column].astype(float) == merged[f"{column}_expected"].astype(float)).all(), (label, column)
    for column in RATIOS:
        got, want = merged[column].astype(float), merged[f"{column}_expected"].astype(float)
        assert np.allclose(got, want, rtol=1e-9, atol=1e-12, equal_nan=True), (label, column)


@pytest.fixture(scope="module")
def truth(domain_lake):
    q = domain_lake.query
    tall = q("select super_id, tag_id, tag_value from marts.user_tags")
    values = q("select distinct tag_id, tag_value from marts.user_tags").assign(is_unknown=False)
    unknown = values[["tag_id"]].drop_duplicates().assign(tag_value="unknown", is_unknown=True)
    values = pd.concat([values, unknown], ignore_index=True)
    identifiers = q("select super_id, id_type from marts.identity_map")
    kinds = identifiers.pivot_table(index="super_id", columns="id_type", aggfunc="size", fill_value=0)
    kinds = kinds.reindex(
        columns=["user_pin", "member_id", "phone_sha256", "email_sha256", "device_id", "union_id"], fill_value=0
    )
    accounts = kinds["user_pin"] + kinds["member_id"] > 0
    hashes = kinds["phone_sha256"] + kinds["email_sha256"] > 0
    linked = kinds["device_id"] + kinds["union_id"] > 0
    known = set(kinds.index[accounts | (hashes & linked)])
    # Brand customers straight from staging: a paid order line of the brand in the purchase window.
    customers = q(
        "select distinct p.brand_id, m.super_id from staging.stg_raw__order_lines o "
        "join marts.identity_map m on m.id_type = 'user_pin' and o.user_pin = m.id_value "
        "join marts.dim_products p on o.sku_id = p.sku_id "
        "cross join marts.tag_windows w "
        "where o.status = 'paid' and o.order_date between w.purchase_window_start and w.as_of_date"
    )
    bases = {"all": set(kinds.index), "known": known}
    for brand_id, rows in customers.groupby("brand_id"):
        bases[f"brand:{brand_id}"] = set(rows["super_id"])
    members = q("select crowd_name, super_id from marts.crowd_members")
    crowds = {name: set(rows["super_id"]) for name, rows in members.groupby("crowd_name")}
    return tall, values, bases, crowds


def test_every_profile_row_equals_a_direct_computation_for_every_stored_base(domain_lake, truth):
    tall, values, bases, crowds = truth
    profiles = domain_lake.query("select * from marts.crowd_profiles")
    assert set(profiles["base_name"]) == set(bases), "bases all, known and one per brand with paying customers"
    assert len(bases) > 3 and set(profiles["crowd_name"]) == set(crowds)
    for (crowd_name, base_name), actual in profiles.groupby(["crowd_name", "base_name"]):
        expected = _expected(tall, values, crowds[crowd_name], bases[base_name])
        _assert_equal(actual, expected, f"{crowd_name} vs {base_name}")
        assert (actual["base_kind"] == base_name.split(":")[0]).all()


def test_base_side_equals_a_direct_computation(domain_lake, truth):
    tall, values, bases, _ = truth
    distribution = domain_lake.query("select * from marts.tag_value_distribution")
    assert set(distribution["base_name"]) == set(bases)
    for base_name, actual in distribution.groupby("base_name"):
        side = _side(tall, values, bases[base_name], "base")
        actual = actual.rename(columns={"persons": "base_persons", "known_persons": "base_known_persons"})
        merged = actual.merge(side, on=KEYS, suffixes=("", "_expected"), validate="one_to_one")
        assert len(merged) == len(actual) == len(values), base_name
        for column in ["base_size", "base_known_persons", "base_persons"]:
            assert (merged[column] == merged[f"{column}_expected"]).all(), (base_name, column)
        for column in ["base_coverage", "base_share", "base_share_all"]:
            assert np.allclose(merged[column], merged[f"{column}_expected"], equal_nan=True), (base_name, column)


def test_shares_of_one_tag_sum_to_one_with_unknown_included(domain_lake):
    p = domain_lake.query("select * from marts.crowd_profiles")
    per_tag = p.groupby(["crowd_name", "base_name", "tag_id"])
    assert np.allclose(per_tag["crowd_share_all"].sum(), 1.0)
    assert np.allclose(per_tag["base_share_all"].sum(), 1.0)
    # Over the known values alone the shares sum to 1 too, where any member or base person has a value.
    known = p[~p["is_unknown"]].groupby(["crowd_name", "base_name", "tag_id"])
    crowd_sums = known["crowd_share"].sum(min_count=1).dropna()
    base_sums = known["base_share"].sum(min_count=1).dropna()
    assert len(crowd_sums) and np.allclose(crowd_sums, 1.0)
    assert len(base_sums) and np.allclose(base_sums, 1.0)


def test_a_crowd_selected_on_a_tag_is_not_inflated_by_its_coverage(domain_lake):
    """The issue's case: a crowd selected on age band has it known for every member; its TGI on that value is
    1 / the base's share among those whose age band is known, not 1 / the share of every super_id."""
    row = domain_lake.query(
        "select * from marts.crowd_profiles where crowd_name = 'young_urban_women_beauty' "
        "and base_name = 'all' and tag_id = 'age_band' and tag_value = '25-34'"
    ).iloc[0]
    assert row["crowd_coverage"] == 1.0 and row["crowd_share"] == 1.0
    assert row["base_coverage"] < 1
    assert row["tgi"] == pytest.approx(100 / row["base_share"])
    old = 100 * row["crowd_share_all"] / row["base_share_all"]  # the former formula, over every super_id
    assert row["tgi"] == pytest.approx(old * row["base_coverage"])


def test_crowd_versus_crowd_on_demand_equals_a_direct_computation(domain_lake, truth):
    tall, values, bases, crowds = truth
    engine = connect(domain_lake.root)
    try:
        for name in sorted(crowds):
            for other in ("test_beauty_women", "everyone"):
                actual = profile(engine, name, top=None, min_persons=0, base=f"crowd:{other}")
                _assert_equal(actual, _expected(tall, values, crowds[name], crowds[other]), f"{name} vs {other}")
        # The crowd `everyone` is every super_id: as a base it gives the stored base `all`, row for row.
        versus_everyone = profile(engine, "test_beauty_women", top=None, min_persons=0, base="crowd:everyone")
        versus_all = profile(engine, "test_beauty_women", top=None, min_persons=0, base="all")
    finally:
        engine.close()
    assert crowds["everyone"] == bases["all"]
    pd.testing.assert_frame_equal(versus_everyone, versus_all, check_dtype=False)
    ranked = versus_all[versus_all["is_reliable"]]
    assert len(ranked) and (ranked["crowd_persons"] >= 30).all() and ranked["tgi"].notna().all()


def test_known_persons_and_anonymous_ids_add_up_to_the_base(domain_lake, truth):
    _, _, bases, crowds = truth
    persons = domain_lake.query("select super_id, person_kind, is_known_person from marts.dim_persons")
    assert set(persons["person_kind"]) <= set(PERSON_KINDS)
    assert (persons["is_known_person"] == (persons["person_kind"] == "known_person")).all()
    assert set(persons.loc[persons["is_known_person"], "super_id"]) == bases["known"]
    counts = persons["person_kind"].value_counts()
    print(f"\nbase {len(persons):,} super_ids: {counts.to_dict()}")
    assert counts.sum() == len(persons) and counts["known_person"] > 0 and counts.drop("known_person").sum() > 0

    sizes = domain_lake.query("select * from marts.crowds")
    for row in sizes.itertuples():
        assert row.base_known_persons + row.base_anonymous == row.base_persons == len(persons)
        assert row.base_known_persons == counts["known_person"]
        members = crowds.get(row.crowd_name, set())
        assert row.crowd_size == len(members)
        assert row.crowd_size_known_persons == len(members & bases["known"])
        assert row.crowd_size_known_persons + row.crowd_size_anonymous == row.crowd_size


def test_export_manifest_states_which_kinds_it_reaches(domain_lake):
    result = export_crowd(domain_lake.root, "test_segment_seed", "dsp")
    manifest = json.loads(result.manifest.read_text())
    by_kind = manifest["reachable_persons_by_kind"]
    assert set(by_kind) == set(PERSON_KINDS) and by_kind == result.persons_by_kind
    assert sum(by_kind.values()) == manifest["reachable_persons"] == result.persons > 0
    kinds = domain_lake.query(
        "select p.person_kind, count(distinct d.super_id) as n from marts.crowd_deliverable_identifiers d "
        "join marts.dim_persons p on d.super_id = p.super_id "
        "where d.crowd_name = 'test_segment_seed' and d.channel = 'dsp' group by p.person_kind"
    )
    assert {k: v for k, v in by_kind.items() if v} == dict(zip(kinds["person_kind"], kinds["n"], strict=True))
    assert manifest["crowd_size_known_persons"] + manifest["crowd_size_anonymous"] == manifest["crowd_size"]
