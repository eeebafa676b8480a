"""Per-lead reasons: the features that moved a lead's score most, as data and as words.

Contributions come from :mod:`leadscore.ml.contributions` (exact, one pass, summing to the
lead's log-odds minus the typical lead's). This module picks up to three per lead and words
them from the catalog, under rules that keep a rep's trust:

* a reason is only shown when it can be said truthfully: a missing or unknown value needs the
  catalog's missing phrase ("No industry on record") and is never a reason that *raises* the
  score; a zero count (or false flag) whose catalog row has a zero phrase is an absence ("No
  web visits in the last 90 days") and is never a raising reason either;
* the strongest raising reason, when the lead has one, comes first; the other two are the
  largest remaining contributions either way;
* text is words, never a signed formula: ``"<Raises|Lowers>: <phrase>"`` (the two words are
  policy, ``reason_word_raises`` / ``reason_word_lowers``), with category values shown by
  their human label; the structured columns ``reason_k_feature``, ``reason_k_direction``
  (``raises`` / ``lowers``) and ``reason_k_contribution`` (log-odds; rule points for the rules
  fallback) carry the same reason as data.

:func:`occlusion_contributions` (the previous method, one re-prediction per feature) stays as
the reference the tests compare against.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from leadscore.ml.policy import FeatureDef

MIN_CONTRIBUTION = 1e-6
REASON_SLOTS = 3
DIRECTIONS = ("raises", "lowers")


def reason_columns(k: int = REASON_SLOTS) -> list[str]:
    """Text columns first (reason_1..k), then per slot feature, direction, contribution."""
    cols = [f"reason_{i}" for i in range(1, k + 1)]
    for i in range(1, k + 1):
        cols += [f"reason_{i}_feature", f"reason_{i}_direction", f"reason_{i}_contribution"]
    return cols


def occlusion_contributions(
    predict_logit: Callable[[pd.DataFrame], np.ndarray],
    prepared: pd.DataFrame,
    features: Sequence[str],
    baselines: dict[str, Any],
    *,
    batch_size: int = 50_000,
) -> np.ndarray:
    """Matrix (rows x features): logit(lead) - logit(lead with feature := baseline)."""
    n = len(prepared)
    out = np.zeros((n, len(features)), dtype=np.float64)
    for start in range(0, n, batch_size):
        batch = prepared.iloc[start : start + batch_size]
        base = predict_logit(batch)
        for j, name in enumerate(features):
            baseline = baselines.get(name)
            column = batch[name]
            if baseline is None:
                same = column.isna().to_numpy()
            else:
                same = (column == baseline).to_numpy(dtype=bool)
            if same.all():
                continue
            occluded = batch.copy(deep=False)
            fill = np.nan if baseline is None else baseline
            occluded[name] = pd.Series(fill, index=batch.index, dtype=column.dtype)
            out[start : start + len(batch), j] = base - predict_logit(occluded)
    return out


def _value_masks(values: pd.DataFrame, defs: Sequence[FeatureDef]) -> tuple[np.ndarray, ...]:
    """Per (row, feature): value missing/unknown, value is an absence (zero), can be worded."""
    n, m = values.shape
    missing = np.zeros((n, m), dtype=bool)
    absence = np.zeros((n, m), dtype=bool)
    wordable = np.ones((n, m), dtype=bool)
    for j, feature in enumerate(defs):
        col = values.iloc[:, j]
        miss = col.isna().to_numpy()
        if feature.kind == "categorical" and feature.unknown_values:
            miss = miss | col.astype(str).isin(feature.unknown_values).to_numpy()
        missing[:, j] = miss
        if feature.zero_is_absence and feature.kind != "categorical":
            numbers = pd.to_numeric(col, errors="coerce").to_numpy(dtype=np.float64)
            absence[:, j] = numbers == 0.0
        if feature.phrase_missing is None:
            wordable[:, j] = ~miss
    return missing, absence, wordable


def choose_reasons(
    contributions: np.ndarray,
    values: pd.DataFrame,
    defs: Sequence[FeatureDef],
    *,
    k: int = REASON_SLOTS,
) -> np.ndarray:
    """(rows x k) column index of each reason slot, -1 where there is none (see module doc)."""
    c = np.asarray(contributions, dtype=np.float64)
    n, m = c.shape
    chosen = np.full((n, k), -1, dtype=np.intp)
    if n == 0 or m == 0:
        return chosen
    missing, absence, wordable = _value_masks(values, defs)
    raises = c > MIN_CONTRIBUTION
    eligible = wordable & (np.abs(c) > MIN_CONTRIBUTION) & (~raises | ~(missing | absence))
    strength = np.where(eligible, np.abs(c), -1.0)
    positive = np.where(eligible & raises, c, -1.0)
    first = np.where(positive.max(axis=1) > 0, positive.argmax(axis=1), strength.argmax(axis=1))
    rows = np.arange(n)
    has_first = strength[rows, first] > 0
    chosen[:, 0] = np.where(has_first, first, -1)
    rest = strength.copy()
    rest[rows, first] = -1.0
    order = np.argsort(-rest, axis=1, kind="stable")[:, : k - 1]
    for slot in range(1, k):
        if slot - 1 >= order.shape[1]:
            break
        col = order[:, slot - 1]
        chosen[:, slot] = np.where(rest[rows, col] > 0, col, -1)
    return chosen


def select_reasons(
    contributions: np.ndarray,
    values: pd.DataFrame,
    defs: Sequence[FeatureDef],
    *,
    k: int = REASON_SLOTS,
    words: tuple[str, str] = ("Raises", "Lowers"),
) -> pd.DataFrame:
    """Up to ``k`` reasons per row as text plus feature, direction and contribution columns.

    ``values`` and ``defs`` are aligned with the contribution columns; a column's value is what
    the phrase's ``{value}`` shows (prepared values: numbers, 0/1 flags, category codes).
    """
    c = np.asarray(contributions, dtype=np.float64)
    n = len(values)
    out: dict[str, np.ndarray] = {}
    chosen = choose_reasons(c, values, defs, k=k)
    rows = np.arange(n)
    for slot in range(k):
        cols = chosen[:, slot] if chosen.shape[1] > slot else np.full(n, -1)
        has = cols >= 0
        safe = np.where(has, cols, 0)
        contrib = np.where(has, c[rows, safe] if c.size else 0.0, np.nan)
        direction = np.where(has, np.where(contrib > 0, DIRECTIONS[0], DIRECTIONS[1]), None)
        feature = np.full(n, None, dtype=object)
        text = np.full(n, None, dtype=object)
        for j in np.unique(cols[has]):
            for sign, word in ((1, words[0]), (-1, words[1])):
                sel = np.flatnonzero((cols == j) & ((contrib > 0) if sign > 0 else (contrib < 0)))
                if len(sel) == 0:
                    continue
                feature[sel] = defs[j].name
                text[sel] = _render(defs[j], sign, word, values.iloc[sel, j])
        out[f"reason_{slot + 1}"] = text
        out[f"reason_{slot + 1}_feature"] = feature
        out[f"reason_{slot + 1}_direction"] = direction.astype(object)
        out[f"reason_{slot + 1}_contribution"] = contrib
    return pd.DataFrame(out, index=values.index)[reason_columns(k)]


def empty_reasons(n: int, index: pd.Index | None = None, k: int = REASON_SLOTS) -> pd.DataFrame:
    out: dict[str, Any] = {}
    for col in reason_columns(k):
        out[col] = np.full(n, np.nan) if col.endswith("_contribution") else [None] * n
    return pd.DataFrame(out, index=index)


def _render(feature: FeatureDef, sign: int, word: str, values: pd.Series) -> np.ndarray:
    """Word each distinct value once (counts repeat a lot), then broadcast."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    texts = [f"{word}: {feature.phrase(sign, v)}" for v in uniques]
    texts.append(f"{word}: {feature.phrase(sign, None)}")
    return np.asarray(texts, dtype=object)[codes]
