"""The campaigns' audience lists, as the ad platform hands them back to the brand: every targeted person with the
group the platform put them in (treated, or the random holdout it kept from the campaign), identified by their
retail account (user_pin) when they have one, else by a device. Written to <lake>/uploads/campaign_audiences/,
where the effect evaluation reads them. Drawn from values already planted: no random numbers, so every other
output of the generator is unchanged."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from facetlake.generator.catalog import Catalog
from facetlake.generator.population import Population

AUDIENCES_UPLOAD = "campaign_audiences"


def write_campaign_audiences(lake: Path, pop: Population, catalog: Catalog) -> Path:
    """One CSV per campaign (campaign_id, audience_group, user_pin, device_id); returns the folder."""
    folder = Path(lake) / "uploads" / AUDIENCES_UPLOAD
    folder.mkdir(parents=True, exist_ok=True)
    pins = pop.persons["user_pin"].to_numpy(dtype=object)
    first_device = [devices[0] if devices else None for devices in pop.devices]
    for campaign_id, rows in catalog.assignments.groupby("campaign_id", sort=True):
        person = rows["person_id"].to_numpy()
        pin = [pins[p] if isinstance(pins[p], str) else None for p in person]
        frame = pd.DataFrame(
            {
                "campaign_id": campaign_id,
                "audience_group": rows["group"].to_numpy(),
                "user_pin": pin,
                "device_id": [None if u is not None else first_device[p] for u, p in zip(pin, person, strict=True)],
            }
        )
        frame.to_csv(folder / f"{campaign_id}.csv", index=False)
    return folder


MONITORING_UPLOAD = "ad_monitoring"
MONITORED_CHANNELS = ("dsp", "douyin", "kuaishou")  # the brands that buy these media also buy third-party monitoring


def write_ad_monitoring(lake: Path) -> Path:
    """The brands' own third-party ad monitoring (the Zhike scenario): the monitoring vendor's impression log of
    the campaigns on MONITORED_CHANNELS, read back from the raw ad events written (each impression once), with
    the device id or phone hash the vendor saw. The vendor misses about one impression in ten (chosen by a hash
    of the event, not at random: no random numbers). One CSV per campaign under <lake>/uploads/ad_monitoring/."""
    import gzip
    import hashlib
    import json

    folder = Path(lake) / "uploads" / MONITORING_UPLOAD
    folder.mkdir(parents=True, exist_ok=True)
    seen: set[str] = set()
    rows: list[dict[str, str | None]] = []
    for file in sorted((Path(lake) / "raw" / "ad_events").glob("dt=*/*.jsonl*")):
        opener = gzip.open if file.suffix == ".gz" else open
        with opener(file, "rt", encoding="utf-8", errors="replace") as lines:
            for line in lines:
                try:
                    event = json.loads(line)
                except ValueError:
                    continue
                if not isinstance(event, dict) or event.get("event_type") != "impression":
                    continue
                event_id, channel = event.get("event_id"), event.get("channel")
                if not isinstance(event_id, str) or event_id in seen or channel not in MONITORED_CHANNELS:
                    continue
                seen.add(event_id)
                if int(hashlib.md5(event_id.encode()).hexdigest()[:2], 16) % 10 == 0:
                    continue
                rows.append(
                    {
                        "campaign_id": event.get("campaign_id"),
                        "event_time": event.get("event_time"),
                        "device_id": event.get("device_id"),
                        "phone_sha256": event.get("phone_sha256"),
                        "vendor_event_id": hashlib.md5(f"vendor:{event_id}".encode()).hexdigest()[:16],
                    }
                )
    frame = pd.DataFrame(rows, columns=["campaign_id", "event_time", "device_id", "phone_sha256", "vendor_event_id"])
    for campaign_id, part in frame.groupby("campaign_id", sort=True):
        part.sort_values(["event_time", "vendor_event_id"]).to_csv(folder / f"{campaign_id}.csv", index=False)
    return folder
