"""Crowds on a built lake: sizes, membership, uploads, profiles with TGI, lookalike, packages, CLI."""

from __future__ import annotations

import gzip
import hashlib
import json
import re

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from facetlake.cli import main
from facetlake.crowds.catalogue import load_catalogue
from facetlake.crowds.engine import connect
from facetlake.crowds.rules import BoolOp, Condition, Everyone, Not, parse_rule
from facetlake.crowds.service import crowd_size, export_crowd, random_rules

from .conftest import LOOKALIKE_SEGMENT, LOOKALIKE_SIZE

CATALOGUE = load_catalogue()
RULES = [
    "gender = F and interest_beauty = high",
    "age_band in (25-34, 35-44) and not cart_abandoner",
    "sharer or (reachable_by_sms and promotion_sensitivity = high)",
    "not dormant and interest_baby >= 0.3",
    "city_tier = tier_1 and not (gender = M or visit_recency = none)",
    "all",
]


def _evaluate(node, tall: pd.DataFrame, everyone: set[str]) -> set[str]:
    """The rule evaluated in Python over the tall tags: an independent check of the compiled SQL."""
    if isinstance(node, Everyone):
        return set(everyone)
    if isinstance(node, Not):
        return everyone - _evaluate(node.operand, tall, everyone)
    if isinstance(node, BoolOp):
        sets = [_evaluate(o, tall, everyone) for o in node.operands]
        return set.intersection(*sets) if node.op == "and" else set.union(*sets)
    assert isinstance(node, Condition)
    rows = tall[tall["tag_id"] == node.tag.tag_id]
    if node.op == "has":
        return set(rows["super_id"])
    if node.op == "=":
        return set(rows.loc[rows["tag_value"].isin(node.values), "super_id"])
    ops = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal}
    return set(rows.loc[ops[node.op](rows["tag_score"].astype(float), node.number).fillna(False), "super_id"])


def _raw_phone_digits(lake) -> set[str]:
    """The last 11 digits of every raw phone in the raw zone (CRM and message logs)."""
    digits: set[str] = set()
    for source in ("crm_members", "message_events"):
        for path in (lake / "raw" / source).rglob("*.jsonl*"):
            opener = gzip.open if path.suffix == ".gz" else open
            with opener(path, "rt", encoding="utf-8", errors="replace") as f:
                for line in f:
                    for phone in re.findall(r'"phone"\s*:\s*"([^"]*)"', line):
                        d = re.sub(r"\D", "", phone)
                        if len(d) >= 11:
                            digits.add(d[-11:])
    assert digits, "the raw zone has phones to look for"
    return digits


@pytest.fixture(scope="module")
def tall(domain_lake) -> pd.DataFrame:
    return domain_lake.query("select super_id, tag_id, tag_value, tag_score from marts.user_tags")


@pytest.fixture(scope="module")
def everyone(domain_lake) -> set[str]:
    return set(domain_lake.query("select super_id from marts.dim_persons")["super_id"])


@pytest.mark.parametrize("rule", RULES)
def test_crowd_size_equals_a_direct_count(domain_lake, tall, everyone, rule):
    engine = connect(domain_lake.root)
    try:
        result = crowd_size(engine, rule)
    finally:
        engine.close()
    expected = _evaluate(parse_rule(rule, CATALOGUE).tree, tall, everyone)
    assert result.size == len(expected)
    assert result.base == len(everyone)


def test_random_bench_rules_compile_and_count(domain_lake, tall, everyone):
    engine = connect(domain_lake.root)
    try:
        rules = random_rules(engine, 10, seed=3)
        sizes = [crowd_size(engine, r).size for r in rules]
    finally:
        engine.close()
    for rule, size in zip(rules, sizes, strict=True):
        assert size == len(_evaluate(parse_rule(rule, CATALOGUE).tree, tall, everyone)), rule


def test_membership_mart_holds_each_rule_crowd(domain_lake):
    crowds = domain_lake.query("select crowd_name, rule_text, crowd_size, status from marts.crowds")
    members = domain_lake.query("select crowd_name, count(*) as n from marts.crowd_members group by 1")
    rules = crowds[(crowds["status"] == "valid") & ~crowds["rule_text"].str.startswith(("upload", "lookalike"))]
    assert {"everyone", "test_beauty_women", "young_urban_women_beauty"} <= set(rules["crowd_name"])
    engine = connect(domain_lake.root)
    try:
        for row in rules.itertuples():
            size = crowd_size(engine, row.rule_text).size
            n = members.loc[members["crowd_name"] == row.crowd_name, "n"]
            assert size == row.crowd_size == (int(n.iat[0]) if len(n) else 0), row.crowd_name
    finally:
        engine.close()


