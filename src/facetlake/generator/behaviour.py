"""Daily behaviour of the planted persons, vectorised per day: app sessions, ads, messages, orders."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from facetlake.generator.catalog import Catalog
from facetlake.generator.population import BTYD, Population
from facetlake.generator.reference import CATEGORIES

HOUR_WINDOWS = {"morning": (6.5, 10.0), "daytime": (10.0, 17.5), "evening": (18.0, 23.5), "night": (0.0, 2.5)}
TRAFFIC = (["organic", "wechat", "douyin", "baidu", "kuaishou"], [0.7, 0.1, 0.08, 0.07, 0.05])
EVENT_TYPES = (["page_view", "search", "add_to_cart", "favorite"], [0.58, 0.17, 0.15, 0.10])


@dataclass
class Purchase:
    """Purchases planned before any day is written: from the BTYD process, campaigns, and noise."""

    person: np.ndarray
    day: np.ndarray
    ms_of_day: np.ndarray
    origin: np.ndarray  # btyd / campaign / cancelled
    campaign_id: np.ndarray
    value: np.ndarray  # order value in CNY (Gamma-Gamma)
    # Truth for the churn marts: who dropped out of the BTYD process, and when (days since the start).
    dropped_person: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    dropped_day: np.ndarray = field(default_factory=lambda: np.zeros(0))


@dataclass
class Sessions:
    """App sessions requested for one day by ad clicks and message clicks."""

    person: list[np.ndarray] = field(default_factory=list)
    ms_of_day: list[np.ndarray] = field(default_factory=list)
    channel: list[np.ndarray] = field(default_factory=list)
    campaign_id: list[np.ndarray] = field(default_factory=list)

    def add(self, person, ms, channel, campaign_id) -> None:
        self.person.append(np.asarray(person))
        self.ms_of_day.append(np.asarray(ms))
        self.channel.append(np.broadcast_to(np.asarray(channel, dtype=object), len(person)))
        self.campaign_id.append(np.broadcast_to(np.asarray(campaign_id, dtype=object), len(person)))


def plan_purchases(
    rng: np.random.Generator, pop: Population, catalog: Catalog, days: int
) -> tuple[Purchase, pd.DataFrame]:
    """BG/NBD purchases per person over the window, plus campaign-driven and cancelled extra orders."""
    persons = pop.persons
    has_pin = persons["user_pin"].notna().to_numpy()
    lam = persons["btyd_lambda"].to_numpy()
    drop = persons["btyd_p"].to_numpy()
    nu = persons["gg_nu"].to_numpy()
    # Each person is alive at the start; after every purchase they drop out with probability p.
    t = np.zeros(len(persons))
    alive = has_pin.copy()
    people, times, drops = [], [], []
    while alive.any():
        idx = np.flatnonzero(alive)
        t[idx] += rng.exponential(1.0 / np.maximum(lam[idx], 1e-9))
        bought = idx[t[idx] < days]
        people.append(bought)
        times.append(t[bought])
        alive[idx[t[idx] >= days]] = False
        dropped = bought[rng.random(len(bought)) < drop[bought]]
        alive[dropped] = False
        drops.append(dropped)
    person = np.concatenate(people) if people else np.zeros(0, dtype=int)
    when = np.concatenate(times) if times else np.zeros(0)
    origin = np.full(len(person), "btyd", dtype=object)
    campaign = np.full(len(person), None, dtype=object)
    # Campaign lift: an exposed (treated) person makes one extra purchase with the channel's known lift.
    extra_p, extra_t, extra_c = [], [], []
    for row in catalog.campaigns.itertuples():
        a = catalog.assignments
        treated = a.loc[(a["campaign_id"] == row.campaign_id) & (a["group"] == "treated"), "person_id"].to_numpy()
        treated = treated[has_pin[treated]]
        converts = treated[rng.random(len(treated)) < row.true_purchase_lift]
        extra_p.append(converts)
        extra_t.append(rng.uniform(row.start_day, row.end_day + 1, len(converts)))
        extra_c.append(np.full(len(converts), row.campaign_id, dtype=object))
    # Cancelled orders: noise the value marts must leave out.
    noise = rng.choice(np.flatnonzero(has_pin), size=int(0.03 * len(person)) + 1)
    person = np.concatenate([person, *extra_p, noise])
    when = np.concatenate([when, *extra_t, rng.uniform(0, days, len(noise))])
    origin = np.concatenate(
        [
            origin,
            np.full(sum(len(p) for p in extra_p), "campaign", dtype=object),
            np.full(len(noise), "cancelled"),
        ]
    )
    campaign = np.concatenate([campaign, *extra_c, np.full(len(noise), None, dtype=object)])
    value = rng.gamma(BTYD["p"], 1.0 / nu[person])
    day = np.floor(when).astype(int)
    ms = ((when - day) * 86_400_000).astype(np.int64)
    order = np.lexsort((ms, day))
    dropped_person = np.concatenate(drops) if drops else np.zeros(0, dtype=int)
    plan = Purchase(person[order], day[order], ms[order], origin[order], campaign[order], value[order])
    # A person drops right after a purchase, so t still holds that purchase's time (no draw: the raw zone is
    # the same with or without this truth).
    plan.dropped_person, plan.dropped_day = dropped_person, t[dropped_person]
    truth = pd.DataFrame(
        {
            "person_id": plan.person,
            "day": plan.day,
            "origin": plan.origin,
            "campaign_id": plan.campaign_id,
            "order_value": np.round(plan.value, 2),
        }
    )
    return plan, truth


def session_times(rng: np.random.Generator, profile: np.ndarray) -> np.ndarray:
    """Local time of day (ms) at which each session starts, from each person's active-hour profile."""
    lo = np.zeros(len(profile))
    hi = np.zeros(len(profile))
    for name, (a, b) in HOUR_WINDOWS.items():
        m = profile == name
        lo[m], hi[m] = a, b
    hours = rng.uniform(lo, hi)
    stray = rng.random(len(profile)) < 0.15  # people do not keep perfect habits
    hours[stray] = rng.uniform(0, 24, stray.sum())
    return (hours * 3_600_000).astype(np.int64)


def pick_skus(rng: np.random.Generator, affinity: np.ndarray, catalog: Catalog, person: np.ndarray) -> np.ndarray:
    """One SKU row per entry, from a category drawn by the person's affinity."""
    cum = np.cumsum(affinity[person], axis=1)
    cat = (rng.random(len(person))[:, None] > cum).sum(axis=1)
    cat = np.minimum(cat, len(CATEGORIES) - 1)
    out = np.empty(len(person), dtype=np.int64)
    for k, skus in enumerate(catalog.skus_by_category):
        m = cat == k
        out[m] = skus[rng.integers(0, len(skus), m.sum())]
    return out
