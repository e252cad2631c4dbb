"""Markov chain removal effect, in closed form through the absorbing chain's fundamental matrix.

A path `a > b > c` that ended in an order is the walk start -> a -> b -> c -> conversion; one that did not ends
in null. For order k a state is the tuple of the last (up to) k channels, so `a > b > c` at order 2 is
start -> (a) -> (a, b) -> (b, c) -> conversion. Transition probabilities are the observed shares of each
state's outgoing transitions (paths weighted by how many there are).

With Q the transitions among transient states and r each state's one-step probability of conversion, the
probability of converting from start is x[start] where (I - Q) x = r (x = N r, N = (I - Q)^-1 the fundamental
matrix). Removing channel c sends every transition into a state that holds c to null, which is the same system
with the rows of those states zeroed. The removal effect of c is 1 - P(conversion without c) / P(conversion);
channels are credited conversions (and value) in proportion to their removal effects. No simulation: the same
paths always give the same numbers.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix, identity
from scipy.sparse.linalg import spsolve

START = "(start)"
MAX_ORDER = 4  # orders the fit computes; var attribution_markov_order must not exceed it
MARKOV_COLUMNS = ["markov_order", "channel", "removal_effect", "share", "conversion_credit", "value_credit", "status"]


def split_path(path: str, sep: str = " > ") -> list[str]:
    """The channels of a path string ('' is the empty path)."""
    return [part.strip() for part in path.split(sep.strip())] if path and path.strip() else []


def _states(channels: list[str], order: int) -> list[tuple[str, ...]]:
    return [tuple(channels[max(0, i - order + 1) : i + 1]) for i in range(len(channels))]


def transition_counts(paths: pd.DataFrame, order: int = 1, sep: str = " > ") -> pd.DataFrame:
    """Counts of transitions between states (tuples joined by ',') from paths with conversions and
    non_conversions; the empty path goes from start straight to its outcome."""
    counts: dict[tuple[str, str], float] = defaultdict(float)
    for path, conv, null in zip(paths["channel_path"], paths["conversions"], paths["non_conversions"], strict=True):
        states = [START] + [",".join(s) for s in _states(split_path(path, sep), order)]
        weight = float(conv) + float(null)
        if weight == 0:
            continue
        for a, b in zip(states[:-1], states[1:], strict=True):
            counts[(a, b)] += weight
        if conv:
            counts[(states[-1], "(conversion)")] += float(conv)
        if null:
            counts[(states[-1], "(null)")] += float(null)
    frame = pd.DataFrame([(a, b, n) for (a, b), n in counts.items()], columns=["from_state", "to_state", "paths"])
    return frame.sort_values(["from_state", "to_state"]).reset_index(drop=True)


def _conversion_probability(
    index: dict[str, int], rows: np.ndarray, cols: np.ndarray, probs: np.ndarray, r: np.ndarray, removed: np.ndarray
) -> float:
    keep = ~removed[rows]
    n = len(index)
    q = csr_matrix((probs[keep], (rows[keep], cols[keep])), shape=(n, n))
    rhs = np.where(removed, 0.0, r)
    x = spsolve((identity(n, format="csr") - q).tocsc(), rhs)
    return float(np.atleast_1d(x)[index[START]])


def removal_effects(paths: pd.DataFrame, order: int = 1, sep: str = " > ") -> pd.DataFrame:
    """Per channel: removal effect, its share of the sum of removal effects, and the conversions and value
    credited in that share. `paths` has channel_path, conversions, non_conversions and optionally
    conversion_value."""
    if order < 1:
        raise ValueError("the Markov order must be at least 1")
    transitions = transition_counts(paths, order, sep)
    total_conversions = float(paths["conversions"].sum())
    total_value = float(paths["conversion_value"].sum()) if "conversion_value" in paths else 0.0
    columns = ["channel", "removal_effect", "share", "conversion_credit", "value_credit"]
    channels = sorted({c for p in paths["channel_path"] for c in split_path(p, sep)})
    if transitions.empty or total_conversions == 0 or not channels:
        return pd.DataFrame(columns=columns)
    transient = sorted(set(transitions["from_state"]))
    index = {s: i for i, s in enumerate(transient)}
    out_total = transitions.groupby("from_state")["paths"].transform("sum")
    prob = transitions["paths"] / out_total
    inner = transitions["to_state"].isin(index)
    rows = transitions.loc[inner, "from_state"].map(index).to_numpy()
    cols = transitions.loc[inner, "to_state"].map(index).to_numpy()
    probs = prob[inner].to_numpy()
    r = np.zeros(len(index))
    conv = transitions["to_state"] == "(conversion)"
    np.add.at(r, transitions.loc[conv, "from_state"].map(index).to_numpy(), prob[conv].to_numpy())
    nothing = np.zeros(len(index), dtype=bool)
    base = _conversion_probability(index, rows, cols, probs, r, nothing)
    members = [set(s.split(",")) if s != START else set() for s in transient]
    effects = []
    for channel in channels:
        removed = np.array([channel in m for m in members])
        without = _conversion_probability(index, rows, cols, probs, r, removed)
        effects.append(1.0 - without / base if base > 0 else 0.0)
    frame = pd.DataFrame({"channel": channels, "removal_effect": effects})
    total = frame["removal_effect"].sum()
    frame["share"] = frame["removal_effect"] / total if total > 0 else 0.0
    frame["conversion_credit"] = frame["share"] * total_conversions
    frame["value_credit"] = frame["share"] * total_value
    return frame[columns]


def markov_rows(paths: pd.DataFrame, max_order: int = MAX_ORDER) -> pd.DataFrame:
    """Removal effects for orders 1..max_order; an order with nothing to credit gets one row saying so.

    Orders without touchpoints (the empty path) are the channel 'direct', as the rule models credit them."""
    paths = paths.copy()
    paths["channel_path"] = paths["channel_path"].fillna("").replace("", "direct")
    frames = []
    for order in range(1, max_order + 1):
        effects = removal_effects(paths, order=order)
        if effects.empty:
            effects = pd.DataFrame(
                [
                    {
                        "channel": "(none)",
                        "removal_effect": None,
                        "share": None,
                        "conversion_credit": None,
                        "value_credit": None,
                        "status": "no conversions on any path",
                    }
                ]
            )
        else:
            effects["status"] = "fitted"
        effects.insert(0, "markov_order", order)
        frames.append(effects)
    frame = pd.concat(frames, ignore_index=True)[MARKOV_COLUMNS]
    frame["markov_order"] = frame["markov_order"].astype("int64")
    for column in ("removal_effect", "share", "conversion_credit", "value_credit"):
        frame[column] = frame[column].astype("float64")
    return frame
