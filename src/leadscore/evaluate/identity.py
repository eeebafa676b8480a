"""Identity resolution measured against the generator's truth.

Pairwise precision and recall of "these two source ids are the same person": every pair of
source ids that the warehouse puts under one `lead_id` is a predicted pair; every pair that
`truth/persons.csv` lists under one `person_key` is a true pair. Only ids known to both sides
are compared (soft-deleted or rejected rows never reach the bridge); coverage is reported too.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb

SourceKey = tuple[str, str, str]  # (source_system, source_entity, source_id)

# truth/persons.csv column -> (source_system, source_entity) in bridge_lead_identities
TRUTH_COLUMNS: dict[str, tuple[str, str]] = {
    "sf_lead_ids": ("salesforce", "Lead"),
    "sf_contact_id": ("salesforce", "Contact"),
    "hubspot_record_ids": ("hubspot", "contacts"),
    "marketo_ids": ("marketo", "leads"),
    "web_anonymous_ids": ("web", "events"),
}


@dataclass(frozen=True)
class IdentityScore:
    precision: float
    recall: float
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int
    compared_ids: int
    truth_ids: int
    predicted_ids: int

    def summary(self) -> str:
        return (
            f"identity resolution: precision {self.precision:.4f}, recall {self.recall:.4f} "
            f"(pairs: {self.correct_pairs} correct / {self.predicted_pairs} predicted / "
            f"{self.true_pairs} true; ids compared {self.compared_ids} of "
            f"{self.truth_ids} in truth, {self.predicted_ids} in the bridge)"
        )


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def read_truth(persons_csv: Path) -> dict[SourceKey, str]:
    """Map every source id listed in truth/persons.csv to its person_key."""
    truth: dict[SourceKey, str] = {}
    with persons_csv.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            for column, (system, entity) in TRUTH_COLUMNS.items():
                for source_id in (row.get(column) or "").split("|"):
                    if source_id.strip():
                        truth[(system, entity, source_id.strip())] = row["person_key"]
    return truth


def read_bridge(db_path: Path, relation: str = "bridge_lead_identities") -> dict[SourceKey, str]:
    """Map every source id in the warehouse bridge to its lead_id (read-only connection)."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        rows = con.sql(
            f"select source_system, source_entity, source_id, lead_id from {relation}"
        ).fetchall()
    finally:
        con.close()
    return {(system, entity, str(source_id)): lead for system, entity, source_id, lead in rows}


def pairwise_score(
    predicted: Mapping[SourceKey, str], truth: Mapping[SourceKey, str]
) -> IdentityScore:
    """Pairwise precision/recall over the source ids present in both mappings."""
    common: Iterable[SourceKey] = predicted.keys() & truth.keys()
    cells: Counter[tuple[str, str]] = Counter()
    predicted_sizes: Counter[str] = Counter()
    true_sizes: Counter[str] = Counter()
    compared = 0
    for key in common:
        compared += 1
        cells[(predicted[key], truth[key])] += 1
        predicted_sizes[predicted[key]] += 1
        true_sizes[truth[key]] += 1
    correct = sum(_pairs(n) for n in cells.values())
    predicted_pairs = sum(_pairs(n) for n in predicted_sizes.values())
    true_pairs = sum(_pairs(n) for n in true_sizes.values())
    return IdentityScore(
        precision=correct / predicted_pairs if predicted_pairs else 1.0,
        recall=correct / true_pairs if true_pairs else 1.0,
        true_pairs=true_pairs,
        predicted_pairs=predicted_pairs,
        correct_pairs=correct,
        compared_ids=compared,
        truth_ids=len(truth),
        predicted_ids=len(predicted),
    )


def evaluate_identity(db_path: Path, truth_dir: Path) -> IdentityScore:
    """Score the bridge in `db_path` against `truth_dir/persons.csv`."""
    return pairwise_score(read_bridge(db_path), read_truth(truth_dir / "persons.csv"))
