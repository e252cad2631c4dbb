"""BG/NBD (Fader, Hardie and Lee 2005) and Gamma-Gamma fits of a per-customer summary, with pymc-marketing.

The fit is a MAP estimate under flat priors (HalfFlat on every parameter), i.e. the maximum-likelihood
estimate the papers report; pymc-marketing's default priors would pull it away from the published numbers.
The summary comes from SQL (macros/value/clv.sql, model clv_customer_summary): frequency (repeat purchase
days), recency, customer_age (T) in time units, monetary_value (mean spend of the repeat days).

Scoring is not here: the marts score every customer in SQL from the closed forms, with these parameters.
"""

from __future__ import annotations

import logging
import time
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

BG_NBD_PARAMETERS = ("r", "alpha", "a", "b")
GAMMA_GAMMA_PARAMETERS = ("p", "q", "v")
# Below these the likelihood is too flat to say anything: the fit writes why and the scores stay null.
MIN_CUSTOMERS = 200
MIN_REPEAT_CUSTOMERS = 30
# A fitted parameter outside this range means the fit ran off to the boundary (degenerate, not fitted).
PARAMETER_RANGE = (1e-8, 1e8)
MODEL_NAMES = {"bg_nbd": "BG/NBD", "gamma_gamma": "Gamma-Gamma"}


@dataclass
class FitResult:
    """One model's fit: parameters (empty when not fitted), the reason when not, and how it went."""

    model: str
    parameters: dict[str, float] = field(default_factory=dict)
    status: str = "fitted"  # fitted / not_fitted
    reason: str | None = None
    customers: int = 0
    log_likelihood: float | None = None
    seconds: float = 0.0


def _quiet() -> None:
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", category=UserWarning)
    for name in ("pymc", "pytensor", "pymc_marketing", "pymc_extras"):
        logging.getLogger(name).setLevel(logging.ERROR)


def bgnbd_log_likelihood(params: dict[str, float], x: np.ndarray, t_x: np.ndarray, t: np.ndarray) -> float:
    """The BG/NBD log-likelihood of a summary (sum over customers; eq. 6 of Fader, Hardie and Lee 2005)."""
    from scipy.special import betaln, gammaln

    r, alpha, a, b = (params[k] for k in BG_NBD_PARAMETERS)
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = betaln(a, b + x) - betaln(a, b)
    a3 = -(r + x) * np.log(alpha + t)
    with np.errstate(divide="ignore", invalid="ignore"):
        a4 = np.where(x > 0, np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) - (r + x) * np.log(alpha + t_x), -np.inf)
    return float(np.sum(a1 + a2 + np.logaddexp(a3, a4)))


def gamma_gamma_log_likelihood(params: dict[str, float], x: np.ndarray, m: np.ndarray) -> float:
    """The Gamma-Gamma log-likelihood of mean spends m over x repeat purchases (repeat buyers only)."""
    from scipy.special import gammaln

    p, q, v = (params[k] for k in GAMMA_GAMMA_PARAMETERS)
    px = p * x
    return float(
        np.sum(
            gammaln(px + q)
            - gammaln(px)
            - gammaln(q)
            + q * np.log(v)
            + (px - 1) * np.log(m)
            + px * np.log(x)
            - (px + q) * np.log(x * m + v)
        )
    )


def _map(model) -> dict[str, float]:
    model.fit(fit_method="map", progressbar=False)
    posterior = model.idata.posterior
    return {name: float(posterior[name].values.ravel()[0]) for name in posterior.data_vars}


