"""Pure-Python ML core called by the dbt Python models (python_models/ml).

The dbt models stay thin: read refs as DataFrames, build the policy and feature spec from the
seeds, call these functions, return DataFrames. Typical flow::

    policy = ScoringPolicy.from_frame(scoring_policy_df)
    spec = FeatureSpec.from_frame(feature_catalog_df)
    if has_enough_outcomes(examples, policy):
        model = train_and_evaluate(examples, spec, policy)       # may raise LeakageError
        row = registry_row(model, status="challenger")
        scores = score_leads(model, open_leads, spec, policy)
    else:
        scores = score_with_rules(open_leads, spec, policy)
"""

from leadscore.ml.leakage import (
    LeakageError,
    check_leakage,
    drop_post_contact,
    select_features,
    single_feature_aucs,
)
from leadscore.ml.metrics import (
    calibration_by_decile,
    cumulative_gains,
    expected_calibration_error,
    lift_at_top_decile,
    population_stability_index,
)
from leadscore.ml.metrics import summary as metrics_summary
from leadscore.ml.output import SCORE_COLUMNS
from leadscore.ml.policy import FeatureDef, FeatureSpec, PolicyError, ScoringPolicy
from leadscore.ml.registry import (
    TRUSTED_TYPES,
    PromotionDecision,
    UntrustedModelError,
    model_from_bytes,
    model_from_registry_row,
    model_to_bytes,
    needs_retrain,
    promotion_decision,
    registry_row,
)
from leadscore.ml.rules import build_rules, score_with_rules
from leadscore.ml.scoring import score_drift, score_leads, score_open_leads
from leadscore.ml.split import SplitError, grouped_stratified_folds, time_split
from leadscore.ml.train import (
    InsufficientOutcomesError,
    TrainedModel,
    evaluate_model,
    has_enough_outcomes,
    train_and_evaluate,
)

__all__ = [
    "SCORE_COLUMNS",
    "TRUSTED_TYPES",
    "FeatureDef",
    "FeatureSpec",
    "InsufficientOutcomesError",
    "LeakageError",
    "PolicyError",
    "PromotionDecision",
    "ScoringPolicy",
    "SplitError",
    "TrainedModel",
    "UntrustedModelError",
    "build_rules",
    "calibration_by_decile",
    "check_leakage",
    "cumulative_gains",
    "drop_post_contact",
    "evaluate_model",
    "expected_calibration_error",
    "grouped_stratified_folds",
    "has_enough_outcomes",
    "lift_at_top_decile",
    "metrics_summary",
    "model_from_bytes",
    "model_from_registry_row",
    "model_to_bytes",
    "needs_retrain",
    "population_stability_index",
    "promotion_decision",
    "registry_row",
    "score_drift",
    "score_leads",
    "score_open_leads",
    "score_with_rules",
    "select_features",
    "single_feature_aucs",
    "time_split",
    "train_and_evaluate",
]
