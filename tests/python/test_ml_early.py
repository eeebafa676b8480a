"""The early-label rule (leadscore.ml.early): a challenger trained after a monitor's breach
learns from partly matured examples and so sees a shift months before its labels mature."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from leadscore import pipeline
from leadscore.ml import FeatureSpec, ScoringPolicy
from leadscore.ml import early as ml_early
from leadscore.ml.synthetic import make_examples, synthetic_catalog
from leadscore.ml.train import train_and_evaluate
from leadscore.simulate import _auc

AS_OF = pd.Timestamp("2025-06-01")
SHIFT_AT = AS_OF - pd.Timedelta(days=120)
SHIFTED = "education"  # its conversion odds x e^2.5 from SHIFT_AT on


def _with_outcomes(frame: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Synthetic examples with a snapshot age, a shift of one industry's conversion odds from
    SHIFT_AT on, and a conversion day (uniform over the 90-day horizon) per positive."""
    rng = np.random.default_rng(seed)
    frame = frame.copy()
    frame["lead_age_days"] = frame.groupby("lead_id").cumcount() * 7
    p = frame["true_probability"].to_numpy(float)
    shifted = (frame["industry"] == SHIFTED) & (frame["cutoff_at"] >= SHIFT_AT)
    logit = np.log(p / (1 - p)) + np.where(shifted, 2.5, 0.0)
    frame["true_probability"] = 1 / (1 + np.exp(-logit))
    frame["label"] = (rng.random(len(frame)) < frame["true_probability"]).astype("int64")
    days = rng.uniform(1, 90, size=len(frame))
    frame["opportunity_at"] = frame["cutoff_at"] + pd.to_timedelta(
        np.where(frame["label"] == 1, days, np.nan), unit="D"
    )
    frame["cutoff_id"] = frame["lead_id"] + "|" + frame["cutoff_at"].astype(str)
    return frame.drop(columns=["sales_qualified"])


@pytest.fixture(scope="module")
def spec() -> FeatureSpec:
    return FeatureSpec.from_frame(synthetic_catalog())


@pytest.fixture(scope="module")
def policy() -> ScoringPolicy:
    return ScoringPolicy(
        max_threads=1,
        min_examples=50,
        min_positives=10,
        hgb_max_iter=100,
        early_label_min_age_days=28,
        early_label_half_life_days=90,
    )


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    """Every example whose cutoff is before AS_OF (outcomes as known at any later time)."""
    frame = make_examples(6000, seed=5, start="2024-01-01", days=517, max_snapshots=3)
    frame = _with_outcomes(frame, seed=6)
    return frame[frame["cutoff_at"] < AS_OF].reset_index(drop=True)


def test_labels_at_a_clock_are_conversions_so_far(history: pd.DataFrame) -> None:
    known = ml_early.labels_at(history, AS_OF, 90, 28)
    age = (AS_OF - known["cutoff_at"]) / pd.Timedelta(days=1)
    assert age.min() >= 28
    assert known["matured"].equals(age >= 90)
    assert (known["label_age_days"] == np.minimum(age, 90)).all()
    days = (known["opportunity_at"] - known["cutoff_at"]) / pd.Timedelta(days=1)
    assert (known["label"] == ((days > 0) & (days <= known["label_age_days"]))).all()
    # a young example can be positive only once its opportunity came before the clock
    young = known[~known["matured"]]
    assert (young.loc[young["label"] == 1, "opportunity_at"] <= AS_OF).all()
    assert (young["label"] == 0).any() and (young["label"] == 1).any()
    # matured rows keep the 90-day label
    matured = known[known["matured"]]
    assert (
        matured["label"]
        == history.set_index("cutoff_id").loc[matured["cutoff_id"], "label"].to_numpy()
    ).all()


def test_weights_undo_the_missing_conversions_and_favour_recent_rows(
    history: pd.DataFrame, policy: ScoringPolicy
) -> None:
    rule = ml_early.EarlyLabelRule.from_policy(policy)
    known = ml_early.labels_at(history, AS_OF, 90, 28)
    timing = ml_early.timing_at(known, 90)
    w = ml_early.weights(known, AS_OF, timing, rule)
    recency = 0.5 ** (((AS_OF - known["cutoff_at"]) / pd.Timedelta(days=1)) / 90)
    ipw = w / recency.to_numpy()
    matured_or_negative = known["matured"] | (known["label"] == 0)
    assert np.allclose(ipw[matured_or_negative.to_numpy()], 1.0)
    young_pos = (~known["matured"] & (known["label"] == 1)).to_numpy()
    # conversions uniform over 90 days: G(a) ~ a / 90, so 1/G ~ 90 / a (floored at 0.2)
    expected = 90 / np.clip(known.loc[young_pos, "label_age_days"].to_numpy(), 18, 90)
    assert np.allclose(ipw[young_pos], expected, rtol=0.15)
    # the weighted young positives stand for about the 90-day conversions
    young = ~known["matured"].to_numpy()
    full = history.set_index("cutoff_id").loc[known.loc[young, "cutoff_id"], "label"].sum()
    assert ipw[young_pos].sum() == pytest.approx(full, rel=0.15)


