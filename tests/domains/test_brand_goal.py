"""GOAL on the built 2,000-person lake: the ten target groups of crowds/goal.yml are measured for every brand,
and penetration, category and competitor penetration, repeat buyers, member buyers and the buyers' average CLV
equal a direct count from crowd_members, staging order lines, the identity map, the product catalogue and
customer_clv."""

from __future__ import annotations

import pandas as pd
import yaml

from facetlake import paths


def _direct(domain_lake) -> pd.DataFrame:
    members = domain_lake.query("select crowd_name, super_id from marts.crowd_members where crowd_name like 'goal%'")
    purchases = domain_lake.query(
        """
        select m.super_id, p.brand_id, p.category_l1, count(distinct o.order_id) as orders
        from staging.stg_raw__order_lines o
        join marts.identity_map m on m.id_type = 'user_pin' and m.id_value = o.user_pin
        join marts.dim_products p on p.sku_id = o.sku_id
        cross join marts.tag_windows w
        where o.status = 'paid' and o.order_date between w.purchase_window_start and w.as_of_date
        group by 1, 2, 3
        """
    )
    memberships = domain_lake.query("select super_id, id_value from marts.identity_map where id_type = 'member_id'")
    memberships["brand_id"] = memberships["id_value"].str.split(":").str[0]
    brands = domain_lake.query(
        "select distinct brand_id, category_l1 from marts.dim_products where brand_id <> 'unknown'"
    )
    clv = domain_lake.query("select super_id, clv from marts.customer_clv").set_index("super_id")["clv"].astype(float)
    rows = []
    for crowd, group in members.groupby("crowd_name"):
        who = set(group["super_id"])
        bought = purchases[purchases["super_id"].isin(who)]
        for brand in brands.itertuples():
            own = bought[bought["brand_id"] == brand.brand_id]
            category = bought[bought["category_l1"] == brand.category_l1]
            competitors = category[category["brand_id"] != brand.brand_id]
            members_of_brand = set(memberships.loc[memberships["brand_id"] == brand.brand_id, "super_id"])
            rows.append(
                {
                    "crowd_name": crowd,
                    "brand_id": brand.brand_id,
                    "group_persons": len(who),
                    "brand_buyers": own["super_id"].nunique(),
                    "category_buyers": category["super_id"].nunique(),
                    "competitor_buyers": competitors["super_id"].nunique(),
                    "repeat_buyers": int((own["orders"] >= 2).sum()),
                    "member_buyers": int(own["super_id"].isin(members_of_brand).sum()),
                    "average_clv": clv.reindex(own["super_id"].unique()).mean(),
                }
            )
    return pd.DataFrame(rows)


def test_the_ten_goal_groups_are_crowds_in_the_repository() -> None:
    doc = yaml.safe_load((paths.project_dir() / "crowds" / "goal.yml").read_text(encoding="utf-8"))
    names = [crowd["name"] for crowd in doc["crowds"]]
    assert len(names) == 10 and all(name.startswith("goal_") for name in names)


def test_goal_penetration_equals_a_direct_count(domain_lake) -> None:
    mart = domain_lake.query("select * from marts.fct_brand_goal_groups")
    direct = _direct(domain_lake)
    assert mart["crowd_name"].nunique() == 10
    assert len(mart) == 10 * mart["brand_id"].nunique()
    merged = mart.merge(direct, on=["crowd_name", "brand_id"], how="left", suffixes=("", "_direct"))
    for column in ["brand_buyers", "category_buyers", "competitor_buyers", "repeat_buyers", "member_buyers"]:
        assert (merged[column] == merged[f"{column}_direct"].fillna(0)).all(), column
    populated = merged[merged["group_persons"] > 0]
    assert (populated["group_persons"] == populated["group_persons_direct"]).all()
    expected = (populated["brand_buyers"] / populated["group_persons"]).round(6)
    assert ((populated["penetration"] - expected).abs() < 1e-9).all()
    clv = merged[merged["brand_buyers"] > 0]
    assert ((clv["average_clv"].astype(float) - clv["average_clv_direct"]).abs().fillna(0) < 0.01).all()
    assert (clv["average_clv"].isna() == clv["average_clv_direct"].isna()).all()
    assert (mart["brand_buyers"] <= mart["category_buyers"]).all()
    assert mart["brand_buyers"].sum() > 0
