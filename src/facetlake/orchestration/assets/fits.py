"""The build's Python fits (facetlake.fits) as assets between the dbt assets they read and those reading them.

A fit's assets are the tables of the dbt source `fits` it writes (so the models that select from the source
are drawn downstream of it, and Dagster splits the dbt multi-asset into a step before the fit and a step
after it), and it depends on the dbt models it reads. Nothing here names a fit: the registry does.
"""

import json
from collections.abc import Iterator
from pathlib import Path

from dagster import (
    AssetDep,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    MaterializeResult,
    multi_asset,
)
from dagster_dbt import DbtProject

from facetlake import fits
from facetlake.orchestration.assets.dbt_models import FacetlakeDbtTranslator, source_tables
from facetlake.orchestration.resources import FacetlakeResource

FITS_GROUP = "fits"


def model_keys(project: DbtProject, translator: FacetlakeDbtTranslator) -> dict[str, AssetKey]:
    """{model name: its asset key}, from the manifest."""
    manifest = json.loads(Path(project.manifest_path).read_text())
    return {
        props["name"]: translator.get_asset_key(props)
        for props in manifest["nodes"].values()
        if props["resource_type"] == "model"
    }


def build_fit_assets(project: DbtProject, translator: FacetlakeDbtTranslator) -> list[AssetsDefinition]:
    """One multi-asset per registered fit: its source tables, depending on the models it reads."""
    tables = {name: key for key, name in source_tables(project, translator, fits.FITS_SOURCE).items()}
    models = model_keys(project, translator)
    assets = []
    for fit in fits.registered():
        specs = [
            AssetSpec(
                tables[table],
                deps=[AssetDep(models[model]) for model in fit.reads if model in models],
                group_name=FITS_GROUP,
                description=f"fits.{table}, written by the fit `{fit.name}`: {fit.description}",
                kinds={"python"},
            )
            for table in fit.writes
            if table in tables
        ]
        if specs:
            assets.append(_fit_asset(fit.name, specs))
    return assets


def _fit_asset(name: str, specs: list[AssetSpec]) -> AssetsDefinition:
    @multi_asset(name=f"fit_{name}", specs=specs, description=f"The build's fit `{name}` (facetlake.fits).")
    def run_fit(context: AssetExecutionContext, facetlake: FacetlakeResource) -> Iterator[MaterializeResult]:
        results = fits.run_fits(facetlake.lake_path, facetlake.checked_engine(), [name], context.log.info)
        metadata = {key: str(value) for key, value in results.get(name, {}).items()}
        for spec in specs:
            yield MaterializeResult(asset_key=spec.key, metadata=metadata)

    return run_fit
