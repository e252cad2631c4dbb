"""The command line reads like the README: help everywhere, clear errors for wrong input."""

from __future__ import annotations

from pathlib import Path

import click
from click.testing import CliRunner

from facetlake.cli import main


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [prefix]
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += _commands(command, (*prefix, name))
        else:
            found.append((*prefix, name))
    return found


def test_every_command_has_help() -> None:
    runner = CliRunner()
    commands = _commands(main)
    assert {("generate",), ("build",), ("demo",), ("summary",)} <= set(commands)
    for path in commands:
        result = runner.invoke(main, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Usage:" in result.output


def test_build_without_a_raw_zone_says_what_to_do(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["build", "--lake", str(tmp_path)])
    assert result.exit_code != 0
    assert "has no raw/ zone" in result.output and "facetlake generate" in result.output
    assert "Traceback" not in result.output


def test_a_bad_dt_is_refused_before_any_work(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["build", "--lake", str(tmp_path), "--dt", "yesterday"])
    assert result.exit_code == 2 and "not a date" in result.output


def test_generate_refuses_to_mix_with_an_existing_raw_zone(tmp_path: Path) -> None:
    args = ["generate", "--lake", str(tmp_path), "--persons", "50", "--days", "1"]
    assert CliRunner().invoke(main, args).exit_code == 0
    again = CliRunner().invoke(main, args)
    assert again.exit_code != 0 and "--force" in again.output


def test_prepare_scans_the_raw_zone_for_plain_dbt(tmp_path: Path) -> None:
    """`facetlake prepare` writes the raw manifest a plain `dbt build` reads, and names the files it will not read."""
    from facetlake import paths

    lake = tmp_path / "lake"
    runner = CliRunner()
    assert runner.invoke(main, ["generate", "--lake", str(lake), "--persons", "30", "--days", "1"]).exit_code == 0
    stray = lake / "raw" / "orders" / "dt=latest"
    stray.mkdir(parents=True)
    (stray / "part.jsonl").write_text('{"order_id": "x"}\n')
    result = runner.invoke(main, ["prepare", "--lake", str(lake)])
    assert result.exit_code == 0, result.output
    assert paths.raw_manifest_path(lake).exists()
    assert "raw zone manifest:" in result.output
    assert "not read: " in result.output and "dt=latest" in result.output
