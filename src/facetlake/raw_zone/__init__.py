"""The raw zone as files: which files are data, what each holds, and the manifest a build loads from."""

from facetlake.raw_zone.manifest import READ_STATUSES, ScanReport, read_manifest, scan_raw_zone

__all__ = ["READ_STATUSES", "ScanReport", "read_manifest", "scan_raw_zone"]
