"""Which paths of the raw zone are data: `<source>/dt=YYYY-MM-DD/<name>.jsonl[.gz]`, nothing else.

Everything else is skipped with a reason, so a temporary, hidden or misplaced file is reported and never read.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import PurePosixPath

PARTITION = re.compile(r"^dt=(\d{4})-(\d{2})-(\d{2})$")
DATA_NAME = re.compile(r"^[^._].*\.jsonl(\.gz)?$")
# Names writers give a file they have not finished (rsync, curl, browsers, editors, most uploaders).
IN_FLIGHT = re.compile(r"(\.tmp|\.temp|\.part|\.partial|\.inprogress|\.crdownload|\.filepart|~)$", re.IGNORECASE)

SKIP_REASONS = (
    "outside_partition",
    "bad_partition_name",
    "invalid_partition_date",
    "hidden_file",
    "in_flight_file",
    "extension_case",
    "unsupported_extension",
)


def partition_date(folder: str) -> dt.date | None:
    """The arrival date of a `dt=YYYY-MM-DD` folder; None when the name is not one or the date does not exist."""
    match = PARTITION.match(folder)
    if not match:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def skip_reason(relative: PurePosixPath) -> str | None:
    """None when a file (path relative to its source folder) is data, else why it is skipped."""
    parts = relative.parts
    name = parts[-1]
    if len(parts) != 2:
        return "outside_partition"
    if not PARTITION.match(parts[0]):
        return "bad_partition_name"
    if partition_date(parts[0]) is None:
        return "invalid_partition_date"
    if name.startswith((".", "_")):
        return "hidden_file"
    if IN_FLIGHT.search(name):
        return "in_flight_file"
    if not DATA_NAME.match(name):
        if name.lower().endswith((".jsonl", ".jsonl.gz")):
            return "extension_case"
        return "unsupported_extension"
    return None
