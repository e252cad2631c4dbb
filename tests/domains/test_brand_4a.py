"""4A on the built 2,000-person lake: each person's stage on each day is the 4A rule applied to the signals,
stage counts reconcile with the base, flows with the stage counts, and buying puts a person in act or advocate.

The stages are kept as spells (fct_brand_4a_person_stage_spells); a pandas recomputation from the per-person
daily signals, day by day with the windows and thresholds of dbt_project.yml, gives the same stage for every
person, brand and day. Every super_id of dim_persons is in exactly one stage ('none' included) per brand and
day; the flow matrix from each earlier day to the latest has rows summing to the stage counts of the earlier
day and columns to those of the latest. A person with a paid order of the brand within the act window (read
from staging, not from the 4A models) is in act or advocate, and a person in act has such an order.
"""

from __future__ import annotations

import pandas as pd
import yaml

from facetlake import paths

STAGES = ["none", "aware", "appeal", "act", "advocate"]
VARS = yaml.safe_load((paths.project_dir() / "dbt_project.yml").read_text())["vars"]
ACT_WINDOW_DAYS = VARS["brand_4a_act_window_days"]
PAIR = ["super_id", "brand_id"]


def _stage_days(domain_lake) -> pd.DataFrame:
    """The spells as a row per day (super_id, brand_id, stage_date, stage)."""
    spells = domain_lake.query(
        "select super_id, brand_id, stage, valid_from, valid_to from marts.fct_brand_4a_person_stage_spells"
    )
    spells["stage_date"] = [
        list(pd.date_range(first, last)) for first, last in zip(spells["valid_from"], spells["valid_to"], strict=True)
    ]
    days = spells.explode("stage_date")[["super_id", "brand_id", "stage_date", "stage"]].reset_index(drop=True)
    days["stage_date"] = pd.to_datetime(days["stage_date"]).astype("datetime64[us]")
    return days


def _stages_recomputed(signals: pd.DataFrame) -> pd.DataFrame:
    """Each person's stage with each brand on each day from the first to the last signal day, by the 4A rule
    applied to the signals of the windows ending on the day (no spells, no running totals)."""
    signal_day = pd.to_datetime(signals["signal_date"])
    days = []
    for day in pd.date_range(signal_day.min(), signal_day.max()):
        age = (day - signal_day).dt.days
        sums = {
            stage: signals[(age >= 0) & (age < VARS[f"brand_4a_{stage}_window_days"])]
            .groupby(PAIR)
            .sum(numeric_only=True)
            for stage in ["aware", "appeal", "act", "advocate"]
        }
        aware, appeal, act, advocate = sums["aware"], sums["appeal"], sums["act"], sums["advocate"]
        rules = {
            "aware": (aware["exposures"] + aware["product_views"]) > 0,
            "appeal": (appeal["appeal_actions"] > 0) | (appeal["product_views"] >= VARS["brand_4a_appeal_min_views"]),
            "act": act["paid_orders"] > 0,
            "advocate": (advocate["paid_orders"] >= VARS["brand_4a_advocate_min_orders"])
            | (advocate["product_shares"] > 0)
            | (advocate["points_movements"] > 0),
        }
        pairs = aware.index.union(appeal.index).union(act.index).union(advocate.index)
        stage = pd.Series(None, index=pairs, dtype=object)
        for name in reversed(VARS["brand_4a_precedence"]):  # the first in precedence is written last and wins
            stage[rules[name].reindex(pairs, fill_value=False)] = name
        staged = stage.dropna().rename("stage").reset_index()
        staged["stage_date"] = day
        days.append(staged)
    stages = pd.concat(days)[["super_id", "brand_id", "stage_date", "stage"]]
    stages["stage_date"] = stages["stage_date"].astype("datetime64[us]")
    return stages


def test_each_days_stage_is_the_4a_rule_applied_to_the_signals(domain_lake) -> None:
    signals = domain_lake.query("select * from intermediate.int_brand_person_days_signalled")
    key = ["super_id", "brand_id", "stage_date"]
    expected = _stages_recomputed(signals).sort_values(key).reset_index(drop=True)
    actual = _stage_days(domain_lake).sort_values(key).reset_index(drop=True)
    spells = len(domain_lake.query("select 1 from marts.fct_brand_4a_person_stage_spells"))
    print(f"\n{len(actual)} person-brand-days kept as {spells} spells")
    assert len(expected) > 1000 and set(expected["stage"]) == {"aware", "appeal", "act", "advocate"}
    # Some pairs change stage within the lake, so the spells are not one per pair.
    assert actual.groupby(PAIR)["stage"].nunique().max() > 1
    pd.testing.assert_frame_equal(actual, expected, check_dtype=False)


