"""The champion measured against the generator's truth, on the same holdout rows.

The generator knows each person's true probability of an opportunity within 90 days of
creation. On the champion's time-based holdout rows, the ROC-AUC of that true probability is
the best a model could be expected to reach; the champion's own holdout ROC-AUC is compared to
it as a ratio, next to its expected calibration error.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from leadscore.evaluate.identity import read_bridge, read_truth
from leadscore.ml import metrics as m


@dataclass(frozen=True)
class TruthComparison:
    rows: int
    matched_rows: int
    model_roc_auc: float
    truth_roc_auc: float
    model_pr_auc: float
    lift_top_decile: float
    ece: float
    base_rate: float

    @property
    def ratio(self) -> float:
        return self.model_roc_auc / self.truth_roc_auc

    def summary(self) -> str:
        return (
            f"champion holdout ROC-AUC {self.model_roc_auc:.4f} vs truth {self.truth_roc_auc:.4f} "
            f"on the same {self.matched_rows:,} rows (ratio {self.ratio:.3f}); "
            f"ECE {self.ece:.4f}, PR-AUC {self.model_pr_auc:.4f}, "
            f"lift@10% {self.lift_top_decile:.2f}, base rate {self.base_rate:.4f}"
        )


def lead_to_person(db_path: Path, truth_dir: Path) -> dict[str, str]:
    """Each lead_id's true person (the person most of its source ids belong to)."""
    truth = read_truth(truth_dir / "persons.csv")
    votes: dict[str, Counter[str]] = {}
    for key, lead in read_bridge(db_path).items():
        person = truth.get(key)
        if person is not None:
            votes.setdefault(lead, Counter())[person] += 1
    return {lead: counter.most_common(1)[0][0] for lead, counter in votes.items()}


def true_probabilities(truth_dir: Path) -> dict[str, float]:
    with (truth_dir / "persons.csv").open(newline="", encoding="utf-8") as handle:
        return {r["person_key"]: float(r["true_probability"]) for r in csv.DictReader(handle)}


def compare_with_truth(db_path: Path, truth_dir: Path) -> TruthComparison:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        holdout = con.sql("select lead_id, label, probability from ml_holdout_predictions").df()
    finally:
        con.close()
    if holdout.empty:
        raise ValueError("ml_holdout_predictions is empty: no champion model has been trained")
    person = lead_to_person(db_path, truth_dir)
    truth_p = true_probabilities(truth_dir)
    holdout["true_probability"] = [
        truth_p.get(person.get(lead, ""), float("nan")) for lead in holdout["lead_id"]
    ]
    matched = holdout.dropna(subset=["true_probability"])
    y, p = matched["label"].to_numpy(), matched["probability"].to_numpy()
    return TruthComparison(
        rows=len(holdout),
        matched_rows=len(matched),
        model_roc_auc=m.roc_auc(y, p),
        truth_roc_auc=m.roc_auc(y, matched["true_probability"].to_numpy()),
        model_pr_auc=m.pr_auc(y, p),
        lift_top_decile=m.lift_at_top_decile(y, p),
        ece=m.expected_calibration_error(y, p),
        base_rate=float(pd.Series(y).mean()),
    )
