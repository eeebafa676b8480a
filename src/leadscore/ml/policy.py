"""Policy and feature metadata as typed objects, built from the dbt seeds.

The numbers that decide how leads are scored (label horizon, minimum outcomes, leak threshold,
grade cut-offs...) live in the ``scoring_policy`` seed and the per-feature metadata (group,
pre/post-contact availability, reason phrases) in the ``feature_catalog`` seed, so that an
analytics engineer tunes them in git, not in code. This module only parses and validates them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Literal

import pandas as pd

FeatureKind = Literal["numeric", "categorical", "boolean"]
FeatureGroup = Literal["fit", "engagement", "channel", "intent", "other"]
Availability = Literal["pre_contact", "post_contact"]

_KINDS = {"numeric", "categorical", "boolean"}
_GROUPS = {"fit", "engagement", "channel", "intent", "other"}
_AVAILABILITY = {"pre_contact", "post_contact"}


class PolicyError(ValueError):
    """A policy or feature-catalog value is missing or invalid (the message says which)."""


@dataclass(frozen=True)
class ScoringPolicy:
    """Every tunable number of training and scoring, with the defaults the docs state.

    Build it with :meth:`from_frame` (the ``scoring_policy`` seed: ``key``/``value`` rows,
    optionally ``effective_from``) or :meth:`from_mapping`. Unknown keys are kept in ``extra``
    so other layers (MQL rules, deal sizes) can share the same seed.
    """

    policy_version: str = "1"
    horizon_days: int = 90
    min_positives: int = 120
    min_examples: int = 1000
    leak_auc_threshold: float = 0.95
    promotion_tolerance: float = 0.01
    # the promotion gate compares both models on at least this many recent matured outcomes
    promotion_min_recent_rows: int = 200
    retrain_cadence_days: int = 30
    # the early-label rule of a challenger whose retrain a monitor triggered
    # (leadscore.ml.early): cutoffs at least this old join with their conversions so far
    # (0 = off), converted-so-far rows weighted 1/G (G floored at early_label_min_share),
    # every row x 0.5 ** (age / early_label_half_life_days); the retrain reasons (before the
    # colon) that train this way
    early_label_min_age_days: int = 0
    early_label_half_life_days: float = 90.0
    early_label_min_share: float = 0.2
    early_label_triggers: tuple[str, ...] = ("drift", "segment_shift")
    test_fraction: float = 0.25
    validation_fraction: float = 0.2
    calibration_fraction: float = 0.2
    kfold_splits: int = 5
    refit_on_all: bool = True
    refit_after_calibration: bool = True
    random_seed: int = 42
    # grade cut-offs on the 0-100 fit / engagement sub-scores
    grade_fit_a: float = 75.0
    grade_fit_b: float = 50.0
    grade_fit_c: float = 25.0
    grade_engagement_1: float = 75.0
    grade_engagement_2: float = 50.0
    grade_engagement_3: float = 25.0
    # which catalog groups feed the fit and engagement sub-scores
    fit_groups: tuple[str, ...] = ("fit",)
    engagement_groups: tuple[str, ...] = ("engagement",)
    # feature preprocessing
    min_category_frequency: int = 20
    max_categories: int = 60
    # candidate models
    lr_c: float = 1.0
    hgb_learning_rate: float = 0.06
    hgb_max_iter: int = 300
    hgb_max_leaf_nodes: int = 31
    hgb_min_samples_leaf: int = 40
    hgb_l2_regularization: float = 1.0
    # trees are added in chunks of this many (a progress line each); fitting stops when the
    # newest validation slice's log-loss has not improved for hgb_patience_trees trees
    hgb_chunk_trees: int = 50
    hgb_patience_trees: int = 50
    # leak guard, part 2: one feature may carry at most this share of the model's lift
    # (holdout ROC-AUC - 0.5), measured by permuting it on the holdout (leak_check_rows rows)
    leak_max_lift_share: float = 0.35
    # ... and only when shuffling it costs at least this much ROC-AUC (a small holdout's
    # noise, on a model with little lift, is not a leak)
    leak_min_auc_drop: float = 0.08
    # ... and only on a model whose holdout ROC-AUC reaches this: a leak makes a model look
    # good; a weak model whose little lift sits in one feature is not evidence of one
    leak_min_model_auc: float = 0.70
    leak_check_rows: int = 20_000
    # only the features with the largest mean |contribution| on the holdout are permuted
    leak_check_features: int = 8
    # undated exports: a column giving the export's row order (time split by it), and the
    # ROC-AUC of row position alone above which training warns that rows look time-ordered
    order_column: str = ""
    row_order_auc_warn: float = 0.6
    # grades: conversion may fall by at most this much (absolute) from a lower to a higher
    # grade on the holdout, counting only cells with at least grade_min_cell rows
    grade_monotonic_tolerance: float = 0.02
    grade_min_cell: int = 50
    # rows of training data whose contributions define the fit / engagement distributions
    part_reference_rows: int = 20_000
    # words that say which way a reason moves the score
    reason_word_raises: str = "Raises"
    reason_word_lowers: str = "Lowers"
    # rules fallback (points per group when the catalog gives none)
    rules_points_fit: float = 10.0
    rules_points_engagement: float = 10.0
    rules_points_intent: float = 10.0
    rules_points_channel: float = 0.0
    rules_points_other: float = 0.0
    rules_prior: float = 0.05
    rules_spread: float = 4.0
    # scoring
    reason_batch_size: int = 50_000
    # OpenMP/BLAS threads for fitting and scoring; 0 = this machine's cores divided by the
    # dbt threads (LEADSCORE_THREADS), see leadscore.ml.runtime.ml_threads
    max_threads: int = 0
    extra: Mapping[str, str] = field(default_factory=dict)

    def training_fingerprint(self) -> dict[str, Any]:
        """The values that change what training produces (not grading, wording or cadence)."""
        out = {key: getattr(self, key) for key in TRAINING_KEYS}
        for key in TRAINING_EXTRA_KEYS:
            if key in self.extra:
                out[key] = self.extra[key]
        return out

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> ScoringPolicy:
        """Build from a plain dict; values may be strings (as seeds give them)."""
        known = {f.name: f for f in fields(cls) if f.name != "extra"}
        kwargs: dict[str, Any] = {}
        extra: dict[str, str] = {}
        for raw_key, value in values.items():
            key = str(raw_key).strip().lower()
            if key not in known:
                extra[key] = "" if value is None else str(value)
                continue
            if value is None or (isinstance(value, float) and math.isnan(value)):
                continue
            kwargs[key] = _coerce(key, value, known[key].default)
        policy = cls(**kwargs, extra=extra)
        policy.validate()
        return policy

    @classmethod
    def from_frame(
        cls,
        frame: pd.DataFrame,
        *,
        key_col: str = "key",
        value_col: str = "value",
        as_of: pd.Timestamp | None = None,
    ) -> ScoringPolicy:
        """Build from the ``scoring_policy`` seed (one row per key).

        With an ``effective_from`` column, the latest row per key effective at ``as_of``
        (default: now) wins, so policy changes are dated data rather than overwrites.
        """
        if key_col not in frame.columns or value_col not in frame.columns:
            raise PolicyError(
                f"scoring policy frame needs columns {key_col!r} and {value_col!r}; "
                f"got {list(frame.columns)}"
            )
        rows = frame
        if "effective_from" in frame.columns:
            when = pd.Timestamp.now(tz=None) if as_of is None else pd.Timestamp(as_of)
            eff = pd.to_datetime(frame["effective_from"], errors="coerce")
            if eff.dt.tz is not None:
                eff = eff.dt.tz_localize(None)
            if when.tzinfo is not None:
                when = when.tz_localize(None)
            rows = frame.assign(_eff=eff)
            rows = rows[rows["_eff"].isna() | (rows["_eff"] <= when)]
            rows = rows.sort_values("_eff", kind="stable", na_position="first")
        mapping = dict(zip(rows[key_col].astype(str), rows[value_col], strict=True))
        return cls.from_mapping(mapping)

    def validate(self) -> None:
        """Reject values that would make training or grading meaningless."""
        if not 0 < self.test_fraction < 1:
            raise PolicyError(f"test_fraction must be in (0, 1), got {self.test_fraction}")
        if not 0.5 < self.leak_auc_threshold <= 1:
            raise PolicyError(
                f"leak_auc_threshold must be in (0.5, 1], got {self.leak_auc_threshold}"
            )
        if not self.grade_fit_a >= self.grade_fit_b >= self.grade_fit_c:
            raise PolicyError("fit grade cut-offs must satisfy A >= B >= C")
        if not self.grade_engagement_1 >= self.grade_engagement_2 >= self.grade_engagement_3:
            raise PolicyError("engagement grade cut-offs must satisfy 1 >= 2 >= 3")
        if not 0 < self.leak_max_lift_share <= 1:
            raise PolicyError(
                f"leak_max_lift_share must be in (0, 1], got {self.leak_max_lift_share}"
            )
        if self.hgb_chunk_trees <= 0 or self.hgb_patience_trees < 0:
            raise PolicyError("hgb_chunk_trees must be positive and hgb_patience_trees >= 0")
        if self.horizon_days <= 0 or self.retrain_cadence_days <= 0:
            raise PolicyError("horizon_days and retrain_cadence_days must be positive")
        if not 0 < self.rules_prior < 1:
            raise PolicyError(f"rules_prior must be in (0, 1), got {self.rules_prior}")

    def rules_points_for(self, group: str) -> float:
        """Default points a firing rule earns when the catalog gives no ``rule_points``."""
        return float(getattr(self, f"rules_points_{group}", 0.0))


#: ScoringPolicy fields that change the trained model (hashed into the model version).
TRAINING_KEYS: tuple[str, ...] = (
    "horizon_days",
    "min_positives",
    "min_examples",
    "leak_auc_threshold",
    "leak_max_lift_share",
    "leak_min_auc_drop",
    "leak_min_model_auc",
    "test_fraction",
    "calibration_fraction",
    "kfold_splits",
    "refit_on_all",
    "random_seed",
    "fit_groups",
    "engagement_groups",
    "min_category_frequency",
    "max_categories",
    "lr_c",
    "hgb_learning_rate",
    "hgb_max_iter",
    "hgb_max_leaf_nodes",
    "hgb_min_samples_leaf",
    "hgb_l2_regularization",
    "hgb_patience_trees",
    "order_column",
)
#: Seed keys ScoringPolicy does not model but that change the training rows.
TRAINING_EXTRA_KEYS: tuple[str, ...] = ("max_training_examples",)


def _coerce(key: str, value: Any, default: Any) -> Any:
    text = str(value).strip()
    try:
        if isinstance(default, bool):
            if text.lower() in {"1", "true", "yes", "y", "t"}:
                return True
            if text.lower() in {"0", "false", "no", "n", "f"}:
                return False
            raise ValueError(text)
        if isinstance(default, int):
            return int(float(text))
        if isinstance(default, float):
            return float(text)
        if isinstance(default, tuple):
            return tuple(p.strip() for p in text.split(",") if p.strip())
        return text
    except ValueError as exc:
        raise PolicyError(
            f"policy key {key!r}: cannot read {value!r} as {type(default).__name__}"
        ) from exc


@dataclass(frozen=True)
class FeatureDef:
    """One feature from the catalog: how to encode it, where it belongs, how to say it.

    Reason wording (columns of the ``feature_catalog`` seed):

    * ``reason_phrase_positive`` / ``reason_phrase_negative``: templates with ``{value}`` used
      when the feature raises / lowers the score. For a **boolean** feature they are the
      phrases for the value *true* / *false* instead (what the lead did or did not do; the
      direction is said separately), so a phrase never contradicts the lead's data.
    * ``reason_phrase_zero``: what a zero (or false) means, phrased as an absence ("No web
      visits in the last 90 days"). Setting it marks zero as an *absence*: it is never shown
      as a reason that raises the score.
    * ``reason_phrase_missing``: what a missing or unknown value means ("No industry on
      record"). A missing value is never a raising reason and, without this phrase, never a
      reason at all: "unknown" is not stated as a fact.
    * ``value_format``: ``count``, ``days``, ``percent`` (a 0-1 share shown as %), ``decimal``
      or empty (plain number).
    * category values are shown by their human label (``feature_value_labels`` seed).

    ``reviewed`` + ``review_reason``: a person checked that this strong feature is known
    before first contact, so the leak guard reports it but does not stop training on it.
    """

    name: str
    kind: FeatureKind
    group: FeatureGroup
    availability: Availability
    label: str
    phrase_positive: str
    phrase_negative: str
    rule_points: float | None = None
    rule_threshold: float | None = None
    rule_values: tuple[str, ...] = ()
    phrase_zero: str | None = None
    phrase_missing: str | None = None
    value_format: str = ""
    value_labels: Mapping[str, str] = field(default_factory=dict)
    unknown_values: frozenset[str] = frozenset()
    reviewed: bool = False
    review_reason: str = ""

    @property
    def zero_is_absence(self) -> bool:
        return self.phrase_zero is not None

    def is_missing(self, value: Any) -> bool:
        """Missing, or a category value the vocabulary says means 'not known'."""
        if _is_na(value):
            return True
        return self.kind == "categorical" and str(value) in self.unknown_values

    def is_zero(self, value: Any) -> bool:
        if _is_na(value) or self.kind == "categorical":
            return False
        try:
            return float(value) == 0.0
        except (TypeError, ValueError):
            return False

    def can_raise(self, value: Any) -> bool:
        """False for values that are absences: missing/unknown, or zero when zero is absence."""
        if self.is_missing(value):
            return False
        return not (self.zero_is_absence and self.is_zero(value))

    def can_explain(self, value: Any) -> bool:
        """A reason can be worded for this value (missing values need a missing phrase)."""
        return not self.is_missing(value) or self.phrase_missing is not None

    def phrase(self, sign: int, value: Any) -> str:
        """The reason's words (no sign), e.g. ``Visited the pricing page 3x in 30 days``."""
        if self.is_missing(value):
            text = self.phrase_missing or f"{self.label} not on record"
        elif self.zero_is_absence and self.is_zero(value):
            text = str(self.phrase_zero)
        else:
            if self.kind == "boolean":
                template = self.phrase_positive if _truthy(value) else self.phrase_negative
            else:
                template = self.phrase_positive if sign > 0 else self.phrase_negative
            text = template.replace("{value}", self.format(value))
        return text[:1].upper() + text[1:]

    def format(self, value: Any) -> str:
        if self.kind == "categorical":
            text = str(value)
            return self.value_labels.get(text) or humanize(text)
        return format_value(value, self.kind, self.value_format)


def _is_na(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def _truthy(value: Any) -> bool:
    try:
        return float(value) >= 0.5
    except (TypeError, ValueError):
        return str(value).strip().lower() in {"true", "t", "yes", "y"}


def humanize(code: str) -> str:
    """Fallback for a category code without a label: ``it_services`` -> ``It services``."""
    text = code.replace("_", " ").strip()
    return text[:1].upper() + text[1:] if text.islower() else text


def format_value(value: Any, kind: str, value_format: str = "") -> str:
    """Short human form of a feature value for reason text."""
    if _is_na(value):
        return "not on record"
    if kind == "boolean":
        return "yes" if _truthy(value) else "no"
    if kind == "numeric":
        number = float(value)
        if value_format == "percent":
            return f"{round(number * 100):d}%"
        if value_format in ("count", "days"):
            return f"{round(number):,d}"
        if value_format == "decimal":
            return f"{number:.1f}"
        if number.is_integer():
            return str(int(number))
        return f"{number:.1f}" if abs(number) < 100 else f"{number:.0f}"
    return str(value)


@dataclass(frozen=True)
class FeatureSpec:
    """The feature catalog: the only place the ML code learns which columns are features."""

    features: tuple[FeatureDef, ...]

    @classmethod
    def from_frame(
        cls, frame: pd.DataFrame, value_labels: pd.DataFrame | None = None
    ) -> FeatureSpec:
        """Build from the ``feature_catalog`` seed (and the ``feature_value_labels`` seed).

        Required columns: ``feature``, ``kind``, ``group``, ``availability``. Optional:
        ``label``, ``reason_phrase_positive``, ``reason_phrase_negative``, ``reason_template``
        (one template with ``{value}`` used for both signs), ``rule_points``,
        ``rule_threshold`` (numeric/boolean rule fires when value >= threshold; default > 0),
        ``rule_values`` (categorical rule fires for these ``|``-separated values),
        ``reason_phrase_zero``, ``reason_phrase_missing``, ``value_format``, ``reviewed``,
        ``review_reason`` (see :class:`FeatureDef`).

        ``value_labels``: rows of (``feature``, ``value``, ``label``, optional ``is_unknown``):
        the words a category value is shown with; ``is_unknown`` values count as missing.
        Features are kept in name order, whatever order the rows come in.
        """
        if "group" not in frame.columns and "feature_group" in frame.columns:
            frame = frame.rename(columns={"feature_group": "group"})  # seed spelling
        required = ["feature", "kind", "group", "availability"]
        missing = [c for c in required if c not in frame.columns]
        if missing:
            raise PolicyError(f"feature catalog is missing columns {missing}")
        labels: dict[str, dict[str, str]] = {}
        unknown: dict[str, set[str]] = {}
        if value_labels is not None and len(value_labels):
            for rec in value_labels.to_dict("records"):
                feat, value = _text(rec, "feature"), _text(rec, "value")
                if feat is None or value is None:
                    continue
                if _flag(rec.get("is_unknown")):
                    unknown.setdefault(feat, set()).add(value)
                label = _text(rec, "label")
                if label:
                    labels.setdefault(feat, {})[value] = label
        # A warehouse does not promise row order, and the feature order decides the model's
        # column order (tree split ties, the spec hash): sorted by name, every engine trains
        # the same model from the same catalog.
        frame = frame.sort_values("feature", kind="stable")
        defs: list[FeatureDef] = []
        for row in frame.to_dict("records"):
            defs.append(_feature_def(row, labels, unknown))
        names = [d.name for d in defs]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise PolicyError(f"feature catalog lists features more than once: {dupes}")
        return cls(tuple(defs))

    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, Any]]) -> FeatureSpec:
        return cls.from_frame(pd.DataFrame(list(records)))

    def fingerprint(self, names: Iterable[str] | None = None) -> list[dict[str, Any]]:
        """What of the catalog changes training: name, kind, group, availability, review."""
        wanted = None if names is None else set(names)
        return [
            {
                "feature": f.name,
                "kind": f.kind,
                "group": f.group,
                "availability": f.availability,
                "reviewed": f.reviewed,
            }
            for f in self.features
            if wanted is None or f.name in wanted
        ]

    def __getitem__(self, name: str) -> FeatureDef:
        for feature in self.features:
            if feature.name == name:
                return feature
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.features]

    def pre_contact(self) -> list[str]:
        return [f.name for f in self.features if f.availability == "pre_contact"]

    def post_contact(self) -> list[str]:
        return [f.name for f in self.features if f.availability == "post_contact"]

    def in_groups(self, groups: Iterable[str], among: Iterable[str]) -> list[str]:
        wanted = set(groups)
        allowed = set(among)
        return [f.name for f in self.features if f.group in wanted and f.name in allowed]

    def kinds(self, names: Iterable[str]) -> dict[str, str]:
        return {n: self[n].kind for n in names}


