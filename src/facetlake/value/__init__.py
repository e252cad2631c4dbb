"""Customer value in Python: the BG/NBD + Gamma-Gamma fits (clv), registered as a fit of the build (fit)."""
