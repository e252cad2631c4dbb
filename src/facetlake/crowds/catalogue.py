"""The governed tag catalogue as the rule compiler sees it, read from the repository's seed."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from facetlake import paths

FAMILIES: dict[str, str] = {
    "basic_attributes": "Basic attributes",
    "purchasing_power": "Purchasing power",
    "behaviour": "Behaviour",
    "social": "Social",
    "lifestyle": "Psychological and lifestyle",
    "interest": "Interest preferences",
}


@dataclass(frozen=True)
class Tag:
    tag_id: str
    family: str
    name: str
    definition: str
    value_kind: str  # flag | category | level
    allowed_values: tuple[str, ...]  # empty for open categories
    has_score: bool

    @property
    def column(self) -> str:
        return self.tag_id

    @property
    def score_column(self) -> str:
        return f"{self.tag_id}_score"


def catalogue_path() -> Path:
    return paths.project_dir() / "seeds" / "tag_catalogue.csv"


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> dict[str, Tag]:
    tags: dict[str, Tag] = {}
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            kind = row["value_kind"].strip()
            allowed = tuple(v for v in (row.get("allowed_values") or "").split("|") if v)
            if kind == "flag":
                allowed = ("yes",)
            elif kind == "level" and not allowed:
                allowed = ("low", "medium", "high")
            tags[row["tag_id"]] = Tag(
                tag_id=row["tag_id"],
                family=row["family"],
                name=row["tag_name"],
                definition=row["definition"],
                value_kind=kind,
                allowed_values=allowed,
                has_score=bool((row.get("score_sql") or "").strip()),
            )
    return tags


def load_catalogue(path: Path | None = None) -> dict[str, Tag]:
    """tag_id -> Tag, from seeds/tag_catalogue.csv (the file the warehouse's tags are generated from)."""
    p = path or catalogue_path()
    if not p.exists():
        raise FileNotFoundError(f"No tag catalogue at {p}; the repository's seeds/tag_catalogue.csv is missing.")
    return _load(str(p), p.stat().st_mtime)
