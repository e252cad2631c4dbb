"""The crowd tools refuse hostile input: upload, crowd and export names cannot leave <lake>/uploads or
<lake>/exports, and a DSP package never carries a cell that starts a spreadsheet formula. Identifiers a
package cannot carry (formula characters, digits only) are skipped and reported, the rest is exported."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from facetlake.build import run_build
from facetlake.crowds.cli import crowd as crowd_cli
from facetlake.crowds.engine import connect
from facetlake.crowds.registry import CrowdError, read_upload, save_definition, upload_definition
from facetlake.crowds.service import export_crowd, identifier_problem
from facetlake.warehouse import query_df

FORMULA_DEVICE = "=cmd|' /C calc'!A0"
NUMERIC_DEVICE = "13912345678"
HOSTILE_PIN = "pin-hostile-0001"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
HOSTILE_NAMES = ["../../outside", "../outside", "/etc", "a/b", "a\\b", ".hidden", "..", "", "UPPER", "x" * 80]


@pytest.fixture
def bare_lake(tmp_path: Path) -> Path:
    """A lake folder with an upload, and a CSV outside <lake>/uploads a hostile name would reach."""
    lake = tmp_path / "lake"
    (lake / "uploads" / "fine").mkdir(parents=True)
    (lake / "uploads" / "fine" / "list.csv").write_text("user_pin\npin-1\n", encoding="utf-8")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.csv").write_text("user_pin\nsecret-pin\n", encoding="utf-8")
    (lake / "outside").mkdir()
    (lake / "outside" / "secret.csv").write_text("user_pin\nsecret-pin\n", encoding="utf-8")
    return lake


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_upload_names_are_refused(bare_lake: Path, name: str) -> None:
    with pytest.raises(CrowdError, match="Upload name"):
        read_upload(bare_lake, name)


def test_an_upload_that_links_outside_is_refused(bare_lake: Path, tmp_path: Path) -> None:
    assert read_upload(bare_lake, "fine").rows == 1
    (bare_lake / "uploads" / "linked").symlink_to(tmp_path / "outside", target_is_directory=True)
    with pytest.raises(CrowdError, match="outside"):
        read_upload(bare_lake, "linked")
    (bare_lake / "uploads" / "fine" / "extra.csv").symlink_to(tmp_path / "outside" / "secret.csv")
    with pytest.raises(CrowdError, match="outside"):
        read_upload(bare_lake, "fine")


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_crowd_names_are_refused_for_export(bare_lake: Path, name: str) -> None:
    with pytest.raises(CrowdError, match="Crowd name"):
        export_crowd(bare_lake, name, "dsp")
    assert not (bare_lake / "exports").exists()


def test_the_cli_refuses_a_traversing_upload_in_one_line(bare_lake: Path) -> None:
    result = CliRunner().invoke(crowd_cli, ["create", "vip", "--upload", "../../outside", "--lake", str(bare_lake)])
    assert result.exit_code == 1
    assert "Upload name '../../outside' is not valid" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("channel", "value", "valid"),
    [
        ("dsp", "dev-0a1b2c3d4e5f", True),
        ("dsp", "6F9619FF-8B86-D011-B42D-00C04FC964FF", True),
        ("dsp", FORMULA_DEVICE, False),
        ("dsp", "+cmd", False),
        ("dsp", "-1+1", False),
        ("dsp", "@SUM(A1)", False),
        ("dsp", "\tx", False),
        ("dsp", "\rx", False),
        ("dsp", NUMERIC_DEVICE, False),
        ("dsp", "12345", False),
        ("dsp", 'dev,"x"', False),
        ("sms", "a" * 64, True),
        ("sms", "=" + "a" * 63, False),
        ("sms", "+8613912345678", False),
    ],
)
def test_identifier_problems(channel: str, value: str, valid: bool) -> None:
    assert (identifier_problem(channel, value) is None) is valid


def _plant_hostile_devices(lake: Path) -> list[str]:
    """Raw app events (the newest dt) in which a new account logs in on a formula-shaped and a numeric device;
    returns the user_pins of the upload: that account and 30 known accounts."""
    latest = sorted((lake / "raw" / "app_events").glob("dt=*"))[-1]
    dt = latest.name.removeprefix("dt=")
    lines = [
        {
            "event_id": f"ae-hostile-{n}",
            "event_time": f"{dt}T10:00:0{n}+08:00",
            "event_type": "login",
            "device_id": device,
            "user_pin": HOSTILE_PIN,
            "platform": "app",
            "channel": "organic",
            "city": "Shanghai",
        }
        for n, device in enumerate([FORMULA_DEVICE, NUMERIC_DEVICE, "dev-hostile0good"])
    ]
    with gzip.open(latest / "part-hostile.jsonl.gz", "wt", encoding="utf-8") as f:
        f.writelines(json.dumps(line) + "\n" for line in lines)
    known = query_df(lake, "select id_value from marts.identity_map where id_type = 'user_pin' order by 1 limit 30")
    return [HOSTILE_PIN, *known["id_value"]]


def test_a_dsp_export_skips_and_reports_hostile_device_ids(lake_copy: Path) -> None:
    pins = _plant_hostile_devices(lake_copy)
    folder = lake_copy / "uploads" / "hostile_pins"
    folder.mkdir(parents=True)
    pd.DataFrame({"user_pin": pins}).to_csv(folder / "pins.csv", index=False)
    engine = connect(lake_copy, write=True)
    try:
        upload = read_upload(lake_copy, "hostile_pins")
        save_definition(engine, upload_definition("test_hostile_pins", upload), upload.identifiers)
    finally:
        engine.close()
    run_build(lake_copy, engine="duckdb", quiet=True)

    deliverable = query_df(
        lake_copy,
        "select id_value from marts.crowd_deliverable_identifiers "
        "where crowd_name = 'test_hostile_pins' and channel = 'dsp'",
    )
    offered = set(deliverable["id_value"])
    assert FORMULA_DEVICE in offered, "the planted device reached the package's mart (else nothing is tested)"
    assert "dev-hostile0good" in offered

    result = export_crowd(lake_copy, "test_hostile_pins", "dsp")
    with open(result.file, newline="", encoding="utf-8") as f:
        cells = [cell for row in csv.reader(f) for cell in row]
    assert cells[0] == "device_id"
    assert not [c for c in cells if c.startswith(FORMULA_START)]
    assert FORMULA_DEVICE not in cells and NUMERIC_DEVICE not in cells

    bad = {v for v in offered if identifier_problem("dsp", v)}
    assert FORMULA_DEVICE in bad
    # A phone-like device id may already be hashed by staging; if it reaches the mart raw it is skipped.
    assert bad == {FORMULA_DEVICE} | ({NUMERIC_DEVICE} & offered)
    assert set(cells[1:]) == offered - bad, "every other identifier of the crowd is exported"
    assert len(cells) - 1 > 30
    manifest = json.loads(result.manifest.read_text(encoding="utf-8"))
    assert manifest["skipped_identifiers"] == len(bad) == result.skipped
    assert sum(manifest["skipped_by_reason"].values()) == len(bad)
    assert any(example.startswith("=cmd") for example in manifest["skipped_examples"])
    assert manifest["identifiers"] == len(cells) - 1
    print(f"\nexported {manifest['identifiers']} device ids, skipped {manifest['skipped_by_reason']}")

    cli = CliRunner().invoke(crowd_cli, ["export", "test_hostile_pins", "--to", "dsp", "--lake", str(lake_copy)])
    assert cli.exit_code == 0, cli.output
    assert f"skipped {len(bad)} invalid identifiers" in cli.output
