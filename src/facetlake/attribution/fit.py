"""The Markov attribution fit: removal effects of every channel on the warehouse's channel paths
(marts.fct_channel_paths), Markov orders 1 to MAX_ORDER, written to fits.attribution_markov. The mart
attribution_model_comparison picks the first order and the order of var attribution_markov_order."""

from __future__ import annotations

import time

import pandas as pd

from facetlake.attribution.markov import MAX_ORDER, markov_rows
from facetlake.fits import Fit, FitContext, register

PATHS_MODEL = "fct_channel_paths"
MARKOV_TABLE = "attribution_markov"


def run(context: FitContext) -> dict[str, object]:
    if context.engine.exists("marts", PATHS_MODEL):
        paths = context.read_model(
            PATHS_MODEL,
            columns="channel_path, conversions, non_conversions, cast(conversion_value as double) as conversion_value",
        )
    else:
        paths = pd.DataFrame(columns=["channel_path", "conversions", "non_conversions", "conversion_value"])
    started = time.perf_counter()
    rows = markov_rows(paths, MAX_ORDER)
    seconds = time.perf_counter() - started
    context.write_table(MARKOV_TABLE, rows)
    context.log(f"markov attribution: {len(paths)} distinct paths, orders 1-{MAX_ORDER} in {seconds:.2f} s")
    return {"distinct_paths": len(paths), "seconds": round(seconds, 3)}


register(
    Fit(
        name="markov_attribution",
        reads=(PATHS_MODEL,),
        writes=(MARKOV_TABLE,),
        run=run,
        description="Markov chain removal effect per channel (closed form, orders 1-4) on the channel paths.",
    )
)
