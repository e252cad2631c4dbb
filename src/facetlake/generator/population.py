"""Planted persons: latent attributes, interests, behaviour rates and the identifiers they use."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from facetlake.generator.reference import AGE_BAND_WEIGHTS, AGE_BANDS, CATEGORIES, CITIES

# Buy-till-you-die process (BG/NBD with Gamma-Gamma spend); the truth the CLV marts must recover.
BTYD = {
    "r": 0.6,  # purchase rate lambda ~ Gamma(shape=r, rate=alpha), per day
    "alpha": 20.0,
    "a": 1.0,  # dropout probability after each purchase p ~ Beta(a, b)
    "b": 6.0,
    "p": 6.0,  # order value z ~ Gamma(shape=p, rate=nu)
    "q": 4.0,  # nu ~ Gamma(shape=q, rate=gamma)
    "gamma": 150.0,
}
SHARED_DEVICE_SHARE = 0.015  # persons who also use a household member's device
LAB_DEVICES = 3  # test devices in a shop or lab, logged into by many accounts
LAB_DEVICE_USERS = 40


@dataclass
class Population:
    persons: pd.DataFrame  # one row per person with latent truth
    affinity: np.ndarray  # persons x categories, rows sum to 1
    devices: list[list[str]]  # device ids per person (shared devices appear in several lists)
    device_platform: dict[str, str]
    identifiers: pd.DataFrame  # person_id, id_type, id_value, is_shared


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _hex_ids(rng: np.random.Generator, n: int, prefix: str, width: int = 12) -> list[str]:
    raw = rng.integers(0, 16**width, size=n, dtype=np.int64)
    ids = [f"{prefix}{v:0{width}x}" for v in raw]
    # Collisions are astronomically rare but would merge two persons: make them impossible.
    seen: set[str] = set()
    out = []
    for i, v in enumerate(ids):
        while v in seen:
            v = f"{prefix}{rng.integers(0, 16**width):0{width}x}{i % 10}"
        seen.add(v)
        out.append(v)
    return out


def build_population(rng: np.random.Generator, n: int) -> Population:
    ids = np.arange(n)
    gender = np.where(rng.random(n) < 0.52, "F", "M")
    age_idx = rng.choice(len(AGE_BANDS), size=n, p=AGE_BAND_WEIGHTS)
    city_w = np.array([c[3] for c in CITIES])
    city_idx = rng.choice(len(CITIES), size=n, p=city_w / city_w.sum())
    tier = np.array([CITIES[i][2] for i in city_idx])
    # Income level 1-5, higher in bigger cities and for 25-44.
    income_score = rng.normal(0, 1, n) + (3 - tier) * 0.35 + np.isin(age_idx, [1, 2]) * 0.3
    income = np.clip(np.digitize(income_score, [-1.2, -0.4, 0.4, 1.2]) + 1, 1, 5)
    # Interest affinity over categories: sparse Dirichlet, tilted by gender and age.
    tilt = np.ones((n, len(CATEGORIES)))
    female = gender == "F"
    for k, (_, _, _, w_female, w_young) in enumerate(CATEGORIES):
        tilt[female, k] *= w_female
        tilt[~female, k] *= 1.0 / w_female
        tilt[age_idx == 1, k] *= w_young
    affinity = rng.gamma(0.35, 1.0, size=(n, len(CATEGORIES))) * tilt
    affinity /= affinity.sum(axis=1, keepdims=True)
    top_category = np.array([c[0] for c in CATEGORIES])[affinity.argmax(axis=1)]
    activity = rng.gamma(1.3, 0.25, n)  # app sessions per day
    hour_profile = rng.choice(["morning", "daytime", "evening", "night"], size=n, p=[0.2, 0.3, 0.4, 0.1])
    promo_sensitivity = rng.beta(2, 3, n)
    share_propensity = rng.beta(1, 12, n)
    has_pin = rng.random(n) < 0.9
    has_phone = rng.random(n) < 0.78
    has_email = rng.random(n) < 0.45
    has_union = rng.random(n) < 0.5
    btyd_lambda = rng.gamma(BTYD["r"], 1.0 / BTYD["alpha"], n)
    btyd_p = rng.beta(BTYD["a"], BTYD["b"], n)
    gg_nu = rng.gamma(BTYD["q"], 1.0 / BTYD["gamma"], n)

    pin_numbers = rng.choice(900_000_000, size=n, replace=False) + 100_000_000
    user_pin = np.where(has_pin, np.char.add("u", pin_numbers.astype(str)), None)
    phone_numbers = rng.choice(10**8, size=n, replace=False)
    prefixes = rng.choice(["138", "139", "186", "135", "177", "150", "189"], size=n)
    phone = np.where(has_phone, [f"+86{p}{d:08d}" for p, d in zip(prefixes, phone_numbers, strict=True)], None)
    email = np.where(has_email, [f"user{i}.{v % 997}@mail{v % 5}.example.com" for i, v in enumerate(pin_numbers)], None)
    union_id = np.where(has_union, _hex_ids(rng, n, "wx_", 14), None)

    # Devices: 1-3 per person, each on one platform.
    n_dev = rng.choice([1, 2, 3], size=n, p=[0.6, 0.3, 0.1])
    all_devices = _hex_ids(rng, int(n_dev.sum()), "dev-", 12)
    dev_platform = rng.choice(["app", "web", "miniprogram"], size=len(all_devices), p=[0.6, 0.25, 0.15])
    device_platform = dict(zip(all_devices, dev_platform, strict=True))
    devices: list[list[str]] = []
    pos = 0
    for k in n_dev:
        devices.append(all_devices[pos : pos + k])
        pos += k
    shared: set[str] = set()
    # Households: some persons also use another person's first device.
    sharers = np.flatnonzero(rng.random(n) < SHARED_DEVICE_SHARE)
    for person in sharers:
        other = int(rng.integers(n))
        if other != person:
            dev = devices[other][0]
            devices[person] = devices[person] + [dev]
            shared.add(dev)
    # Lab/test devices: many accounts log in on them (a giant-component hazard for identity).
    lab = _hex_ids(rng, LAB_DEVICES, "dev-lab-", 8)
    for dev in lab:
        device_platform[dev] = "app"
        users = rng.choice(np.flatnonzero(has_pin), size=min(LAB_DEVICE_USERS, int(has_pin.sum())), replace=False)
        for person in users:
            devices[person] = devices[person] + [dev]
        shared.add(dev)

    persons = pd.DataFrame(
        {
            "person_id": ids,
            "gender": gender,
            "age_band": np.array(AGE_BANDS)[age_idx],
            "city": np.array([c[0] for c in CITIES])[city_idx],
            "province": np.array([c[1] for c in CITIES])[city_idx],
            "city_tier": tier,
            "income_level": income,
            "top_category": top_category,
            "activity_rate": activity,
            "active_hour_profile": hour_profile,
            "promo_sensitivity": promo_sensitivity,
            "share_propensity": share_propensity,
            "btyd_lambda": btyd_lambda,
            "btyd_p": btyd_p,
            "gg_nu": gg_nu,
            "user_pin": user_pin,
            "phone_e164": phone,
            "email": email,
            "union_id": union_id,
        }
    )
    for k, (cat, *_rest) in enumerate(CATEGORIES):
        persons[f"affinity_{cat}"] = affinity[:, k]

    rows: list[tuple[int, str, str, bool]] = []
    for person in range(n):
        for dev in devices[person]:
            rows.append((person, "device_id", dev, dev in shared))
        if user_pin[person] is not None:
            rows.append((person, "user_pin", user_pin[person], False))
        if phone[person] is not None:
            rows.append((person, "phone_sha256", sha256_hex(phone[person]), False))
        if email[person] is not None:
            rows.append((person, "email_sha256", sha256_hex(email[person]), False))
        if union_id[person] is not None:
            rows.append((person, "union_id", union_id[person], False))
    identifiers = pd.DataFrame(rows, columns=["person_id", "id_type", "id_value", "is_shared"])
    return Population(persons, affinity, devices, device_platform, identifiers)