def _text(row: Mapping[str, Any], key: str) -> str | None:
    value = row.get(key)
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    text = str(value).strip()
    return text or None


def _flag(value: Any) -> bool:
    if _is_na(value):
        return False
    return str(value).strip().lower() in {"true", "t", "yes", "y", "1"}


def _feature_def(
    row: Mapping[str, Any],
    labels: Mapping[str, Mapping[str, str]] | None = None,
    unknown: Mapping[str, set[str]] | None = None,
) -> FeatureDef:
    name = _text(row, "feature")
    if name is None:
        raise PolicyError("feature catalog has a row with an empty 'feature'")
    kind = (_text(row, "kind") or "").lower()
    group = (_text(row, "group") or "other").lower()
    availability = (_text(row, "availability") or "").lower()
    if kind not in _KINDS:
        raise PolicyError(f"feature {name!r}: kind must be one of {sorted(_KINDS)}, got {kind!r}")
    if group not in _GROUPS:
        raise PolicyError(
            f"feature {name!r}: group must be one of {sorted(_GROUPS)}, got {group!r}"
        )
    if availability not in _AVAILABILITY:
        raise PolicyError(
            f"feature {name!r}: availability must be one of {sorted(_AVAILABILITY)}, "
            f"got {availability!r}"
        )
    label = _text(row, "label") or name.replace("_", " ").capitalize()
    template = _text(row, "reason_template")
    positive = _text(row, "reason_phrase_positive") or template or f"{label}: {{value}}"
    negative = _text(row, "reason_phrase_negative") or template or f"{label}: {{value}}"
    value_format = (_text(row, "value_format") or "").lower()
    if value_format not in {"", "count", "days", "percent", "decimal"}:
        raise PolicyError(f"feature {name!r}: unknown value_format {value_format!r}")
    reviewed = _flag(row.get("reviewed"))
    review_reason = _text(row, "review_reason") or ""
    if reviewed and not review_reason:
        raise PolicyError(
            f"feature {name!r} is marked reviewed but has no review_reason: say why this "
            "strong feature is known before first contact"
        )
    points = _text(row, "rule_points")
    threshold = _text(row, "rule_threshold")
    values = _text(row, "rule_values")
    return FeatureDef(
        name=name,
        kind=kind,  # type: ignore[arg-type]
        group=group,  # type: ignore[arg-type]
        availability=availability,  # type: ignore[arg-type]
        label=label,
        phrase_positive=positive,
        phrase_negative=negative,
        rule_points=float(points) if points is not None else None,
        rule_threshold=float(threshold) if threshold is not None else None,
        rule_values=tuple(v.strip() for v in values.split("|")) if values else (),
        phrase_zero=_text(row, "reason_phrase_zero"),
        phrase_missing=_text(row, "reason_phrase_missing"),
        value_format=value_format,
        value_labels=dict((labels or {}).get(name, {})),
        unknown_values=frozenset((unknown or {}).get(name, set())),
        reviewed=reviewed,
        review_reason=review_reason,
    )


def training_spec_hash(
    spec: FeatureSpec, policy: ScoringPolicy, force_include: Iterable[str] = ()
) -> str:
    """Hash of what decides a model besides its data: catalog features and training policy.

    A champion trained under another hash is out of date: the next build retrains
    (``retrain_reason = spec_changed``) and the new model replaces it.
    """
    import hashlib
    import json

    payload = {
        "catalog": spec.fingerprint(),
        "policy": policy.training_fingerprint(),
        "force_include": sorted(force_include),
    }
    text = json.dumps(payload, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
