"""facetlake's Dagster code location: the dbt project as assets, daily dt partitions, a raw-zone sensor."""
