"""Identity evidence: which identifiers of one planted person appear together in one emitted raw record.

The bound for identity recall that does not depend on the warehouse: two identifiers of a person can only be
linked by a record carrying both (or a chain of such records). Evidence is noted as records are emitted,
without drawing random numbers, and a record the writer then corrupted (a malformed line, quarantined by the
warehouse) is taken back: a pair whose every record was malformed is no evidence.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

Identifier = tuple[str, str]  # (id_type, id_value) as the warehouse keys it


class IdentityEvidence:
    def __init__(self) -> None:
        self.index: dict[tuple[str, str, str, str], int] = {}
        self.person: list[int] = []
        self.pair: list[tuple[str, str, str, str]] = []
        self.source: list[str] = []
        self.first_day: list[int] = []
        self.records = np.zeros(0, dtype=np.int64)

    def pair_id(self, person: int, a: Identifier, b: Identifier, source: str, day: int) -> int:
        """The id of the pair {a, b} of `person`, stored once with the left node key < the right one."""
        if f"{a[0]}:{a[1]}" > f"{b[0]}:{b[1]}":
            a, b = b, a
        key = (a[0], a[1], b[0], b[1])
        k = self.index.get(key)
        if k is None:
            k = len(self.pair)
            self.index[key] = k
            self.person.append(int(person))
            self.pair.append(key)
            self.source.append(source)
            self.first_day.append(int(day))
        elif day < self.first_day[k]:
            self.first_day[k] = int(day)
        return k

    def record_pairs(self, person: int, ids: Sequence[Identifier], source: str, day: int) -> tuple[int, ...]:
        """Every pair inside one record (all its identifiers belong to `person`)."""
        return tuple(
            self.pair_id(person, ids[i], ids[j], source, day) for i in range(len(ids)) for j in range(i + 1, len(ids))
        )

    def _add(self, pair_ids: np.ndarray, sign: int) -> None:
        if len(pair_ids) == 0:
            return
        counts = np.bincount(np.asarray(pair_ids, dtype=np.int64), minlength=len(self.pair))
        if len(self.records) < len(counts):
            self.records = np.concatenate([self.records, np.zeros(len(counts) - len(self.records), np.int64)])
        self.records[: len(counts)] += sign * counts

    def count(self, pair_ids: np.ndarray) -> None:
        """One emitted record per entry (a pair id repeated once per record carrying it)."""
        self._add(pair_ids, 1)

    def take_back(self, tags: Sequence[tuple[int, ...]]) -> None:
        """Records that were written malformed: the pairs of each no longer count for that record."""
        self._add(np.fromiter((k for tag in tags for k in tag), dtype=np.int64), -1)

    def frame(self, date_of: Callable[[int], str]) -> pd.DataFrame:
        """person_id, left_type, left_value, right_type, right_value, source, first_day (business date of the
        earliest record emitted, which in rare cases is a malformed one), records (well-formed records)."""
        records = np.zeros(len(self.pair), dtype=np.int64)
        records[: len(self.records)] = self.records[: len(self.pair)]
        pairs = np.array(self.pair, dtype=object).reshape(-1, 4)
        out = pd.DataFrame(
            {
                "person_id": np.array(self.person, dtype=np.int64),
                "left_type": pairs[:, 0],
                "left_value": pairs[:, 1],
                "right_type": pairs[:, 2],
                "right_value": pairs[:, 3],
                "source": self.source,
                "first_day": [date_of(d) for d in self.first_day],
                "records": records,
            }
        )
        return out[out["records"] > 0].reset_index(drop=True)
