"""Landing a synthetic day: the day's files appear in the raw zone whole, and landing it again replaces it."""

from __future__ import annotations

from pathlib import Path

from facetlake.orchestration.assets.landing import land_day
from facetlake.orchestration.sensors import raw_dts


def _synthetic(lake: Path, source: str, dt: str, files: dict[str, str]) -> None:
    folder = lake / "synthetic" / "raw" / source / f"dt={dt}"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    for name, text in files.items():
        (folder / name).write_text(text)


def test_landing_a_day_and_landing_it_again(tmp_path: Path) -> None:
    _synthetic(tmp_path, "orders", "2026-10-01", {"part-0.jsonl": "a\n", "part-1.jsonl": "b\n"})
    landed = land_day(tmp_path, "orders", "2026-10-01")
    target = tmp_path / "raw" / "orders" / "dt=2026-10-01"
    assert landed is not None and landed.files == 2 and landed.bytes == 4
    assert sorted(p.name for p in target.iterdir()) == ["part-0.jsonl", "part-1.jsonl"]

    _synthetic(tmp_path, "orders", "2026-10-01", {"part-0.jsonl": "c\n"})  # the source resends the day
    assert land_day(tmp_path, "orders", "2026-10-01").files == 1
    assert [p.name for p in target.iterdir()] == ["part-0.jsonl"]
    assert (target / "part-0.jsonl").read_text() == "c\n"
    # Nothing half-landed or replaced is left beside the day, and the sensor sees exactly one dt.
    assert [p.name for p in (tmp_path / "raw" / "orders").iterdir()] == ["dt=2026-10-01"]
    assert raw_dts(tmp_path) == {"2026-10-01"}


def test_a_day_without_files_lands_nothing(tmp_path: Path) -> None:
    _synthetic(tmp_path, "orders", "2026-10-01", {"part-0.jsonl": "a\n"})
    assert land_day(tmp_path, "stores", "2026-10-01") is None
    assert land_day(tmp_path, "orders", "2026-10-02") is None
    assert not (tmp_path / "raw" / "stores").exists()
