"""Planted business objects: products, stores (some silent for known weeks), campaigns with holdouts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from facetlake.generator.reference import (
    CATEGORIES,
    CITIES,
    SKUS_PER_BRAND,
    STORE_FORMATS,
    brand_rows,
)

# Known lift per channel: extra purchase probability during the campaign window for an exposed person.
TRUE_LIFT: dict[str, float] = {
    "dsp": 0.03,
    "wechat": 0.05,
    "douyin": 0.04,
    "kuaishou": 0.02,
    "baidu": 0.03,
    "offline_screen": 0.01,
    "sms": 0.06,
    "edm": 0.015,
}
CAMPAIGN_CHANNELS = [
    "dsp",
    "wechat",
    "douyin",
    "kuaishou",
    "baidu",
    "offline_screen",
    "sms",
    "edm",
    "wechat",
    "sms",
]
TARGET_SHARE = 0.3
HOLDOUT_SHARE = 0.2


@dataclass
class Catalog:
    products: pd.DataFrame
    skus_by_category: list[np.ndarray]  # sku row indices per category
    stores: pd.DataFrame
    silent_days: dict[int, set[int]]  # store row -> silent day indices
    campaigns: pd.DataFrame
    assignments: pd.DataFrame  # campaign_id, person_id, group (treated / holdout)


def build_products(rng: np.random.Generator) -> tuple[pd.DataFrame, list[np.ndarray]]:
    rows = []
    for brand_id, brand_name, category in brand_rows():
        mean_price = next(c[2] for c in CATEGORIES if c[0] == category)
        for k in range(SKUS_PER_BRAND):
            l2 = f"{category}_line{k % 3 + 1}"
            price = float(np.round(rng.lognormal(np.log(mean_price), 0.45), 2))
            rows.append(
                {
                    "sku_id": f"SKU{len(rows) + 1:05d}",
                    "sku_name": f"{brand_name} {l2} #{k + 1}",
                    "brand_id": brand_id,
                    "brand_name": brand_name,
                    "category_l1": category,
                    "category_l2": l2,
                    "category_l3": f"{l2}_{k % 2 + 1}",
                    "list_price": max(price, 1.0),
                    "launch_day": -int(rng.integers(30, 700)),
                }
            )
    products = pd.DataFrame(rows)
    cats = [c[0] for c in CATEGORIES]
    skus_by_category = [np.flatnonzero(products["category_l1"].to_numpy() == c) for c in cats]
    return products, skus_by_category


def build_stores(rng: np.random.Generator, persons: int, start: date, days: int):
    n = int(np.clip(persons // 400, 8, 60))
    city_w = np.array([c[3] for c in CITIES])
    city_idx = rng.choice(len(CITIES), size=n, p=city_w / city_w.sum())
    stores = pd.DataFrame(
        {
            "store_id": [f"S{k + 1:03d}" for k in range(n)],
            "store_name": [f"facetlake store {k + 1}" for k in range(n)],
            "city": [CITIES[i][0] for i in city_idx],
            "district": [f"district_{int(d)}" for d in rng.integers(1, 9, n)],
            "latitude": np.round(rng.uniform(22, 40, n), 5),
            "longitude": np.round(rng.uniform(102, 122, n), 5),
            "open_day": -rng.integers(60, 2000, n),
            "format": rng.choice(STORE_FORMATS, size=n, p=[0.15, 0.6, 0.25]),
        }
    )
    # ISO weeks (Monday first) that the window touches; silent stores stop selling for two in a row.
    first_monday = start - timedelta(days=start.weekday())
    week_of_day = np.array([((start + timedelta(days=d)) - first_monday).days // 7 for d in range(days)])
    n_weeks = int(week_of_day.max()) + 1 if days else 0
    silent_days: dict[int, set[int]] = {}
    silent = rng.choice(n, size=max(1, n // 10), replace=False)
    for store in silent:
        first = int(rng.integers(0, max(1, n_weeks - 1)))
        weeks = {first, first + 1}
        silent_days[int(store)] = {d for d in range(days) if week_of_day[d] in weeks}
    stores["silent_weeks"] = [
        sorted(
            (first_monday + timedelta(weeks=int(w))).isoformat()
            for w in {int(week_of_day[d]) for d in silent_days.get(k, set())}
        )
        for k in range(n)
    ]
    return stores, silent_days


def build_campaigns(rng: np.random.Generator, persons: pd.DataFrame, days: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    brands = brand_rows()
    rows, assignments = [], []
    n = len(persons)
    for k, channel in enumerate(CAMPAIGN_CHANNELS):
        duration = int(min(days, rng.integers(7, 15)))
        start_day = int(rng.integers(0, max(1, days - duration + 1)))
        brand_id = brands[k % len(brands)][0]
        if channel == "sms":
            pool = np.flatnonzero(persons["phone_e164"].notna().to_numpy())
        elif channel == "edm":
            pool = np.flatnonzero(persons["email"].notna().to_numpy())
        else:
            pool = np.arange(n)
        targeted = pool[rng.random(len(pool)) < TARGET_SHARE]
        holdout = rng.random(len(targeted)) < HOLDOUT_SHARE
        campaign_id = f"C{k + 1:03d}"
        rows.append(
            {
                "campaign_id": campaign_id,
                "brand_id": brand_id,
                "campaign_name": f"{brand_id} {channel} push {k + 1}",
                "channel": channel,
                "objective": "conversion" if channel in ("sms", "dsp", "baidu") else "awareness",
                "start_day": start_day,
                "end_day": start_day + duration - 1,
                "budget": float(round(rng.uniform(5e4, 5e5), -3)),
                "true_purchase_lift": TRUE_LIFT[channel],
                "holdout_share": HOLDOUT_SHARE,
                "targeted": int(len(targeted)),
            }
        )
        assignments.append(
            pd.DataFrame(
                {
                    "campaign_id": campaign_id,
                    "person_id": targeted,
                    "group": np.where(holdout, "holdout", "treated"),
                }
            )
        )
    return pd.DataFrame(rows), pd.concat(assignments, ignore_index=True)


def build_catalog(rng: np.random.Generator, persons: pd.DataFrame, start: date, days: int) -> Catalog:
    products, skus_by_category = build_products(rng)
    stores, silent_days = build_stores(rng, len(persons), start, days)
    campaigns, assignments = build_campaigns(rng, persons, days)
    return Catalog(products, skus_by_category, stores, silent_days, campaigns, assignments)
