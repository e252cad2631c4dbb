"""Domains a newcomer can see: every model in a group with its access set, domains read each other only
through public marts, every model documented with a key test, the dashboards declared as exposures and every
var declared once."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from facetlake import paths

KEY_TESTS = {"unique", "unique_columns"}
VAR_CALL = re.compile(r"(?<![\w.])var\(\s*['\"](\w+)['\"]")


def _models(manifest: dict) -> dict[str, dict]:
    return {
        uid: node
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["package_name"] == "facetlake"
    }


def test_every_model_has_a_group_and_access(manifest):
    models = _models(manifest)
    assert models
    missing = sorted(node["name"] for node in models.values() if not node.get("group") or not node.get("access"))
    assert not missing, f"models without a group or access: {missing}"
    declared = {group["name"] for group in manifest["groups"].values()}
    assert {node["group"] for node in models.values()} <= declared


def test_folders_name_their_domain(manifest):
    for node in _models(manifest).values():
        layer, *folders = Path(node["original_file_path"]).parts[1:-1]
        if layer == "staging":
            assert node["group"] == "raw_zone", node["name"]
        else:
            assert folders == [node["group"]], f"{node['original_file_path']} is in group {node['group']}"
        expected = {"staging": "public", "intermediate": "private", "marts": "public"}[layer]
        assert node["access"] == expected, f"{node['name']} is {node['access']}, {layer} models are {expected}"


def test_no_model_reads_a_private_model_of_another_domain(manifest):
    models = _models(manifest)
    crossings = [
        f"{node['name']} ({node['group']}) -> {models[parent]['name']} ({models[parent]['group']})"
        for node in models.values()
        for parent in node["depends_on"]["nodes"]
        if parent in models and models[parent]["access"] == "private" and models[parent]["group"] != node["group"]
    ]
    assert not crossings, crossings


def test_every_model_is_described_and_has_a_key_test(manifest):
    models = _models(manifest)
    undescribed = sorted(node["name"] for node in models.values() if not node["description"].strip())
    assert not undescribed, f"models without a description: {undescribed}"
    grainless = sorted(node["name"] for node in models.values() if "one row" not in node["description"].lower())
    assert not grainless, f"descriptions that do not state the grain ('one row per ...'): {grainless}"
    keyed = {
        node.get("attached_node")
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test" and (node.get("test_metadata") or {}).get("name") in KEY_TESTS
    }
    unkeyed = sorted(node["name"] for uid, node in models.items() if uid not in keyed)
    assert not unkeyed, f"models without a unique (primary-key) test: {unkeyed}"


def test_every_superset_dataset_reads_a_mart_a_dashboard_exposure_declares(manifest):
    exposed = {
        manifest["nodes"][uid]["name"]
        for exposure in manifest["exposures"].values()
        if exposure["type"] == "dashboard"
        for uid in exposure["depends_on"]["nodes"]
    }
    datasets = sorted((paths.project_dir() / "dashboards" / "assets" / "datasets").rglob("*.yaml"))
    assert datasets
    for dataset in datasets:
        table = yaml.safe_load(dataset.read_text())["table_name"]
        assert table in exposed, f"{dataset.name} reads {table}, which no dashboard exposure depends on"


def test_every_var_is_declared_in_dbt_project():
    root = paths.project_dir()
    declared = set(yaml.safe_load((root / "dbt_project.yml").read_text())["vars"])
    used = {
        name
        for folder in ("models", "macros")
        for path in (root / folder).rglob("*")
        if path.suffix in {".sql", ".yml"}
        for name in VAR_CALL.findall(path.read_text())
    }
    assert used, "the regex found no var() call: it is broken"
    assert not used - declared, f"vars used but not declared in dbt_project.yml: {sorted(used - declared)}"
