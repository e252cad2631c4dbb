"""Erasure of a person (PIPL art. 47, GDPR art. 17): `facetlake erase`.

identifiers.py  what an identifier is as the warehouse keys it, and its suppression hash
suppression.py  the suppression list (hashes only) and the erasure log under <lake>/erasure/
rewrite.py      raw files rewritten without the lines of a suppressed identifier (run by the manifest scan)
service.py      resolve -> suppress -> rewrite raw -> delete persisted rows -> exports/uploads -> build -> verify
"""