def _fit(
    model: str,
    model_class_name: str,
    data: pd.DataFrame,
    parameter_names: tuple[str, ...],
    log_likelihood,
    too_few: str | None,
) -> FitResult:
    """MAP fit of pymc-marketing's `model_class_name` (flat priors on `parameter_names`) on `data`, with the
    log-likelihood at the estimate; not fitted, saying why, when `too_few` says the data are too few, when the
    fit raises or when it lands on non-finite values."""
    result = FitResult(model=model, customers=len(data))
    if too_few:
        result.status, result.reason = "not_fitted", too_few
        return result
    _quiet()
    import pymc_marketing.clv
    from pymc_extras.prior import Prior

    model_class = getattr(pymc_marketing.clv, model_class_name)
    start = time.perf_counter()
    try:
        fitted = _map(model_class(data=data, model_config={k: Prior("HalfFlat") for k in parameter_names}))
    except Exception as error:  # noqa: BLE001 - a fit that cannot converge must not fail the build
        reason = f"{MODEL_NAMES[model]} fit failed: {type(error).__name__}: {error}"
        result.status, result.reason = "not_fitted", reason[:500]
        return result
    result.seconds = time.perf_counter() - start
    result.parameters = {k: fitted[k] for k in parameter_names}
    result.log_likelihood = log_likelihood(result.parameters)
    if not all(np.isfinite(list(result.parameters.values()))) or not np.isfinite(result.log_likelihood):
        reason = f"{MODEL_NAMES[model]} fit did not converge to finite parameters"
        result.status, result.reason = "not_fitted", reason
        result.parameters = {}
    elif not all(PARAMETER_RANGE[0] <= value <= PARAMETER_RANGE[1] for value in result.parameters.values()):
        # A flat-prior MAP on a short or thin history can run off to the boundary (r 1e-46, b 1e17 on 2,000
        # persons x 7 days): scores from it would be noise or NaN, so the fit says so and leaves them null.
        shown = ", ".join(f"{k} {v:.3g}" for k, v in result.parameters.items())
        reason = f"{MODEL_NAMES[model]} fit ran off to the boundary ({shown}; each must lie in {PARAMETER_RANGE})"
        result.status, result.reason = "not_fitted", reason
        result.parameters = {}
    return result


def fit_bgnbd(summary: pd.DataFrame) -> FitResult:
    """BG/NBD on columns customer_id, frequency, recency, customer_age (T)."""
    repeat = int((summary["frequency"] > 0).sum())
    too_few = None
    if len(summary) < MIN_CUSTOMERS or repeat < MIN_REPEAT_CUSTOMERS:
        too_few = (
            f"{len(summary)} customers, {repeat} with a repeat purchase: BG/NBD needs at least {MIN_CUSTOMERS} "
            f"and {MIN_REPEAT_CUSTOMERS}"
        )
    data = pd.DataFrame(
        {
            "customer_id": np.arange(len(summary)),
            "frequency": summary["frequency"].to_numpy(dtype=float),
            "recency": summary["recency"].to_numpy(dtype=float),
            "T": summary["customer_age"].to_numpy(dtype=float),
        }
    )
    x, t_x, t = data["frequency"].to_numpy(), data["recency"].to_numpy(), data["T"].to_numpy()
    return _fit(
        "bg_nbd", "BetaGeoModel", data, BG_NBD_PARAMETERS, lambda p: bgnbd_log_likelihood(p, x, t_x, t), too_few
    )


def fit_gamma_gamma(summary: pd.DataFrame) -> FitResult:
    """Gamma-Gamma on the repeat buyers' frequency and monetary_value (mean spend of the repeat days)."""
    repeat = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
    too_few = None
    if len(repeat) < MIN_REPEAT_CUSTOMERS:
        too_few = f"{len(repeat)} repeat buyers with a spend: Gamma-Gamma needs at least {MIN_REPEAT_CUSTOMERS}"
    data = pd.DataFrame(
        {
            "customer_id": np.arange(len(repeat)),
            "monetary_value": repeat["monetary_value"].to_numpy(dtype=float),
            "frequency": repeat["frequency"].to_numpy(dtype=float),
        }
    )
    x, m = data["frequency"].to_numpy(), data["monetary_value"].to_numpy()
    result = _fit(
        "gamma_gamma",
        "GammaGammaModel",
        data,
        GAMMA_GAMMA_PARAMETERS,
        lambda p: gamma_gamma_log_likelihood(p, x, m),
        too_few,
    )
    if result.status == "fitted" and result.parameters["q"] <= 1:
        # q <= 1: the population mean spend v p / (q - 1) does not exist; scoring would divide by zero.
        result.status, result.reason = "not_fitted", f"Gamma-Gamma gave q = {result.parameters['q']:.3f} <= 1"
        result.parameters = {}
    return result


def sample_summary(summary: pd.DataFrame, max_customers: int, seed: int = 0) -> pd.DataFrame:
    """The summary itself when small enough, else a uniform sample of max_customers (sorted first, so the
    same input gives the same sample on either engine)."""
    ordered = summary.sort_values("customer_id").reset_index(drop=True)
    if len(ordered) <= max_customers:
        return ordered
    return ordered.sample(n=max_customers, random_state=seed).sort_values("customer_id").reset_index(drop=True)
