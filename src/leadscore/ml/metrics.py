"""Model-quality and drift metrics published every run.

Ranking (ROC-AUC, PR-AUC, lift, gains) says whether reps call the right leads first;
calibration (Brier, ECE, calibration by decile) says whether ``conversion_probability`` can be
read as a probability; PSI says whether today's scores look like the ones the model was
validated on.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score


def _arrays(y_true: Any, y_prob: Any) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y_true, dtype=np.float64).ravel()
    p = np.asarray(y_prob, dtype=np.float64).ravel()
    if y.shape != p.shape:
        raise ValueError(f"y_true and y_prob differ in length: {y.shape} vs {p.shape}")
    return y, p


def roc_auc(y_true: Any, y_prob: Any) -> float:
    """ROC-AUC; NaN (not an error) when only one class is present."""
    y, p = _arrays(y_true, y_prob)
    if len(np.unique(y)) < 2:
        return float("nan")
    return float(roc_auc_score(y, p))


def pr_auc(y_true: Any, y_prob: Any) -> float:
    """Average precision (area under the precision-recall curve)."""
    y, p = _arrays(y_true, y_prob)
    if y.sum() == 0:
        return float("nan")
    return float(average_precision_score(y, p))


def brier(y_true: Any, y_prob: Any) -> float:
    y, p = _arrays(y_true, y_prob)
    return float(brier_score_loss(y, p))


def _rank_desc(p: np.ndarray) -> np.ndarray:
    """Indices from highest to lowest score; ties keep input order (deterministic)."""
    return np.argsort(-p, kind="stable")


def lift_at(y_true: Any, y_prob: Any, fraction: float = 0.1) -> float:
    """Conversion rate among the top ``fraction`` of leads divided by the overall rate."""
    y, p = _arrays(y_true, y_prob)
    if len(y) == 0 or y.mean() == 0:
        return float("nan")
    k = max(1, math.ceil(fraction * len(y)))
    top = y[_rank_desc(p)[:k]]
    return float(top.mean() / y.mean())


def lift_at_top_decile(y_true: Any, y_prob: Any) -> float:
    return lift_at(y_true, y_prob, 0.1)


def _equal_frequency_bins(p: np.ndarray, n_bins: int) -> list[np.ndarray]:
    order = np.argsort(p, kind="stable")
    return [b for b in np.array_split(order, n_bins) if len(b)]


def expected_calibration_error(y_true: Any, y_prob: Any, n_bins: int = 10) -> float:
    """ECE over ``n_bins`` equal-frequency bins: sum of bin share x |mean prob - rate|."""
    y, p = _arrays(y_true, y_prob)
    if len(y) == 0:
        return float("nan")
    total = 0.0
    for idx in _equal_frequency_bins(p, n_bins):
        total += len(idx) / len(y) * abs(p[idx].mean() - y[idx].mean())
    return float(total)


def calibration_by_decile(y_true: Any, y_prob: Any, n_bins: int = 10) -> pd.DataFrame:
    """Equal-frequency bins (1 = lowest predicted) with mean predicted vs observed rate.

    Columns: decile, n, mean_predicted, observed_rate, min_predicted, max_predicted.
    """
    y, p = _arrays(y_true, y_prob)
    rows = []
    for i, idx in enumerate(_equal_frequency_bins(p, n_bins), start=1):
        rows.append(
            {
                "decile": i,
                "n": len(idx),
                "mean_predicted": float(p[idx].mean()),
                "observed_rate": float(y[idx].mean()),
                "min_predicted": float(p[idx].min()),
                "max_predicted": float(p[idx].max()),
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "decile",
            "n",
            "mean_predicted",
            "observed_rate",
            "min_predicted",
            "max_predicted",
        ],
    )


def cumulative_gains(y_true: Any, y_prob: Any, n_bins: int = 10) -> pd.DataFrame:
    """Share of all conversions captured when calling the top x% of leads.

    Columns: fraction_of_leads (0.1 .. 1.0), fraction_of_positives, lift.
    """
    y, p = _arrays(y_true, y_prob)
    ranked = y[_rank_desc(p)]
    positives = ranked.sum()
    rows = []
    for i in range(1, n_bins + 1):
        frac = i / n_bins
        k = max(1, math.ceil(frac * len(y)))
        captured = ranked[:k].sum() / positives if positives else float("nan")
        rows.append(
            {
                "fraction_of_leads": frac,
                "fraction_of_positives": float(captured),
                "lift": float(captured / (k / len(y))) if positives else float("nan"),
            }
        )
    return pd.DataFrame(rows, columns=["fraction_of_leads", "fraction_of_positives", "lift"])


def population_stability_index(
    expected: Any, actual: Any, n_bins: int = 10, eps: float = 1e-4
) -> float:
    """PSI of ``actual`` against ``expected`` with bins at the expected quantiles.

    Rule of thumb: < 0.1 stable, 0.1-0.25 moderate shift, > 0.25 investigate.
    """
    e = np.asarray(expected, dtype=np.float64).ravel()
    a = np.asarray(actual, dtype=np.float64).ravel()
    e = e[~np.isnan(e)]
    a = a[~np.isnan(a)]
    if len(e) == 0 or len(a) == 0:
        return float("nan")
    edges = np.unique(np.quantile(e, np.linspace(0, 1, n_bins + 1)[1:-1]))
    e_share = np.bincount(np.searchsorted(edges, e, side="right"), minlength=len(edges) + 1)
    a_share = np.bincount(np.searchsorted(edges, a, side="right"), minlength=len(edges) + 1)
    e_share = np.clip(e_share / len(e), eps, None)
    a_share = np.clip(a_share / len(a), eps, None)
    return float(np.sum((a_share - e_share) * np.log(a_share / e_share)))


def summary(y_true: Any, y_prob: Any) -> dict[str, float]:
    """The metrics published per model and per run (all plain floats, JSON-ready)."""
    y, p = _arrays(y_true, y_prob)
    return {
        "roc_auc": roc_auc(y, p),
        "pr_auc": pr_auc(y, p),
        "lift_top_decile": lift_at_top_decile(y, p),
        "brier": brier(y, p),
        "ece": expected_calibration_error(y, p),
        "n": float(len(y)),
        "positive_rate": float(y.mean()) if len(y) else float("nan"),
        "mean_predicted": float(p.mean()) if len(p) else float("nan"),
    }
