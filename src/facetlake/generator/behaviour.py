"""Daily behaviour of the planted persons, vectorised per day: app sessions, ads, messages, orders."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from facetlake.generator.catalog import Catalog
from facetlake.generator.population import BTYD, Population
from facetlake.generator.reference import CATEGORIES

# A campaign's extra purchase (its planted lift) follows the person's first exposure within this many days.
LIFT_WINDOW_DAYS = 7
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
    # Campaign purchases waiting for their person's first exposure (scheduled by the day loop, then moved into
    # the arrays above): who, which campaign, the fraction of the lift window after first exposure, the value.
    pending: pd.DataFrame = field(default_factory=pd.DataFrame)


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


def plan_purchases(rng: np.random.Generator, pop: Population, catalog: Catalog, days: int) -> Purchase:
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
    # Campaign lift: an exposed (treated) person makes one extra purchase with the channel's known lift, within
    # LIFT_WINDOW_DAYS after their first exposure (the day loop places it when that exposure happens; here only
    # the fraction of the window is drawn).
    extra_p, extra_t, extra_c = [], [], []
    for row in catalog.campaigns.itertuples():
        a = catalog.assignments
        treated = a.loc[(a["campaign_id"] == row.campaign_id) & (a["group"] == "treated"), "person_id"].to_numpy()
        treated = treated[has_pin[treated]]
        converts = treated[rng.random(len(treated)) < row.true_purchase_lift]
        extra_p.append(converts)
        extra_t.append(rng.uniform(0, 1, len(converts)))
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
    later = origin == "campaign"
    pending = pd.DataFrame(
        {"person": person[later], "campaign_id": campaign[later], "window_share": when[later], "value": value[later]}
    )
    person, when, origin, campaign, value = (a[~later] for a in (person, when, origin, campaign, value))
    day = np.floor(when).astype(int)
    ms = ((when - day) * 86_400_000).astype(np.int64)
    order = np.lexsort((ms, day))
    dropped_person = np.concatenate(drops) if drops else np.zeros(0, dtype=int)
    plan = Purchase(person[order], day[order], ms[order], origin[order], campaign[order], value[order])
    # A person drops right after a purchase, so t still holds that purchase's time (no draw: the raw zone is
    # the same with or without this truth).
    plan.dropped_person, plan.dropped_day = dropped_person, t[dropped_person]
    plan.pending = pending
    return plan


def schedule_campaign_purchases(
    plan: Purchase, campaign_id: str, person: np.ndarray, exposed_at: np.ndarray, days: int
) -> None:
    """Place the pending purchases of `campaign_id` whose person was first exposed at `exposed_at` (days since
    the start, one per person): within LIFT_WINDOW_DAYS after it, cut at the end of the lake. No draws."""
    p = plan.pending
    if p.empty:
        return
    first = pd.Series(exposed_at, index=person)
    due = p[(p["campaign_id"] == campaign_id) & p["person"].isin(first.index)]
    if due.empty:
        return
    start = first.reindex(due["person"]).to_numpy()
    due, start = due[start < days], start[start < days]  # a last-moment exposure leaves no time to buy
    when = start + due["window_share"].to_numpy() * np.minimum(LIFT_WINDOW_DAYS, days - start)
    day = np.floor(when).astype(int)
    ms = ((when - day) * 86_400_000).astype(np.int64)
    plan.person = np.concatenate([plan.person, due["person"].to_numpy()])
    plan.day = np.concatenate([plan.day, day])
    plan.ms_of_day = np.concatenate([plan.ms_of_day, ms])
    plan.origin = np.concatenate([plan.origin, np.full(len(due), "campaign", dtype=object)])
    plan.campaign_id = np.concatenate([plan.campaign_id, due["campaign_id"].to_numpy(dtype=object)])
    plan.value = np.concatenate([plan.value, due["value"].to_numpy()])
    plan.pending = p.drop(index=due.index)


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
