"""Attribution marts on the session lake: paths reconcile with the planted orders, rule credits are conserved
per order, the Markov fit equals the closed form on the warehouse's own paths and agrees with
ChannelAttribution, and the SQL Shapley values equal a brute-force enumeration over every coalition."""

from __future__ import annotations

import pandas as pd
import pytest

from facetlake.attribution.markov import removal_effects
from facetlake.attribution.shapley import coalition_game, coalition_table, shapley_brute_force

from .attribution_peer import channelattribution_shares

RULES = {"first_touch", "last_touch", "last_non_direct", "linear", "time_decay", "position_based"}


@pytest.fixture(scope="module")
def channel_paths(domain_lake) -> pd.DataFrame:
    return domain_lake.query(
        "select channel_path, conversions, non_conversions, cast(conversion_value as double) as conversion_value "
        "from marts.fct_channel_paths"
    )


def test_converting_paths_are_the_planted_paid_orders(domain_lake):
    orders = pd.read_parquet(domain_lake.truth / "orders.parquet")
    paid = orders[orders["status"] == "paid"]
    paths = domain_lake.query("select * from marts.fct_conversion_paths where is_conversion")
    # a planted order may lose every line to the planted faults; none is invented
    assert set(paths["order_id"]) <= set(paid["order_id"])
    assert len(paths) >= 0.97 * len(paid)
    value = paid.set_index("order_id")["order_value"]
    found = paths.set_index("order_id")["conversion_value"].astype(float)
    close = (found - value.reindex(found.index)).abs() <= 0.02 * len(found.index)  # cents rounding per line
    assert close.mean() > 0.95


def test_channel_paths_are_the_path_touchpoints_in_position_order(domain_lake):
    # fct_conversion_paths builds the string with a running window (macro running_listagg), not an ordered
    # aggregate (which ran out of memory at a million persons): still the channels in position order
    touches = domain_lake.query("select path_id, touch_position, channel, touch_at from marts.fct_path_touchpoints")
    paths = domain_lake.query("select * from marts.fct_conversion_paths").set_index("path_id")
    ordered = touches.sort_values(["path_id", "touch_position"]).groupby("path_id")
    expected = pd.DataFrame(
        {
            "path_touchpoints": ordered.size(),
            "path_channel_count": ordered["channel"].nunique(),
            "first_touch_at": ordered["touch_at"].min(),
            "last_touch_at": ordered["touch_at"].max(),
            "channel_path": ordered["channel"].agg(" > ".join),
        }
    )
    # order matters on this lake: paths that mix channels and revisit them
    assert (
        (expected["path_channel_count"] > 1) & (expected["path_touchpoints"] > expected["path_channel_count"])
    ).any()
    assert set(expected.index) <= set(paths.index)
    found = paths.loc[expected.index, expected.columns]
    pd.testing.assert_frame_equal(found, expected, check_dtype=False, check_names=False)
    untouched = paths.drop(expected.index)
    assert untouched["is_conversion"].all()
    assert (untouched["channel_path"] == "").all() and (untouched["path_touchpoints"] == 0).all()


def test_every_rule_credits_each_order_its_value_exactly(domain_lake):
    credits = domain_lake.query(
        "select c.order_id, c.attribution_model, sum(c.value_credit) as credited, min(p.conversion_value) as value "
        "from marts.fct_attribution_credits c join marts.fct_conversion_paths p on c.order_id = p.path_id "
        "group by 1, 2"
    )
    assert set(credits["attribution_model"]) == RULES
    assert (credits["credited"] == credits["value"]).all()
    orders = domain_lake.query("select count(*) as n from marts.fct_conversion_paths where is_conversion")["n"][0]
    assert len(credits) == 6 * orders


def test_markov_fit_is_the_closed_form_on_the_warehouse_paths(domain_lake, channel_paths):
    stored = domain_lake.query("select * from fits.attribution_markov where markov_order in (1, 2)")
    for order in (1, 2):
        expected = removal_effects(
            channel_paths.assign(channel_path=channel_paths["channel_path"].replace("", "direct")), order=order
        ).set_index("channel")
        got = stored[stored["markov_order"] == order].set_index("channel")
        assert set(got.index) == set(expected.index)
        for channel in expected.index:
            assert got.loc[channel, "share"] == pytest.approx(expected.loc[channel, "share"], rel=1e-9)
    comparison = domain_lake.query("select * from marts.attribution_model_comparison")
    assert {"markov_first_order", "markov_order_k", "shapley"} | RULES == set(comparison["attribution_model"])
    per_model = comparison.groupby("attribution_model")["conversion_credit"].sum()
    assert per_model.to_numpy() == pytest.approx([per_model.iloc[0]] * len(per_model), rel=1e-9)


@pytest.mark.parametrize("order", [1, 2])
def test_markov_agrees_with_channelattribution_on_the_lake(channel_paths, order):
    paths = channel_paths[channel_paths["channel_path"] != ""]
    ours = removal_effects(paths, order=order).set_index("channel")
    share = channelattribution_shares(paths, order, walks=1e7)
    # its simulation (seed 0) is noisy: at two million walks sms was 2.4% off; at ten million the lake's channels
    # are within ~0.4%, small channels (about a 1.5% share) more (edm 4% at order 2 in one CI run, 1% in another):
    # those are held to 0.1 points instead
    relative = {c: abs(ours.loc[c, "share"] / s - 1) for c, s in share.items()}
    absolute = {c: abs(ours.loc[c, "share"] - s) for c, s in share.items()}
    print(f"Markov order {order}: relative differences from ChannelAttribution {relative}")
    assert all(relative[c] <= 0.02 or absolute[c] <= 0.001 for c in share.index), relative


def test_sql_shapley_equals_brute_force(domain_lake, channel_paths):
    paths = channel_paths.assign(channel_path=channel_paths["channel_path"].replace("", "direct"))
    coalitions = coalition_table(paths)
    players = sorted({c for k in coalitions["coalition"] for c in k.split(",")})
    brute = shapley_brute_force(players, coalition_game(coalitions, "conversions"))
    sql = domain_lake.query(
        "select channel, conversion_credit from marts.attribution_model_comparison where attribution_model = 'shapley'"
    ).set_index("channel")["conversion_credit"]
    assert set(sql.index) == set(players)
    for channel in players:
        assert sql[channel] == pytest.approx(brute[channel], rel=1e-9)
