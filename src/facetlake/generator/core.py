"""`facetlake generate`: a synthetic lake in the raw-zone contract, with its planted truth."""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from facetlake.generator.audiences import write_ad_monitoring, write_campaign_audiences
from facetlake.generator.behaviour import (
    EVENT_TYPES,
    TRAFFIC,
    Purchase,
    Sessions,
    pick_skus,
    plan_purchases,
    schedule_campaign_purchases,
    session_times,
)
from facetlake.generator.catalog import Catalog, build_catalog
from facetlake.generator.evidence import IdentityEvidence
from facetlake.generator.lines import json_lines, maybe, time_strings
from facetlake.generator.population import BTYD, Population, build_population, sha256_hex
from facetlake.generator.reference import CATEGORIES, CRM_BRANDS, MEMBER_TIERS, brand_rows
from facetlake.generator.writer import Rates, RawZoneWriter

TEST_PHONE = "+8613800000000"  # a phone many CRM members type in: must not merge persons
# Share of re-delivered memberships whose tier moves (docs/raw-zone.md, crm_members).
TIER_CHANGE_RATE = 0.25


@dataclass
class GeneratorConfig:
    persons: int = 20_000
    days: int = 30
    seed: int = 7
    start: date = date(2026, 10, 1)
    rates: Rates = field(default_factory=Rates)


@dataclass
class GenerationSummary:
    lake: Path
    lines: int
    bytes: int
    seconds: float
    per_source: dict[str, int]

    def describe(self) -> str:
        rate = self.lines / self.seconds if self.seconds else 0
        parts = [f"wrote {self.lines:,} lines ({self.bytes / 1e6:.1f} MB) to {self.lake}/raw in {self.seconds:.1f}s"]
        parts.append(f"  {rate:,.0f} lines/s")
        parts += [f"  {s:<16}{n:>12,}" for s, n in sorted(self.per_source.items())]
        parts.append(f"planted truth in {self.lake}/truth")
        return "\n".join(parts)


def _phone_variants(rng: np.random.Generator, phones: list[str]) -> list[str]:
    """The same E.164 phone as people and systems type it: with spaces, dashes, country code or not."""
    out = []
    kinds = rng.integers(0, 5, len(phones))
    for p, k in zip(phones, kinds, strict=True):
        local = p[3:]
        if k == 0:
            out.append(local)
        elif k == 1:
            out.append(f"+86 {local[:3]} {local[3:7]} {local[7:]}")
        elif k == 2:
            out.append(f"86-{local}")
        elif k == 3:
            out.append(f"(+86){local[:3]}-{local[3:7]}-{local[7:]}")
        else:
            out.append(p)
    return out


def _email_variants(rng: np.random.Generator, emails: list[str]) -> list[str]:
    kinds = rng.integers(0, 3, len(emails))
    return [e if k == 0 else (e.upper() if k == 1 else f"  {e.title()} ") for e, k in zip(emails, kinds, strict=True)]


class _Ids:
    """Deterministic, unique identifiers per kind."""

    def __init__(self) -> None:
        self.next: dict[str, int] = {}

    def take(self, prefix: str, n: int) -> list[str]:
        first = self.next.get(prefix, 0)
        self.next[prefix] = first + n
        return [f"{prefix}{k:010d}" for k in range(first, first + n)]


