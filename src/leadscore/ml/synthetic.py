"""Synthetic point-in-time training examples with a known true probability.

Used by the tests and benchmarks: because the generator knows each row's true conversion
probability, a model's holdout ROC-AUC can be compared with the best achievable one, and its
calibration checked against a truth that exists.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

INDUSTRIES = [
    "software",
    "finance",
    "healthcare",
    "retail",
    "manufacturing",
    "education",
    "government",
    "media",
]
INDUSTRY_EFFECT = [0.7, 0.4, 0.2, -0.2, 0.0, -0.5, -0.4, -0.1]
SOURCES = ["organic", "paid_search", "referral", "event", "social", "partner"]
SOURCE_EFFECT = [0.1, -0.2, 0.5, 0.3, -0.4, 0.4]


def synthetic_catalog() -> pd.DataFrame:
    """A feature catalog matching :func:`make_examples` (one post-contact leak included)."""
    rows = [
        (
            "company_size",
            "numeric",
            "fit",
            "pre_contact",
            "Company size {value} employees",
            "Small company ({value} employees)",
        ),
        ("industry", "categorical", "fit", "pre_contact", "Industry: {value}", "Industry: {value}"),
        (
            "is_target_title",
            "boolean",
            "fit",
            "pre_contact",
            "Decision-maker job title",
            "Job title outside the buying group",
        ),
        (
            "email_clicks_30d",
            "numeric",
            "engagement",
            "pre_contact",
            "Clicked {value} emails in last 30 days",
            "Few email clicks in 30 days ({value})",
        ),
        (
            "pricing_page_visits_30d",
            "numeric",
            "engagement",
            "pre_contact",
            "Visited pricing page {value}x in last 30 days",
            "No pricing page visits in 30 days",
        ),
        (
            "webinar_attended_90d",
            "boolean",
            "engagement",
            "pre_contact",
            "Attended a webinar in last 90 days",
            "No webinar in 90 days",
        ),
        (
            "days_since_last_activity",
            "numeric",
            "engagement",
            "pre_contact",
            "Active recently ({value} days ago)",
            "Inactive for {value} days",
        ),
        (
            "lead_source",
            "categorical",
            "channel",
            "pre_contact",
            "Came in via {value}",
            "Came in via {value}",
        ),
        (
            "landing_page",
            "categorical",
            "channel",
            "pre_contact",
            "Landed on {value}",
            "Landed on {value}",
        ),
        (
            "intent_surge",
            "numeric",
            "intent",
            "pre_contact",
            "Account researching the category (surge {value})",
            "No buying intent (surge {value})",
        ),
        (
            "sales_qualified",
            "boolean",
            "other",
            "post_contact",
            "Sales marked qualified",
            "Sales marked unqualified",
        ),
    ]
    catalog = pd.DataFrame(
        rows,
        columns=[
            "feature",
            "kind",
            "group",
            "availability",
            "reason_phrase_positive",
            "reason_phrase_negative",
        ],
    )
    # The generator's strongest driver by construction: on a few thousand rows it can carry
    # more than the policy's share of the lift, which is legitimate here, so it is reviewed
    # (what a person does for a strong pre-contact field; see leadscore.ml.leakage).
    catalog["reviewed"] = catalog["feature"] == "company_size"
    catalog["review_reason"] = np.where(
        catalog["reviewed"], "the generator's strongest signal, known at sign-up", ""
    )
    return catalog


def make_examples(
    n_leads: int = 20_000,
    *,
    seed: int = 7,
    max_snapshots: int = 3,
    start: str = "2023-01-01",
    days: int = 540,
    n_landing_pages: int = 495,
    intercept: float = -2.3,
) -> pd.DataFrame:
    """Training examples: one row per (lead_id, cutoff_at), features, ``label``, truth.

    ``true_probability`` is the generating probability (not a feature); ``sales_qualified``
    is a post-contact field equal to the label (a deliberate leak for tests).
    """
    rng = np.random.default_rng(seed)
    snaps = rng.integers(1, max_snapshots + 1, size=n_leads)
    n = int(snaps.sum())
    lead = np.repeat(np.arange(n_leads), snaps)
    first = rng.uniform(0, days - 7 * max_snapshots, size=n_leads)
    offset = np.concatenate([np.arange(k) for k in snaps]) * 7.0
    cutoff = pd.Timestamp(start) + pd.to_timedelta(np.repeat(first, snaps) + offset, unit="D")

    size = np.repeat(np.exp(rng.normal(4.5, 1.4, size=n_leads)).round(), snaps)
    industry = np.repeat(rng.integers(0, len(INDUSTRIES), size=n_leads), snaps)
    title = np.repeat(rng.random(n_leads) < 0.35, snaps)
    source = np.repeat(
        rng.choice(len(SOURCES), size=n_leads, p=[0.3, 0.25, 0.1, 0.1, 0.15, 0.1]), snaps
    )
    zipf = 1.0 / np.arange(1, n_landing_pages + 1) ** 1.1
    page = np.repeat(rng.choice(n_landing_pages, size=n_leads, p=zipf / zipf.sum()), snaps)
    page_effect = rng.normal(0, 0.3, size=n_landing_pages)
    activity = rng.gamma(0.8, 1.0, size=n)  # latent per-snapshot engagement level
    clicks = rng.poisson(1.5 * activity)
    pricing = rng.poisson(0.6 * activity)
    webinar = rng.random(n) < 0.1 + 0.15 * np.minimum(activity, 2)
    recency = np.minimum(rng.exponential(20 / (0.3 + activity)), 365).round()
    intent_obs = rng.random(n) < 0.6
    intent = np.where(intent_obs, rng.gamma(2.0, 0.5, size=n), np.nan)

    logit = (
        intercept
        + 0.55 * (np.log1p(size) - 4.5)
        + np.asarray(INDUSTRY_EFFECT)[industry]
        + 0.8 * title
        + 0.22 * np.minimum(clicks, 10)
        + 1.0 * np.log1p(pricing)
        + 0.5 * webinar
        - 0.5 * np.log1p(recency) / np.log(30)
        + np.asarray(SOURCE_EFFECT)[source]
        + page_effect[page]
        + 0.4 * np.nan_to_num(intent - 1.0)
        + 0.5 * title * np.log1p(pricing)  # an interaction the trees can find
    )
    prob = 1.0 / (1.0 + np.exp(-logit))
    label = (rng.random(n) < prob).astype(np.int64)
    return pd.DataFrame(
        {
            "lead_id": [f"L{i:07d}" for i in lead],
            "cutoff_at": cutoff,
            "company_size": size,
            "industry": np.asarray(INDUSTRIES, dtype=object)[industry],
            "is_target_title": title,
            "email_clicks_30d": clicks.astype(np.float64),
            "pricing_page_visits_30d": pricing.astype(np.float64),
            "webinar_attended_90d": webinar,
            "days_since_last_activity": recency,
            "lead_source": np.asarray(SOURCES, dtype=object)[source],
            "landing_page": np.array([f"/lp/{p:03d}" for p in page], dtype=object),
            "intent_surge": intent,
            "sales_qualified": label.astype(bool),
            "label": label,
            "true_probability": prob,
        }
    )


def one_table_examples(
    n_rows: int = 41_188,
    *,
    seed: int = 7,
    extra_numeric: int = 5,
    extra_categorical: int = 4,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """An undated one-table export (one row per lead, no cutoff date) and its catalog.

    :func:`make_examples` with one snapshot per lead, without ``cutoff_at``, widened with
    uninformative columns (numbers, and categories of 3, 6, 9, ... levels) to about 20
    features: the shape of a typical one-table lead export, for timing training on it.
    """
    frame = make_examples(n_rows, seed=seed, max_snapshots=1).drop(columns=["cutoff_at"])
    rng = np.random.default_rng(seed + 1)
    catalog = synthetic_catalog()
    template = {**catalog.iloc[0], "reviewed": False, "review_reason": ""}
    rows = []
    for i in range(extra_numeric):
        name = f"extra_number_{i + 1}"
        frame[name] = rng.normal(size=n_rows).round(3)
        rows.append({**template, "feature": name, "kind": "numeric", "group": "other"})
    for i in range(extra_categorical):
        name = f"extra_category_{i + 1}"
        levels = np.array([f"level {j + 1}" for j in range(3 * (i + 1))], dtype=object)
        frame[name] = rng.choice(levels, size=n_rows)
        rows.append({**template, "feature": name, "kind": "categorical", "group": "other"})
    for row in rows:
        row["reason_phrase_positive"] = row["reason_phrase_negative"] = (
            f"{row['feature']}: {{value}}"
        )
    catalog = pd.concat([catalog, pd.DataFrame(rows)], ignore_index=True)
    return frame, catalog