def test_which_retrains_use_early_labels(policy: ScoringPolicy) -> None:
    assert ml_early.applies(policy, "segment_shift:industry=education")
    assert ml_early.applies(policy, "drift:calibration_early")
    for reason in ("cadence", "no_champion", "forced", "spec_changed"):
        assert not ml_early.applies(policy, reason)
    off = ScoringPolicy(early_label_min_age_days=0)
    assert not ml_early.applies(off, "segment_shift:industry=education")


def test_an_early_challenger_learns_a_shift_the_matured_one_cannot(
    history: pd.DataFrame, spec: FeatureSpec, policy: ScoringPolicy
) -> None:
    matured = ml_early.labels_at(history, AS_OF, 90, 90).drop(
        columns=["label_age_days", "matured", "opportunity_at"]
    )
    today = train_and_evaluate(matured, spec, policy, trained_at=AS_OF)
    early = ml_early.train_early(history, spec, policy, AS_OF)
    assert early.metrics["label_rule"] == ml_early.EARLY
    assert early.metrics["early_partly_matured_rows"] > 0
    # honest evaluation: the holdout is matured rows from the evaluation clock on
    known_until = pd.Timestamp(early.metrics["outcomes_known_until"])
    hold = early.holdout_predictions
    assert (pd.to_datetime(hold["cutoff_at"]) >= known_until).all()
    assert (pd.to_datetime(hold["cutoff_at"]) + pd.Timedelta(days=90) <= AS_OF).all()
    assert 0.0 <= early.metrics["ece"] < 0.05
    # next month's leads, after the shift
    fresh = make_examples(3000, seed=9, start=str(AS_OF.date()), days=51, max_snapshots=1)
    fresh = _with_outcomes(fresh, seed=10)
    shifted = (fresh["industry"] == SHIFTED).to_numpy()
    p_today, p_early = today.predict_proba(fresh), early.predict_proba(fresh)
    truth = fresh["true_probability"].to_numpy()
    # the matured model cannot see the shifted segment's new rate; the early one does
    gap_today = truth[shifted].mean() - p_today[shifted].mean()
    gap_early = truth[shifted].mean() - p_early[shifted].mean()
    # (measured: 0.35 and 0.25 below the truth's mean; ROC-AUC 0.767 and 0.793, truth 0.839)
    assert gap_today > 0.25
    assert gap_early < gap_today - 0.07
    y = fresh["label"].to_numpy()
    assert _auc(y, p_early) > _auc(y, p_today) + 0.015


def test_a_monitor_triggered_retrain_records_its_label_rule(
    history: pd.DataFrame, spec: FeatureSpec, policy: ScoringPolicy, monkeypatch
) -> None:
    matured = ml_early.labels_at(history, AS_OF, 90, 90)
    examples = matured.drop(columns=["label_age_days", "matured", "opportunity_at"])
    young = ml_early.labels_at(history, AS_OF, 90, 28)
    young = young[~young["matured"]].drop(columns=["label_age_days", "matured", "opportunity_at"])
    conversions = history.loc[history["label"] == 1, ["cutoff_id", "opportunity_at"]]
    loads: list[int] = []

    def early() -> tuple[pd.DataFrame, pd.DataFrame]:
        loads.append(1)
        return young, conversions

    first = pipeline.update_registry(
        None, examples, spec, policy, AS_OF - pd.Timedelta(days=60), early=early
    )
    assert first["retrain_reason"].iloc[0] == "no_champion"
    assert first["label_rule"].iloc[0] == "matured" and not loads
    registry = pipeline.registry_table(first, "demo").to_pandas()
    assert registry["label_rule"].tolist() == ["matured"]
    monkeypatch.setattr(
        pipeline.ml_monitoring,
        "monitor_trigger",
        lambda *args, **kwargs: (
            "segment_shift:industry=education",
            "segment_win_rate_early breached",
        ),
    )
    # a registry written before the label_rule column existed
    registry = registry.drop(columns=["label_rule"])
    rows = pipeline.update_registry(registry, examples, spec, policy, AS_OF, early=early)
    new = rows.iloc[0]
    assert new["retrain_reason"] == "segment_shift:industry=education"
    assert new["label_rule"] == "early_ipw" and loads == [1]
    assert "early_ipw" in new["validation_scheme"]
    rules = pipeline.registry_table(rows, "demo").column("label_rule").to_pylist()
    # the replaced champion, from the older registry, has no rule recorded (null, not 'nan')
    assert rules[0] == "early_ipw" and rules[1:] in ([], [None])
    # the gate compared on the most recent matured outcomes, or said why not
    assert "holdout" in new["decision_reason"] or "most recent matured" in new["decision_reason"]
