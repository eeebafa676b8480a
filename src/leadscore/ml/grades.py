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
    missing = np.isnan(v)
    return pd.arrays.IntegerArray(np.where(missing, 0, v).astype(np.int64), missing)


def percentile_of_counts(counts: np.ndarray) -> np.ndarray:
    """0-100 mid-rank percentile of each distinct value, given how many times each of the
    sorted distinct non-missing values occurs (rounded to 2 decimals).

    Engines that score in parts (Spark's mapInPandas) count the values across all parts and
    map each value through this, so the percentile is the same as :func:`percentile_among`
    over the whole run.
    """
    k = np.asarray(counts, dtype=np.float64)
    below = np.cumsum(k) - k
    return np.round((below + (k + 1.0) / 2.0) / k.sum() * 100, 2)


def percentile_among(values: np.ndarray) -> np.ndarray:
    """0-100 percentile of each value among the non-missing values of this run (mid-rank
    for ties, NaN kept)."""
    v = np.asarray(values, dtype=np.float64)
    out = np.full(len(v), np.nan)
    known = ~np.isnan(v)
    if known.any():
        _, inverse, counts = np.unique(v[known], return_inverse=True, return_counts=True)
        out[known] = percentile_of_counts(counts)[inverse.reshape(-1)]
    return out


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


def part_indices(
    features: list[str], groups: dict[str, str], policy: ScoringPolicy
) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the fit-group and engagement-group features among ``features``."""
    fit = [i for i, f in enumerate(features) if groups.get(f) in policy.fit_groups]
    eng = [i for i, f in enumerate(features) if groups.get(f) in policy.engagement_groups]
    return np.asarray(fit, dtype=np.intp), np.asarray(eng, dtype=np.intp)


def part_sums(
    contributions: np.ndarray, fit_idx: np.ndarray, eng_idx: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Fit part and engagement part of each lead's log-odds (sums of its contributions).

    The grade is read from these two parts of the *model's own* score, so a lead cannot be
    A1 on two side models while the model ranks it low: log-odds = reference + fit part +
    engagement part + the rest (features in neither group).
    """
    c = np.asarray(contributions, dtype=np.float64)
    fit = c[:, fit_idx].sum(axis=1) if len(fit_idx) else np.full(len(c), np.nan)
    eng = c[:, eng_idx].sum(axis=1) if len(eng_idx) else np.full(len(c), np.nan)
    return fit, eng


def conversion_by_grade(labels: np.ndarray, grade_values: np.ndarray) -> pd.DataFrame:
    """Rows, conversions and rate per grade (letter x digit), grades in A1..D4 order."""
    frame = pd.DataFrame({"grade": grade_values, "label": np.asarray(labels, dtype=float)})
    frame = frame.dropna(subset=["grade"])
    out = frame.groupby("grade")["label"].agg(n="size", conversions="sum").reset_index()
    out["conversion_rate"] = out["conversions"] / out["n"]
    out["letter"] = out["grade"].str[0]
    out["digit"] = out["grade"].str[1:]
    return out.sort_values(["letter", "digit"]).reset_index(drop=True)


def monotonicity_violations(
    table: pd.DataFrame, tolerance: float, min_cell: int, *, z: float = 0.0
) -> pd.DataFrame:
    """Adjacent grade pairs where the better grade converts worse by more than allowed.

    Better = earlier letter at the same digit (B3 -> A3) or lower digit at the same letter
    (A2 -> A1). Cells with fewer than ``min_cell`` rows are not compared. Allowed: the
    policy ``tolerance`` plus ``z`` standard errors of the difference of the two cells'
    rates (``z = 0``: the tolerance alone), so a small holdout's noise is not read as a
    grade that contradicts the score.
    """
    cells = {
        (r.letter, r.digit): (float(r.conversion_rate), int(r.n))
        for r in table.itertuples()
        if r.n >= min_cell
    }
    letters, digits = "ABCD", "1234"
    rows = []
    for li, letter in enumerate(letters):
        for di, digit in enumerate(digits):
            here = cells.get((letter, digit))
            if here is None:
                continue
            for better in (
                (letters[li - 1], digit) if li > 0 else None,
                (letter, digits[di - 1]) if di > 0 else None,
            ):
                if better is None or better not in cells:
                    continue
                top = cells[better]
                drop = here[0] - top[0]
                se = float(
                    np.sqrt(here[0] * (1 - here[0]) / here[1] + top[0] * (1 - top[0]) / top[1])
                )
                allowed = tolerance + z * se
                if drop > allowed:
                    rows.append(
                        {
                            "better_grade": "".join(better),
                            "better_rate": top[0],
                            "worse_grade": letter + digit,
                            "worse_rate": here[0],
                            "excess": drop,
                            "allowed": allowed,
                        }
                    )
    return pd.DataFrame(
        rows,
        columns=[
            "better_grade",
            "better_rate",
            "worse_grade",
            "worse_rate",
            "excess",
            "allowed",
        ],
    )