def test_upload_crowd_match_rate(domain_lake):
    crowd = domain_lake.query("select * from marts.crowds where crowd_name = 'test_phone_list'").iloc[0]
    mapped = set(
        domain_lake.query("select id_value from marts.identity_map where id_type = 'phone_sha256'")["id_value"]
    )
    uploaded = pd.read_csv(domain_lake.root / "uploads" / "phone_list" / "list.csv", dtype=str)["phone_sha256"]
    valid = {v.lower() for v in uploaded.dropna() if re.match(r"^[0-9a-fA-F]{64}$", v)}
    assert crowd["upload_rows"] == len(uploaded)
    assert crowd["upload_invalid_rows"] == 2  # "not-a-hash" and a row with no phone hash
    assert crowd["uploaded_identifiers"] == len(valid)
    assert crowd["matched_identifiers"] == len(valid & mapped)
    assert crowd["match_rate"] == pytest.approx(len(valid & mapped) / len(valid))
    assert 0 < crowd["match_rate"] < 1


def test_tgi_of_the_whole_base_is_100_for_every_tag(domain_lake):
    profile = domain_lake.query("select * from marts.crowd_profiles where crowd_name = 'everyone'")
    values = domain_lake.query("select count(*) as n from marts.tag_value_distribution")["n"].iat[0]
    assert len(profile) == values  # one row per base, tag and value (unknown rows included)
    profile = profile[profile["base_name"] == "all"]
    known = profile[~profile["is_unknown"]]
    assert (known["tgi"] == 100).all()
    assert (known["crowd_share"] == known["base_share"]).all()
    assert (profile["crowd_share_all"] == profile["base_share_all"]).all()
    assert profile.loc[profile["is_unknown"], "tgi"].isna().all()


def test_profile_shares_and_tgi_are_consistent(domain_lake):
    p = domain_lake.query(
        "select * from marts.crowd_profiles where crowd_name = 'test_beauty_women' and base_name = 'all'"
    )
    assert (p["crowd_share_all"] * p["crowd_size"]).round().astype(int).equals(p["crowd_persons"].astype(int))
    known = p[~p["is_unknown"] & (p["crowd_known_persons"] > 0)]
    assert (
        (known["crowd_share"] * known["crowd_known_persons"])
        .round()
        .astype(int)
        .equals(known["crowd_persons"].astype(int))
    )
    assert np.allclose(known["tgi"], 100 * known["crowd_share"] / known["base_share"])
    # Every base value is a row, also those no member carries (TGI 0); only values enough members carry rank.
    values = domain_lake.query("select count(*) as n from marts.tag_value_distribution where base_name = 'all'")[
        "n"
    ].iat[0]
    assert len(p) == values and (p["tgi"] == 0).sum() == (known["crowd_persons"] == 0).sum() > 0
    gender_m = p[(p["tag_id"] == "gender") & (p["tag_value"] == "M")].iloc[0]
    assert gender_m["crowd_persons"] == 0 and gender_m["tgi"] == 0 and pd.isna(gender_m["tgi_rank"])
    ranked = p[p["tgi_rank"].notna()]
    assert len(ranked) > 0 and (ranked["crowd_persons"] >= 30).all()
    assert (ranked["is_reliable"]).all() and not p.loc[p["tgi_rank"].isna(), "is_reliable"].any()
    assert sorted(ranked["tgi_rank"].astype(int)) == list(range(1, len(ranked) + 1))
    top = ranked.sort_values("tgi_rank").iloc[0]
    assert top["tgi"] == ranked["tgi"].max()
    beauty = p[(p["tag_id"] == "interest_beauty") & (p["tag_value"] == "high")].iloc[0]
    # Selected on it: known for every member, so its TGI is 1 / the share among base persons with it known.
    assert beauty["crowd_share"] == 1.0 and beauty["crowd_coverage"] == 1.0
    assert beauty["tgi"] == pytest.approx(100 / beauty["base_share"]) and beauty["tgi"] > 200


def test_lookalike_holds_more_of_the_seed_segment_than_random(domain_lake):
    persons = pd.read_parquet(domain_lake.truth / "persons.parquet")
    in_segment = set(persons.loc[persons["top_category"] == LOOKALIKE_SEGMENT, "person_id"])
    owner = domain_lake.person_of_super_id().set_index("super_id")["person_id"]
    members = domain_lake.query(
        "select super_id, similarity_rank from marts.crowd_members where crowd_name = 'test_segment_lookalike'"
    )
    seed = set(
        domain_lake.query("select super_id from marts.crowd_members where crowd_name = 'test_segment_seed'")["super_id"]
    )
    assert len(members) == LOOKALIKE_SIZE
    assert not seed & set(members["super_id"])

    def segment_rate(super_ids) -> float:
        owners = owner.reindex(list(super_ids)).dropna()
        return float(owners.isin(in_segment).mean())

    candidates = sorted(set(owner.index) - seed)
    rng = np.random.default_rng(1)
    random_rates = [segment_rate(rng.choice(candidates, LOOKALIKE_SIZE, replace=False)) for _ in range(20)]
    lookalike_rate = segment_rate(members["super_id"])
    print(
        f"\nlookalike segment rate {lookalike_rate:.3f}, random {np.mean(random_rates):.3f} "
        f"(max of 20 random crowds {max(random_rates):.3f})"
    )
    assert lookalike_rate > max(random_rates)
    assert lookalike_rate >= 2 * np.mean(random_rates)  # observed: about 3x


