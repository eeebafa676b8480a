"""What the dbt Python models do, as plain tested functions.

The files under ``python_models/ml/`` only read their refs, call one function here and return
its DataFrame. Everything that decides something (which policy row is in force, whether to
retrain, which model is champion, how scores are assembled) lives here, so it is tested by
pytest and the same on any adapter that runs dbt Python models.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from leadscore.ml import (
    FeatureSpec,
    ScoringPolicy,
    TrainedModel,
    has_enough_outcomes,
    model_from_registry_row,
    promotion_decision,
    registry_row,
    score_open_leads,
    train_and_evaluate,
)
from leadscore.ml import early as ml_early
from leadscore.ml import monitoring as ml_monitoring
from leadscore.ml.grades import to_0_100
from leadscore.ml.leakage import LeakageError, single_feature_aucs
from leadscore.ml.policy import training_spec_hash
from leadscore.ml.registry import (
    ModelFormatError,
    PromotionDecision,
    RetrainDecision,
    holdout_from_bytes,
    retrain_decision,
)
from leadscore.ml.runtime import Progress, native_threads
from leadscore.ml.scoring import feature_importance, score_drift

log = logging.getLogger("leadscore.pipeline")

REGISTRY_STATUSES = ("champion", "challenger", "retired")


# --------------------------------------------------------------------------- inputs


def to_frame(relation: Any) -> pd.DataFrame:
    """Turn whatever ``dbt.ref()`` returns on this adapter into a pandas DataFrame.

    DuckDB gives a lazy relation (``.df()``), Snowflake/Databricks give DataFrames with
    ``to_pandas()``/``toPandas()``; a DataFrame passes through. The one place that knows.
    """
    if isinstance(relation, pd.DataFrame):
        return relation
    for method in ("df", "to_pandas", "toPandas"):
        if hasattr(relation, method):
            return getattr(relation, method)()
    raise TypeError(f"cannot turn {type(relation).__name__} into a DataFrame")


def select_columns(relation: Any, *names: str) -> Any:
    """Only the columns `names` of what ``dbt.ref()`` returns, before it is fetched.

    DuckDB relations have ``project``, Snowpark and PySpark DataFrames ``select``; the
    warehouse then sends only those columns.
    """
    if isinstance(relation, pd.DataFrame):
        return relation[list(names)]
    if hasattr(relation, "project"):
        return relation.project(", ".join(names))
    if hasattr(relation, "select"):
        return relation.select(*names)
    raise TypeError(f"cannot select columns of {type(relation).__name__}")


def previous_table(session: Any, this: Any, name: str) -> pd.DataFrame | None:
    """Table ``name`` (next to ``this`` model) as the previous build left it, or None.

    For a decision that reads a mart built *after* the model deciding (the registry reads the
    previous build's model_monitoring: a breach there makes this build train a challenger).
    A dbt ref would be a cycle; like an incremental model reading ``this``, it reads the
    stored table, which is absent on a first build.
    """

    def quote(text: Any) -> str:
        return "'" + str(text).replace("'", "''") + "'"

    found = to_frame(
        session.sql(
            "select count(*) as n from information_schema.tables "
            f"where table_catalog = {quote(this.database)} "
            f"and table_schema = {quote(this.schema)} and table_name = {quote(name)}"
        )
    )
    if int(found["n"].iloc[0]) == 0:
        return None
    return to_frame(session.sql(f'select * from "{this.database}"."{this.schema}"."{name}"'))


def truthy(value: Any) -> bool:
    """A dbt var rendered into config: True/"true"/"1"/"yes" are true."""
    return str(value).strip().lower() in {"true", "1", "yes", "y"}


def split_list(value: Any) -> list[str]:
    """A comma-separated dbt var (or a list) as a list of names."""
    if value is None or value == "" or str(value).lower() == "none":
        return []
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [part.strip() for part in str(value).split(",") if part.strip()]


def _in_force(frame: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Rows of a dated policy seed in force at ``as_of`` (effective_from <= as_of < to)."""
    if frame.empty or "effective_from" not in frame.columns:
        return frame
    start = pd.to_datetime(frame["effective_from"], errors="coerce")
    end = (
        pd.to_datetime(frame["effective_to"], errors="coerce")
        if "effective_to" in frame.columns
        else pd.Series(pd.NaT, index=frame.index)
    )
    keep = (start.isna() | (start <= as_of)) & (end.isna() | (end > as_of))
    return frame[keep]


def build_policy(
    scoring_policy: pd.DataFrame,
    label_policy: pd.DataFrame,
    grade_policy: pd.DataFrame,
    as_of: pd.Timestamp,
) -> ScoringPolicy:
    """One ScoringPolicy from the three seeds, each rule read from the seed that owns it.

    ``policy_label`` owns the horizon and the minimum outcomes, ``policy_grades`` the grade
    cut-offs, ``scoring_policy`` the ML knobs (leak threshold, promotion tolerance, cadence).
    """
    values: dict[str, Any] = {}
    ml = _in_force(scoring_policy, as_of)
    if "effective_from" in ml.columns:
        ml = ml.sort_values("effective_from", kind="stable")
    values.update(dict(zip(ml["key"].astype(str), ml["value"], strict=True)))
    label = _in_force(label_policy, as_of)
    if label.empty:
        raise ValueError("policy_label has no row in force at the scoring clock")
    row = label.sort_values("effective_from").iloc[-1]
    values["horizon_days"] = int(row["horizon_days"])
    values["min_examples"] = int(row["min_labeled_leads"])
    values["min_positives"] = int(row["min_positive_labels"])
    order = row.get("order_column") if hasattr(row, "get") else None
    if order is not None and not pd.isna(order) and str(order).strip():
        values["order_column"] = str(order).strip()
    grades = _in_force(grade_policy, as_of)
    cut = {(r.grade_type, str(r.grade)): float(r.min_score) for r in grades.itertuples()}
    for key, grade in (("grade_fit_a", "A"), ("grade_fit_b", "B"), ("grade_fit_c", "C")):
        if ("fit", grade) in cut:
            values[key] = cut[("fit", grade)]
    for key, digit in (
        ("grade_engagement_1", "1"),
        ("grade_engagement_2", "2"),
        ("grade_engagement_3", "3"),
    ):
        if ("engagement", digit) in cut:
            values[key] = cut[("engagement", digit)]
    return ScoringPolicy.from_mapping(values)


def with_cadence(policy: ScoringPolicy, cadence_days: Any) -> ScoringPolicy:
    """``policy`` with ``retrain_cadence_days`` replaced by the dbt var of that name (a
    replay's cadence, `leadscore simulate --retrain-cadence-days`); blank keeps the seed's."""
    from dataclasses import replace

    if cadence_days is None or str(cadence_days).strip().lower() in {"", "none"}:
        return policy
    days = int(float(str(cadence_days)))
    if days <= 0:
        raise ValueError(f"retrain_cadence_days must be a positive number of days, not {days}")
    return replace(policy, retrain_cadence_days=days)


def _of_dataset(frame: pd.DataFrame | None, dataset: str) -> pd.DataFrame | None:
    if frame is None or "dataset" not in frame:
        return frame
    return frame[frame["dataset"].astype(str) == dataset].drop(columns=["dataset"])


def build_spec(
    catalog: pd.DataFrame, dataset: str, value_labels: pd.DataFrame | None = None
) -> FeatureSpec:
    """The feature catalog rows of one dataset (the seed holds every dataset's catalog),
    with the human labels of its category values (``feature_value_labels`` seed)."""
    rows = _of_dataset(catalog, dataset)
    if rows is None or rows.empty:
        raise ValueError(f"feature_catalog has no features for dataset {dataset!r}")
    return FeatureSpec.from_frame(rows, _of_dataset(value_labels, dataset))


def load_context(
    clock: Any,
    scoring_policy: Any,
    label_policy: Any,
    grade_policy: Any,
    catalog: Any,
    dataset: str,
    value_labels: Any = None,
) -> tuple[pd.Timestamp, ScoringPolicy, FeatureSpec]:
    """(as_of, policy, spec) of a build from the refs every ML model reads.

    The refs are passed in, not made here: dbt finds a Python model's dependencies by reading
    its file for ``dbt.ref(...)`` calls.
    """
    as_of = to_frame(clock)["as_of"].iloc[0]
    policy = build_policy(
        to_frame(scoring_policy), to_frame(label_policy), to_frame(grade_policy), as_of
    )
    labels = None if value_labels is None else to_frame(value_labels)
    return as_of, policy, build_spec(to_frame(catalog), dataset, labels)


def canonical_order(examples: pd.DataFrame) -> pd.DataFrame:
    """Training examples sorted by (cutoff_at, lead_id, cutoff_id), whichever exist.

    A warehouse does not promise row order, and the trained model (and so its version, a hash
    of the data) depends on it; sorting makes the same examples give the same model.
    """
    keys = [k for k in ("cutoff_at", "lead_id", "cutoff_id") if k in examples.columns]
    if not keys:
        return examples
    return examples.sort_values(keys, kind="stable", na_position="first").reset_index(drop=True)


# --------------------------------------------------------------------------- registry


def champion_row(registry: pd.DataFrame | None) -> pd.Series | None:
    if registry is None or registry.empty:
        return None
    champs = registry[registry["status"] == "champion"]
    if champs.empty:
        return None
    return champs.sort_values("trained_at").iloc[-1]


class PostContactFeatureError(LeakageError):
    """A field the catalog marks post_contact was forced into training: the build stops."""

    def __init__(self, findings: pd.DataFrame, threshold: float) -> None:
        self.findings = findings
        self.threshold = threshold
        self.fields = list(findings["feature"])
        details = ", ".join(
            f"{row.feature!r} (own ROC-AUC {row.auc:.3f})" for row in findings.itertuples()
        )
        RuntimeError.__init__(
            self,
            f"Leak check failed: {details} forced into training (force_include_features) but "
            "the feature_catalog marks it availability=post_contact: it is filled in after "
            "first contact or after the outcome, so no honest model may use it, whatever its "
            "own ROC-AUC. Remove it from force_include_features.",
        )


def check_forced_features(
    examples: pd.DataFrame, spec: FeatureSpec, force_include: Sequence[str]
) -> None:
    """Policy leak check: a post_contact field can never be forced into training.

    The data check (one field's own ROC-AUC above ``leak_auc_threshold``) catches fields that
    are mis-catalogued as pre_contact; a catalogued post_contact field is refused outright,
    even when its own AUC is below the threshold (x_education's Tags: about 0.92).
    """
    forced = [f for f in force_include if f in spec.post_contact()]
    if not forced:
        return
    present = [f for f in forced if f in examples.columns]
    aucs = pd.DataFrame({"feature": forced, "auc": float("nan")})
    if present and "label" in examples.columns:
        measured = single_feature_aucs(examples, spec, present).set_index("feature")["auc"]
        aucs["auc"] = aucs["feature"].map(measured)
    raise PostContactFeatureError(aucs, float("nan"))


def update_registry(
    registry: pd.DataFrame | None,
    examples: pd.DataFrame | Callable[[], pd.DataFrame],
    spec: FeatureSpec,
    policy: ScoringPolicy,
    as_of: pd.Timestamp,
    *,
    force_retrain: bool = False,
    force_include: Sequence[str] = (),
    monitoring: pd.DataFrame | None = None,
    early: Callable[[], tuple[pd.DataFrame, pd.DataFrame]] | None = None,
) -> pd.DataFrame:
    """The registry rows this run writes (new model and any status changes).

    Retrains (``retrain_reason``) when asked (``forced``), when there is no champion
    (``no_champion``), when the feature catalog or training policy changed since the
    champion was trained (``spec_changed``: its spec hash differs), or when the champion is
    older than the policy cadence on the scoring clock (``cadence``), or -- before the
    cadence -- when the previous build's ``monitoring`` (model_monitoring) has a breach that
    calls for retraining (``drift:<monitor>``, ``segment_shift:<segment>``). A challenger is
    promoted only if it is not worse than the champion beyond the policy tolerance, both
    measured on the same most recent matured outcomes when there are enough of them --
    except after a spec change, when the champion no longer matches the catalog and is
    replaced.
    With too few outcomes nothing is trained and nothing is written: scoring falls back to
    rules.

    A challenger whose retrain a monitor triggered (scoring_policy ``early_label_triggers``)
    also learns from partly matured examples (:mod:`leadscore.ml.early`): ``early`` loads
    them, (int_training_examples_early, int_training_conversions), only then. The registry
    row's ``label_rule`` says which rule a model was trained by. ``examples`` may be a
    function that loads them: it is called only when a model is trained (or features are
    forced), so a build that keeps its champion never reads the training sample.
    """
    loaded: list[pd.DataFrame] = []

    def training_examples() -> pd.DataFrame:
        if not loaded:
            loaded.append(examples() if callable(examples) else examples)
        return loaded[0]

    if force_include:
        check_forced_features(training_examples(), spec, force_include)
    champ = champion_row(registry)
    current = training_spec_hash(spec, policy, force_include)
    newest, data_end = None, None
    if registry is not None and not registry.empty:
        trained = pd.to_datetime(registry["trained_at"])
        newest = trained.max()
        newest_row = registry[trained == newest].iloc[-1]
        for column in ("holdout_end", "train_end"):
            if column in registry and pd.notna(newest_row[column]):
                data_end = pd.Timestamp(newest_row[column])
                break
    breach = ml_monitoring.monitor_trigger(
        monitoring,
        None if champ is None else str(champ["model_version"]),
        newest,
        as_of,
        newest_data_end=data_end,
        horizon_days=policy.horizon_days,
    )
    decision = retrain_decision(
        None if champ is None else champ["trained_at"],
        as_of,
        policy.retrain_cadence_days,
        force=force_retrain or bool(force_include),
        champion_spec_hash=None if champ is None else _text_or_none(champ.get("spec_hash")),
        current_spec_hash=current,
        monitor_breach=breach,
    )
    progress = Progress("training")
    progress(f"retrain={decision.retrain} ({decision.reason}: {decision.detail})")
    empty = _empty_registry()
    if not decision.retrain:
        return empty
    examples = training_examples()
    if not has_enough_outcomes(examples, policy):
        log.warning(
            "too few outcomes to train (%d examples, %d positives; policy needs %d and %d): "
            "scores fall back to rules",
            len(examples),
            int(pd.to_numeric(examples.get("label"), errors="coerce").fillna(0).sum())
            if "label" in examples
            else 0,
            policy.min_examples,
            policy.min_positives,
        )
        return empty
    rows = early_rows(examples, early, policy, decision.reason, progress)
    if rows is not None:
        model = ml_early.train_early(
            canonical_order(rows),
            spec,
            policy,
            as_of,
            force_include=force_include,
            trained_at=as_of,
            progress=progress,
        )
    else:
        # already sampled to size by int_training_sample; undated examples (all cutoff_at
        # null) get the grouped K-fold scheme inside train_and_evaluate
        model = train_and_evaluate(
            canonical_order(examples),
            spec,
            policy,
            force_include=force_include,
            trained_at=as_of,
            progress=progress,
        )
    if champ is not None and model.version == champ["model_version"]:
        log.info("retrained %s is identical to the champion: nothing to register", model.version)
        return empty
    if decision.reason == "spec_changed":
        promotion = PromotionDecision(
            True, f"replaces a champion trained under another spec: {decision.detail}"
        )
    else:
        promotion = promote_on_recent_outcomes(champ, model, examples, policy)
    progress(f"promotion: {promotion.promote} ({promotion.reason})")
    new = registry_row(model, status="champion" if promotion.promote else "challenger")
    new["decision_reason"] = promotion.reason
    new["retrain_reason"] = decision.reason
    new["label_rule"] = str(model.metrics.get("label_rule", ml_early.MATURED))
    rows = [new]
    if promotion.promote and champ is not None:
        retired = champ.to_dict()
        retired["status"] = "retired"
        retired["decision_reason"] = f"replaced by {model.version}: {promotion.reason}"
        rows.append(retired)
    return pd.DataFrame(rows)


def early_rows(
    examples: pd.DataFrame,
    early: Callable[[], tuple[pd.DataFrame, pd.DataFrame]] | None,
    policy: ScoringPolicy,
    retrain_reason: str,
    progress: Progress,
) -> pd.DataFrame | None:
    """The training rows of the early-label rule (matured ``examples`` + partly matured
    ones, each with its opportunity_at), or None when this retrain trains today's way: the
    rule is off or not for this reason, nothing loads them, or there are none."""
    if early is None or not ml_early.applies(policy, retrain_reason):
        return None
    young, conversions = early()
    if young.empty:
        progress(f"early labels: none for {retrain_reason} (no partly matured examples)")
        return None
    times = conversions[["cutoff_id", "opportunity_at"]].drop_duplicates("cutoff_id")
    rows = pd.concat([examples, young], ignore_index=True)
    return rows.drop(columns=["opportunity_at"], errors="ignore").merge(
        times, on="cutoff_id", how="left"
    )


def promote_on_recent_outcomes(
    champ: pd.Series | None, model: TrainedModel, examples: pd.DataFrame, policy: ScoringPolicy
) -> PromotionDecision:
    """The promotion gate: challenger vs champion on the same most recent matured outcomes.

    The rows are the challenger's holdout rows whose label matured after the champion was
    trained (neither model saw them); with fewer than ``promotion_min_recent_rows`` of them
    (or a champion that does not load), each model's own holdout figures are compared.
    """
    if champ is None:
        return promotion_decision(None, model.metrics, policy.promotion_tolerance)
    stored = json.loads(champ["metrics_json"])
    try:
        old = model_from_registry_row(champ.to_dict())
    except ModelFormatError:
        old = None
    # the challenger is judged by its evaluation model (trained on outcomes up to its
    # train_end + horizon); a champion trained on newer outcomes would be favoured
    train_end = model.data_window.get("train_end")
    known_until = (
        None
        if train_end is None
        else pd.Timestamp(train_end) + pd.Timedelta(days=policy.horizon_days)
    )
    if model.metrics.get("outcomes_known_until"):
        # the early-label rule's evaluation model saw outcomes up to its own clock
        known_until = pd.Timestamp(model.metrics["outcomes_known_until"])
    newer = known_until is not None and pd.Timestamp(champ["trained_at"]) > known_until
    same = None
    why = "too few recent matured outcomes to compare on the same rows"
    if newer:
        why = (
            "the champion was trained on newer outcomes than the challenger's evaluation "
            "model, so the same rows would favour it"
        )
    if old is not None and not newer:
        same = ml_monitoring.same_rows_comparison(
            model.holdout_predictions,
            examples,
            old.predict_proba,
            pd.Timestamp(champ["trained_at"]),
            policy.horizon_days,
            policy.promotion_min_recent_rows,
        )
    if same is None:
        decision = promotion_decision(stored, model.metrics, policy.promotion_tolerance)
        return PromotionDecision(
            decision.promote, f"{decision.reason} (each on its own holdout: {why})"
        )
    challenger, champion, rows = same
    decision = promotion_decision(champion, challenger, policy.promotion_tolerance)
    return PromotionDecision(
        decision.promote,
        f"{decision.reason}, both on the same {rows:,} most recent matured outcomes",
    )


def _text_or_none(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    return str(value)


def _empty_registry() -> pd.DataFrame:
    return pd.DataFrame(columns=REGISTRY_SCHEMA.names)


_TS = pa.timestamp("us")
REGISTRY_SCHEMA = pa.schema(
    [
        ("model_version", pa.string()),
        ("dataset", pa.string()),
        ("trained_at", _TS),
        ("status", pa.string()),
        ("decision_reason", pa.string()),
        ("model_kind", pa.string()),
        ("calibration_method", pa.string()),
        ("validation_scheme", pa.string()),
        ("policy_version", pa.string()),
        ("data_fingerprint", pa.string()),
        ("spec_hash", pa.string()),
        ("retrain_reason", pa.string()),
        ("label_rule", pa.string()),
        ("train_start", _TS),
        ("train_end", _TS),
        ("holdout_start", _TS),
        ("holdout_end", _TS),
        ("roc_auc", pa.float64()),
        ("pr_auc", pa.float64()),
        ("lift_top_decile", pa.float64()),
        ("brier", pa.float64()),
        ("ece", pa.float64()),
        ("features_json", pa.string()),
        ("library_versions_json", pa.string()),
        ("metrics_json", pa.string()),
        ("calibration_json", pa.string()),
        ("candidate_metrics_json", pa.string()),
        ("leakage_json", pa.string()),
        ("grades_json", pa.string()),
        ("model_blob", pa.binary()),
        ("holdout_parquet", pa.binary()),
    ]
)


def registry_table(rows: pd.DataFrame, dataset: str) -> pa.Table:
    """Registry rows with a fixed schema, so an empty run still matches the table's columns."""
    frame = rows.copy()
    if "dataset" not in frame or frame["dataset"].isna().all():
        frame["dataset"] = dataset
    arrays = []
    for fld in REGISTRY_SCHEMA:
        values = frame[fld.name] if fld.name in frame else pd.Series([None] * len(frame))
        if pa.types.is_timestamp(fld.type):
            values = pd.to_datetime(values, errors="coerce")
            if getattr(values.dt, "tz", None) is not None:
                values = values.dt.tz_convert("UTC").dt.tz_localize(None)
            values = values.dt.floor("us")  # the column is microseconds
        elif pa.types.is_binary(fld.type):
            values = [
                bytes(v) if isinstance(v, bytes | bytearray | memoryview) else None for v in values
            ]
        elif pa.types.is_floating(fld.type):
            values = pd.to_numeric(values, errors="coerce")
        else:
            # a missing value (None, NA, or NaN from a column an older registry lacked, e.g.
            # label_rule) stays null, not the text 'nan'
            values = [None if _text_or_none(v) is None else str(v) for v in values]
        arrays.append(pa.array(values, type=fld.type, from_pandas=True))
    return pa.Table.from_arrays(arrays, schema=REGISTRY_SCHEMA)


def load_champion(registry: pd.DataFrame) -> TrainedModel | None:
    """The champion model, or None (rules fallback) when there is none or its payload is of
    an older format (the build that finds it retrains: its spec hash differs)."""
    row = champion_row(registry)
    if row is None:
        return None
    try:
        return model_from_registry_row(row.to_dict())
    except ModelFormatError as exc:
        log.warning("champion %s not loaded: %s", row["model_version"], exc)
        return None


# --------------------------------------------------------------------------- scoring


def score(
    features: pd.DataFrame,
    examples_labels: Any,
    spec: FeatureSpec,
    policy: ScoringPolicy,
    champion: TrainedModel | None,
    as_of: pd.Timestamp,
) -> pd.DataFrame:
    """Score open leads with the champion, or with policy rules when there is none.

    ``examples_labels``: the training examples' labels, a Series or what ``dbt.ref()``
    returns with a ``label`` column; only the rules fallback reads them (their mean is its
    prior), so with a champion they are not fetched (4.6M rows at 1M leads).
    """
    prior = None
    if champion is None:
        labels = examples_labels
        if not isinstance(labels, pd.Series):
            labels = to_frame(labels)["label"]
        labels = pd.to_numeric(labels, errors="coerce").dropna()
        prior = float(labels.mean()) if len(labels) else None
    return score_open_leads(features, spec, policy, model=champion, scored_at=as_of, prior=prior)


HOLDOUT_SCHEMA = pa.schema(
    [
        ("model_version", pa.string()),
        ("lead_id", pa.string()),
        ("cutoff_at", _TS),
        ("label", pa.int32()),
        ("probability", pa.float64()),
        ("grade", pa.string()),
    ]
)


def holdout_table(model: TrainedModel | None) -> pa.Table:
    """The champion's honest holdout predictions (label, probability) for reports.

    Each row carries the grade the *evaluation* model gave it at training time (the model
    the holdout measures, graded against its own training distribution), so conversion by
    grade on these rows is an honest out-of-sample figure.
    """
    if model is None or model.holdout_predictions is None:
        return HOLDOUT_SCHEMA.empty_table()
    frame = model.holdout_predictions
    n = len(frame)
    grade = frame["grade"] if "grade" in frame else pd.Series([None] * n)
    cols = {
        "model_version": [model.version] * n,
        "lead_id": frame["lead_id"].astype(str) if "lead_id" in frame else [None] * n,
        "cutoff_at": pd.to_datetime(frame["cutoff_at"]) if "cutoff_at" in frame else [None] * n,
        "label": pd.to_numeric(frame["label"]).astype("int32"),
        "probability": pd.to_numeric(frame["probability"]).astype(float),
        "grade": [None if g is None or g is pd.NA or pd.isna(g) else str(g) for g in grade],
    }
    arrays = {
        k: pa.array(v, type=HOLDOUT_SCHEMA.field(k).type, from_pandas=True) for k, v in cols.items()
    }
    return pa.Table.from_pydict(arrays, schema=HOLDOUT_SCHEMA)


def importance_frame(model: TrainedModel | None, features: pd.DataFrame) -> pd.DataFrame:
    """Mean |contribution| per feature on the current open leads (what moves scores now)."""
    columns = ["model_version", "feature", "importance", "mean_signed"]
    if model is None or features.empty:
        return pd.DataFrame(
            {
                "model_version": pd.Series(dtype="string"),
                "feature": pd.Series(dtype="string"),
                "importance": pd.Series(dtype="float64"),
                "mean_signed": pd.Series(dtype="float64"),
            }
        )
    frame = feature_importance(model, features)
    frame.insert(0, "model_version", model.version)
    return frame[columns]


def metrics_frame(
    registry: pd.DataFrame,
    scores: pd.DataFrame,
    dataset: str,
    as_of: pd.Timestamp,
) -> pd.DataFrame:
    """Long-format metrics of this run: holdout metrics, calibration by decile, drift."""
    columns = [
        "model_version",
        "dataset",
        "validation_scheme",
        "trained_at",
        "measured_at",
        "metric",
        "bucket",
        "value",
    ]
    champ = champion_row(registry)
    if champ is None:
        rules = scores["model_version"].dropna().unique()
        version = str(rules[0]) if len(rules) else "none"
        rows = [(version, "score_mean", None, float(scores["score"].astype(float).mean()))]
        scheme, trained = "rules fallback (too few outcomes)", None
    else:
        version, scheme, trained = (
            str(champ["model_version"]),
            str(champ["validation_scheme"]),
            champ["trained_at"],
        )
        metrics: Mapping[str, Any] = json.loads(champ["metrics_json"])
        rows = [
            (version, k, None, float(v))
            for k, v in metrics.items()
            if isinstance(v, int | float) and not isinstance(v, bool)
        ]
        for rec in json.loads(champ.get("calibration_json") or "[]"):
            bucket = str(rec.get("bin", rec.get("decile", "")))
            for key in ("mean_predicted", "observed_rate", "count"):
                if key in rec:
                    rows.append((version, f"calibration_{key}", bucket, float(rec[key])))
    scored = scores[scores["score_status"] != "insufficient_data"]
    hist = np.histogram(scored["score"].astype(float), bins=10, range=(0, 100))[0]
    for i, count in enumerate(hist):
        rows.append((version, "score_distribution", f"{i * 10}-{i * 10 + 9}", float(count)))
    if champ is not None and len(scored):
        rows.append((version, "score_psi_vs_training", None, score_drift(scores)))
    frame = pd.DataFrame(rows, columns=["model_version", "metric", "bucket", "value"])
    frame["dataset"] = dataset
    frame["validation_scheme"] = scheme
    frame["trained_at"] = pd.Timestamp(trained) if trained is not None else pd.NaT
    frame["measured_at"] = as_of
    return frame[columns]


# --------------------------------------------------------------------------- monitoring

DRIFT_FRAME_COLUMNS = ["model_version", "measured_at", *ml_monitoring.DRIFT_COLUMNS]
#: training examples scored for the like-for-like score drift, at most (seeded sample)
DRIFT_SCORE_SAMPLE = 50_000


def _tolerance(monitoring_policy: pd.DataFrame, monitor: str, as_of: pd.Timestamp) -> int:
    rows = _in_force(monitoring_policy, as_of)
    rows = rows[rows["monitor"].astype(str) == monitor]
    if rows.empty or pd.isna(rows["age_tolerance_days"].iloc[-1]):
        raise ValueError(
            f"policy_monitoring has no age_tolerance_days for {monitor!r} in force at {as_of}"
        )
    return int(rows["age_tolerance_days"].iloc[-1])


def drift_frame(
    registry: pd.DataFrame,
    examples: pd.DataFrame,
    features: pd.DataFrame,
    offsets: pd.DataFrame,
    monitoring_policy: pd.DataFrame,
    as_of: pd.Timestamp,
) -> pd.DataFrame:
    """Feature and score drift of the champion, training examples vs open leads, like for like.

    Reference: the training examples (``int_training_sample``) inside the champion's data
    window, at the snapshot ages of ``policy_training_cutoffs``; compared: today's open leads
    (``int_scoring_features``) within the policy's age tolerance of a snapshot age. Both sides
    are scored by the champion for the score drift. Empty without a champion.
    """
    model = load_champion(registry)
    if model is None or examples.empty or features.empty:
        return _typed_drift(pd.DataFrame(columns=DRIFT_FRAME_COLUMNS))
    window_end = model.data_window.get("holdout_end") or model.data_window.get("train_end")
    reference = examples
    if window_end is not None and "cutoff_at" in examples:
        reference = examples[pd.to_datetime(examples["cutoff_at"]) <= pd.Timestamp(window_end)]
    ages = [int(a) for a in _in_force(offsets, as_of)["days_after_created"]]
    kinds = {f: model.feature_kinds[f] for f in model.features}
    drift = ml_monitoring.feature_drift(
        reference, features, kinds, ages, _tolerance(monitoring_policy, "feature_psi", as_of)
    )
    sample = reference
    if len(sample) > DRIFT_SCORE_SAMPLE:
        sample = sample.sample(DRIFT_SCORE_SAMPLE, random_state=0)
    scores = ml_monitoring.score_drift_like_for_like(
        to_0_100(model.logit(model.prepare(sample)), model.score_reference),
        sample["lead_age_days"],
        to_0_100(model.logit(model.prepare(features)), model.score_reference),
        features["lead_age_days"],
        ages,
        _tolerance(monitoring_policy, "score_psi", as_of),
    )
    out = pd.concat([scores, drift], ignore_index=True)
    out.insert(0, "measured_at", pd.Timestamp(as_of))
    out.insert(0, "model_version", model.version)
    return _typed_drift(out[DRIFT_FRAME_COLUMNS])


EARLY_MONITORS = ml_monitoring.EARLY_MONITORS
EARLY_FRAME_COLUMNS = ["model_version", "measured_at", *ml_monitoring.EARLY_COLUMNS]


def _min_age_days(monitoring_policy: pd.DataFrame, monitor: str, as_of: pd.Timestamp) -> int:
    days = _policy_number(monitoring_policy, monitor, "min_age_days", as_of)
    if days is None:
        raise ValueError(
            f"policy_monitoring has no min_age_days for {monitor!r} in force at {as_of}: the "
            "early-outcome monitors judge the newest scoring run at least that many days old"
        )
    return int(days)


def _policy_number(
    monitoring_policy: pd.DataFrame, monitor: str, column: str, as_of: pd.Timestamp
) -> float | None:
    """A policy_monitoring value of a monitor in force at ``as_of``, None when not set."""
    rows = _in_force(monitoring_policy, as_of)
    rows = rows[rows["monitor"].astype(str) == monitor]
    if rows.empty or column not in rows or pd.isna(rows[column].iloc[-1]):
        return None
    return float(rows[column].iloc[-1])


def holdout_segments(
    registry: pd.DataFrame | None, model_version: str, leads: pd.DataFrame
) -> pd.DataFrame | None:
    """A registry model's holdout predictions (``holdout_parquet``) with the leads' segment
    columns, or None when the registry has no holdout for it."""
    if registry is None or registry.empty or "holdout_parquet" not in registry:
        return None
    rows = registry[registry["model_version"].astype(str) == str(model_version)]
    if rows.empty:
        return None
    holdout = holdout_from_bytes(rows["holdout_parquet"].iloc[0])
    if holdout is None or holdout.empty or "lead_id" not in holdout:
        return None
    return holdout.assign(lead_id=lambda f: f["lead_id"].astype(str)).merge(
        leads.assign(lead_id=lambda f: f["lead_id"].astype(str)), on="lead_id", how="left"
    )


def early_outcomes_frame(
    history: pd.DataFrame,
    leads: pd.DataFrame,
    funnel: pd.DataFrame,
    examples: pd.DataFrame,
    horizon_days: int,
    monitoring_policy: pd.DataFrame,
    segments: Sequence[str],
    as_of: pd.Timestamp,
    registry: pd.DataFrame | None = None,
    *,
    offsets: pd.DataFrame | None = None,
    pool: bool = True,
) -> pd.DataFrame:
    """The early-outcome monitors of this build (calibration_early, segment_win_rate_early).

    The judged model is the one of the newest scoring run (``lead_score_history``) at least
    policy_monitoring's ``min_age_days`` old whose horizon has not matured; with ``pool``
    every run of that model in that age range is judged, each lead once at the oldest run
    that scored it (:func:`leadscore.ml.monitoring.judged_runs`). Conversions so far of those
    leads against what their probabilities promised so far, p x G(days since the run | the
    lead's age then), G estimated from the matured training examples that converted
    (``examples``' cutoffs joined to the funnel's opportunity_at). ``leads``: lead_id and
    the segment columns (dim_leads); a segment column in ``history`` (the value the run
    scored the lead with, lead_score_history.product_line) wins where it is not null.
    ``funnel``: lead_id, created_at, opportunity_at.
    Segments are judged on the leads at most the oldest training snapshot age
    (``offsets``: policy_training_cutoffs) plus the monitor's ``age_tolerance_days`` old at
    their run, the ages the model was trained and validated at (all leads when either is not
    given), and, when ``registry`` (ml_model_registry with ``holdout_parquet``) is given,
    against the judged model's own holdout ratio per segment (the build does not pass it:
    docs in policy_monitoring). Empty when no run is in that age range.
    """
    as_of = pd.Timestamp(as_of)
    opp = funnel[["lead_id", "created_at", "opportunity_at"]].assign(
        lead_id=lambda f: f["lead_id"].astype(str)
    )
    positives = examples[pd.to_numeric(examples["label"], errors="coerce") == 1]
    positives = positives.assign(lead_id=lambda f: f["lead_id"].astype(str)).merge(
        opp[["lead_id", "opportunity_at"]], on="lead_id", how="left"
    )
    positives["days_to_conversion"] = ml_early.days_to_conversion(positives)
    timing = ml_monitoring.conversion_timing(positives, horizon_days)
    oldest_snapshot = float("nan")
    in_force = None if offsets is None else _in_force(offsets, as_of)
    if in_force is not None and not in_force.empty:
        oldest_snapshot = float(in_force["days_after_created"].max())
    segment_leads = leads[["lead_id", *segments]].assign(lead_id=lambda f: f["lead_id"].astype(str))
    # a segment the history kept as the run saw it (lead_score_history.product_line) is judged
    # by that value; dim_leads' today's value only where the run kept none (older runs)
    at_run = [s for s in segments if s in history.columns]
    scored = history[history["score_status"].astype(str) == "scored"]
    frames = []
    for monitor in EARLY_MONITORS:
        min_age = _min_age_days(monitoring_policy, monitor, as_of)
        judged_rows = ml_monitoring.judged_runs(scored, as_of, horizon_days, min_age, pool=pool)
        if judged_rows.empty or timing.conversions == 0:
            continue
        rows = (
            judged_rows[["lead_id", "as_of", "conversion_probability", *at_run]]
            .rename(columns={s: f"{s}__at_run" for s in at_run})
            .assign(lead_id=lambda f: f["lead_id"].astype(str))
            .merge(opp, on="lead_id", how="left")
            .merge(segment_leads, on="lead_id", how="left")
        )
        for s in at_run:
            kept = rows.pop(f"{s}__at_run")
            rows[s] = kept.where(kept.notna(), rows[s])
        run_clock = pd.to_datetime(rows["as_of"])
        rows["lead_age_days"] = (run_clock - pd.to_datetime(rows["created_at"])).dt.days
        judged = pd.concat(
            [
                ml_monitoring.early_expectations(group, timing, pd.Timestamp(run_as_of), as_of)
                for run_as_of, group in rows.groupby("as_of", sort=True)
            ],
            ignore_index=True,
        )
        version = str(judged_rows["model_version"].iloc[0])
        tolerance = _policy_number(monitoring_policy, monitor, "age_tolerance_days", as_of)
        max_age = None
        if tolerance is not None and oldest_snapshot == oldest_snapshot:
            max_age = oldest_snapshot + tolerance
        holdout = holdout_segments(registry, version, segment_leads)
        reference = None
        if holdout is not None:
            reference = ml_monitoring.segment_reference(holdout, segments)
        found = ml_monitoring.early_outcome_monitors(
            judged,
            segments,
            run_as_of=pd.Timestamp(judged_rows["as_of"].max()),
            horizon_days=horizon_days,
            timing_conversions=timing.conversions,
            reference=reference,
            max_age_days=max_age,
        )
        found = found[found["monitor"] == monitor]
        frames.append(found.assign(model_version=version))
    out = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=["model_version", *ml_monitoring.EARLY_COLUMNS])
    )
    out["measured_at"] = as_of
    typed = _typed_drift(out[EARLY_FRAME_COLUMNS])
    typed["segment"] = typed["segment"].astype("str")
    return typed