class LakeGenerator:
    def __init__(self, lake: Path, config: GeneratorConfig) -> None:
        self.lake = lake
        self.config = config
        seeds = np.random.SeedSequence(config.seed).spawn(8)
        self.rng_population = np.random.default_rng(seeds[0])
        self.rng_catalog = np.random.default_rng(seeds[1])
        self.rng_purchases = np.random.default_rng(seeds[2])
        self.rng = np.random.default_rng(seeds[3])
        # Points expiry (an optional CRM field) has a stream of its own: every other output stays the same.
        self.rng_points = np.random.default_rng(np.random.SeedSequence(config.seed, spawn_key=(11,)))
        # Tier changes on re-delivered memberships: a stream of their own too (only the changed lines differ).
        self.rng_tiers = np.random.default_rng(np.random.SeedSequence(config.seed, spawn_key=(12,)))
        self.tier_changes: list[pd.DataFrame] = []
        self.writer = RawZoneWriter(lake, config.start, config.days, np.random.default_rng(seeds[4]), config.rates)
        self.ids = _Ids()
        self.pop: Population = build_population(self.rng_population, config.persons)
        self.catalog: Catalog = build_catalog(self.rng_catalog, self.pop.persons, config.start, config.days)
        self.purchases = plan_purchases(self.rng_purchases, self.pop, self.catalog, config.days)
        # Per campaign, who has been exposed so far (their campaign purchase is placed after the first exposure).
        self.exposed = {c: np.zeros(config.persons, dtype=bool) for c in self.catalog.campaigns["campaign_id"]}
        self.order_truth_parts: list[pd.DataFrame] = []
        self.order_ids: list[str] = []
        self.order_store: list[str | None] = []
        self.order_status: list[str] = []
        self.members: pd.DataFrame | None = None
        # Identity evidence: identifier pairs of a person carried by one record. Only CRM records and logged-in
        # app events carry two identifiers (an order only an account, an ad event a device or a phone hash, a
        # message a phone or an email). Noted from values already drawn: no random numbers.
        self.evidence = IdentityEvidence()

    # ---- helpers -------------------------------------------------------------------------------
    def _times(self, day: int | np.ndarray, ms: np.ndarray) -> list[str]:
        day_arr = np.broadcast_to(np.asarray(day), ms.shape)
        return time_strings(self.config.start, day_arr, ms, self.rng.random(len(ms)) < 0.1)

    def _date(self, day: int) -> str:
        return (self.config.start + timedelta(days=int(day))).isoformat()

    # ---- entity sources --------------------------------------------------------------------------
    def emit_products(self, day: int, rows: pd.DataFrame) -> None:
        ms = self.rng.integers(0, 3_600_000, len(rows))
        updated = self._times(day, ms)
        lines = json_lines(
            {
                "sku_id": (rows["sku_id"], "str"),
                "updated_at": (updated, "str"),
                "sku_name": (rows["sku_name"], "str"),
                "brand_id": (rows["brand_id"], "str"),
                "brand_name": (rows["brand_name"], "str"),
                "category_l1": (rows["category_l1"], "str"),
                "category_l2": (rows["category_l2"], "str"),
                "category_l3": (rows["category_l3"], "str"),
                "list_price": (rows["list_price"], "money"),
                "launch_date": ([self._date(d) for d in rows["launch_day"]], "str"),
            }
        )
        keys = [f"{s}|{u}" for s, u in zip(rows["sku_id"], updated, strict=True)]
        self.writer.add("products", lines, keys, day, allow_late=False)

    def emit_stores(self) -> None:
        s = self.catalog.stores
        updated = self._times(0, self.rng.integers(0, 3_600_000, len(s)))
        lines = json_lines(
            {
                "store_id": (s["store_id"], "str"),
                "updated_at": (updated, "str"),
                "store_name": (s["store_name"], "str"),
                "city": (s["city"], "str"),
                "district": (s["district"], "str"),
                "latitude": (s["latitude"], "num"),
                "longitude": (s["longitude"], "num"),
                "open_date": ([self._date(d) for d in s["open_day"]], "str"),
                "format": (s["format"], "str"),
                "status": (["open"] * len(s), "str"),
            }
        )
        keys = [f"{a}|{u}" for a, u in zip(s["store_id"], updated, strict=True)]
        self.writer.add("stores", lines, keys, 0, allow_late=False)

    def emit_campaigns(self) -> None:
        c = self.catalog.campaigns
        updated = self._times(0, self.rng.integers(0, 3_600_000, len(c)))
        lines = json_lines(
            {
                "campaign_id": (c["campaign_id"], "str"),
                "updated_at": (updated, "str"),
                "brand_id": (c["brand_id"], "str"),
                "campaign_name": (c["campaign_name"], "str"),
                "channel": (c["channel"], "str"),
                "objective": (c["objective"], "str"),
                "start_date": ([self._date(d) for d in c["start_day"]], "str"),
                "end_date": ([self._date(d) for d in c["end_day"]], "str"),
                "budget": (c["budget"], "money"),
            }
        )
        keys = [f"{a}|{u}" for a, u in zip(c["campaign_id"], updated, strict=True)]
        self.writer.add("campaigns", lines, keys, 0, allow_late=False)

    def plan_members(self) -> pd.DataFrame:
        """CRM memberships: persons join brands they care about; some join during the window."""
        rng, persons, aff = self.rng, self.pop.persons, self.pop.affinity
        cats = [c[0] for c in CATEGORIES]
        frames = []
        for brand_id, _, category in brand_rows()[:CRM_BRANDS]:
            k = cats.index(category)
            p = np.clip(1.6 * aff[:, k], 0, 0.85) * 0.5
            who = np.flatnonzero(rng.random(len(persons)) < p)
            join_day = np.where(rng.random(len(who)) < 0.8, 0, rng.integers(0, self.config.days, len(who)))
            frames.append(
                pd.DataFrame(
                    {
                        "brand_id": brand_id,
                        "person_id": who,
                        "member_id": [f"M{brand_id[1:]}{i:07d}" for i in range(len(who))],
                        "join_day": join_day,
                        "registered_before": join_day == 0,
                        "tier": rng.choice(MEMBER_TIERS, len(who), p=[0.55, 0.25, 0.15, 0.05]),
                        "points": rng.integers(0, 20_000, len(who)),
                        "declares_gender": rng.random(len(who)) < 0.55,
                        "declares_birth": rng.random(len(who)) < 0.45,
                        "uses_test_phone": rng.random(len(who)) < 0.002,
                    }
                )
            )
        members = pd.concat(frames, ignore_index=True)
        return members

    def emit_members(self, day: int, m: pd.DataFrame) -> None:
        if m.empty:
            return
        rng = self.rng
        p = self.pop.persons.iloc[m["person_id"].to_numpy()]
        n = len(m)
        phone = p["phone_e164"].to_numpy(dtype=object).copy()
        phone[m["uses_test_phone"].to_numpy()] = TEST_PHONE
        has_phone = pd.notna(phone) & (rng.random(n) < 0.9)
        phones = _phone_variants(rng, [x if isinstance(x, str) else "" for x in phone])
        emails = p["email"].to_numpy(dtype=object)
        has_email = pd.notna(emails) & (rng.random(n) < 0.8)
        email_text = _email_variants(rng, [e if isinstance(e, str) else "" for e in emails])
        pins = p["user_pin"].to_numpy(dtype=object)
        has_pin = pd.notna(pins) & (rng.random(n) < 0.6)
        unions = p["union_id"].to_numpy(dtype=object)
        has_union = pd.notna(unions) & (rng.random(n) < 0.4)
        age_lo = p["age_band"].map(lambda b: int(b[:2])).to_numpy()
        age = age_lo + rng.integers(0, 7, n)
        birth = [self._date(-int(a * 365.25 + rng.integers(0, 365))) for a in age]
        reg_day = np.where(m["registered_before"], -rng.integers(1, 1500, n), m["join_day"])
        reg_ms = rng.integers(8 * 3_600_000, 22 * 3_600_000, n)
        updated = (
            self._times(day, rng.integers(0, 86_400_000, n))
            if day > 0
            else self._times(0, rng.integers(0, 3_600_000, n))
        )
        lines = json_lines(
            {
                "member_id": (m["member_id"], "str"),
                "brand_id": (m["brand_id"], "str"),
                "updated_at": (updated, "str"),
                "phone": (maybe(phones, has_phone), "str"),
                "email": (maybe(email_text, has_email), "str"),
                "user_pin": (maybe(list(pins), has_pin), "str"),
                "union_id": (maybe(list(unions), has_union), "str"),
                "gender": (maybe(list(p["gender"]), m["declares_gender"].to_numpy()), "str"),
                "birth_date": (maybe(birth, m["declares_birth"].to_numpy()), "str"),
                "register_time": (time_strings(self.config.start, reg_day, reg_ms, np.zeros(n, bool)), "str"),
                "register_channel": (list(rng.choice(["app", "store", "wechat", "web"], n)), "str"),
                "tier": (m["tier"], "str"),
                "points_balance": (m["points"], "num"),
            }
        )
        keys = [f"{b}|{i}|{u}" for b, i, u in zip(m["brand_id"], m["member_id"], updated, strict=True)]
        lines = self._with_points_expiry(day, m, lines)
        tags = self._member_evidence(day, m, has_phone, has_email, has_pin, has_union)
        self.writer.add("crm_members", lines, keys, day, allow_late=False, tags=tags)

    def _change_tiers(self, day: int, updates: pd.DataFrame) -> np.ndarray:
        """A re-delivered membership moves one tier (up twice as often as down; from the top or bottom tier the
        only way there is) with probability TIER_CHANGE_RATE. The current tiers live in self.members' tier
        column's copy, member_tiers, so a later re-delivery carries the new tier; truth: tier_changes."""
        if not hasattr(self, "member_tiers"):
            self.member_tiers = self.members["tier"].map(MEMBER_TIERS.index).to_numpy().copy()
        level = self.member_tiers[updates.index.to_numpy()]
        n, top = len(updates), len(MEMBER_TIERS) - 1
        changes = self.rng_tiers.random(n) < TIER_CHANGE_RATE
        step = np.where(self.rng_tiers.random(n) < 2 / 3, 1, -1)
        step = np.where(level == 0, 1, np.where(level == top, -1, step))
        new_level = np.where(changes, level + step, level)
        self.member_tiers[updates.index.to_numpy()] = new_level
        names = np.array(MEMBER_TIERS, dtype=object)
        self.tier_changes.append(
            pd.DataFrame(
                {
                    "brand_id": updates["brand_id"].to_numpy()[changes],
                    "member_id": updates["member_id"].to_numpy()[changes],
                    "day": day,
                    "change_date": self._date(day),
                    "from_tier": names[level[changes]],
                    "to_tier": names[new_level[changes]],
                }
            )
        )
        return names[new_level]

    def _with_points_expiry(self, day: int, m: pd.DataFrame, lines: list[str]) -> list[str]:
        """Most programmes let points expire: points_expire_date, 1-180 days after the record, on 70% of the
        records with points (appended last, so the other fields keep their bytes)."""
        n = len(m)
        expires = (self.rng_points.random(n) < 0.7) & (m["points"].to_numpy() > 0)
        expire_day = day + self.rng_points.integers(1, 181, n)
        return [
            line[:-1] + f',"points_expire_date":"{self._date(int(d))}"}}' if has else line
            for line, has, d in zip(lines, expires, expire_day, strict=True)
        ]

    def _member_evidence(
        self,
        day: int,
        m: pd.DataFrame,
        has_phone: np.ndarray,
        has_email: np.ndarray,
        has_pin: np.ndarray,
        has_union: np.ndarray,
    ) -> list[tuple[int, ...]]:
        """A CRM record links its member (brand-qualified, as the warehouse keys it) with every identifier on
        that record; the test phone is nobody's own identifier and is left out."""
        p = self.pop.persons.iloc[m["person_id"].to_numpy()]
        test = m["uses_test_phone"].to_numpy()
        cols = zip(
            m["person_id"].to_numpy(),
            (m["brand_id"] + ":" + m["member_id"]).to_numpy(),
            p["phone_e164"].to_numpy(dtype=object),
            p["email"].to_numpy(dtype=object),
            p["user_pin"].to_numpy(dtype=object),
            p["union_id"].to_numpy(dtype=object),
            has_phone & ~test,
            has_email,
            has_pin,
            has_union,
            strict=True,
        )
        tags = []
        for person, member, phone, email, pin, union, with_phone, with_email, with_pin, with_union in cols:
            ids = [("member_id", member)]
            if with_phone:
                ids.append(("phone_sha256", sha256_hex(phone)))
            if with_email:
                ids.append(("email_sha256", sha256_hex(email)))
            if with_pin:
                ids.append(("user_pin", pin))
            if with_union:
                ids.append(("union_id", union))
            tags.append(self.evidence.record_pairs(person, ids, "crm_members", day))
        self.evidence.count(np.fromiter((k for t in tags for k in t), dtype=np.int64))
        return tags

    def _first_exposures(self, day: int, campaign_id: str, person: np.ndarray, ms: np.ndarray) -> None:
        """Note who `campaign_id` reached for the first time today (earliest time per person) and place their
        pending campaign purchase after it. No draws."""
        order = np.lexsort((ms, person))
        person, ms = person[order], ms[order]
        first = np.ones(len(person), dtype=bool)
        first[1:] = person[1:] != person[:-1]
        person, ms = person[first], ms[first]
        new = ~self.exposed[campaign_id][person]
        self.exposed[campaign_id][person[new]] = True
        # a second after the exposure at the earliest, so the order follows it on the same timeline
        at = day + (ms[new] + 1_000) / 86_400_000
        schedule_campaign_purchases(self.purchases, campaign_id, person[new], at, self.config.days)

    # ---- event sources ------------------------------------------------------------------------------
    def emit_ads(self, day: int, clicks: Sessions) -> None:
        rng, pop = self.rng, self.pop
        a = self.catalog.assignments
        chunks = []
        for row in self.catalog.campaigns.itertuples():
            if not (row.start_day <= day <= row.end_day) or row.channel in ("sms", "edm"):
                continue
            treated = a.loc[(a["campaign_id"] == row.campaign_id) & (a["group"] == "treated"), "person_id"]
            treated = treated.to_numpy()
            n_imp = rng.poisson(0.7, len(treated))
            person = np.repeat(treated, n_imp)
            ms = session_times(rng, pop.persons["active_hour_profile"].to_numpy()[person])
            clicked = (rng.random(len(person)) < 0.03) & (row.channel != "offline_screen")
            chunks.append((row, person, ms, clicked))
            clicks.add(person[clicked], ms[clicked] + 4_000, row.channel, row.campaign_id)
            self._first_exposures(day, row.campaign_id, person, ms)
        if not chunks:
            return
        persons_all = np.concatenate([np.concatenate([c[1], c[1][c[3]]]) for c in chunks])
        ms_all = np.concatenate([np.concatenate([c[2], c[2][c[3]] + 3_000]) for c in chunks])
        type_all = np.concatenate(
            [np.concatenate([np.full(len(c[1]), "impression"), np.full(c[3].sum(), "click")]) for c in chunks]
        )
        camp = np.concatenate([np.full(len(c[1]) + c[3].sum(), c[0].campaign_id, dtype=object) for c in chunks])
        chan = np.concatenate([np.full(len(c[1]) + c[3].sum(), c[0].channel, dtype=object) for c in chunks])
        n = len(persons_all)
        devices = [pop.devices[p][rng.integers(len(pop.devices[p]))] for p in persons_all]
        phones = pop.persons["phone_e164"].to_numpy(dtype=object)[persons_all]
        social = np.isin(chan, ["wechat", "douyin"])
        use_phone = social & pd.notna(phones) & (rng.random(n) < 0.5)
        offline = chan == "offline_screen"
        phone_hash = [sha256_hex(x) if u else None for x, u in zip(phones, use_phone, strict=True)]
        device = maybe(devices, ~use_phone & ~offline)
        cost = np.where(type_all == "click", rng.uniform(0.5, 2.0, n), rng.uniform(0.01, 0.08, n))
        keys = self.ids.take("ad", n)
        lines = json_lines(
            {
                "event_id": (keys, "str"),
                "event_time": (self._times(day, ms_all), "str"),
                "event_type": (type_all, "str"),
                "campaign_id": (camp, "str"),
                "channel": (chan, "str"),
                "device_id": (device, "str"),
                "phone_sha256": (phone_hash, "str"),
                "placement_id": (
                    [f"pl-{c}-{k}" for c, k in zip(chan, rng.integers(1, 6, n), strict=True)],
                    "str",
                ),
                "cost": (np.round(cost, 4), "num"),
            }
        )
        self.writer.add("ad_events", lines, keys, day)

    def emit_messages(self, day: int, clicks: Sessions) -> None:
        rng, pop = self.rng, self.pop
        a = self.catalog.assignments
        for row in self.catalog.campaigns.itertuples():
            if row.channel not in ("sms", "edm") or day not in (row.start_day, row.start_day + 7):
                continue
            if day > row.end_day:
                continue
            treated = a.loc[(a["campaign_id"] == row.campaign_id) & (a["group"] == "treated"), "person_id"]
            person = treated.to_numpy()
            n = len(person)
            message_ids = self.ids.take("msg", n)
            sent_ms = rng.integers(9 * 3_600_000, 11 * 3_600_000, n)
            delivered = rng.random(n) < 0.95
            clicked = delivered & (rng.random(n) < 0.07)
            unsub = delivered & ~clicked & (rng.random(n) < 0.005)
            click_ms = sent_ms + rng.integers(60_000, 6 * 3_600_000, n)
            clicks.add(person[clicked], click_ms[clicked] + 2_000, row.channel, row.campaign_id)
            self._first_exposures(day, row.campaign_id, person, sent_ms)
            idx = np.concatenate([np.arange(n), *(np.flatnonzero(f) for f in (delivered, clicked, unsub))])
            etype = np.concatenate(
                [
                    np.full(n, "sent"),
                    np.full(delivered.sum(), "delivered"),
                    np.full(clicked.sum(), "clicked"),
                    np.full(unsub.sum(), "unsubscribed"),
                ]
            )
            ms = np.concatenate([sent_ms, sent_ms[delivered] + 5_000, click_ms[clicked], sent_ms[unsub] + 600_000])
            p = person[idx]
            if row.channel == "sms":
                raw = _phone_variants(rng, list(pop.persons["phone_e164"].to_numpy(dtype=object)[p]))
                phone, email = raw, [None] * len(p)
            else:
                raw = _email_variants(rng, list(pop.persons["email"].to_numpy(dtype=object)[p]))
                phone, email = [None] * len(p), raw
            mids = [message_ids[i] for i in idx]
            lines = json_lines(
                {
                    "message_id": (mids, "str"),
                    "event_time": (self._times(day, ms), "str"),
                    "event_type": (etype, "str"),
                    "channel": ([row.channel] * len(p), "str"),
                    "campaign_id": ([row.campaign_id] * len(p), "str"),
                    "phone": (phone, "str"),
                    "email": (email, "str"),
                    "template_id": ([f"T{row.campaign_id}"] * len(p), "str"),
                }
            )
            keys = [f"{m}#{t}" for m, t in zip(mids, etype, strict=True)]
            self.writer.add("message_events", lines, keys, day)

    def emit_app_events(self, day: int, extra: Sessions) -> None:
        rng, pop, persons = self.rng, self.pop, self.pop.persons
        weekday = (self.config.start + timedelta(days=day)).weekday()
        factor = 1.25 if weekday >= 5 else 1.0
        n_sessions = rng.poisson(persons["activity_rate"].to_numpy() * factor)
        s_person = np.repeat(persons["person_id"].to_numpy(), n_sessions)
        s_ms = session_times(rng, persons["active_hour_profile"].to_numpy()[s_person])
        traffic = rng.choice(TRAFFIC[0], size=len(s_person), p=TRAFFIC[1]).astype(object)
        s_campaign = np.full(len(s_person), None, dtype=object)
        if extra.person:
            s_person = np.concatenate([s_person, *extra.person])
            s_ms = np.concatenate([s_ms, *extra.ms_of_day])
            traffic = np.concatenate([traffic, *extra.channel])
            s_campaign = np.concatenate([s_campaign, *extra.campaign_id])
        s_ms = np.minimum(s_ms, 86_400_000 - 600_000)
        n_s = len(s_person)
        pins = persons["user_pin"].to_numpy(dtype=object)[s_person]
        logged_in = pd.notna(pins) & (rng.random(n_s) < 0.65)
        device = np.array([pop.devices[p][rng.integers(len(pop.devices[p]))] for p in s_person], dtype=object)
        platform = np.array([pop.device_platform[d] for d in device], dtype=object)
        city = np.where(rng.random(n_s) < 0.85, persons["city"].to_numpy(dtype=object)[s_person], None)
        share_p = persons["share_propensity"].to_numpy()[s_person]
        n_events = 1 + rng.poisson(3.0, n_s) + logged_in
        e_session = np.repeat(np.arange(n_s), n_events)
        first = np.zeros(len(e_session), dtype=bool)
        starts = np.cumsum(n_events) - n_events
        first[starts] = True
        step = np.arange(len(e_session)) - np.repeat(starts, n_events)
        etype = rng.choice(EVENT_TYPES[0], size=len(e_session), p=EVENT_TYPES[1]).astype(object)
        share = rng.random(len(e_session)) < share_p[e_session]
        etype[share] = "share"
        login = first & logged_in[e_session]
        etype[login] = "login"
        e_person = s_person[e_session]
        sku_rows = pick_skus(rng, pop.affinity, self.catalog, e_person)
        sku = self.catalog.products["sku_id"].to_numpy()[sku_rows]
        cat_of_sku = self.catalog.products["category_l1"].to_numpy()[sku_rows]
        keyword_of = {c[0]: c[1] for c in CATEGORIES}
        is_search = etype == "search"
        keyword = [keyword_of[c] if s else None for c, s in zip(cat_of_sku, is_search, strict=True)]
        sku_field = maybe(list(sku), ~is_search & (etype != "login"))
        ms = s_ms[e_session] + step * rng.integers(5_000, 60_000, len(e_session))
        keys = self.ids.take("ae", len(e_session))
        # A logged-in session's events each link its device with the account.
        session_tag: list[tuple[int, ...] | None] = [
            (self.evidence.pair_id(s_person[s], ("device_id", device[s]), ("user_pin", pins[s]), "app_events", day),)
            if logged_in[s]
            else None
            for s in range(n_s)
        ]
        tags = [session_tag[s] for s in e_session]
        self.evidence.count(np.fromiter((t[0] for t in tags if t is not None), dtype=np.int64))
        lines = json_lines(
            {
                "event_id": (keys, "str"),
                "event_time": (self._times(day, ms), "str"),
                "event_type": (etype, "str"),
                "device_id": (device[e_session], "str"),
                "user_pin": (maybe(list(pins[e_session]), logged_in[e_session]), "str"),
                "platform": (platform[e_session], "str"),
                "sku_id": (sku_field, "str"),
                "keyword": (keyword, "str"),
                "channel": (traffic[e_session], "str"),
                "campaign_id": (s_campaign[e_session], "str"),
                "city": (city[e_session], "str"),
            }
        )
        self.writer.add("app_events", lines, keys, day, tags=tags)

    def emit_orders(self, day: int) -> None:
        rng, pop, cat = self.rng, self.pop, self.catalog
        plan: Purchase = self.purchases
        sel = np.flatnonzero(plan.day == day)
        if len(sel) == 0:
            return
        # campaign purchases placed during the run sit at the end of the plan: the day's orders in time order
        sel = sel[np.argsort(plan.ms_of_day[sel], kind="stable")]
        self.order_truth_parts.append(
            pd.DataFrame(
                {
                    "person_id": plan.person[sel],
                    "day": plan.day[sel],
                    "origin": plan.origin[sel],
                    "campaign_id": plan.campaign_id[sel],
                    "order_value": np.round(plan.value[sel], 2),
                }
            )
        )
        n = len(sel)
        person = plan.person[sel]
        order_ids = self.ids.take("O", n)
        offline = rng.random(n) < 0.15
        stores = cat.stores
        open_stores = np.array([k for k in range(len(stores)) if day not in cat.silent_days.get(k, set())])
        store_city = stores["city"].to_numpy()
        person_city = pop.persons["city"].to_numpy()[person]
        store = np.full(n, None, dtype=object)
        for i in np.flatnonzero(offline):
            local = open_stores[store_city[open_stores] == person_city[i]]
            pool = local if len(local) and rng.random() < 0.7 else open_stores
            store[i] = stores["store_id"].iat[int(pool[rng.integers(len(pool))])]
        origin = plan.origin[sel]
        status = np.where(origin == "cancelled", "cancelled", np.where(rng.random(n) < 0.04, "returned", "paid"))
        self.order_ids += order_ids
        self.order_store += list(store)
        self.order_status += list(status)
        n_lines = 1 + rng.binomial(2, 0.25, n)
        o = np.repeat(np.arange(n), n_lines)
        line_no = np.arange(len(o)) - np.repeat(np.cumsum(n_lines) - n_lines, n_lines) + 1
        sku_rows = pick_skus(rng, pop.affinity, cat, person[o])
        price = cat.products["list_price"].to_numpy()[sku_rows]
        qty = 1 + rng.poisson(0.3, len(o))
        gross = price * qty
        order_gross = np.bincount(o, weights=gross, minlength=n)
        paid = np.round(gross / order_gross[o] * plan.value[sel][o], 2)
        times = self._times(day, plan.ms_of_day[sel])
        pins = pop.persons["user_pin"].to_numpy(dtype=object)[person]
        lines = json_lines(
            {
                "order_id": ([order_ids[i] for i in o], "str"),
                "line_no": (line_no, "num"),
                "order_time": ([times[i] for i in o], "str"),
                "user_pin": (pins[o], "str"),
                "sku_id": (cat.products["sku_id"].to_numpy()[sku_rows], "str"),
                "quantity": (qty, "num"),
                "unit_price": (price, "money"),
                "paid_amount": (paid, "money"),
                "status": (status[o], "str"),
                "channel": (np.where(offline, "offline", "online")[o], "str"),
                "store_id": (store[o], "str"),
            }
        )
        keys = [f"{order_ids[i]}#{k}" for i, k in zip(o, line_no, strict=True)]
        self.writer.add("orders", lines, keys, day)

    # ---- the run ---------------------------------------------------------------------------------
    def run(self, progress: bool = True) -> None:
        days = self.config.days
        members = self.plan_members()
        self.members = members
        self.emit_products(0, self.catalog.products)
        self.emit_stores()
        self.emit_campaigns()
        for day in tqdm(range(days), desc="generating days", unit="day", disable=not progress):
            self.emit_members(day, members[members["join_day"] == day])
            if day > 0:
                updates = members[(members["join_day"] < day) & (self.rng.random(len(members)) < 0.003)].copy()
                updates["points"] = updates["points"] + self.rng.integers(10, 500, len(updates))
                updates["tier"] = self._change_tiers(day, updates)
                self.emit_members(day, updates)
                if day % 7 == 0:
                    changed = self.catalog.products.sample(frac=0.02, random_state=self.rng).copy()
                    changed["list_price"] = np.round(changed["list_price"] * self.rng.uniform(0.85, 1.1), 2)
                    self.emit_products(day, changed)
            clicks = Sessions()
            self.emit_ads(day, clicks)
            self.emit_messages(day, clicks)
            self.emit_app_events(day, clicks)
            self.emit_orders(day)
            self.writer.flush(day)

    def write_truth(self) -> None:
        truth = self.lake / "truth"
        truth.mkdir(parents=True, exist_ok=True)
        w = self.writer
        persons = self.pop.persons.drop(columns=["email", "phone_e164"])
        persons.to_parquet(truth / "persons.parquet", index=False)
        ids = self.pop.identifiers
        members = self.members
        member_ids = pd.DataFrame(
            {
                "person_id": members["person_id"],
                "id_type": "member_id",
                "id_value": members["brand_id"] + ":" + members["member_id"],
                "is_shared": False,
            }
        )
        pd.concat([ids, member_ids], ignore_index=True).to_parquet(truth / "identifiers.parquet", index=False)
        shared = members.loc[members["uses_test_phone"], ["brand_id", "member_id", "person_id"]].assign(
            id_type="phone_sha256", id_value=sha256_hex(TEST_PHONE)
        )
        shared.to_parquet(truth / "shared_identifiers.parquet", index=False)
        self.evidence.take_back(w.malformed_tags)
        self.evidence.frame(self._date).to_parquet(truth / "identity_evidence.parquet", index=False)
        members.to_parquet(truth / "crm_members.parquet", index=False)
        # Tier changes planted on re-delivered memberships (crm_members keeps each membership's first tier).
        tier_changes = pd.concat(self.tier_changes, ignore_index=True) if self.tier_changes else pd.DataFrame()
        tier_changes.to_parquet(truth / "member_tier_changes.parquet", index=False)
        # BTYD dropouts (the churn warning's truth): who left the buying process and on which day.
        dropouts = pd.DataFrame({"person_id": self.purchases.dropped_person, "dropout_day": self.purchases.dropped_day})
        dropouts.to_parquet(truth / "btyd_dropouts.parquet", index=False)
        orders = pd.concat(self.order_truth_parts, ignore_index=True)
        orders["order_id"] = self.order_ids
        orders["store_id"] = self.order_store
        orders["status"] = self.order_status
        orders["order_date"] = [self._date(d) for d in orders["day"]]
        orders.to_parquet(truth / "orders.parquet", index=False)
        camp = self.catalog.campaigns.copy()
        camp["start_date"] = [self._date(d) for d in camp["start_day"]]
        camp["end_date"] = [self._date(d) for d in camp["end_day"]]
        camp.to_parquet(truth / "campaigns.parquet", index=False)
        self.catalog.assignments.to_parquet(truth / "campaign_assignments.parquet", index=False)
        self.catalog.stores.to_parquet(truth / "stores.parquet", index=False)
        offline = orders[orders["store_id"].notna() & (orders["status"] != "cancelled")].copy()
        offline["week_start"] = [
            (date.fromisoformat(d) - timedelta(days=date.fromisoformat(d).weekday())).isoformat()
            for d in offline["order_date"]
        ]
        offline.groupby(["store_id", "week_start"]).size().rename("orders").reset_index().to_parquet(
            truth / "store_weeks.parquet", index=False
        )
        cols = ["source_name", "dt", "file_name", "line_number", "kind", "expected_reason"]
        pd.DataFrame(w.malformed, columns=cols).to_parquet(truth / "malformed_lines.parquet", index=False)
        cols = ["source_name", "dt", "file_name", "line_number", "record_key"]
        pd.DataFrame(w.duplicates, columns=cols).to_parquet(truth / "duplicate_lines.parquet", index=False)
        cols = ["source_name", "record_key", "event_date", "dt"]
        pd.DataFrame(w.late, columns=cols).to_parquet(truth / "late_lines.parquet", index=False)
        cols = ["source_name", "dt", "file_name", "lines"]
        pd.DataFrame(w.line_counts, columns=cols).to_parquet(truth / "line_counts.parquet", index=False)
        manifest = {
            "config": {**asdict(self.config), "start": self.config.start.isoformat()},
            "btyd": BTYD,
            "test_phone_sha256": sha256_hex(TEST_PHONE),
            "lines_written": w.lines_written,
        }
        (truth / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True))


def generate_lake(lake: Path, config: GeneratorConfig, force: bool = False, progress: bool = True):
    """Write raw/ and truth/ under `lake`. Refuses to mix with an existing raw zone unless forced."""
    lake = Path(lake)
    if (lake / "raw").exists() and any((lake / "raw").iterdir()):
        if not force:
            raise FileExistsError(
                f"{lake}/raw already holds data. Use --force to overwrite it, or pick another --lake."
            )
        shutil.rmtree(lake / "raw")
        shutil.rmtree(lake / "truth", ignore_errors=True)
    t0 = time.perf_counter()
    gen = LakeGenerator(lake, config)
    gen.run(progress=progress)
    gen.write_truth()
    write_campaign_audiences(lake, gen.pop, gen.catalog)
    write_ad_monitoring(lake)
    seconds = time.perf_counter() - t0
    per_source: dict[str, int] = {}
    for source, _dt, _name, n in gen.writer.line_counts:
        per_source[source] = per_source.get(source, 0) + n
    return GenerationSummary(lake, gen.writer.lines_written, gen.writer.bytes_written, seconds, per_source)
