"""The columns every scorer returns (model or rules), and the finishing touches both apply.

Its own module so that the model scorer (scoring.py) and the rules fallback (rules.py) share
one output schema without importing each other.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from leadscore.ml.reasons import reason_columns

REASON_COLUMNS = reason_columns()

SCORE_COLUMNS = [
    "conversion_probability",
    "score",
    "percentile",
    "fit_score",
    "engagement_score",
    "grade",
    *REASON_COLUMNS,
    "score_status",
    "model_version",
    "scored_at",
]


def usable_mask(prepared: pd.DataFrame) -> np.ndarray:
    """True for leads with at least one non-missing usable feature."""
    if prepared.shape[1] == 0:
        return np.zeros(len(prepared), dtype=bool)
    return prepared.notna().any(axis=1).to_numpy()


def as_str(column: pd.Series) -> pd.Series:
    """``column.astype("str")`` built once per distinct value: reason texts, grades and
    statuses repeat, so the strings are made for the distinct values and spread in Arrow."""
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    words = pa.array([str(u) for u in uniques], type=pa.string())
    indices = pa.array(codes.astype(np.int32), mask=codes < 0)
    text = pa.DictionaryArray.from_arrays(indices, words).cast(pa.string())
    out = pa.table({"v": text}).to_pandas()["v"]
    out.index = column.index
    out.name = column.name
    return out


def _now() -> pd.Timestamp:
    return pd.Timestamp.now(tz="UTC").tz_localize(None).floor("s")


def finalize_frame(
    out: pd.DataFrame,
    version: str,
    scored_at: pd.Timestamp | None,
    lead_col: str,
    has_data: np.ndarray,
) -> pd.DataFrame:
    """Blank the rows with no usable data, add version/timestamp, fix column order."""
    for col in REASON_COLUMNS:
        if col not in out:
            out[col] = np.nan if col.endswith("_contribution") else None
        out.loc[~has_data, col] = np.nan if col.endswith("_contribution") else None
    out.loc[~has_data, "score_status"] = "insufficient_data"
    out["model_version"] = version
    out["scored_at"] = pd.Timestamp(scored_at) if scored_at is not None else _now()
    # pandas' string dtype: missing values are real NA, which DuckDB reads as NULL varchar
    text_cols = [c for c in REASON_COLUMNS if not c.endswith("_contribution")]
    for col in ("grade", *text_cols, "score_status", "model_version"):
        out[col] = as_str(out[col])
    for col in REASON_COLUMNS:
        if col.endswith("_contribution"):
            out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64")
    return out[[lead_col, *SCORE_COLUMNS]].reset_index(drop=True)