def test_every_person_is_in_exactly_one_stage_per_brand_and_day(domain_lake) -> None:
    base = int(domain_lake.query("select count(*) as n from marts.dim_persons")["n"].iat[0])
    daily = domain_lake.query("select brand_id, stage_date, stage, persons, base_persons from marts.fct_brand_4a_daily")
    assert not daily.empty and (daily["base_persons"] == base).all()
    assert (daily["persons"] >= 0).all()
    per_day = daily.groupby(["brand_id", "stage_date"])
    assert (per_day["persons"].sum() == base).all()
    assert (per_day["stage"].apply(sorted) == [sorted(STAGES)] * per_day.ngroups).all()
    staged = _stage_days(domain_lake)
    assert not staged.duplicated(["super_id", "brand_id", "stage_date"]).any()
    counts = staged.groupby(["brand_id", "stage_date", "stage"]).size().rename("direct").reset_index()
    merged = daily[daily["stage"] != "none"].merge(counts, on=["brand_id", "stage_date", "stage"], how="left")
    assert (merged["persons"] == merged["direct"].fillna(0)).all()
    persons = set(domain_lake.query("select super_id from marts.dim_persons")["super_id"])
    assert set(staged["super_id"]) <= persons


def test_flow_rows_and_columns_sum_to_the_stage_counts(domain_lake) -> None:
    daily = domain_lake.query("select brand_id, stage_date, stage, persons from marts.fct_brand_4a_daily")
    flows = domain_lake.query("select * from marts.fct_brand_4a_flows")
    to_date = daily["stage_date"].max()
    assert not flows.empty and (flows["to_date"] == to_date).all()
    assert set(flows["from_date"]) == set(daily["stage_date"]) - {to_date}
    assert (flows["persons"] >= 0).all()
    assert (flows.groupby(["brand_id", "from_date"]).size() == 25).all()
    counts = daily.set_index(["brand_id", "stage_date", "stage"])["persons"]
    rows = flows.groupby(["brand_id", "from_date", "from_stage"])["persons"].sum()
    for (brand, day, stage), persons in rows.items():
        assert persons == counts[(brand, day, stage)], (brand, day, stage)
    columns = flows.groupby(["brand_id", "from_date", "to_stage"])["persons"].sum()
    for (brand, _day, stage), persons in columns.items():
        assert persons == counts[(brand, to_date, stage)], (brand, stage)
    # Some persons move between stages on this lake, so the matrix is not trivially diagonal.
    assert flows.loc[flows["from_stage"] != flows["to_stage"], "persons"].sum() > 0


def test_buyers_are_in_act_or_advocate(domain_lake) -> None:
    last = domain_lake.query("select max(stage_date) as d from marts.fct_brand_4a_daily")["d"].iat[0]
    buyers = domain_lake.query(
        f"""
        select distinct m.super_id, p.brand_id
        from staging.stg_raw__order_lines o
        join marts.identity_map m on m.id_type = 'user_pin' and m.id_value = o.user_pin
        join marts.dim_products p on p.sku_id = o.sku_id
        where o.status = 'paid' and o.order_date <= date '{last}'
          and o.order_date > date '{last}' - interval {ACT_WINDOW_DAYS} day
        """
    )
    assert len(buyers) > 50
    staged = domain_lake.query(
        "select super_id, brand_id, stage from marts.fct_brand_4a_person_stage_spells"
        f" where date '{last}' between valid_from and valid_to"
    )
    merged = buyers.merge(staged, on=["super_id", "brand_id"], how="left")
    assert merged["stage"].isin(["act", "advocate"]).all(), merged[~merged["stage"].isin(["act", "advocate"])]
    acting = staged[staged["stage"] == "act"].merge(buyers, on=["super_id", "brand_id"], how="left", indicator=True)
    assert (acting["_merge"] == "both").all()
    assert set(staged["stage"]) == {"aware", "appeal", "act", "advocate"}
    assert pd.Series(staged["stage"]).value_counts().min() > 0
