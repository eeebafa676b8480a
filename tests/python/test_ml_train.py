"""Training on synthetic data with a known truth: honest, calibrated, deterministic."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from leadscore.ml import (
    FeatureSpec,
    InsufficientOutcomesError,
    LeakageError,
    ScoringPolicy,
    TrainedModel,
    registry_row,
    train_and_evaluate,
)
from leadscore.ml.metrics import expected_calibration_error, roc_auc
from leadscore.ml.synthetic import make_examples, synthetic_catalog

TRAINED_AT = pd.Timestamp("2024-07-01")


@pytest.fixture(scope="module")
def spec() -> FeatureSpec:
    return FeatureSpec.from_frame(synthetic_catalog())


@pytest.fixture(scope="module")
def examples() -> pd.DataFrame:
    return make_examples(30_000, seed=7)


@pytest.fixture(scope="module")
def model(examples: pd.DataFrame, spec: FeatureSpec) -> TrainedModel:
    return train_and_evaluate(examples, spec, ScoringPolicy(max_threads=1), trained_at=TRAINED_AT)


def _holdout_with_truth(model: TrainedModel, examples: pd.DataFrame) -> pd.DataFrame:
    assert model.holdout_predictions is not None
    return model.holdout_predictions.merge(
        examples[["lead_id", "cutoff_at", "true_probability"]], on=["lead_id", "cutoff_at"]
    )


def test_holdout_auc_close_to_truth_and_calibrated(
    model: TrainedModel, examples: pd.DataFrame
) -> None:
    holdout = _holdout_with_truth(model, examples)
    assert len(holdout) == model.metrics["n_holdout"] > 10_000
    truth_auc = roc_auc(holdout["label"], holdout["true_probability"])
    model_auc = model.metrics["roc_auc"]
    print(
        f"\nholdout rows={len(holdout)} truth ROC-AUC={truth_auc:.4f} model ROC-AUC="
        f"{model_auc:.4f} ratio={model_auc / truth_auc:.4f} ECE={model.metrics['ece']:.4f} "
        f"Brier={model.metrics['brier']:.4f} PR-AUC={model.metrics['pr_auc']:.4f} "
        f"lift@10%={model.metrics['lift_top_decile']:.2f} kind={model.model_kind} "
        f"calibration={model.calibration_method}"
    )
    assert 0.78 < truth_auc < 0.9
    assert model_auc >= 0.97 * truth_auc
    assert model.metrics["ece"] <= 0.03
    assert model_auc == pytest.approx(roc_auc(holdout["label"], holdout["probability"]))
    assert model.metrics["ece"] == pytest.approx(
        expected_calibration_error(holdout["label"], holdout["probability"])
    )


def test_holdout_is_the_newest_slice(model: TrainedModel) -> None:
    window = model.data_window
    assert window["train_end"] < window["holdout_start"]
    assert "time_split" in model.validation_scheme
    assert set(model.candidate_metrics) == {"logistic_regression", "hist_gradient_boosting"}
    assert len(model.calibration_table) == 10


def test_post_contact_field_never_reaches_the_model(model: TrainedModel) -> None:
    assert "sales_qualified" not in model.features
    assert "sales_qualified" not in set(model.leakage_table["feature"])
    assert "sales_qualified" not in model.baselines


def test_leak_check_fires_when_post_contact_field_forced_in(
    examples: pd.DataFrame, spec: FeatureSpec
) -> None:
    with pytest.raises(LeakageError, match="sales_qualified") as info:
        train_and_evaluate(
            examples, spec, ScoringPolicy(max_threads=1), force_include=["sales_qualified"]
        )
    assert info.value.fields == ["sales_qualified"]
    assert "post_contact" in str(info.value)


def test_same_data_and_seed_give_identical_model_bytes(spec: FeatureSpec) -> None:
    frame = make_examples(3000, seed=9)
    first = train_and_evaluate(frame, spec, ScoringPolicy(max_threads=1), trained_at=TRAINED_AT)
    again = train_and_evaluate(
        frame.copy(), spec, ScoringPolicy(max_threads=1), trained_at=TRAINED_AT
    )
    assert again.metrics == first.metrics
    assert again.version == first.version
    assert registry_row(again)["model_blob"] == registry_row(first)["model_blob"]


def test_undated_export_uses_grouped_stratified_kfold(spec: FeatureSpec) -> None:
    frame = make_examples(2500, seed=11, max_snapshots=1).drop(columns=["cutoff_at"])
    model = train_and_evaluate(frame, spec, ScoringPolicy(max_threads=1), time_col="cutoff_at")
    assert model.validation_scheme.startswith("grouped_stratified_kfold(n_splits=5")
    assert model.metrics["n_holdout"] == len(frame)  # pooled out-of-fold predictions
    truth = roc_auc(frame["label"], frame["true_probability"])
    assert model.metrics["roc_auc"] > 0.9 * truth
    assert model.data_window == {}


def test_too_few_outcomes_raise_for_the_rules_fallback(spec: FeatureSpec) -> None:
    frame = make_examples(300, seed=1)
    with pytest.raises(InsufficientOutcomesError, match="needs at least"):
        train_and_evaluate(frame, spec, ScoringPolicy(max_threads=1))


def _ordered_export(n: int, seed: int) -> pd.DataFrame:
    """An undated export whose rows are in time order and whose conversion rate drifts."""
    frame = make_examples(n, seed=seed, max_snapshots=1).sort_values("cutoff_at")
    frame = frame.drop(columns=["cutoff_at"]).reset_index(drop=True)
    rng = np.random.default_rng(seed)
    trend = np.linspace(-1.2, 1.2, len(frame))
    p = frame["true_probability"].to_numpy()
    logit = np.log(p / (1 - p)) + trend
    frame["label"] = (rng.random(len(frame)) < 1 / (1 + np.exp(-logit))).astype(int)
    frame["lead_number"] = np.arange(100_000, 100_000 + len(frame))
    return frame


def test_ordered_export_without_an_order_column_warns(spec: FeatureSpec) -> None:
    frame = _ordered_export(3000, seed=4)
    model = train_and_evaluate(frame, spec, ScoringPolicy(max_threads=1), time_col="cutoff_at")
    assert model.metrics["row_order_auc"] > 0.6
    assert model.validation_scheme.startswith("grouped_stratified_kfold")
    assert "WARNING: row position alone predicts the label" in model.validation_scheme
    assert "order_column" in model.validation_scheme
    shuffled = frame.sample(frac=1.0, random_state=0).reset_index(drop=True)
    calm = train_and_evaluate(shuffled, spec, ScoringPolicy(max_threads=1))
    assert calm.metrics["row_order_auc"] < 0.6
    assert "WARNING" not in calm.validation_scheme


def test_an_order_column_gives_an_ordered_split(spec: FeatureSpec) -> None:
    frame = _ordered_export(3000, seed=4).sample(frac=1.0, random_state=0)  # any row order
    policy = ScoringPolicy(max_threads=1, order_column="lead_number")
    model = train_and_evaluate(frame, spec, policy)
    assert model.validation_scheme.startswith("ordered_split(by=lead_number")
    holdout = model.holdout_predictions
    assert holdout is not None
    newest = frame.nlargest(len(holdout), "lead_number")["lead_id"]
    assert set(holdout["lead_id"]) == set(newest)  # the holdout is the newest rows


def test_grades_agree_with_conversion_on_the_holdout(model: TrainedModel) -> None:
    """Conversion by grade on the honest holdout (graded by the evaluation model) rises with
    the letter within each digit and with the digit within each letter, within the policy's
    tolerance plus two standard errors of the two cells compared."""
    from leadscore.ml.grades import monotonicity_violations

    policy = ScoringPolicy()
    table = model.grade_table
    print(
        "\n"
        + table.pivot(index="letter", columns="digit", values="conversion_rate")
        .round(3)
        .to_string()
    )
    print(table.pivot(index="letter", columns="digit", values="n").to_string())
    assert table["n"].sum() == model.metrics["n_holdout"]
    bad = monotonicity_violations(
        table, policy.grade_monotonic_tolerance, policy.grade_min_cell, z=2.0
    )
    assert bad.empty, bad.to_string()
    # and the best and worst grades are far apart
    rates = table.set_index("grade")["conversion_rate"]
    assert rates["A1"] > 3 * rates["D4"]
