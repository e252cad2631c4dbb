"""The dashboards kept as code: Superset's native export bundle in dashboards/assets/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from facetlake import paths


def assets_dir() -> Path:
    return paths.project_dir() / "dashboards" / "assets"


def bundle(kind: str) -> list[dict[str, Any]]:
    """The configs of one kind (databases, datasets, charts, dashboards) in the bundle, by file name."""
    return [yaml.safe_load(path.read_text()) for path in sorted((assets_dir() / kind).rglob("*.yaml"))]


def dashboard_charts(dashboard: dict[str, Any]) -> list[str]:
    """Names of the charts a dashboard config places, in layout order."""
    items = [item for item in dashboard["position"].values() if isinstance(item, dict)]
    return [item["meta"]["sliceName"] for item in items if item["type"] == "CHART"]
