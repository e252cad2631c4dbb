"""Scoring the warehouse against the generator's planted truth (`<lake>/truth/`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd


@dataclass
class PairwiseScores:
    precision: float
    recall: float
    linkable_recall: float
    identifiers: int
    predicted_pairs: int
    true_pairs: int


def _pairs(counts: pd.Series) -> int:
    c = counts.to_numpy(dtype=np.int64)
    return int((c * (c - 1) // 2).sum())


def truth_identifiers(lake: Path) -> pd.DataFrame:
    """Identifiers that belong to exactly one planted person (shared devices left out)."""
    ids = pd.read_parquet(lake / "truth" / "identifiers.parquet")
    ids = ids[~ids["is_shared"]]
    owners = ids.groupby(["id_type", "id_value"])["person_id"].nunique()
    single = owners[owners == 1].index
    ids = ids.set_index(["id_type", "id_value"]).loc[single].reset_index()
    return ids.drop_duplicates(["id_type", "id_value"])[["id_type", "id_value", "person_id"]]


def pairwise_scores(identity_map: pd.DataFrame, links: pd.DataFrame, lake: Path) -> PairwiseScores:
    """Pairwise precision and recall of super_ids over identifiers the warehouse saw.

    recall: over all pairs of identifiers of one person that the warehouse mapped;
    linkable_recall: over the pairs the data could link at all, i.e. connected by links between that
    person's own identifiers (an ad-only device with no login can never join its person).
    """
    truth = truth_identifiers(lake)
    joined = identity_map.merge(truth, on=["id_type", "id_value"], how="inner")
    tp = _pairs(joined.groupby(["super_id", "person_id"]).size())
    predicted = _pairs(joined.groupby("super_id").size())
    actual = _pairs(joined.groupby("person_id").size())
    # Linkable pairs: components of the graph made of links inside one person.
    key_person = dict(zip(joined["id_type"] + ":" + joined["id_value"], joined["person_id"], strict=True))
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in zip(links["left_node_key"], links["right_node_key"], strict=True):
        pa, pb = key_person.get(a), key_person.get(b)
        if pa is not None and pa == pb:
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[ra] = rb
    joined["truth_component"] = [find(k) for k in joined["id_type"] + ":" + joined["id_value"]]
    linkable = _pairs(joined.groupby("truth_component").size())
    linked_tp = _pairs(joined.groupby(["truth_component", "super_id"]).size())
    return PairwiseScores(
        precision=tp / predicted if predicted else 1.0,
        recall=tp / actual if actual else 1.0,
        linkable_recall=linked_tp / linkable if linkable else 1.0,
        identifiers=len(joined),
        predicted_pairs=predicted,
        true_pairs=actual,
    )


def person_of_super_id(identity_map: pd.DataFrame, lake: Path) -> pd.DataFrame:
    """super_id -> the planted person most of its identifiers belong to (majority vote)."""
    joined = identity_map.merge(truth_identifiers(lake), on=["id_type", "id_value"], how="inner")
    counts = joined.groupby(["super_id", "person_id"]).size().rename("n").reset_index()
    counts = counts.sort_values(["super_id", "n", "person_id"], ascending=[True, False, True])
    return counts.drop_duplicates("super_id")[["super_id", "person_id"]]
