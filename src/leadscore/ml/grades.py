"""Mapping probabilities and points to the 0-100 scores, percentiles and A1-D4 grades."""

from __future__ import annotations

import numpy as np
import pandas as pd

from leadscore.ml.policy import ScoringPolicy


def to_0_100(values: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Position of each value in a reference distribution, as 0-100 (float, NaN kept).

    ``reference`` holds sorted quantiles of the training-time outputs; the mid-rank handles
    plateaus (isotonic calibration gives many equal probabilities). The mapping is fixed per
    model, so a lead's score only moves when its features move, not because the rest of this
    month's leads did.
    """
    v = np.asarray(values, dtype=np.float64)
    ref = np.sort(np.asarray(reference, dtype=np.float64))
    lo = np.searchsorted(ref, v, side="left")
    hi = np.searchsorted(ref, v, side="right")
    out = 100.0 * (lo + hi) / (2.0 * len(ref))
    out[np.isnan(v)] = np.nan
    return out


def to_int_score(values: np.ndarray) -> pd.array:
    """Round to nullable integers clipped to 0-100."""
    v = np.clip(np.round(np.asarray(values, dtype=np.float64)), 0, 100)
    return pd.array(np.where(np.isnan(v), None, v), dtype="Int64")


def percentile_among(values: np.ndarray) -> np.ndarray:
    """0-100 percentile of each value among the non-missing values of this run."""
    s = pd.Series(np.asarray(values, dtype=np.float64))
    return (s.rank(method="average", pct=True) * 100).round(2).to_numpy()


def fit_letter(fit_score: np.ndarray, policy: ScoringPolicy) -> np.ndarray:
    f = np.asarray(fit_score, dtype=np.float64)
    out = np.select(
        [f >= policy.grade_fit_a, f >= policy.grade_fit_b, f >= policy.grade_fit_c, ~np.isnan(f)],
        ["A", "B", "C", "D"],
        default="",
    )
    return out.astype(object)


def engagement_digit(engagement_score: np.ndarray, policy: ScoringPolicy) -> np.ndarray:
    e = np.asarray(engagement_score, dtype=np.float64)
    out = np.select(
        [
            e >= policy.grade_engagement_1,
            e >= policy.grade_engagement_2,
            e >= policy.grade_engagement_3,
            ~np.isnan(e),
        ],
        ["1", "2", "3", "4"],
        default="",
    )
    return out.astype(object)


def grades(
    fit_score: np.ndarray, engagement_score: np.ndarray, policy: ScoringPolicy
) -> np.ndarray:
    """Grade like ``A1``: fit letter by fit cut-offs + engagement digit by engagement cut-offs.

    None where either part is missing.
    """
    letters = fit_letter(fit_score, policy)
    digits = engagement_digit(engagement_score, policy)
    out = letters + digits
    out[(letters == "") | (digits == "")] = None
    return out
