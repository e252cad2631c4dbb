"""Shapley values over channel coalitions.

The game (Zhao et al. 2018, "Shapley value methods for attribution modeling in online advertising"): a
coalition S of channels is worth the conversions (or value) of every path whose set of channels lies within S,
v(S) = sum over T subset of S of w(T), w(T) the conversions of paths whose channel set is exactly T. Such a game
is a sum of unanimity games, so each channel's Shapley value is exact in closed form: every coalition T shares
its w(T) equally among its |T| channels (`shapley_from_coalitions`), for any number of channels. The brute-force
enumeration over all orderings (`shapley_brute_force`, any game; exponential, so for a handful of players) is
what the tests hold it to.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from itertools import combinations

import pandas as pd

from facetlake.attribution.markov import split_path


def coalition_table(paths: pd.DataFrame, sep: str = " > ") -> pd.DataFrame:
    """Per coalition (the sorted distinct channels of a path, joined by ','): conversions and value."""
    rows: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    values = paths["conversion_value"] if "conversion_value" in paths else [0.0] * len(paths)
    for path, conv, value in zip(paths["channel_path"], paths["conversions"], values, strict=True):
        channels = sorted(set(split_path(path, sep)))
        if not channels or not conv:
            continue
        key = ",".join(channels)
        rows[key][0] += float(conv)
        rows[key][1] += float(value)
    frame = pd.DataFrame([(k, c, v) for k, (c, v) in rows.items()], columns=["coalition", "conversions", "value"])
    return frame.sort_values("coalition").reset_index(drop=True)


def shapley_from_coalitions(coalitions: pd.DataFrame) -> pd.DataFrame:
    """Exact Shapley values of the game v(S) = sum of the coalitions within S: each coalition's conversions and
    value shared equally by its channels. Columns channel, conversion_credit, value_credit, share."""
    credit: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for key, conv, value in zip(coalitions["coalition"], coalitions["conversions"], coalitions["value"], strict=True):
        members = key.split(",")
        for channel in members:
            credit[channel][0] += conv / len(members)
            credit[channel][1] += value / len(members)
    frame = pd.DataFrame(
        [(k, c, v) for k, (c, v) in credit.items()], columns=["channel", "conversion_credit", "value_credit"]
    )
    total = frame["conversion_credit"].sum()
    frame["share"] = frame["conversion_credit"] / total if total else 0.0
    return frame.sort_values("channel").reset_index(drop=True)


def coalition_game(coalitions: pd.DataFrame, column: str = "conversions") -> Callable[[frozenset], float]:
    """v(S): the sum of `column` over the coalitions that lie within S."""
    table = [
        (frozenset(k.split(",")), float(w)) for k, w in zip(coalitions["coalition"], coalitions[column], strict=True)
    ]
    return lambda s: sum(w for members, w in table if members <= s)


def shapley_brute_force(players: Iterable[Hashable], value: Callable[[frozenset], float]) -> dict[Hashable, float]:
    """Shapley values by enumerating every coalition: phi_i = sum over S not holding i of
    |S|! (n - |S| - 1)! / n! (v(S + i) - v(S)). Exponential in the number of players."""
    players = list(players)
    n = len(players)
    out = {}
    for player in players:
        others = [p for p in players if p != player]
        total = 0.0
        for size in range(n):
            weight = math.factorial(size) * math.factorial(n - size - 1) / math.factorial(n)
            for subset in combinations(others, size):
                s = frozenset(subset)
                total += weight * (value(s | {player}) - value(s))
        out[player] = total
    return out
