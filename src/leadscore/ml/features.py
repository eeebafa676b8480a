"""Turn catalog-typed feature columns into model matrices.

Two preprocessors, one per model family, because they want different things:
* linear models need imputation, scaling and one-hot encoding (sparse, with rare categories
  pooled as "infrequent" so a 495-value landing-page column stays small and unseen values at
  scoring time do not crash);
* HistGradientBoosting handles missing values and categories natively, so numerics pass
  through and categories are ordinal-coded (again pooling rare values).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import (
    FunctionTransformer,
    OneHotEncoder,
    OrdinalEncoder,
    StandardScaler,
)

MISSING_CATEGORY = "(missing)"
_TRUE = {"true", "t", "yes", "y", "1", "1.0"}
_FALSE = {"false", "f", "no", "n", "0", "0.0"}


def prepare_features(frame: pd.DataFrame, kinds: Mapping[str, str]) -> pd.DataFrame:
    """Return only the given feature columns, with dtypes the pipelines expect.

    numeric -> float64 (unparseable values become NaN), boolean -> float64 0/1/NaN,
    categorical -> object strings with NaN for missing. Doing this in one place means the
    model sees identical dtypes at training and at scoring, whatever DuckDB returned.
    """
    missing = [c for c in kinds if c not in frame.columns]
    if missing:
        raise KeyError(f"feature columns missing from the input frame: {missing}")
    out: dict[str, pd.Series] = {}
    for name, kind in kinds.items():
        col = frame[name]
        if kind == "numeric":
            out[name] = pd.to_numeric(col, errors="coerce").astype("float64")
        elif kind == "boolean":
            out[name] = _to_bool_float(col)
        else:
            out[name] = _to_category_text(col)
    return pd.DataFrame(out, index=frame.index)


def _to_category_text(col: pd.Series) -> pd.Series:
    """Stripped text, NaN for missing or blank; worked out per distinct value and spread."""
    codes, uniques = pd.factorize(col, use_na_sentinel=True)
    text = pd.Series(uniques).astype(str).str.strip().astype(object)
    cleaned = text.where((text != "").to_numpy(), np.nan).to_numpy(dtype=object)
    values = np.append(cleaned, np.nan)  # code -1 (missing) takes the last entry
    return pd.Series(values[codes], index=col.index, dtype=object)


def _to_bool_float(col: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(col) or pd.api.types.is_numeric_dtype(col):
        return pd.to_numeric(col, errors="coerce").astype("float64").clip(0, 1)
    text = col.astype(object).map(lambda v: str(v).strip().lower(), na_action="ignore")
    result = pd.Series(np.nan, index=col.index, dtype="float64")
    result[text.isin(_TRUE)] = 1.0
    result[text.isin(_FALSE)] = 0.0
    return result


def _split_kinds(kinds: Mapping[str, str]) -> tuple[list[str], list[str]]:
    numeric = [n for n, k in kinds.items() if k in ("numeric", "boolean")]
    categorical = [n for n, k in kinds.items() if k == "categorical"]
    return numeric, categorical


def linear_preprocessor(
    kinds: Mapping[str, str], *, min_frequency: int, max_categories: int
) -> ColumnTransformer:
    """Impute (with missing-indicators), scale, and one-hot with infrequent pooling."""
    numeric, categorical = _split_kinds(kinds)
    transformers: list[tuple[str, object, Sequence[str]]] = []
    if numeric:
        transformers.append(
            (
                "num",
                Pipeline(
                    [
                        (
                            "impute",
                            SimpleImputer(
                                strategy="median", add_indicator=True, keep_empty_features=True
                            ),
                        ),
                        ("scale", StandardScaler()),
                    ]
                ),
                numeric,
            )
        )
    if categorical:
        transformers.append(
            (
                "cat",
                Pipeline(
                    [
                        (
                            "impute",
                            SimpleImputer(
                                strategy="constant",
                                fill_value=MISSING_CATEGORY,
                                keep_empty_features=True,
                            ),
                        ),
                        (
                            "onehot",
                            OneHotEncoder(
                                handle_unknown="infrequent_if_exist",
                                min_frequency=min_frequency,
                                max_categories=max_categories,
                                sparse_output=True,
                            ),
                        ),
                    ]
                ),
                categorical,
            )
        )
    return ColumnTransformer(transformers, remainder="drop", sparse_threshold=0.3)


def tree_preprocessor(
    kinds: Mapping[str, str], *, min_frequency: int, max_categories: int
) -> tuple[ColumnTransformer, list[bool]]:
    """Numerics pass through (NaN is native); categories ordinal-coded with rare pooling.

    Returns the transformer and the categorical mask of its output columns, which
    HistGradientBoosting needs to treat the codes as categories rather than numbers.
    """
    numeric, categorical = _split_kinds(kinds)
    transformers: list[tuple[str, object, Sequence[str]]] = []
    if numeric:
        transformers.append(("num", "passthrough", numeric))
    if categorical:
        transformers.append(
            (
                "cat",
                OrdinalEncoder(
                    handle_unknown="use_encoded_value",
                    unknown_value=np.nan,
                    encoded_missing_value=np.nan,
                    min_frequency=min_frequency,
                    max_categories=min(max_categories, 250),
                    dtype=np.float64,
                ),
                categorical,
            )
        )
    mask = [False] * len(numeric) + [True] * len(categorical)
    return ColumnTransformer(transformers, remainder="drop", sparse_threshold=0.0), mask


def logistic_pipeline(
    kinds: Mapping[str, str], *, c: float, min_frequency: int, max_categories: int, seed: int
) -> Pipeline:
    """L2-regularized logistic regression: the transparent, hard-to-overfit candidate."""
    return Pipeline(
        [
            (
                "prep",
                linear_preprocessor(
                    kinds, min_frequency=min_frequency, max_categories=max_categories
                ),
            ),
            ("model", LogisticRegression(C=c, max_iter=2000, random_state=seed)),
        ]
    )


def hgb_pipeline(
    kinds: Mapping[str, str],
    *,
    learning_rate: float,
    max_iter: int,
    max_leaf_nodes: int,
    min_samples_leaf: int,
    l2_regularization: float,
    min_frequency: int,
    max_categories: int,
    seed: int,
) -> Pipeline:
    """Gradient-boosted trees: catches interactions and non-linear decay the LR misses."""
    prep, mask = tree_preprocessor(
        kinds, min_frequency=min_frequency, max_categories=max_categories
    )
    model = HistGradientBoostingClassifier(
        learning_rate=learning_rate,
        max_iter=max_iter,
        max_leaf_nodes=max_leaf_nodes,
        min_samples_leaf=min_samples_leaf,
        l2_regularization=l2_regularization,
        categorical_features=mask if any(mask) else None,
        # No random early-stopping slice: training stops on the newest (time) slice instead
        # and uses every row (leadscore.ml.train.fit_hgb).
        early_stopping=False,
        random_state=seed,
    )
    return Pipeline([("prep", prep), ("model", model)])


def output_columns_by_feature(prep: ColumnTransformer) -> dict[str, list[int]] | None:
    """Which output columns of a fitted preprocessor come from which input feature.

    Every step here is per-feature (imputation, indicator, scaling, one-hot, ordinal), so
    replacing a feature's output columns by those of its baseline is the same as replacing the
    raw feature -- which lets reasons be computed on the encoded matrix once per batch instead
    of re-encoding per feature. Returns None if the layout is not the expected one (callers
    then fall back to raw-feature occlusion).
    """
    out: dict[str, list[int]] = {}
    for name, trans, cols in prep.transformers_:
        if name == "remainder" or (isinstance(trans, str) and trans == "drop"):
            continue
        cols = list(cols)
        span = prep.output_indices_[name]
        start = span.start
        one_to_one = (OrdinalEncoder, FunctionTransformer)  # fitted "passthrough" is the latter
        if (isinstance(trans, str) and trans == "passthrough") or isinstance(trans, one_to_one):
            for i, col in enumerate(cols):
                out[col] = [start + i]
            pos = start + len(cols)
        elif isinstance(trans, Pipeline) and "scale" in trans.named_steps:
            imputer = trans.named_steps["impute"]
            for i, col in enumerate(cols):
                out[col] = [start + i]
            pos = start + len(cols)
            indicator = getattr(imputer, "indicator_", None)
            if indicator is not None:
                for k, idx in enumerate(indicator.features_):
                    out[cols[idx]].append(pos + k)
                pos += len(indicator.features_)
        elif isinstance(trans, Pipeline) and "onehot" in trans.named_steps:
            ohe = trans.named_steps["onehot"]
            pos = start
            infrequent = getattr(ohe, "infrequent_categories_", [None] * len(cols))
            for i, col in enumerate(cols):
                n = len(ohe.categories_[i])
                if infrequent[i] is not None:
                    n = n - len(infrequent[i]) + 1
                out[col] = list(range(pos, pos + n))
                pos += n
        else:
            return None
        if pos != span.stop:
            return None
    return out
