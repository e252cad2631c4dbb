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
    evidence_recall: float
    identifiers: int
    predicted_pairs: int
    true_pairs: int
    evidence_pairs: int


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


def identity_evidence(lake: Path) -> pd.DataFrame:
    """The generator's evidence pairs (two identifiers of one person in one well-formed raw record) between
    identifiers that belong to that person alone."""
    ev = pd.read_parquet(lake / "truth" / "identity_evidence.parquet")
    own = truth_identifiers(lake)
    own_keys = set(zip(own["id_type"], own["id_value"], own["person_id"], strict=True))
    keep = [
        (lt, lv, p) in own_keys and (rt, rv, p) in own_keys
        for lt, lv, rt, rv, p in zip(
            ev["left_type"], ev["left_value"], ev["right_type"], ev["right_value"], ev["person_id"], strict=True
        )
    ]
    return ev[keep].reset_index(drop=True)


def evidence_components(evidence: pd.DataFrame) -> pd.DataFrame:
    """id_type, id_value, person_id, component: connected components of the evidence graph (union-find)."""
    parent: dict[tuple[str, str], tuple[str, str]] = {}

    def find(x: tuple[str, str]) -> tuple[str, str]:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    person: dict[tuple[str, str], int] = {}
    for lt, lv, rt, rv, p in zip(
        evidence["left_type"],
        evidence["left_value"],
        evidence["right_type"],
        evidence["right_value"],
        evidence["person_id"],
        strict=True,
    ):
        a, b = (lt, lv), (rt, rv)
        person[a] = person[b] = p
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb
    nodes = list(person)
    return pd.DataFrame(
        {
            "id_type": [n[0] for n in nodes],
            "id_value": [n[1] for n in nodes],
            "person_id": [person[n] for n in nodes],
            "component": [":".join(find(n)) for n in nodes],
        }
    )


def pairwise_scores(identity_map: pd.DataFrame, lake: Path) -> PairwiseScores:
    """Pairwise precision and recall of super_ids, scored with the planted truth only.

    precision, recall: over the identifiers the warehouse mapped that belong to one planted person; raw
    recall is bounded by the data (a device only ever seen in ad impressions can never join its person).
    evidence_recall: over the pairs of identifiers connected through the generator's identity evidence (two
    identifiers of one person in one well-formed raw record, chained): what the data supports. An identifier
    in evidence that the warehouse did not map counts as missed. The warehouse's own links are not used.
    """
    truth = truth_identifiers(lake)
    joined = identity_map.merge(truth, on=["id_type", "id_value"], how="inner")
    tp = _pairs(joined.groupby(["super_id", "person_id"]).size())
    predicted = _pairs(joined.groupby("super_id").size())
    actual = _pairs(joined.groupby("person_id").size())
    comps = evidence_components(identity_evidence(lake))
    comps = comps.merge(identity_map, on=["id_type", "id_value"], how="left")
    unmapped = comps["super_id"].isna()
    comps.loc[unmapped, "super_id"] = "unmapped:" + comps["id_type"][unmapped] + ":" + comps["id_value"][unmapped]
    evidence_pairs = _pairs(comps.groupby("component").size())
    evidence_tp = _pairs(comps.groupby(["component", "super_id"]).size())
    return PairwiseScores(
        precision=tp / predicted if predicted else 1.0,
        recall=tp / actual if actual else 1.0,
        evidence_recall=evidence_tp / evidence_pairs if evidence_pairs else 1.0,
        identifiers=len(joined),
        predicted_pairs=predicted,
        true_pairs=actual,
        evidence_pairs=evidence_pairs,
    )


def missed_evidence(identity_map: pd.DataFrame, lake: Path) -> pd.DataFrame:
    """Evidence pairs whose two identifiers did not get the same super_id, counted per id types and source."""
    ev = identity_evidence(lake)
    sid = identity_map.set_index(["id_type", "id_value"])["super_id"]
    left = sid.reindex(list(zip(ev["left_type"], ev["left_value"], strict=True))).to_numpy()
    right = sid.reindex(list(zip(ev["right_type"], ev["right_value"], strict=True))).to_numpy()
    missed = ev[~((left == right) & ~pd.isna(left))]
    return missed.groupby(["source", "left_type", "right_type"]).size().rename("pairs").reset_index()


def person_of_super_id(identity_map: pd.DataFrame, lake: Path) -> pd.DataFrame:
    """super_id -> the planted person most of its identifiers belong to (majority vote)."""
    joined = identity_map.merge(truth_identifiers(lake), on=["id_type", "id_value"], how="inner")
    counts = joined.groupby(["super_id", "person_id"]).size().rename("n").reset_index()
    counts = counts.sort_values(["super_id", "n", "person_id"], ascending=[True, False, True])
    return counts.drop_duplicates("super_id")[["super_id", "person_id"]]
