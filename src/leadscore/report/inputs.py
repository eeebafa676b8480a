"""What the report needs, as plain pandas objects (independent of where they come from)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

META_KEYS = ("model_version", "trained_at", "dataset", "validation_scheme")


def _require(frame: pd.DataFrame, name: str, columns: tuple[str, ...]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(
            f"ReportInputs.{name} lacks column(s) {missing}; has {list(frame.columns)}"
        )


@dataclass
class ReportInputs:
    """Inputs of one model report.

    - ``holdout``: one row per holdout lead: ``label`` (0/1), ``probability``, ``grade`` (optional).
    - ``scores``: current open-lead scores: ``score`` (0-100), ``grade``.
    - ``previous_scores``: the previous run's scores (same columns) or None on a first run.
    - ``feature_importance``: ``feature``, ``importance`` (signed values are fine).
    - ``metrics``: published metrics, e.g. roc_auc, pr_auc, lift_top_decile, brier, ece,
      n_holdout, positive_rate (missing ones are computed from ``holdout``).
    - ``meta``: model_version, trained_at, dataset, validation_scheme.
    """

    holdout: pd.DataFrame
    scores: pd.DataFrame
    feature_importance: pd.DataFrame
    metrics: dict[str, float] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    previous_scores: pd.DataFrame | None = None
    #: model_backtest and model_monitoring rows (None: the warehouse has no monitoring)
    backtest: pd.DataFrame | None = None
    monitoring: pd.DataFrame | None = None

    def __post_init__(self) -> None:
        _require(self.holdout, "holdout", ("label", "probability"))
        _require(self.scores, "scores", ("score", "grade"))
        _require(self.feature_importance, "feature_importance", ("feature", "importance"))
        if self.previous_scores is not None:
            _require(self.previous_scores, "previous_scores", ("score", "grade"))
