"""Campaign audience uploads: <lake>/uploads/campaign_audiences/*.csv, one row per targeted person with the
campaign, the group the ad platform put them in (treated or holdout) and an identifier (user_pin, device_id or
phone_sha256 columns; the first filled one is used). Rows with an unknown group or no usable identifier are
counted and skipped, never fatal."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from facetlake import paths

AUDIENCES_UPLOAD = "campaign_audiences"
GROUPS = ("treated", "holdout")
ID_COLUMNS = ("user_pin", "device_id", "phone_sha256")
COLUMNS = ["campaign_id", "audience_group", "id_type", "id_value", "file_name"]
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Audiences:
    rows: pd.DataFrame  # COLUMNS
    files: int
    skipped_rows: int


def _text(series: pd.Series) -> pd.Series:
    return series.astype("string").str.strip().replace("", pd.NA)


def read_audiences(lake: Path) -> Audiences:
    folder = paths.uploads_dir(lake) / AUDIENCES_UPLOAD
    frames, skipped, files = [], 0, 0
    for file in sorted(folder.glob("*.csv")) if folder.is_dir() else []:
        files += 1
        raw = pd.read_csv(file, dtype=str, keep_default_na=False)
        if "campaign_id" not in raw or "audience_group" not in raw:
            skipped += len(raw)
            continue
        frame = pd.DataFrame(
            {"campaign_id": _text(raw["campaign_id"]), "audience_group": _text(raw["audience_group"]).str.lower()}
        )
        frame["id_type"] = pd.Series(pd.NA, index=raw.index, dtype="string")
        frame["id_value"] = pd.Series(pd.NA, index=raw.index, dtype="string")
        for column in ID_COLUMNS:
            if column not in raw:
                continue
            value = _text(raw[column])
            if column == "phone_sha256":
                value = value.str.lower().where(value.str.lower().str.fullmatch(_SHA256.pattern).fillna(False))
            take = frame["id_value"].isna() & value.notna()
            frame.loc[take, "id_type"] = column
            frame.loc[take, "id_value"] = value[take]
        ok = frame["campaign_id"].notna() & frame["audience_group"].isin(GROUPS) & frame["id_value"].notna()
        skipped += int((~ok).sum())
        frames.append(frame[ok].assign(file_name=file.name))
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)
    rows = rows[COLUMNS].astype(object).drop_duplicates(["campaign_id", "id_type", "id_value"])
    rows = rows.sort_values(["campaign_id", "id_type", "id_value"]).reset_index(drop=True)
    return Audiences(rows=rows, files=files, skipped_rows=skipped)


MONITORING_UPLOAD = "ad_monitoring"
MONITORING_COLUMNS = ["campaign_id", "event_at", "id_type", "id_value", "vendor_event_id", "file_name", "line_number"]


@dataclass(frozen=True)
class Monitoring:
    rows: pd.DataFrame  # MONITORING_COLUMNS
    files: int
    skipped_rows: int


def read_ad_monitoring(lake: Path) -> Monitoring:
    """Third-party impression logs: <lake>/uploads/ad_monitoring/*.csv with campaign_id, event_time (ISO 8601
    with an offset), device_id and/or phone_sha256 (the device wins). A row without a campaign, a time with an
    offset or an identifier is skipped and counted."""
    folder = paths.uploads_dir(lake) / MONITORING_UPLOAD
    frames, skipped, files = [], 0, 0
    for file in sorted(folder.glob("*.csv")) if folder.is_dir() else []:
        files += 1
        raw = pd.read_csv(file, dtype=str, keep_default_na=False)
        if "campaign_id" not in raw or "event_time" not in raw:
            skipped += len(raw)
            continue
        frame = pd.DataFrame({"campaign_id": _text(raw["campaign_id"])})
        text = _text(raw["event_time"])
        has_offset = text.str.contains(r"(?:Z|[+-]\d{2}(?::?\d{2})?)$", regex=True).fillna(False).astype(bool)
        stamp = pd.to_datetime(text.where(has_offset), utc=True, errors="coerce", format="ISO8601")
        frame["event_at"] = stamp.dt.tz_convert(None).dt.floor("s")  # both engines keep whole seconds
        device = _text(raw["device_id"]) if "device_id" in raw else pd.Series(pd.NA, index=raw.index, dtype="string")
        phone = _text(raw["phone_sha256"]).str.lower() if "phone_sha256" in raw else device.where(False)
        phone = phone.where(phone.str.fullmatch(_SHA256.pattern).fillna(False).astype(bool))
        frame["id_type"] = device.notna().map({True: "device_id", False: "phone_sha256"})
        frame["id_value"] = device.fillna(phone)
        frame["vendor_event_id"] = (
            _text(raw["vendor_event_id"]) if "vendor_event_id" in raw else pd.Series(pd.NA, index=raw.index)
        )
        frame["file_name"] = file.name
        frame["line_number"] = (raw.index + 2).astype("int64")  # the header is line 1
        ok = frame["campaign_id"].notna() & frame["event_at"].notna() & frame["id_value"].notna()
        skipped += int((~ok).sum())
        frames.append(frame[ok])
    if not frames:
        rows = pd.DataFrame(
            {c: pd.Series(dtype="datetime64[ns]" if c == "event_at" else object) for c in MONITORING_COLUMNS}
        )
        rows["line_number"] = rows["line_number"].astype("int64")
        return Monitoring(rows=rows, files=files, skipped_rows=skipped)
    rows = pd.concat(frames, ignore_index=True)[MONITORING_COLUMNS]
    for column in ("campaign_id", "id_type", "id_value", "vendor_event_id", "file_name"):
        rows[column] = rows[column].astype(object).where(rows[column].notna(), None)
    rows = rows.sort_values(["file_name", "line_number"]).reset_index(drop=True)
    return Monitoring(rows=rows, files=files, skipped_rows=skipped)
