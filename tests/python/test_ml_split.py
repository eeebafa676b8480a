"""Time split honesty: newer cutoffs test, older train, a lead never on both sides."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from leadscore.ml.split import SplitError, grouped_stratified_folds, time_split
from leadscore.ml.synthetic import make_examples


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("fraction", [0.1, 0.25, 0.5])
def test_time_split_never_trains_on_later_cutoffs(seed: int, fraction: float) -> None:
    frame = make_examples(3000, seed=seed, max_snapshots=6)
    split = time_split(frame, test_fraction=fraction)
    train, test = frame.iloc[split.train_idx], frame.iloc[split.test_idx]
    assert train["cutoff_at"].max() < test["cutoff_at"].min()
    assert set(train["lead_id"]).isdisjoint(test["lead_id"])
    # nothing is silently lost: every row is train, test or a dropped older row of a test lead
    assert len(split.train_idx) + len(split.test_idx) + len(split.dropped_idx) == len(frame)
    assert frame.iloc[split.dropped_idx]["lead_id"].isin(test["lead_id"]).all()
    span = frame["cutoff_at"].max() - frame["cutoff_at"].min()
    assert test["cutoff_at"].min() >= frame["cutoff_at"].min() + span * (1 - fraction)


def test_embargo_leaves_a_gap() -> None:
    frame = make_examples(3000, seed=3)
    split = time_split(frame, test_fraction=0.25, embargo_days=90)
    train = frame.iloc[split.train_idx]
    assert train["cutoff_at"].max() < split.split_at - pd.Timedelta(days=90)


def test_time_split_refuses_a_single_timestamp() -> None:
    frame = pd.DataFrame({"lead_id": ["a", "b"], "cutoff_at": ["2024-01-01"] * 2})
    with pytest.raises(SplitError, match="one 'cutoff_at'"):
        time_split(frame)


def test_grouped_folds_keep_leads_together_and_stratify() -> None:
    frame = make_examples(2000, seed=4)
    y = frame["label"].to_numpy()
    folds = grouped_stratified_folds(y, frame["lead_id"].to_numpy(), n_splits=5, seed=0)
    seen = np.zeros(len(y), dtype=int)
    for train, test in folds:
        assert set(frame["lead_id"].iloc[train]).isdisjoint(frame["lead_id"].iloc[test])
        assert abs(y[test].mean() - y.mean()) < 0.05
        seen[test] += 1
    assert (seen == 1).all()
