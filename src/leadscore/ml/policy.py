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
    retrain_cadence_days: int = 30
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
    # OpenMP/BLAS threads for fitting and scoring (0 = library default). On a shared box or
    # under pytest-xdist, 1 avoids oversubscription, which can slow HGB down 10x.
    max_threads: int = 0
    extra: Mapping[str, str] = field(default_factory=dict)

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
        if self.horizon_days <= 0 or self.retrain_cadence_days <= 0:
            raise PolicyError("horizon_days and retrain_cadence_days must be positive")
        if not 0 < self.rules_prior < 1:
            raise PolicyError(f"rules_prior must be in (0, 1), got {self.rules_prior}")

    def rules_points_for(self, group: str) -> float:
        """Default points a firing rule earns when the catalog gives no ``rule_points``."""
        return float(getattr(self, f"rules_points_{group}", 0.0))


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
    """One feature from the catalog: how to encode it, where it belongs, how to say it."""

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

    def phrase(self, sign: int, value: Any) -> str:
        """Render the reason text, e.g. ``+ Visited pricing page 3x in last 30 days``."""
        template = self.phrase_positive if sign > 0 else self.phrase_negative
        text = template.replace("{value}", format_value(value, self.kind))
        return f"{'+' if sign > 0 else '-'} {text}"


def format_value(value: Any, kind: str) -> str:
    """Short human form of a feature value for reason text."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "unknown"
    if kind == "boolean":
        try:
            return "yes" if float(value) >= 0.5 else "no"
        except (TypeError, ValueError):
            return str(value)
    if kind == "numeric":
        number = float(value)
        if number.is_integer():
            return str(int(number))
        return f"{number:.1f}" if abs(number) < 100 else f"{number:.0f}"
    return str(value)


@dataclass(frozen=True)
class FeatureSpec:
    """The feature catalog: the only place the ML code learns which columns are features."""

    features: tuple[FeatureDef, ...]

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> FeatureSpec:
        """Build from the ``feature_catalog`` seed.

        Required columns: ``feature``, ``kind``, ``group``, ``availability``. Optional:
        ``label``, ``reason_phrase_positive``, ``reason_phrase_negative``, ``reason_template``
        (one template with ``{value}`` used for both signs), ``rule_points``,
        ``rule_threshold`` (numeric/boolean rule fires when value >= threshold; default > 0),
        ``rule_values`` (categorical rule fires for these ``|``-separated values).
        """
        if "group" not in frame.columns and "feature_group" in frame.columns:
            frame = frame.rename(columns={"feature_group": "group"})  # seed spelling
        required = ["feature", "kind", "group", "availability"]
        missing = [c for c in required if c not in frame.columns]
        if missing:
            raise PolicyError(f"feature catalog is missing columns {missing}")
        defs: list[FeatureDef] = []
        for row in frame.to_dict("records"):
            defs.append(_feature_def(row))
        names = [d.name for d in defs]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise PolicyError(f"feature catalog lists features more than once: {dupes}")
        return cls(tuple(defs))

    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, Any]]) -> FeatureSpec:
        return cls.from_frame(pd.DataFrame(list(records)))

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


def _feature_def(row: Mapping[str, Any]) -> FeatureDef:
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
    )
