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


def _factorized(values: pd.DataFrame) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per column: each row's code (-1 for missing) and the distinct values, so masks and
    words are worked out once per distinct value (counts and categories repeat a lot)."""
    out = []
    for j in range(values.shape[1]):
        codes, uniques = pd.factorize(values.iloc[:, j], use_na_sentinel=True)
        out.append((np.asarray(codes, dtype=np.intp), np.asarray(uniques)))
    return out


def _value_masks(
    values: pd.DataFrame,
    defs: Sequence[FeatureDef],
    factorized: list[tuple[np.ndarray, np.ndarray]] | None = None,
) -> tuple[np.ndarray, ...]:
    """Per (row, feature): value missing/unknown, value is an absence (zero), can be worded."""
    n, m = values.shape
    factorized = factorized if factorized is not None else _factorized(values)
    missing = np.zeros((n, m), dtype=bool)
    absence = np.zeros((n, m), dtype=bool)
    wordable = np.ones((n, m), dtype=bool)
    for j, feature in enumerate(defs):
        codes, uniques = factorized[j]
        # per distinct value, then spread with the codes (-1, missing, takes the last entry)
        miss_u = np.zeros(len(uniques) + 1, dtype=bool)
        miss_u[-1] = True
        if feature.kind == "categorical" and feature.unknown_values:
            text = pd.Series(uniques, dtype=object).astype(str)
            miss_u[:-1] = text.isin(feature.unknown_values).to_numpy()
        miss = miss_u[codes]
        missing[:, j] = miss
        if feature.zero_is_absence and feature.kind != "categorical":
            numbers = pd.to_numeric(pd.Series(uniques, dtype=object), errors="coerce")
            zero_u = np.append(numbers.to_numpy(dtype=np.float64) == 0.0, False)
            absence[:, j] = zero_u[codes]
        if feature.phrase_missing is None:
            wordable[:, j] = ~miss
    return missing, absence, wordable


def _first_max(values: np.ndarray) -> np.ndarray:
    """Column of each row's largest value, the first one on ties (as a stable sort)."""
    return np.argmax(values, axis=1)


def choose_reasons(
    contributions: np.ndarray,
    values: pd.DataFrame,
    defs: Sequence[FeatureDef],
    *,
    k: int = REASON_SLOTS,
    factorized: list[tuple[np.ndarray, np.ndarray]] | None = None,
) -> np.ndarray:
    """(rows x k) column index of each reason slot, -1 where there is none (see module doc)."""
    c = np.asarray(contributions, dtype=np.float64)
    n, m = c.shape
    chosen = np.full((n, k), -1, dtype=np.intp)
    if n == 0 or m == 0:
        return chosen
    missing, absence, wordable = _value_masks(values, defs, factorized)
    raises = c > MIN_CONTRIBUTION
    eligible = wordable & (np.abs(c) > MIN_CONTRIBUTION) & (~raises | ~(missing | absence))
    strength = np.where(eligible, np.abs(c), -1.0)
    positive = np.where(eligible & raises, c, -1.0)
    first = np.where(positive.max(axis=1) > 0, _first_max(positive), _first_max(strength))
    rows = np.arange(n)
    has_first = strength[rows, first] > 0
    chosen[:, 0] = np.where(has_first, first, -1)
    rest = strength.copy()
    rest[rows, first] = -1.0
    # the next k - 1 by strength, ties to the lower column (what a stable sort gives)
    for slot in range(1, min(k, m)):
        col = _first_max(rest)
        chosen[:, slot] = np.where(rest[rows, col] > 0, col, -1)
        rest[rows, col] = -np.inf
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
    Each (feature, direction, value) is worded once and shared by the rows that show it.
    """
    c = np.asarray(contributions, dtype=np.float64)
    n = len(values)
    factorized = _factorized(values)
    out: dict[str, np.ndarray] = {}
    chosen = choose_reasons(c, values, defs, k=k, factorized=factorized)
    rows = np.arange(n)
    names = np.asarray([d.name for d in defs] + [None], dtype=object)
    code_matrix = (
        np.column_stack([codes for codes, _ in factorized])
        if factorized
        else np.zeros((n, 0), dtype=np.intp)
    )
    widest = max((len(u) for _, u in factorized), default=0) + 1
    rendered: dict[int, str] = {}
    for slot in range(k):
        cols = chosen[:, slot] if chosen.shape[1] > slot else np.full(n, -1)
        has = cols >= 0
        safe = np.where(has, cols, 0)
        contrib = np.where(has, c[rows, safe] if c.size else 0.0, np.nan)
        direction = np.where(has, np.where(contrib > 0, DIRECTIONS[0], DIRECTIONS[1]), None)
        worded = has & ((contrib > 0) | (contrib < 0))
        feature = names[np.where(worded, cols, -1)]
        text = np.full(n, None, dtype=object)
        if worded.any():
            value_code = code_matrix[rows, safe] if code_matrix.size else np.zeros(n, np.intp)
            sign = (contrib > 0).astype(np.int64)
            key = (safe.astype(np.int64) * 2 + sign) * widest + (value_code + 1)
            distinct, inverse = np.unique(key[worded], return_inverse=True)
            texts = np.empty(len(distinct), dtype=object)
            for i, kk in enumerate(distinct.tolist()):
                if kk not in rendered:
                    j, rest = divmod(kk, 2 * widest)
                    positive, code = divmod(rest, widest)
                    value = None if code == 0 else factorized[j][1][code - 1]
                    word = words[0] if positive else words[1]
                    sgn = 1 if positive else -1
                    rendered[kk] = f"{word}: {defs[j].phrase(sgn, value)}"
                texts[i] = rendered[kk]
            text[worded] = texts[inverse.reshape(-1)]
        out[f"reason_{slot + 1}"] = text
        out[f"reason_{slot + 1}_feature"] = feature
        out[f"reason_{slot + 1}_direction"] = direction.astype(object)
        out[f"reason_{slot + 1}_contribution"] = contrib
    # object columns as built (no per-batch inference into Arrow strings: the output is
    # turned into strings once, for the whole run, by finalize_frame)
    columns = {
        name: pd.Series(out[name], index=values.index, dtype=out[name].dtype, copy=False)
        for name in reason_columns(k)
    }
    return pd.DataFrame(columns, index=values.index, copy=False)


def empty_reasons(n: int, index: pd.Index | None = None, k: int = REASON_SLOTS) -> pd.DataFrame:
    out: dict[str, Any] = {}
    for col in reason_columns(k):
        out[col] = np.full(n, np.nan) if col.endswith("_contribution") else [None] * n
    return pd.DataFrame(out, index=index)
