"""The generator writes the raw contract deterministically, with the planted faults it says it planted."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import pandas as pd

from facetlake.generator import GeneratorConfig, generate_lake
from facetlake.generator.reference import CHANNELS, CITIES
from facetlake.paths import RAW_SOURCES, project_dir


def _digest(lake: Path) -> dict[str, str]:
    return {
        str(p.relative_to(lake)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted((lake / "raw").rglob("*"))
        if p.is_file()
    }


def _lines(path: Path) -> list[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        return f.read().splitlines()


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    config = GeneratorConfig(persons=150, days=3, seed=11)
    generate_lake(tmp_path / "a", config, progress=False)
    generate_lake(tmp_path / "b", config, progress=False)
    generate_lake(tmp_path / "c", GeneratorConfig(persons=150, days=3, seed=12), progress=False)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    assert _digest(tmp_path / "a") != _digest(tmp_path / "c")


def test_every_source_in_the_contract_layout(small_lake: Path) -> None:
    for source in RAW_SOURCES:
        files = sorted((small_lake / "raw" / source).glob("dt=*/*.jsonl*"))
        assert files, f"no files for {source}"
        assert all(f.parent.name.startswith("dt=") for f in files)


def test_line_counts_and_fault_rates(tmp_path: Path) -> None:
    # Big enough that the one-of-each-kind minimum per source does not move the rates.
    generate_lake(tmp_path, GeneratorConfig(persons=1500, days=8, seed=5), progress=False)
    truth = tmp_path / "truth"
    counts = pd.read_parquet(truth / "line_counts.parquet")
    for row in counts.itertuples():
        path = tmp_path / "raw" / row.source_name / f"dt={row.dt}" / row.file_name
        assert len(_lines(path)) == row.lines
    total = counts["lines"].sum()
    malformed = len(pd.read_parquet(truth / "malformed_lines.parquet"))
    duplicates = len(pd.read_parquet(truth / "duplicate_lines.parquet"))
    late = pd.read_parquet(truth / "late_lines.parquet")
    assert 0.003 < malformed / total < 0.008
    assert 0.007 < duplicates / total < 0.013
    # About 2% of event lines arrive late; lines of the last days cannot be late inside the window.
    events = counts[counts["source_name"].isin(["app_events", "orders", "ad_events", "message_events"])]
    assert 0.012 < len(late) / events["lines"].sum() < 0.025
    lag = pd.to_datetime(late["dt"]) - pd.to_datetime(late["event_date"])
    assert lag.dt.days.between(1, 3).all()
    kinds = set(pd.read_parquet(truth / "malformed_lines.parquet")["kind"])
    assert {"not_json", "missing_required", "bad_timestamp", "negative_quantity"} <= kinds


def test_clean_lines_are_json_with_required_fields(small_lake: Path) -> None:
    malformed = pd.read_parquet(small_lake / "truth" / "malformed_lines.parquet")
    broken = set(zip(malformed.source_name, malformed.dt, malformed.file_name, malformed.line_number, strict=True))
    path = next((small_lake / "raw" / "orders").glob("dt=*/*.jsonl"))
    dt = path.parent.name[3:]
    for number, line in enumerate(_lines(path), start=1):
        if ("orders", dt, path.name, number) in broken:
            continue
        record = json.loads(line)
        assert {"order_id", "line_no", "order_time", "user_pin", "sku_id", "quantity", "unit_price"} <= set(record)
        assert record["quantity"] > 0


def test_seeds_describe_the_generator_reference_data() -> None:
    regions = pd.read_csv(project_dir() / "seeds" / "regions.csv")
    assert sorted(regions["city"]) == sorted(c[0] for c in CITIES)
    channels = pd.read_csv(project_dir() / "seeds" / "channels.csv")
    assert sorted(channels["channel"]) == sorted(c[0] for c in CHANNELS)
