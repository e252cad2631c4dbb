"""The modules that register fits; `load()` imports them (in this order) so facetlake.fits knows every fit."""

from __future__ import annotations

import importlib

FIT_MODULES = ("facetlake.value.fit", "facetlake.attribution.fit", "facetlake.effect.fit")


def load() -> None:
    for module in FIT_MODULES:
        importlib.import_module(module)
