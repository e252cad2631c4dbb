"""The planted effect of each campaign on its audience's purchase rate, from the generator's truth."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

PAID_SHARE = 0.96  # a planted campaign order is returned with probability 0.04 (generator: emit_orders)


def planted_purchase_lift(lake: Path, windows: pd.DataFrame) -> pd.DataFrame:
    """Per campaign: the expected treated-minus-holdout purchase rate in the mart's outcome window.

    A treated person with an account makes one extra order with the channel's planted lift, within a week after
    their first exposure; it raises their purchase rate only when it falls in the window, is paid, and they had
    no other paid order there: lift x paid share x share of the campaign's planted orders inside the window x
    (1 - their other purchase), averaged over the treated audience. `windows`: campaign_id, window_start,
    window_end (dates)."""
    truth = lake / "truth"
    start = date.fromisoformat(pd.read_json(truth / "manifest.json", typ="series")["config"]["start"])
    campaigns = pd.read_parquet(truth / "campaigns.parquet")
    assignments = pd.read_parquet(truth / "campaign_assignments.parquet")
    persons = pd.read_parquet(truth / "persons.parquet")
    orders = pd.read_parquet(truth / "orders.parquet")
    has_pin = persons.set_index("person_id")["user_pin"].notna()
    rows = []
    for c in campaigns.itertuples():
        w = windows[windows["campaign_id"] == c.campaign_id]
        if w.empty:
            continue
        first = (pd.Timestamp(w["window_start"].iloc[0]).date() - start).days
        last = (pd.Timestamp(w["window_end"].iloc[0]).date() - start).days
        planted = orders.loc[(orders["origin"] == "campaign") & (orders["campaign_id"] == c.campaign_id), "day"]
        overlap = float(planted.between(first, last).mean()) if len(planted) else 1.0
        treated = assignments[(assignments["campaign_id"] == c.campaign_id) & (assignments["group"] == "treated")]
        other = orders[
            (orders["status"] == "paid")
            & orders["day"].between(first, last)
            & ~((orders["origin"] == "campaign") & (orders["campaign_id"] == c.campaign_id))
        ]
        bought = set(other["person_id"])
        p = treated["person_id"].to_numpy()
        effect = has_pin.reindex(p).to_numpy(dtype=bool) & ~np.isin(p, list(bought))
        rows.append(
            {
                "campaign_id": c.campaign_id,
                "channel": c.channel,
                "true_purchase_lift": c.true_purchase_lift,
                "planted_lift": float(effect.mean()) * c.true_purchase_lift * PAID_SHARE * overlap,
            }
        )
    return pd.DataFrame(rows)
