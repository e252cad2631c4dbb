"""The data-driven attribution math (facetlake.attribution) against independent answers: the Markov removal
effect against a hand-solved chain and against ChannelAttribution's markov_model (first and second order, its
simulation run long enough to converge), Shapley values against brute-force enumeration over every coalition."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from facetlake.attribution.markov import markov_rows, removal_effects, transition_counts
from facetlake.attribution.shapley import (
    coalition_game,
    coalition_table,
    shapley_brute_force,
    shapley_from_coalitions,
)

from .attribution_peer import channelattribution_shares

CHANNELS = ["wechat", "douyin", "sms", "dsp", "direct"]


def _paths(seed: int = 3, n: int = 4000) -> pd.DataFrame:
    """Random paths of 1-6 touches where each channel lifts conversion by its own amount (sms most)."""
    rng = np.random.default_rng(seed)
    lift = {"wechat": 0.05, "douyin": 0.04, "sms": 0.09, "dsp": 0.03, "direct": 0.02}
    rows = []
    for _ in range(n):
        length = int(rng.integers(1, 7))
        path = list(rng.choice(CHANNELS, size=length, p=[0.3, 0.25, 0.1, 0.2, 0.15]))
        p = 1 - np.prod([1 - lift[c] for c in set(path)])
        rows.append((" > ".join(path), int(rng.random() < p)))
    frame = pd.DataFrame(rows, columns=["channel_path", "converted"])
    frame["value"] = np.where(frame["converted"] == 1, 100.0, 0.0)
    return (
        frame.groupby("channel_path")
        .agg(
            conversions=("converted", "sum"),
            non_conversions=("converted", lambda s: int((s == 0).sum())),
            conversion_value=("value", "sum"),
        )
        .reset_index()
    )


def test_removal_effect_of_a_hand_solved_chain():
    # start -> a (2 paths) or b (1); a -> conv once, a -> b once; b -> conv once (from a), b -> null once.
    paths = pd.DataFrame({"channel_path": ["a", "a > b", "b"], "conversions": [1, 1, 0], "non_conversions": [0, 0, 1]})
    # P(a)=2/3, P(b)=1/3; from a: conv 1/2, b 1/2; from b: conv 1/2, null 1/2.
    # P(conv) = 2/3 (1/2 + 1/2 * 1/2) + 1/3 * 1/2 = 2/3; without a: 1/3 * 1/2 = 1/6; without b: 2/3 * 1/2 = 1/3.
    effects = removal_effects(paths).set_index("channel")
    assert effects.loc["a", "removal_effect"] == pytest.approx(1 - (1 / 6) / (2 / 3))
    assert effects.loc["b", "removal_effect"] == pytest.approx(1 - (1 / 3) / (2 / 3))
    assert effects["conversion_credit"].sum() == pytest.approx(2.0)


def test_second_order_states_remember_the_previous_channel():
    paths = pd.DataFrame({"channel_path": ["a > b > c"], "conversions": [1], "non_conversions": [0]})
    states = transition_counts(paths, order=2)
    assert list(zip(states["from_state"], states["to_state"], strict=True)) == [
        ("(start)", "a"),
        ("a", "a,b"),
        ("a,b", "b,c"),
        ("b,c", "(conversion)"),
    ]


@pytest.mark.parametrize("order", [1, 2])
def test_markov_shares_match_channelattribution(order):
    paths = _paths()
    ours = removal_effects(paths, order=order).set_index("channel")
    their_share = channelattribution_shares(paths, order, walks=2e6)
    assert set(their_share.index) == set(ours.index)
    for channel, share in their_share.items():
        # within 2% of the peer's share (its simulation's own noise is about 0.5% at two million walks; with
        # max_step unset it stops walks early and drifts up to 5% on paths that revisit a channel)
        assert ours.loc[channel, "share"] == pytest.approx(share, rel=0.02), channel
    # the closed form credits every conversion
    assert ours["conversion_credit"].sum() == pytest.approx(paths["conversions"].sum())


def test_markov_is_deterministic_and_ranks_the_strongest_channel_first_per_touch():
    paths = _paths()
    first, again = removal_effects(paths, order=1), removal_effects(paths.sample(frac=1, random_state=1), order=1)
    pd.testing.assert_frame_equal(first, again)
    rows = markov_rows(paths, max_order=3)
    assert sorted(rows["markov_order"].unique()) == [1, 2, 3]
    assert (rows["status"] == "fitted").all()


def test_markov_with_nothing_to_credit_says_so():
    rows = markov_rows(
        pd.DataFrame({"channel_path": ["a"], "conversions": [0], "non_conversions": [3], "conversion_value": [0.0]}),
        max_order=2,
    )
    assert (rows["status"] != "fitted").all() and len(rows) == 2


def test_shapley_closed_form_equals_brute_force():
    paths = _paths(n=600)
    coalitions = coalition_table(paths)
    closed = shapley_from_coalitions(coalitions).set_index("channel")
    brute = shapley_brute_force(CHANNELS, coalition_game(coalitions, "conversions"))
    for channel in CHANNELS:
        assert closed.loc[channel, "conversion_credit"] == pytest.approx(brute[channel], rel=1e-12)
    brute_value = shapley_brute_force(CHANNELS, coalition_game(coalitions, "value"))
    for channel in CHANNELS:
        assert closed.loc[channel, "value_credit"] == pytest.approx(brute_value[channel], rel=1e-12)
    # efficiency: the values share out the grand coalition's worth
    assert closed["conversion_credit"].sum() == pytest.approx(paths["conversions"].sum())


def test_brute_force_shapley_of_a_textbook_game():
    # glove game: L holds a left glove, R1 and R2 right gloves; a pair is worth 1.
    def v(s):
        return float("L" in s and ("R1" in s or "R2" in s))

    phi = shapley_brute_force(["L", "R1", "R2"], v)
    assert phi == pytest.approx({"L": 2 / 3, "R1": 1 / 6, "R2": 1 / 6})
