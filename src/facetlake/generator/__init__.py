"""The synthetic lake generator: raw-zone files in the contract plus the planted truth."""

from facetlake.generator.core import GenerationSummary, GeneratorConfig, generate_lake

__all__ = ["GenerationSummary", "GeneratorConfig", "generate_lake"]
