"""facetlake: an open, SQL-first marketing data warehouse."""

__version__ = "0.1.0"
