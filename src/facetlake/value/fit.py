"""The CLV fit of the build (facetlake.fits): BG/NBD + Gamma-Gamma on marts.clv_customer_summary, written to
fits.clv_parameters (one row per model and parameter; a model that could not fit has one row saying why).

The summary already holds the calibration end and time unit the build chose (vars clv_calibration_end,
clv_time_unit_days), so the fit needs no settings of its own. A large base is fitted on a uniform sample of
FACETLAKE_CLV_FIT_SAMPLE customers (default 100,000); scoring in SQL covers every customer.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pandas as pd

from facetlake.fits import Fit, FitContext, register
from facetlake.value.clv import FitResult, fit_bgnbd, fit_gamma_gamma, sample_summary

SUMMARY_MODEL = "clv_customer_summary"
PARAMETERS_TABLE = "clv_parameters"
DEFAULT_SAMPLE = 100_000


def fit_sample_size() -> int:
    return int(os.environ.get("FACETLAKE_CLV_FIT_SAMPLE", DEFAULT_SAMPLE))


def parameter_rows(results: list[FitResult], summary: pd.DataFrame, sampled: int) -> pd.DataFrame:
    """fits.clv_parameters: one row per model and parameter; one row (parameter null) for a model not fitted."""
    calibration_end = str(summary["calibration_end_date"].iloc[0]) if len(summary) else None
    unit = int(summary["time_unit_days"].iloc[0]) if len(summary) else None
    fitted_at = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    rows = []
    for result in results:
        base = {
            "model": result.model,
            "status": result.status,
            "reason": result.reason,
            "calibration_end_date": calibration_end,
            "time_unit_days": unit,
            "customers": len(summary),
            "fitted_customers": result.customers,
            "sampled": sampled < len(summary),
            "log_likelihood": result.log_likelihood,
            "fit_seconds": round(result.seconds, 3),
            "fitted_at": fitted_at,
        }
        if result.parameters:
            rows += [{**base, "parameter": k, "value": v} for k, v in result.parameters.items()]
        else:
            rows.append({**base, "parameter": None, "value": None})
    frame = pd.DataFrame(rows)
    frame["value"] = frame["value"].astype("float64")
    frame["log_likelihood"] = frame["log_likelihood"].astype("float64")
    frame["time_unit_days"] = frame["time_unit_days"].astype("Int64")
    columns = [
        "model",
        "parameter",
        "value",
        "status",
        "reason",
        "calibration_end_date",
        "time_unit_days",
        "customers",
        "fitted_customers",
        "sampled",
        "log_likelihood",
        "fit_seconds",
        "fitted_at",
    ]
    return frame[columns]


def run(context: FitContext) -> dict[str, object]:
    if not context.engine.exists("marts", SUMMARY_MODEL):
        summary = pd.DataFrame(
            columns=[
                "customer_id",
                "frequency",
                "recency",
                "customer_age",
                "monetary_value",
                "calibration_end_date",
                "time_unit_days",
            ]
        )
    else:
        summary = context.read_model(
            SUMMARY_MODEL,
            columns="super_id as customer_id, frequency, recency, customer_age, monetary_value, "
            "calibration_end_date, time_unit_days",
        )
    sample = sample_summary(summary, fit_sample_size())
    results = [fit_bgnbd(sample), fit_gamma_gamma(sample)]
    context.write_table(PARAMETERS_TABLE, parameter_rows(results, summary, len(sample)))
    for result in results:
        if result.status == "fitted":
            values = ", ".join(f"{k} = {v:.4g}" for k, v in result.parameters.items())
            context.log(f"{result.model}: {values} ({result.customers} customers, {result.seconds:.1f} s)")
        else:
            context.log(f"{result.model}: not fitted ({result.reason})")
    return {r.model: r.status for r in results} | {"customers": len(summary), "fitted_on": len(sample)}


register(
    Fit(
        name="clv",
        reads=(SUMMARY_MODEL,),
        writes=(PARAMETERS_TABLE,),
        run=run,
        description="BG/NBD + Gamma-Gamma (pymc-marketing, MAP under flat priors) on the CLV summary.",
    )
)
