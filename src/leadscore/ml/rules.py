"""Transparent points-based scoring for when there are too few outcomes to learn from.

Cold start is where products fail users ("half your leads get a score of zero"). Until the
policy's minimum of examples and positive outcomes exists, leads are scored by rules a person
can read in the catalog: each rule is one feature with a condition and points (catalog
``rule_points`` / ``rule_threshold`` / ``rule_values``, or the policy's default points per
group for a numeric/boolean feature that is above zero). Points map to a 0-100 score over the
range the rules allow and to a probability-like number anchored at the prior conversion rate;
it is labelled ``rules_fallback`` and is not a calibrated probability.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from leadscore.ml.features import prepare_features
from leadscore.ml.grades import grades, percentile_among, to_int_score
from leadscore.ml.leakage import select_features
from leadscore.ml.output import finalize_frame, usable_mask
from leadscore.ml.policy import FeatureDef, FeatureSpec, ScoringPolicy
from leadscore.ml.reasons import select_reasons

RULES_STATUS = "rules_fallback"


@dataclass(frozen=True)
class Rule:
    """``feature`` fires (numeric/boolean: value >= threshold or > 0; categorical: value in
    ``values``) and earns ``points`` (negative points for warning signs)."""

    feature: FeatureDef
    points: float
    threshold: float | None
    values: tuple[str, ...]

    @property
    def description(self) -> str:
        name = self.feature.name
        if self.values:
            cond = f"{name} in {list(self.values)}"
        elif self.threshold is not None:
            cond = f"{name} >= {self.threshold:g}"
        else:
            cond = f"{name} > 0"
        return f"{cond}: {self.points:+g} points"

    def fires(self, column: pd.Series) -> np.ndarray:
        if self.feature.kind == "categorical":
            return column.isin(self.values).to_numpy(dtype=bool)
        x = column.to_numpy(dtype=np.float64)
        with np.errstate(invalid="ignore"):
            hit = x >= self.threshold if self.threshold is not None else x > 0
        return hit & ~np.isnan(x)


def build_rules(spec: FeatureSpec, policy: ScoringPolicy, columns: list[str]) -> list[Rule]:
    """Rules for the pre-contact catalog features present in the data (none with 0 points)."""
    usable = select_features(columns, spec).usable
    rules: list[Rule] = []
    for name in usable:
        feature = spec[name]
        points = (
            feature.rule_points
            if feature.rule_points is not None
            else policy.rules_points_for(feature.group)
        )
        if points == 0:
            continue
        if feature.kind == "categorical" and not feature.rule_values:
            continue
        rules.append(Rule(feature, float(points), feature.rule_threshold, feature.rule_values))
    return rules


def _scaled(points: np.ndarray, rules_points: np.ndarray) -> np.ndarray:
    """0-100 position of a point total between the lowest and highest totals possible."""
    low = rules_points[rules_points < 0].sum()
    high = rules_points[rules_points > 0].sum()
    if high == low:
        return np.full(len(points), 50.0)
    return 100.0 * (points - low) / (high - low)


def score_with_rules(
    features: pd.DataFrame,
    spec: FeatureSpec,
    policy: ScoringPolicy,
    scored_at: pd.Timestamp | None = None,
    *,
    lead_col: str = "lead_id",
    prior: float | None = None,
) -> pd.DataFrame:
    """Score leads with the rules; same columns as the model scorer (leadscore.ml.output).

    ``prior``: observed conversion rate if any outcomes exist (else ``policy.rules_prior``).
    Leads whose usable features are all missing get ``insufficient_data`` instead.
    """
    rules = build_rules(spec, policy, list(features.columns))
    usable = select_features(features.columns, spec).usable
    prepared = prepare_features(features, spec.kinds(usable))
    has_data = usable_mask(prepared)
    n = len(features)
    if rules:
        fired = np.column_stack([r.fires(prepared[r.feature.name]) for r in rules])
        pts = np.array([r.points for r in rules])
        contrib = fired * pts
    else:
        pts = np.zeros(0)
        contrib = np.zeros((n, 0))
    total = contrib.sum(axis=1)
    scaled = _scaled(total, pts)

    def group_scaled(groups: tuple[str, ...]) -> np.ndarray:
        idx = [i for i, r in enumerate(rules) if r.feature.group in groups]
        if not idx:
            return np.full(n, np.nan)
        return _scaled(contrib[:, idx].sum(axis=1), pts[idx])

    fit = group_scaled(policy.fit_groups)
    eng = group_scaled(policy.engagement_groups)
    base = prior if prior is not None and 0 < prior < 1 else policy.rules_prior
    logit = math.log(base / (1 - base)) + policy.rules_spread * (scaled / 100.0 - 0.5)
    prob = 1.0 / (1.0 + np.exp(-logit))

    values = pd.DataFrame(
        {f"r{i}": prepared[r.feature.name].to_numpy() for i, r in enumerate(rules)},
        index=features.index,
    )
    reasons = select_reasons(
        contrib,
        values,
        [r.feature for r in rules],
        words=(policy.reason_word_raises, policy.reason_word_lowers),
    )
    fit_for_grade = np.where(np.isnan(fit), scaled, fit)
    eng_for_grade = np.where(np.isnan(eng), scaled, eng)
    prob = np.where(has_data, prob, np.nan)
    scaled = np.where(has_data, scaled, np.nan)
    out = pd.DataFrame(
        {
            lead_col: features[lead_col].to_numpy() if lead_col in features else features.index,
            "conversion_probability": prob,
            "score": to_int_score(scaled),
            "percentile": percentile_among(prob),
            "fit_score": to_int_score(np.where(has_data, fit, np.nan)),
            "engagement_score": to_int_score(np.where(has_data, eng, np.nan)),
            "grade": grades(
                np.where(has_data, fit_for_grade, np.nan).round(),
                np.where(has_data, eng_for_grade, np.nan).round(),
                policy,
            ),
        }
    )
    for col in reasons.columns:
        out[col] = reasons[col].to_numpy()
    # a lead with data but no rule firing still gets an explicit reason, never a silent 0
    no_rule = has_data & (np.abs(contrib).sum(axis=1) == 0)
    out.loc[no_rule, "reason_1"] = "No scoring rule matched yet (no fit or engagement signal)"
    out["score_status"] = np.where(has_data, RULES_STATUS, "insufficient_data")
    return finalize_frame(out, f"rules-v{policy.policy_version}", scored_at, lead_col, has_data)
