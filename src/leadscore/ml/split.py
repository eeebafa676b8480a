"""Validation splits that do not flatter the model.

Lead scoring is used forward in time: a model trained on last year's leads scores next
month's. So the holdout is the newest slice of cutoffs, every row of a lead sits on one side
only (a lead's later snapshots would otherwise leak its outcome into training), and no
training row is newer than any test row. For exports without dates (x_education) the stated
scheme is stratified K-fold grouped by lead, reported as such.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold


class SplitError(ValueError):
    """The data cannot be split honestly (no time range, an empty side...)."""


@dataclass(frozen=True)
class TimeSplit:
    """Positional row indices of each side and the boundary between them."""

    train_idx: np.ndarray
    test_idx: np.ndarray
    split_at: pd.Timestamp
    dropped_idx: np.ndarray  # older rows of leads that also appear in the test slice
    embargo_days: float = 0.0

    @property
    def description(self) -> str:
        text = (
            f"time split at {self.split_at.isoformat()}: {len(self.train_idx)} train rows "
            f"(older), {len(self.test_idx)} test rows (newer)"
        )
        if self.embargo_days:
            text += (
                f", training cutoffs end {self.embargo_days:g} days before the split so every "
                "training label was observed before the test period"
            )
        if len(self.dropped_idx):
            text += f", {len(self.dropped_idx)} older rows of test leads left out"
        return text


def time_split(
    frame: pd.DataFrame,
    *,
    time_col: str = "cutoff_at",
    lead_col: str | None = "lead_id",
    test_fraction: float = 0.25,
    embargo_days: float = 0.0,
) -> TimeSplit:
    """Newest ``test_fraction`` of the time range is test; older rows train.

    Rows of a lead that has any test row are left out of training (kept whole on the test
    side), so a lead never appears on both sides. ``embargo_days`` additionally leaves a gap
    before the boundary (set it to the label horizon to make sure no training label was
    observed inside the test period).
    """
    if not 0 < test_fraction < 1:
        raise SplitError(f"test_fraction must be in (0, 1), got {test_fraction}")
    times = pd.to_datetime(frame[time_col], errors="coerce")
    if times.isna().all():
        raise SplitError(f"column {time_col!r} has no usable timestamps")
    if times.isna().any():
        raise SplitError(f"column {time_col!r} has {int(times.isna().sum())} missing timestamps")
    t = times.to_numpy()
    t_min, t_max = times.min(), times.max()
    if t_min == t_max:
        raise SplitError(f"all rows share one {time_col!r}; a time split is impossible")
    split_at = t_min + (t_max - t_min) * (1 - test_fraction)
    test_mask = t >= np.datetime64(split_at)
    train_mask = t < np.datetime64(split_at - pd.Timedelta(days=embargo_days))
    dropped = np.zeros(len(frame), dtype=bool)
    if lead_col is not None and lead_col in frame.columns:
        test_leads = frame.loc[test_mask, lead_col].unique()
        in_test = frame[lead_col].isin(test_leads).to_numpy()
        dropped = train_mask & in_test
        train_mask = train_mask & ~in_test
    train_idx = np.flatnonzero(train_mask)
    test_idx = np.flatnonzero(test_mask)
    if len(train_idx) == 0 or len(test_idx) == 0:
        raise SplitError(
            f"time split at {split_at} leaves {len(train_idx)} train and {len(test_idx)} "
            "test rows; widen the date range or change test_fraction"
        )
    return TimeSplit(
        train_idx, test_idx, pd.Timestamp(split_at), np.flatnonzero(dropped), embargo_days
    )


def grouped_stratified_folds(
    y: np.ndarray, groups: np.ndarray | None, *, n_splits: int, seed: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stratified K-fold, grouped by lead when ids are given (for data without dates)."""
    y = np.asarray(y)
    x_dummy = np.zeros(len(y))
    if groups is not None and len(pd.unique(np.asarray(groups))) == len(groups):
        # one row per group (x_education: one row per lead): grouping changes nothing, and
        # StratifiedGroupKFold's greedy search costs seconds per call on 10k groups
        groups = None
    if groups is None:
        folds = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
        return [(tr, te) for tr, te in folds.split(x_dummy, y)]
    folds = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    return [(tr, te) for tr, te in folds.split(x_dummy, y, groups)]


def holdout_split(
    frame: pd.DataFrame,
    y: np.ndarray,
    *,
    fraction: float,
    time_col: str | None,
    lead_col: str | None,
    seed: int,
    embargo_days: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """One inner split (older/newer when dated, else one grouped stratified fold).

    Used inside training for model selection and for fitting the calibrator on data the
    base model did not see. Dated splits are by row with an embargo (see train.py for why
    leads are not grouped).
    """
    if time_col is not None and time_col in frame.columns:
        split = time_split(
            frame,
            time_col=time_col,
            lead_col=None,
            test_fraction=fraction,
            embargo_days=embargo_days,
        )
        return split.train_idx, split.test_idx
    n_splits = max(2, round(1 / fraction))
    groups = frame[lead_col].to_numpy() if lead_col and lead_col in frame.columns else None
    return grouped_stratified_folds(y, groups, n_splits=n_splits, seed=seed)[0]
