"""The demo's stand-in for sources delivering logs: land one day of a synthetic lake into the raw zone.

`facetlake demo` writes a whole synthetic lake once to <lake>/synthetic/raw/; this partitioned asset copies
day dt's files into <lake>/raw/, the way a source would deliver them, so the pipeline meets the days one by
one. Its assets are the dbt sources of the raw zone, so the lineage reads raw -> staging -> marts. On a real
lake the sources write raw/ themselves and this asset is never run; the sensor notices their files.
"""

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from dagster import (
    AssetExecutionContext,
    AssetsDefinition,
    AssetSpec,
    BackfillPolicy,
    Failure,
    MaterializeResult,
    PartitionsDefinition,
    multi_asset,
)
from dagster_dbt import DbtProject

from facetlake import paths
from facetlake.orchestration.assets.dbt_models import (
    RAW_SOURCE,
    SOURCE_GROUPS,
    FacetlakeDbtTranslator,
    source_tables,
)
from facetlake.orchestration.resources import FacetlakeResource

LANDING_ASSETS_NAME = "land_synthetic_logs"


@dataclass(frozen=True)
class Landed:
    files: int
    bytes: int


def land_day(lake: Path, source: str, dt: str) -> Landed | None:
    """Copy synthetic/raw/<source>/dt=<dt>/ to raw/<source>/dt=<dt>/; None when that day has no files.

    The copy is made under a hidden name and renamed into place, so neither the sensor nor a build ever
    sees a half-landed day; landing a day again replaces it.
    """
    origin = paths.synthetic_raw(lake) / source / f"dt={dt}"
    if not origin.is_dir():
        return None
    target = paths.raw_zone(lake) / source / f"dt={dt}"
    staging = target.with_name(f".landing-dt={dt}")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(origin, staging)
    if target.exists():
        replaced = target.with_name(f".replaced-dt={dt}")
        shutil.rmtree(replaced, ignore_errors=True)
        os.replace(target, replaced)
        os.replace(staging, target)
        shutil.rmtree(replaced)
    else:
        os.replace(staging, target)
    files = [f for f in target.iterdir() if f.is_file()]
    return Landed(files=len(files), bytes=sum(f.stat().st_size for f in files))


def build_landing_assets(
    project: DbtProject, partitions_def: PartitionsDefinition, translator: FacetlakeDbtTranslator
) -> AssetsDefinition:
    folders = source_tables(project, translator, RAW_SOURCE)
    specs = [
        AssetSpec(
            key,
            group_name=SOURCE_GROUPS[RAW_SOURCE],
            description=f"Raw-zone files of {folder}: <lake>/raw/{folder}/dt=<dt>/*.jsonl[.gz].",
            kinds={"python", "file"},
            skippable=True,
            partitions_def=partitions_def,
        )
        for key, folder in folders.items()
    ]

    @multi_asset(
        name=LANDING_ASSETS_NAME,
        specs=specs,
        partitions_def=partitions_def,
        can_subset=True,
        description=__doc__,
        backfill_policy=BackfillPolicy.single_run(),
    )
    def land_synthetic_logs(
        context: AssetExecutionContext, facetlake: FacetlakeResource
    ) -> Iterator[MaterializeResult]:
        lake = facetlake.lake_path
        if not paths.synthetic_raw(lake).is_dir():
            raise Failure(
                f"{paths.synthetic_raw(lake)} does not exist: landing copies days of a synthetic lake. Run "
                f"`facetlake demo --lake {lake}` (or `facetlake generate --lake {lake}/synthetic`) first; "
                "a real lake's sources write raw/ themselves and need no landing."
            )
        # One run may land a range of days (a backfill in one run).
        for key in sorted(context.selected_asset_keys):
            days = [d for d in (land_day(lake, folders[key], dt) for dt in context.partition_keys) if d]
            if not days:
                context.log.info(f"{folders[key]} has no files for {', '.join(context.partition_keys)}")
                continue
            yield MaterializeResult(
                asset_key=key,
                metadata={
                    "days_with_files": len(days),
                    "files": sum(d.files for d in days),
                    "bytes": sum(d.bytes for d in days),
                },
            )

    return land_synthetic_logs