def test_exports_carry_hashes_only_and_are_idempotent(domain_lake):
    root = domain_lake.root
    first = {ch: export_crowd(root, "test_beauty_women", ch) for ch in ("sms", "dsp")}
    for channel, result in first.items():
        assert not result.unchanged
        content = result.file.read_bytes()
        manifest = json.loads(result.manifest.read_text())
        assert manifest["sha256"] == hashlib.sha256(content).hexdigest() == result.checksum
        assert manifest["rule"] == "gender = F and interest_beauty = high"
        assert manifest["identifiers"] == result.identifiers > 0 and manifest["created_at"]
        lines = content.decode().splitlines()
        assert lines[0] == ("phone_sha256" if channel == "sms" else "device_id")
        assert len(lines) - 1 == result.identifiers == len(set(lines[1:]))
        assert not _raw_phone_digits(domain_lake.root) & set(re.findall(r"\d{11}", content.decode()))
        if channel == "sms":
            assert all(re.match(r"^[0-9a-f]{64}$", v) for v in lines[1:])
        else:
            # Real device ids only: never a lab device (shared) nor a pseudonym staging gave a device id that
            # embedded personal data (sha256:<hash>: no DSP can match it).
            assert all(v.startswith("dev-") and not v.startswith("dev-lab-") for v in lines[1:])
    members = domain_lake.query(
        "select m.id_value from marts.crowd_members c join marts.identity_map m on c.super_id = m.super_id "
        "where c.crowd_name = 'test_beauty_women' and m.id_type = 'phone_sha256'"
    )
    assert set(first["sms"].file.read_text().splitlines()[1:]) <= set(members["id_value"])
    mtimes = {ch: (r.file.stat().st_mtime_ns, r.manifest.stat().st_mtime_ns) for ch, r in first.items()}
    for channel in ("sms", "dsp"):
        again = export_crowd(root, "test_beauty_women", channel)
        assert again.unchanged and again.checksum == first[channel].checksum
        assert (again.file.stat().st_mtime_ns, again.manifest.stat().st_mtime_ns) == mtimes[channel]


def test_cli_size_profile_and_errors(domain_lake):
    runner = CliRunner()
    lake = str(domain_lake.root)
    ok = runner.invoke(main, ["crowd", "size", "gender = F and sharer", "--lake", lake])
    assert ok.exit_code == 0, ok.output
    assert re.match(r"^[\d,]+ persons \(", ok.output)
    bad = runner.invoke(main, ["crowd", "size", "gender = F and gendr = M", "--lake", lake])
    assert bad.exit_code == 1 and "unknown tag 'gendr'" in bad.output
    profile = runner.invoke(main, ["crowd", "profile", "test_beauty_women", "--top", "5", "--lake", lake])
    assert profile.exit_code == 0, profile.output
    assert "tgi" in profile.output and "crowd_coverage" in profile.output
    for base in ("known", "crowd:everyone"):
        against = ["crowd", "profile", "test_beauty_women", "--tag", "interest_beauty", "--base", base]
        profile = runner.invoke(main, [*against, "--lake", lake])
        assert profile.exit_code == 0, profile.output
        assert f"base {base}: " in profile.output and "interest_beauty" in profile.output
    bad_base = runner.invoke(main, ["crowd", "profile", "test_beauty_women", "--base", "brand:NOPE", "--lake", lake])
    assert bad_base.exit_code == 1 and "No profile base 'brand:NOPE'" in bad_base.output
    missing = runner.invoke(main, ["crowd", "profile", "no_such_crowd", "--lake", lake])
    assert missing.exit_code == 1 and "No crowd named 'no_such_crowd'" in missing.output
    tags = runner.invoke(main, ["crowd", "tags", "--family", "social"])
    assert tags.exit_code == 0 and "sharer" in tags.output


def test_cli_create_registers_and_rejects_bad_rules(domain_lake, lake_copy):
    runner = CliRunner()
    lake = str(lake_copy)
    made = runner.invoke(
        main, ["crowd", "create", "night_sharers", "--rule", "night_owl and sharer", "--no-refresh", "--lake", lake]
    )
    assert made.exit_code == 0, made.output
    again = runner.invoke(
        main, ["crowd", "create", "night_sharers", "--rule", "night_owl", "--no-refresh", "--lake", lake]
    )
    assert again.exit_code == 1 and "--replace" in again.output
    bad = runner.invoke(main, ["crowd", "create", "broken", "--rule", "night_owl and (", "--lake", lake])
    assert bad.exit_code == 1 and "the rule ends where a tag was expected" in bad.output
    repo = runner.invoke(main, ["crowd", "create", "everyone", "--rule", "sharer", "--replace", "--lake", lake])
    assert repo.exit_code == 1 and "crowds/" in repo.output
