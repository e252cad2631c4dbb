"""The peer implementation the Markov fit is checked against: ChannelAttribution's markov_model (PyPI
`channelattribution`, a simulation) on the same paths, as channel shares."""

from __future__ import annotations

import pandas as pd
import pytest


def channelattribution_shares(paths: pd.DataFrame, order: int, walks: float) -> pd.Series:
    """Each channel's share of ChannelAttribution's Markov conversions on `paths` (channel_path with ' > ',
    conversions, non_conversions), at Markov `order` with `walks` simulated walks (max_step set: unset, it stops
    walks early and drifts on paths that revisit a channel). Skips the test when the package is missing."""
    ca = pytest.importorskip("ChannelAttribution")
    data = paths.assign(path=paths["channel_path"].str.replace(" > ", ">"))
    theirs = ca.markov_model(
        data,
        "path",
        "conversions",
        var_null="non_conversions",
        order=order,
        nsim_start=walks,
        max_step=1000,
        verbose=False,
        flg_pro=False,
    )
    theirs = (theirs["result"] if isinstance(theirs, dict) else theirs).set_index("channel_name")
    return theirs["total_conversions"] / theirs["total_conversions"].sum()