def _typed_drift(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in ("model_version", "monitor", "subject", "reference_population"):
        out[col] = out[col].astype("str")
    out["compared_population"] = out["compared_population"].astype("str")
    out["measured_at"] = pd.to_datetime(out["measured_at"]).astype("datetime64[us]")
    out["value"] = pd.to_numeric(out["value"], errors="coerce").astype("float64")
    for col in ("reference_rows", "compared_rows"):
        out[col] = pd.to_numeric(out[col]).astype("int64")
    return out


# --------------------------------------------------------------------------- accounts

#: int_account_snapshots' key columns (the rest are the account catalog's features and label)
ACCOUNT_COL = "account_id"
ACCOUNT_SCORE_COLUMNS = (
    "account_id",
    "account_conversion_probability",
    "account_model_version",
    "account_probability_note",
)


def _account_training_rows(snapshots: pd.DataFrame) -> pd.DataFrame:
    """The matured training snapshots in a fixed order (same rows -> same model)."""
    train = snapshots[snapshots["purpose"].astype(str) == "train"]
    return train.sort_values(["cutoff_at", ACCOUNT_COL], kind="stable").reset_index(drop=True)


def _outcome_counts(train: pd.DataFrame) -> tuple[int, int]:
    y = pd.to_numeric(train["label"], errors="coerce").fillna(0)
    return len(y), int((y > 0).sum())


def account_retrain_decision(
    previous: pd.DataFrame | None,
    spec: FeatureSpec,
    policy: ScoringPolicy,
    as_of: pd.Timestamp,
    *,
    force: bool = False,
) -> RetrainDecision:
    """Whether this build trains the account model, or keeps the previous build's.

    The lead model's rules (:func:`leadscore.ml.registry.retrain_decision`): retrain when
    forced, with no model yet, when the account catalog or training policy changed (spec
    hash), or when the model is older than the policy's ``retrain_cadence_days`` on the
    scoring clock. A model trained *after* the clock (a replay moved the clock back) is never
    kept: it has seen outcomes the clock has not.
    """
    champ = champion_row(previous)
    if champ is not None and pd.Timestamp(champ["trained_at"]) > pd.Timestamp(as_of):
        return RetrainDecision(
            True,
            "clock_moved_back",
            f"the account model was trained at {champ['trained_at']}, after the scoring clock "
            f"{as_of}",
        )
    return retrain_decision(
        None if champ is None else champ["trained_at"],
        as_of,
        policy.retrain_cadence_days,
        force=force,
        champion_spec_hash=None if champ is None else _text_or_none(champ.get("spec_hash")),
        current_spec_hash=training_spec_hash(spec, policy),
    )


def train_account_model(
    snapshots: pd.DataFrame,
    spec: FeatureSpec,
    policy: ScoringPolicy,
    as_of: pd.Timestamp,
    dataset: str,
    *,
    retrain_reason: str = "forced",
) -> pa.Table:
    """The account model of this build: one registry-shaped row, or none with too few outcomes.

    Trained from the matured account snapshots (``purpose = 'train'`` rows of
    int_account_snapshots, capped by int_account_training_sample: features known at each
    cutoff, label = an opportunity on the account within the horizon after it), with the lead
    model's recipe and honesty rules (:func:`train_and_evaluate`: time split with a
    one-horizon embargo, candidates chosen and calibrated on older rows, leak check, holdout
    measured once). The policy's minimum outcomes (policy_label) apply to account snapshots as
    they do to lead snapshots. Whether to train at all is :func:`account_retrain_decision`'s
    call (``retrain_reason``).
    """
    train = _account_training_rows(snapshots)
    rows, positives = _outcome_counts(train)
    if not has_enough_outcomes(train, policy):
        log.warning(
            "account model: too few outcomes to train (%d snapshots, %d with an opportunity; "
            "policy needs %d and %d): account probabilities stay null",
            rows,
            positives,
            policy.min_examples,
            policy.min_positives,
        )
        return registry_table(_empty_registry(), dataset)
    model = train_and_evaluate(
        train,
        spec,
        policy,
        lead_col=ACCOUNT_COL,
        trained_at=as_of,
        progress=Progress("account training"),
    )
    row = registry_row(model, status="champion")
    row["decision_reason"] = (
        f"trained on {rows:,} matured account snapshots ({positives:,} with an opportunity "
        "within the horizon; at most the policy's max_training_examples, "
        "int_account_training_sample); kept by later builds until the retrain cadence"
    )
    row["retrain_reason"] = retrain_reason
    return registry_table(pd.DataFrame([row]), dataset)


def kept_account_model(previous: pd.DataFrame, dataset: str) -> pa.Table:
    """The previous build's account model row, unchanged (see :func:`account_retrain_decision`)."""
    champ = champion_row(previous)
    if champ is None:
        raise ValueError("no previous account model to keep: the build must train one")
    return registry_table(pd.DataFrame([champ.to_dict()]), dataset)


def score_accounts(
    snapshots: pd.DataFrame,
    model_rows: pd.DataFrame,
    policy: ScoringPolicy,
) -> pd.DataFrame:
    """``account_conversion_probability`` of every account at the scoring clock.

    The ``purpose = 'score'`` snapshots scored by this build's account model; without one
    (too few outcomes) the probability is null and ``account_probability_note`` says why.
    """
    current = snapshots[snapshots["purpose"].astype(str) == "score"].reset_index(drop=True)
    ids = current[ACCOUNT_COL].astype(str)
    model = load_champion(model_rows)
    if model is None or current.empty:
        rows, positives = _outcome_counts(_account_training_rows(snapshots))
        note = (
            f"no account model: {rows:,} matured account snapshots with {positives:,} "
            f"opportunities; the policy needs {policy.min_examples:,} and "
            f"{policy.min_positives:,} (policy_label)"
        )
        return pd.DataFrame(
            {
                "account_id": ids,
                "account_conversion_probability": pd.Series([np.nan] * len(ids), dtype="float64"),
                "account_model_version": pd.Series([None] * len(ids), dtype="object"),
                "account_probability_note": [note] * len(ids),
            }
        )
    with native_threads(policy.max_threads):
        probability = model.predict_proba(current)
    return pd.DataFrame(
        {
            "account_id": ids,
            "account_conversion_probability": np.clip(np.asarray(probability, float), 0, 1),
            "account_model_version": [model.version] * len(ids),
            "account_probability_note": pd.Series([None] * len(ids), dtype="object"),
        }
    )
