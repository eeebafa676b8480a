"""Monitoring on small data: outcome backtest, like-for-like drift, segment shift, trigger."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from leadscore.ml import monitoring
from leadscore.ml.metrics import population_stability_index

SNAPSHOTS = (0, 7, 14, 28, 42, 63, 91)


def _outcomes(n: int = 2000, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    p = rng.uniform(0.01, 0.4, n)
    y = (rng.uniform(size=n) < p).astype(int)
    return pd.DataFrame(
        {
            "scoring_run_id": "r1",
            "as_of": pd.Timestamp("2026-01-01"),
            "model_version": "m1",
            "conversion_probability": p,
            "converted": y,
            "grade": np.where(p > 0.2, "A1", "D4"),
            "industry": rng.choice(["software", "retail"], n),
        }
    )


def _metric(frame: pd.DataFrame, metric: str, bucket: str | None = None) -> float:
    rows = frame[frame["metric"] == metric]
    rows = rows[rows["bucket"].isna()] if bucket is None else rows[rows["bucket"] == bucket]
    assert len(rows) == 1, (metric, bucket)
    return float(rows["value"].iloc[0])


def test_backtest_measures_ranking_calibration_and_grades_per_run() -> None:
    good = _outcomes()
    # a second run whose scores are noise and twice too high: ranking and calibration fail
    bad = _outcomes(seed=1).assign(scoring_run_id="r2", as_of=pd.Timestamp("2026-02-01"))
    bad["conversion_probability"] = np.random.default_rng(2).uniform(0.2, 0.6, len(bad))
    frame = monitoring.backtest(pd.concat([good, bad]))
    r1, r2 = frame[frame["scoring_run_id"] == "r1"], frame[frame["scoring_run_id"] == "r2"]
    assert _metric(r1, "realised_roc_auc") > 0.65
    assert abs(_metric(r2, "realised_roc_auc") - 0.5) < 0.05
    assert abs(_metric(r1, "calibration_in_the_large")) < 0.02
    assert _metric(r2, "calibration_in_the_large") < -0.15
    assert _metric(r1, "lift_top_decile") > 1.5
    a1 = good[good["grade"] == "A1"]["converted"].mean()
    assert _metric(r1, "grade_conversion_rate", "A1") == pytest.approx(a1)
    assert _metric(r1, "n_rows") == len(good)


def test_backtest_needs_its_columns() -> None:
    with pytest.raises(KeyError, match="converted"):
        monitoring.backtest(_outcomes().drop(columns=["converted"]))


def test_weighted_psi_is_zero_for_the_same_population_and_large_for_a_shift() -> None:
    rng = np.random.default_rng(0)
    ref = rng.normal(0, 1, 5000)
    assert monitoring.weighted_psi(ref, rng.normal(0, 1, 3000)) < 0.02
    assert monitoring.weighted_psi(ref, rng.normal(1, 1, 3000)) > 0.25
    # unweighted numeric PSI agrees with the existing one
    cur = rng.normal(0.3, 1, 3000)
    assert monitoring.weighted_psi(ref, cur) == pytest.approx(
        population_stability_index(ref, cur), rel=0.05
    )
    cats = pd.Series(rng.choice(["a", "b", "c"], 4000))
    assert monitoring.weighted_psi(cats, cats.sample(1000, random_state=1), kind="cat") < 0.02
    assert monitoring.weighted_psi(cats, pd.Series(["a"] * 1000), kind="cat") > 0.25


def _population(n: int, ages: np.ndarray, seed: int, shift: float = 0.0) -> pd.DataFrame:
    """Engagement falls with age; `shift` moves it at every age (real drift)."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "lead_age_days": ages,
            "eng_events_30d": rng.poisson(np.maximum(0.2, 6.0 - ages / 20.0 + shift)),
            "industry": rng.choice(["software", "retail"], n),
        }
    )


def test_drift_like_for_like_ignores_the_age_mix_and_sees_a_real_shift() -> None:
    rng = np.random.default_rng(3)
    ref = _population(7000, rng.choice(SNAPSHOTS, 7000), seed=4)
    # open leads: mostly young (age mix unlike the training snapshots), plus old ones
    young = rng.choice([0, 1, 2, 6, 7, 8], 2000)
    old = rng.integers(120, 500, 3000)
    same = _population(5000, np.concatenate([young, old]), seed=5)
    kinds = {"eng_events_30d": "numeric", "industry": "categorical", "lead_age_days": "numeric"}
    like = monitoring.feature_drift(ref, same, kinds, SNAPSHOTS, 3)
    naive = monitoring.weighted_psi(ref["eng_events_30d"], same["eng_events_30d"])
    psi = like.set_index("subject")["value"]
    assert naive > 0.25  # whole populations: the age mix alone looks like drift
    assert psi["eng_events_30d"] < 0.05  # like for like: no drift
    assert "lead_age_days" not in psi.index
    assert like["compared_rows"].iloc[0] == 2000  # the old leads are not compared
    assert "2,000 of 5,000 open leads" in like["compared_population"].iloc[0]
    moved = _population(5000, np.concatenate([young, old]), seed=5, shift=3.0)
    assert (
        monitoring.feature_drift(ref, moved, kinds, SNAPSHOTS, 3).set_index("subject")["value"][
            "eng_events_30d"
        ]
        > 0.25
    )


def test_comparable_populations_weights_reference_to_the_compared_age_mix() -> None:
    comp = monitoring.comparable_populations(
        [0, 0, 0, 7, 91], [1, 1, 6, 200], SNAPSHOTS, tolerance_days=3
    )
    assert comp.compared_mask.tolist() == [True, True, True, False]
    # compared: 2/3 at age 0, 1/3 at age 7; reference: 3/4 at 0, 1/4 at 7 (91 unused)
    assert comp.reference_mask.tolist() == [True, True, True, True, False]
    w = comp.reference_weights
    assert w[:3].sum() / w[:4].sum() == pytest.approx(2 / 3)
