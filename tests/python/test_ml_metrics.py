"""Metric functions against scikit-learn and hand-computed values on tiny inputs."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

from leadscore.ml import metrics as m

Y = np.array([0, 0, 1, 0, 1, 1, 0, 0, 0, 1])
P = np.array([0.1, 0.2, 0.8, 0.3, 0.6, 0.9, 0.4, 0.05, 0.5, 0.7])


def test_ranking_metrics_match_sklearn() -> None:
    assert m.roc_auc(Y, P) == pytest.approx(roc_auc_score(Y, P))
    assert m.pr_auc(Y, P) == pytest.approx(average_precision_score(Y, P))
    assert m.brier(Y, P) == pytest.approx(brier_score_loss(Y, P))


def test_single_class_auc_is_nan_not_error() -> None:
    assert np.isnan(m.roc_auc([1, 1, 1], [0.1, 0.2, 0.3]))


def test_lift_at_top_decile_by_hand() -> None:
    # top 10% of 10 rows = 1 row (p=0.9, y=1): rate 1.0 over base 0.4 -> 2.5
    assert m.lift_at_top_decile(Y, P) == pytest.approx(2.5)
    # top 30%: p=0.9,0.8,0.7 all positive -> 1.0 / 0.4
    assert m.lift_at(Y, P, 0.3) == pytest.approx(2.5)
    assert m.lift_at(Y, P, 0.5) == pytest.approx((4 / 5) / 0.4)


def test_ece_by_hand() -> None:
    y = np.array([0, 1, 0, 1])
    p = np.array([0.2, 0.2, 0.9, 0.9])
    # two equal-frequency bins: {0.2, 0.2} rate 0.5 -> |0.2-0.5|; {0.9,0.9} rate .5 -> .4
    assert m.expected_calibration_error(y, p, n_bins=2) == pytest.approx(0.5 * 0.3 + 0.5 * 0.4)
    perfect = np.array([0.0, 0.0, 1.0, 1.0])
    assert m.expected_calibration_error([0, 0, 1, 1], perfect, n_bins=2) == pytest.approx(0.0)


def test_calibration_by_decile_and_gains_shapes() -> None:
    rng = np.random.default_rng(0)
    p = rng.random(1000)
    y = (rng.random(1000) < p).astype(int)
    table = m.calibration_by_decile(y, p)
    assert list(table["decile"]) == list(range(1, 11))
    assert table["n"].sum() == 1000
    assert table["mean_predicted"].is_monotonic_increasing
    gains = m.cumulative_gains(y, p)
    assert gains["fraction_of_positives"].iloc[-1] == pytest.approx(1.0)
    assert gains["fraction_of_positives"].is_monotonic_increasing
    assert gains["lift"].iloc[0] == pytest.approx(m.lift_at_top_decile(y, p))


def test_psi_zero_for_identical_and_large_for_shifted() -> None:
    rng = np.random.default_rng(1)
    base = rng.normal(0, 1, 20_000)
    assert m.population_stability_index(base, base) == pytest.approx(0.0, abs=1e-9)
    same_dist = rng.normal(0, 1, 20_000)
    assert m.population_stability_index(base, same_dist) < 0.01
    shifted = rng.normal(1.0, 1, 20_000)
    assert m.population_stability_index(base, shifted) > 0.25
